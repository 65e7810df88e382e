"""The transport bar: play/pause, stop, loop, speed, band, gain, context, channel, device.

Every control edits a :class:`PlaybackSettings`, which is saved to
QSettings at once and turned into engine options for each playback. The
window connects :attr:`PlaybackBar.play_requested` to its play/pause logic
and re-plays with new options on :attr:`PlaybackBar.options_changed`.

The output list is filled from the controller's control thread: it is
refreshed (PortAudio re-initialised, so devices plugged in since the app
started appear) each time the list is opened while nothing plays, and
after a device failure; Rescan forces it, stopping playback.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from audioclass_gui.audio.playback import StreamSetup
from audioclass_gui.audio.playback_dsp import SPEED_MAX, SPEED_MIN
from audioclass_gui.qt.playback import PlaybackController
from audioclass_gui.qt.playback_devices import DevicePicker
from audioclass_gui.qt.playback_settings import (
    CHANNEL_AS_DISPLAYED,
    CHANNEL_MIX,
    PlaybackSettings,
    settings_store,
)

__all__ = ["SPEED_STEPS", "PlaybackBar"]

#: Speeds the Slower / Faster actions step through.
SPEED_STEPS = (0.05, 0.1, 0.125, 0.2, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
_BAND_TEXT = {"full": "Full band", "box": "Selected box", "custom": "Custom band"}


def _spin(
    low: float, high: float, step: float, decimals: int, suffix: str, tip: str
) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setToolTip(tip)
    spin.setKeyboardTracking(False)
    spin.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    return spin


def _rate(hz: int) -> str:
    return f"{hz / 1000:g} kHz"


class PlaybackBar(QWidget):
    """Transport controls and playback settings for the main window.

    Parameters
    ----------
    controller
        The window's playback controller (its state and position are shown).
    store
        Where settings persist (default: :func:`settings_store`).

    Signals
    -------
    play_requested()
        The Play/Pause button was pressed.
    stop_requested()
        The Stop button was pressed.
    options_changed()
        Speed, band, high-pass, gain, normalisation or loop changed.
    """

    play_requested = Signal()
    stop_requested = Signal()
    options_changed = Signal()

    def __init__(
        self,
        controller: PlaybackController,
        store: QSettings | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.store = store if store is not None else settings_store()
        self.settings = PlaybackSettings.load(self.store)
        self._loading = True
        self._build()
        self._show_settings()
        self._loading = False
        controller.engine.device = self.settings.device or None
        controller.devices_changed.connect(self._on_devices_changed)
        if controller.available:
            controller.list_devices()  # on the control thread: PortAudio may be slow
        controller.state_changed.connect(self.set_state)
        controller.position_changed.connect(self.set_position)
        controller.started.connect(self._on_started)
        self.set_state(controller.state)
        if not controller.available:
            for w in (self.play_button, self.stop_button):
                w.setEnabled(False)
            self.info_label.setText(controller.reason)

    # ------------------------------------------------------------ build
    def _action(
        self, text: str, key: str | None, tip: str, checkable: bool = False
    ) -> QAction:
        action = QAction(text, self)
        if key:
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({key})" if key else tip)
        action.setCheckable(checkable)
        return action

    def _build(self) -> None:
        self.loop_action = self._action(
            "&Loop", "L", "Loop the span being played", True
        )
        self.follow_action = self._action(
            "&Follow playhead",
            None,
            "Page the view to keep the playhead on screen",
            True,
        )
        self.autoplay_action = self._action(
            "&Autoplay after a verdict",
            None,
            "Play the next detection after a verdict",
            True,
        )
        self.slower_action = self._action("&Slower", "[", "Play slower (lower pitch)")
        self.faster_action = self._action("&Faster", "]", "Play faster (higher pitch)")
        self.loop_action.toggled.connect(lambda on: self._set("loop", on, replay=True))
        self.follow_action.toggled.connect(lambda on: self._set("follow", on))
        self.autoplay_action.toggled.connect(lambda on: self._set("autoplay", on))
        self.slower_action.triggered.connect(lambda: self.step_speed(-1))
        self.faster_action.triggered.connect(lambda: self.step_speed(+1))

        self.play_button = QToolButton(text="Play")
        self.play_button.setToolTip(
            "Play the selected detection, pause, resume (Space)"
        )
        self.play_button.clicked.connect(self.play_requested)
        self.stop_button = QToolButton(text="Stop")
        self.stop_button.setToolTip("Stop (Esc)")
        self.stop_button.clicked.connect(self.stop_requested)
        self.loop_button = QToolButton()
        self.loop_button.setDefaultAction(self.loop_action)
        self.time_label = QLabel("–")
        self.time_label.setMinimumWidth(70)
        transport = QHBoxLayout()
        transport.setContentsMargins(0, 0, 0, 0)
        for w in (self.play_button, self.stop_button, self.loop_button):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            transport.addWidget(w)
        transport.addWidget(self.time_label, 1)

        self.speed_spin = _spin(
            SPEED_MIN,
            SPEED_MAX,
            0.05,
            3,
            " ×",
            "Speed: below 1 plays slower and lower, like a tape ([ and ])",
        )
        self.speed_spin.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.speed_spin.valueChanged.connect(
            lambda v: self._set("speed", float(v), replay=True)
        )
        self.context_spin = _spin(
            0.0, 10.0, 0.25, 2, " s", "Seconds played before and after a detection"
        )
        self.context_spin.valueChanged.connect(lambda v: self._set("context", float(v)))
        self.band_combo = QComboBox()
        for key, text in _BAND_TEXT.items():
            self.band_combo.addItem(text, key)
        self.band_combo.setToolTip(
            "Play only a frequency band: the selected box's or a chosen one"
        )
        self.band_combo.currentIndexChanged.connect(
            lambda _i: self._set(
                "band_mode", self.band_combo.currentData(), replay=True
            )
        )
        self.low_spin = _spin(0.0, 200.0, 0.5, 2, " kHz", "Low edge of the custom band")
        self.high_spin = _spin(
            0.01, 200.0, 0.5, 2, " kHz", "High edge of the custom band"
        )
        self.low_spin.valueChanged.connect(
            lambda v: self._set("band_low", float(v) * 1000, replay=True)
        )
        self.high_spin.valueChanged.connect(
            lambda v: self._set("band_high", float(v) * 1000, replay=True)
        )
        band_row = QHBoxLayout()
        band_row.setContentsMargins(0, 0, 0, 0)
        band_row.addWidget(self.low_spin)
        band_row.addWidget(QLabel("–"))
        band_row.addWidget(self.high_spin)
        self.highpass_spin = _spin(
            0.0, 5000.0, 10.0, 0, " Hz", "High-pass against wind and hum (0: off)"
        )
        self.highpass_spin.setSpecialValueText("off")
        self.highpass_spin.valueChanged.connect(
            lambda v: self._set("highpass", float(v), replay=True)
        )
        self.gain_spin = _spin(-40.0, 40.0, 1.0, 1, " dB", "Gain")
        self.gain_spin.valueChanged.connect(
            lambda v: self._set("gain_db", float(v), replay=True)
        )
        self.normalise_check = QCheckBox("Normalise")
        self.normalise_check.setToolTip(
            "Bring the loudest sample of the span to -1 dBFS"
        )
        self.normalise_check.toggled.connect(
            lambda on: self._set("normalise", on, replay=True)
        )
        gain_row = QHBoxLayout()
        gain_row.setContentsMargins(0, 0, 0, 0)
        gain_row.addWidget(self.gain_spin)
        gain_row.addWidget(self.normalise_check)
        self.follow_check = QCheckBox("Follow")
        self.autoplay_check = QCheckBox("Autoplay next")
        for check, action in (
            (self.follow_check, self.follow_action),
            (self.autoplay_check, self.autoplay_action),
        ):
            check.setToolTip(action.statusTip())
            check.toggled.connect(action.setChecked)
            action.toggled.connect(check.setChecked)
        checks = QHBoxLayout()
        checks.setContentsMargins(0, 0, 0, 0)
        checks.addWidget(self.follow_check)
        checks.addWidget(self.autoplay_check)
        self.channel_combo = QComboBox()
        self.channel_combo.setToolTip(
            "Channel to play: what the spectrogram shows, the mix, or one channel"
        )
        self.set_channels(1)
        self.channel_combo.currentIndexChanged.connect(
            lambda _i: self._set(
                "channel", int(self.channel_combo.currentData()), replay=True
            )
        )
        self.devices = DevicePicker(
            self.controller.outputs, self.settings.device, self.controller.available
        )
        self.device_combo = self.devices.combo
        self.rescan_button = self.devices.rescan_button
        self.devices.chosen_changed.connect(self._on_device_chosen)
        self.devices.rescan_requested.connect(lambda: self.refresh_devices(rescan=True))
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(3)
        rows = [
            ("", transport),
            ("Speed", self.speed_spin),
            ("Context", self.context_spin),
            ("Band", self.band_combo),
            ("", band_row),
            ("High-pass", self.highpass_spin),
            ("Gain", gain_row),
            ("Channel", self.channel_combo),
            ("", checks),
            ("Output", self.devices),
        ]
        for row, (label, item) in enumerate(rows):
            if label:
                grid.addWidget(QLabel(label), row, 0)
            if isinstance(item, QWidget):
                grid.addWidget(item, row, 1)
            else:
                grid.addLayout(item, row, 1)
        grid.addWidget(self.info_label, len(rows), 0, 1, 2)
        grid.setColumnStretch(1, 1)

    def menu_actions(self) -> list[QAction]:
        """Actions for the window's Playback menu (with their shortcuts)."""
        return [
            self.loop_action,
            self.slower_action,
            self.faster_action,
            self.follow_action,
            self.autoplay_action,
        ]

    # --------------------------------------------------------- settings
    def _show_settings(self) -> None:
        s = self.settings
        self.speed_spin.setValue(s.speed)
        self.context_spin.setValue(s.context)
        self.band_combo.setCurrentIndex(max(0, self.band_combo.findData(s.band_mode)))
        self.low_spin.setValue(s.band_low / 1000)
        self.high_spin.setValue(s.band_high / 1000)
        self.highpass_spin.setValue(s.highpass)
        self.gain_spin.setValue(s.gain_db)
        self.normalise_check.setChecked(s.normalise)
        self.loop_action.setChecked(s.loop)
        self.follow_action.setChecked(s.follow)
        self.autoplay_action.setChecked(s.autoplay)
        self._select_channel()
        self._enable_band()

    def _enable_band(self) -> None:
        custom = self.settings.band_mode == "custom"
        self.low_spin.setEnabled(custom)
        self.high_spin.setEnabled(custom)

    def _set(self, name: str, value, replay: bool = False) -> None:
        if self._loading or getattr(self.settings, name) == value:
            return
        setattr(self.settings, name, value)
        self._enable_band()
        self.settings.save(self.store)
        if replay:
            self.options_changed.emit()

    @property
    def context(self) -> float:
        """Seconds of context around a detection."""
        return self.settings.context

    @property
    def follow(self) -> bool:
        """Whether the view follows the playhead."""
        return self.settings.follow

    @property
    def autoplay(self) -> bool:
        """Whether the next detection plays after a verdict."""
        return self.settings.autoplay

    def step_speed(self, direction: int) -> None:
        """Go to the next slower (-1) or faster (+1) speed in :data:`SPEED_STEPS`."""
        speed = self.settings.speed
        if direction < 0:
            steps = [v for v in SPEED_STEPS if v < speed - 1e-9]
            target = steps[-1] if steps else SPEED_MIN
        else:
            steps = [v for v in SPEED_STEPS if v > speed + 1e-9]
            target = steps[0] if steps else SPEED_MAX
        self.speed_spin.setValue(target)

    # --------------------------------------------------------- channels
    def set_channels(self, channels: int) -> None:
        """Offer the channels of the open recording (emits nothing)."""
        combo = self.channel_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("As displayed", CHANNEL_AS_DISPLAYED)
        combo.addItem("Mix of all channels", CHANNEL_MIX)
        for c in range(1, max(channels, self.settings.channel, 1) + 1):
            combo.addItem(f"Channel {c}", c)
        combo.blockSignals(False)
        combo.setEnabled(channels > 1)
        self._select_channel()

    def _select_channel(self) -> None:
        combo = self.channel_combo
        combo.blockSignals(True)
        combo.setCurrentIndex(max(0, combo.findData(self.settings.channel)))
        combo.blockSignals(False)

    # ---------------------------------------------------------- devices
    def refresh_devices(self, rescan: bool = False) -> None:
        """Ask for the outputs again; ``rescan`` (the Rescan button) stops playback first.

        Without ``rescan`` the list is refreshed only when nothing plays
        (otherwise once the playback is over). The combo is filled when
        the list arrives from the control thread.
        """
        if rescan:
            self.info_label.setText("Looking for output devices…")
        self._rescanned = rescan
        self.controller.refresh_devices(force=rescan)

    def _on_devices_changed(self, devices: list) -> None:
        if getattr(self, "_rescanned", False):
            self._rescanned = False
            self.info_label.setText(f"{len(devices)} output device(s) found")

    def _on_device_chosen(self, name: str) -> None:
        self.controller.engine.device = name or None
        self._set("device", name)

    # ------------------------------------------------------------ state
    def set_state(self, state: str) -> None:
        """Show ``"playing"``, ``"paused"`` or ``"stopped"`` on the buttons."""
        self.play_button.setText(
            {"playing": "Pause", "paused": "Resume"}.get(state, "Play")
        )
        self.stop_button.setEnabled(state != "stopped" and self.controller.available)
        if state == "stopped":
            self.time_label.setText("–")

    def set_position(self, seconds: float | None) -> None:
        """Show the playhead time."""
        if seconds is not None:
            self.time_label.setText(f"{seconds:.2f} s")

    def _on_started(self, setup: StreamSetup) -> None:
        text = f"{setup.speed:g}× · {_rate(setup.tape_rate)}"
        if setup.resampled:
            text += f", resampled to {_rate(setup.output_rate)} for the device"
        if setup.time_expansion != 1.0:
            text += (
                f" · time expanded ×{setup.time_expansion:g}:"
                f" heard at {setup.real_time_speed:.3g}× real time"
            )
        self.info_label.setText(text)
