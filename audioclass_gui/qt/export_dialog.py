"""File › Export…: the dialog that asks for a format and a place.

The export itself is the app model's (:mod:`audioclass_gui.app.exports`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from audioclass_gui.app.exports import Exports
    from audioclass_gui.formats.clip_plan import ClipOptions

__all__ = ["CLIP_CHOICES", "FORMAT_CHOICES", "ExportController", "ExportDialog"]

#: (label, format key, the output is a folder)
FORMAT_CHOICES = (
    ("soundevent AOEF (annotation project + model runs)", "aoef", False),
    ("Raven selection tables (per recording + combined)", "raven", True),
    ("Audacity label tracks (one per recording)", "audacity", True),
    ("CSV, one row per verdict", "csv", False),
    ("Audio clips (WAV or FLAC) with a manifest, by species", "clips", True),
    ("All of these, and the species thresholds, into a folder", "all", True),
    ("Vocal events and their counts per species, site and day (CSV)", "events", True),
)


#: The tables' rows: (label, key) for the dialog's choice.
ROW_CHOICES = (
    ("Every verdict: accepted, rejected, uncertain (and drawn boxes)", "verdicts"),
    ("Only accepted detections and drawn boxes", "accepted"),
    ("Every detection, with or without a verdict", "all"),
)


#: What audio clips are of: (label, key) for the dialog's choice.
CLIP_CHOICES = (
    ("Accepted detections and drawn boxes", "accepted"),
    ("Every verdict (rejected and uncertain as negatives) and boxes", "verdicts"),
    ("Events: accepted detections grouped", "events"),
    ("The selected detection (with its verdict) or box", "selected"),
)


class ExportDialog(QDialog):
    """Choose a format, which rows the tables list, and where.

    Signals
    -------
    export_requested(str, str, str)
        Format key, output path, rows (a key of :data:`ROW_CHOICES`).
    clips_requested(str, object, bool)
        For audio clips instead: the folder, the
        :class:`~audioclass_gui.formats.clip_plan.ClipOptions`, and whether
        only the selected detection or box.
    """

    export_requested = Signal(str, str, str)
    clips_requested = Signal(str, object, bool)

    def __init__(self, default_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export review")
        self.default_dir = default_dir
        self.format = QComboBox()
        for label, key, _folder in FORMAT_CHOICES:
            self.format.addItem(label, key)
        self.rows = QComboBox()
        for label, key in ROW_CHOICES:
            self.rows.addItem(label, key)
        self.rows.setToolTip(
            "Raven, Audacity and CSV tables. Rejected and uncertain rows keep the model's "
            "species, with the verdict in the Verdict column: tools that read only the "
            "species column count them as present."
        )
        self.clips = QComboBox()
        for label, key in CLIP_CHOICES:
            self.clips.addItem(label, key)
        self.clip_format = QComboBox()
        self.clip_format.addItems(["WAV", "FLAC"])
        self.context = QDoubleSpinBox()
        self.context.setRange(0.0, 60.0)
        self.context.setSingleStep(0.5)
        self.context.setSuffix(" s")
        self.context.setToolTip("Audio before and after each clip, within the recording")
        clip_row = QHBoxLayout()
        clip_row.addWidget(self.clip_format)
        clip_row.addWidget(QLabel("context"))
        clip_row.addWidget(self.context)
        self._clip_row = clip_row
        self.measure = QCheckBox("Measure the accepted detections too")
        self.measure.setToolTip(
            "Raven tables: drawn boxes always get Raven's measurement columns (Peak Freq, "
            "Freq 5% / 95%, BW 90%, Dur 90%...); this measures every accepted detection as "
            "well (the spectrogram of each: some hundred 3-s windows a second)"
        )
        self.path = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("&Format", self.format)
        form.addRow("Table &rows", self.rows)
        form.addRow("Raven &measurements", self.measure)
        form.addRow("&Clips of", self.clips)
        form.addRow("Clip files", clip_row)
        self._form = form
        to = QLabel("&To")
        to.setBuddy(self.path)  # the mnemonic goes to the path (a label without one shows "&")
        form.addRow(to, row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Export")
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.format.currentIndexChanged.connect(self._suggest)
        self._suggest()

    def choose_rows(self, rows: str) -> None:
        """Select which rows the tables list (``verdicts``, ``accepted`` or ``all``)."""
        self.rows.setCurrentIndex(max(0, self.rows.findData(rows)))

    def measure_choice(self) -> str:
        """What the Raven tables measure: ``"boxes"``, or ``"accepted"`` (and the boxes)."""
        return "accepted" if self.measure.isChecked() else "boxes"

    def choose_clips(self, key: str) -> None:
        """Select what clips are of (a key of :data:`CLIP_CHOICES`)."""
        self.clips.setCurrentIndex(max(0, self.clips.findData(key)))

    def clip_options(self) -> ClipOptions:
        """The audio clips' options as chosen."""
        from audioclass_gui.formats.clip_plan import ClipOptions

        key = self.clips.currentData()
        return ClipOptions(
            fmt=self.clip_format.currentText().lower(),
            context=self.context.value(),
            statuses=(
                {"accepted"} if key in ("accepted", "events") else {"accepted", "rejected", "uncertain"}
            ),
            kinds={"events"} if key == "events" else {"detections", "boxes"},
        )

    def choose(self, fmt: str) -> None:
        """Select a format by key (``aoef``, ``raven``, ``audacity``, ``csv``, ``all``)."""
        self.format.setCurrentIndex(max(0, self.format.findData(fmt)))

    def _is_folder(self) -> bool:
        return FORMAT_CHOICES[self.format.currentIndex()][2]

    def _suggest(self) -> None:
        from audioclass_gui.formats.exports import (
            FOLDER_NAMES,  # the writers load on demand
        )

        key = self.format.currentData()
        name = "review-export" if key == "all" else FOLDER_NAMES.get(key, key)
        self.path.setText(str(self.default_dir / name))
        clips = key == "clips"
        self._form.setRowVisible(self.measure, key in ("raven", "all"))
        for widget, shown in ((self.rows, not clips), (self.clips, clips)):
            self._form.setRowVisible(widget, shown)
        self._form.setRowVisible(self._clip_row, clips)

    def _browse(self) -> None:
        if self._is_folder():
            chosen = QFileDialog.getExistingDirectory(
                self, "Export into folder", self.path.text()
            )
        else:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
        if chosen:
            self.path.setText(chosen)

    def _ok(self) -> None:
        if self.path.text().strip() and self.format.currentData() == "clips":
            self.clips_requested.emit(
                self.path.text().strip(),
                self.clip_options(),
                self.clips.currentData() == "selected",
            )
            self.accept()
        elif self.path.text().strip():
            self.export_requested.emit(
                self.format.currentData(), self.path.text().strip(), self.rows.currentData()
            )
            self.accept()


