"""The detection table's model: one row per listed detection, as the reviewer sees it.

Built for 50,000 rows: the model keeps the listed ids as a numpy array and
reads a :class:`~audioclass_gui.review.Detection` only for the rows Qt
paints; sorting by a column is a numpy sort over the session's columns, not
a Python comparison per pair of rows.

Every cell is rendered from :class:`~audioclass_gui.review.shown.Shown`, the
same description the box labels use: after a relabel the Species cells name
the new species (in italics) and the Status cell says what the model
predicted ("Accepted · was Eurasian Blackbird"); a note shows in the Status
cell after a mark; the tooltip tells everything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont

from audioclass_gui.qt.common.style import STATUS_TEXT, status_color
from audioclass_gui.qt.common.time_format import TimeFormat
from audioclass_gui.review import Detection, DetectionList, Status, Verdict
from audioclass_gui.review.detection import STATUS_ORDER
from audioclass_gui.review.id_positions import IdPositions
from audioclass_gui.review.shown import Shown

__all__ = [
    "COLUMNS",
    "ID_ROLE",
    "RECORDING_COLUMN",
    "SORT_ROLE",
    "DetectionTableModel",
    "Reader",
]

COLUMNS = ("Start", "End", "Species", "Scientific name", "Score", "Status", "Recording")
RECORDING_COLUMN = COLUMNS.index("Recording")
STATUS_COLUMN = COLUMNS.index("Status")
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
        Qt.ItemDataRole.FontRole,
    }
)
#: The Status cell of an open detection with a relabel or a note.
OPEN_WORD = "To review"

#: How a listed detection reads (the review session's verdict applied).
Reader = Callable[[Detection], Shown]

Index = QModelIndex | QPersistentModelIndex


def _unjudged(d: Detection) -> Shown:
    return Shown(d, Verdict(), d.common_name)


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


def status_cell(shown: Shown) -> str:
    """The Status cell's text: the status, then any relabel and note."""
    word = STATUS_TEXT[shown.status]
    if shown.status is Status.UNREVIEWED and (shown.relabelled or shown.note):
        word = OPEN_WORD
    return shown.status_text(word)


class DetectionTableModel(QAbstractTableModel):
    """Rows of detections; how each reads is asked of a :data:`Reader`.

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
        self._rows_of = IdPositions(self._ids)  # id -> display row
        self._sort = (-1, Qt.SortOrder.AscendingOrder)
        self._read: Reader = _unjudged
        #: How times are written: the time axis's format (the window sets it).
        self.time_format = TimeFormat()
        self._show_recording = False
        self._italic = QFont()
        self._italic.setItalic(True)

    def show_recording(self, show: bool) -> None:
        """Fill the Recording column (when rows come from several recordings)."""
        if show != self._show_recording:
            self._show_recording = show
            self.recording_shown.emit(show)
            if len(self._ids):
                self.dataChanged.emit(
                    self.index(0, RECORDING_COLUMN),
                    self.index(len(self._ids) - 1, RECORDING_COLUMN),
                )

    def set_detections(self, rows: Sequence[Detection], read: Reader) -> None:
        """Replace all rows (kept sorted by the current sort column).

        Parameters
        ----------
        rows
            The listed detections, in the list's order.
        read
            How a detection reads now (its verdict, relabel and note applied).
        """
        self.beginResetModel()
        self._rows = rows if isinstance(rows, DetectionList) else list(rows)
        if isinstance(rows, DetectionList):
            self._given = rows.ids
        else:
            self._given = np.fromiter(
                (d.id for d in self._rows), dtype=np.int64, count=len(self._rows)
            )
        self._read = read
        self._order = self._sorted_positions(*self._sort)
        self._index_rows()
        self.endResetModel()

    def detection(self, row: int) -> Detection:
        """The detection in row ``row``."""
        return self._rows[int(self._order[row])]

    def shown(self, row: int) -> Shown:
        """How the detection in row ``row`` reads (what the row shows)."""
        return self._read(self.detection(row))

    def row_of(self, detection_id: int) -> int | None:
        """Row of a detection, or None if not listed."""
        return self._rows_of.position(detection_id)

    def ids(self) -> np.ndarray:
        """Detection ids in display order (read-only)."""
        view = self._ids.view()
        view.flags.writeable = False
        return view

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        """The column the rows are sorted by (-1: as given) and the direction."""
        return self._sort

    def refresh(self, ids: Sequence[int]) -> None:
        """Repaint the rows of these detections (after a verdict, relabel or note)."""
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
        if (
            role not in _READ_ROLES
            or (role == Qt.ItemDataRole.BackgroundRole and col != STATUS_COLUMN)
            or (role == Qt.ItemDataRole.FontRole and col not in (2, 3))
        ):
            return None  # Qt asks for many roles per painted cell: answer cheaply
        try:
            shown = self.shown(row)
        except (KeyError, IndexError):  # the session was cleared; a refresh follows
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(shown, col)
        if role == SORT_ROLE:
            return self._key(shown)[col]
        if role == Qt.ItemDataRole.BackgroundRole:
            if shown.status != Status.UNREVIEWED:
                return QBrush(status_color(shown.status, 110))
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._italic if shown.relabelled else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return shown.tooltip(self.time_format.span)
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
        self._rows_of = IdPositions(self._ids)

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
            if column in (2, 3):  # the species shown: the relabel, else the prediction
                names = session.species_list()
                if column == 2:
                    names = [session.common_name(n) or n for n in names]
                label = cols.label[local]
                species = np.where(label >= 0, label, cols.species[local])
                return _ranks(names)[species]
            if column == STATUS_COLUMN:
                return _ranks([s.value for s in _STATUSES])[cols.status[local]]
            paths = [str(r.path) for r in session.recordings]
            return _ranks(paths)[cols.recording[local]]
        keys = [self._key(self._read(d))[column] for d in rows]
        if column in (0, 1, 4):
            return np.asarray(keys, dtype=np.float64)
        return _ranks(keys)

    @staticmethod
    def _key(shown: Shown) -> tuple:
        d = shown.detection
        return (
            d.start,
            d.end,
            shown.name,
            shown.scientific_name,
            d.score,
            shown.status.value,
            str(d.recording.path) if d.recording is not None else "",
        )

    def _display(self, shown: Shown, col: int) -> str:
        d = shown.detection
        if col in (0, 1):
            t = d.start if col == 0 else d.end
            return self.time_format.text(t)
        if col == 2:
            return shown.name
        if col == 3:
            return shown.scientific_name
        if col == 4:
            return f"{d.score:.3f}"
        if col == RECORDING_COLUMN:
            if not self._show_recording or d.recording is None:
                return ""
            return Path(str(d.recording.path)).name
        return status_cell(shown)
