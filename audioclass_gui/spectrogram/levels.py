"""Display levels that suit a spectrogram: dark background, bright calls (no Qt)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from audioclass_gui.spectrogram.compute import SpectrogramTile


__all__ = ["LevelSettings", "auto_levels", "display_levels"]


def auto_levels(tile: SpectrogramTile, db_range: float) -> tuple[float, float]:
    """Display levels (low, high) that suit a tile.

    For dB: the top is a high percentile rather than the maximum, so one
    loud click does not darken the picture; the bottom sits just under the
    median (the background noise of a field recording), so noise shows
    dark and calls stand out, but never more than ``db_range`` below the
    top. For PCEN: from the median to a high percentile.
    """
    from audioclass_gui.spectrogram.compute import DB_FLOOR

    finite = tile.data[np.isfinite(tile.data) & (tile.data > DB_FLOOR)]
    if finite.size == 0:
        return (-db_range, 0.0)
    median, top = (float(v) for v in np.percentile(finite, [50.0, 99.9]))
    if tile.scale == "PCEN":
        return (median, max(top, median + 0.05))
    top += 1.0
    low = max(top - db_range, median - 2.0)
    return (min(low, top - 20.0), top)


class LevelSettings(Protocol):
    """The display settings levels depend on (the Spectrogram panel's ``DisplaySettings``)."""

    auto_levels: bool
    floor: float
    ceiling: float
    gain: float


def display_levels(
    scale: str, base: tuple[float, float] | None, display: LevelSettings
) -> tuple[float, float] | None:
    """Levels for data of ``scale`` ("dB" or "PCEN") under the display settings.

    Parameters
    ----------
    scale
        The data's scale.
    base
        Levels measured on the data (:func:`auto_levels`), None if not yet.
    display
        Automatic or fixed levels (floor, ceiling) and a gain in dB.

    Returns
    -------
    tuple of float or None
        None when automatic levels are needed and ``base`` is None. PCEN
        values have no fixed scale: they always use ``base``, scaled by the gain.
    """
    if scale == "PCEN":
        if base is None:
            return None
        factor = 10.0 ** (-display.gain / 20.0)
        return (base[0] * factor, base[1] * factor)
    if not display.auto_levels:
        return (display.floor - display.gain, display.ceiling - display.gain)
    return None if base is None else (base[0] - display.gain, base[1] - display.gain)
