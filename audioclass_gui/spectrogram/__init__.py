"""Spectrogram computation without Qt: parameters, tile layout, tiles, overview, cache.

Workers get immutable inputs (a path and frozen :class:`SpectrogramParams`)
and return plain :class:`SpectrogramTile` data, so every function here can
run in a thread pool.
Its names load their module on first use (:mod:`audioclass_gui.lazy_names`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audioclass_gui.lazy_names import lazy_names

if TYPE_CHECKING:
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

_WHERE = {
    "DB_FLOOR": "audioclass_gui.spectrogram.compute",
    "OVERVIEW_COLUMNS": "audioclass_gui.spectrogram.overview",
    "OVERVIEW_WINDOW": "audioclass_gui.spectrogram.overview",
    "OverviewBuilder": "audioclass_gui.spectrogram.overview",
    "SpectrogramParams": "audioclass_gui.spectrogram.params",
    "SpectrogramTile": "audioclass_gui.spectrogram.compute",
    "TILE_COLUMNS": "audioclass_gui.spectrogram.layout",
    "TileCache": "audioclass_gui.spectrogram.cache",
    "TileSpec": "audioclass_gui.spectrogram.layout",
    "compute_grid_tile": "audioclass_gui.spectrogram.compute",
    "compute_overview": "audioclass_gui.spectrogram.overview",
    "compute_tile": "audioclass_gui.spectrogram.compute",
    "grid_key": "audioclass_gui.spectrogram.cache",
    "level_hop": "audioclass_gui.spectrogram.layout",
    "prefetch_tiles": "audioclass_gui.spectrogram.layout",
    "read_span": "audioclass_gui.spectrogram.layout",
    "tile_key": "audioclass_gui.spectrogram.cache",
    "tiles_covering": "audioclass_gui.spectrogram.layout",
}

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

__getattr__, __dir__ = lazy_names(globals(), _WHERE)
