"""The transport bar: play/pause, stop, loop, speed, band, gain, context, channel, device.

Every control edits a :class:`PlaybackSettings`, which is saved to
QSettings at once and turned into engine options for each playback. The
window connects :attr:`PlaybackBar.play_requested` to its play/pause logic
and re-plays with new options on :attr:`PlaybackBar.options_changed`.

The output list is filled from the controller's control thread: it is
refreshed (PortAudio re-initialised, so devices plugged in since the app
started appear) each time the list is opened while nothing plays, and
after a device failure; Rescan forces it, stopping playback.

The controls that shape the sound (speed, context, band, high-pass, gain,
channel) are the bar's :class:`~audioclass_gui.qt.playback.playback_sound.SoundControls`
(``sound``); the output picker is its
:class:`~audioclass_gui.qt.playback.playback_devices.DevicePicker` (``devices``).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from audioclass_gui.audio.playback import StreamSetup
from audioclass_gui.qt.common.time_format import TimeFormat
from audioclass_gui.qt.playback.playback import PlaybackController
from audioclass_gui.qt.playback.playback_devices import DevicePicker
from audioclass_gui.qt.playback.playback_settings import (
    PlaybackSettings,
    settings_store,
)
from audioclass_gui.qt.playback.playback_sound import SPEED_STEPS, SoundControls

__all__ = ["SPEED_STEPS", "PlaybackBar"]


def _rate(hz: int) -> str:
    return f"{hz / 1000:g} kHz"


def _sound_control(name: str) -> property:
    """The bar's ``name``: the widget of the same name of its :class:`SoundControls`."""
    return property(
        lambda self: getattr(self.sound, name),
        doc=f"The ``{name}`` of :attr:`sound`.",
    )


class PlaybackBar(QWidget):
    """Transport controls and playback settings for the main window.

    Parameters
    ----------
    controller
        The window's playback controller (its state and position are shown).
    store
        Where settings persist (default: :func:`settings_store`).

    Attributes
    ----------
    settings : PlaybackSettings
        What the controls show (saved at each change).
    sound : SoundControls
        Speed, context, band, high-pass, gain and channel (its widgets are
        the bar's ``speed_spin``, ``band_combo``, ... too).
    devices : DevicePicker
        The output device.

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

    speed_spin = _sound_control("speed_spin")
    context_spin = _sound_control("context_spin")
    band_combo = _sound_control("band_combo")
    low_spin = _sound_control("low_spin")
    high_spin = _sound_control("high_spin")
    highpass_spin = _sound_control("highpass_spin")
    gain_spin = _sound_control("gain_spin")
    normalise_check = _sound_control("normalise_check")
    channel_combo = _sound_control("channel_combo")

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
        self._rescanned = False  # the Rescan button asked for the list now coming
        self._loading = True
        self._build()
        self._show_settings()
        self._loading = False
        controller.engine.device = self.settings.device or None
        controller.devices_changed.connect(self._on_devices_changed)
        controller.state_changed.connect(self.set_state)
        controller.position_changed.connect(self.set_position)
        controller.started.connect(self._on_started)
        if controller.engine.status_known:
            self._on_output_checked()
        else:  # PortAudio loads on the control thread, after the window shows
            for w in (self.play_button, self.stop_button):
                w.setEnabled(False)
            self.info_label.setText("Looking for the sound output…")
            controller.check_output(self._on_output_checked)

    def _output_ok(self) -> bool:
        """Playback can work here; False while that is not known yet (never loads PortAudio)."""
        return self.controller.engine.status_known and self.controller.available

    def _on_output_checked(self) -> None:
        """Whether playback can work is known: enable it, or say why not."""
        controller = self.controller
        if controller.available:
            controller.list_devices()  # on the control thread: PortAudio may be slow
        self.set_state(controller.state)
        self.rescan_button.setEnabled(controller.available)
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
        # The playhead's time, written as the time axis writes it; empty
        # while nothing plays (a dash there read as a stray character).
        self.time_label = QLabel("")
        self.time_label.setMinimumWidth(70)
        self.time_label.setToolTip("Where the playhead is, on the time axis")
        self.time_format = TimeFormat()
        transport = QHBoxLayout()
        transport.setContentsMargins(0, 0, 0, 0)
        for w in (self.play_button, self.stop_button, self.loop_button):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            transport.addWidget(w)
        transport.addWidget(self.time_label, 1)

        self.sound = SoundControls(self)
        self.sound.edited.connect(self._set)
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
        self.devices = DevicePicker(
            self.controller.outputs, self.settings.device, self._output_ok()
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
            *self.sound.rows(),
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
        self.sound.show_settings(s)
        self.loop_action.setChecked(s.loop)
        self.follow_action.setChecked(s.follow)
        self.autoplay_action.setChecked(s.autoplay)

    def _set(self, name: str, value, replay: bool = False) -> None:
        if self._loading or getattr(self.settings, name) == value:
            return
        setattr(self.settings, name, value)
        self.sound.enable_band(self.settings.band_mode == "custom")
        self.settings.save(self.store)
        if replay:
            self.options_changed.emit()

    def step_speed(self, direction: int) -> None:
        """Go to the next slower (-1) or faster (+1) speed in :data:`SPEED_STEPS`."""
        self.sound.step_speed(direction, self.settings.speed)

    def set_channels(self, channels: int) -> None:
        """Offer the channels of the open recording (emits nothing)."""
        self.sound.set_channels(channels, self.settings.channel)

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
        if self._rescanned:
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
        self.stop_button.setEnabled(state != "stopped" and self._output_ok())
        if state == "stopped":
            self.time_label.setText("")
            # How the last sound was played is no longer true of anything:
            # say what holds while nothing plays (why playback is unavailable).
            if self.controller.engine.status_known:  # else it says it is looking
                self.info_label.setText("" if self._output_ok() else self.controller.reason)

    def set_position(self, seconds: float | None) -> None:
        """Show the playhead time (in :attr:`time_format`)."""
        if seconds is not None:
            self.time_label.setText(self.time_format.label(seconds))

    def set_time_format(self, time_format: TimeFormat) -> None:
        """Write the playhead's time as the open recording's time axis does."""
        self.time_format = time_format

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