class ExportController(QObject):
    """Asks where and how to export; the app model's :class:`~audioclass_gui.app.exports.Exports` writes.

    Signals
    -------
    finished(object)
        ``{format: [paths written]}``.
    """

    finished = Signal(object)

    def __init__(self, exports: Exports, parent: QWidget) -> None:
        super().__init__(parent)
        self._exports = exports
        self._parent = parent
        exports.finished.connect(self.finished.emit)

    def ask(self) -> ExportDialog | None:
        """Show the export dialog (non-modal)."""
        if not self._exports.can_export():
            return None
        dialog = ExportDialog(self._exports.default_folder(), self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.export_requested.connect(
            lambda fmt, out, rows, d=dialog: self.export(fmt, out, rows, d.measure_choice())
        )
        dialog.clips_requested.connect(self._exports.export_clips)
        dialog.show()
        return dialog

    def export(
        self, fmt: str, out: str | Path, rows: str = "verdicts", measure: str = "boxes"
    ) -> None:
        """Export (see :meth:`audioclass_gui.app.exports.Exports.export`) with the rows chosen.

        ``measure``: what the Raven tables measure (``"boxes"``, ``"accepted"``, ``"none"``).
        """
        if fmt == "events":  # "Only accepted": events of accepted windows
            self._exports.export_events(out, only_accepted=rows == "accepted")
            return
        self._exports.export(
            fmt,
            out,
            include_unreviewed=rows == "all",
            only_accepted=rows == "accepted",
            measure=measure,
        )
