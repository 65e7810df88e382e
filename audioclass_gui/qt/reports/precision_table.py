"""The table of the Precision per species dialog: one row per species with verdicts.

:class:`PrecisionTable` shows each species' counts, its precision over all
scores and the lowest threshold reaching the target, and says which
species is chosen (rows carry the scientific name).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableWidget, QWidget

from audioclass_gui.qt.common.table_items import fill_row, number_text, read_only_rows
from audioclass_gui.review.precision import SpeciesThreshold

__all__ = ["PRECISION_COLUMNS", "PrecisionTable"]

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
_COLUMN_TIPS = (
    "Predicted species (hover for the full name and the scientific name)",
    "Detections with a counted verdict: accepted, rejected or relabelled",
    "Accepted as this species",
    "Rejected, or relabelled to another species",
    "Correct ÷ reviewed, over all scores",
    "Lowest score threshold whose precision reaches the target ('—': none does)",
    "Precision of the reviewed detections at or above that threshold",
    "Reviewed detections at or above that threshold",
)
_ROLE_NAME = Qt.ItemDataRole.UserRole
#: Widest the Species column grows (pixels): a longer name is elided, in full in its tooltip.
NAME_WIDTH = 200


class PrecisionTable(QTableWidget):
    """Per-species precision and threshold, one read-only row per species.

    Parameters
    ----------
    parent
        The dialog.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(PRECISION_COLUMNS), parent)
        self.setHorizontalHeaderLabels(
            [c.replace(" ", "\n") for c in PRECISION_COLUMNS]
        )
        for c, tip in enumerate(_COLUMN_TIPS):
            self.horizontalHeaderItem(c).setToolTip(tip)
        read_only_rows(self)
        self.setWordWrap(False)  # one line per species: a long name is elided
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def full_width(self) -> int:
        """Pixels the table needs to show every column whole (and a scroll bar)."""
        frame = 2 * self.frameWidth()
        return self.horizontalHeader().length() + self.verticalScrollBar().sizeHint().width() + frame

    def _fit_names(self) -> None:
        """The Species column as wide as its names, up to :data:`NAME_WIDTH`."""
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        wanted = max(self.sizeHintForColumn(0), header.sectionSizeHint(0))
        self.setColumnWidth(0, min(wanted, NAME_WIDTH))

    def fill(
        self, rows: Sequence[SpeciesThreshold], selected: str | None
    ) -> str | None:
        """Show ``rows``, keeping ``selected`` chosen (else the first row); emits nothing.

        Returns
        -------
        str or None
            Scientific name of the species now chosen (None without rows).
        """
        blocker = self.blockSignals(True)
        self.setRowCount(len(rows))
        selected_row = None
        for r, t in enumerate(rows):
            judged = t.true_positives + t.false_positives
            overall = t.true_positives / judged if judged else None
            values = (
                t.common_name or t.scientific_name,
                str(t.reviewed),
                str(t.true_positives),
                str(t.false_positives),
                number_text(overall),
                number_text(t.threshold, 3),
                number_text(t.precision),
                str(t.kept),
            )
            fill_row(
                self,
                r,
                values,
                tooltip=(
                    f"{t.common_name} ({t.scientific_name})"
                    if t.common_name and t.common_name != t.scientific_name
                    else t.scientific_name
                ),
                name_data={_ROLE_NAME: t.scientific_name},
            )
            if t.scientific_name == selected:
                selected_row = r
        self._fit_names()
        if selected_row is None and rows:
            selected_row = 0
        if selected_row is not None:
            self.selectRow(selected_row)
            chosen = rows[selected_row].scientific_name
        else:
            self.clearSelection()
            chosen = None
        self.blockSignals(blocker)
        return chosen

    def select_species(self, scientific_name: str) -> bool:
        """Select the row of a species (emits the selection signals); False if not listed."""
        for r in range(self.rowCount()):
            if self.item(r, 0).data(_ROLE_NAME) == scientific_name:
                self.selectRow(r)
                return True
        return False

    def chosen_species(self) -> tuple[bool, str | None]:
        """Whether a row is selected, and the scientific name it carries."""
        rows = self.selectionModel().selectedRows()
        if not rows:
            return False, None
        item = self.item(rows[0].row(), 0)
        return True, None if item is None else item.data(_ROLE_NAME)
