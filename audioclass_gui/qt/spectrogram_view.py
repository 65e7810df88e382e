"""The spectrogram plot: overview image, detail tile, playhead.

The view never computes anything itself: it asks a :class:`TaskRunner` for
an overview of the whole file (shown when zoomed out and in the timeline)
and for a detail tile of the visible range, dropping results made stale by
a newer view.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QTimer, Signal
from PySide6.QtGui import QColor

from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.qt.axes import FrequencyAxis, TimeAxis
from audioclass_gui.qt.tasks import TaskRunner
from audioclass_gui.spectrogram import (
    DB_FLOOR,
    SpectrogramParams,
    SpectrogramTile,
    TileCache,
    compute_overview,
    compute_tile,
    tile_key,
)

__all__ = ["SpectrogramView", "auto_levels"]

#: Colour map of the spectrogram image.
COLORMAP = "viridis"
#: Tiles kept in memory, in bytes.
CACHE_BYTES = 256 * 1024**2


def auto_levels(tile: SpectrogramTile, db_range: float) -> tuple[float, float]:
    """Display levels (low, high) in dB that suit a tile.

    The top is a high percentile rather than the maximum, so one loud click
    does not darken the picture; the bottom sits just under the median
    (the background noise of a field recording), so noise shows dark and
    calls stand out, but never more than ``db_range`` below the top.
    """
    finite = tile.data[np.isfinite(tile.data) & (tile.data > DB_FLOOR)]
    if finite.size == 0:
        return (-db_range, 0.0)
    median, top = (float(v) for v in np.percentile(finite, [50.0, 99.9]))
    top += 1.0
    low = max(top - db_range, median - 2.0)
    return (min(low, top - 20.0), top)


class SpectrogramView(pg.GraphicsLayoutWidget):
    """Spectrogram of one recording with zoom, pan and a playhead.

    Signals
    -------
    view_changed(float, float)
        Visible time range in seconds, after every change.
    detail_painted()
        A detail tile matching the current view has been drawn.
    overview_ready(object)
        The whole-file overview tile, once computed.
    time_clicked(float)
        The user clicked the spectrogram at this time (seconds).
    """

    view_changed = Signal(float, float)
    detail_painted = Signal()
    overview_ready = Signal(object)
    time_clicked = Signal(float)
    failed = Signal(str)

    def __init__(self, runner: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("#111418")
        self._runner = runner
        self._cache = TileCache(CACHE_BYTES)
        self.params = SpectrogramParams()
        self.info: RecordingInfo | None = None
        self._generation = 0
        self._levels: tuple[float, float] | None = None
        self._painted_range: tuple[float, float] | None = None

        self.time_axis = TimeAxis()
        self.freq_axis = FrequencyAxis()
        self.plot: pg.PlotItem = self.addPlot(
            axisItems={"bottom": self.time_axis, "left": self.freq_axis}
        )
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=False, y=False)
        vb = self.plot.getViewBox()
        vb.setMouseEnabled(x=True, y=False)
        vb.setDefaultPadding(0.0)
        self.viewbox = vb

        cmap = pg.colormap.get(COLORMAP)
        self.overview_image = pg.ImageItem(axisOrder="row-major")
        self.detail_image = pg.ImageItem(axisOrder="row-major")
        for z, item in enumerate((self.overview_image, self.detail_image)):
            item.setColorMap(cmap)
            item.setZValue(z - 10)
            self.plot.addItem(item)

        self.playhead = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(QColor("#ffffff"), width=2)
        )
        self.playhead.setZValue(50)
        self.playhead.hide()
        self.plot.addItem(self.playhead)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(40)
        self._debounce.timeout.connect(self._request_detail)
        vb.sigXRangeChanged.connect(self._on_range_changed)
        self.plot.scene().sigMouseClicked.connect(self._on_scene_click)

    # ----------------------------------------------------------------- data
    def set_recording(self, info: RecordingInfo) -> None:
        """Show a new recording: reset the view and start computing images."""
        self.info = info
        self._generation += 1
        self._levels = None
        self._painted_range = None
        self.overview_image.clear()
        self.detail_image.clear()
        nyquist = info.samplerate / 2
        self.time_axis.set_clock(info.duration >= 600)
        vb = self.viewbox
        vb.setLimits(xMin=0.0, xMax=info.duration, yMin=0.0, yMax=nyquist,
                     minXRange=min(0.05, info.duration))
        vb.setYRange(0.0, nyquist, padding=0.0)
        vb.setXRange(0.0, min(info.duration, 30.0), padding=0.0)
        gen = self._generation
        params = self.params
        path = info.path
        self._runner.submit(
            lambda: compute_overview(path, replace(params, window_length=512), info=info),
            lambda tile, gen=gen: self._on_overview(gen, tile),
            self._on_error,
        )
        self._request_detail()

    def visible_range(self) -> tuple[float, float]:
        """The visible time range in seconds."""
        x0, x1 = self.viewbox.viewRange()[0]
        return float(x0), float(x1)

    def set_visible_range(self, start: float, end: float) -> None:
        """Show ``[start, end]`` seconds, clamped to the recording."""
        if self.info is not None:
            span = end - start
            start = max(0.0, min(start, self.info.duration - span))
            end = min(self.info.duration, start + span)
        self.viewbox.setXRange(start, end, padding=0.0)

    def ensure_visible(self, start: float, end: float) -> None:
        """Pan (keeping the zoom) so that ``[start, end]`` is in view."""
        x0, x1 = self.visible_range()
        if start >= x0 and end <= x1:
            return
        span = max(x1 - x0, (end - start) * 1.5)
        centre = (start + end) / 2
        self.set_visible_range(centre - span / 2, centre + span / 2)

    def set_playhead(self, seconds: float | None) -> None:
        """Move the playhead, or hide it with None."""
        if seconds is None:
            self.playhead.hide()
        else:
            self.playhead.setValue(seconds)
            self.playhead.show()

    @property
    def painted_range(self) -> tuple[float, float] | None:
        """Time range of the detail tile on screen, if any."""
        return self._painted_range

    # -------------------------------------------------------------- internal
    def _on_range_changed(self, *_args) -> None:
        start, end = self.visible_range()
        self.view_changed.emit(start, end)
        self._debounce.start()

    def _columns(self) -> int:
        width = max(200, int(self.viewbox.width() or 800))
        return int(min(4096, width * 1.5))

    def _request_detail(self) -> None:
        info = self.info
        if info is None:
            return
        start, end = self.visible_range()
        start = max(0.0, start)
        end = min(info.duration, end)
        if end <= start:
            return
        self._generation += 1
        gen = self._generation
        params = self.params
        columns = self._columns()
        key = tile_key(info.path, start, end, params, columns)
        cached = self._cache.get(key)
        if cached is not None:
            self._show_detail(gen, cached)
            return

        def work() -> SpectrogramTile:
            tile = compute_tile(info.path, start, end, params, max_columns=columns, info=info)
            self._cache.put(key, tile)
            return tile

        self._runner.submit(work, lambda tile: self._show_detail(gen, tile), self._on_error)

    def _on_overview(self, generation: int, tile: SpectrogramTile | None) -> None:
        if tile is None or self.info is None:
            return
        if self._levels is None:
            self._levels = auto_levels(tile, self.params.db_range)
        self._set_image(self.overview_image, tile)
        self.overview_ready.emit(tile)

    def _show_detail(self, generation: int, tile: SpectrogramTile) -> None:
        if generation != self._generation or self.info is None:
            return  # a newer view asked for another tile
        if self._levels is None:
            self._levels = auto_levels(tile, self.params.db_range)
        self._set_image(self.detail_image, tile)
        self._painted_range = (tile.start, tile.end)
        self.detail_painted.emit()

    def _set_image(self, item: pg.ImageItem, tile: SpectrogramTile) -> None:
        item.setImage(tile.data, autoLevels=False, levels=self._levels)
        item.setRect(QRectF(tile.start, tile.fmin, tile.end - tile.start, tile.fmax - tile.fmin))

    def _on_error(self, exc: BaseException) -> None:
        self.failed.emit(str(exc))

    def _on_scene_click(self, event) -> None:
        if event.isAccepted() or self.info is None:
            return
        pos = event.scenePos()
        if not self.viewbox.sceneBoundingRect().contains(pos):
            return
        t = self.viewbox.mapSceneToView(pos).x()
        if math.isfinite(t):
            self.time_clicked.emit(float(t))
