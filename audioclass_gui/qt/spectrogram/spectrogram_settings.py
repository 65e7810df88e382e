"""The spectrogram settings panel: analysis, levels, colours; remembered between runs.

Two kinds of settings: those that change what is computed
(:class:`~audioclass_gui.spectrogram.params.SpectrogramParams`: window,
overlap, frequency range, channel, PCEN) and those that only change how it
is drawn (:class:`DisplaySettings`: levels, gain, colour map). Both are
saved with ``QSettings`` (see :func:`open_settings` for where) whenever
they change, and read back when the panel is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from audioclass_gui.qt.common.colormaps import COLORMAPS, colormap
from audioclass_gui.qt.common.settings import open_settings
from audioclass_gui.spectrogram import SpectrogramParams

__all__ = [
    "COLORMAPS",
    "DisplaySettings",
    "SpectrogramSettingsPanel",
    "colormap",
]


_WINDOWS = {
    "Hann": "hann",
    "Hamming": "hamming",
    "Blackman": "blackman",
    "Blackman-Harris": "blackmanharris",
    "Nuttall": "nuttall",
    "Flat top": "flattop",
    "Bartlett (triangle)": "bartlett",
    "Rectangular": "boxcar",
}
_LENGTHS = (128, 256, 512, 1024, 2048, 4096, 8192)
_OVERLAPS = (0.0, 0.25, 0.5, 0.75, 0.875, 0.9375)


@dataclass(frozen=True, slots=True)
class DisplaySettings:
    """How computed spectrograms are drawn (changing these recomputes nothing).

    Attributes
    ----------
    colormap
        A value of :data:`COLORMAPS`.
    auto_levels
        Choose the levels from the recording (background dark, calls
        bright); otherwise use ``floor`` and ``ceiling``.
    db_range
        Automatic levels: the most dB between darkest and brightest.
    floor, ceiling
        Manual levels in dB re full scale.
    gain
        dB added to every level before colouring (brightens the picture).
    """

    colormap: str = "viridis"
    auto_levels: bool = True
    db_range: float = 80.0
    floor: float = -110.0
    ceiling: float = -20.0
    gain: float = 0.0


class SpectrogramSettingsPanel(QWidget):
    """Form for every spectrogram setting.

    Parameters
    ----------
    settings
        Where to keep the values; :func:`open_settings` when None.
    parent
        Qt parent.

    Signals
    -------
    params_changed(object)
        New :class:`SpectrogramParams` (the spectrogram must be recomputed).
    display_changed(object)
        New :class:`DisplaySettings` (only redrawn).
    """

    params_changed = Signal(object)
    display_changed = Signal(object)

    def __init__(
        self, settings: QSettings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._store = settings if settings is not None else open_settings()
        self._nyquist = 192000.0
        self._loading = True
        form = QFormLayout(self)

        self.window_length = QComboBox()
        for n in _LENGTHS:
            self.window_length.addItem(f"{n} samples", n)
        self.window_type = QComboBox()
        for label, name in _WINDOWS.items():
            self.window_type.addItem(label, name)
        self.overlap = QComboBox()
        for o in _OVERLAPS:
            self.overlap.addItem(f"{o * 100:g} %", o)
        form.addRow("Window length", self.window_length)
        form.addRow("Window type", self.window_type)
        form.addRow("Overlap", self.overlap)

        self.fmin = self._khz_box()
        self.fmax = self._khz_box()
        band = QHBoxLayout()
        band.addWidget(self.fmin)
        band.addWidget(QLabel("to"))
        band.addWidget(self.fmax)
        form.addRow("Frequencies (kHz)", band)

        self.channel = QComboBox()
        self.channel.addItem("Mix of all channels", None)
        form.addRow("Channel", self.channel)
        self.pcen = QCheckBox("PCEN (flattens steady noise)")
        form.addRow("", self.pcen)

        self.auto_levels = QCheckBox("Automatic levels")
        self.db_range = self._db_box(10.0, 200.0)
        self.floor = self._db_box(-250.0, 50.0)
        self.ceiling = self._db_box(-250.0, 50.0)
        form.addRow("", self.auto_levels)
        form.addRow("Range (dB)", self.db_range)
        levels = QHBoxLayout()
        levels.addWidget(self.floor)
        levels.addWidget(QLabel("to"))
        levels.addWidget(self.ceiling)
        form.addRow("Levels (dB)", levels)
        self.gain = self._db_box(-60.0, 60.0)
        form.addRow("Gain (dB)", self.gain)
        self.colormap = QComboBox()
        for label, name in COLORMAPS.items():
            self.colormap.addItem(label, name)
        form.addRow("Colours", self.colormap)

        self._load()
        for combo in (self.window_length, self.window_type, self.overlap, self.channel):
            combo.currentIndexChanged.connect(self._on_params)
        for box in (self.fmin, self.fmax):
            box.valueChanged.connect(self._on_params)
        self.pcen.toggled.connect(self._on_params)
        self.auto_levels.toggled.connect(self._on_display)
        for box in (self.db_range, self.floor, self.ceiling, self.gain):
            box.valueChanged.connect(self._on_display)
        self.colormap.currentIndexChanged.connect(self._on_display)
        self._loading = False
        self._sync_enabled()

    # ------------------------------------------------------------------ API
    def params(self) -> SpectrogramParams:
        """The analysis settings shown."""
        fmax = self.fmax.value() * 1000.0
        fmin = self.fmin.value() * 1000.0
        return SpectrogramParams(
            window_length=int(self.window_length.currentData()),
            window=str(self.window_type.currentData()),
            overlap=float(self.overlap.currentData()),
            fmin=fmin,
            fmax=None if fmax >= self._nyquist - 1e-6 or fmax <= fmin else fmax,
            channel=self.channel.currentData(),
            pcen=self.pcen.isChecked(),
        )

    def display(self) -> DisplaySettings:
        """The drawing settings shown."""
        return DisplaySettings(
            colormap=str(self.colormap.currentData()),
            auto_levels=self.auto_levels.isChecked(),
            db_range=self.db_range.value(),
            floor=self.floor.value(),
            ceiling=max(self.ceiling.value(), self.floor.value() + 1.0),
            gain=self.gain.value(),
        )

    def set_recording(self, samplerate: float, channels: int) -> None:
        """Fit the frequency range and channel list to a recording (emits nothing)."""
        self._loading = True
        try:
            self._nyquist = samplerate / 2.0
            stored_max = float(self._store.value("spectrogram/fmax_khz", 0.0) or 0.0)
            for box in (self.fmin, self.fmax):
                box.setMaximum(self._nyquist / 1000.0)
            self.fmax.setValue(
                stored_max
                if 0 < stored_max < self._nyquist / 1000.0
                else self._nyquist / 1000.0
            )
            self.channel.clear()
            self.channel.addItem("Mix of all channels", None)
            for c in range(channels):
                self.channel.addItem(f"Channel {c + 1}", c)
            self.channel.setEnabled(channels > 1)
        finally:
            self._loading = False

    def set_params(self, params: SpectrogramParams) -> None:
        """Show these analysis settings (emits ``params_changed`` if they differ)."""
        self._select(self.window_length, params.window_length)
        self._select(self.window_type, params.window)
        self._select(self.overlap, params.overlap)
        self.fmin.setValue(params.fmin / 1000.0)
        self.fmax.setValue((params.fmax or self._nyquist) / 1000.0)
        self._select(self.channel, params.channel)
        self.pcen.setChecked(params.pcen)

    def set_display(self, display: DisplaySettings) -> None:
        """Show these drawing settings (emits ``display_changed`` if they differ)."""
        self._select(self.colormap, display.colormap)
        self.auto_levels.setChecked(display.auto_levels)
        self.db_range.setValue(display.db_range)
        self.floor.setValue(display.floor)
        self.ceiling.setValue(display.ceiling)
        self.gain.setValue(display.gain)

    # ------------------------------------------------------------- internal
    @staticmethod
    def _khz_box() -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setDecimals(2)
        box.setRange(0.0, 192.0)
        box.setSingleStep(0.5)
        box.setKeyboardTracking(False)
        return box

    @staticmethod
    def _db_box(low: float, high: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setDecimals(0)
        box.setRange(low, high)
        box.setSingleStep(5.0)
        box.setKeyboardTracking(False)
        return box

    @staticmethod
    def _select(combo: QComboBox, value) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _load(self) -> None:
        s = self._store
        p, d = SpectrogramParams(), DisplaySettings()
        self._select(
            self.window_length,
            int(s.value("spectrogram/window_length", p.window_length)),
        )
        self._select(self.window_type, str(s.value("spectrogram/window", p.window)))
        self._select(self.overlap, float(s.value("spectrogram/overlap", p.overlap)))
        self.fmin.setValue(float(s.value("spectrogram/fmin_khz", 0.0)))
        self.fmax.setValue(self.fmax.maximum())
        self.pcen.setChecked(_bool(s.value("spectrogram/pcen", False)))
        self._select(self.colormap, str(s.value("display/colormap", d.colormap)))
        self.auto_levels.setChecked(
            _bool(s.value("display/auto_levels", d.auto_levels))
        )
        self.db_range.setValue(float(s.value("display/db_range", d.db_range)))
        self.floor.setValue(float(s.value("display/floor", d.floor)))
        self.ceiling.setValue(float(s.value("display/ceiling", d.ceiling)))
        self.gain.setValue(float(s.value("display/gain", d.gain)))

    def _save(self) -> None:
        s = self._store
        p, d = self.params(), self.display()
        s.setValue("spectrogram/window_length", p.window_length)
        s.setValue("spectrogram/window", p.window)
        s.setValue("spectrogram/overlap", p.overlap)
        s.setValue("spectrogram/fmin_khz", p.fmin / 1000.0)
        s.setValue("spectrogram/fmax_khz", 0.0 if p.fmax is None else p.fmax / 1000.0)
        s.setValue("spectrogram/pcen", p.pcen)
        s.setValue("display/colormap", d.colormap)
        s.setValue("display/auto_levels", d.auto_levels)
        s.setValue("display/db_range", d.db_range)
        s.setValue("display/floor", d.floor)
        s.setValue("display/ceiling", d.ceiling)
        s.setValue("display/gain", d.gain)
        s.sync()

    def _sync_enabled(self) -> None:
        auto = self.auto_levels.isChecked()
        self.db_range.setEnabled(auto)
        self.floor.setEnabled(not auto)
        self.ceiling.setEnabled(not auto)

    def _on_params(self, *_args) -> None:
        if self._loading:
            return
        if self.fmax.value() <= self.fmin.value():
            return  # an empty band: wait for the other bound
        self._save()
        self.params_changed.emit(self.params())

    def _on_display(self, *_args) -> None:
        self._sync_enabled()
        if self._loading:
            return
        self._save()
        self.display_changed.emit(self.display())


def _bool(value) -> bool:
    """QSettings gives strings back from INI files."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
