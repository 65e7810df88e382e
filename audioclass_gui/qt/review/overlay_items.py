"""The graphics of one detection over the spectrogram: its box and its label.

A label reads "Great Tit  0.94" (species, score; "0.94 ✎" with a note):
where the room up to the next label is short, the species is elided from its
end ("Tennessee Wa…  0.79"); only where not even a few letters fit does it
show the score alone, then nothing. The full description is the tooltip.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from audioclass_gui.qt.common.style import status_color
from audioclass_gui.review import Status

__all__ = ["ELLIPSIS", "DetectionBox", "DetectionLabel"]

#: The mark of an elided species name.
ELLIPSIS = "…"
#: Letters of a species kept, at least, before the ellipsis (else the score alone).
MIN_LETTERS = 3
#: Space between the species and the score on a label.
GAP = " "
#: Pixels between a label's text and the edge of its background.
MARGIN = 2.0


class DetectionBox(QGraphicsRectItem):
    """The outline of a detection's time (and frequency) window.

    Attributes
    ----------
    detection_id : int
        The detection drawn (-1 for a spare item).
    """

    def __init__(self) -> None:
        super().__init__()
        self.detection_id = -1

    def set_style(self, status: Status, selected: bool) -> None:
        """Outline in the status' colour (dashed when rejected); thick and filled when selected."""
        pen = QPen(status_color(status, 255 if selected else 170))
        pen.setCosmetic(True)
        pen.setWidthF(3.0 if selected else 0.0)  # 0: one pixel, Qt's fast path
        if status is Status.REJECTED:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
        # No brush at all when not selected: even a transparent fill of a
        # full-height box costs a raster pass per paint.
        self.setBrush(
            QBrush(status_color(status, 22)) if selected else QBrush(Qt.BrushStyle.NoBrush)
        )


class DetectionLabel(pg.TextItem):
    """A clickable species label; stays the same size at every zoom.

    Parameters
    ----------
    detection_id
        The detection labelled (-1 for a spare item).
    on_click
        Called with the id and whether it was a double-click.
    """

    def __init__(
        self, detection_id: int, on_click: Callable[[int, bool], None], **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.detection_id = detection_id
        self._on_click = on_click
        self.species_text = ""
        self.score_text = ""
        self.full_text = ""
        self.short_text = ""
        self._metrics: QFontMetricsF | None = None
        self._pad = 0.0
        self._fitted: dict[float, str | None] = {}  # room (px) -> text shown
        self.textItem.document().setDocumentMargin(MARGIN)  # Qt's 4 px: room for a letter more
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_texts(self, species: str, score: str) -> None:
        """What the label says: the species and the score (measured once, here)."""
        self.species_text, self.score_text = species, score
        self.full_text, self.short_text = f"{species}{GAP}{score}", score
        self.setText(self.full_text)
        self._metrics = QFontMetricsF(self.textItem.font())
        self._pad = self.textItem.boundingRect().width() - self._metrics.horizontalAdvance(
            self.full_text
        )
        self._fitted = {}

    def width_of(self, text: str) -> float:
        """Width in pixels the label takes showing ``text``."""
        if self._metrics is None:
            self._metrics = QFontMetricsF(self.textItem.font())
        return self._metrics.horizontalAdvance(text) + self._pad

    def text_for(self, width_px: float) -> str | None:
        """The longest text fitting ``width_px``: all, the species elided, the score, or None.

        The score keeps the note mark ("0.91 ✎") when it fits, else shows bare.
        """
        if self.width_of(self.full_text) <= width_px:
            return self.full_text
        room = width_px - self.width_of(f"{GAP}{self.score_text}")  # for the species
        if room > 0 and self._metrics is not None:
            elided = self._metrics.elidedText(
                self.species_text, Qt.TextElideMode.ElideRight, room
            )
            if len(elided.rstrip(ELLIPSIS).rstrip()) >= MIN_LETTERS:
                return f"{elided}{GAP}{self.score_text}"
        for text in dict.fromkeys((self.short_text, self.short_text.split(" ")[0])):
            if self.width_of(text) <= width_px:  # the score (with the note mark, else bare)
                return text
        return None

    def fit(self, width_px: float) -> None:
        """Show the longest text that fits ``width_px`` (see :meth:`text_for`)."""
        room = float(round(width_px)) if width_px != float("inf") else width_px
        if room in self._fitted:
            text = self._fitted[room]
        else:
            if len(self._fitted) > 64:  # rooms seen while zooming
                self._fitted.clear()
            text = self._fitted[room] = self.text_for(room)
        if text is None:
            if self.isVisible():
                self.setVisible(False)
            return
        if self.toPlainText() != text:
            self.setText(text)
        if not self.isVisible():
            self.setVisible(True)

    def set_style(self, status: Status, selected: bool) -> None:
        """Black text on the status' colour; a white border when selected."""
        self.fill = pg.mkBrush(status_color(status, 235 if selected else 175))
        self.setColor(QColor("#000000"))
        self.border = pg.mkPen("#ffffff", width=2) if selected else pg.mkPen(None)
        self.update()

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._on_click(self.detection_id, ev.double())
