"""Display levels of the spectrogram: automatic or fixed, per scale, with gain.

:func:`auto_levels` measures levels that suit a tile. :class:`DisplayLevels`
is mixed into :class:`~audioclass_gui.qt.spectrogram_view.SpectrogramView`:
it keeps the measured base levels per scale (dB, PCEN), turns them and the
:class:`~audioclass_gui.qt.spectrogram_settings.DisplaySettings` into the
levels of the tiles and of the overview, and applies new display settings
without recomputing anything.
"""

from __future__ import annotations

import numpy as np

from audioclass_gui.qt.spectrogram_settings import DisplaySettings, colormap
from audioclass_gui.spectrogram import DB_FLOOR, SpectrogramTile

__all__ = ["DisplayLevels", "auto_levels"]


def auto_levels(tile: SpectrogramTile, db_range: float) -> tuple[float, float]:
    """Display levels (low, high) that suit a tile.

    For dB: the top is a high percentile rather than the maximum, so one
    loud click does not darken the picture; the bottom sits just under the
    median (the background noise of a field recording), so noise shows
    dark and calls stand out, but never more than ``db_range`` below the
    top. For PCEN: from the median to a high percentile.
    """
    finite = tile.data[np.isfinite(tile.data) & (tile.data > DB_FLOOR)]
    if finite.size == 0:
        return (-db_range, 0.0)
    median, top = (float(v) for v in np.percentile(finite, [50.0, 99.9]))
    if tile.scale == "PCEN":
        return (median, max(top, median + 0.05))
    top += 1.0
    low = max(top - db_range, median - 2.0)
    return (min(low, top - 20.0), top)


class DisplayLevels:
    """Levels for a view with ``display``, ``params``, ``_items`` (tile images),
    ``overview_image``, ``_cmap``, ``_levels``, ``_overview_levels``,
    ``_auto_base`` and ``levels_changed``."""

    @property
    def levels(self) -> tuple[float, float] | None:
        """The display levels of the tiles (dB, or PCEN values with PCEN on)."""
        return self._levels

    @property
    def overview_levels(self) -> tuple[float, float] | None:
        """The display levels of the overview (always dB)."""
        return self._overview_levels

    def set_display(self, display: DisplaySettings) -> None:
        """Redraw with new levels, gain or colours (nothing is recomputed)."""
        if display.colormap != self.display.colormap:
            self._cmap = colormap(display.colormap)
            for item in (*self._items.values(), self.overview_image):
                item.setColorMap(self._cmap)
        self.display = display
        if display.auto_levels:  # the range may have changed: measure again
            scale = self._current_scale()
            self._auto_base = {k: v for k, v in self._auto_base.items() if k != scale}
            first = next(iter(self._items.values()), None)
            if first is not None and first.image is not None:
                self._set_auto_base_from(first.image, scale)
        self._apply_levels()

    def _current_scale(self) -> str:
        return "PCEN" if self.params.pcen else "dB"

    def _set_auto_base_from(self, data: np.ndarray, scale: str) -> None:
        probe = SpectrogramTile(
            np.asarray(data, dtype=np.float32), 0.0, 1.0, 0.0, 1.0, scale=scale
        )
        self._auto_base[scale] = auto_levels(probe, self.display.db_range)

    def _levels_for(self, scale: str) -> tuple[float, float] | None:
        """Levels for data of this scale under the display settings (None: not known yet)."""
        d = self.display
        if scale == "PCEN":  # PCEN values have no fixed scale: always automatic
            base = self._auto_base.get("PCEN")
            if base is None:
                return None
            factor = 10.0 ** (-d.gain / 20.0)
            return (base[0] * factor, base[1] * factor)
        if not d.auto_levels:
            return (d.floor - d.gain, d.ceiling - d.gain)
        base = self._auto_base.get("dB")
        return None if base is None else (base[0] - d.gain, base[1] - d.gain)

    def _apply_levels(self) -> None:
        self._levels = self._levels_for(self._current_scale())
        self._overview_levels = self._levels_for("dB") or self._overview_levels
        if self._levels is not None:
            for item in self._items.values():
                if item.image is not None:
                    item.setLevels(self._levels)
        if self._overview_levels is not None:
            if self.overview_image.image is not None:
                self.overview_image.setLevels(self._overview_levels)
            self.levels_changed.emit((self._overview_levels, self.display.colormap))
