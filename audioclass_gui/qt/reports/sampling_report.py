"""Review › Sample report…: precision per species from the verification sample.

A live table (it follows each verdict): per species and over all species,
the sample size, how many are reviewed and remain, the true positives among
those judged, the precision estimated from the sample and its 95 % Wilson
interval. "Export CSV…" writes it (atomically, in the background).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.formats.sample_report import SampleReport
from audioclass_gui.qt.common.table_items import fill_row, number_text, table_texts
from audioclass_gui.qt.common.tasks import throttled
from audioclass_gui.review.sampling import OVERALL

if TYPE_CHECKING:
    from audioclass_gui.review import ReviewSession

__all__ = ["REPORT_COLUMNS", "SampleReportDialog", "format_interval"]

REPORT_COLUMNS = (
    "Species",
    "Detections",
    "Sample",
    "Reviewed",
    "Remaining",
    "Correct",
    "Judged",
    "Precision",
    "95 % interval",
    "Unweighted",
)


def format_interval(low: float, high: float) -> str:
    """ "0.612–0.874", or a dash before any verdict."""
    return "—" if math.isnan(low) else f"{low:.3f}–{high:.3f}"


class SampleReportDialog(QDialog):
    """The sample's precision per species (non-modal, live).

    Parameters
    ----------
    session
        The review (its verdicts refresh the table).
    make_report
        Builds the current :class:`SampleReport` (None when there is no sample).
    describe
        How the sample was drawn, in words.
    export
        Called by "Export CSV…" (asks for a path and writes).
    """

    def __init__(
        self,
        session: ReviewSession,
        make_report: Callable[[], SampleReport | None],
        describe: str,
        export: Callable[[], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Verification sample report")
        self.session = session
        self.make_report = make_report
        self.about = QLabel(describe)
        self.about.setWordWrap(True)
        self.table = QTableWidget(0, len(REPORT_COLUMNS))
        self.table.setHorizontalHeaderLabels(REPORT_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel(
            "Precision: correct among judged (accepted = correct; rejected or relabelled = wrong; "
            "uncertain = not judged), score bins weighted by how many detections they hold. "
            "Until every bin has a verdict, bins without one are left out of the weighting. "
            "Unweighted: the plain share of correct ones in the sample."
        )
        self.note.setWordWrap(True)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(lambda: export())
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.resize(900, 380)
        self._timer = throttled(self, 150, self.refresh)
        session.status_changed.connect(self._schedule)
        self.refresh()

    def rows(self) -> list[tuple[str, ...]]:
        """The table's text, row by row."""
        return table_texts(self.table)

    def refresh(self) -> None:
        """Recompute from the verdicts."""
        self._timer.cancel()
        report = self.make_report()
        results = [] if report is None else list(report.rows)
        self.table.setRowCount(len(results))
        for r, p in enumerate(results):
            overall = p.scientific_name == OVERALL
            name = (
                "All species"
                if overall
                else (report.common_names.get(p.scientific_name) or p.scientific_name)
            )
            values = (
                name,
                str(p.population),
                str(p.sampled),
                str(p.reviewed),
                str(p.remaining),
                str(p.true_positives),
                str(p.judged),
                number_text(p.precision, 3),
                format_interval(p.low, p.high),
                number_text(p.raw_precision, 3),
            )
            fill_row(self.table, r, values, tooltip=p.scientific_name, bold=overall)

    def _schedule(self, *_args) -> None:
        self._timer.throttle()

    def done(self, result: int) -> None:
        self.session.status_changed.disconnect(self._schedule)
        super().done(result)
