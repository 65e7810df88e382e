"""Review projects in the window: open a folder, ask the reviewer once, list recordings.

:class:`ProjectController` glues a :class:`~audioclass_gui.project.ReviewProject`
to the main window: the window reviews the project's (multi-recording)
session, so every verdict is written to the project's journal the moment it
is made; the recording list dock shows each file's duration, start time,
detections and progress, and choosing one opens it in the spectrogram.

A recording opened on its own is reviewed the same way, in its *implicit*
project (see :mod:`audioclass_gui.project.implicit` and
:mod:`audioclass_gui.qt.project.single_review`); the window then keeps the
single-recording look: no recording list, no question about the reviewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from audioclass_gui.app.tasks import NewestOnly
from audioclass_gui.qt.common.docks import add_dock
from audioclass_gui.qt.common.tasks import throttled
from audioclass_gui.qt.project.project_widgets import RecordingList, ReviewerDialog
from audioclass_gui.qt.project.run_saving import RunSave, RunSaver

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from audioclass_gui.app import AppModel
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.qt.review.detection_table import DetectionTable
    from audioclass_gui.qt.review.review_controller import ReviewController
    from audioclass_gui.qt.run.inference import InferenceController

__all__ = ["ProjectController", "ProjectParts", "RecordingList", "ReviewerDialog", "is_project_path"]


@dataclass(frozen=True)
class ProjectParts:
    """What the open project's review is shown in and fed by."""

    review: ReviewController
    table: DetectionTable
    inference: InferenceController


def is_project_path(path: str | Path) -> bool:
    """True for a folder or a ``.jsonl`` project file (opened as a project)."""
    p = Path(path)
    return p.is_dir() or p.suffix == ".jsonl"


