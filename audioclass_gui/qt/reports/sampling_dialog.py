"""Review › Verification sample…: choose how to draw a sample, see what it will be.

The dialog asks for N detections per species, the score bins (a count of
equal-width bins from the floor to 1, or typed edges), the score floor (the
threshold by default), which species, the seed (shown, so the sample can be
drawn again and documented) and whether detections already reviewed may be
drawn. Before you confirm it lists how many detections each species will
give, bin by bin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.qt.common.table_items import fill_row
from audioclass_gui.qt.common.tasks import debounced
from audioclass_gui.review import Status
from audioclass_gui.review.sample_plan import SampleSettings, new_seed, parse_edges
from audioclass_gui.review.sampling import ReviewQueue

if TYPE_CHECKING:
    from audioclass_gui.review import ReviewSession

__all__ = ["PREVIEW_COLUMNS", "SamplingDialog", "bin_labels", "preview_columns"]

#: The preview's columns; one column per score bin comes before the last.
PREVIEW_COLUMNS = (
    "Species",
    "Detections",
    "Will draw",
    "Already reviewed",
)
NAME_ROLE = Qt.ItemDataRole.UserRole + 1
#: Widest the preview's Species column grows (pixels); longer names are elided.
NAME_WIDTH = 260
#: Widest the preview asks to be (pixels): many bins scroll sideways beyond it.
PREVIEW_WIDTH = 1100


def bin_labels(edges: Sequence[float]) -> list[str]:
    """One label per score bin, its range: ``["0.25–0.44", ..., "0.81–1.00"]``.

    Two decimals, three where an edge needs them (typed edges such as 0.925).
    """
    decimals = 2 if all(abs(e * 100 - round(e * 100)) < 1e-6 for e in edges) else 3
    return [f"{lo:.{decimals}f}–{hi:.{decimals}f}" for lo, hi in zip(edges, edges[1:], strict=False)]


def preview_columns(edges: Sequence[float]) -> list[str]:
    """The preview's header for these bin edges: one column per bin, low to high."""
    return [*PREVIEW_COLUMNS[:3], *bin_labels(edges), PREVIEW_COLUMNS[3]]
#: Which species: every one, the Species panel's choice, or a checked list.
ALL_SPECIES, PANEL_SPECIES, LISTED_SPECIES = range(3)


