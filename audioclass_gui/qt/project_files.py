"""File menu entries for projects made of chosen files, and for imports.

*File › New project from recordings…* makes a review project of any list of
recordings, kept in a project file of the reviewer's choice. *File › Import
predictions…* and *File › Import a review…* add files from anywhere to the
open project: model runs, prediction sets and BirdNET-Analyzer tables, or an
exported annotation project to continue. Files are read in the task runner;
only the finished result reaches the project on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from audioclass_gui.audio.info import AUDIO_EXTENSIONS
from audioclass_gui.project import ReviewProject
from audioclass_gui.project.prepare import (
    PreparedReview,
    PreparedSource,
    prepare_attach,
    prepare_review,
)
from audioclass_gui.qt.review_actions import find_menu
from audioclass_gui.qt.tasks import file_problem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from audioclass_gui.qt.main_window import MainWindow

__all__ = ["ProjectFiles", "create_file_project"]

PROJECT_FILTER = "Review project (*.jsonl)"


def create_file_project(
    project_file: str | Path,
    recordings: Sequence[str | Path],
    *,
    settings_dir: str | Path | None = None,
) -> ReviewProject:
    """Open (or start) the project file and add the recordings to it.

    Raises
    ------
    ValueError
        If no recording is given or none of them is an audio file.
    """
    path = Path(project_file)
    if path.suffix != ".jsonl":
        path = path.with_name(path.name + ".jsonl")
    audio = [Path(p) for p in recordings]
    unknown = [p for p in audio if p.suffix.lower() not in AUDIO_EXTENSIONS]
    if not audio or len(unknown) == len(audio):
        names = ", ".join(p.name for p in unknown) or "nothing"
        raise ValueError(f"no recordings to review (WAV, FLAC, MP3, OGG); given {names}")
    project = ReviewProject.open(path, settings_dir=settings_dir)
    try:
        project.add_recordings([p for p in audio if p not in unknown])
    except BaseException:
        project.close()
        raise
    return project


class ProjectFiles(QObject):
    """The File menu's project-file and import actions of a window.

    Signals
    -------
    imported(str)
        What an import added (the status-bar message).
    """

    imported = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        menu = find_menu(window, "&File")
        anchor = window.export_action
        self.new_action = window._action(
            menu,
            "&New project from recordings…",
            "Ctrl+Shift+N",
            self.ask_new,
            "Review chosen recordings (from any folders) as one project, kept in a file you name",
        )
        self.import_action = window._action(
            menu,
            "&Import predictions…",
            "Ctrl+I",
            self.ask_import,
            "Add model runs, prediction sets or BirdNET-Analyzer result tables to the project",
        )
        self.import_review_action = window._action(
            menu,
            "Import a re&view…",
            None,
            self.ask_import_review,
            "Continue a review exported as soundevent AOEF (its model runs beside it)",
        )
        for action in (self.new_action, self.import_action, self.import_review_action):
            menu.insertAction(anchor, action)
        menu.insertSeparator(anchor)

    # -------------------------------------------------------- new project
    def ask_new(self) -> None:
        """Choose recordings, then where the project file goes."""
        window = self.window
        start = str(window.info.path.parent) if window.info is not None else ""
        patterns = " ".join(f"*{ext}" for ext in AUDIO_EXTENSIONS)
        files, _ = QFileDialog.getOpenFileNames(
            window, "Recordings to review", start, f"Audio ({patterns});;All files (*)"
        )
        if not files:
            return
        default = str(Path(files[0]).parent / "review.jsonl")
        target, _ = QFileDialog.getSaveFileName(
            window, "Keep the project in", default, PROJECT_FILTER
        )
        if target:
            self.new_project(target, files)

    def new_project(
        self,
        project_file: str | Path,
        recordings: Sequence[str | Path],
        *,
        settings_dir: str | Path | None = None,
    ) -> None:
        """Make (or extend) a project file with these recordings and review it."""
        path = Path(project_file)
        self.window.projects.open_built(
            path,
            lambda: create_file_project(path, recordings, settings_dir=settings_dir),
        )

    # ------------------------------------------------------------- imports
    def _project(self, what: str) -> ReviewProject | None:
        project = self.window.projects.project
        if project is None:
            self.window.report_error(
                "No project open",
                f"{what} go into a review project: open the recordings' folder with "
                "File › Open folder as project… (or make one with File › New project "
                "from recordings…) first.",
            )
        return project

    def ask_import(self) -> None:
        """Choose predictions files to add to the open project."""
        if self._project("Imported predictions") is None:
            return
        files, _ = QFileDialog.getOpenFileNames(
            self.window,
            "Import predictions",
            str(self.window.projects.folder),
            "Predictions (*.json *.txt *.csv *.tsv);;All files (*)",
        )
        for path in files:
            self.import_predictions(path)

    def import_predictions(self, path: str | Path) -> None:
        """Read a predictions file in the task runner, then add it to the project."""
        project = self._project("Imported predictions")
        if project is None:
            return
        path = Path(path)
        self.window.statusBar().showMessage(f"Reading {path.name}…")
        self.window.runner.submit(
            lambda: prepare_attach(project, path),
            lambda prepared: self._attach(project, prepared),
            lambda exc: self._failed(path, exc),
        )

    def _attach(self, project: ReviewProject, prepared: PreparedSource) -> None:
        if project is not self.window.projects.project:
            return  # the project was closed while the file was read
        try:
            info = project.attach(prepared.path, prepared=prepared)
        except (OSError, ValueError) as exc:
            self._failed(prepared.path, exc)
            return
        for problem in info.problems:
            self.window.report_error("Import has a problem", problem)
        self._imported(
            f"Imported {info.detections} detections of {info.model_name or 'a model'} "
            f"from {prepared.path.name}"
        )

    def ask_import_review(self) -> None:
        """Choose an exported review (AOEF annotation project) to continue."""
        if self._project("Imported reviews") is None:
            return
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Import a review",
            str(self.window.projects.folder),
            "soundevent AOEF (*.json);;All files (*)",
        )
        if path:
            self.import_review(path)

    def import_review(self, path: str | Path) -> None:
        """Read an exported review in the task runner, then merge it into the project."""
        project = self._project("Imported reviews")
        if project is None:
            return
        path = Path(path)
        self.window.statusBar().showMessage(f"Reading {path.name}…")
        self.window.runner.submit(
            lambda: prepare_review(project, path),
            lambda prepared: self._merge(project, prepared),
            lambda exc: self._failed(path, exc),
        )

    def _merge(self, project: ReviewProject, prepared: PreparedReview) -> None:
        if project is not self.window.projects.project:
            return
        try:
            n = project.import_review(prepared.path, prepared=prepared)
        except (OSError, ValueError) as exc:
            self._failed(prepared.path, exc)
            return
        self._imported(f"Imported {n} verdicts and boxes from {prepared.path.name}")

    def _imported(self, message: str) -> None:
        window = self.window
        window.review.refresh()
        window.projects.refresh_recordings()
        window.species_panel.refresh()
        window.boxes.redraw()
        window.statusBar().showMessage(message, 10000)
        self.imported.emit(message)

    def _failed(self, path: Path, exc: BaseException) -> None:
        self.window.statusBar().clearMessage()
        self.window.report_error("Cannot import", file_problem(path, exc))
