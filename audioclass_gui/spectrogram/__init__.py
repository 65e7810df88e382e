"""Spectrogram computation without Qt: parameters, tiles, overview, cache.

Workers get immutable inputs (a path and frozen :class:`SpectrogramParams`)
and return plain :class:`SpectrogramTile` data, so every function here can
run in a thread pool.
"""

from audioclass_gui.spectrogram.cache import TileCache, tile_key
from audioclass_gui.spectrogram.compute import DB_FLOOR, SpectrogramTile, compute_tile
from audioclass_gui.spectrogram.overview import OVERVIEW_WINDOW, compute_overview
from audioclass_gui.spectrogram.params import SpectrogramParams

__all__ = [
    "DB_FLOOR",
    "OVERVIEW_WINDOW",
    "SpectrogramParams",
    "SpectrogramTile",
    "TileCache",
    "compute_overview",
    "compute_tile",
    "tile_key",
]
