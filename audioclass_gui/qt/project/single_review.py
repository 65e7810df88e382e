"""Opening one recording: review it in its implicit project, kept in the data folder.

A recording opened on its own (File › Open recording, the command line, the
demo, File › Open Recent) is reviewed in the project
:func:`~audioclass_gui.project.implicit.open_implicit_project` keeps for it,
so its verdicts and the runs made on it are saved as they are made and come
back when the file is opened again. The header is read and the project is
opened (its journal replayed, its saved runs read) in the task runner; the
window then shows the recording through the same path as a project's.

If the review cannot be kept (the data folder is not writable, the review is
open in another window), the recording is still shown, in a review held in
memory only, and the reviewer is told to export before leaving.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from audioclass_gui.project.implicit import open_implicit_project, projects_dir
from audioclass_gui.review import Status
from audioclass_gui.review.journal import JournalLockedError

if TYPE_CHECKING:
    from audioclass_gui.app import AppModel
    from audioclass_gui.audio.info import RecordingInfo
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.qt.project.project_dock import ProjectController
    from audioclass_gui.qt.run.inference import InferenceController

__all__ = ["OpenedRecording", "SingleReview", "open_recording_review", "welcome"]


@dataclass(frozen=True)
class OpenedRecording:
    """What the task runner opened for one recording.

    Attributes
    ----------
    info
        The recording's header.
    project
        Its implicit project, or None if it could not be opened.
    problem
        Why not, in words ("" when it opened).
    """

    info: RecordingInfo
    project: ReviewProject | None
    problem: str = ""


def open_recording_review(path: Path, base: Path) -> OpenedRecording:
    """Read ``path``'s header and open its implicit project under ``base`` (worker thread).

    Raises
    ------
    AudioFileError
        If the recording cannot be read (then nothing is shown).
    """
    from audioclass_gui.audio.info import read_info

    info = read_info(path)
    try:
        project = open_implicit_project(info.path, base=base)
    except JournalLockedError:
        return OpenedRecording(
            info, None, "its review is open in another window or program"
        )
    except Exception as exc:  # any failure: still show the recording
        reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
        where = getattr(exc, "filename", None) or base
        return OpenedRecording(info, None, f"{where}: {reason}")
    return OpenedRecording(info, project)


class SingleReview(QObject):
    """Opens recordings on their own, each in its implicit project.

    Signals
    -------
    not_kept(str)
        The review of the recording now shown is held in memory only (why).
    opening(str)
        What is being opened (for the file label).
    opened(object)
        The recording's ``RecordingInfo``, to show now (its review is adopted).
    failed(object, object)
        The path that could not be opened and the error.
    """

    not_kept = Signal(str)
    opening = Signal(str)
    opened = Signal(object)
    failed = Signal(object, object)

    def __init__(
        self,
        app: AppModel,
        projects: ProjectController,
        inference: InferenceController,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.projects = projects
        self.inference = inference
        self._opening = 0  # the latest request; older answers are dropped

    def open(self, path: str | Path) -> None:
        """Read the recording and open its review in the task runner, then show it."""
        path = Path(path)
        self.opening.emit(f"Opening {path.name}…")
        self._opening += 1
        token, base = self._opening, projects_dir()
        self.app.tasks.submit(
            lambda: open_recording_review(path, base),
            lambda opened: self._opened(token, opened),
            lambda exc: self._failed(token, path, exc),
        )

    def _failed(self, token: int, path: Path, exc: BaseException) -> None:
        if token == self._opening:
            self.failed.emit(path, exc)

    def _opened(self, token: int, opened: OpenedRecording) -> None:
        if token != self._opening:  # another file was asked for meanwhile
            if opened.project is not None:
                opened.project.close()
            return
        if self.app.run.running:
            self.inference.cancel()
        projects = self.projects
        if opened.project is None:
            projects.close()
            message = (
                f"{opened.info.path}: the review cannot be kept ({opened.problem}). "
                "Verdicts made now are lost when the window closes or another file "
                "is opened: export them (File › Export review) before."
            )
            self.app.messages.report("Review not kept", message)
            self.not_kept.emit(message)
        else:
            projects.adopt(opened.project, implicit=True)
            projects.select_on_show(
                opened.project.resume(self.app.review.threshold_filter())
            )
        self.opened.emit(opened.info)
        if opened.project is not None:
            self.app.messages.say(welcome(opened.project, opened.info.path.name), 8000)


def welcome(project: ReviewProject, name: str) -> str:
    """The status-bar line on opening a recording: its review is new, or back."""
    counts = project.session.counts()
    verdicts = sum(n for status, n in counts.items() if status != Status.UNREVIEWED)
    boxes = len(project.session.boxes())
    if not verdicts and not boxes and not len(project.session):
        return f"Verdicts on {name} are saved as you make them."
    parts = [f"{verdicts} verdict{'s' * (verdicts != 1)}"]
    if boxes:
        parts.append(f"{boxes} box{'es' * (boxes != 1)}")
    return f"The review of {name} is back: {', '.join(parts)}."
