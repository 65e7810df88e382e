"""What the spectrogram shows for a view: tiles on a grid, or the whole-file overview.

:class:`TileDisplay` owns the images of one
:class:`~audioclass_gui.qt.spectrogram.spectrogram_view.SpectrogramView`. For every
visible range it asks :func:`~audioclass_gui.spectrogram.layout.plan_view`
what to show, shows the cached tiles at once, asks the
:class:`~audioclass_gui.qt.spectrogram.tile_loader.TileLoader` for the rest, keeps
tiles of the previous zoom level under the new ones until those arrive
(so nothing flickers), and says when the view is fully drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal

from audioclass_gui.qt.spectrogram.spectrogram_levels import DisplayLevels
from audioclass_gui.qt.spectrogram.tile_loader import TileLoader
from audioclass_gui.qt.spectrogram.view_coordinates import ViewCoordinates
from audioclass_gui.spectrogram import SpectrogramParams, TileSpec
from audioclass_gui.spectrogram.layout import ViewPlan, plan_view

if TYPE_CHECKING:
    from audioclass_gui.spectrogram import SpectrogramTile

__all__ = ["OVERSAMPLE", "TileDisplay"]

#: Columns per screen pixel asked of tiles.
OVERSAMPLE = 1.5


class TileDisplay(QObject):
    """The tile images and the overview image of a spectrogram plot.

    Parameters
    ----------
    loader
        Computes and caches tiles and the overview.
    plot
        The plot the images are drawn in.
    viewbox
        The plot's view box: its range is what must be shown.
    levels
        The levels and colour map the images are drawn with; the images are
        restyled when they change.

    Signals
    -------
    detail_painted()
        Everything the current view needs has been drawn.
    overview_progress(object)
        The overview computed so far (a tile in view coordinates).
    overview_ready(object)
        The complete overview.
    """

    detail_painted = Signal()
    overview_progress = Signal(object)
    overview_ready = Signal(object)

    def __init__(
        self,
        loader: TileLoader,
        plot: pg.PlotItem,
        viewbox: pg.ViewBox,
        levels: DisplayLevels,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._loader = loader
        self._plot = plot
        self._viewbox = viewbox
        self._levels = levels
        self._coords: ViewCoordinates | None = None
        self._params = SpectrogramParams()
        self._plan: ViewPlan | None = None
        self._items: dict[TileSpec, pg.ImageItem] = {}
        self._painted_range: tuple[float, float] | None = None
        self._painted_key: tuple | None = None
        self.overview_image = pg.ImageItem(axisOrder="row-major")
        self.overview_image.setZValue(-20)
        self.overview_image.setColorMap(levels.cmap)
        plot.addItem(self.overview_image)
        levels.changed.connect(self._restyle)
        loader.tile_ready.connect(self._on_tile)
        loader.overview_updated.connect(self._on_overview)

    # ------------------------------------------------------------ reading
    @property
    def painted_range(self) -> tuple[float, float] | None:
        """Time range drawn in full for the current view, if any."""
        return self._painted_range

    @property
    def plan(self) -> ViewPlan | None:
        """What the current view shows (the overview, or which tiles)."""
        return self._plan

    @property
    def images(self) -> Mapping[TileSpec, pg.ImageItem]:
        """The tile images on the plot now, by tile (read-only)."""
        return MappingProxyType(self._items)

    def sample_image(self) -> np.ndarray | None:
        """The data of one tile shown now (to measure levels on), if any."""
        first = next(iter(self._items.values()), None)
        return None if first is None else first.image

    # ------------------------------------------------------------ changing
    def show_recording(
        self, coords: ViewCoordinates, params: SpectrogramParams
    ) -> None:
        """A new recording: drop every image (call :meth:`update` once it is loading)."""
        self._coords, self._params = coords, params
        self._clear_tiles()
        self.overview_image.clear()

    def set_params(self, params: SpectrogramParams) -> None:
        """New analysis settings: drop the tiles of the old ones."""
        self._params = params
        self._clear_tiles()

    def update(self, *_args) -> None:
        """Show what is ready for the current view and ask for the rest."""
        coords = self._coords
        if coords is None:
            return
        info = coords.info
        x0, x1 = self._visible_range()
        scale = coords.frames_per_second
        width = max(100, int(self._viewbox.width() or 800))
        # The overview serves zoomed-out views once it covers them; until then
        # tiles do (their cost per tile is bounded at any zoom).
        builder = self._loader.overview
        ready = builder is not None and builder.done * builder.frames_per_column >= min(
            x1 * scale, info.frames
        )
        plan = plan_view(
            max(0.0, x0) * scale,
            min(coords.duration, x1) * scale,
            width,
            self._params.min_hop,
            info.frames,
            overview_frames_per_column=builder.frames_per_column if ready else None,
            oversample=OVERSAMPLE,
        )
        self._plan = plan
        if plan.use_overview:
            self._loader.request([])
            self._clear_tiles()
        else:
            for spec in plan.visible:
                if spec not in self._items:
                    tile = self._loader.cached(spec)
                    if tile is not None:
                        self._show_tile(spec, tile)
            self._drop_hidden(plan)
            missing = [s for s in plan.visible if s not in self._items]
            self._loader.request(
                missing, [s for s in plan.prefetch if self._loader.cached(s) is None]
            )
        self._check_painted()

    # -------------------------------------------------------------- internal
    def _visible_range(self) -> tuple[float, float]:
        x0, x1 = self._viewbox.viewRange()[0]
        return float(x0), float(x1)

    def _drop_hidden(self, plan: ViewPlan) -> None:
        """Remove tiles out of view, and old-level tiles no longer needed as a backdrop."""
        wanted = set(plan.visible)
        complete = wanted.issubset(self._items)
        if self._coords is None:
            return
        x0, x1 = self._visible_range()
        for spec in list(self._items):
            if spec in wanted:
                self._items[spec].setZValue(-10)
                continue
            self._items[spec].setZValue(-15)  # an older level: a backdrop at most
            s0, s1 = self._coords.tile_seconds(spec)
            if complete or s1 < x0 or s0 > x1 or spec.hop == plan.hop:
                self._plot.removeItem(self._items.pop(spec))

    def _check_painted(self) -> None:
        plan, coords = self._plan, self._coords
        if plan is None or coords is None:
            return
        x0, x1 = self._visible_range()
        duration = coords.duration
        if plan.use_overview:
            builder = self._loader.overview
            done = builder is not None and (
                builder.complete
                or builder.done * builder.seconds_per_column / coords.expansion
                >= min(x1, duration)
            )
            key = ("overview", round(x0, 6), round(x1, 6), self._loader.generation)
            covered = (max(0.0, x0), min(duration, x1)) if done else None
        else:
            if not plan.visible or not all(s in self._items for s in plan.visible):
                return
            first, last = plan.visible[0], plan.visible[-1]
            covered = (
                coords.seconds(first.first_frame),
                coords.seconds(min(last.end_frame, coords.info.frames)),
            )
            key = (
                plan.hop,
                first.index,
                last.index,
                self._loader.generation,
                round(x0, 6),
                round(x1, 6),
            )
        if covered is None:
            return
        self._painted_range = covered
        if key != self._painted_key:
            self._painted_key = key
            self.detail_painted.emit()

    def _on_tile(self, spec: TileSpec, tile: SpectrogramTile) -> None:
        plan = self._plan
        if plan is None or plan.use_overview or spec not in plan.visible:
            return  # prefetched, or the view moved on: it waits in the cache
        self._show_tile(spec, tile)
        self._drop_hidden(plan)
        self._check_painted()

    def _show_tile(self, spec: TileSpec, tile: SpectrogramTile) -> None:
        levels = self._levels
        if not levels.knows(tile.scale):
            levels.measure(tile.data, tile.scale)
        item = pg.ImageItem(axisOrder="row-major")
        item.setColorMap(levels.cmap)
        item.setZValue(-10 if self._plan is None or spec.hop == self._plan.hop else -15)
        item.setImage(tile.data, autoLevels=False, levels=levels.levels or (-100.0, 0.0))
        item.setRect(self._coords.rect(tile))
        self._plot.addItem(item)
        old = self._items.pop(spec, None)
        if old is not None:
            self._plot.removeItem(old)
        self._items[spec] = item

    def _on_overview(self, tile: SpectrogramTile, complete: bool) -> None:
        coords = self._coords
        if coords is None or tile.data.shape[1] == 0:
            return
        levels = self._levels
        if not levels.knows("dB") and (complete or self._params.pcen):
            levels.measure(tile.data, "dB")
        self.overview_image.setImage(
            tile.data, autoLevels=False, levels=levels.overview_levels or (-100.0, 0.0)
        )
        self.overview_image.setRect(coords.rect(tile))
        shown = coords.scaled(tile)
        self.overview_progress.emit(shown)
        if complete:
            self.overview_ready.emit(shown)
        self._check_painted()

    def _restyle(self, colours: bool) -> None:
        """Draw every image with the levels (and colour map) of :class:`DisplayLevels`."""
        levels = self._levels
        if colours:
            for item in (*self._items.values(), self.overview_image):
                item.setColorMap(levels.cmap)
        if levels.levels is not None:
            for item in self._items.values():
                if item.image is not None:
                    item.setLevels(levels.levels)
        if levels.overview_levels is not None and self.overview_image.image is not None:
            self.overview_image.setLevels(levels.overview_levels)

    def _clear_tiles(self) -> None:
        for item in self._items.values():
            self._plot.removeItem(item)
        self._items.clear()
        self._painted_range = None
        self._painted_key = None
