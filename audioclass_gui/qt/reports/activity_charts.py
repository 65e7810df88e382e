"""The charts of Reports › Activity: counts per day and per hour of day.

Two bar charts of one :class:`~audioclass_gui.review.activity_series.ActivitySeries`,
drawn as a figure (white, labelled axes, a title, the clock convention
underneath) so that what is exported as PNG or SVG reads on its own:

* per day, over every date of the deployment; a day without audio at the
  chosen sites is a light grey bar ("no audio recorded"), not a zero;
* per hour of day (clock time), all days together; an hour of day that was
  never recorded is greyed the same way.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import textwrap
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from audioclass_gui.formats.atomic import atomic_write_path
from audioclass_gui.qt.reports.figure_style import still_figure
from audioclass_gui.review.activity_series import ActivitySeries

__all__ = ["ActivityCharts", "DayAxis"]

_BLUE, _GREY, _ABSENT, _INK = "#0072b2", "#b4b4b4", "#e6e6e6", "#222222"
_BAR = 0.8
# Pixels a date label needs on the day axis.
_LABEL_PX = 58


def _absent() -> QBrush:
    """Light grey: a day or hour without audio (solid, as SVG has no Qt hatch patterns)."""
    return QBrush(QColor(_ABSENT))


def _integer_step(top: float) -> float:
    """A tick step of 1, 2, 5, 10, 20, 50… giving about five ticks up to ``top``."""
    raw = max(top, 1.0) / 5.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return max(1.0, float(factor * power))
    return max(1.0, 10.0 * power)


class DayAxis(pg.AxisItem):
    """A bottom axis for day indices labelled with their dates (``3 May``).

    Ticks every day while there is room, else every 2 days, every week
    (Mondays) or on the first of each month.
    """

    def __init__(self) -> None:
        super().__init__("bottom")
        self.dates: list[dt.date] = []

    def tickValues(self, minVal: float, maxVal: float, size: float):
        if not self.dates:
            return []
        lo = max(0, math.ceil(minVal))
        hi = min(len(self.dates) - 1, math.floor(maxVal))
        if hi < lo:
            return []
        per_day = size / max(maxVal - minVal, 1e-9)
        if per_day * 1 >= _LABEL_PX:
            major = list(range(lo, hi + 1))
        elif per_day * 2 >= _LABEL_PX:
            major = list(range(lo, hi + 1, 2))
        elif per_day * 7 >= _LABEL_PX:
            major = [i for i in range(lo, hi + 1) if self.dates[i].weekday() == 0]
        else:
            major = [i for i in range(lo, hi + 1) if self.dates[i].day == 1]
            step = max(1, math.ceil(_LABEL_PX / (per_day * 30)))
            major = major[::step]
        minor = list(range(lo, hi + 1)) if per_day >= 4 else []
        return [(1.0, [float(i) for i in major]), (0.5, [float(i) for i in minor if i not in major])]

    def tickStrings(self, values, scale, spacing):
        out = []
        for v in values:
            i = round(v)
            if 0 <= i < len(self.dates):
                d = self.dates[i]
                out.append(f"{d.day} {d:%b}" if d.day != 1 or d.month != 1 else f"1 Jan {d.year}")
            else:
                out.append("")
        return out


class ActivityCharts(pg.GraphicsLayoutWidget):
    """Per-day and per-hour bar charts of one series, with a title and a note.

    Attributes
    ----------
    day_plot, hour_plot : pyqtgraph.PlotItem
    day_bars, hour_bars : pyqtgraph.BarGraphItem
        The counts (x: day index from the first day; hour of day + 0.5).
    day_missing, hour_missing : pyqtgraph.BarGraphItem
        Grey bars over the days and hours without audio.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.setMinimumSize(640, 480)
        self.series: ActivitySeries | None = None
        self.title_text = self.note_text = ""
        self.title = self.addLabel("", row=0, col=0, color=_INK, size="13pt", bold=True)
        self.day_axis = DayAxis()
        self.day_plot = self.addPlot(row=1, col=0, axisItems={"bottom": self.day_axis})
        self.hour_plot = self.addPlot(row=2, col=0)
        self.note = self.addLabel("", row=3, col=0, color="#444444", size="9pt")
        self.ci.layout.setRowStretchFactor(1, 3)
        self.ci.layout.setRowStretchFactor(2, 2)
        for plot in (self.day_plot, self.hour_plot):
            still_figure(plot, grid_x=False, left_width=64)
            # Show the 0 count and the 00:00 / 24:00 ticks at the axes' ends.
            plot.getAxis("left").setStyle(hideOverlappingLabels=False)
        self.hour_plot.getAxis("bottom").setStyle(hideOverlappingLabels=False)
        self.day_legend = self.day_plot.addLegend(
            offset=(-8, 4), brush=pg.mkBrush(255, 255, 255, 220), labelTextColor=_INK
        )
        self.day_missing = pg.BarGraphItem(
            x=[], height=[], width=_BAR, brush=_absent(), pen=pg.mkPen(_GREY, width=0.8)
        )
        self.day_bars = pg.BarGraphItem(x=[], height=[], width=_BAR, brush=_BLUE, pen=None)
        self.hour_missing = pg.BarGraphItem(
            x=[], height=[], width=_BAR, brush=_absent(), pen=pg.mkPen(_GREY, width=0.8)
        )
        self.hour_bars = pg.BarGraphItem(x=[], height=[], width=_BAR, brush=_BLUE, pen=None)
        self.day_plot.addItem(self.day_missing)
        self.day_plot.addItem(self.day_bars)
        self.hour_plot.addItem(self.hour_missing)
        self.hour_plot.addItem(self.hour_bars)
        self.day_legend.addItem(self.day_bars, "Detections")
        self.day_legend.addItem(self.day_missing, "No audio recorded")
        self.hour_plot.getAxis("bottom").setTicks([
            [(h, f"{h:02d}:00") for h in range(0, 25, 3)],
            [(h, "") for h in range(25) if h % 3],
        ])
        self.hour_plot.setXRange(0, 24, padding=0.01)
        self.message = pg.TextItem("", color="#444444", anchor=(0.5, 0.5))
        self.day_plot.addItem(self.message, ignoreBounds=True)
        self.show_series(None, "", "")

    # ------------------------------------------------------------- content
    def show_series(self, series: ActivitySeries | None, title: str, note: str,
                    counted: str = "Detections") -> None:
        """Draw ``series`` (None: empty charts) under ``title``, with ``note`` below.

        ``counted`` names what the bars count ("Detections", "Accepted
        detections"), for the axes and the legend.
        """
        self.series = series
        self.title_text, self.note_text = title, note
        self._show_texts()
        style = {"color": _INK, "font-size": "11pt"}
        self.day_plot.setLabel("left", f"{counted} per day", **style)
        self.hour_plot.setLabel("left", f"{counted} (all days)", **style)
        self.hour_plot.setLabel("bottom", "Hour of day (clock time)", **style)
        self.day_legend.items[0][1].setText(counted)
        if series is None or not series.days:
            self.day_axis.dates = []
            self.day_plot.setLabel("bottom", "Date", **style)
            for item in (self.day_bars, self.day_missing, self.hour_bars, self.hour_missing):
                item.setOpts(x=[], height=[])
            self.message.setText("" if series is None else "No recording has a start time")
            self.message.setPos(0.5, 0.5)
            self.day_plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            self.hour_plot.setYRange(0, 1, padding=0)
            return
        self.message.setText("")
        days = series.days
        self.day_axis.dates = list(days)
        years = sorted({days[0].year, days[-1].year})
        self.day_plot.setLabel(
            "bottom", f"Date ({'–'.join(str(y) for y in years)})", **style
        )
        self._bars(self.day_plot, self.day_bars, self.day_missing,
                   np.arange(len(days), dtype=float), series.per_day, series.missing_days)
        self.day_plot.setXRange(-0.6, len(days) - 0.4, padding=0)
        hourly = series.per_hour.astype(np.float64)
        hourly[series.missing_hours] = np.nan
        self._bars(self.hour_plot, self.hour_bars, self.hour_missing,
                   np.arange(24) + 0.5, hourly, series.missing_hours)

    def _show_texts(self) -> None:
        """Title elided and note wrapped to the widget's width.

        A label wider than the widget would widen pyqtgraph's layout past
        it and cut the charts' right side off.
        """
        room = max(200, self.width() - 60)
        big = QFont()
        big.setPointSize(13)
        big.setBold(True)
        title = QFontMetrics(big).elidedText(self.title_text, Qt.TextElideMode.ElideRight, room)
        self.title.setText(html.escape(title, quote=False))
        small = QFont()
        small.setPointSize(9)
        chars = max(40, int(room / max(QFontMetrics(small).averageCharWidth(), 1) * 0.9))
        lines = textwrap.wrap(self.note_text, chars)
        self.note.setText("<br>".join(html.escape(line, quote=False) for line in lines))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if getattr(self, "note", None) is not None:  # not while being built
            self._show_texts()

    @staticmethod
    def _bars(plot: pg.PlotItem, bars: pg.BarGraphItem, missing: pg.BarGraphItem,
              x: np.ndarray, counts: np.ndarray, absent: np.ndarray) -> None:
        """Counts as bars, absent positions as grey bars up to the top."""
        shown = ~absent
        top = max(1.0, float(np.nanmax(counts)) if shown.any() else 1.0) * 1.08
        bars.setOpts(x=x[shown], height=np.nan_to_num(counts[shown]))
        missing.setOpts(x=x[absent], height=np.full(int(absent.sum()), top))
        step = _integer_step(top)
        plot.getAxis("left").setTickSpacing(step, step)
        plot.setYRange(-0.035 * top, top, padding=0)

    def bar_heights(self, which: str = "day") -> dict[float, float]:
        """``{x: height}`` of the count bars of ``which`` ("day" or "hour"), for tests."""
        bars = self.day_bars if which == "day" else self.hour_bars
        return {float(x): float(h) for x, h in zip(bars.opts["x"], bars.opts["height"],
                                                  strict=True)}

    def missing_positions(self, which: str = "day") -> list[float]:
        """x of the grey no-audio bars of ``which``, for tests."""
        bars = self.day_missing if which == "day" else self.hour_missing
        return [float(x) for x in bars.opts["x"]]

    # -------------------------------------------------------------- export
    def save_png(self, path: str | Path, scale: float = 2.0) -> Path:
        """Write the charts as a PNG ``scale`` times the widget's size (atomically)."""
        exporter = ImageExporter(self.ci)
        exporter.parameters()["width"] = int(self.ci.boundingRect().width() * scale)
        image = exporter.export(toBytes=True)
        with atomic_write_path(path) as tmp:
            if not image.save(str(tmp), "PNG"):
                raise OSError(f"{path}: the PNG could not be written")
        return Path(path)

    def svg_bytes(self) -> bytes:
        """The charts as an SVG document, drawn by Qt's own SVG generator.

        pyqtgraph 0.14's ``SVGExporter`` cannot read the path data Qt 6.11
        writes (it fails on every plot: pyqtgraph issue 3485), so the scene
        is painted straight into a :class:`QSvgGenerator`, as on screen.
        """
        source = self.ci.sceneBoundingRect()
        size = QSize(round(source.width()), round(source.height()))
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        # The screen's resolution: at QSvgGenerator's default 72 dpi the
        # plots' contents and their axes would be drawn at different scales.
        generator.setResolution(round(self.logicalDpiX()))
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        generator.setTitle(self.title.text)
        generator.setDescription("Activity per day and per hour of day (audioclass-gui)")
        painter = QPainter(generator)
        try:
            painter.fillRect(QRectF(0, 0, size.width(), size.height()), QColor("white"))
            self.scene().render(painter, QRectF(0, 0, size.width(), size.height()), source)
        finally:
            painter.end()
        buffer.close()
        return bytes(data.data())

    def save_svg(self, path: str | Path) -> Path:
        """Write the charts as an SVG (atomically)."""
        data = self.svg_bytes()
        with atomic_write_path(path) as tmp:
            Path(tmp).write_bytes(data)
        return Path(path)
