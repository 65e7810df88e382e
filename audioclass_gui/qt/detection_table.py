"""The detection table: one row per detection above the threshold."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from audioclass_gui.qt.axes import format_clock
from audioclass_gui.qt.style import STATUS_TEXT, status_color
from audioclass_gui.review import Detection, Status

__all__ = ["DetectionTable", "DetectionTableModel"]

COLUMNS = ("Start", "End", "Species", "Scientific name", "Score", "Status", "Recording")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


class DetectionTableModel(QAbstractTableModel):
    """Rows of detections; the status of each is read from a callable."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Detection] = []
        self._row_of: dict[int, int] = {}
        self._status: Callable[[int], Status] = lambda _id: Status.UNREVIEWED
        self.clock = False
        self._show_recording = False

    def show_recording(self, show: bool) -> None:
        """Fill the Recording column (when rows come from several recordings)."""
        if show != self._show_recording:
            self._show_recording = show
            if self._rows:
                self.dataChanged.emit(self.index(0, 6), self.index(len(self._rows) - 1, 6))

    def set_detections(self, rows: Sequence[Detection], status: Callable[[int], Status]) -> None:
        """Replace all rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self._row_of = {d.id: i for i, d in enumerate(self._rows)}
        self._status = status
        self.endResetModel()

    def detection(self, row: int) -> Detection:
        """The detection in source row ``row``."""
        return self._rows[row]

    def row_of(self, detection_id: int) -> int | None:
        """Source row of a detection, or None if not listed."""
        return self._row_of.get(detection_id)

    def refresh(self, ids: Sequence[int]) -> None:
        """Repaint the rows of these detections (after a verdict)."""
        for det_id in ids:
            row = self._row_of.get(det_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # Qt model API -------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        d = self._rows[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return d.id
        status = self._status(d.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(d, col, status)
        if role == SORT_ROLE:
            return (d.start, d.end, d.common_name or d.scientific_name, d.scientific_name,
                    d.score, status.value, str(d.recording.path))[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 1, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and col == 5 and status != Status.UNREVIEWED:
            return QBrush(status_color(status, 110))
        if role == Qt.ItemDataRole.ToolTipRole:
            return d.label
        return None

    def _display(self, d: Detection, col: int, status: Status) -> str:
        if col in (0, 1):
            t = d.start if col == 0 else d.end
            return format_clock(t, decimals=1) if self.clock else f"{t:.2f}"
        if col == 2:
            return d.common_name or d.scientific_name
        if col == 3:
            return d.scientific_name
        if col == 4:
            return f"{d.score:.3f}"
        if col == 6:
            return Path(str(d.recording.path)).name if self._show_recording else ""
        return STATUS_TEXT[status]


class DetectionTable(QTableView):
    """Sortable table of detections.

    Signals
    -------
    detection_selected(int)
        The current row changed to this detection id.
    detection_activated(int)
        A row was double-clicked or Enter pressed (play it).
    """

    detection_selected = Signal(int)
    detection_activated = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.source = DetectionTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.source)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Ctrl+click / Shift+click select many rows for bulk verdicts.
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((70, 70, 190, 190, 60, 110)):
            self.setColumnWidth(col, width)
        # Review keys belong to the window's actions, not to the table's
        # keyboard search; arrows still move between rows.
        self.setTabKeyNavigation(False)
        self.selectionModel().currentRowChanged.connect(self._on_current)
        self.doubleClicked.connect(lambda idx: self.detection_activated.emit(self._id_at(idx)))

    def set_detections(self, rows: Sequence[Detection], status: Callable[[int], Status]) -> None:
        """Replace the rows, keeping the selection where possible."""
        current = self.current_id()
        blocker = self.selectionModel().blockSignals(True)
        self.source.set_detections(rows, status)
        self.selectionModel().blockSignals(blocker)
        if current is not None and self.source.row_of(current) is not None:
            self.select_detection(current, emit=False)

    def current_id(self) -> int | None:
        """Id of the selected detection, if any."""
        idx = self.currentIndex()
        return self._id_at(idx) if idx.isValid() else None

    def selected_ids(self) -> list[int]:
        """Ids of every selected row, in display order."""
        rows = sorted(idx.row() for idx in self.selectionModel().selectedRows())
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in rows]

    def ordered_ids(self) -> list[int]:
        """Detection ids in the order shown (after sorting)."""
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in range(self.proxy.rowCount())]

    def select_detection(self, detection_id: int, *, emit: bool = True) -> bool:
        """Select the row of a detection and scroll to it."""
        row = self.source.row_of(detection_id)
        if row is None:
            return False
        idx = self.proxy.mapFromSource(self.source.index(row, 0))
        blocker = None if emit else self.selectionModel().blockSignals(True)
        self.setCurrentIndex(idx)
        self.selectRow(idx.row())
        if blocker is not None:
            self.selectionModel().blockSignals(blocker)
        self.scrollTo(idx, QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def step(self, delta: int) -> int | None:
        """Move the selection by ``delta`` rows in display order; return the new id."""
        count = self.proxy.rowCount()
        if count == 0:
            return None
        idx = self.currentIndex()
        row = idx.row() + delta if idx.isValid() else (0 if delta > 0 else count - 1)
        row = max(0, min(count - 1, row))
        det_id = self.proxy.index(row, 0).data(ID_ROLE)
        self.select_detection(det_id)
        return det_id

    def _id_at(self, idx: QModelIndex) -> int:
        return self.proxy.index(idx.row(), 0).data(ID_ROLE)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.detection_selected.emit(self._id_at(current))
