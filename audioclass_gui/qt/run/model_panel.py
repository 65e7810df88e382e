"""Model picker, threshold, run options, run and cancel, provenance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.app.run_state import THRESHOLD_FLOOR
from audioclass_gui.models import DEFAULT_MODEL, ModelEntry, RunSettings
from audioclass_gui.qt.common.time_format import (
    LONG_RECORDING,
    TimeFormat,
    format_clock,
)
from audioclass_gui.qt.run.model_options import ModelOptions

__all__ = ["THRESHOLD_FLOOR", "ModelPanel", "describe_provenance"]

_SLIDER_STEPS = 1000


def describe_provenance(
    provenance: dict[str, Any], time_format: TimeFormat | None = None
) -> str:
    """One or two lines saying how a run was made (for the panel).

    Parameters
    ----------
    provenance
        The run's record (model, settings, effective settings, filters).
    time_format
        How the recording's times are written (the time axis's format); a
        run over part of the recording names that part with it.
    """
    model = provenance.get("model_info") or {}
    settings = provenance.get("settings") or {}
    effective = provenance.get("effective") or {}
    filters = provenance.get("filters") or {}
    known = model.get("name") or provenance.get("name") or provenance.get("title")
    if not known:
        return ""  # a run whose file does not say how it was made: nothing to show
    name = f"{known} {model.get('version', '')}".strip()
    parts = [name]
    hop = effective.get("hop_seconds")
    if hop is not None:
        parts.append(f"window every {hop:g} s")
    channel = effective.get("channel")
    if channel not in (None, "mix"):
        parts.append(f"channel {int(channel) + 1}")
    if settings.get("top_k"):
        parts.append(f"top {settings['top_k']}")
    if settings.get("sensitivity", 1.0) != 1.0:
        parts.append(f"sensitivity {settings['sensitivity']:g}")
    species = filters.get("species_list")
    if species:
        parts.append(f"{species['matched']} listed species")
    location = filters.get("location")
    if location:
        week = location["week"]
        when = "all year" if week == -1 else f"week {week}"
        if location.get("applied"):
            parts.append(
                f"location {location['latitude']:.2f}, {location['longitude']:.2f}, {when}: "
                f"{location['species_kept']} species"
            )
        else:
            parts.append("location ignored (" + str(location.get("reason", "")) + ")")
    start, end = settings.get("start", 0.0), settings.get("end")
    if start or end is not None:
        fmt = time_format or TimeFormat()
        start = start or 0.0
        parts.append(
            f"from {fmt.label(start)} to the end" if end is None else fmt.span(start, end)
        )
    return "Run: " + ", ".join(parts)


def _amount(seconds: float) -> str:
    """An amount of audio: ``12 s``, or ``1:02:03`` from ten minutes on."""
    return format_clock(seconds) if seconds >= LONG_RECORDING else f"{seconds:.0f} s"


class ModelPanel(QWidget):
    """Choose a model, set the threshold and options, run it, follow it.

    Signals
    -------
    run_requested(str)
        Run the model with this registry key.
    cancel_requested()
    threshold_changed(float)
        The confidence threshold moved (live).
    species_thresholds_load_requested()
        "Load CSV…" of the per-species thresholds was pressed.
    species_thresholds_clear_requested()
        "Clear" of the per-species thresholds was pressed.
    """

    run_requested = Signal(str)
    cancel_requested = Signal()
    threshold_changed = Signal(float)
    species_thresholds_load_requested = Signal()
    species_thresholds_clear_requested = Signal()

    def __init__(self, entries: list[ModelEntry], parent=None) -> None:
        super().__init__(parent)
        self.model_combo = QComboBox()
        self._registry_count = 0  # the registry's models come first, classifier files after
        self.add_entries(entries)
        default = self.model_combo.findData(DEFAULT_MODEL)
        self.model_combo.setCurrentIndex(max(0, default))

        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(THRESHOLD_FLOOR, 1.0)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setDecimals(2)
        self.threshold_spin.setValue(0.25)
        self.threshold_spin.setToolTip("Show detections with at least this score")
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setRange(
            int(THRESHOLD_FLOOR * _SLIDER_STEPS), _SLIDER_STEPS
        )
        self.threshold_slider.setValue(int(0.25 * _SLIDER_STEPS))

        self.species_load_button = QPushButton("Load CSV…")
        self.species_load_button.setToolTip(
            "Give some species their own threshold from a CSV of per-species thresholds\n"
            "(columns scientific_name and threshold, e.g. saved from Review › Precision per species)"
        )
        self.species_clear_button = QPushButton("Clear")
        self.species_clear_button.setToolTip(
            "Every species follows the threshold slider again"
        )
        self.species_label = QLabel()
        self.species_label.setWordWrap(True)
        self.show_species_thresholds({}, "")

        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Run the model over the open recording (Ctrl+R)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.status = QLabel("Open a recording, pick a model and press Run.")
        self.status.setWordWrap(True)
        self.counts = QLabel("")
        self.counts.setWordWrap(True)
        self.options = ModelOptions()
        self.provenance_label = QLabel("")
        self.provenance_label.setWordWrap(True)
        self.provenance: dict[str, Any] = {}
        #: How the open recording's times are written (the time axis's format).
        self.time_format = TimeFormat()

        form = QFormLayout()
        form.addRow("Model", self.model_combo)
        thr = QHBoxLayout()
        thr.addWidget(self.threshold_slider, 1)
        thr.addWidget(self.threshold_spin)
        form.addRow("Threshold", thr)
        per_species = QVBoxLayout()
        per_species.setContentsMargins(0, 0, 0, 0)
        per_species_buttons = QHBoxLayout()
        per_species_buttons.addWidget(self.species_load_button)
        per_species_buttons.addWidget(self.species_clear_button)
        per_species_buttons.addStretch(1)
        per_species.addLayout(per_species_buttons)
        per_species.addWidget(self.species_label)
        form.addRow("Per-species\nthresholds", per_species)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        # What a reviewer uses on every recording first; the options below.
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.counts)
        layout.addWidget(self.provenance_label)
        layout.addWidget(self.options)
        layout.addStretch(1)

        self.run_button.clicked.connect(lambda: self.run_requested.emit(self.model_key))
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        self.threshold_slider.valueChanged.connect(
            lambda v: self.threshold_spin.setValue(v / _SLIDER_STEPS)
        )
        self.threshold_spin.valueChanged.connect(self._on_spin)
        self.species_load_button.clicked.connect(
            self.species_thresholds_load_requested.emit
        )
        self.species_clear_button.clicked.connect(
            self.species_thresholds_clear_requested.emit
        )

    @property
    def model_key(self) -> str:
        """Registry key of the chosen model."""
        return str(self.model_combo.currentData())

    @property
    def threshold(self) -> float:
        """The confidence threshold."""
        return float(self.threshold_spin.value())

    def set_model(self, key: str) -> bool:
        """Choose a model by key; False if unknown."""
        index = self.model_combo.findData(key)
        if index < 0:
            return False
        self.model_combo.setCurrentIndex(index)
        return True

    def add_entries(self, entries: list[ModelEntry]) -> None:
        """List the registry's models not listed yet (plugins found after the window showed)."""
        for entry in entries:
            if self.model_combo.findData(entry.key) >= 0:
                continue
            at = self._registry_count
            self.model_combo.insertItem(at, entry.title, entry.key)
            self.model_combo.setItemData(at, entry.description, Qt.ItemDataRole.ToolTipRole)
            self._registry_count += 1

    def add_models(self, paths: list) -> None:
        """List classifier files (a project's trained classifiers) after the registry's models."""
        for path in paths:
            key = str(path)
            if self.model_combo.findData(key) >= 0:
                continue
            self.model_combo.addItem(f"Custom classifier: {Path(key).name.removesuffix('.npz')}", key)
            self.model_combo.setItemData(
                self.model_combo.count() - 1, f"Trained in this project: {key}", Qt.ItemDataRole.ToolTipRole
            )

    def set_threshold(self, value: float) -> None:
        """Set the threshold (clamped to the allowed range)."""
        self.threshold_spin.setValue(value)

    def show_species_thresholds(
        self, thresholds: dict[str, float], source: str
    ) -> None:
        """Say which per-species thresholds are active (``{}``: none, all follow the slider)."""
        self.species_clear_button.setEnabled(bool(thresholds))
        if not thresholds:
            self.species_label.setText("None: every species uses the slider.")
            self.species_label.setToolTip("")
            self.threshold_spin.setToolTip("Show detections with at least this score")
            return
        n = len(thresholds)
        self.species_label.setText(
            f"{n} species from {source}; others use the slider."
            if n != 1
            else f"1 species from {source}; others use the slider."
        )
        listed = "\n".join(
            f"{name}: {value:.3f}" for name, value in sorted(thresholds.items())
        )
        self.species_label.setToolTip(
            f"Own thresholds (these ignore the slider):\n{listed}"
        )
        self.threshold_spin.setToolTip(
            "Show detections with at least this score (species without their own threshold)"
        )

    def run_settings(self, **fields: object) -> RunSettings:
        """The run options as :class:`RunSettings` (``fields`` laid over).

        Raises
        ------
        ValueError
            If the options do not make valid settings.
        """
        return self.options.settings(**fields)

    def show_provenance(self, provenance: dict[str, Any]) -> None:
        """Show how the current run was made; the full record as a tooltip."""
        self.provenance = dict(provenance)
        self.provenance_label.setText(
            describe_provenance(provenance, self.time_format) if provenance else ""
        )
        self.provenance_label.setToolTip(
            json.dumps(provenance, indent=1, ensure_ascii=False, default=str)
            if provenance
            else ""
        )

    def set_running(self, running: bool) -> None:
        """Enable Run or Cancel to match the worker's state."""
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.model_combo.setEnabled(not running)
        self.options.setEnabled(not running)
        if running:
            self.progress.setValue(0)
            self.progress.setFormat("loading model…")

    def set_progress(self, fraction: float, done: float, total: float) -> None:
        """Show how far the run has got."""
        self.progress.setValue(int(round(fraction * 1000)))
        self.progress.setFormat(f"{fraction:.0%}  ({_amount(done)} of {_amount(total)})")

    def _on_spin(self, value: float) -> None:
        blocker = self.threshold_slider.blockSignals(True)
        self.threshold_slider.setValue(int(round(value * _SLIDER_STEPS)))
        self.threshold_slider.blockSignals(blocker)
        self.threshold_changed.emit(float(value))
