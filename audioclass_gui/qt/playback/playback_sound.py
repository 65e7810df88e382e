"""The playback bar's sound controls: speed, context, band, high-pass, gain, channel.

:class:`SoundControls` owns the controls that shape what is heard (and how
much around a detection). They show a
:class:`~audioclass_gui.qt.playback.playback_settings.PlaybackSettings` and report
each edit by name; :class:`~audioclass_gui.qt.playback.playback_bar.PlaybackBar`,
which owns the settings, stores and saves it and asks for a replay where it
matters.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QWidget,
)

from audioclass_gui.audio.playback_dsp import SPEED_MAX, SPEED_MIN
from audioclass_gui.qt.playback.playback_settings import (
    CHANNEL_AS_DISPLAYED,
    CHANNEL_MIX,
    PlaybackSettings,
)

__all__ = ["SPEED_STEPS", "SoundControls"]

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


class SoundControls(QObject):
    """Speed, context, band, high-pass, gain, normalisation and channel controls.

    The widgets are laid out by the bar (:meth:`rows`).

    Signals
    -------
    edited(str, object, bool)
        ``(name, value, replay)``: the reviewer set the
        :class:`~audioclass_gui.qt.playback.playback_settings.PlaybackSettings`
        field ``name`` to ``value``; ``replay`` when what plays should
        restart with it.
    """

    edited = Signal(str, object, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._channels = 1
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
            lambda v: self.edited.emit("speed", float(v), True)
        )
        self.context_spin = _spin(
            0.0, 10.0, 0.25, 2, " s", "Seconds played before and after a detection"
        )
        self.context_spin.valueChanged.connect(
            lambda v: self.edited.emit("context", float(v), False)
        )
        self.band_combo = QComboBox()
        for key, text in _BAND_TEXT.items():
            self.band_combo.addItem(text, key)
        self.band_combo.setToolTip(
            "Play only a frequency band: the selected box's or a chosen one"
        )
        self.band_combo.currentIndexChanged.connect(
            lambda _i: self.edited.emit("band_mode", self.band_combo.currentData(), True)
        )
        self.low_spin = _spin(0.0, 200.0, 0.5, 2, " kHz", "Low edge of the custom band")
        self.high_spin = _spin(
            0.01, 200.0, 0.5, 2, " kHz", "High edge of the custom band"
        )
        self.low_spin.valueChanged.connect(
            lambda v: self.edited.emit("band_low", float(v) * 1000, True)
        )
        self.high_spin.valueChanged.connect(
            lambda v: self.edited.emit("band_high", float(v) * 1000, True)
        )
        # Shown only when a custom band is chosen: a disabled pair of edges
        # (and the dash between them) said nothing the Band choice does not.
        self.band_row = QWidget()
        band_row = QHBoxLayout(self.band_row)
        band_row.setContentsMargins(0, 0, 0, 0)
        band_row.addWidget(self.low_spin)
        band_row.addWidget(QLabel("to"))
        band_row.addWidget(self.high_spin)
        self.highpass_spin = _spin(
            0.0, 5000.0, 10.0, 0, " Hz", "High-pass against wind and hum (0: off)"
        )
        self.highpass_spin.setSpecialValueText("off")
        self.highpass_spin.valueChanged.connect(
            lambda v: self.edited.emit("highpass", float(v), True)
        )
        self.gain_spin = _spin(-40.0, 40.0, 1.0, 1, " dB", "Gain")
        self.gain_spin.valueChanged.connect(
            lambda v: self.edited.emit("gain_db", float(v), True)
        )
        self.normalise_check = QCheckBox("Normalise")
        self.normalise_check.setToolTip(
            "Bring the loudest sample of the span to -1 dBFS"
        )
        self.normalise_check.toggled.connect(
            lambda on: self.edited.emit("normalise", on, True)
        )
        self._gain_row = QHBoxLayout()
        self._gain_row.setContentsMargins(0, 0, 0, 0)
        self._gain_row.addWidget(self.gain_spin)
        self._gain_row.addWidget(self.normalise_check)
        self.channel_combo = QComboBox()
        self.channel_combo.setToolTip(
            "Channel to play: what the spectrogram shows, the mix, or one channel"
        )
        self.set_channels(1, CHANNEL_AS_DISPLAYED)
        self.channel_combo.currentIndexChanged.connect(
            lambda _i: self.edited.emit(
                "channel", int(self.channel_combo.currentData()), True
            )
        )

    def rows(self) -> list[tuple[str, QWidget | QLayout]]:
        """The bar's rows for the controls, as ``(label, item)``."""
        return [
            ("Speed", self.speed_spin),
            ("Context", self.context_spin),
            ("Band", self.band_combo),
            ("", self.band_row),
            ("High-pass", self.highpass_spin),
            ("Gain", self._gain_row),
            ("Channel", self.channel_combo),
        ]

    def show_settings(self, settings: PlaybackSettings) -> None:
        """Show the settings' speed, context, band, high-pass, gain, normalisation and channel."""
        s = settings
        self.set_channels(self._channels, s.channel)
        self.speed_spin.setValue(s.speed)
        self.context_spin.setValue(s.context)
        self.band_combo.setCurrentIndex(max(0, self.band_combo.findData(s.band_mode)))
        self.low_spin.setValue(s.band_low / 1000)
        self.high_spin.setValue(s.band_high / 1000)
        self.highpass_spin.setValue(s.highpass)
        self.gain_spin.setValue(s.gain_db)
        self.normalise_check.setChecked(s.normalise)
        self.enable_band(s.band_mode == "custom")

    def enable_band(self, custom: bool) -> None:
        """Offer the custom band's edges (only while a custom band is chosen)."""
        self.low_spin.setEnabled(custom)
        self.high_spin.setEnabled(custom)
        self.band_row.setVisible(custom)

    def step_speed(self, direction: int, speed: float) -> None:
        """From ``speed``, go to the next slower (-1) or faster (+1) one in :data:`SPEED_STEPS`."""
        if direction < 0:
            steps = [v for v in SPEED_STEPS if v < speed - 1e-9]
            target = steps[-1] if steps else SPEED_MIN
        else:
            steps = [v for v in SPEED_STEPS if v > speed + 1e-9]
            target = steps[0] if steps else SPEED_MAX
        self.speed_spin.setValue(target)

    def set_channels(self, channels: int, chosen: int) -> None:
        """Offer the channels of the open recording, ``chosen`` selected (emits nothing)."""
        self._channels = channels
        combo = self.channel_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("As displayed", CHANNEL_AS_DISPLAYED)
        combo.addItem("Mix of all channels", CHANNEL_MIX)
        for c in range(1, max(channels, chosen, 1) + 1):
            combo.addItem(f"Channel {c}", c)
        combo.blockSignals(False)
        combo.setEnabled(channels > 1)
        self.select_channel(chosen)

    def select_channel(self, chosen: int) -> None:
        """Show ``chosen`` as the channel played (emits nothing)."""
        combo = self.channel_combo
        combo.blockSignals(True)
        combo.setCurrentIndex(max(0, combo.findData(chosen)))
        combo.blockSignals(False)
