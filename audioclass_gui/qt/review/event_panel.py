"""The Events panel: review by windows or by events, the gap tolerance, the events table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.app.event_review import ReviewUnit
from audioclass_gui.qt.review.event_table import EventTable
from audioclass_gui.review.detection import Status

if TYPE_CHECKING:
    from audioclass_gui.app.event_review import EventReview

__all__ = ["MAX_GAP", "EventPanel"]

#: The longest gap the spin box offers (seconds).
MAX_GAP = 600.0
UNIT_CHOICES = (("Windows", ReviewUnit.WINDOWS), ("Events", ReviewUnit.EVENTS))


class EventPanel(QWidget):
    """"Review by", the gap, a one-line summary and the events table.

    Signals
    -------
    unit_chosen(str)
        The reviewer chose windows or events (a :class:`ReviewUnit` value).
    gap_chosen(float)
        The reviewer set the gap (seconds).
    """

    unit_chosen = Signal(str)
    gap_chosen = Signal(float)

    def __init__(self, review: EventReview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit = QComboBox()
        for text, unit in UNIT_CHOICES:
            self.unit.addItem(text, unit.value)
        self.unit.setToolTip(
            "What A, R, U, S, Space and Up/Down act on: each detection window, or each "
            "vocal event (the windows of one species in a row) at once (E switches)"
        )
        self.gap = QDoubleSpinBox()
        self.gap.setRange(0.0, MAX_GAP)
        self.gap.setDecimals(1)
        self.gap.setSingleStep(0.5)
        self.gap.setSuffix(" s")
        self.gap.setKeyboardTracking(False)  # one grouping per value typed, not per digit
        self.gap.setToolTip(
            "Seconds that may pass between two detections of one species for both to be "
            "one event (0: they must touch or overlap)"
        )
        self.summary = QLabel()
        self.table = EventTable(review)
        row = QHBoxLayout()
        review_by = QLabel("Review &by")
        review_by.setBuddy(self.unit)
        gap = QLabel("&Gap")
        gap.setBuddy(self.gap)
        for widget in (review_by, self.unit, gap, self.gap):
            row.addWidget(widget)
        row.addSpacing(12)
        row.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self.unit.currentIndexChanged.connect(lambda _i: self.unit_chosen.emit(self.unit.currentData()))
        self.gap.valueChanged.connect(self.gap_chosen.emit)

    def show_unit(self, unit: str) -> None:
        """Show the unit chosen (without saying it was chosen)."""
        blocker = self.unit.blockSignals(True)
        self.unit.setCurrentIndex(max(0, self.unit.findData(unit)))
        self.unit.blockSignals(blocker)

    def show_gap(self, seconds: float) -> None:
        """Show the gap in use (without saying it was chosen)."""
        blocker = self.gap.blockSignals(True)
        self.gap.setValue(seconds)
        self.gap.blockSignals(blocker)

    def show_counts(self, review: EventReview) -> None:
        """"12 events: 3 accepted, 1 rejected, 1 mixed, 7 to review"."""
        n = len(review)
        if not review.ready:
            self.summary.setText("Grouping the detections into events…")
            return
        if not n:
            self.summary.setText("No events at the threshold")
            return
        counts = review.counts()
        words = [
            f"{counts[s]} {s.value}"
            for s in (Status.ACCEPTED, Status.REJECTED, Status.UNCERTAIN)
            if counts[s]
        ]
        if counts[None]:
            words.append(f"{counts[None]} mixed")
        words.append(f"{counts[Status.UNREVIEWED]} to review")
        self.summary.setText(f"{n} event{'s' * (n != 1)}: " + ", ".join(words))
