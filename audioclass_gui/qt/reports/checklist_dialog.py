"""Reports › eBird checklists and iNaturalist observations…: the dialog and its menu entry.

The dialog asks where the files go, where the sites are (a sites CSV;
the project folder's ``sites.csv`` is offered when there is one), what
counts and how eBird's Number is filled; the writing is the app's
(:class:`~audioclass_gui.app.checklists.ChecklistExports`, a task off the
GUI thread). The command line's other options (protocol details, time
zone, clip format and context) keep their defaults here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.qt.reports.activity_actions import reports_menu

if TYPE_CHECKING:
    from audioclass_gui.app import AppModel
    from audioclass_gui.app.checklists import ChecklistExports
    from audioclass_gui.formats.checklists import ChecklistOptions

__all__ = ["COUNT_CHOICES", "SOURCE_CHOICES", "ChecklistDialog", "ChecklistReports"]

#: (label, key) of what the checklists count.
SOURCE_CHOICES = (
    ("Accepted verdicts", "accepted"),
    ("Detections at the list's thresholds (rejected ones left out)", "detections"),
)
#: (label, key) of eBird's Number.
COUNT_CHOICES = (
    ("1 (at least one individual heard)", "one"),
    ("X (present, not counted)", "x"),
    ("Number of vocal events (calling bouts, not individuals)", "events"),
)
#: (label, key) of eBird's protocol.
PROTOCOL_CHOICES = (("Stationary (with start time and minutes of audio)", "stationary"),
                    ("Incidental", "incidental"))


def _combo(choices: tuple[tuple[str, str], ...]) -> QComboBox:
    box = QComboBox()
    for label, key in choices:
        box.addItem(label, key)
    return box


def _path_row(edit: QLineEdit, choose) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    button = QPushButton("Choose…")
    button.clicked.connect(choose)
    layout.addWidget(button)
    return row


class ChecklistDialog(QDialog):
    """Where and how to write the checklists; OK hands them to ``exports``.

    Parameters
    ----------
    app
        The window's app model (its review thresholds count in "detections").
    exports
        Writes the files.
    parent
        The main window.
    """

    def __init__(
        self, app: AppModel, exports: ChecklistExports, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.app, self.exports = app, exports
        self.setWindowTitle("eBird checklists and iNaturalist observations")
        self.folder_edit = QLineEdit(str(exports.default_folder()))
        sites = exports.default_sites()
        self.sites_edit = QLineEdit("" if sites is None else str(sites))
        self.sites_edit.setPlaceholderText("none: the recordings' GUANO positions")
        self.source_combo = _combo(SOURCE_CHOICES)
        self.count_combo = _combo(COUNT_CHOICES)
        self.protocol_combo = _combo(PROTOCOL_CHOICES)
        self.clips_check = QCheckBox("Also write the observations' audio clips (WAV)")
        form = QFormLayout()
        form.addRow("Folder", _path_row(self.folder_edit, self._choose_folder))
        form.addRow("Sites CSV", _path_row(self.sites_edit, self._choose_sites))
        form.addRow("Species from", self.source_combo)
        form.addRow("eBird count", self.count_combo)
        form.addRow("eBird protocol", self.protocol_combo)
        form.addRow("", self.clips_check)
        note = QLabel(
            "One eBird checklist per site and day (eBird Record Format, for eBird's "
            "import) and one iNaturalist observation per species, site and day: the "
            "accepted detection with the highest score. Nothing is uploaded."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder for the files", self.folder_edit.text())
        if path:
            self.folder_edit.setText(path)

    def _choose_sites(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Sites CSV (site,latitude,longitude[,location])", self.sites_edit.text(),
            "CSV files (*.csv);;All files (*)",
        )
        if path:
            self.sites_edit.setText(path)

    def options(self) -> ChecklistOptions:
        """The options the dialog shows now."""
        from audioclass_gui.formats.checklists import ChecklistOptions
        from audioclass_gui.formats.ebird import EbirdOptions

        limits = self.app.review.threshold_filter()
        return ChecklistOptions(
            source=self.source_combo.currentData(),
            threshold=limits.min_score,
            thresholds=dict(limits.thresholds),
            ebird=EbirdOptions(
                count=self.count_combo.currentData(), protocol=self.protocol_combo.currentData()
            ),
            clips=self.clips_check.isChecked(),
        )

    def accept(self) -> None:
        """Hand the options to the exports and close (an empty folder keeps it open)."""
        folder = self.folder_edit.text().strip()
        if not folder:
            self.folder_edit.setFocus()
            return
        sites = self.sites_edit.text().strip() or None
        if self.exports.export(Path(folder), self.options(), sites):
            super().accept()


class ChecklistReports(QObject):
    """The Reports menu's entry; opens :class:`ChecklistDialog` for the open project.

    Attributes
    ----------
    action : QAction
    exports : ChecklistExports
    dialog : ChecklistDialog or None
        The dialog while it is shown.
    """

    def __init__(self, app: AppModel, main: QMainWindow) -> None:
        from audioclass_gui.app.checklists import ChecklistExports

        super().__init__(main)
        self.app, self.main = app, main
        self.exports = ChecklistExports(app)
        self.dialog: ChecklistDialog | None = None
        self.action = reports_menu(main).addAction("&eBird checklists and iNaturalist observations…")
        self.action.setStatusTip(
            "Files to import into eBird (one checklist per site and day) and iNaturalist "
            "(the best accepted detection per species), with the clips' names"
        )
        self.action.triggered.connect(self.open)
        main.addAction(self.action)

    def open(self) -> ChecklistDialog | None:
        """Show the dialog (None, said, without detections)."""
        session = self.app.document.session
        if session is None or not len(session):
            self.app.messages.say("Open a project with detections first.", 5000)
            return None
        self.dialog = ChecklistDialog(self.app, self.exports, self.main)
        self.dialog.finished.connect(self._forget)
        self.dialog.open()
        return self.dialog

    def _forget(self, *_args) -> None:
        self.dialog = None
