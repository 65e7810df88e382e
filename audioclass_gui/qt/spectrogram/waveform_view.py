"""The waveform plot: min/max envelope of the open recording, linked to the spectrogram.

The view draws what its :class:`~audioclass_gui.qt.spectrogram.waveform_loader.WaveformLoader`
computes for the visible span and the plot's width in pixels: one vertical
stroke per column from the column's lowest to its highest sample (joined
to the neighbouring column, so the trace never breaks), or, zoomed in to
fewer samples than pixels, a line through the samples (with dots once they
are far apart). Amplitude is linear in full scale (1 is the loudest
sample the file can hold); the axis fits the loudest sample of the
recording (field recordings seldom come near full scale) until
Shift+wheel zooms it around zero, up to ±1. Its time axis is linked to the spectrogram's
(:meth:`link_to`), so zoom and pan move both; the selection band and the
playhead mirror the spectrogram's, and the span of the selected detection,
box or event is edged in white as its box is on the spectrogram.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from audioclass_gui.qt.common.tasks import TaskRunner, throttled
from audioclass_gui.qt.common.time_format import TimeFormat
from audioclass_gui.qt.spectrogram.axes import TimeAxis
from audioclass_gui.qt.spectrogram.plot_marks import (
    add_playhead,
    clicked_time,
    show_playhead,
)
from audioclass_gui.qt.spectrogram.view_coordinates import ViewCoordinates
from audioclass_gui.qt.spectrogram.view_navigation import SpectrogramViewBox
from audioclass_gui.qt.spectrogram.waveform_loader import SliceWish, WaveformLoader

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo
    from audioclass_gui.spectrogram.waveform import WaveformSlice

__all__ = ["AXIS_WIDTH", "WaveformView", "WaveformViewBox"]

#: Width of the amplitude axis; the spectrogram's frequency axis is given the
#: same, so both plots start at the same pixel and their times line up.
AXIS_WIDTH = 58
#: Most columns asked for (a wider plot draws each over several pixels).
MAX_COLUMNS = 4096
#: Highest amplitude shown (a little above full scale, so clipping shows).
TOP = 1.05
_TRACE = QColor("#8ec5ff")
_DOTS_BELOW = 0.2  # samples per pixel under which each sample gets a dot


class WaveformViewBox(SpectrogramViewBox):
    """Wheel zooms time, Shift+wheel amplitude (around zero), Shift+drag selects."""

    amplitude_zoomed = Signal()

    def wheelEvent(self, ev, axis=None):
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            ev.accept()
            self.set_amplitude(self.viewRange()[1][1] * 0.85 ** (ev.delta() / 120.0))
            self.amplitude_zoomed.emit()
            return
        super().wheelEvent(ev, axis)

    def set_amplitude(self, top: float) -> None:
        """Show amplitudes ``-top`` to ``top`` (kept within ±:data:`TOP`)."""
        top = min(TOP, max(top, 1e-4))
        self.setYRange(-top, top, padding=0.0)


class WaveformView(pg.GraphicsLayoutWidget):
    """Waveform of one recording, drawn from its envelope.

    Attributes
    ----------
    loader : WaveformLoader
        Computes the envelope and the slices.
    shown : WaveformSlice or None
        The slice drawn now (file seconds).

    Signals
    -------
    painted(float, float)
        A slice covering ``[start, end]`` (view seconds) with every column
        known has been drawn.
    time_clicked(float)
        The user clicked the plot at this time (view seconds).
    selection_dragged(float, float, bool)
        A Shift+drag over ``[start, end]``; True once it ended.
    """

    painted = Signal(float, float)
    time_clicked = Signal(float)
    selection_dragged = Signal(float, float, bool)

    def __init__(self, runner: TaskRunner, parent=None, *, busy=None) -> None:
        super().__init__(parent)
        self.setBackground("#111418")
        self.loader = WaveformLoader(runner, busy=busy, parent=self)
        self.channel: int | None = None
        self.shown: WaveformSlice | None = None
        self.fit_amplitude = True  # until Shift+wheel zooms it
        self._coords: ViewCoordinates | None = None

        self.time_axis = TimeAxis()
        self.viewbox = WaveformViewBox()
        self.plot: pg.PlotItem = self.addPlot(viewBox=self.viewbox, axisItems={"bottom": self.time_axis})
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        left = self.plot.getAxis("left")
        left.setLabel("Amplitude")
        left.enableAutoSIPrefix(False)  # 0.02 of full scale, not "20 (x0.001)"
        left.setWidth(AXIS_WIDTH)
        vb = self.viewbox
        vb.setMouseEnabled(x=True, y=False)
        vb.setDefaultPadding(0.0)
        vb.setYRange(-TOP, TOP, padding=0.0)
        vb.setLimits(yMin=-TOP, yMax=TOP)

        zero = pg.InfiniteLine(pos=0.0, angle=0, movable=False, pen=pg.mkPen(QColor(255, 255, 255, 40)))
        self.plot.addItem(zero)
        self.strokes = pg.PlotCurveItem(pen=pg.mkPen(_TRACE, width=1), connect="pairs")
        self.line = pg.PlotDataItem(pen=pg.mkPen(_TRACE, width=1.5))
        self.line_low = pg.PlotDataItem(pen=pg.mkPen(_TRACE, width=1.5))
        for item in (self.strokes, self.line, self.line_low):
            item.setZValue(10)
            self.plot.addItem(item)

        self.selection = self._span_item(QColor(255, 213, 79, 45), QColor("#ffd54f"), 1, 40)
        # The selected detection, box or event: edged in white, as on the spectrogram.
        self.target = self._span_item(QColor(255, 255, 255, 28), QColor("#ffffff"), 2, 30)
        self.playhead = add_playhead(self.plot)

        self.status = QLabel(self)
        self.status.setStyleSheet(
            "QLabel { background: rgba(20, 20, 24, 200); color: #cfd8dc; padding: 2px 6px; border-radius: 3px; }"
        )
        self.status.hide()
        self.peak_label = QLabel(self)
        self.peak_label.setStyleSheet("QLabel { color: #90a4ae; background: transparent; }")
        self.peak_label.hide()

        self._ask = throttled(self, 30, self._request)
        vb.sigXRangeChanged.connect(lambda *_: self._ask.throttle())
        vb.sigResized.connect(lambda *_: self._ask.throttle())
        vb.sigYRangeChanged.connect(lambda *_: self._draw())
        vb.selection_dragged.connect(self.selection_dragged)
        vb.amplitude_zoomed.connect(lambda: setattr(self, "fit_amplitude", False))
        self.plot.scene().sigMouseClicked.connect(self._on_scene_click)
        self.loader.slice_ready.connect(self._on_slice)
        self.loader.progress.connect(self._on_progress)
        self.loader.failed.connect(self._on_failed)

    # ------------------------------------------------------------ recording
    @property
    def info(self) -> RecordingInfo | None:
        """The recording shown, if any."""
        return None if self._coords is None else self._coords.info

    def link_to(self, plot: pg.PlotItem) -> None:
        """Share the time axis of ``plot`` (the spectrogram's): zoom and pan move both.

        The two ranges are copied both ways as they are (not pyqtgraph's
        ``setXLink``, which lines views up by their places on screen and so
        shifts the range of a hidden one); the plots' axes have the same
        width, so equal ranges line up to the pixel.
        """
        other = plot.getViewBox()
        self._following = False

        def copy(source: pg.ViewBox, target: pg.ViewBox) -> None:
            if self._following:
                return
            self._following = True
            try:
                x0, x1 = source.viewRange()[0]
                target.setXRange(x0, x1, padding=0.0)
            finally:
                self._following = False

        other.sigXRangeChanged.connect(lambda *_: copy(other, self.viewbox))
        self.viewbox.sigXRangeChanged.connect(lambda *_: copy(self.viewbox, other))
        copy(other, self.viewbox)

    def set_recording(self, info: RecordingInfo, time_format: TimeFormat | None = None) -> None:
        """Show a new recording (its envelope is looked up or built while the view is shown)."""
        coords = self._coords = ViewCoordinates.of(info)
        self.shown = None
        self.fit_amplitude = True
        self.viewbox.set_amplitude(TOP)
        self._clear()
        self.time_axis.set_format(time_format or TimeFormat())
        self.viewbox.setLimits(xMin=0.0, xMax=coords.duration, minXRange=min(0.01, coords.duration))
        self.loader.reset(info)
        self._ask.throttle()  # the range the window sets next (zoom to fit...) wins

    def set_channel(self, channel: int | None) -> None:
        """Draw one channel (zero-based), or None for the extremes of all channels."""
        if channel != self.channel:
            self.channel = channel
            self._request()

    def set_active(self, active: bool) -> None:
        """Read and draw only while active (the view is shown)."""
        self.loader.set_active(active)
        if active:
            self._request()

    def set_time_axis_visible(self, visible: bool) -> None:
        """Show the time axis (when no spectrogram sits under the waveform)."""
        self.plot.showAxis("bottom", visible)

    # ----------------------------------------------------------- overlays
    def set_playhead(self, seconds: float | None) -> None:
        """Move the playhead, or hide it with None."""
        show_playhead(self.playhead, seconds)

    def _span_item(self, fill: QColor, edge: QColor, width: int, z: int) -> pg.LinearRegionItem:
        """A hidden, fixed time span drawn over the trace."""
        item = pg.LinearRegionItem(
            brush=pg.mkBrush(fill), pen=pg.mkPen(edge, width=width), movable=False
        )
        item.setZValue(z)
        item.hide()
        self.plot.addItem(item)
        return item

    def set_selection(self, span: tuple[float, float] | None) -> None:
        """Show the selected time range (None: no selection)."""
        _show_span(self.selection, span)

    def set_target(self, span: tuple[float, float] | None) -> None:
        """Show the span of the selected detection, box or event (None: none selected)."""
        _show_span(self.target, span)

    def visible_range(self) -> tuple[float, float]:
        """The visible time range in view seconds."""
        x0, x1 = self.viewbox.viewRange()[0]
        return float(x0), float(x1)

    # -------------------------------------------------------------- internal
    def _columns(self) -> int:
        width = self.viewbox.width() * self.devicePixelRatioF()
        return max(1, min(MAX_COLUMNS, int(width)))

    def _request(self) -> None:
        coords = self._coords
        if coords is None or not self.loader.active:
            return
        x0, x1 = self.visible_range()
        te = coords.expansion
        self.loader.request(SliceWish(x0 * te, x1 * te, self._columns(), self.channel))

    def _on_slice(self, piece: WaveformSlice) -> None:
        self.shown = piece
        if self.fit_amplitude and piece.peak > 0:
            top = self.viewbox.viewRange()[1][1]
            wanted = min(TOP, piece.peak * 1.1)
            if abs(wanted - top) > 0.02 * top:
                self.viewbox.set_amplitude(wanted)
        self._show_peak(piece.peak)
        self._draw()
        if piece.known and piece.times.size and self._coords is not None:
            te = self._coords.expansion
            self.painted.emit(piece.start / te, piece.end / te)

    def _clear(self) -> None:
        for item in (self.strokes, self.line, self.line_low):
            item.setData([], [])

    def _draw(self) -> None:
        piece, coords = self.shown, self._coords
        if piece is None or coords is None or piece.times.size == 0:
            self._clear()
            return
        times = piece.times / coords.expansion
        low, high = piece.low, piece.high
        if piece.samples:
            self.strokes.setData([], [])
            dots = times.size / max(1.0, self.viewbox.width()) < _DOTS_BELOW
            symbol = dict(symbol="o", symbolSize=4, symbolBrush=_TRACE, symbolPen=None) if dots else dict(symbol=None)
            self.line.setData(times, high, **symbol)
            differ = not np.array_equal(low, high)
            self.line_low.setData(times if differ else [], low if differ else [], **symbol)
            return
        self.line.setData([], [])
        self.line_low.setData([], [])
        known = ~np.isnan(low)
        times, low, high = times[known], low[known], high[known]
        if times.size == 0:
            self.strokes.setData([], [])
            return
        # Join each column to the one before, so the trace never breaks, and
        # give every stroke at least a pixel, so silence shows as a line.
        joined_low, joined_high = low.copy(), high.copy()
        joined_low[1:] = np.minimum(low[1:], high[:-1])
        joined_high[1:] = np.maximum(high[1:], low[:-1])
        pixel = self.viewbox.viewPixelSize()[1]
        pixel = pixel if math.isfinite(pixel) and pixel > 0 else 1e-3
        joined_high = np.maximum(joined_high, joined_low + pixel)
        x = np.repeat(times, 2)
        y = np.column_stack([joined_low, joined_high]).ravel()
        self.strokes.setData(x, y)

    def _show_peak(self, peak: float) -> None:
        """Say how loud the loudest sample is (dB re full scale), at the top right."""
        if peak <= 0:
            self.peak_label.hide()
            return
        self.peak_label.setText(f"peak {20 * math.log10(peak):.1f} dBFS")
        self.peak_label.adjustSize()
        self._place_peak()
        self.peak_label.show()

    def _place_peak(self) -> None:
        label = getattr(self, "peak_label", None)  # pyqtgraph resizes before __init__ ends
        if label is not None:
            label.move(max(0, self.width() - label.width() - 10), 4)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_peak()

    def _on_progress(self, fraction: float) -> None:
        if fraction >= 1.0:
            self.status.hide()
            return
        self.status.setText(f"Reading the waveform… {fraction * 100:.0f} %")
        self.status.adjustSize()
        self.status.move(AXIS_WIDTH + 12, 6)
        self.status.show()
        self.status.raise_()

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"Cannot show the waveform: {message}")
        self.status.setWordWrap(True)
        self.status.setMaximumWidth(max(200, self.width() - 80))
        self.status.adjustSize()
        self.status.move(AXIS_WIDTH + 12, 6)
        self.status.show()

    def _on_scene_click(self, event) -> None:
        t = None if self._coords is None else clicked_time(self.viewbox, event)
        if t is not None:
            self.time_clicked.emit(t)


def _show_span(item: pg.LinearRegionItem, span: tuple[float, float] | None) -> None:
    if span is None or span[1] <= span[0]:
        item.hide()
    else:
        item.setRegion(span)
        item.show()
