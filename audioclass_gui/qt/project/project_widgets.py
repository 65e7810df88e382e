"""The project dock's widgets: who reviews, and the list of recordings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from audioclass_gui.qt.common.table_items import fill_row, read_only_rows
from audioclass_gui.qt.common.time_format import format_clock
from audioclass_gui.review import RecordingSummary

__all__ = ["ANALYSIS_COLUMN", "PATH_ROLE", "RECORDING_COLUMNS", "RecordingList", "ReviewerDialog"]

RECORDING_COLUMNS = ("Recording", "Duration", "Start", "Detections", "Reviewed", "Analysis")
#: Column of the model's analysis state ("analysed: 3 detections", "failed: ...").
ANALYSIS_COLUMN = RECORDING_COLUMNS.index("Analysis")
#: Pixels the Recording column gets beyond its measured width: the open one is bold.
_BOLD_ROOM = 12
_FAILED = QBrush(QColor("#c0392b"))
PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class ReviewerDialog(QDialog):
    """Asks who reviews (name, optional email); asked once per user.

    Signals
    -------
    reviewer_given(str, str)
        Name and email ("" when not given) when OK is pressed.
    """

    reviewer_given = Signal(str, str)

    def __init__(self, parent: QWidget | None = None, name: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is reviewing?")
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("Your name")
        self.email = QLineEdit()
        self.email.setPlaceholderText("optional")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b")
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Email", self.email)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Every verdict is stamped with your name and the time.")
        )
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def show_problem(self, text: str) -> None:
        """Say why the answer was not accepted (the dialog stays open)."""
        self.problem.setText(text)

    def _ok(self) -> None:
        if not self.name.text().strip():
            self.show_problem("Give a name.")
            return
        self.reviewer_given.emit(self.name.text().strip(), self.email.text().strip())


class RecordingList(QTableWidget):
    """The project's recordings: duration, start time, detections, progress, analysis.

    Several rows can be selected (Ctrl/Shift+click) for Model › Run on
    selected recordings; a plain click opens the recording.

    Signals
    -------
    recording_chosen(str)
        The path of a recording clicked (or chosen with Enter).
    """

    recording_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(RECORDING_COLUMNS), parent)
        self.setHorizontalHeaderLabels(RECORDING_COLUMNS)
        read_only_rows(self, stretch_last=True)
        # Widths are measured once per change (see _bulk), not by the header's mode.
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setMinimumWidth(420)
        self.setTabKeyNavigation(False)
        self.cellActivated.connect(self._chosen)
        self.cellClicked.connect(self._clicked)
        self._current: str | None = None
        self._bold: QTableWidgetItem | None = None  # the open recording's first cell
        self._by_path: dict[str, QTableWidgetItem] = {}  # rebuilt when rows change
        self._analysis: dict[str, tuple[str, str]] = {}
        self._bulk_depth = 0
        self.horizontalHeaderItem(ANALYSIS_COLUMN).setToolTip(
            "What the model chosen in the Model panel did with each recording"
        )

    def set_summaries(self, summaries: list[RecordingSummary]) -> None:
        """Show one row per recording.

        Rows already showing the same recording keep their items and only
        change the texts that changed: recounting after each verdict stays
        cheap in a project of thousands of recordings.
        """
        with self._bulk():
            self.setRowCount(len(summaries))
            for row, s in enumerate(summaries):
                length = (
                    f"{s.duration:.1f} s" if s.duration < 600 else format_clock(s.duration)
                )
                start = "" if s.start is None else s.start.strftime("%Y-%m-%d %H:%M:%S")
                done = f"{s.reviewed}/{s.detections}" if s.detections else "—"
                analysis = self._analysis.get(str(s.path), ("", ""))[0]
                texts = (s.path.name, length, start, str(s.detections), done, analysis)
                first = self.item(row, 0)
                if first is not None and first.data(PATH_ROLE) == str(s.path):
                    for col, text in enumerate(texts):
                        item = self.item(row, col)
                        if item.text() != text:
                            item.setText(text)
                    continue
                fill_row(
                    self,
                    row,
                    texts,
                    tooltip=str(s.path),
                    row_data={PATH_ROLE: str(s.path)},
                    left=(0, 2, ANALYSIS_COLUMN),
                )
            self.mark_current(self._current)
            self._paint_analysis()

    def set_analysis(self, states: dict[str, tuple[str, str]]) -> None:
        """Show what a model did with each recording: ``{path: (text, tooltip)}``.

        Recordings left out keep their state; the states outlive
        :meth:`set_summaries`.
        """
        self._analysis.update(states)
        self._paint_analysis()

    def clear_analysis(self) -> None:
        """Forget every recording's analysis state (another project or model)."""
        self._analysis.clear()
        self._paint_analysis()

    def analysis_text(self, path: str) -> str:
        """The analysis state shown for ``path`` ("" if none)."""
        return self._analysis.get(str(path), ("", ""))[0]

    @contextmanager
    def _bulk(self) -> Iterator[None]:
        """Change many cells at once: columns are sized to their contents once, at the end.

        Columns sized to their contents by the header's mode are measured
        again, every row of them, at each cell changed: filling 2,000 rows
        one cell at a time took minutes, and making the open recording's
        name bold took 11 ms. So the columns keep the widths measured here,
        once, when a change is done (nested uses measure at the outermost
        end), with room for the open recording's bold name.
        """
        self._bulk_depth += 1
        if self._bulk_depth == 1:
            self.setUpdatesEnabled(False)
        try:
            yield
        finally:
            self._bulk_depth -= 1
            if not self._bulk_depth:
                self.resizeColumnsToContents()
                self.setColumnWidth(0, self.columnWidth(0) + _BOLD_ROOM)
                self.setUpdatesEnabled(True)

    def _paint_analysis(self) -> None:
        with self._bulk():
            for row in range(self.rowCount()):
                item = self.item(row, ANALYSIS_COLUMN)
                if item is None:
                    continue
                text, tip = self._analysis.get(item.data(PATH_ROLE), ("", ""))
                if item.text() != text:
                    item.setText(text)
                if item.toolTip() != tip:
                    item.setToolTip(tip)
                    item.setForeground(_FAILED if text.startswith("failed") else QBrush())

    def selected_paths(self) -> list[str]:
        """Paths of the selected recordings, in list order."""
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        return [self.item(r, 0).data(PATH_ROLE) for r in rows]

    def paths(self) -> list[str]:
        """Recording paths in list order."""
        return [self.item(r, 0).data(PATH_ROLE) for r in range(self.rowCount())]

    def mark_current(self, path: str | None) -> None:
        """Highlight the open recording (the one highlighted before goes back to plain).

        Only those two rows change: opening recording after recording while
        reviewing a species across a project of thousands stays cheap.
        """
        self._current = path
        wanted = self._first_item(path)
        old = self._bold
        if old is not None and old is not wanted and isValid(old):  # its row may be refilled
            self._set_bold(old, False)
        if wanted is not None:
            self._set_bold(wanted, True)
        self._bold = wanted

    def _first_item(self, path: str | None) -> QTableWidgetItem | None:
        """The first cell of ``path``'s row (None if not listed)."""
        if path is None:
            return None
        item = self._by_path.get(path)
        if item is None or not isValid(item) or item.data(PATH_ROLE) != path:
            self._by_path = {
                self.item(r, 0).data(PATH_ROLE): self.item(r, 0) for r in range(self.rowCount())
            }
            item = self._by_path.get(path)
        return item

    @staticmethod
    def _set_bold(item: QTableWidgetItem, bold: bool) -> None:
        font = item.font()
        if font.bold() != bold:
            font.setBold(bold)
            item.setFont(font)

    def _clicked(self, row: int, col: int) -> None:
        modifiers = QApplication.keyboardModifiers()
        if modifiers & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        ):
            return  # extending the selection, not opening
        self._chosen(row, col)

    def choose_row(self, row: int) -> None:
        """Choose a recording as a click would."""
        self._chosen(row, 0)

    def _chosen(self, row: int, _col: int) -> None:
        item = self.item(row, 0)
        if item is not None:
            self.recording_chosen.emit(item.data(PATH_ROLE))
