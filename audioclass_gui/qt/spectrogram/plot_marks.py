"""What every time plot of the window draws and reads alike: the playhead, a click's time."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QColor

__all__ = ["add_playhead", "clicked_time", "show_playhead"]


def add_playhead(plot: pg.PlotItem) -> pg.InfiniteLine:
    """A hidden playhead (a white vertical line over everything else) on ``plot``."""
    line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(QColor("#ffffff"), width=2))
    line.setZValue(50)
    line.hide()
    plot.addItem(line)
    return line


def show_playhead(line: pg.InfiniteLine, seconds: float | None) -> None:
    """Move the playhead to ``seconds``, or hide it with None."""
    if seconds is None:
        line.hide()
    else:
        line.setValue(seconds)
        line.show()


def clicked_time(viewbox: pg.ViewBox, event) -> float | None:
    """The time a scene click fell on inside ``viewbox``; None if outside or taken by an item."""
    if event.isAccepted():
        return None
    pos = event.scenePos()
    if not viewbox.sceneBoundingRect().contains(pos):
        return None
    t = viewbox.mapSceneToView(pos).x()
    return float(t) if math.isfinite(t) else None
