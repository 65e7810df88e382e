"""Files added to the open project: predictions from anywhere, or a review to continue.

Files are read through the app's tasks (off the GUI thread); only the
finished result reaches the project, on the GUI thread, and only if that
project is still the open one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psygnal import Signal

from audioclass_gui.app.messages import file_problem

if TYPE_CHECKING:
    from audioclass_gui.app.model import AppModel
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.project.prepare import PreparedReview, PreparedSource

__all__ = ["Imports"]


class Imports:
    """Imports into the open project of one app model.

    Signals
    -------
    imported(str)
        What an import added (the status-line message), once it is in the project.
    """

    imported = Signal(str)

    def __init__(self, app: AppModel) -> None:
        self._app = app

    def project(self, what: str) -> ReviewProject | None:
        """The open project, or None after telling the user that ``what`` needs one."""
        project = self._app.document.project
        if project is None:
            self._app.messages.report(
                "No project open",
                f"{what} go into a review project: open the recordings' folder with "
                "File › Open folder as project… (or make one with File › New project "
                "from recordings…) first.",
            )
        return project

    def import_predictions(self, path: str | Path) -> None:
        """Read a predictions file off the GUI thread, then add it to the open project."""
        from audioclass_gui.project.prepare import prepare_attach  # loads the readers

        self._read_into_project("Imported predictions", Path(path), prepare_attach, self._attach)

    def import_review(self, path: str | Path) -> None:
        """Read an exported review off the GUI thread, then merge it into the open project."""
        from audioclass_gui.project.prepare import prepare_review  # loads the readers

        self._read_into_project("Imported reviews", Path(path), prepare_review, self._merge)

    def _read_into_project(
        self,
        what: str,
        path: Path,
        prepare: Callable[[ReviewProject, Path], Any],
        apply: Callable[[ReviewProject, Any], None],
    ) -> None:
        """``prepare(project, path)`` through the tasks, then ``apply`` it on the GUI thread."""
        project = self.project(what)
        if project is None:
            return
        self._app.messages.say(f"Reading {path.name}…")
        self._app.tasks.submit(
            lambda: prepare(project, path),
            lambda prepared: apply(project, prepared),
            lambda exc: self._failed(path, exc),
        )

    def _attach(self, project: ReviewProject, prepared: PreparedSource) -> None:
        if project is not self._app.document.project:
            return  # the project was closed while the file was read
        try:
            info = project.attach(prepared.path, prepared=prepared)
        except (OSError, ValueError) as exc:
            self._failed(prepared.path, exc)
            return
        for problem in info.problems:
            self._app.messages.report("Import has a problem", problem)
        self._imported(
            f"Imported {info.detections} detections of {info.model_name or 'a model'} "
            f"from {prepared.path.name}"
        )

    def _merge(self, project: ReviewProject, prepared: PreparedReview) -> None:
        if project is not self._app.document.project:
            return
        try:
            n = project.import_review(prepared.path, prepared=prepared)
        except (OSError, ValueError) as exc:
            self._failed(prepared.path, exc)
            return
        self._imported(f"Imported {n} verdicts and boxes from {prepared.path.name}")

    def _imported(self, message: str) -> None:
        self._app.messages.say(message, 10000)
        self.imported.emit(message)

    def _failed(self, path: Path, exc: BaseException) -> None:
        self._app.messages.clear()  # the "Reading…" line goes
        self._app.messages.report("Cannot import", file_problem(path, exc))
