"""The detection table: one row per detection above the threshold.

Built for 50,000 rows: the model keeps the listed ids as a numpy array and
reads a :class:`~audioclass_gui.review.Detection` only for the rows Qt
paints; sorting by a column is a numpy sort over the session's columns, not
a Python comparison per pair of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QIdentityProxyModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from audioclass_gui.qt.axes import format_clock
from audioclass_gui.qt.style import STATUS_TEXT, status_color
from audioclass_gui.review import Detection, DetectionList, Status
from audioclass_gui.review.detection import STATUS_ORDER

__all__ = ["DetectionTable", "DetectionTableModel"]

COLUMNS = ("Start", "End", "Species", "Scientific name", "Score", "Status", "Recording")
RECORDING_COLUMN = COLUMNS.index("Recording")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
_STATUSES = STATUS_ORDER
#: Roles answered from the detection (others cost nothing).
_READ_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        SORT_ROLE,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ToolTipRole,
    }
)

Index = QModelIndex | QPersistentModelIndex


def _ranks(values: Sequence) -> np.ndarray:
    """Dense rank of each value (equal values share one), as float64."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = np.empty(len(values), dtype=np.float64)
    rank, previous = -1, object()
    for i in order:
        if values[i] != previous:
            rank, previous = rank + 1, values[i]
        ranks[i] = rank
    return ranks


