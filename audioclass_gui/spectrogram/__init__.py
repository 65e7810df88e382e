"""Spectrogram computation without Qt: parameters, tile layout, tiles, overview, cache.

Workers get immutable inputs (a path and frozen :class:`SpectrogramParams`)
and return plain :class:`SpectrogramTile` data, so every function here can
run in a thread pool.
"""

from audioclass_gui.spectrogram.cache import TileCache, grid_key, tile_key
from audioclass_gui.spectrogram.compute import (
    DB_FLOOR,
    SpectrogramTile,
    compute_grid_tile,
    compute_tile,
)
from audioclass_gui.spectrogram.layout import (
    TILE_COLUMNS,
    TileSpec,
    level_hop,
    prefetch_tiles,
    read_span,
    tiles_covering,
)
from audioclass_gui.spectrogram.overview import (
    OVERVIEW_COLUMNS,
    OVERVIEW_WINDOW,
    OverviewBuilder,
    compute_overview,
)
from audioclass_gui.spectrogram.params import SpectrogramParams

__all__ = [
    "DB_FLOOR",
    "OVERVIEW_COLUMNS",
    "OVERVIEW_WINDOW",
    "TILE_COLUMNS",
    "OverviewBuilder",
    "SpectrogramParams",
    "SpectrogramTile",
    "TileCache",
    "TileSpec",
    "compute_grid_tile",
    "compute_overview",
    "compute_tile",
    "grid_key",
    "level_hop",
    "prefetch_tiles",
    "read_span",
    "tile_key",
    "tiles_covering",
]
