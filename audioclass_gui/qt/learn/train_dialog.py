"""Review › Train a classifier…: pick species, see the examples, train, see the held-out figures, save.

The dialog renders from ``app.learning`` and sends it intents: ticking
species asks for the examples joined to the embeddings (shown before
training: examples per species, balance, what is left out); Train
cross-validates and fits in the background; the precision and recall per
species with their 95 % intervals are shown before the classifier is
used; "Save and use" writes it into the project's ``classifiers`` folder
(it then appears in the Model panel), "Save as…" anywhere. Once saved it
can be run over the project's embeddings, and its least sure windows
reviewed; retraining after more verdicts takes seconds.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from audioclass_gui.app.learning import Learning
    from audioclass_gui.learn import ClassifierFile, CrossValidation, TrainingSet

__all__ = ["TrainDialog", "figure"]


def figure(value: float, interval: tuple[float, float]) -> str:
    """ "0.92 (0.85–0.96)", or "n/a"."""
    if math.isnan(value):
        return "n/a"
    return f"{value:.2f} ({interval[0]:.2f}–{interval[1]:.2f})"


class TrainDialog(QDialog):
    """Train a classifier from the project's verdicts (non-modal).

    Signals
    -------
    saved(object)
        Path of the classifier file written.
    """

    saved = Signal(object)

    def __init__(self, learning: Learning, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train a classifier from your verdicts")
        self.learning = learning
        self.training: TrainingSet | None = None
        self.model: ClassifierFile | None = None
        self.path: Path | None = None

        self.species = QListWidget()
        for sci, common, n in learning.training.species_choices():
            item = QListWidgetItem(f"{common or sci} ({sci}) — {n} accepted window(s)")
            item.setData(Qt.ItemDataRole.UserRole, sci)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.species.addItem(item)
        self.species.setMaximumHeight(120)
        self.summary = QLabel("Tick the species to learn.")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folds = QSpinBox()
        self.folds.setRange(2, 10)
        self.folds.setValue(5)
        self.folds.setToolTip("Cross-validation folds (by recording when there are enough recordings)")
        self.train_button = QPushButton("Train")
        self.train_button.setEnabled(False)
        self.state = QLabel("")
        self.figures = QTableWidget(0, 4)
        self.figures.setHorizontalHeaderLabels(
            ["Species", "Precision (95 % interval)", "Recall (95 % interval)", "Held-out test"]
        )
        self.figures.verticalHeader().hide()
        self.figures.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.figures.horizontalHeader().setStretchLastSection(True)
        self.figures.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.name = QLineEdit()
        self.name.setPlaceholderText("classifier name")
        self.save_button = QPushButton("Save and use")
        self.save_as_button = QPushButton("Save as…")
        self.run_button = QPushButton("Run over the project")
        self.least_button = QPushButton("Review what it is least sure of")
        for b in (self.save_button, self.save_as_button, self.run_button, self.least_button):
            b.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>1.</b> Species to learn (from the windows you accepted):"))
        layout.addWidget(self.species)
        layout.addWidget(QLabel("<b>2.</b> Examples (accepted = positive; rejected or another species = negative):"))
        layout.addWidget(self.summary)
        row = QHBoxLayout()
        row.addWidget(QLabel("Folds"))
        row.addWidget(self.folds)
        row.addWidget(self.train_button)
        row.addWidget(self.state, 1)
        layout.addLayout(row)
        layout.addWidget(QLabel("<b>3.</b> Cross-validated figures (measured on examples held out of training):"))
        layout.addWidget(self.figures, 1)
        save = QHBoxLayout()
        save.addWidget(QLabel("Name"))
        save.addWidget(self.name, 1)
        save.addWidget(self.save_button)
        save.addWidget(self.save_as_button)
        layout.addLayout(save)
        use = QHBoxLayout()
        use.addStretch(1)
        use.addWidget(self.run_button)
        use.addWidget(self.least_button)
        layout.addLayout(use)
        self.resize(720, 560)

        self.species.itemChanged.connect(lambda _i: self.update_examples())
        self.train_button.clicked.connect(self.train)
        self.save_button.clicked.connect(lambda: self.save())
        self.save_as_button.clicked.connect(self._ask_save)
        self.run_button.clicked.connect(lambda: self.path and learning.training.run_classifier(self.path))
        self.least_button.clicked.connect(lambda: self.path and learning.training.least_sure(self.path))
        learning.training_ready.connect(self._on_ready)
        learning.trained.connect(self._on_trained)
        learning.classifier_saved.connect(self._on_saved)

    # ------------------------------------------------------------ intents
    def chosen(self) -> list[str]:
        """The ticked species (scientific names)."""
        return [
            self.species.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.species.count())
            if self.species.item(i).checkState() == Qt.CheckState.Checked
        ]

    def choose(self, names: list[str]) -> None:
        """Tick these species (and only these)."""
        self.species.blockSignals(True)
        for i in range(self.species.count()):
            item = self.species.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in names
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.species.blockSignals(False)
        self.update_examples()

    def update_examples(self) -> None:
        """Ask for the examples of the ticked species (shown when ready)."""
        self.training, self.model = None, None
        self.figures.setRowCount(0)  # figures of another choice of species
        for b in (self.train_button, self.save_button, self.save_as_button):
            b.setEnabled(False)
        chosen = self.chosen()
        if not chosen:
            self.summary.setText("Tick the species to learn.")
            return
        if not self.name.isModified():
            self.name.setText("-".join(s.split()[-1] for s in chosen)[:60])
        self.summary.setText("Finding the examples' embeddings…")
        self.learning.training.prepare_training(chosen)

    def train(self) -> None:
        """Cross-validate and fit in the background."""
        if self.training is None:
            return
        self.train_button.setEnabled(False)
        self.state.setText("Training…")
        self.learning.training.train(self.training, folds=self.folds.value())

    def save(self, path: str | Path | None = None) -> None:
        """Write the classifier (default: the project's classifiers folder)."""
        if self.model is None:
            return
        target = Path(path) if path else self.learning.training.default_classifier_path(self.name.text() or "classifier")
        if target is None:
            return
        self.learning.training.save_classifier(self.model, target)

    def _ask_save(self) -> None:
        default = self.learning.training.default_classifier_path(self.name.text() or "classifier")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save classifier", str(default or ""), "Classifier (*.npz)"
        )
        if path:
            self.save(path)

    # ------------------------------------------------------------ events
    def _on_ready(self, training: TrainingSet) -> None:
        if list(training.species) != self.chosen():
            return  # an older request
        self.training = training
        lines = training.summary.lines()
        self.summary.setText("\n".join(lines))
        ok = all(c.positive and c.negative for c in training.summary.species.values())
        self.train_button.setEnabled(ok)
        if not ok:
            self.state.setText("Each species needs accepted and rejected (or other) windows.")
        else:
            self.state.setText("")

    def _on_trained(self, model: ClassifierFile) -> None:
        if self.training is None or list(model.species) != list(self.training.species):
            return
        self.model = model
        self.train_button.setEnabled(True)
        self.state.setText("Trained: check the figures before using it.")
        self.show_figures(model.cross_validation, model.training.get("species", {}))
        self.save_button.setEnabled(True)
        self.save_as_button.setEnabled(True)

    def show_figures(self, figures: list[CrossValidation], counts: dict) -> None:
        """One row per species: precision and recall with their intervals, and the test."""
        self.figures.setRowCount(len(figures))
        for row, cv in enumerate(figures):
            c = counts.get(cv.species, {})
            test = (
                f"{cv.folds}-fold, {'by recording' if cv.by_recording else 'by window'}; "
                f"{c.get('positive', '?')} positive, {c.get('negative', '?')} negative"
                if cv.folds
                else "too few examples"
            )
            common = self.model.common_names.get(cv.species, "") if self.model is not None else ""
            values = [
                f"{common} ({cv.species})" if common else cv.species,
                figure(cv.precision, cv.precision_interval),
                figure(cv.recall, cv.recall_interval),
                test,
            ]
            for col, text in enumerate(values):
                self.figures.setItem(row, col, QTableWidgetItem(text))

    def _on_saved(self, path: Path) -> None:
        if self.model is None:
            return
        self.path = Path(path)
        self.state.setText(f"Saved to {path}; it is in the Model panel's list.")
        self.run_button.setEnabled(True)
        self.least_button.setEnabled(True)
        self.saved.emit(self.path)