class ProjectController(QObject):
    """The open review project of a window.

    Signals
    -------
    project_opened(object)
        The :class:`ReviewProject` now reviewed.
    reviewer_needed(object)
        The :class:`ReviewerDialog` shown to ask who reviews.
    opening(str)
        What the project opening off the GUI thread does (file label).
    """

    project_opened = Signal(object)
    reviewer_needed = Signal(object)
    opening = Signal(str)

    def __init__(self, app: AppModel, parts: ProjectParts, window: QMainWindow) -> None:
        super().__init__(window)
        self.app = app
        self.window = window  # the dock, the reviewer dialog and the title live there
        self.review = parts.review
        self._table = parts.table
        self.dialog: ReviewerDialog | None = None
        self.recordings = RecordingList()
        self.dock = add_dock(
            window,
            self.recordings, "Recordings", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.dock.hide()
        self._pending_select: int | None = None
        self._run: list = []
        #: The project the running model's predictions are kept in.
        self._run_owner: ReviewProject | None = None
        self._summary_timer = throttled(self, 200, self.refresh_recordings)
        self._recounts = NewestOnly(app.tasks)  # only the newest recount is shown
        self.run_saver = RunSaver(app.tasks, self._run_saved, self._run_not_saved)
        self.recordings.recording_chosen.connect(self.open_recording)
        self.review.failed.connect(lambda msg: app.messages.report("Not saved", msg))
        self.review.selection_changed.connect(self._remember_selection)
        app.recording_opened.connect(self._on_recording_opened)
        self.review.recording_needed.connect(self._show_recording_of_selection)
        parts.inference.model_loaded.connect(self._on_model_loaded)
        parts.inference.predictions.connect(self._on_predictions)
        app.run.finished.connect(self._on_run_finished)
        app.review.thresholds_changed.connect(self._schedule_summary)

    # ------------------------------------------------------------ opening
    @property
    def active(self) -> bool:
        """True while a project is open (a single recording's implicit one too)."""
        return self.project is not None

    @property
    def project(self) -> ReviewProject | None:
        """The open project (``app.document.project``)."""
        return self.app.document.project

    @property
    def implicit(self) -> bool:
        """True while the open project is a single recording's implicit one."""
        return self.app.document.implicit

    @property
    def folder(self) -> Path | None:
        """Where files about the review go by default (``app.document.folder``)."""
        return self.app.document.folder

    @property
    def opened_path(self) -> Path | None:
        """What the reviewer opened (``app.document.opened_path``)."""
        return self.app.document.opened_path

    def open(self, path: str | Path, *, settings_dir: str | Path | None = None) -> None:
        """Open a folder (or ``.jsonl`` project file) as a project, off the GUI thread.

        What it does meanwhile (recordings checked, read) is said in the file label.
        """
        from audioclass_gui.project import ReviewProject

        path = Path(path)

        def say(text: str) -> None:  # in the task runner: queued to the label
            try:
                self.opening.emit(f"Opening project {path.name}: {text}…")
            except RuntimeError:  # the window was closed meanwhile
                pass

        self.open_built(
            path, lambda: ReviewProject.open(path, settings_dir=settings_dir, progress=say)
        )

    def reload(self) -> None:
        """Read the open project again (e.g. after recordings were analysed again).

        The project is closed (runs being written are finished first) and
        opened again off the GUI thread; the reviewer comes back to the
        detection they were on. Verdicts are on disk already.
        """
        project = self.project
        if project is None or self.implicit:
            return
        path = project.root if project.is_folder else project.journal_path
        self.close()
        self.open(path)

    def open_built(self, path: Path, build: Callable[[], ReviewProject]) -> None:
        """Review the project ``build`` makes in the task runner (``path`` names it in messages)."""
        self.opening.emit(f"Opening project {path.name}…")
        self.app.tasks.submit(build, self._on_opened, lambda exc: self._failed(path, exc))

    def _failed(self, path: Path, exc: BaseException) -> None:
        self.opening.emit("No project open")
        self.app.messages.report("Cannot open project", f"{path}: {exc}")

    def _on_opened(self, project: ReviewProject) -> None:
        self.adopt(project)
        self.resume()

    def adopt(self, project: ReviewProject, *, implicit: bool = False) -> None:
        """Make ``project`` the open one (closing the previous); emits ``project_opened``.

        Parameters
        ----------
        project
            The project, opened in the task runner.
        implicit
            A single recording's implicit project: the recording list stays
            hidden and the reviewer is not asked (verdicts carry the saved
            reviewer, else the login name, as before projects).
        """
        self.close()
        self.app.document.implicit = implicit  # said with the project, which comes next
        self.app.document.project = project
        session = project.session
        session.status_changed.connect(self._schedule_summary)
        session.detections_added.connect(self._schedule_summary)
        for problem in project.problems:
            self.app.messages.report("Project has a problem", problem)
        if self.app.document.model_info is not None:
            project.set_common_names(self.app.document.model_info.common_names)
        if not implicit:
            self.dock.show()
            self.dock.raise_()
            self.refresh_recordings()
            self.window.setWindowTitle(f"{project.root.name} (project) — audioclass-gui")
            if project.needs_reviewer:
                self.ask_reviewer()
        self.project_opened.emit(project)

    def ask_reviewer(self) -> ReviewerDialog:
        """Ask who reviews (non-modal); the answer is stamped on every verdict."""
        dialog = ReviewerDialog(self.window, "")
        dialog.reviewer_given.connect(self._set_reviewer)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.show()
        self.reviewer_needed.emit(dialog)
        return dialog

    def _set_reviewer(self, name: str, email: str) -> None:
        if self.project is None or self.dialog is None:
            return
        try:
            self.project.set_reviewer(name, email or None)
        except (OSError, ValueError) as exc:
            self.dialog.show_problem(str(exc))
            return
        self.dialog.accept()
        self.dialog = None
        self.window.activateWindow()  # review keys go to the window again
        self.app.messages.say(f"Reviewing as {name}", 5000)

    def resume(self) -> None:
        """Open the recording of the detection the reviewer was on (else the first)."""
        project = self.project
        if project is None:
            return
        target = project.resume(self.review.threshold_filter())
        if target is not None:
            self._pending_select = target
            self.open_recording(str(project.session.get(target).recording.path))
        elif project.session.recordings:
            self.open_recording(str(project.session.recordings[0].path))
        else:
            self.app.messages.report(
                "Empty project",
                f"{project.root}: no recordings (WAV, FLAC, MP3, OGG) found.",
            )

    def select_on_show(self, detection_id: int | None) -> None:
        """Select this detection once its recording is shown (None: nothing)."""
        self._pending_select = detection_id

    def open_recording(self, path: str) -> None:
        """Show a recording of the project."""
        current = self.app.document.info
        if (
            current is not None
            and str(Path(current.path).absolute()) == path
            and self.project is not None
            and self.app.document.session is self.project.session
        ):
            self._select_pending()
            return
        self.app.request_open(path)

    def session_for(self, path: str | Path):
        """The project's session if ``path`` is one of its recordings, else None."""
        if (
            self.project is None
            or self.project.session.recording_index(Path(path).absolute()) is None
        ):
            return None
        return self.project.session

    def recording_for(self, path: str | Path):
        """The project's ``soundevent`` recording of ``path`` (None outside a project)."""
        session = self.session_for(path)
        if session is None:
            return None
        return session.recordings[session.recording_index(Path(path).absolute())]

    def close(self) -> None:
        """Close the open project (its journal lock is released)."""
        if self.project is None:
            return
        if self._run_owner is self.project:  # a run still going: keep what it found so far
            self._save_run(cancelled=True)
        self.run_saver.wait(self.project)
        session = self.project.session
        session.status_changed.disconnect(self._schedule_summary)
        session.detections_added.disconnect(self._schedule_summary)
        self.project.close()
        self.app.document.project = None
        self.app.document.implicit = False
        self.recordings.setRowCount(0)
        self.dock.hide()

    # ----------------------------------------------------------- updating
    def refresh_recordings(self) -> None:
        """Recount the recording list (none shown for a single recording), in the task runner.

        The counts read the score indexes' files (thousands of small reads
        for a project of thousands of recordings): the GUI thread only
        shows the answer, and an answer overtaken by a newer recount, or
        for a project since closed, is dropped.
        """
        project = self.project
        if project is None or self.implicit:
            return
        f = self.review.threshold_filter()
        self._recounts.submit(
            lambda: project.recordings(f),
            self.recordings.set_summaries,
            lambda exc: self.app.messages.say(f"Recording list not recounted: {exc}", 5000),
            still=lambda: self.project is project and not project.closed,
        )

    def _schedule_summary(self, *_args) -> None:
        self._summary_timer.throttle()

    def _on_recording_opened(self, info) -> None:
        if self.project is None:
            return
        self.recordings.mark_current(str(Path(info.path).absolute()))
        self._select_pending()
        review = self.review
        judged, review.deferred_verdict = review.deferred_verdict, None
        if judged is not None:  # e.g. autoplay the next detection, now in view
            review.verdict_given.emit(judged)

    def _show_recording_of_selection(self, path: str) -> None:
        """The reviewer moved to a detection of another recording: open it there."""
        if self.project is None:
            return
        self._pending_select = self.review._selected
        self.open_recording(path)

    def _select_pending(self) -> None:
        target, self._pending_select = self._pending_select, None
        if target is not None and self._table.source.row_of(target) is not None:
            self.review.select(target)

    def _remember_selection(self, detection_id) -> None:
        if (
            self.project is not None
            and not self.project.closed
            and detection_id is not None
        ):
            try:
                self.project.select(detection_id)
            except (OSError, ValueError, KeyError):
                pass  # only the position to resume at; a verdict's failure is reported

    def forget_runs(self) -> bool:
        """Before a new run on a recording on its own: forget the runs its review holds.

        A single recording's review shows the latest run only, as the window
        did before reviews were kept, so the runs and imports saved with it
        are forgotten (the run files the app wrote are deleted in the task
        runner; imported files stay where they are). Verdicts stay in the
        journal and come back on the detections the new run finds again.
        Does nothing for a folder or file project, which keeps every run.

        Returns
        -------
        bool
            False if the review could not be written (said to the user).
        """
        project = self.project
        if project is None or not self.implicit:
            return True
        self.run_saver.drop(project)
        runs_dir = project.runs_folder()
        written = []
        for source in project.sources():
            try:
                project.detach(source.path)
            except (OSError, ValueError) as exc:
                self.app.messages.report("Not saved", f"The earlier run could not be replaced: {exc}")
                return False
            if source.path.parent == runs_dir:
                written.append(source.path)
        if written:
            self.app.tasks.submit(lambda: [p.unlink(missing_ok=True) for p in written])
        return True

    def run_started(self) -> None:
        """A model run starts on the open recording: keep its predictions in this project."""
        self._run = []
        self._run_owner = self.project

    def _on_model_loaded(self, info) -> None:
        if self.project is not None:
            self.project.set_common_names(info.common_names)

    def _on_predictions(self, predictions: list) -> None:
        if self.project is not None and self._run_owner is self.project:
            self._run.extend(predictions)

    def _on_run_finished(self, cancelled: bool) -> None:
        if self.project is not None and self._run_owner is self.project:
            self._save_run(cancelled)
        self._run, self._run_owner = [], None

    def _save_run(self, cancelled: bool) -> None:
        """Keep the run's predictions in the project, a cancelled run's part too.

        The detections of a cancelled (or failed) run stay listed and may
        have verdicts: saving what was found keeps them on reopening. The
        file is written in the task runner (:class:`RunSaver`).
        """
        run, self._run, self._run_owner = self._run, [], None
        project = self.project
        if project is None or project.closed or not run:
            return
        session = project.session
        provenance = dict(session.provenance)
        if cancelled:
            provenance["cancelled"] = True
        self.run_saver.save(
            project,
            run,
            name=session.model_name or "model",
            provenance=provenance,
            cancelled=cancelled,
        )

    def _run_saved(self, save: RunSave, _count: int) -> None:
        what = "the part of the run made before it stopped" if save.cancelled else "the run"
        self.app.messages.say(f"Saved {what} in {save.target}", 8000)
        if save.project is self.project:
            self.refresh_recordings()

    def _run_not_saved(self, _save: RunSave, message: str) -> None:
        self.app.messages.report("Run not saved", message)
