"""The precision plot of Review › Precision per species.

Precision of one species' reviewed detections against the score threshold
(a step curve, a dot per reviewed score, a shaded 95 % Wilson interval),
above the number of detections each threshold keeps (all of them, and the
reviewed ones); lines mark the target precision, the species' chosen
threshold and the threshold the list uses now. White, labelled axes, so a
screenshot reads like a figure.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

from audioclass_gui.qt.reports.figure_style import still_figure
from audioclass_gui.review.precision import kept_counts, step_points

__all__ = ["PrecisionPlot"]

# Okabe-Ito colours (colour-blind safe), on a white plot.
_BLUE, _ORANGE, _GREEN, _VERMILLION, _GREY = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#d55e00",
    "#6b6b6b",
)


class PrecisionPlot(pg.GraphicsLayoutWidget):
    """Precision against the score threshold (top) and detections kept (bottom).

    Attributes
    ----------
    precision_item, kept_item : pyqtgraph.PlotDataItem
        The precision step curve and the all-detections count curve.
    reviewed_item : pyqtgraph.PlotDataItem
        Reviewed detections kept.
    target_line, threshold_line, in_use_line : pyqtgraph.InfiniteLine
        The target precision, the species' chosen threshold and the
        threshold the list uses now.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.setMinimumHeight(300)
        self.top = self.addPlot(row=0, col=0)
        self.bottom = self.addPlot(row=1, col=0)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        self.bottom.setXLink(self.top)
        for plot in (self.top, self.bottom):
            still_figure(plot, grid_x=True, left_width=62)
        style = {"color": "#222222", "font-size": "11pt"}
        self.top.setLabel("left", "Precision", **style)
        self.top.setLabel("bottom", "")
        self.bottom.setLabel("left", "Detections kept", **style)
        self.bottom.setLabel(
            "bottom",
            "Score threshold (scores at or above it are kept)",
            **style,
        )
        self.top.setYRange(-0.03, 1.06, padding=0)
        self.top.setXRange(0.0, 1.0, padding=0.01)
        self.top.getAxis("left").setTicks(
            [[(v, f"{v:.1f}") for v in np.arange(0, 1.01, 0.2)]]
        )

        legend_brush = pg.mkBrush(255, 255, 255, 220)
        # Bottom right: precision curves run high there rarely, low thresholds are left.
        self.top_legend = self.top.addLegend(
            offset=(-8, -8), brush=legend_brush, labelTextColor="#222222"
        )
        self.band = pg.FillBetweenItem(
            pg.PlotDataItem([], []),
            pg.PlotDataItem([], []),
            brush=pg.mkBrush(0, 114, 178, 45),
        )
        # A transparent pen: a PlotDataItem without one builds no path to fill between.
        self.band_low = pg.PlotDataItem([], [], pen=pg.mkPen(0, 0, 0, 0))
        self.band_high = pg.PlotDataItem([], [], pen=pg.mkPen(0, 0, 0, 0))
        self.band.setCurves(self.band_low, self.band_high)
        self.top.addItem(self.band)
        self.precision_item = self.top.plot(
            [],
            [],
            pen=pg.mkPen(_BLUE, width=2.5),
            name="Precision of reviewed detections",
        )
        self.points_item = self.top.plot(
            [],
            [],
            pen=None,
            symbol="o",
            symbolSize=5,
            symbolBrush=_BLUE,
            symbolPen=None,
        )
        self.top_legend.addItem(
            pg.BarGraphItem(
                x=[0], height=[0], width=0, brush=pg.mkBrush(0, 114, 178, 45), pen=None
            ),
            "95 % interval (Wilson)",
        )
        self.target_line = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pg.mkPen(_VERMILLION, width=1.5, style=Qt.PenStyle.DashLine),
            label="target {value:.2f}",
            labelOpts={
                "position": 0.06,
                "color": _VERMILLION,
                "anchors": [(0, 1), (0, 1)],
            },
        )
        self.top.addItem(self.target_line)
        self.threshold_line = self._vline(
            _GREEN, Qt.PenStyle.SolidLine, "threshold {value:.3f}", 0.45
        )
        self.top.addItem(self.threshold_line)
        self.threshold_line_bottom = self._vline(
            _GREEN, Qt.PenStyle.SolidLine, None, 0.0
        )
        self.bottom.addItem(self.threshold_line_bottom)
        self.in_use_line = self._vline(
            _GREY, Qt.PenStyle.DotLine, "in use {value:.2f}", 0.62
        )
        self.top.addItem(self.in_use_line)
        self.in_use_line_bottom = self._vline(_GREY, Qt.PenStyle.DotLine, None, 0.0)
        self.bottom.addItem(self.in_use_line_bottom)

        self.bottom_legend = self.bottom.addLegend(
            offset=(-8, 8), brush=legend_brush, labelTextColor="#222222"
        )
        self.kept_item = self.bottom.plot(
            [], [], pen=pg.mkPen(_ORANGE, width=2.5), name="All detections"
        )
        self.reviewed_item = self.bottom.plot(
            [],
            [],
            pen=pg.mkPen(_GREY, width=2, style=Qt.PenStyle.DashLine),
            name="Reviewed",
        )
        self.message = pg.TextItem("", color="#444444", anchor=(0.5, 0.5))
        message_font = QFont()
        message_font.setPointSize(11)
        self.message.setFont(message_font)
        self.top.addItem(self.message, ignoreBounds=True)
        self.message.setPos(0.5, 0.55)
        self.title = ""
        self.clear_curve("")

    @staticmethod
    def _vline(
        color: str, style: Qt.PenStyle, label: str | None, position: float
    ) -> pg.InfiniteLine:
        opts = {
            "position": position,
            "color": color,
            # Right of the line while it is left of the plot's middle, left of
            # it beyond: a label by a line near 1 stays inside the plot
            # (pyqtgraph picks the anchor by the side the view's centre is on).
            "anchors": [(0, 0.5), (1, 0.5)],
            "fill": (255, 255, 255, 200),
        }
        return pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(
                color, width=2 if style == Qt.PenStyle.SolidLine else 1.5, style=style
            ),
            label=label,
            labelOpts=opts if label else None,
        )

    # ------------------------------------------------------------- content
    def set_title(self, text: str) -> None:
        """The species shown, above the plot (elided to the plot's width; in full as tooltip).

        A title wider than the plot would widen pyqtgraph's layout past the
        widget and cut off the plot's right side, legends included.
        """
        self.title = text
        self.setToolTip(text)
        self._show_title()

    def _show_title(self) -> None:
        font = QFont()
        font.setPointSize(12)
        room = max(80, self.width() - 100)
        title = getattr(self, "title", "")
        shown = QFontMetrics(font).elidedText(title, Qt.TextElideMode.ElideRight, room)
        self.top.setTitle(html.escape(shown), color="#222222", size="12pt")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if getattr(self, "top", None) is not None:  # not while being built
            self._show_title()

    def clear_curve(self, message: str) -> None:
        """Show no curve, only ``message`` (e.g. why there is none)."""
        for item in (
            self.precision_item,
            self.points_item,
            self.kept_item,
            self.reviewed_item,
        ):
            item.setData([], [])
        self.band_low.setData([], [])
        self.band_high.setData([], [])
        for line in (
            self.threshold_line,
            self.threshold_line_bottom,
            self.in_use_line,
            self.in_use_line_bottom,
        ):
            line.hide()
        self.message.setText(message)
        self.message.setVisible(bool(message))
        self.bottom.setYRange(0, 1, padding=0.05)

    def set_target(self, target: float) -> None:
        """Draw the target precision."""
        self.target_line.setValue(target)

    def show_species(
        self,
        thresholds: np.ndarray,
        precision: np.ndarray,
        low: np.ndarray,
        high: np.ndarray,
        reviewed: np.ndarray,
        scores: np.ndarray,
        chosen: float | None,
        in_use: float | None,
    ) -> None:
        """Plot one species.

        Parameters
        ----------
        thresholds, precision, low, high, reviewed
            Its precision curve (thresholds descending) with its interval
            and the reviewed count at each threshold.
        scores
            Scores of all its detections.
        chosen
            Its threshold for the target (None: no marker).
        in_use
            The threshold the detection list uses for it now.
        """
        self.message.setVisible(False)
        x_max = max(1.0, float(scores.max()) if len(scores) else 1.0)
        floor = min(0.0, float(scores.min()) if len(scores) else 0.0)
        x, y = step_points(thresholds, precision, floor)
        self.precision_item.setData(x, y, stepMode="center")
        self.points_item.setData(thresholds, precision)
        bx, blow = step_points(thresholds, low, floor)
        _, bhigh = step_points(thresholds, high, floor)
        # FillBetweenItem needs plain curves: expand the steps into corners.
        corners = np.repeat(bx, 2)[1:-1]
        self.band_low.setData(corners, np.repeat(blow, 2))
        self.band_high.setData(corners, np.repeat(bhigh, 2))
        unique = np.unique(scores)[::-1]
        counts = kept_counts(scores, unique)
        kx, ky = step_points(unique, counts, floor)
        self.kept_item.setData(kx, ky, stepMode="center")
        rx, ry = step_points(thresholds, reviewed, floor)
        self.reviewed_item.setData(rx, ry, stepMode="center")
        top = max(1, len(scores))
        self.bottom.setYRange(-0.03 * top, top * 1.08, padding=0)
        self.top.setXRange(floor, x_max, padding=0.02)
        for top_line, bottom_line, value in (
            (self.threshold_line, self.threshold_line_bottom, chosen),
            (self.in_use_line, self.in_use_line_bottom, in_use),
        ):
            visible = value is not None
            top_line.setVisible(visible)
            bottom_line.setVisible(visible)
            if visible:
                top_line.setValue(value)
                bottom_line.setValue(value)

    def curve_data(self) -> tuple[np.ndarray, np.ndarray]:
        """The plotted precision curve's (edges, values), for tests."""
        x, y = self.precision_item.xData, self.precision_item.yData
        return (np.empty(0) if x is None else x), (np.empty(0) if y is None else y)
