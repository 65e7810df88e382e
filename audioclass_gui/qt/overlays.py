"""Detection boxes and labels drawn over the spectrogram.

A project's recording can hold thousands of detections above the threshold:
the overlay draws them all when they are few (:data:`DRAW_ALL_UP_TO`), else
only those in and around the visible time range (at most
:data:`MAX_DRAWN`, best scores first), redrawn as the view moves. Items are
reused rather than created and destroyed, and a detection is re-placed or
restyled only when something it shows changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from audioclass_gui.qt.style import status_color
from audioclass_gui.qt.tasks import debounce
from audioclass_gui.review import Detection, DetectionList, Status

__all__ = ["DRAW_ALL_UP_TO", "MAX_DRAWN", "DetectionOverlay"]

#: Up to this many detections, all of the recording's are drawn.
DRAW_ALL_UP_TO = 64
#: Beyond, at most this many are drawn: those around the visible range.
MAX_DRAWN = 400
#: Hidden items kept for detections that may come back before one is reused.
KEEP_HIDDEN = 200
#: With many detections, items are made ahead (while idle) up to this many,
#: so a threshold lowered for the first time does not create them all at once.
WARM_ITEMS = 240


class _Label(pg.TextItem):
    """A clickable species label; stays the same size at every zoom."""

    def __init__(
        self, detection_id: int, on_click: Callable[[int, bool], None], **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.detection_id = detection_id
        self._on_click = on_click
        self.full_text = ""
        self.short_text = ""
        self._widths: dict[str, float] = {}
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_texts(self, full: str, short: str) -> None:
        """The long and short texts (their widths are measured once, here)."""
        self.full_text, self.short_text = full, short
        self._widths = {}
        for text in (short, full):  # ends showing the full text
            self.setText(text)
            self._widths[text] = self.textItem.boundingRect().width()

    def fit(self, width_px: float) -> None:
        """Show the longest text that fits ``width_px``: name and score, score alone, or nothing."""
        for text in (self.full_text, self.short_text):
            width = self._widths.get(text)
            if width is None:  # texts set directly: measure now
                if self.toPlainText() != text:
                    self.setText(text)
                width = self._widths[text] = self.textItem.boundingRect().width()
            if width <= width_px:
                if self.toPlainText() != text:
                    self.setText(text)
                if not self.isVisible():
                    self.setVisible(True)
                return
        if self.isVisible():
            self.setVisible(False)

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._on_click(self.detection_id, ev.double())


class DetectionOverlay(QObject):
    """Draws each detection over its time window, coloured by status.

    Labels of detections sharing a window stack downwards from the top of
    the box, highest score first. With more than :data:`DRAW_ALL_UP_TO`
    detections only those in the visible range (and a quarter of its width
    either side) are drawn (see the module docstring).

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
        self._placed: dict[int, tuple] = {}
        self._styles: dict[int, tuple[Status, bool]] = {}
        # Items of detections no longer drawn, hidden, oldest first: a
        # detection that comes back (the threshold moved back) is shown
        # again as it was; the oldest are reused for new ones.
        self._hidden: dict[
            int, tuple[QGraphicsRectItem, _Label, tuple | None, tuple | None]
        ] = {}
        # Every detection given (drawn or not), as columns.
        self._rows: Sequence[Detection] = []
        self._ids = np.empty(0, dtype=np.int64)
        self._starts = np.empty(0)
        self._ends = np.empty(0)
        self._scores = np.empty(0)
        #: Time range drawn, (start, end, truncated); None when all are drawn.
        self._window: tuple[float, float, bool] | None = None
        plot.getViewBox().sigXRangeChanged.connect(self._on_range)
        self._spares: list[tuple[QGraphicsRectItem, _Label]] = []
        self._warm_timer = debounce(self, 40, self._warm)

    @property
    def detection_ids(self) -> list[int]:
        """Ids of the detections drawn now."""
        return list(self._detections)

    @property
    def up_to_date(self) -> bool:
        """True: what is drawn matches the last :meth:`set_detections` (always, it is synchronous)."""
        return True

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
        """Draw these detections (replacing what was drawn).

        A :class:`~audioclass_gui.review.DetectionList` is read as columns;
        only the detections that get drawn are fetched.
        """
        self._status = status
        if isinstance(detections, DetectionList):
            cols = detections.session.columns()
            local = detections.locals()
            self._rows = detections
            self._ids = detections.ids
            self._starts = cols.start[local]
            self._ends = cols.end[local]
            self._scores = cols.score[local]
        else:
            rows = list(detections)
            self._rows = rows
            self._ids = np.fromiter(
                (d.id for d in rows), dtype=np.int64, count=len(rows)
            )
            self._starts = np.fromiter(
                (d.start for d in rows), dtype=np.float64, count=len(rows)
            )
            self._ends = np.fromiter(
                (d.end for d in rows), dtype=np.float64, count=len(rows)
            )
            self._scores = np.fromiter(
                (d.score for d in rows), dtype=np.float64, count=len(rows)
            )
        self._draw()

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
                room = (
                    float("inf")
                    if nxt is None
                    else (nxt.start - d.start) / seconds_per_px - 2.0
                )
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
        for box, label, _placed, _style in self._hidden.values():
            self._plot.removeItem(box)
            self._plot.removeItem(label)
        self._hidden = {}
        for box, label in self._spares:
            self._plot.removeItem(box)
            self._plot.removeItem(label)
        self._spares = []
        self._detections = {}
        self._selected = None
        self._rows = []
        self._ids = np.empty(0, dtype=np.int64)
        self._starts = self._ends = self._scores = np.empty(0)
        self._window = None

    # -------------------------------------------------------------- internal
    def _pick(self) -> tuple[np.ndarray, tuple[float, float, bool] | None]:
        """Positions (in the given rows) to draw, and the time window they cover."""
        n = len(self._ids)
        if n <= DRAW_ALL_UP_TO:
            return np.arange(n), None
        x0, x1 = self._plot.getViewBox().viewRange()[0]
        margin = max(x1 - x0, 1e-6) / 4  # small pans need no redraw
        w0, w1 = x0 - margin, x1 + margin
        pick = np.flatnonzero((self._ends > w0) & (self._starts < w1))
        truncated = len(pick) > MAX_DRAWN
        if truncated:
            best = np.argsort(-self._scores[pick], kind="stable")[:MAX_DRAWN]
            pick = np.sort(pick[best])
        return pick, (w0, w1, truncated)

    def _draw(self) -> None:
        pick, self._window = self._pick()
        rows = self._rows
        if isinstance(rows, DetectionList):
            chosen = rows.session.get_many(self._ids[pick].tolist())
        else:
            chosen = [rows[int(i)] for i in pick]
        wanted = {d.id: d for d in chosen}
        for det_id in [i for i in self._detections if i not in wanted]:
            self._remove(det_id)
        groups: dict[tuple[float, float], list[Detection]] = defaultdict(list)
        for d in chosen:
            groups[(d.start, d.end)].append(d)
        for group in groups.values():
            group.sort(key=lambda d: -d.score)
            for rank, d in enumerate(group):
                self._place(d, rank)
                self._ranks[d.id] = rank
        self._detections = wanted
        for det_id in wanted:
            self._restyle(det_id)
        self.fit_labels()
        if self._window is not None and not self._warm_timer.isActive():
            self._warm_timer.start()

    def _on_range(self, _vb, x_range) -> None:
        window = self._window
        if window is None:
            return
        x0, x1 = x_range
        w0, w1, truncated = window
        if x0 < w0 or x1 > w1 or truncated or (x1 - x0) * 4 < (w1 - w0):
            self._draw()

    def _items(self, det_id: int) -> tuple[QGraphicsRectItem, _Label]:
        box = self._boxes.get(det_id)
        if box is not None:
            return box, self._labels[det_id]
        kept = self._hidden.pop(det_id, None)
        if kept is not None:  # drawn before: as it was
            box, label, placed, style = kept
            if placed is not None:
                self._placed[det_id] = placed
            if style is not None:
                self._styles[det_id] = style
            box.show()
            label.show()
        else:
            if self._spares:  # made ahead, while idle
                box, label = self._spares.pop()
            elif len(self._hidden) > KEEP_HIDDEN:  # reuse the oldest
                box, label, _placed, _style = self._hidden.pop(next(iter(self._hidden)))
            else:
                box, label = self._new_items()
            label.detection_id = det_id
            box.show()
            label.show()
        self._boxes[det_id] = box
        self._labels[det_id] = label
        return box, label

    def _new_items(self) -> tuple[QGraphicsRectItem, _Label]:
        box = QGraphicsRectItem()
        box.setZValue(20)
        box.hide()
        self._plot.addItem(box)
        label = _Label(-1, self._on_label_click, text="", anchor=(0, 0))
        label.setZValue(30)
        label.hide()
        self._plot.addItem(label)
        return box, label

    def _warm(self) -> None:
        """Make a few spare items while the app is idle (creating one costs ~1 ms)."""
        total = len(self._boxes) + len(self._hidden) + len(self._spares)
        if self._window is None or total >= WARM_ITEMS:
            return
        for _ in range(min(8, WARM_ITEMS - total)):
            self._spares.append(self._new_items())
        self._warm_timer.start()

    def _place(self, d: Detection, rank: int) -> None:
        low = d.low_freq if d.low_freq is not None else self._band[0]
        high = d.high_freq if d.high_freq is not None else self._band[1]
        box, label = self._items(d.id)
        placed = (rank, low, high)
        before = self._placed.get(d.id)
        if before == placed:
            return
        self._placed[d.id] = placed
        if before is None:  # new on this item: its texts (the costly part)
            name = d.common_name or d.scientific_name
            label.set_texts(f"{name}  {d.score:.2f}", f"{d.score:.2f}")
            label.setToolTip(
                f"{d.label}\nscore {d.score:.3f}\n{d.start:.2f}–{d.end:.2f} s"
            )
        if before is None or before[1:] != placed[1:]:
            box.setRect(QRectF(d.start, low, d.end - d.start, high - low))
            label.setPos(d.start, high)
        if before is None or before[0] != rank:
            label.setAnchor((0, -rank))

    def _restyle(self, det_id: int) -> None:
        status = self._status(det_id)
        selected = det_id == self._selected
        if self._styles.get(det_id) == (status, selected):
            return
        self._styles[det_id] = (status, selected)
        box = self._boxes[det_id]
        pen = QPen(status_color(status, 255 if selected else 170))
        pen.setCosmetic(True)
        pen.setWidthF(3.0 if selected else 0.0)  # 0: one pixel, Qt's fast path
        if status in (Status.REJECTED,):
            pen.setStyle(Qt.PenStyle.DashLine)
        box.setPen(pen)
        # No brush at all when not selected: even a transparent fill of a
        # full-height box costs a raster pass per paint.
        box.setBrush(
            QBrush(status_color(status, 22))
            if selected
            else QBrush(Qt.BrushStyle.NoBrush)
        )
        label = self._labels[det_id]
        label.fill = pg.mkBrush(status_color(status, 235 if selected else 175))
        label.setColor(QColor("#000000"))
        label.border = pg.mkPen("#ffffff", width=2) if selected else pg.mkPen(None)
        label.update()

    def _remove(self, det_id: int) -> None:
        box = self._boxes.pop(det_id, None)
        label = self._labels.pop(det_id, None)
        placed = self._placed.pop(det_id, None)
        style = self._styles.pop(det_id, None)
        if box is not None and label is not None:
            box.hide()
            label.hide()
            self._hidden[det_id] = (box, label, placed, style)
        self._detections.pop(det_id, None)
        self._ranks.pop(det_id, None)

    def _on_label_click(self, det_id: int, double: bool) -> None:
        self.clicked.emit(det_id)
