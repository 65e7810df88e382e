"""File › Export…: the dialog that asks for a format and a place.

The export itself is the app model's (:mod:`audioclass_gui.app.exports`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
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

__all__ = ["FORMAT_CHOICES", "ExportController", "ExportDialog"]

#: (label, format key, the output is a folder)
FORMAT_CHOICES = (
    ("soundevent AOEF (annotation project + model runs)", "aoef", False),
    ("Raven selection tables (per recording + combined)", "raven", True),
    ("Audacity label tracks (one per recording)", "audacity", True),
    ("CSV, one row per verdict", "csv", False),
    ("All of these, and the species thresholds, into a folder", "all", True),
)


#: The tables' rows: (label, key) for the dialog's choice.
ROW_CHOICES = (
    ("Every verdict: accepted, rejected, uncertain (and drawn boxes)", "verdicts"),
    ("Only accepted detections and drawn boxes", "accepted"),
    ("Every detection, with or without a verdict", "all"),
)


class ExportDialog(QDialog):
    """Choose a format, which rows the tables list, and where.

    Signals
    -------
    export_requested(str, str, str)
        Format key, output path, rows (a key of :data:`ROW_CHOICES`).
    """

    export_requested = Signal(str, str, str)

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
        self.path = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("&Format", self.format)
        form.addRow("Table &rows", self.rows)
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
        name = "review-export" if key == "all" else FOLDER_NAMES[key]
        self.path.setText(str(self.default_dir / name))

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
        if self.path.text().strip():
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
        dialog.export_requested.connect(self.export)
        dialog.show()
        return dialog

    def export(self, fmt: str, out: str | Path, rows: str = "verdicts") -> None:
        """Export (see :meth:`audioclass_gui.app.exports.Exports.export`) with the rows chosen."""
        self._exports.export(
            fmt, out, include_unreviewed=rows == "all", only_accepted=rows == "accepted"
        )
