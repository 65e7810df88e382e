"""How the reports' plots look: a still figure (labelled, dark axes, no mouse) on white."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont

__all__ = ["still_figure"]


def still_figure(plot: pg.PlotItem, *, grid_x: bool, left_width: int) -> None:
    """Make ``plot`` read like a printed figure: grid, dark 10-pt axes, no pan, zoom or menu.

    Parameters
    ----------
    plot
        A plot of a white :class:`pyqtgraph.GraphicsLayoutWidget`.
    grid_x
        Draw vertical grid lines too (horizontal ones always).
    left_width
        Pixels kept for the left axis, so stacked plots line up.
    """
    font = QFont()
    font.setPointSize(10)
    plot.showGrid(x=grid_x, y=True, alpha=0.25)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen("#333333"))
        axis.setTextPen(pg.mkPen("#222222"))
        axis.setTickFont(font)
    plot.getAxis("left").setWidth(left_width)
