"""The detection table: one row per listed detection, sortable by any column.

The rows and how each reads live in
:class:`~audioclass_gui.qt.review.detection_table_model.DetectionTableModel`; this
is the view: selection, stepping through the rows in the order shown, and
keeping the selection across a refresh.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QIdentityProxyModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from audioclass_gui.qt.common.time_format import TimeFormat
from audioclass_gui.qt.review.detection_table_model import (
    RECORDING_COLUMN,
    DetectionTableModel,
    Reader,
)
from audioclass_gui.review import Detection

__all__ = ["DetectionTable", "DetectionTableModel"]


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

    def keyboardSearch(self, search: str) -> None:
        """No search by typing: letters are review keys, and rows are found by time.

        Qt's item views jump to the next row whose first column starts with
        the letters typed, reading that column for every row. Here A, R, U...
        are verdicts (the window's actions also run), so each verdict would
        read every listed row (3,000 a recording, far more across a
        project) and could jump the selection.
        """

    def set_time_format(self, time_format: TimeFormat, duration: float = 0.0) -> None:
        """Write Start and End as the time axis does; the columns as wide as those times.

        ``duration``: the recording's length (its last moment is the widest text).
        """
        self.source.time_format = time_format
        width = self.fontMetrics().horizontalAdvance(time_format.text(duration)) + 16
        for col in (0, 1):
            self.setColumnWidth(col, max(70, width))
        self.viewport().update()

    def set_detections(self, rows: Sequence[Detection], read: Reader) -> None:
        """Replace the rows, keeping the selection where possible.

        Parameters
        ----------
        rows
            The listed detections, in the list's order.
        read
            How a detection reads now (see :data:`~audioclass_gui.qt.review.detection_table_model.Reader`).
        """
        current = self.current_id()
        blocker = self.selectionModel().blockSignals(True)
        self.source.set_detections(rows, read)
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
