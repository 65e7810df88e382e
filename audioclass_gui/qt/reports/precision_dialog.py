"""Review › Precision per species: how often each species' detections were right.

Precision comes from the verdicts (accepted = correct; rejected or
relabelled = wrong), with the lowest score threshold that reaches the
target precision the reviewer chooses (0.9 by default). Choosing a species
in the table plots its precision against the score threshold (with a 95 %
Wilson interval) above the number of detections that threshold keeps; the
per-species thresholds can be saved as a CSV or applied to the list.

The table is :class:`~audioclass_gui.qt.reports.precision_table.PrecisionTable`,
the plot :class:`~audioclass_gui.qt.reports.precision_plot.PrecisionPlot`, and
applying or saving the thresholds the dialog's
:class:`~audioclass_gui.qt.reports.precision_actions.ThresholdActions` (``actions``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.qt.common.table_items import table_texts
from audioclass_gui.qt.common.tasks import throttled
from audioclass_gui.qt.reports.precision_actions import ThresholdActions
from audioclass_gui.qt.reports.precision_plot import PrecisionPlot
from audioclass_gui.qt.reports.precision_table import PRECISION_COLUMNS, PrecisionTable
from audioclass_gui.review.precision import (
    DEFAULT_TARGET_PRECISION,
    SpeciesThreshold,
    applicable_thresholds,
    detection_scores,
    precision_curve,
    precision_interval,
    species_thresholds,
    species_without_verdicts,
)
from audioclass_gui.review.precision_words import describe_species_threshold

if TYPE_CHECKING:
    from audioclass_gui.review import ReviewSession

__all__ = ["PRECISION_COLUMNS", "PrecisionDialog"]


class PrecisionDialog(QDialog):
    """Per-species precision, its plot and the threshold reaching a target (non-modal, live).

    Parameters
    ----------
    session
        The verdicts.
    parent
        Usually the main window.
    runner
        The window's :class:`~audioclass_gui.qt.common.tasks.TaskRunner`, to write
        the CSV off the GUI thread (written at once without one).
    threshold_in_use
        ``f(scientific_name) -> threshold`` the detection list uses now
        (drawn as a dotted line), if known.
    folder
        Where "Save thresholds CSV…" starts.

    Signals
    -------
    apply_requested(dict, str)
        "Apply to detection list": the per-species thresholds reaching the
        target, and a description of their source.
    saved(object)
        The path of a thresholds CSV written.
    failed(str)
        A message for the user (the CSV could not be written).
    """

    apply_requested = Signal(dict, str)
    saved = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        session: ReviewSession,
        parent: QWidget | None = None,
        *,
        runner=None,
        threshold_in_use: Callable[[str], float | None] | None = None,
        folder: str | Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Precision per species")
        self.session = session
        self.threshold_in_use = threshold_in_use
        self.actions = ThresholdActions(runner, folder, parent=self)
        self._rows: list[SpeciesThreshold] = []
        self._selected: str | None = None

        self.target = QDoubleSpinBox()
        self.target.setRange(0.05, 1.0)
        self.target.setDecimals(2)
        self.target.setSingleStep(0.05)
        self.target.setValue(DEFAULT_TARGET_PRECISION)
        self.target.setToolTip(
            "The precision each species' threshold must reach (0.90: 9 in 10 kept detections right)"
        )
        self.min_reviewed = QSpinBox()
        self.min_reviewed.setRange(1, 1000)
        self.min_reviewed.setValue(1)
        self.min_reviewed.setToolTip(
            "A threshold must rest on at least this many verdicts at or above it "
            "(raise it so one lucky verdict cannot set a threshold)"
        )
        intro = QLabel(
            "Precision = correct ÷ reviewed, counting the reviewed detections that score at or above "
            "a threshold. Accepted counts as correct; rejected or relabelled as wrong; uncertain and "
            "unreviewed detections are not counted. Choose a species to plot it."
        )
        intro.setWordWrap(True)

        self.table = PrecisionTable()
        self.unreviewed_label = QLabel("")
        self.unreviewed_label.setWordWrap(True)

        self.plot = PrecisionPlot()
        self.explanation = QLabel("")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setMinimumHeight(48)
        self.explanation.setAlignment(
            Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
        )

        self.save_button = QPushButton("Save thresholds CSV…")
        self.save_button.setToolTip(
            "Write every listed species' threshold for the target to a CSV file"
        )
        self.apply_button = QPushButton("Apply to detection list")
        self.apply_button.setToolTip(
            "Each species with a threshold ('—' excepted) lists only detections scoring at least its "
            "threshold; the others keep following the threshold slider"
        )
        close_button = QPushButton("Close")
        close_button.clicked.connect(self.close)
        self.status = QLabel("")
        self.status.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("Target precision"))
        top.addWidget(self.target)
        top.addSpacing(24)
        top.addWidget(QLabel("with at least"))
        top.addWidget(self.min_reviewed)
        top.addWidget(QLabel("verdicts at or above the threshold"))
        top.addStretch(1)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.table, 1)
        table_layout.addWidget(self.unreviewed_label)
        plot_box = QWidget()
        plot_layout = QVBoxLayout(plot_box)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        plot_layout.addWidget(self.plot, 1)
        plot_layout.addWidget(self.explanation)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(table_box)
        self.splitter.addWidget(plot_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(intro)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(buttons)
        # The table keeps its columns readable; the plot takes the rest.
        self.splitter.setChildrenCollapsible(False)
        self.plot.setMinimumWidth(420)
        self.setMinimumWidth(1000)
        self.resize(1280, 660)
        self.splitter.setSizes([580, 700])

        self._timer = throttled(self, 200, self.refresh)
        self.target.valueChanged.connect(lambda _v: self.refresh())
        self.min_reviewed.valueChanged.connect(lambda _v: self.refresh())
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.save_button.clicked.connect(self.ask_save)
        self.apply_button.clicked.connect(self.apply)
        self.actions.status.connect(self.status.setText)
        self.actions.apply_requested.connect(self.apply_requested)
        self.actions.saved.connect(self.saved)
        self.actions.failed.connect(self.failed)
        session.status_changed.connect(self._schedule)
        self.refresh()

    # ------------------------------------------------------------- reading
    def rows(self) -> list[tuple[str, ...]]:
        """The table's text, row by row."""
        return table_texts(self.table)

    @property
    def species_rows(self) -> list[SpeciesThreshold]:
        """The per-species thresholds the table shows."""
        return list(self._rows)

    @property
    def selected_species(self) -> str | None:
        """Scientific name of the species plotted."""
        return self._selected

    def thresholds(self) -> dict[str, float]:
        """Per-species thresholds reaching the target (what Apply and the CSV carry)."""
        return applicable_thresholds(self._rows)

    def select_species(self, scientific_name: str) -> bool:
        """Choose a species of the table (as clicking its row does); False if not listed."""
        return self.table.select_species(scientific_name)

    # ------------------------------------------------------------- actions
    def apply(self) -> dict[str, float]:
        """Apply the thresholds reaching the target to the detection list (emits apply_requested)."""
        return self.actions.apply(self.thresholds(), self.target.value())

    def ask_save(self) -> None:
        """Ask where to save the thresholds CSV, then write it."""
        path = self.actions.ask_path(self.target.value(), self)
        if path is not None:
            self.save(path)

    def save(self, path: str | Path) -> None:
        """Write the table's thresholds to ``path`` (atomically, in the runner when there is one)."""
        self.actions.save(path, self._rows)

    # ------------------------------------------------------------ updating
    def refresh(self) -> None:
        """Recompute from the verdicts, keeping the chosen species."""
        self._timer.cancel()
        target = self.target.value()
        rows = sorted(
            species_thresholds(
                self.session, target, min_reviewed=self.min_reviewed.value()
            ),
            key=lambda t: (
                (t.common_name or t.scientific_name).casefold(),
                t.scientific_name,
            ),
        )
        self._rows = rows
        self._selected = self.table.fill(rows, self._selected)
        waiting = species_without_verdicts(self.session)
        self.unreviewed_label.setText(
            ""
            if not waiting
            else f"{len(waiting)} species with detections but no counted verdict yet "
            f"({', '.join(self._name(n) for n in waiting[:4])}{'…' if len(waiting) > 4 else ''}) "
            "are not listed: accept or reject some of their detections."
        )
        self.save_button.setEnabled(bool(rows))
        self.apply_button.setEnabled(bool(self.thresholds()))
        # Every column whole: the table never scrolls sideways (long names are elided).
        self.table.setMinimumWidth(self.table.full_width())
        self.setMinimumWidth(max(1000, self.table.minimumWidth() + self.plot.minimumWidth() + 40))
        self.plot.set_target(target)
        self._draw()

    def _name(self, scientific_name: str) -> str:
        return self.session.common_name(scientific_name) or scientific_name

    def _on_selection(self) -> None:
        chosen, name = self.table.chosen_species()
        if not chosen:
            return
        self._selected = name
        self._draw()

    def _draw(self) -> None:
        """Plot the chosen species and say what the plot means for it."""
        row = next((t for t in self._rows if t.scientific_name == self._selected), None)
        if row is None:
            self.plot.set_title("")
            text = (
                "No verdicts yet. Accept or reject detections (A / R) and each species' precision "
                "appears here as you go."
            )
            self.plot.clear_curve("No verdicts yet")
            self.explanation.setText(text)
            return
        name = row.scientific_name
        common = row.common_name
        self.plot.set_title(f"{common} ({name})" if common and common != name else name)
        curve = precision_curve(self.session, name)
        scores = detection_scores(self.session, name)
        low, high = precision_interval(curve)
        in_use = None if self.threshold_in_use is None else self.threshold_in_use(name)
        self.plot.show_species(
            curve.thresholds,
            curve.precision,
            low,
            high,
            curve.reviewed,
            scores,
            row.threshold,
            in_use,
        )
        words = describe_species_threshold(
            row, curve, scores, min_reviewed=self.min_reviewed.value()
        )
        self.explanation.setText(
            f"<b>{html.escape(self._name(name))}</b>: {html.escape(words)}"
        )

    def _schedule(self, *_args) -> None:
        self._timer.throttle()

    # ------------------------------------------------------------- closing
    def done(self, result: int) -> None:
        self.session.status_changed.disconnect(self._schedule)
        super().done(result)
