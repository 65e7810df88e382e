"""What the spectrogram shows for a view: tiles on a grid, or the whole-file overview.

:class:`TileDisplay` is mixed into
:class:`~audioclass_gui.qt.spectrogram_view.SpectrogramView`. For every
visible range it asks :func:`~audioclass_gui.spectrogram.layout.plan_view`
what to show, shows the cached tiles at once, asks the
:class:`~audioclass_gui.qt.tile_loader.TileLoader` for the rest, keeps
tiles of the previous zoom level under the new ones until those arrive
(so nothing flickers), and says when the view is fully drawn.
"""

from __future__ import annotations

from dataclasses import replace

import pyqtgraph as pg
from PySide6.QtCore import QRectF

from audioclass_gui.spectrogram import SpectrogramTile, TileSpec
from audioclass_gui.spectrogram.layout import plan_view

__all__ = ["OVERSAMPLE", "TileDisplay"]

#: Columns per screen pixel asked of tiles.
OVERSAMPLE = 1.5


class TileDisplay:
    """Tile and overview bookkeeping for a view with ``loader``, ``info``,
    ``params``, ``plot``, ``viewbox``, ``overview_image``, ``_te``, ``_plan``,
    ``_items``, ``_painted_range``, ``_painted_key``, the level methods of
    :class:`~audioclass_gui.qt.spectrogram_levels.DisplayLevels` and the
    signals ``detail_painted``, ``overview_progress`` and ``overview_ready``."""

    @property
    def painted_range(self) -> tuple[float, float] | None:
        """Time range drawn in full for the current view, if any."""
        return self._painted_range

    def _update(self, *_args) -> None:
        """Show what is ready for the current view and ask for the rest."""
        info = self.info
        if info is None:
            return
        x0, x1 = self.visible_range()
        scale = self._te * info.samplerate
        width = max(100, int(self.viewbox.width() or 800))
        # The overview serves zoomed-out views once it covers them; until then
        # tiles do (their cost per tile is bounded at any zoom).
        builder = self.loader.overview
        ready = builder is not None and builder.done * builder.frames_per_column >= min(
            x1 * scale, info.frames
        )
        plan = plan_view(
            max(0.0, x0) * scale,
            min(self.duration, x1) * scale,
            width,
            self.params.min_hop,
            info.frames,
            overview_frames_per_column=builder.frames_per_column if ready else None,
            oversample=OVERSAMPLE,
        )
        self._plan = plan
        if plan.use_overview:
            self.loader.request([])
            self._clear_tiles()
        else:
            for spec in plan.visible:
                if spec not in self._items:
                    tile = self.loader.cached(spec)
                    if tile is not None:
                        self._show_tile(spec, tile)
            self._drop_hidden(plan)
            missing = [s for s in plan.visible if s not in self._items]
            self.loader.request(
                missing, [s for s in plan.prefetch if self.loader.cached(s) is None]
            )
        self._check_painted()

    def _drop_hidden(self, plan) -> None:
        """Remove tiles out of view, and old-level tiles no longer needed as a backdrop."""
        wanted = set(plan.visible)
        complete = wanted.issubset(self._items)
        if self.info is None:
            return
        x0, x1 = self.visible_range()
        for spec in list(self._items):
            if spec in wanted:
                self._items[spec].setZValue(-10)
                continue
            self._items[spec].setZValue(-15)  # an older level: a backdrop at most
            s0, s1 = (t / self._te for t in spec.seconds(self.info.samplerate))
            if complete or s1 < x0 or s0 > x1 or spec.hop == plan.hop:
                self.plot.removeItem(self._items.pop(spec))

    def _check_painted(self) -> None:
        plan, info = self._plan, self.info
        if plan is None or info is None:
            return
        x0, x1 = self.visible_range()
        if plan.use_overview:
            builder = self.loader.overview
            done = builder is not None and (
                builder.complete
                or builder.done * builder.seconds_per_column / self._te
                >= min(x1, self.duration)
            )
            key = ("overview", round(x0, 6), round(x1, 6), self.loader.generation)
            covered = (max(0.0, x0), min(self.duration, x1)) if done else None
        else:
            if not plan.visible or not all(s in self._items for s in plan.visible):
                return
            first, last = plan.visible[0], plan.visible[-1]
            sr = info.samplerate
            covered = (
                first.first_frame / sr / self._te,
                min(last.end_frame, info.frames) / sr / self._te,
            )
            key = (
                plan.hop,
                first.index,
                last.index,
                self.loader.generation,
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
        if tile.scale not in self._auto_base:
            self._set_auto_base_from(tile.data, tile.scale)
            self._apply_levels()
        item = pg.ImageItem(axisOrder="row-major")
        item.setColorMap(self._cmap)
        item.setZValue(-10 if self._plan is None or spec.hop == self._plan.hop else -15)
        item.setImage(tile.data, autoLevels=False, levels=self._levels or (-100.0, 0.0))
        item.setRect(self._rect(tile))
        self.plot.addItem(item)
        old = self._items.pop(spec, None)
        if old is not None:
            self.plot.removeItem(old)
        self._items[spec] = item

    def _on_overview(self, tile: SpectrogramTile, complete: bool) -> None:
        if self.info is None or tile.data.shape[1] == 0:
            return
        if "dB" not in self._auto_base and (complete or self.params.pcen):
            self._set_auto_base_from(tile.data, "dB")
            self._apply_levels()
        self.overview_image.setImage(
            tile.data, autoLevels=False, levels=self._overview_levels or (-100.0, 0.0)
        )
        self.overview_image.setRect(self._rect(tile))
        shown = self._scaled(tile)
        self.overview_progress.emit(shown)
        if complete:
            self.overview_ready.emit(shown)
        self._check_painted()

    def _rect(self, tile: SpectrogramTile) -> QRectF:
        te = self._te
        return QRectF(
            tile.start / te,
            tile.fmin * te,
            (tile.end - tile.start) / te,
            (tile.fmax - tile.fmin) * te,
        )

    def _scaled(self, tile: SpectrogramTile) -> SpectrogramTile:
        if self._te == 1.0:
            return tile
        te = self._te
        return replace(
            tile,
            start=tile.start / te,
            end=tile.end / te,
            fmin=tile.fmin * te,
            fmax=tile.fmax * te,
        )

    def _clear_tiles(self) -> None:
        for item in self._items.values():
            self.plot.removeItem(item)
        self._items.clear()
        self._painted_range = None
        self._painted_key = None

    def _clear_images(self) -> None:
        self._clear_tiles()
        self.overview_image.clear()
