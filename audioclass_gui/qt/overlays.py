"""Detection boxes and labels drawn over the spectrogram."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from audioclass_gui.qt.style import status_color
from audioclass_gui.review import Detection, Status

__all__ = ["DetectionOverlay"]


class _Label(pg.TextItem):
    """A clickable species label; stays the same size at every zoom."""

    def __init__(self, detection_id: int, on_click: Callable[[int, bool], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self.detection_id = detection_id
        self._on_click = on_click
        self.full_text = ""
        self.short_text = ""
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def fit(self, width_px: float) -> None:
        """Show the longest text that fits ``width_px``: name and score, score alone, or nothing."""
        for text in (self.full_text, self.short_text):
            if self.toPlainText() != text:
                self.setText(text)
            if self.textItem.boundingRect().width() <= width_px:
                self.setVisible(True)
                return
        self.setVisible(False)

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._on_click(self.detection_id, ev.double())


class DetectionOverlay(QObject):
    """Draws each detection over its time window, coloured by status.

    Labels of detections sharing a window stack downwards from the top of
    the box, highest score first.

    Signals
    -------
    clicked(int)
        A detection's label was clicked (its id).
    """

    clicked = Signal(int)

    def __init__(self, plot: pg.PlotItem, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._plot = plot
        self._boxes: dict[int, QGraphicsRectItem] = {}
        self._labels: dict[int, _Label] = {}
        self._detections: dict[int, Detection] = {}
        self._selected: int | None = None
        self._status: Callable[[int], Status] = lambda _id: Status.UNREVIEWED
        self._band: tuple[float, float] = (0.0, 1.0)
        self._ranks: dict[int, int] = {}

    @property
    def detection_ids(self) -> list[int]:
        """Ids of the detections drawn now."""
        return list(self._detections)

    def label_item(self, detection_id: int) -> _Label:
        """The label item of a drawn detection (for tests and tooltips)."""
        return self._labels[detection_id]

    def set_band(self, low: float, high: float) -> None:
        """Frequency span used for detections that carry no band of their own."""
        changed = (low, high) != getattr(self, "_band", None)
        self._band = (low, high)
        if changed and self._detections:  # drawn before the band was known
            for det_id, d in self._detections.items():
                self._place(d, self._ranks.get(det_id, 0))
            self.fit_labels()

    def set_detections(
        self, detections: Sequence[Detection], status: Callable[[int], Status]
    ) -> None:
        """Draw exactly these detections (replacing what was drawn)."""
        self._status = status
        wanted = {d.id: d for d in detections}
        for det_id in [i for i in self._detections if i not in wanted]:
            self._remove(det_id)
        ranks: dict[tuple[float, float], list[Detection]] = defaultdict(list)
        for d in detections:
            ranks[(d.start, d.end)].append(d)
        for group in ranks.values():
            group.sort(key=lambda d: -d.score)
            for rank, d in enumerate(group):
                self._place(d, rank)
                self._ranks[d.id] = rank
        self._detections = wanted
        for det_id in wanted:
            self._restyle(det_id)
        self.fit_labels()

    def fit_labels(self) -> None:
        """Shorten or hide labels that would run into the next label.

        A label may use the free space up to the next detection's label on
        the same row; where windows are dense (or zoomed far out) it shows
        the score alone, then nothing. The full name stays in the tooltip
        and the table.
        """
        seconds_per_px = self._plot.getViewBox().viewPixelSize()[0]
        if not seconds_per_px or seconds_per_px <= 0:
            return
        rows: dict[int, list[Detection]] = defaultdict(list)
        for det_id, d in self._detections.items():
            rows[self._ranks.get(det_id, 0)].append(d)
        for row in rows.values():
            row.sort(key=lambda d: d.start)
            for d, nxt in zip(row, [*row[1:], None], strict=True):
                room = float("inf") if nxt is None else (nxt.start - d.start) / seconds_per_px - 2.0
                self._labels[d.id].fit(room)

    def refresh_status(self, ids: Sequence[int]) -> None:
        """Recolour these detections after a verdict."""
        for det_id in ids:
            if det_id in self._detections:
                self._restyle(det_id)

    def set_selected(self, detection_id: int | None) -> None:
        """Highlight one detection (or none)."""
        previous, self._selected = self._selected, detection_id
        for det_id in (previous, detection_id):
            if det_id is not None and det_id in self._detections:
                self._restyle(det_id)

    def clear(self) -> None:
        """Remove every overlay item."""
        for det_id in list(self._detections):
            self._remove(det_id)
        self._detections = {}
        self._selected = None

    # -------------------------------------------------------------- internal
    def _place(self, d: Detection, rank: int) -> None:
        low = d.low_freq if d.low_freq is not None else self._band[0]
        high = d.high_freq if d.high_freq is not None else self._band[1]
        box = self._boxes.get(d.id)
        if box is None:
            box = QGraphicsRectItem()
            box.setZValue(20)
            self._plot.addItem(box)
            self._boxes[d.id] = box
        box.setRect(QRectF(d.start, low, d.end - d.start, high - low))
        label = self._labels.get(d.id)
        if label is None:
            label = _Label(d.id, self._on_label_click, text="", anchor=(0, 0))
            label.setZValue(30)
            self._plot.addItem(label)
            self._labels[d.id] = label
        name = d.common_name or d.scientific_name
        label.full_text = f"{name}  {d.score:.2f}"
        label.short_text = f"{d.score:.2f}"
        label.setText(label.full_text)
        label.setToolTip(f"{d.label}\nscore {d.score:.3f}\n{d.start:.2f}–{d.end:.2f} s")
        label.setPos(d.start, high)
        label.setAnchor((0, -rank))

    def _restyle(self, det_id: int) -> None:
        status = self._status(det_id)
        selected = det_id == self._selected
        box = self._boxes[det_id]
        pen = QPen(status_color(status, 255 if selected else 170))
        pen.setCosmetic(True)
        pen.setWidthF(3.0 if selected else 1.2)
        if status in (Status.REJECTED,):
            pen.setStyle(Qt.PenStyle.DashLine)
        box.setPen(pen)
        box.setBrush(status_color(status, 22) if selected else QColor(0, 0, 0, 0))
        label = self._labels[det_id]
        label.fill = pg.mkBrush(status_color(status, 235 if selected else 175))
        label.setColor(QColor("#000000"))
        label.border = pg.mkPen("#ffffff", width=2) if selected else pg.mkPen(None)
        label.update()

    def _remove(self, det_id: int) -> None:
        for items in (self._boxes, self._labels):
            item = items.pop(det_id, None)
            if item is not None:
                self._plot.removeItem(item)
        self._detections.pop(det_id, None)
        self._ranks.pop(det_id, None)

    def _on_label_click(self, det_id: int, double: bool) -> None:
        self.clicked.emit(det_id)
