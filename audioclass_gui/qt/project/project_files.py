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

from audioclass_gui.qt.menus import add_action, find_menu

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMainWindow

    from audioclass_gui.app import AppModel
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.qt.project.project_dock import ProjectController

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
    from audioclass_gui.audio.info import AUDIO_EXTENSIONS
    from audioclass_gui.project import ReviewProject

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
        What an import added (the status-bar message); relays
        :attr:`audioclass_gui.app.imports.Imports.imported`.
    """

    imported = Signal(str)

    def __init__(
        self,
        app: AppModel,
        projects: ProjectController,
        window: QMainWindow,
        anchor: QAction,
    ) -> None:
        super().__init__(window)
        self.app = app
        self.projects = projects
        self._window = window
        menu = find_menu(window, "&File")
        self.new_action = add_action(
            window,
            menu,
            "&New project from recordings…",
            "Ctrl+Shift+N",
            self.ask_new,
            "Review chosen recordings (from any folders) as one project, kept in a file you name",
        )
        self.import_action = add_action(
            window,
            menu,
            "&Import predictions…",
            "Ctrl+I",
            self.ask_import,
            "Add model runs, prediction sets or BirdNET-Analyzer result tables to the project",
        )
        self.import_review_action = add_action(
            window,
            menu,
            "Import a re&view…",
            None,
            self.ask_import_review,
            "Continue a review exported as soundevent AOEF (its model runs beside it)",
        )
        for action in (self.new_action, self.import_action, self.import_review_action):
            menu.insertAction(anchor, action)
        menu.insertSeparator(anchor)
        app.imports.imported.connect(self.imported.emit)

    # -------------------------------------------------------- new project
    def ask_new(self) -> None:
        """Choose recordings, then where the project file goes."""
        from audioclass_gui.audio.info import AUDIO_EXTENSIONS

        window, info = self._window, self.app.document.info
        start = str(info.path.parent) if info is not None else ""
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
        self.projects.open_built(
            path,
            lambda: create_file_project(path, recordings, settings_dir=settings_dir),
        )

    # ------------------------------------------------------------- imports
    def ask_import(self) -> None:
        """Choose predictions files to add to the open project."""
        if self.app.imports.project("Imported predictions") is None:
            return
        files, _ = QFileDialog.getOpenFileNames(
            self._window,
            "Import predictions",
            str(self.app.document.folder),
            "Predictions (*.json *.txt *.csv *.tsv);;All files (*)",
        )
        for path in files:
            self.import_predictions(path)

    def import_predictions(self, path: str | Path) -> None:
        """Add a predictions file to the open project (read off the GUI thread)."""
        self.app.imports.import_predictions(path)

    def ask_import_review(self) -> None:
        """Choose an exported review (AOEF annotation project) to continue."""
        if self.app.imports.project("Imported reviews") is None:
            return
        path, _ = QFileDialog.getOpenFileName(
            self._window,
            "Import a review",
            str(self.app.document.folder),
            "soundevent AOEF (*.json);;All files (*)",
        )
        if path:
            self.import_review(path)

    def import_review(self, path: str | Path) -> None:
        """Merge an exported review into the open project (read off the GUI thread)."""
        self.app.imports.import_review(path)
