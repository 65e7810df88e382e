"""The events table: one row per vocal event of the detection list.

Rows are rendered from the app model's
:class:`~audioclass_gui.app.event_review.EventReview` (its events are numpy
columns); the table sorts them with numpy and tells the app model the order
it shows, which is the order "next event" follows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from audioclass_gui.qt.common.style import STATUS_TEXT, status_color
from audioclass_gui.qt.common.time_format import TimeFormat
from audioclass_gui.review.detection import STATUS_ORDER, Status

if TYPE_CHECKING:
    from audioclass_gui.app.event_review import EventReview

__all__ = ["EVENT_COLUMNS", "EventTable", "EventTableModel", "verdict_text"]

EVENT_COLUMNS = ("Species", "Start", "End", "Windows", "Max score", "Verdict", "Recording")
VERDICT_COLUMN = EVENT_COLUMNS.index("Verdict")
RECORDING_COLUMN = EVENT_COLUMNS.index("Recording")
_NUMERIC = frozenset({1, 2, 3, 4})
Index = QModelIndex | QPersistentModelIndex


def verdict_text(review: EventReview, event: int) -> str:
    """How an event's verdict reads: "Accepted", "To review", or "Mixed: 1 accepted, 2 to review".

    A relabel shared by all windows follows ("Accepted · as Setophaga fusca").
    """
    events = review.events
    assert events is not None
    status = review.status(event)
    if status is None:
        counts = events.verdicts[event]
        parts = [
            f"{int(counts[i])} {'to review' if s is Status.UNREVIEWED else s.value}"
            for i, s in enumerate(STATUS_ORDER)
            if counts[i]
        ]
        text = "Mixed: " + ", ".join(parts)
    else:
        text = "To review" if status is Status.UNREVIEWED else STATUS_TEXT[status]
    label = review.label(event)
    return f"{text} · as {label}" if label else text


class EventTableModel(QAbstractTableModel):
    """Rows of events, in the order of the sort column (numpy, for thousands of rows)."""

    def __init__(self, review: EventReview, parent=None) -> None:
        super().__init__(parent)
        self.review = review
        #: How Start and End are written (the time axis's format).
        self.time_format = TimeFormat()
        self._order = np.empty(0, np.int64)  # display row -> event
        self._row_of = np.empty(0, np.int64)  # event -> display row
        self._sort: tuple[int, Qt.SortOrder] = (1, Qt.SortOrder.AscendingOrder)
        self._names: list[str] = []
        self._paths: list[str] = []

    # ------------------------------------------------------------ reading
    def event_at(self, row: int) -> int:
        """The event shown in ``row``."""
        return int(self._order[row])

    def row_of(self, event: int | None) -> int | None:
        """The row of ``event``, or None."""
        if event is None or not 0 <= event < len(self._row_of):
            return None
        return int(self._row_of[event])

    def order(self) -> np.ndarray:
        """Events in display order."""
        return self._order

    # ------------------------------------------------------------ changes
    def reload(self) -> None:
        """Read the app model's events again (after they were grouped again)."""
        self.beginResetModel()
        session = self.review.session
        events = self.review.events
        if session is None or events is None:
            self._names, self._paths = [], []
        else:
            self._names = [session.common_name(n) or n for n in session.species_list()]
            self._paths = [Path(str(r.path)).name for r in session.recordings]
        self._order = self._sorted(*self._sort)
        self._index()
        self.endResetModel()
        self.review.set_order(self._order)

    def clear(self) -> None:
        """Show no rows (the events are stale until :meth:`reload`)."""
        self.beginResetModel()
        self._order = np.empty(0, np.int64)
        self._index()
        self.endResetModel()

    def refresh(self, events: np.ndarray) -> None:
        """Repaint the rows of these events (their verdicts changed)."""
        last = len(EVENT_COLUMNS) - 1
        for e in np.asarray(events, np.int64):
            row = self.row_of(int(e))
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def spans_recordings(self) -> bool:
        """True when the events come from more than one recording."""
        events = self.review.events
        return events is not None and len(np.unique(events.recording)) > 1

    # ------------------------------------------------------------ Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(EVENT_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return EVENT_COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        events = self.review.events
        if not index.isValid() or events is None or index.row() >= len(self._order):
            return None
        event, col = self.event_at(index.row()), index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and col == VERDICT_COLUMN:
            status = self.review.status(event)
            if status is None or status is Status.UNREVIEWED:
                return None
            return QBrush(status_color(status, 110))
        if role == Qt.ItemDataRole.ToolTipRole:
            span = self.time_format.span(float(events.start[event]), float(events.end[event]))
            return f"{self._names[int(events.species[event])]}, {span}: {verdict_text(self.review, event)}"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return self._names[int(events.species[event])]
        if col in (1, 2):
            return self.time_format.text(float((events.start, events.end)[col - 1][event]))
        if col == 3:
            return str(int(events.windows[event]))
        if col == 4:
            return f"{float(events.max_score[event]):.3f}"
        if col == VERDICT_COLUMN:
            return verdict_text(self.review, event)
        return self._paths[int(events.recording[event])]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (stable); the app model's "next event" follows."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = self._order
        self._order = self._sorted(column, order)
        self._index()
        persistent = self.persistentIndexList()
        moved = [
            self.index(self.row_of(int(old[p.row()])) or 0, p.column()) if p.isValid() else QModelIndex()
            for p in persistent
        ]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
        self.review.set_order(self._order)

    # ------------------------------------------------------------ internal
    def _index(self) -> None:
        self._row_of = np.empty(len(self._order), np.int64)
        self._row_of[self._order] = np.arange(len(self._order))

    def _sorted(self, column: int, order: Qt.SortOrder) -> np.ndarray:
        events = self.review.events
        if events is None or not len(events):
            return np.empty(0, np.int64)
        if column == 0:
            ranks = np.argsort(np.argsort(self._names, kind="stable"))
            key = ranks[events.species].astype(np.float64)
        elif column == RECORDING_COLUMN:
            key = events.recording.astype(np.float64)
        elif column == VERDICT_COLUMN:
            key = self.review.status_codes().astype(np.float64)
        else:
            key = (None, events.start, events.end, events.windows, events.max_score)[column]
            key = np.asarray(key, np.float64)
        if order == Qt.SortOrder.DescendingOrder:
            key = -key
        # Ties (and the recording column) in time order.
        return np.lexsort((events.start, events.recording, key)).astype(np.int64)


