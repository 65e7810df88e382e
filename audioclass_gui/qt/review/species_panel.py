"""The species panel: per-species progress, and the filters of the detection list.

Choosing a species lists its detections across every recording of the
project, best score first (the table is sorted by Score), so one species is
reviewed in one pass: the selection moves to the next unreviewed one after
each verdict, down the table in the order it shows; sort by another column
(e.g. Start) to review in that order instead. The filter
row narrows the list by species, status, score range and recordings: the
open one, all, or any subset of the project's recordings, ticked in a list
("3 of 12 recordings"): the panel's
:class:`~audioclass_gui.qt.review.recording_subset.RecordingSubset` (``subset``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.app.tasks import NewestOnly
from audioclass_gui.qt.common.table_items import table_item
from audioclass_gui.qt.common.tasks import throttled
from audioclass_gui.qt.review.detection_table_model import COLUMNS
from audioclass_gui.qt.review.recording_subset import (
    ALL_RECORDINGS,
    OPEN_RECORDING,
    SOME_RECORDINGS,
    RecordingSubset,
)
from audioclass_gui.review import DetectionFilter, Order, SpeciesSummary, Status

if TYPE_CHECKING:
    from audioclass_gui.app import AppModel
    from audioclass_gui.qt.review.detection_table import DetectionTable

__all__ = [
    "ALL_RECORDINGS",
    "OPEN_RECORDING",
    "SOME_RECORDINGS",
    "SpeciesPanel",
    "SpeciesPanelController",
]

SPECIES_COLUMNS = ("Species", "Detections", "Accepted", "Rejected", "Open")
NAME_ROLE = Qt.ItemDataRole.UserRole + 1
#: How the table is sorted for each list order: (column, direction).
ORDER_SORT = {
    Order.SCORE: (COLUMNS.index("Score"), Qt.SortOrder.DescendingOrder),
    Order.TIME: (COLUMNS.index("Start"), Qt.SortOrder.AscendingOrder),
}
STATUS_CHOICES = (
    ("All statuses", None),
    ("To review", Status.UNREVIEWED),
    ("Accepted", Status.ACCEPTED),
    ("Rejected", Status.REJECTED),
    ("Uncertain", Status.UNCERTAIN),
)


class SpeciesPanel(QWidget):
    """Species counts and the list's filters.

    Attributes
    ----------
    subset : RecordingSubset
        Which recordings the list spans (its combo box is :attr:`recordings`,
        its list :attr:`recording_list`).

    Signals
    -------
    filter_changed()
        The reviewer changed a filter or chose a species; read :meth:`filter`,
        :meth:`order` and :meth:`all_recordings`.
    """

    filter_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(SPECIES_COLUMNS))
        self.table.setHorizontalHeaderLabels(SPECIES_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)  # a long name is elided on one line, in full as tooltip
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.cellClicked.connect(
            lambda row, _c: self.choose_species(self._name_at(row))
        )
        self.table.cellActivated.connect(
            lambda row, _c: self.choose_species(self._name_at(row))
        )

        self.species = QComboBox()
        self.species.addItem("All species", None)
        self.status = QComboBox()
        for text, status in STATUS_CHOICES:
            self.status.addItem(text, status)
        self.min_score = QDoubleSpinBox()
        self.max_score = QDoubleSpinBox()
        for spin, value in ((self.min_score, 0.0), (self.max_score, 1.0)):
            spin.setRange(0.0, 1.0)
            spin.setDecimals(2)
            spin.setSingleStep(0.05)
            spin.setValue(value)
        self.subset = RecordingSubset(self)
        self.reset = QPushButton("Show all")
        scores = QHBoxLayout()
        scores.addWidget(self.min_score)
        scores.addWidget(self.max_score)
        form = QFormLayout()
        form.addRow("Species", self.species)
        form.addRow("Status", self.status)
        form.addRow("Score", scores)
        form.addRow("Recordings", self.recordings)
        form.addRow(self.recording_list)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.reset)
        for combo in (self.species, self.status):
            combo.currentIndexChanged.connect(self.filter_changed)
        self.subset.changed.connect(self.filter_changed)
        for spin in (self.min_score, self.max_score):
            spin.valueChanged.connect(self.filter_changed)
        self.reset.clicked.connect(self.clear_filters)

    # ------------------------------------------------------------ reading
    @property
    def recordings(self) -> QComboBox:
        """The recordings choice: the open one, all, or some (the subset's combo box)."""
        return self.subset.combo

    @property
    def recording_list(self) -> QListWidget:
        """The project's recordings, ticked to list them (shown while "some" is chosen)."""
        return self.subset.ticks

    def filter(self) -> DetectionFilter:
        """The conditions chosen (the window adds the threshold)."""
        species = self.species.currentData()
        status = self.status.currentData()
        high = self.max_score.value()
        return DetectionFilter(
            species=None if species is None else {species},
            statuses=None if status is None else {status},
            min_score=self.min_score.value(),
            max_score=None if high >= 1.0 else high,
            recordings=self.subset.chosen(),
        )

    def order(self) -> Order:
        """Best score first while one species is chosen, else time order."""
        return Order.SCORE if self.species.currentData() is not None else Order.TIME

    def all_recordings(self) -> bool:
        """True when the list spans more than the open recording (all, or a subset)."""
        return self.subset.spans_project()

    def set_summaries(self, summaries: list[SpeciesSummary]) -> None:
        """Show per-species counts (and offer them in the species filter).

        Items are reused and only changed texts are set; the columns are
        sized to their contents once, after the fill (sizing them per item
        made a recount of 60 species take a quarter of a second).
        """
        table = self.table
        header = table.horizontalHeader()
        fit = QHeaderView.ResizeMode.ResizeToContents
        for col in range(1, len(SPECIES_COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        table.setUpdatesEnabled(False)
        table.setRowCount(len(summaries))
        for row, s in enumerate(summaries):
            name = s.common_name or s.scientific_name
            values = (name, s.detections, s.accepted, s.rejected, s.open)
            for col, value in enumerate(values):
                text = str(value)
                item = table.item(row, col)
                if item is None:
                    item = table_item(text, right=bool(col))
                    table.setItem(row, col, item)
                elif item.text() != text:
                    item.setText(text)
                if item.data(NAME_ROLE) != s.scientific_name:
                    item.setData(NAME_ROLE, s.scientific_name)
                    if not col:
                        item.setToolTip(f"{name} ({s.scientific_name})" if name != s.scientific_name else name)
        for col in range(1, len(SPECIES_COLUMNS)):
            header.setSectionResizeMode(col, fit)
        table.setUpdatesEnabled(True)
        chosen = self.species.currentData()
        names = [
            (s.common_name or s.scientific_name, s.scientific_name) for s in summaries
        ]
        offered = [
            (self.species.itemText(i), self.species.itemData(i))
            for i in range(1, self.species.count())
        ]
        if names == offered:
            return
        blocker = self.species.blockSignals(True)
        self.species.clear()
        self.species.addItem("All species", None)
        for s in summaries:
            label = s.common_name or s.scientific_name
            self.species.addItem(label, s.scientific_name)
        index = self.species.findData(chosen)
        self.species.setCurrentIndex(max(0, index))
        self.species.blockSignals(blocker)

    def choose_species(self, scientific_name: str | None) -> None:
        """List one species across every recording, best score first (None: all)."""
        index = self.species.findData(scientific_name)
        blocker = self.species.blockSignals(True)
        self.species.setCurrentIndex(max(0, index))
        self.species.blockSignals(blocker)
        self.subset.follow_species(scientific_name is not None)
        self.filter_changed.emit()

    def clear_filters(self) -> None:
        """Back to every detection of the open recording."""
        widgets = (self.species, self.status, self.min_score, self.max_score)
        blockers = [w.blockSignals(True) for w in widgets]
        self.species.setCurrentIndex(0)
        self.status.setCurrentIndex(0)
        self.subset.reset()
        self.min_score.setValue(0.0)
        self.max_score.setValue(1.0)
        for w, b in zip(widgets, blockers, strict=True):
            w.blockSignals(b)
        self.table.clearSelection()
        self.filter_changed.emit()

    def _name_at(self, row: int) -> str | None:
        item = self.table.item(row, 0)
        return None if item is None else item.data(NAME_ROLE)


class SpeciesPanelController(QObject):
    """Keeps the species panel's counts current and applies its filters."""

    def __init__(
        self, app: AppModel, panel: SpeciesPanel, table: DetectionTable, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.panel = panel
        self._table = table
        self._session = None
        self._offered: tuple[object, list[str]] = (None, [])  # (session key, its paths)
        self._recounts = NewestOnly(app.tasks)  # only the newest recount is shown
        self._timer = throttled(self, 200, self.refresh)
        self.panel.filter_changed.connect(self.apply)
        app.recording_opened.connect(lambda _info: self._watch())
        app.run.finished.connect(lambda _c: self.refresh())
        app.review.thresholds_changed.connect(self._schedule)

    def apply(self) -> None:
        """Give the list the panel's filter.

        Choosing a species sorts the table best score first, back to time
        order when all species are listed again; the reviewer may sort by
        any column after that, and "next" follows the table.
        """
        panel = self.panel
        review, order = self.app.review, panel.order()
        if order != review.order:
            column, direction = ORDER_SORT[order]
            self._table.sortByColumn(column, direction)
        review.set_filter(panel.filter(), order, panel.all_recordings())

    def refresh(self) -> None:
        """Recount per species (at the thresholds, over the project or the recording).

        The count runs in the task runner (it reads the score indexes'
        files); an answer overtaken by a newer recount, or for a session
        since replaced, is dropped.
        """
        session = self.app.document.session
        self.offer_recordings()
        if session is None:
            self._recounts.drop()
            self.panel.set_summaries([])
            return
        f = self.app.review.threshold_filter()
        self._recounts.submit(
            lambda: [s for s in session.species_summary(f) if s.detections],
            self.panel.set_summaries,
            lambda exc: self.app.messages.say(f"Species not recounted: {exc}", 5000),
            still=lambda: self.app.document.session is session,
        )

    def offer_recordings(self) -> None:
        """Offer the session's recordings in the panel's subset list.

        The paths are made again only when the session or its number of
        recordings changes (a recount after each verdict, or each recording
        opened, would otherwise make thousands of paths).
        """
        session = self.app.document.session
        info = self.app.document.info
        key = None if session is None else (id(session), len(session.recordings))
        if key != self._offered[0]:
            paths = (
                []
                if session is None
                else [str(Path(r.path).absolute()) for r in session.recordings]
            )
            self._offered = (key, paths)
        self.panel.subset.set_recordings(
            self._offered[1], None if info is None else str(Path(info.path).absolute())
        )

    def _watch(self) -> None:
        session = self.app.document.session
        if session is not self._session:
            if self._session is not None:
                self._session.status_changed.disconnect(self._schedule)
                self._session.detections_added.disconnect(self._schedule)
            self._session = session
            if session is not None:
                session.status_changed.connect(self._schedule)
                session.detections_added.connect(self._schedule)
            self.refresh()
            self.panel.clear_filters()  # a new review starts unfiltered
        else:
            self.refresh()

    def _schedule(self, *_args) -> None:
        self._timer.throttle()
