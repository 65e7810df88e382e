"""One tile loader for all the rows of a paged view.

Each row of the paged view draws its tiles with its own
:class:`~audioclass_gui.qt.spectrogram.spectrogram_tiles.TileDisplay`, as the
main spectrogram does, but a :class:`~audioclass_gui.qt.spectrogram.tile_loader.TileLoader`
takes one list of wishes at a time (each request replaces the last). The
:class:`PagedTiles` here owns a single loader (one pool queue, one cache)
and gives each row a :class:`RowTiles` stand-in with the loader's interface:
the rows' wishes are merged, top row first, and the tiles of the next page
(then the previous one) are prefetched once every row's are done, so Page
Down shows a page already computed.

The rows never use the whole-file overview: rows are seldom zoomed out that
far, tiles serve any zoom at a bounded cost, and the main view computes the
overview already.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from audioclass_gui.qt.common.tasks import TaskRunner
from audioclass_gui.qt.spectrogram.tile_loader import CACHE_BYTES, TileLoader
from audioclass_gui.spectrogram import SpectrogramParams, TileSpec

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo
    from audioclass_gui.spectrogram import SpectrogramTile

__all__ = ["PagedTiles", "RowTiles"]


class RowTiles(QObject):
    """What one row's :class:`TileDisplay` sees of the shared loader.

    It has the loader's signals, cache and generation, no overview, and
    :meth:`request` hands the row's wishes to its :class:`PagedTiles`.
    """

    def __init__(self, owner: PagedTiles) -> None:
        super().__init__(owner)
        self._owner = owner
        loader = owner.loader
        self.tile_ready = loader.tile_ready
        self.overview_updated = loader.overview_updated

    @property
    def overview(self) -> None:
        """The rows draw tiles only (see the module's text)."""
        return None

    @property
    def generation(self) -> int:
        """The shared loader's generation."""
        return self._owner.loader.generation

    def cached(self, spec: TileSpec) -> SpectrogramTile | None:
        """The tile if the shared cache holds it."""
        return self._owner.loader.cached(spec)

    def request(self, visible: list[TileSpec], prefetch: Sequence[TileSpec] = ()) -> None:
        """This row wants ``visible`` (its own prefetch is left to the page's)."""
        self._owner.want(self, visible)


class PagedTiles(QObject):
    """A tile loader shared by the rows of a paged view.

    Parameters
    ----------
    runner
        The pool tiles are computed in.
    cache_bytes
        Bound of the shared cache.
    parent
        Qt parent.

    Attributes
    ----------
    loader : TileLoader
        The loader (its ``computed`` counts tiles made, for tests).
    """

    def __init__(
        self, runner: TaskRunner, cache_bytes: int = CACHE_BYTES, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.loader = TileLoader(runner, cache_bytes=cache_bytes, parent=self)
        self._slots: list[RowTiles] = []
        self._wants: dict[RowTiles, list[TileSpec]] = {}
        self._prefetch: list[TileSpec] = []

    def slot(self) -> RowTiles:
        """A stand-in loader for one more row."""
        row = RowTiles(self)
        self._slots.append(row)
        return row

    def drop(self, row: RowTiles) -> None:
        """Forget a row that is gone."""
        if row in self._slots:
            self._slots.remove(row)
        self._wants.pop(row, None)

    def reset(self, info: RecordingInfo | None, params: SpectrogramParams) -> None:
        """Compute for this recording and these settings (None: drop every tile)."""
        self._wants.clear()
        self._prefetch = []
        self.loader.reset(info, params)
        self.loader.overview = None  # tiles only (see the module's text)

    def release(self) -> None:
        """Forget every wish and cached tile (the paged view is put away)."""
        self._wants.clear()
        self._prefetch = []
        self.loader.request([])
        self.loader.cache.retain(lambda _key: False)

    def want(self, row: RowTiles, visible: list[TileSpec]) -> None:
        """A row's tiles changed: ask the loader for every row's, then the prefetch."""
        self._wants[row] = list(visible)
        self._ask()

    def set_prefetch(self, specs: Sequence[TileSpec]) -> None:
        """Tiles to compute once every row's are done (the pages beside the one shown)."""
        self._prefetch = list(specs)
        self._ask()

    def _ask(self) -> None:
        visible: dict[TileSpec, None] = {}
        for row in self._slots:
            for spec in self._wants.get(row, ()):
                if self.loader.cached(spec) is None:
                    visible[spec] = None
        prefetch = [s for s in self._prefetch if s not in visible and self.loader.cached(s) is None]
        self.loader.request(list(visible), prefetch)
