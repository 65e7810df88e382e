"""Review › Precision per species: how often each species' detections were right.

Precision comes from the verdicts (accepted = correct; rejected or
relabelled = wrong), with the lowest score threshold that reaches the
target precision the reviewer chooses (0.9 by default).
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.review import ReviewSession
from audioclass_gui.review.precision import DEFAULT_TARGET_PRECISION, species_thresholds

__all__ = ["PRECISION_COLUMNS", "PrecisionDialog"]

PRECISION_COLUMNS = (
    "Species",
    "Reviewed",
    "Correct",
    "Wrong",
    "Precision",
    "Threshold",
    "Precision there",
    "Kept",
)


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


class PrecisionDialog(QDialog):
    """Per-species precision and the threshold reaching a target (non-modal, live)."""

    def __init__(self, session: ReviewSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Precision per species")
        self.session = session
        self.target = QDoubleSpinBox()
        self.target.setRange(0.05, 1.0)
        self.target.setDecimals(2)
        self.target.setSingleStep(0.05)
        self.target.setValue(DEFAULT_TARGET_PRECISION)
        self.table = QTableWidget(0, len(PRECISION_COLUMNS))
        self.table.setHorizontalHeaderLabels(PRECISION_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        form = QFormLayout()
        form.addRow("Target precision", self.target)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        self.resize(720, 360)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.refresh)
        self.target.valueChanged.connect(lambda _v: self.refresh())
        session.status_changed.connect(self._schedule)
        self.refresh()

    def rows(self) -> list[tuple[str, ...]]:
        """The table's text, row by row."""
        return [
            tuple(self.table.item(r, c).text() for c in range(self.table.columnCount()))
            for r in range(self.table.rowCount())
        ]

    def refresh(self) -> None:
        """Recompute from the verdicts."""
        rows = species_thresholds(self.session, self.target.value())
        self.table.setRowCount(len(rows))
        for r, t in enumerate(rows):
            judged = t.true_positives + t.false_positives
            overall = t.true_positives / judged if judged else None
            values = (
                t.common_name or t.scientific_name,
                str(t.reviewed),
                str(t.true_positives),
                str(t.false_positives),
                _fmt(overall),
                _fmt(t.threshold, 3),
                _fmt(t.precision),
                str(t.kept),
            )
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                else:
                    item.setToolTip(t.scientific_name)
                self.table.setItem(r, c, item)

    def _schedule(self, *_args) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def done(self, result: int) -> None:
        self.session.status_changed.disconnect(self._schedule)
        super().done(result)
