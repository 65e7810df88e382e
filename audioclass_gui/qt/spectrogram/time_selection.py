"""The selected time range of the spectrogram (Shift+drag), drawn as a shaded band.

:class:`TimeSelection` owns the band on the plot and says when the
selection changes; :class:`~audioclass_gui.qt.spectrogram.spectrogram_view.SpectrogramView`
feeds it the view box's Shift+drags.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor

__all__ = ["TimeSelection"]


class TimeSelection(QObject):
    """A time range selected on a plot, or none.

    Parameters
    ----------
    plot
        Where the band is drawn.

    Signals
    -------
    changed(object)
        The selected range ``(start, end)`` in seconds, or None.
    """

    changed = Signal(object)

    def __init__(self, plot: pg.PlotItem, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.item = pg.LinearRegionItem(
            brush=pg.mkBrush(QColor(255, 213, 79, 45)),
            pen=pg.mkPen(QColor("#ffd54f"), width=1),
        )
        self.item.setZValue(40)
        self.item.hide()
        plot.addItem(self.item)
        self.item.sigRegionChangeFinished.connect(lambda: self.changed.emit(self.span()))

    def span(self) -> tuple[float, float] | None:
        """The selected time range, or None."""
        if not self.item.isVisible():
            return None
        a, b = self.item.getRegion()
        return (float(a), float(b)) if b > a else None

    def set_span(self, span: tuple[float, float] | None) -> None:
        """Select a time range (None clears the selection)."""
        if span is None or span[1] <= span[0]:
            self.item.hide()
        else:
            self.item.setRegion(span)
            self.item.show()
        self.changed.emit(self.span())

    def drag(self, start: float, end: float, finished: bool) -> None:
        """Show a Shift+drag over ``[start, end]`` (``finished``: it ended; the range is announced)."""
        self.item.setRegion((start, end))
        self.item.setVisible(end > start)
        if finished:
            self.changed.emit(self.span())
