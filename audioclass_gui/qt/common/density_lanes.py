"""Lanes of detection density in a plot: a heat-coloured strip per lane, with its name.

Used by the timeline strip (the whole recording) and by the spectrogram
when it is zoomed out too far for boxes. Each lane is one image row of
counts per time bin, coloured from dark red (a few) to pale yellow (the
lane's busiest bin), on the square root of the count so that a bin with a
single detection still shows; an empty bin is a dim background. Hovering a
bin tells its time span and count; hovering a lane's name tells its total
and the scale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont

from audioclass_gui.app.density import Lane
from audioclass_gui.qt.common.time_format import TimeFormat
from audioclass_gui.review.density import Bins

__all__ = ["DensityLanes", "bin_text", "heat"]

#: Heat colours from a few detections (0) to the lane's busiest bin (1).
STOPS = np.array([0.0, 0.35, 0.7, 1.0])
COLOURS = np.array(
    [(110, 20, 70), (205, 45, 45), (250, 145, 25), (255, 245, 150)], dtype=np.float64
)
#: An empty bin: a dim band, so the lane shows where it is.
EMPTY = (16, 18, 22, 150)
#: Opacity of a bin holding detections.
ALPHA = 235


def heat(counts: np.ndarray) -> np.ndarray:
    """RGBA colours (uint8, shape ``(1, n, 4)``) of one lane's counts."""
    counts = np.asarray(counts, dtype=np.float64)
    out = np.empty((1, len(counts), 4), np.uint8)
    out[0, :] = EMPTY
    top = counts.max() if len(counts) else 0.0
    full = counts > 0
    if top > 0 and full.any():
        t = np.sqrt(counts[full] / top)
        for channel in range(3):
            out[0, full, channel] = np.interp(t, STOPS, COLOURS[:, channel]).round()
        out[0, full, 3] = ALPHA
    return out


def _seconds(width: float) -> str:
    if width < 10:
        return f"{width:.2g} s" if width < 1 else f"{width:.1f} s"
    if width < 120:
        return f"{width:.0f} s"
    if width < 7200:
        return f"{width / 60:.1f} min"
    return f"{width / 3600:.1f} h"


def bin_text(name: str, count: int, start: float, end: float, time_format: TimeFormat) -> str:
    """The tooltip of one bin: the lane, its span as the time axis writes it, the count."""
    noun = "detection" if count == 1 else "detections"
    return f"{name}\n{time_format.span(start, end)} ({_seconds(end - start)})\n{count} {noun}"


class _LaneImage(pg.ImageItem):
    """One lane's image; hovering a bin sets the tooltip to that bin's span and count."""

    def __init__(self, describe: Callable[[int], str]) -> None:
        super().__init__(axisOrder="row-major")
        self._describe = describe
        self.setAcceptHoverEvents(True)

    def hoverEvent(self, ev) -> None:
        if ev.isExit():
            return
        self.setToolTip(self._describe(int(ev.pos().x())))


class DensityLanes:
    """Heat strips of detection counts, one per lane, with the lanes' names.

    Parameters
    ----------
    plot
        The plot to draw in (time in seconds on x).
    time_format
        How the plot's time axis writes times (for tooltips).
    z
        Z value of the strips (names go just above).
    """

    def __init__(self, plot: pg.PlotItem, time_format: Callable[[], TimeFormat], z: float = 15.0) -> None:
        self._plot = plot
        self._time_format = time_format
        self._z = z
        self._images: list[_LaneImage] = []
        self._names: list[pg.TextItem] = []
        #: The lanes drawn, their counts (one row per lane) and bins.
        self.lanes: list[Lane] = []
        self.counts = np.zeros((0, 1), np.int64)
        self.bins: Bins | None = None
        self._visible = True

    # ------------------------------------------------------------ reading
    def tooltip(self, lane: int, index: int) -> str:
        """What hovering bin ``index`` of lane ``lane`` tells."""
        bins = self.bins
        if bins is None or not (0 <= lane < len(self.lanes)) or not 0 <= index < bins.count:
            return ""
        start, end = bins.span(index)
        return bin_text(
            self.lanes[lane].name, int(self.counts[lane, index]), start, end, self._time_format()
        )

    def images(self) -> list[pg.ImageItem]:
        """The lanes' image items shown now."""
        return [item for item in self._images[: len(self.lanes)] if item.isVisible()]

    def name_items(self) -> list[pg.TextItem]:
        """The lanes' name items shown now."""
        return [item for item in self._names[: len(self.lanes)] if item.isVisible()]

    # ------------------------------------------------------------ drawing
    def set_lanes(self, lanes: Sequence[Lane], counts: np.ndarray, bins: Bins) -> None:
        """Draw these lanes' counts (one row per lane) over ``bins``; :meth:`place` puts them."""
        self.lanes, self.counts, self.bins = list(lanes), np.asarray(counts), bins
        while len(self._images) < len(self.lanes):
            self._add_lane()
        width = _seconds(bins.width)
        for row, lane in enumerate(self.lanes):
            image, name = self._images[row], self._names[row]
            image.setImage(heat(self.counts[row]), autoLevels=False)
            top = int(self.counts[row].max()) if bins.count else 0
            name.setText(f"{lane.name}  {lane.count:,}")
            name.setToolTip(
                f"{lane.name}: {lane.count:,} detections shown\n"
                f"Colour: detections per {width} bin, from dark red (1) to pale yellow ({top:,})"
            )
        self._show()

    def place(self, y_top: float, lane_height: float, x_name: float) -> None:
        """Stack the lanes downwards from ``y_top`` (data units), their names at ``x_name``."""
        bins = self.bins
        if bins is None:
            return
        for row in range(len(self.lanes)):
            y = y_top - (row + 1) * lane_height
            self._images[row].setRect(QRectF(bins.start, y, bins.end - bins.start, lane_height))
            self._names[row].setPos(x_name, y + lane_height / 2)

    def set_visible(self, visible: bool) -> None:
        """Show or hide every lane."""
        self._visible = visible
        self._show()

    def clear(self) -> None:
        """Draw no lanes."""
        self.lanes, self.counts, self.bins = [], np.zeros((0, 1), np.int64), None
        self._show()

    def _show(self) -> None:
        for row, (image, name) in enumerate(zip(self._images, self._names, strict=True)):
            on = self._visible and row < len(self.lanes)
            image.setVisible(on)
            name.setVisible(on)

    def _add_lane(self) -> None:
        row = len(self._images)
        image = _LaneImage(lambda index, row=row: self.tooltip(row, index))
        image.setZValue(self._z)
        name = pg.TextItem("", color=QColor(235, 235, 235), fill=pg.mkBrush(0, 0, 0, 150), anchor=(0, 0.5))
        font = QFont()
        font.setPointSizeF(7.5)
        name.setFont(font)
        name.setZValue(self._z + 1)
        self._plot.addItem(image)
        self._plot.addItem(name)
        self._images.append(image)
        self._names.append(name)
