"""The run options of the model panel, turned into a RunSettings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from audioclass_gui.audio.resample import DEFAULT_RESAMPLER, RESAMPLERS
from audioclass_gui.models.settings import RunSettings, read_species_list

__all__ = ["LANGUAGES", "RESAMPLER_TEXTS", "ModelOptions"]

#: Language codes offered for common names (BirdNET-Analyzer's label files).
LANGUAGES = (
    "af", "ar", "cs", "da", "de", "es", "fi", "fr", "hu", "it", "ja", "ko", "nl",
    "no", "pl", "pt", "ro", "ru", "sk", "sl", "sv", "th", "tr", "uk", "zh",
)  # fmt: skip


#: What the resampler choices are called in the panel.
RESAMPLER_TEXTS = {
    "kaiser_fast": "BirdNET-Analyzer's (kaiser_fast)",
    "soxr_vhq": "High quality (soxr VHQ)",
}


class ModelOptions(QGroupBox):
    """Overlap, channel, top-k, sensitivity, species list, location, language, resampler.

    Signals
    -------
    problem(str)
        A chosen species list could not be read: a message for the user.
    """

    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Options", parent)
        self.setCheckable(False)
        self.species: tuple[str, ...] | None = None
        self.species_path: Path | None = None

        self.overlap_spin = QDoubleSpinBox()
        self.overlap_spin.setRange(0.0, 2.9)
        self.overlap_spin.setSingleStep(0.5)
        self.overlap_spin.setDecimals(2)
        self.overlap_spin.setSuffix(" s")
        self.overlap_spin.setToolTip(
            "Overlap of consecutive windows: 1.5 s with BirdNET's 3 s windows "
            "gives a window every 1.5 s"
        )
        self.channel_combo = QComboBox()
        self.set_channels(1)
        self.channel_combo.setToolTip("Analyse one channel, or mix all channels down")
        self.top_k_spin = QSpinBox()
        self.top_k_spin.setRange(0, 50)
        self.top_k_spin.setSpecialValueText("all")
        self.top_k_spin.setToolTip("Keep at most this many species per window")
        self.sensitivity_spin = QDoubleSpinBox()
        self.sensitivity_spin.setRange(0.5, 1.5)
        self.sensitivity_spin.setSingleStep(0.05)
        self.sensitivity_spin.setValue(1.0)
        self.sensitivity_spin.setToolTip(
            "BirdNET's detection sensitivity (as in BirdNET-Analyzer 2): "
            "higher gives higher scores; 1 is neutral"
        )
        self.range_check = QCheckBox("Visible part only")
        self.range_check.setToolTip(
            "Run the model over the part of the recording on screen"
        )

        self.species_label = QLabel("all species")
        self.species_label.setWordWrap(True)
        self.species_button = QPushButton("Species list…")
        self.species_button.setToolTip(
            "A text file of scientific names, one per line "
            "('Genus species' or BirdNET's 'Genus species_Common Name')"
        )
        self.species_clear = QPushButton("Clear")
        self.species_clear.setEnabled(False)

        self.location_check = QCheckBox("Filter by location and season")
        self.location_check.setToolTip(
            "Keep only species BirdNET's location model expects at this site "
            "and week. Coordinates stored in the recording take precedence."
        )
        self.lat_spin = QDoubleSpinBox()
        self.lat_spin.setRange(-90.0, 90.0)
        self.lat_spin.setDecimals(4)
        self.lon_spin = QDoubleSpinBox()
        self.lon_spin.setRange(-180.0, 180.0)
        self.lon_spin.setDecimals(4)
        self.week_spin = QSpinBox()
        self.week_spin.setRange(0, 48)
        self.week_spin.setSpecialValueText("all year")
        self.week_spin.setToolTip(
            "Week of the year, BirdNET's 48-week calendar (4 per month)"
        )
        self.location_threshold_spin = QDoubleSpinBox()
        self.location_threshold_spin.setRange(0.01, 0.99)
        self.location_threshold_spin.setSingleStep(0.01)
        self.location_threshold_spin.setValue(0.03)
        self.location_threshold_spin.setToolTip(
            "A species passes when its occurrence score is at least this"
        )
        self.language_combo = QComboBox()
        self.language_combo.addItem("model's own", None)
        for code in LANGUAGES:
            self.language_combo.addItem(code, code)
        self.language_combo.setToolTip(
            "Language of common names; needs a label file for it "
            "(see the README, 'Common names in other languages')"
        )

        self.embeddings_check = QCheckBox("Keep embeddings")
        self.embeddings_check.setToolTip(
            "Runs also store the model's embedding of every window in the project "
            "(BirdNET: 2.5 GB per 1,000 hours), for Find similar and training. Run on all "
            "recordings analyses again the recordings analysed earlier without them."
        )
        self.resampler_combo = QComboBox()
        for name in RESAMPLERS:
            self.resampler_combo.addItem(RESAMPLER_TEXTS.get(name, name), name)
        self.resampler_combo.setCurrentIndex(self.resampler_combo.findData(DEFAULT_RESAMPLER))
        self.resampler_combo.setToolTip(
            "How recordings not at the model's rate (48 kHz for BirdNET) are resampled. "
            "BirdNET-Analyzer's gives its scores (and those of thresholds published "
            "for it); soxr VHQ is closer to ideal, and its scores differ from "
            "BirdNET-Analyzer's on recordings below 44.1 kHz."
        )

        form = QFormLayout(self)
        form.addRow("Overlap", self.overlap_spin)
        form.addRow("Channel", self.channel_combo)
        form.addRow("Top species", self.top_k_spin)
        form.addRow("Sensitivity", self.sensitivity_spin)
        form.addRow(self.range_check)
        species = QHBoxLayout()
        species.addWidget(self.species_button)
        species.addWidget(self.species_clear)
        form.addRow(species)
        form.addRow("Species", self.species_label)
        form.addRow(self.location_check)
        where = QHBoxLayout()
        where.addWidget(self.lat_spin)
        where.addWidget(self.lon_spin)
        form.addRow("Lat, lon", where)
        form.addRow("Week", self.week_spin)
        form.addRow("Location threshold", self.location_threshold_spin)
        form.addRow("Names", self.language_combo)
        form.addRow("Resampling", self.resampler_combo)
        form.addRow(self.embeddings_check)

        self.species_button.clicked.connect(self._ask_species)
        self.species_clear.clicked.connect(self.clear_species_list)
        self.location_check.toggled.connect(self._enable_location)
        self._enable_location(False)

    # ------------------------------------------------------------ setters
    def set_channels(self, count: int) -> None:
        """Offer 'Mix' plus one entry per channel of the open recording."""
        current = (
            self.channel_combo.currentData() if self.channel_combo.count() else None
        )
        self.channel_combo.clear()
        self.channel_combo.addItem("Mix all" if count > 1 else "Mono", None)
        for i in range(count if count > 1 else 0):
            self.channel_combo.addItem(f"Channel {i + 1}", i)
        index = self.channel_combo.findData(current) if current is not None else 0
        self.channel_combo.setCurrentIndex(max(0, index))
        self.channel_combo.setEnabled(count > 1)

    def set_species_list(self, path: str | Path) -> bool:
        """Read a species list file; on failure emit :attr:`problem`."""
        try:
            species = read_species_list(path)
        except ValueError as exc:
            self.problem.emit(str(exc))
            return False
        self.species, self.species_path = species, Path(path)
        self.species_label.setText(f"{len(species)} from {self.species_path.name}")
        self.species_label.setToolTip(
            "\n".join(species[:40]) + ("\n…" if len(species) > 40 else "")
        )
        self.species_clear.setEnabled(True)
        return True

    def clear_species_list(self) -> None:
        """Allow all species again."""
        self.species, self.species_path = None, None
        self.species_label.setText("all species")
        self.species_label.setToolTip("")
        self.species_clear.setEnabled(False)

    def set_location(self, latitude: float, longitude: float, week: int = -1) -> None:
        """Turn the location filter on for a site and week (-1: all year)."""
        self.lat_spin.setValue(latitude)
        self.lon_spin.setValue(longitude)
        self.week_spin.setValue(max(0, week))
        self.location_check.setChecked(True)

    @property
    def keep_embeddings(self) -> bool:
        """Whether runs keep the embeddings in the project's store."""
        return self.embeddings_check.isChecked()

    # ------------------------------------------------------------ result
    def settings(self, **fields: object) -> RunSettings:
        """The options as a :class:`RunSettings` (extra fields laid over)."""
        week = self.week_spin.value()
        location = self.location_check.isChecked()
        values: dict[str, object] = {
            "overlap_seconds": self.overlap_spin.value(),
            "channel": self.channel_combo.currentData(),
            "top_k": self.top_k_spin.value() or None,
            "sensitivity": round(self.sensitivity_spin.value(), 4),
            "species_list": self.species,
            "species_list_name": self.species_path.name if self.species_path else None,
            "latitude": self.lat_spin.value() if location else None,
            "longitude": self.lon_spin.value() if location else None,
            "week": (week or -1) if location else None,
            "location_threshold": round(self.location_threshold_spin.value(), 4),
            "language": self.language_combo.currentData(),
            "use_recording_location": location,
            "resampler": self.resampler_combo.currentData(),
        }
        values.update(fields)
        return RunSettings(**values)  # type: ignore[arg-type]

    def _ask_species(self) -> None:
        start = str(self.species_path.parent) if self.species_path else ""
        path, _ = QFileDialog.getOpenFileName(
            self, "Species list", start, "Text files (*.txt *.csv);;All files (*)"
        )
        if path:
            self.set_species_list(path)

    def _enable_location(self, on: bool) -> None:
        for widget in (
            self.lat_spin,
            self.lon_spin,
            self.week_spin,
            self.location_threshold_spin,
        ):
            widget.setEnabled(on)
