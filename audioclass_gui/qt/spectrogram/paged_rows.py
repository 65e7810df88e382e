"""One row of the paged view: a spectrogram plot fixed on a span of the recording.

A :class:`PagedRow` is a plot with its own time axis (written as the main
time axis writes it: seconds, elapsed ``h:mm:ss`` or the clock time of
recording) and frequency axis, its tiles drawn by a
:class:`~audioclass_gui.qt.spectrogram.spectrogram_tiles.TileDisplay` fed by
the page's shared loader, the detections' boxes and labels drawn by an
overlay the paged view is given (:class:`RowOverlay`), a playhead and the
playback cursor. It does not pan or zoom: the page decides what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from audioclass_gui.qt.common.time_format import TimeFormat
from audioclass_gui.qt.spectrogram.axes import FrequencyAxis, TimeAxis
from audioclass_gui.qt.spectrogram.paged_tiles import PagedTiles, RowTiles
from audioclass_gui.qt.spectrogram.spectrogram_levels import DisplayLevels
from audioclass_gui.qt.spectrogram.spectrogram_tiles import TileDisplay
from audioclass_gui.qt.spectrogram.view_coordinates import ViewCoordinates
from audioclass_gui.review import Detection
from audioclass_gui.review.shown import Shown
from audioclass_gui.spectrogram import SpectrogramParams
from audioclass_gui.spectrogram.pages import RowSpan

__all__ = ["OverlayFactory", "PagedRow", "RowOverlay"]


class RowOverlay(Protocol):
    """What a row needs of a detection overlay (the review's, given by the window)."""

    def set_band(self, low: float, high: float) -> None: ...
    def set_detections(
        self, detections: Sequence[Detection], read: Callable[[Detection], Shown]
    ) -> None: ...
    def set_selected(self, detection_id: int | None) -> None: ...
    def refresh_status(self, ids: Sequence[int]) -> None: ...
    def fit_labels(self) -> None: ...
    def clear(self) -> None: ...


#: Makes a row's overlay on its plot; its ``clicked(int)`` signal, if any,
#: is the row's label clicks.
OverlayFactory = Callable[[pg.PlotItem], RowOverlay]


class PagedRow(QObject):
    """One plot of the paged view, showing ``[start, end]`` seconds.

    Parameters
    ----------
    layout
        The graphics layout the plot is added to (on its own row).
    tiles
        The page's shared loader; the row takes a slot of it.
    levels
        The levels and colour map (the main view's, so both look alike).
    make_overlay
        Makes the row's detection overlay (None: no detections drawn).
    parent
        Qt parent.

    Attributes
    ----------
    plot : pyqtgraph.PlotItem
    time_axis : TimeAxis
    span : RowSpan or None
        The span shown.
    overlay : RowOverlay or None
    """

    def __init__(
        self,
        layout: pg.GraphicsLayout,
        tiles: PagedTiles,
        levels: DisplayLevels,
        make_overlay: OverlayFactory | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tiles_owner = tiles
        self._layout = layout
        self.time_axis = TimeAxis()
        self.freq_axis = FrequencyAxis()
        self.freq_axis.setLabel("kHz")
        self.freq_axis.setWidth(44)
        self.viewbox = pg.ViewBox(enableMenu=False)
        self.viewbox.setMouseEnabled(x=False, y=False)
        self.viewbox.setDefaultPadding(0.0)
        self.plot = pg.PlotItem(
            viewBox=self.viewbox, axisItems={"bottom": self.time_axis, "left": self.freq_axis}
        )
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        layout.addItem(self.plot)
        layout.nextRow()
        self._slot: RowTiles = tiles.slot()
        self.tiles = TileDisplay(self._slot, self.plot, self.viewbox, levels, parent=self)  # type: ignore[arg-type]
        self.span: RowSpan | None = None
        self._duration = 0.0
        self.playhead = self._line("#ffffff", 2, Qt.PenStyle.SolidLine, 50)
        self.cursor = self._line("#ffd54f", 1, Qt.PenStyle.DashLine, 45)
        self.end_shade = pg.LinearRegionItem(
            movable=False, brush=pg.mkBrush(17, 20, 24, 255), pen=pg.mkPen(None)
        )
        self.end_shade.setZValue(-5)  # over the images, under boxes and lines
        self.end_shade.hide()
        self.plot.addItem(self.end_shade)
        self.overlay = make_overlay(self.plot) if make_overlay is not None else None
        self.viewbox.sigXRangeChanged.connect(self.tiles.update)
        self.viewbox.sigResized.connect(self.tiles.update)

    def _line(self, colour: str, width: int, style: Qt.PenStyle, z: int) -> pg.InfiniteLine:
        line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(QColor(colour), width=width, style=style)
        )
        line.setZValue(z)
        line.hide()
        self.plot.addItem(line)
        return line

    # ------------------------------------------------------------ changes
    def set_recording(
        self, coords: ViewCoordinates, params: SpectrogramParams, time_format: TimeFormat
    ) -> None:
        """A new recording: forget its images, write times as ``time_format`` does."""
        self._duration = coords.duration
        self.tiles.show_recording(coords, params)
        self.time_axis.set_format(time_format)
        self.overlay_band(0.0, coords.nyquist)

    def set_params(self, params: SpectrogramParams) -> None:
        """New analysis settings: drop the images of the old ones."""
        self.tiles.set_params(params)

    def set_time_format(self, time_format: TimeFormat, label: bool) -> None:
        """Write the times as ``time_format`` does; the axis title only with ``label``."""
        self.time_axis.set_format(time_format)
        self.time_axis.showLabel(label)

    def overlay_band(self, low: float, high: float) -> None:
        """The band of detections without one of their own (the recording's, in view Hz)."""
        if self.overlay is not None:
            self.overlay.set_band(low, high)

    def show_span(self, span: RowSpan) -> None:
        """Show ``span``; the part past the end of the recording is blank."""
        self.span = span
        self.viewbox.setXRange(span.start, span.end, padding=0.0)
        past = span.end > self._duration
        if past:
            self.end_shade.setRegion((max(span.start, self._duration), span.end))
        self.end_shade.setVisible(past)
        self.tiles.update()

    def set_frequency_range(self, low: float, high: float) -> None:
        """Show ``[low, high]`` Hz."""
        self.viewbox.setYRange(low, high, padding=0.0)

    def set_playhead(self, seconds: float | None) -> None:
        """Show the playhead at ``seconds`` if this row shows that time, else hide it."""
        self._place(self.playhead, seconds)

    def set_cursor(self, seconds: float | None) -> None:
        """Show the playback cursor (the time last clicked) if this row shows it."""
        self._place(self.cursor, seconds)

    def _place(self, line: pg.InfiniteLine, seconds: float | None) -> None:
        span = self.span
        shown = seconds is not None and span is not None and span.holds(seconds)
        if shown:
            line.setValue(seconds)
        line.setVisible(shown)

    def remove(self) -> None:
        """Take the row off the layout and let go of its tiles."""
        if self.overlay is not None:
            self.overlay.clear()
        self._tiles_owner.drop(self._slot)
        self._layout.removeItem(self.plot)
        self.deleteLater()

    # ------------------------------------------------------------ reading
    @property
    def painted(self) -> bool:
        """True once the row's part of the recording is drawn in full (a blank row always is)."""
        span = self.span
        if span is None:
            return False
        if span.start >= self._duration:
            return True
        painted = self.tiles.painted_range
        return painted is not None and painted[0] <= span.start + 1e-6 and (
            painted[1] >= min(span.end, self._duration) - 1e-6
        )

    def holds_scene_point(self, pos) -> bool:
        """True if the scene point ``pos`` is over this row's plot area."""
        return self.viewbox.sceneBoundingRect().contains(pos)

    def map_scene(self, pos) -> tuple[float, float]:
        """Seconds and Hz under the scene point ``pos``."""
        point = self.viewbox.mapSceneToView(pos)
        return float(point.x()), float(point.y())
