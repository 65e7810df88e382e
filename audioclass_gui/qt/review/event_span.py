"""The selected vocal event drawn over the spectrogram: one box over its whole span.

Its windows keep their own boxes (drawn by the detection overlay), which
with overlapping windows are many edges side by side; the event's box lies
beneath them, lightened and outlined in the colour of the verdict its
windows share (white, dashed, while they differ), with a tag at its foot
("Tennessee Warbler · event of 4 windows") in that colour, so the span a
key acts on in events mode is seen at a glance.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from audioclass_gui.qt.common.style import status_color
from audioclass_gui.review import Status

__all__ = ["EventSpanItem"]

#: Beneath the detection boxes (20) and labels (30), above the spectrogram.
Z_VALUE = 15
_MIXED = QColor("#ffffff")


class EventSpanItem(QGraphicsRectItem):
    """One box over an event's time span and the shown band.

    Parameters
    ----------
    plot
        The spectrogram's plot (seconds x Hz); the item adds itself, hidden.
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__()
        self.setZValue(Z_VALUE)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go to the boxes beneath
        self.hide()
        self.status: Status | None = None
        #: The tag at the box's foot (same size at every zoom).
        self.tag = pg.TextItem("", anchor=(0, 1))
        self.tag.setZValue(Z_VALUE + 16)  # over the detection boxes, under their labels
        self.tag.hide()
        plot.addItem(self, ignoreBounds=True)
        plot.addItem(self.tag, ignoreBounds=True)

    def show_span(
        self, start: float, end: float, low: float, high: float, status: Status | None, text: str = ""
    ) -> None:
        """Show the box over ``[start, end]`` s and ``[low, high]`` Hz; ``status`` None: mixed.

        ``text`` is written in the tag at the box's foot (none when empty).
        """
        self.setRect(QRectF(start, low, max(end - start, 1e-6), high - low))
        self.tag.setPos(start, low)
        self.tag.setText(text)
        self.set_status(status)
        self.show()
        self.tag.setVisible(bool(text))

    def hide_span(self) -> None:
        """Hide the box and its tag."""
        self.hide()
        self.tag.hide()

    def set_status(self, status: Status | None) -> None:
        """Colour the box by the verdict its windows share (None: they differ)."""
        self.status = status
        color = _MIXED if status is None else status_color(status)
        pen = QPen(color)
        pen.setCosmetic(True)
        pen.setWidthF(3.0)
        pen.setStyle(Qt.PenStyle.DashLine if status is None else Qt.PenStyle.SolidLine)
        self.setPen(pen)
        self.setBrush(QBrush(QColor(255, 255, 255, 30)))  # lightens the span, any colour map
        self.tag.fill = QBrush(color)
        self.tag.setColor(QColor("#000000"))

    def span(self) -> tuple[float, float] | None:
        """The time span shown, or None when hidden."""
        if not self.isVisible():
            return None
        rect = self.rect()
        return rect.left(), rect.right()