class SamplingDialog(QDialog):
    """Settings of a verification sample, with a preview of what will be drawn.

    Parameters
    ----------
    session
        The review to draw from.
    threshold
        The default score floor (the list's threshold).
    panel_species
        Scientific name chosen in the Species panel, if any.
    names
        Scientific -> common names for display.
    resume_text
        When a sample exists but is not shown: a description for the
        "Resume" button (None hides it).

    Signals
    -------
    sample_requested(object)
        :class:`SampleSettings` chosen with "Build sample".
    resume_requested()
        The reviewer chose to go back to the existing sample.
    """

    sample_requested = Signal(object)
    resume_requested = Signal()

    def __init__(
        self,
        session: ReviewSession,
        *,
        threshold: float = 0.0,
        panel_species: str | None = None,
        names: Mapping[str, str] | None = None,
        resume_text: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Verification sample")
        self.session = session
        self.names = dict(names or {})
        self.panel_species = panel_species
        #: The queue the current settings give (the preview's).
        self.preview_queue: ReviewQueue | None = None

        self.per_species = QSpinBox()
        self.per_species.setRange(1, 100_000)
        self.per_species.setValue(20)
        self.per_species.setToolTip(
            "Detections to review per species (fewer where a species has fewer)"
        )
        self.bins = QSpinBox()
        self.bins.setRange(1, 50)
        self.bins.setValue(4)
        self.bins.setToolTip("Equal-width score bins from the floor to 1")
        self.edges = QLineEdit()
        self.edges.setPlaceholderText("or type edges, e.g. 0.5, 0.7, 0.9, 1")
        self.edges.setToolTip(
            "Bin edges (they replace the bin count and start the population)"
        )
        self.floor = QDoubleSpinBox()
        self.floor.setRange(0.0, 1.0)
        self.floor.setDecimals(3)
        self.floor.setSingleStep(0.05)
        self.floor.setValue(max(0.0, min(1.0, threshold)))
        self.floor.setToolTip(
            "Lowest score of the detections sampled (default: the threshold)"
        )
        self.seed = QSpinBox()
        self.seed.setRange(0, 999_999)
        self.seed.setValue(new_seed())
        self.seed.setToolTip(
            "The same seed, settings and detections give the same sample"
        )
        self.new_seed = QPushButton("New seed")
        self.include_reviewed = QCheckBox(
            "Include detections already reviewed (their verdicts count)"
        )
        self.include_reviewed.setChecked(True)
        self.include_reviewed.setToolTip(
            "Unticked: draw only from detections without a verdict; the precision is then theirs"
        )

        self.all_species = QRadioButton("All species")
        label = self._label(panel_species) if panel_species else "none chosen"
        self.panel_choice = QRadioButton(
            f"The species chosen in the Species panel ({label})"
        )
        self.panel_choice.setEnabled(panel_species is not None)
        self.listed = QRadioButton("These species:")
        self.species_group = QButtonGroup(self)
        for i, button in enumerate((self.all_species, self.panel_choice, self.listed)):
            self.species_group.addButton(button, i)
        (self.panel_choice if panel_species else self.all_species).setChecked(True)
        self.species_list = QListWidget()
        self.species_list.setMaximumHeight(130)
        for name in sorted(
            session.species_list(), key=lambda n: self._label(n).lower()
        ):
            item = QListWidgetItem(self._label(name))
            item.setData(NAME_ROLE, name)
            item.setToolTip(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked
                if name == panel_species
                else Qt.CheckState.Unchecked
            )
            self.species_list.addItem(item)

        self.preview = QTableWidget(0, len(PREVIEW_COLUMNS))
        self.preview.setHorizontalHeaderLabels(list(PREVIEW_COLUMNS))
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.verticalHeader().hide()
        self._columns = list(PREVIEW_COLUMNS)
        header = self.preview.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Names as wide as they are, up to NAME_WIDTH: longer ones are elided
        # (in full in their tooltip), never squeezed out by the bin columns.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.preview.setWordWrap(False)
        self.preview.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.total = QLabel()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b")
        self.problem.setWordWrap(True)

        bins_row = QHBoxLayout()
        bins_row.addWidget(self.bins)
        bins_row.addWidget(self.edges, 1)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed)
        seed_row.addWidget(self.new_seed)
        seed_row.addStretch(1)
        form = QFormLayout()
        form.addRow("&Detections per species", self.per_species)
        form.addRow("Score bins", bins_row)
        form.addRow("Score &floor", self.floor)
        form.addRow("Seed", seed_row)
        form.addRow("", self.include_reviewed)
        species_box = QVBoxLayout()
        for button in (self.all_species, self.panel_choice, self.listed):
            species_box.addWidget(button)
        species_box.addWidget(self.species_list)
        form.addRow("Species", species_box)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.build_button = buttons.addButton(
            "Build sample", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.build_button.setDefault(True)
        self.resume_button = buttons.addButton(
            resume_text or "Resume sample", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.resume_button.setVisible(resume_text is not None)
        buttons.accepted.connect(self._build)
        buttons.rejected.connect(self.reject)
        self.resume_button.clicked.connect(self._resume)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("What will be drawn:"))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(640, 640)

        self._timer = debounced(self, 120, self.update_preview)
        for spin in (self.per_species, self.bins, self.seed):
            spin.valueChanged.connect(self._schedule)
        self.floor.valueChanged.connect(self._schedule)
        self.edges.textChanged.connect(self._schedule)
        self.include_reviewed.toggled.connect(self._schedule)
        self.species_group.idToggled.connect(lambda *_: self._schedule())
        self.species_list.itemChanged.connect(self._on_item_changed)
        self.new_seed.clicked.connect(lambda: self.seed.setValue(new_seed()))
        self.update_preview()

    # ------------------------------------------------------------ reading
    def _label(self, name: str) -> str:
        common = self.names.get(name, "")
        return f"{common} ({name})" if common else name

    def chosen_species(self) -> tuple[str, ...] | None:
        """Scientific names to sample (None: all)."""
        which = self.species_group.checkedId()
        if which == PANEL_SPECIES and self.panel_species:
            return (self.panel_species,)
        if which == LISTED_SPECIES:
            return tuple(
                self.species_list.item(i).data(NAME_ROLE)
                for i in range(self.species_list.count())
                if self.species_list.item(i).checkState() == Qt.CheckState.Checked
            )
        return None

    def settings(self) -> SampleSettings:
        """The settings chosen (``ValueError`` with a message if they are not valid)."""
        text = self.edges.text().strip()
        bins: int | tuple[float, ...] = parse_edges(text) if text else self.bins.value()
        species = self.chosen_species()
        if species is not None and not species:
            raise ValueError("Tick at least one species.")
        return SampleSettings(
            per_species=self.per_species.value(),
            bins=bins,
            floor=round(self.floor.value(), 6),
            species=species,
            seed=self.seed.value(),
            include_reviewed=self.include_reviewed.isChecked(),
        )

    # ------------------------------------------------------------ preview
    def _schedule(self, *_args) -> None:
        self._timer.throttle()

    def _on_item_changed(self, _item) -> None:
        if not self.listed.isChecked():
            self.listed.setChecked(True)
        self._schedule()

    def update_preview(self) -> None:
        """Draw the sample the settings give and list it per species."""
        self._timer.cancel()
        self.bins.setEnabled(not self.edges.text().strip())
        try:
            settings = self.settings()
            queue = settings.draw(self.session)
        except ValueError as exc:
            self.preview_queue = None
            self.problem.setText(str(exc))
            self.preview.setRowCount(0)
            self.total.setText("")
            self.build_button.setEnabled(False)
            return
        self.preview_queue = queue
        self.problem.setText("")
        self._show_bins(queue.edges)
        edges = queue.edges
        bins = {(lo, hi): b for b, (lo, hi) in enumerate(zip(edges, edges[1:], strict=False))}
        rows: dict[str, list] = {}
        for stratum in queue.strata:  # strata of empty bins are not made: they stay 0
            row = rows.setdefault(
                stratum.scientific_name, [0, 0, [0] * len(bins), [0] * len(bins), 0]
            )
            b = bins[(stratum.low, stratum.high)]
            row[0] += stratum.population
            row[1] += len(stratum.ids)
            row[2][b] = len(stratum.ids)
            row[3][b] = stratum.population
            row[4] += sum(
                self.session.status(i) is not Status.UNREVIEWED for i in stratum.ids
            )
        self.preview.setRowCount(len(rows))
        labels = bin_labels(edges)
        for r, (name, (population, drawn, per_bin, in_bin, reviewed)) in enumerate(
            rows.items()
        ):
            values = (
                self._label(name),
                str(population),
                str(drawn),
                *map(str, per_bin),
                str(reviewed),
            )
            items = fill_row(self.preview, r, values, tooltip=self._label(name))
            for b, (label, k, n) in enumerate(zip(labels, per_bin, in_bin, strict=True)):
                items[3 + b].setToolTip(f"Scores {label}: {k} of {n} detections drawn")
        self._fit_preview()
        already = sum(r[4] for r in rows.values())
        self.total.setText(
            f"{len(queue)} detections of {len(rows)} species, "
            f"{len(labels)} score bin{'s' if len(labels) != 1 else ''}: {', '.join(labels)}"
            + (f"; {already} already reviewed" if already else "")
        )
        self.build_button.setEnabled(len(queue) > 0)
        if not len(queue):
            self.problem.setText(
                "No detections match: lower the floor or choose other species."
            )

    def _show_bins(self, edges: Sequence[float]) -> None:
        """One preview column per score bin, headed by its range."""
        columns = preview_columns(edges)
        if columns == self._columns:
            return
        self._columns = columns
        self.preview.setColumnCount(len(columns))
        self.preview.setHorizontalHeaderLabels(columns)
        for c in range(3, len(columns) - 1):
            self.preview.horizontalHeaderItem(c).setToolTip(
                f"Detections drawn with a score in {columns[c]} (the top bin includes its upper edge)"
            )

    def _fit_preview(self) -> None:
        """Names up to NAME_WIDTH wide; the table as wide as its columns (up to PREVIEW_WIDTH)."""
        table, header = self.preview, self.preview.horizontalHeader()
        wanted = [
            max(table.sizeHintForColumn(c), header.sectionSizeHint(c))
            for c in range(table.columnCount())
        ]
        wanted[0] = min(wanted[0], NAME_WIDTH)
        table.setColumnWidth(0, wanted[0])
        full = sum(wanted) + table.verticalScrollBar().sizeHint().width() + 2 * table.frameWidth()
        table.setMinimumWidth(min(full, PREVIEW_WIDTH))

    def preview_counts(self) -> dict[str, int]:
        """Species -> detections the current settings will draw."""
        return (
            {}
            if self.preview_queue is None
            else self.preview_queue.per_species_counts()
        )

    # ------------------------------------------------------------ results
    def _build(self) -> None:
        try:
            settings = self.settings()
        except ValueError as exc:
            self.problem.setText(str(exc))
            return
        self.sample_requested.emit(settings)
        self.accept()

    def _resume(self) -> None:
        self.resume_requested.emit()
        self.accept()
