"""The spectrogram plot: tiles on a grid, the whole-file overview, navigation.

The view computes nothing itself. For every visible range it asks
:func:`~audioclass_gui.spectrogram.layout.plan_view` what to show: zoomed
out, the whole-file overview (computed progressively in the background);
zoomed in, tiles of the zoom level whose hop suits the screen, which a
:class:`~audioclass_gui.qt.tile_loader.TileLoader` computes in the pool and
caches. Cached tiles appear at once; tiles of the previous zoom level stay
under the new ones until those arrive, so nothing flickers.

Coordinates are seconds and Hz of the recording as it happened: for a
time-expanded file (GUANO ``TE``), file seconds divided and file Hz
multiplied by the expansion factor.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.qt.axes import FrequencyAxis, TimeAxis
from audioclass_gui.qt.spectrogram_settings import DisplaySettings, colormap
from audioclass_gui.qt.tasks import TaskRunner
from audioclass_gui.qt.tile_loader import TileLoader
from audioclass_gui.qt.view_navigation import (
    PAGE_OVERLAP,
    SpectrogramViewBox,
    ViewNavigation,
)
from audioclass_gui.spectrogram import (
    DB_FLOOR,
    SpectrogramParams,
    SpectrogramTile,
    TileSpec,
)
from audioclass_gui.spectrogram.layout import plan_view

__all__ = ["PAGE_OVERLAP", "SpectrogramView", "auto_levels"]

#: Columns per screen pixel asked of tiles.
OVERSAMPLE = 1.5
#: Span first shown when a recording opens (seconds): two tiles at the
#: default settings, so a long recording opens as fast as a short one.
FIRST_VIEW = 20.0


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


class SpectrogramView(ViewNavigation, pg.GraphicsLayoutWidget):
    """Spectrogram of one recording with zoom, pan, paging, selection and a playhead.

    Signals
    -------
    view_changed(float, float)
        Visible time range in seconds, after every change.
    detail_painted()
        Everything the current view needs has been drawn (all visible
        tiles, or the overview when zoomed out).
    overview_progress(object)
        The overview computed so far (a tile in view coordinates).
    overview_ready(object)
        The complete overview.
    levels_changed(object)
        ``(levels, colormap)``: the overview's display levels ``(low, high)``
        in dB and the colour map name, for other views of the overview.
    time_clicked(float)
        The user clicked the spectrogram at this time (seconds).
    selection_changed(object)
        The selected time range ``(start, end)``, or None.
    failed(str)
        The spectrogram could not be computed (the message names the file).
    problem(str)
        A problem that still leaves a picture (non-finite samples).
    """

    view_changed = Signal(float, float)
    detail_painted = Signal()
    overview_progress = Signal(object)
    overview_ready = Signal(object)
    levels_changed = Signal(object)
    time_clicked = Signal(float)
    selection_changed = Signal(object)
    failed = Signal(str)
    problem = Signal(str)

    def __init__(self, runner: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("#111418")
        self.loader = TileLoader(runner, parent=self)
        self.params = SpectrogramParams()
        self.display = DisplaySettings()
        self.info: RecordingInfo | None = None
        self._te = 1.0
        self._levels: tuple[float, float] | None = None  # tiles
        self._overview_levels: tuple[float, float] | None = None  # overview (always dB)
        self._auto_base: dict[str, tuple[float, float]] = {}  # by scale: "dB", "PCEN"
        self._painted_range: tuple[float, float] | None = None
        self._painted_key: tuple | None = None
        self._plan = None
        self._items: dict[TileSpec, pg.ImageItem] = {}
        self._cmap = colormap(self.display.colormap)

        self.time_axis = TimeAxis()
        self.freq_axis = FrequencyAxis()
        self.viewbox = SpectrogramViewBox()
        self.plot: pg.PlotItem = self.addPlot(
            viewBox=self.viewbox,
            axisItems={"bottom": self.time_axis, "left": self.freq_axis},
        )
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=False, y=False)
        vb = self.viewbox
        vb.setMouseEnabled(x=True, y=False)
        vb.setDefaultPadding(0.0)

        self.overview_image = pg.ImageItem(axisOrder="row-major")
        self.overview_image.setZValue(-20)
        self.overview_image.setColorMap(self._cmap)
        self.plot.addItem(self.overview_image)

        self.playhead = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(QColor("#ffffff"), width=2)
        )
        self.playhead.setZValue(50)
        self.playhead.hide()
        self.plot.addItem(self.playhead)
        self.selection_item = pg.LinearRegionItem(
            brush=pg.mkBrush(QColor(255, 213, 79, 45)),
            pen=pg.mkPen(QColor("#ffd54f"), width=1),
        )
        self.selection_item.setZValue(40)
        self.selection_item.hide()
        self.plot.addItem(self.selection_item)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(
            "QLabel { background: rgba(20, 20, 24, 210); color: #ffcc80; padding: 6px; border-radius: 4px; }"
        )
        self.message.hide()

        vb.sigXRangeChanged.connect(self._on_range_changed)
        vb.sigResized.connect(self._update)
        vb.selection_dragged.connect(self._on_selection_dragged)
        self.selection_item.sigRegionChangeFinished.connect(
            lambda: self.selection_changed.emit(self.selection())
        )
        self.plot.scene().sigMouseClicked.connect(self._on_scene_click)
        self.loader.tile_ready.connect(self._on_tile)
        self.loader.overview_updated.connect(self._on_overview)
        self.loader.failed.connect(self._on_failed)
        self.loader.problem.connect(self.problem)

    # ------------------------------------------------------------ recording
    @property
    def duration(self) -> float:
        """Length of the recording in view seconds (0 without one)."""
        return 0.0 if self.info is None else self.info.duration / self._te

    @property
    def nyquist(self) -> float:
        """Highest frequency of the recording in view Hz."""
        return 0.0 if self.info is None else self.info.samplerate / 2 * self._te

    def set_recording(self, info: RecordingInfo) -> None:
        """Show a new recording: reset the view and start computing images."""
        self.info = info
        self._te = float(info.metadata.time_expansion or 1.0)
        if self.params.channel is not None and self.params.channel >= info.channels:
            self.params = replace(self.params, channel=None)
        self._clear_images()
        self._auto_base = {}
        self._levels = self._overview_levels = None
        self.show_message("")
        self.time_axis.set_clock(info.duration >= 600)
        self.time_axis.set_start(info.metadata.start, source=info.metadata.start_source)
        self.set_selection(None)
        vb = self.viewbox
        duration = self.duration
        vb.setLimits(
            xMin=0.0,
            xMax=duration,
            yMin=0.0,
            yMax=self.nyquist,
            minXRange=min(0.01, duration),
        )
        self.reset_frequency()
        self.loader.reset(info, self.params)
        vb.setXRange(0.0, min(duration, FIRST_VIEW), padding=0.0)
        self._update()

    def set_params(self, params: SpectrogramParams) -> None:
        """Compute with new analysis settings (tiles of the old ones are dropped)."""
        if (
            self.info is not None
            and params.channel is not None
            and params.channel >= self.info.channels
        ):
            params = replace(params, channel=None)
        if params == self.params:
            return
        rescale = params.pcen != self.params.pcen
        band_changed = (params.fmin, params.fmax) != (
            self.params.fmin,
            self.params.fmax,
        )
        self.params = params
        if self.info is None:
            return
        self._clear_tiles()
        if rescale:
            self._auto_base.pop("PCEN", None)
        self.show_message("")
        self.loader.reset(self.info, params)
        if band_changed:
            self.reset_frequency()
        self._update()

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

    def set_playhead(self, seconds: float | None) -> None:
        """Move the playhead, or hide it with None."""
        if seconds is None:
            self.playhead.hide()
        else:
            self.playhead.setValue(seconds)
            self.playhead.show()

    def show_message(self, text: str) -> None:
        """Show a message over the plot ('' hides it)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
        if text:
            self.message.setMaximumWidth(max(200, self.width() - 80))
            self.message.adjustSize()
            self.message.move(70, 10)
            self.message.raise_()

    @property
    def painted_range(self) -> tuple[float, float] | None:
        """Time range drawn in full for the current view, if any."""
        return self._painted_range

    @property
    def levels(self) -> tuple[float, float] | None:
        """The display levels of the tiles (dB, or PCEN values with PCEN on)."""
        return self._levels

    @property
    def overview_levels(self) -> tuple[float, float] | None:
        """The display levels of the overview (always dB)."""
        return self._overview_levels

    # -------------------------------------------------------------- internal
    def _on_range_changed(self, *_args) -> None:
        start, end = self.visible_range()
        self.view_changed.emit(start, end)
        self._update()

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

    def _on_failed(self, message: str) -> None:
        self.show_message(f"Cannot show the spectrogram: {message}")
        self.failed.emit(message)

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

    def _on_selection_dragged(self, start: float, end: float, finished: bool) -> None:
        self.selection_item.setRegion((start, end))
        self.selection_item.setVisible(end > start)
        if finished:
            self.selection_changed.emit(self.selection())

    def _on_scene_click(self, event) -> None:
        if event.isAccepted() or self.info is None:
            return
        pos = event.scenePos()
        if not self.viewbox.sceneBoundingRect().contains(pos):
            return
        t = self.viewbox.mapSceneToView(pos).x()
        if math.isfinite(t):
            self.time_clicked.emit(float(t))
