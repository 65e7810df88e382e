"""Display levels of the spectrogram: automatic or fixed, per scale, with gain.

:func:`auto_levels` measures levels that suit a tile. :class:`DisplayLevels`
owns one view's display settings, colour map and the base levels measured
per scale (dB, PCEN), turns them into the levels of the tiles and of the
overview, and says when they change; the images are restyled by whoever
owns them (:class:`~audioclass_gui.qt.spectrogram.spectrogram_tiles.TileDisplay`), so
new display settings never recompute anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal

from audioclass_gui.qt.spectrogram.spectrogram_settings import DisplaySettings, colormap
from audioclass_gui.spectrogram.levels import auto_levels, display_levels

if TYPE_CHECKING:
    pass

__all__ = ["DisplayLevels", "auto_levels"]


class DisplayLevels(QObject):
    """The levels and colour map one spectrogram view draws with.

    Tiles are in dB or, with PCEN on, in PCEN values; the overview is always
    in dB. Automatic levels are measured on the first data of each scale
    (:meth:`measure`) and shifted by the gain; fixed ones come from the
    settings' floor and ceiling.

    Signals
    -------
    changed(bool)
        The levels were worked out again (and the colour map changed, when
        True): restyle the images.
    """

    changed = Signal(bool)

    def __init__(
        self, display: DisplaySettings | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._display = display or DisplaySettings()
        self._cmap = colormap(self._display.colormap)
        self._scale = "dB"
        self._base: dict[str, tuple[float, float]] = {}  # by scale: "dB", "PCEN"
        self._levels: tuple[float, float] | None = None  # tiles
        self._overview_levels: tuple[float, float] | None = None  # always dB

    @property
    def display(self) -> DisplaySettings:
        """The display settings in use."""
        return self._display

    @property
    def cmap(self) -> pg.ColorMap:
        """The colour map of the settings."""
        return self._cmap

    @property
    def levels(self) -> tuple[float, float] | None:
        """The display levels of the tiles (dB, or PCEN values with PCEN on)."""
        return self._levels

    @property
    def overview_levels(self) -> tuple[float, float] | None:
        """The display levels of the overview (always dB)."""
        return self._overview_levels

    def knows(self, scale: str) -> bool:
        """Whether base levels were measured for ``scale`` ("dB" or "PCEN")."""
        return scale in self._base

    def set_display(self, display: DisplaySettings, sample: np.ndarray | None) -> None:
        """New levels, gain or colours; ``sample`` (a tile shown now) is measured again."""
        colours = display.colormap != self._display.colormap
        if colours:
            self._cmap = colormap(display.colormap)
        self._display = display
        if display.auto_levels:  # the range may have changed: measure again
            scale = self._scale
            self._base = {k: v for k, v in self._base.items() if k != scale}
            if sample is not None:
                self._set_base_from(sample, scale)
        self._apply(colours)

    def set_scale(self, scale: str) -> None:
        """The scale of the tiles from now on: "dB", or "PCEN" with PCEN on.

        The tiles' levels follow at once: dB tiles drawn with the PCEN
        levels (or the reverse) would show nothing but white.
        """
        if scale != self._scale:
            self._scale = scale
            self._apply()

    def measure(self, data: np.ndarray, scale: str) -> None:
        """Take the base levels of ``scale`` from ``data``, then apply them."""
        self._set_base_from(data, scale)
        self._apply()

    def forget(self, scale: str) -> None:
        """Drop the base levels of ``scale`` (its values changed meaning)."""
        self._base.pop(scale, None)

    def reset(self) -> None:
        """A new recording: nothing measured, no levels (nothing is announced)."""
        self._base = {}
        self._levels = self._overview_levels = None

    def _set_base_from(self, data: np.ndarray, scale: str) -> None:
        from audioclass_gui.spectrogram import SpectrogramTile

        probe = SpectrogramTile(
            np.asarray(data, dtype=np.float32), 0.0, 1.0, 0.0, 1.0, scale=scale
        )
        self._base[scale] = auto_levels(probe, self._display.db_range)

    def _levels_for(self, scale: str) -> tuple[float, float] | None:
        """Levels for data of this scale under the display settings (None: not known yet)."""
        return display_levels(scale, self._base.get(scale), self._display)

    def _apply(self, colours: bool = False) -> None:
        self._levels = self._levels_for(self._scale)
        self._overview_levels = self._levels_for("dB") or self._overview_levels
        self.changed.emit(colours)