class EventTable(QTableView):
    """Sortable table of events.

    Signals
    -------
    event_selected(int)
        The current row changed to this event.
    event_activated(int)
        A row was double-clicked or Enter pressed (play it).
    """

    event_selected = Signal(int)
    event_activated = Signal(int)

    def __init__(self, review: EventReview, parent=None) -> None:
        super().__init__(parent)
        self.source = EventTableModel(review, self)
        self.setModel(self.source)
        self.setSortingEnabled(True)
        self.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)  # the review keys are the window's
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((190, 80, 80, 70, 80, 230)):
            self.setColumnWidth(col, width)
        self.setColumnHidden(RECORDING_COLUMN, True)
        self.selectionModel().currentRowChanged.connect(self._on_current)
        self.doubleClicked.connect(lambda idx: self.event_activated.emit(self.source.event_at(idx.row())))

    def reload(self, selected: int | None) -> None:
        """Show the app model's events again, with ``selected`` selected."""
        blocker = self.selectionModel().blockSignals(True)
        self.source.reload()
        self.selectionModel().blockSignals(blocker)
        self.setColumnHidden(RECORDING_COLUMN, not self.source.spans_recordings())
        self.select_event(selected)

    def select_event(self, event: int | None) -> None:
        """Select the row of ``event`` (without saying so) and scroll to it."""
        row = self.source.row_of(event)
        blocker = self.selectionModel().blockSignals(True)
        if row is None:
            self.clearSelection()
            self.setCurrentIndex(QModelIndex())
        else:
            idx = self.source.index(row, 0)
            self.setCurrentIndex(idx)
            self.selectRow(row)
            self.scrollTo(idx, QAbstractItemView.ScrollHint.EnsureVisible)
        self.selectionModel().blockSignals(blocker)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.event_selected.emit(self.source.event_at(current.row()))
