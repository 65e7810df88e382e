"""File › Export…: the review in every format users exchange.

The rows are built on the GUI thread (which owns the review session); the
files are written in the task runner, each atomically.
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
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.formats.aoef import (
    build_annotation_project,
    build_model_runs,
    write_aoef,
)
from audioclass_gui.formats.exports import (
    EXPORT_FORMATS,
    FOLDER_NAMES,
    export,
    left_out_target,
    write_left_out,
)
from audioclass_gui.formats.verdict_tables import verdict_rows

if TYPE_CHECKING:
    from audioclass_gui.qt.main_window import MainWindow

__all__ = ["FORMAT_CHOICES", "ExportController", "ExportDialog"]

#: (label, format key, the output is a folder)
FORMAT_CHOICES = (
    ("soundevent AOEF (annotation project + model runs)", "aoef", False),
    ("Raven selection tables (per recording + combined)", "raven", True),
    ("Audacity label tracks (one per recording)", "audacity", True),
    ("CSV, one row per verdict", "csv", False),
    ("All of these, and the species thresholds, into a folder", "all", True),
)
_ALL = EXPORT_FORMATS  # as `audioclass-gui export --format all`


class ExportDialog(QDialog):
    """Choose a format, whether to list unreviewed detections, and where.

    Signals
    -------
    export_requested(str, str, bool)
        Format key, output path, include unreviewed.
    """

    export_requested = Signal(str, str, bool)

    def __init__(self, default_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export review")
        self.default_dir = default_dir
        self.format = QComboBox()
        for label, key, _folder in FORMAT_CHOICES:
            self.format.addItem(label, key)
        self.unreviewed = QCheckBox("Also list detections without a verdict")
        self.path = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("&Format", self.format)
        form.addRow("", self.unreviewed)
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

    def choose(self, fmt: str) -> None:
        """Select a format by key (``aoef``, ``raven``, ``audacity``, ``csv``, ``all``)."""
        self.format.setCurrentIndex(max(0, self.format.findData(fmt)))

    def _is_folder(self) -> bool:
        return FORMAT_CHOICES[self.format.currentIndex()][2]

    def _suggest(self) -> None:
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
                self.format.currentData(),
                self.path.text().strip(),
                self.unreviewed.isChecked(),
            )
            self.accept()


class ExportController(QObject):
    """Runs exports for the window.

    Signals
    -------
    finished(object)
        ``{format: [paths written]}``.
    """

    finished = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def ask(self) -> ExportDialog | None:
        """Show the export dialog (non-modal)."""
        window = self.window
        if window.session is None or not (
            len(window.session) or window.session.boxes()
        ):
            window.report_error(
                "Nothing to export",
                "Open a recording and run a model (or open a project) first.",
            )
            return None
        folder = window.projects.folder
        if folder is not None:
            default = folder
        elif window.info is not None:
            default = window.info.path.parent
        else:
            default = Path.home()
        dialog = ExportDialog(default, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.export_requested.connect(self.export)
        dialog.show()
        return dialog

    def export(
        self, fmt: str, out: str | Path, include_unreviewed: bool = False
    ) -> None:
        """Build the export from the session here; write it in the task runner."""
        session = self.window.session
        if session is None:
            return
        out = Path(out)
        formats = _ALL if fmt == "all" else (fmt,)
        jobs = []
        selections = None
        for key in formats:
            target = out / FOLDER_NAMES[key] if fmt == "all" else out
            if key == "aoef":
                built = (build_annotation_project(session), build_model_runs(session))
                jobs.append(
                    (
                        key,
                        lambda b=built, t=target: _aoef_paths(
                            write_aoef(b[0], b[1], t)
                        ),
                    )
                )
            else:
                if selections is None:
                    selections = verdict_rows(
                        session, include_unreviewed=include_unreviewed
                    )
                jobs.append(
                    (
                        key,
                        lambda k=key, t=target, s=selections: export(
                            session,
                            k,
                            t,
                            include_unreviewed=include_unreviewed,
                            selections=s,
                        ),
                    )
                )
        # Verdicts of recordings that are gone (or another file now) cannot be
        # exported with them: they are listed in a table beside, and said.
        project = self.window.projects.project
        left_out = [g for g in project.left_out() if g.verdicts] if project is not None else []
        if left_out:
            table = left_out_target(out, formats)
            jobs.append(("left_out", lambda: [write_left_out(left_out, table)]))
        self.window.statusBar().showMessage(f"Exporting to {out}…")
        self.window.runner.submit(
            lambda: {key: job() for key, job in jobs},
            lambda written: self._done(written, left_out),
            lambda exc: self.window.report_error("Export failed", f"{out}: {exc}"),
        )

    def _done(self, written: dict, left_out: list) -> None:
        n = sum(len(paths) for key, paths in written.items() if key != "left_out")
        formats = ", ".join(k for k in written if k != "left_out")
        self.window.statusBar().showMessage(f"Exported {n} files ({formats})", 10000)
        if left_out:
            root = self.window.projects.project.root if self.window.projects.project else None
            lines = "\n".join(f"• {g.describe(root)}" for g in left_out)
            self.window.report_error(
                "Verdicts left out of the export",
                f"These verdicts are about recordings that are missing or changed, so "
                f"they are not in the export; they are listed in {written['left_out'][0]}:"
                f"\n{lines}",
            )
        self.finished.emit(written)


def _aoef_paths(result) -> list[Path]:
    return [*result.model_run_paths, result.project_path]