class DetectionTableModel(QAbstractTableModel):
    """Rows of detections; the status of each is read from a callable.

    Rows are given as any sequence of detections; a
    :class:`~audioclass_gui.review.DetectionList` (ids only) keeps a reset
    and a sort of 50,000 rows in numpy. The model sorts itself
    (:meth:`sort`); column -1 is the order the rows were given in.

    Signals
    -------
    recording_shown(bool)
        The Recording column was filled (True) or emptied (False).
    """

    recording_shown = Signal(bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: Sequence[Detection] = []
        self._given = np.empty(0, dtype=np.int64)  # ids in the order given
        self._order = np.empty(0, dtype=np.int64)  # display row -> given position
        self._ids = np.empty(0, dtype=np.int64)  # ids in display order
        self._lookup = np.empty(0, dtype=np.int64)  # id - base -> display row
        self._base = 0
        self._sort = (-1, Qt.SortOrder.AscendingOrder)
        self._status: Callable[[int], Status] = lambda _id: Status.UNREVIEWED
        self.clock = False
        self._show_recording = False

    def show_recording(self, show: bool) -> None:
        """Fill the Recording column (when rows come from several recordings)."""
        if show != self._show_recording:
            self._show_recording = show
            self.recording_shown.emit(show)
            if len(self._ids):
                self.dataChanged.emit(
                    self.index(0, 6), self.index(len(self._ids) - 1, 6)
                )

    def set_detections(
        self, rows: Sequence[Detection], status: Callable[[int], Status]
    ) -> None:
        """Replace all rows (kept sorted by the current sort column)."""
        self.beginResetModel()
        self._rows = rows if isinstance(rows, DetectionList) else list(rows)
        if isinstance(rows, DetectionList):
            self._given = rows.ids
        else:
            self._given = np.fromiter(
                (d.id for d in self._rows), dtype=np.int64, count=len(self._rows)
            )
        self._status = status
        self._order = self._sorted_positions(*self._sort)
        self._index_rows()
        self.endResetModel()

    def detection(self, row: int) -> Detection:
        """The detection in row ``row``."""
        return self._rows[int(self._order[row])]

    def row_of(self, detection_id: int) -> int | None:
        """Row of a detection, or None if not listed."""
        local = int(detection_id) - self._base
        if 0 <= local < len(self._lookup):
            row = int(self._lookup[local])
            return row if row >= 0 else None
        return None

    def ids(self) -> np.ndarray:
        """Detection ids in display order (read-only)."""
        view = self._ids.view()
        view.flags.writeable = False
        return view

    def refresh(self, ids: Sequence[int]) -> None:
        """Repaint the rows of these detections (after a verdict)."""
        rows = [r for r in map(self.row_of, ids) if r is not None]
        if rows:
            last = len(COLUMNS) - 1
            if len(rows) > 64:  # a bulk edit: one signal for the span
                self.dataChanged.emit(
                    self.index(min(rows), 0), self.index(max(rows), last)
                )
                return
            for row in rows:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    # Qt model API -------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ):
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == ID_ROLE:
            return int(self._ids[row])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (0, 1, 4):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role not in _READ_ROLES or (
            role == Qt.ItemDataRole.BackgroundRole and col != 5
        ):
            return None  # Qt asks for many roles per painted cell: answer cheaply
        try:
            d = self.detection(row)
        except (KeyError, IndexError):  # the session was cleared; a refresh follows
            return None
        status = self._status(d.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(d, col, status)
        if role == SORT_ROLE:
            return self._key(d, status)[col]
        if (
            role == Qt.ItemDataRole.BackgroundRole
            and col == 5
            and status != Status.UNREVIEWED
        ):
            return QBrush(status_color(status, 110))
        if role == Qt.ItemDataRole.ToolTipRole:
            return d.label
        return None

    def sort(
        self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        """Sort by a column (stable; -1: the order the rows were given in)."""
        self._sort = (column, order)
        if not len(self._ids):
            return
        self.layoutAboutToBeChanged.emit()
        old_ids = self._ids
        self._order = self._sorted_positions(column, order)
        self._index_rows()
        persistent = self.persistentIndexList()
        if persistent:
            moved = []
            for idx in persistent:
                row = self.row_of(int(old_ids[idx.row()])) if idx.isValid() else None
                moved.append(
                    QModelIndex() if row is None else self.index(row, idx.column())
                )
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    # ------------------------------------------------------------ internal
    def _index_rows(self) -> None:
        self._ids = self._given[self._order]
        if len(self._ids):
            self._base = int(self._ids.min())
            lookup = np.full(int(self._ids.max()) - self._base + 1, -1, dtype=np.int64)
            lookup[self._ids - self._base] = np.arange(len(self._ids))
            self._lookup = lookup
        else:
            self._base, self._lookup = 0, np.empty(0, dtype=np.int64)

    def _sorted_positions(self, column: int, order: Qt.SortOrder) -> np.ndarray:
        n = len(self._given)
        if column < 0 or column >= len(COLUMNS) or n == 0:
            return np.arange(n, dtype=np.int64)
        key = self._sort_key(column)
        if order == Qt.SortOrder.DescendingOrder:
            key = -key
        return np.argsort(key, kind="stable").astype(np.int64)

    def _sort_key(self, column: int) -> np.ndarray:
        """One float per given row whose order is the column's order."""
        rows = self._rows
        if isinstance(rows, DetectionList):
            session = rows.session
            cols = session.columns()
            local = rows.locals()
            if column in (0, 1, 4):
                return (cols.start, cols.end, None, None, cols.score)[column][
                    local
                ].astype(np.float64)
            if column in (2, 3):
                names = session.species_list()
                if column == 2:
                    names = [session.common_name(n) or n for n in names]
                return _ranks(names)[cols.species[local]]
            if column == 5:
                return _ranks([s.value for s in _STATUSES])[cols.status[local]]
            paths = [str(r.path) for r in session.recordings]
            return _ranks(paths)[cols.recording[local]]
        keys = [self._key(d, self._status(d.id))[column] for d in rows]
        if column in (0, 1, 4):
            return np.asarray(keys, dtype=np.float64)
        return _ranks(keys)

    @staticmethod
    def _key(d: Detection, status: Status) -> tuple:
        return (
            d.start,
            d.end,
            d.common_name or d.scientific_name,
            d.scientific_name,
            d.score,
            status.value,
            str(d.recording.path),
        )

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
        # The source sorts itself (numpy); the proxy passes rows through.
        self.proxy = QIdentityProxyModel(self)
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Ctrl+click / Shift+click select many rows for bulk verdicts.
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        # The Recording column only when rows come from several recordings.
        self.setColumnHidden(RECORDING_COLUMN, True)
        self.source.recording_shown.connect(
            lambda shown: self.setColumnHidden(RECORDING_COLUMN, not shown)
        )
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
        self.doubleClicked.connect(
            lambda idx: self.detection_activated.emit(self._id_at(idx))
        )

    def set_detections(
        self, rows: Sequence[Detection], status: Callable[[int], Status]
    ) -> None:
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
        ids = self.source.ids()
        return [int(ids[r]) for r in rows]

    def ordered_ids(self) -> list[int]:
        """Detection ids in the order shown (after sorting)."""
        return self.source.ids().tolist()

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
        det_id = int(self.source.ids()[row])
        self.select_detection(det_id)
        return det_id

    def _id_at(self, idx: QModelIndex) -> int:
        return int(self.source.ids()[idx.row()])

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.detection_selected.emit(self._id_at(current))
