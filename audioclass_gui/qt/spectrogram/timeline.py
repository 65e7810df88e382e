"""The timeline strip: the whole recording, with the visible range marked.

The overview image fills in from left to right while it is computed in the
background; the time axis shows clock time when the recording's start is
known. Under the image, lanes of detection density (all species, then the
selected detection's species and the most detected ones; see
:mod:`audioclass_gui.app.density`) show where in the recording the
detections shown are, however many: the strip grows by a lane's height for
each lane. The strip's vertical axis runs from 0 (bottom) to 1 (top): the
lanes take the bottom, the overview the rest.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QColor

from audioclass_gui.qt.common.density_lanes import DensityLanes
from audioclass_gui.qt.common.time_format import TimeFormat
from audioclass_gui.qt.spectrogram.axes import TimeAxis
from audioclass_gui.qt.spectrogram.spectrogram_settings import colormap
from audioclass_gui.review.density import Bins

if TYPE_CHECKING:
    from audioclass_gui.app.density import DetectionDensity
    from audioclass_gui.spectrogram import SpectrogramTile

__all__ = ["DISPLAY_COLUMNS", "HEIGHT", "LANE_PX", "TimelineStrip"]

#: Most overview columns the strip draws (it is never wider than a screen).
DISPLAY_COLUMNS = 2048
#: Height of the strip without density lanes (pixels).
HEIGHT = 86
#: Height of one density lane (pixels).
LANE_PX = 12
#: Pixels of the strip per density bin.
BIN_PX = 2


class TimelineStrip(pg.PlotWidget):
    """Overview of the whole file under the spectrogram.

    Clicking jumps there; dragging the marked region pans the main view.

    Signals
    -------
    range_requested(float, float)
        The user moved the visible range to these times (seconds).
    """

    range_requested = Signal(float, float)

    def __init__(self, parent=None) -> None:
        self.time_axis = TimeAxis()
        super().__init__(
            parent, axisItems={"bottom": self.time_axis}, background="#111418"
        )
        self.setFixedHeight(HEIGHT)
        self.setMenuEnabled(False)
        self.hideButtons()
        self.getPlotItem().hideAxis("left")
        self.time_axis.setLabel("")
        vb = self.getViewBox()
        vb.setMouseEnabled(x=False, y=False)
        vb.setDefaultPadding(0.0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(colormap("viridis"))
        self.addItem(self.image)
        self.region = pg.LinearRegionItem(
            brush=pg.mkBrush(QColor(255, 255, 255, 50)),
            pen=pg.mkPen(QColor("#ffd54f"), width=2),
        )
        self.region.setZValue(10)
        self.addItem(self.region)
        self.playhead = pg.InfiniteLine(angle=90, pen=pg.mkPen("w", width=1))
        self.playhead.hide()
        self.addItem(self.playhead)
        self._duration = 0.0
        self._levels: tuple[float, float] | None = None
        self._updating = False
        self._visible = (0.0, 0.0)  # the main view's range, as last told
        self.filled = 0.0  # seconds of the overview drawn so far
        self._nyquist = 1.0
        self._overview_rect = QRectF()  # in seconds and Hz
        self._share = 0.0  # of the height, at the bottom, the density lanes take
        self._density: DetectionDensity | None = None
        #: The density lanes drawn under the overview.
        self.density_lanes = DensityLanes(self.getPlotItem(), lambda: self.time_axis.time_format, z=5.0)
        self.region.sigRegionChanged.connect(self._on_region_dragged)
        self.scene().sigMouseClicked.connect(self._on_click)
        vb.sigResized.connect(lambda *_: self._draw_density())

    def set_duration(
        self,
        duration: float,
        nyquist: float,
        *,
        start: datetime | None = None,
        start_source: str | None = None,
    ) -> None:
        """Prepare for a recording of this length (and start time, if known)."""
        self._duration = duration
        self._nyquist = nyquist if nyquist > 0 else 1.0
        self.filled = 0.0
        self.image.clear()
        self.time_axis.set_format(TimeFormat.for_recording(duration, start, start_source))
        self.time_axis.setLabel("")
        self.setXRange(0.0, duration, padding=0.0)
        self.setYRange(0.0, 1.0, padding=0.0)
        self._draw_density()
        self.region.setBounds((0.0, duration))
        # The main view may have told its new range while the old bounds held
        # (and clipped it to the old length): mark it again within the new ones.
        self.set_visible(*self._visible)

    def set_overview(
        self, tile: SpectrogramTile, levels: tuple[float, float] | None
    ) -> None:
        """Show the overview, or as much of it as is computed so far."""
        if tile.data.shape[1] == 0:
            return
        if levels is not None:
            self._levels = levels
        levels = self._levels
        data = tile.data
        group = -(-data.shape[1] // DISPLAY_COLUMNS)
        if group > 1:  # a strip this wide shows no more: keep each group's loudest
            cols = data.shape[1] // group * group
            data = data[:, :cols].reshape(data.shape[0], -1, group).max(axis=2)
            tile = replace(
                tile, data=data, end=tile.start + cols * tile.seconds_per_column
            )
        self.image.setImage(data, autoLevels=levels is None, levels=levels)
        self._overview_rect = QRectF(tile.start, tile.fmin, tile.end - tile.start, tile.fmax - tile.fmin)
        self._place_overview()
        self.filled = tile.end

    def set_appearance(
        self, levels: tuple[float, float] | None, colormap_name: str
    ) -> None:
        """Use the main view's levels and colour map."""
        self._levels = levels
        self.image.setColorMap(colormap(colormap_name))
        if levels is not None and self.image.image is not None:
            self.image.setLevels(levels)

    def set_visible(self, start: float, end: float) -> None:
        """Mark the range the main view shows."""
        self._visible = (start, end)
        self._updating = True
        try:
            self.region.setRegion((start, end))
        finally:
            self._updating = False

    def show_density(self, density: DetectionDensity) -> None:
        """Draw the lanes of ``density`` under the overview, following its changes."""
        self._density = density
        density.changed.connect(self._draw_density)
        self._draw_density()

    def set_playhead(self, seconds: float | None) -> None:
        """Move the playhead, or hide it with None."""
        if seconds is None:
            self.playhead.hide()
        else:
            self.playhead.setValue(seconds)
            self.playhead.show()

    def _on_region_dragged(self) -> None:
        if not self._updating:
            start, end = self.region.getRegion()
            self.range_requested.emit(float(start), float(end))

    def _on_click(self, event) -> None:
        if event.isAccepted() or self._duration <= 0:
            return
        t = self.getViewBox().mapSceneToView(event.scenePos()).x()
        start, end = self.region.getRegion()
        span = end - start
        self.range_requested.emit(float(t - span / 2), float(t + span / 2))

    # ------------------------------------------------------------ density
    def _draw_density(self) -> None:
        """Count the lanes for bins of :data:`BIN_PX` pixels over the recording, and place them."""
        lanes = self._density.lanes() if self._density is not None else []
        if self._duration <= 0 or not lanes:
            self.density_lanes.clear()
        else:
            width_px = max(int(self.getViewBox().width()), 64)
            count = max(16, min(DISPLAY_COLUMNS, width_px // BIN_PX))
            bins = Bins(0.0, self._duration, count)
            self.density_lanes.set_lanes(lanes, self._density.counts(bins), bins)
        height = HEIGHT + LANE_PX * len(self.density_lanes.lanes)
        if self.height() != height:
            self.setFixedHeight(height)  # resized: placed again then
        self._place_lanes()

    def _place_lanes(self) -> None:
        n = len(self.density_lanes.lanes)
        plot_px = self.getViewBox().height()
        share = min(n * LANE_PX / plot_px, 0.8) if n and plot_px > 0 else 0.0
        if share != self._share:
            self._share = share
            self._place_overview()
        if n:
            px = self._duration / max(self.getViewBox().width(), 1.0)
            self.density_lanes.place(share, share / n, 3 * px)

    def _place_overview(self) -> None:
        """The overview in the top part of the strip (its frequencies scaled to it)."""
        r = self._overview_rect
        if r.width() <= 0:
            return
        scale = (1.0 - self._share) / self._nyquist
        self.image.setRect(
            QRectF(r.left(), self._share + r.top() * scale, r.width(), r.height() * scale)
        )
