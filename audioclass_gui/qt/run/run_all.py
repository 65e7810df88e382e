"""Model › Run on all recordings / on selected recordings of a review project.

Drives the batch engine that ``audioclass-gui predict`` uses (all cores,
5-minute segments, resume) in a :class:`~audioclass_gui.qt.run.batch_worker.BatchWorker`.
Each recording's predictions store file goes into the project's state
folder (:func:`~audioclass_gui.project.analysis.runs_folder`); as each
recording finishes, its file is attached to the project here, on the GUI
thread (the file is memory-mapped, not parsed), so its detections appear
while the others run. A recording finished before with the same model and
settings is skipped (the batch journal). The progress panel shows the run;
the recording list's Analysis column shows each recording's state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget

from audioclass_gui.app.run_state import THRESHOLD_FLOOR
from audioclass_gui.batch.progress import RunProgress
from audioclass_gui.project.analysis import (
    RecordingAnalysis,
    recordings_root,
    runs_folder,
)
from audioclass_gui.qt.common.docks import add_dock
from audioclass_gui.qt.menus import add_action, find_menu
from audioclass_gui.qt.run.batch_worker import BatchWorker, RecordingDone, RunPlan
from audioclass_gui.qt.run.run_progress import RunProgressPanel, time_left

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from audioclass_gui.app import AppModel
    from audioclass_gui.models import ClipClassificationModel
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.qt.project.project_dock import ProjectController
    from audioclass_gui.qt.project.recording_states import RecordingStates
    from audioclass_gui.qt.run.model_panel import ModelPanel

__all__ = ["RunAllController"]

#: How often the panel's figures (speed, time left) are redrawn, in ms.
REDRAW_MS = 250


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _embeddings_sink(project: ReviewProject, key: str) -> Any:
    """Where a run over recordings keeps the embeddings: the project's store of the model's."""
    from audioclass_gui.app.learning import embeddings_place
    from audioclass_gui.embeddings.batch_sink import StoreSink

    place = embeddings_place(project)
    return StoreSink(runs_folder(project, key), key, folder=place.folder, root=place.root)


class RunAllController(QObject):
    """Runs of the chosen model over a project's recordings, from the Model menu.

    Attributes
    ----------
    factory : callable or None
        Builds the model instead of the registry (tests, wrapped models);
        passed to :class:`~audioclass_gui.batch.BatchConfig`.
    segment_seconds : float
        Long recordings are split into segments of about this length so
        that one file keeps every core busy (as ``predict`` does).

    Signals
    -------
    run_ended(bool)
        A run is over (True if cancelled); the states are being re-read.
    results_added()
        The open project's session holds the run's results: views recount.
    """

    run_ended = Signal(bool)
    results_added = Signal()

    def __init__(
        self,
        app: AppModel,
        panel: ModelPanel,
        projects: ProjectController,
        window: QMainWindow,
        states: RecordingStates,
    ) -> None:
        super().__init__(window)
        self.app = app
        self._model_panel = panel
        self.projects = projects
        self.factory: Callable[..., ClipClassificationModel] | None = None
        self.segment_seconds = 300.0
        self.worker = BatchWorker(self)
        self.progress = RunProgress()
        self.panel = RunProgressPanel()
        self.dock = add_dock(window, self.panel, "Run over recordings", Qt.DockWidgetArea.RightDockWidgetArea)
        playback = window.findChild(QDockWidget, "dock-playback")
        if playback is not None:  # a tab beside Playback, raised while a run goes
            window.tabifyDockWidget(playback, self.dock)
            playback.raise_()
        self.dock.hide()
        #: The recording list's Analysis column, updated as recordings finish.
        self.states = states
        self._project: ReviewProject | None = None
        #: Recordings of this run whose earlier results were attached already.
        self._rewritten = 0
        self._key = ""
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._redraw)
        menu = find_menu(window, "&Model")
        menu.addSeparator()
        self.run_all_action = add_action(
            window, menu, "Run on &all recordings", "Ctrl+Shift+R", self.run_all,
            "Run the chosen model over every recording of the project (resumes where it stopped)",
        )
        self.run_selected_action = add_action(
            window, menu, "Run on &selected recordings", None, self.run_selected,
            "Run the chosen model over the recordings selected in the Recordings list",
        )
        self.cancel_action = add_action(
            window, menu, "Cancel run over recordings", None, self.cancel,
            "Stop the run over recordings; finished recordings are kept",
        )
        self.cancel_action.setEnabled(False)
        self.panel.cancel_requested.connect(self.cancel)
        self.worker.planned.connect(self._on_planned)
        self.worker.advanced.connect(self._on_advanced)
        self.worker.recording_done.connect(self._on_recording_done)
        self.worker.failed.connect(self._on_failed)
        self.worker.ended.connect(self._on_ended)
        app.document.events.project.connect(self._on_project_opened)

    @property
    def running(self) -> bool:
        """Whether a run over recordings is going."""
        return self.worker.running

    # -------------------------------------------------------------- start
    def run_all(self) -> None:
        """Model › Run on all recordings."""
        project = self._open_project()
        if project is not None:
            self.run([str(r.path) for r in project.session.recordings])

    def run_selected(self) -> None:
        """Model › Run on selected recordings (those selected in the Recordings list)."""
        if self._open_project() is None:
            return
        paths = self.projects.recordings.selected_paths()
        if not paths:
            self.app.messages.report(
                "No recordings selected",
                "Select recordings in the Recordings list (Ctrl+click, Shift+click) first.",
            )
            return
        self.run(paths)

    def _open_project(self) -> ReviewProject | None:
        document = self.app.document
        if document.project is None or document.implicit:
            self.app.messages.report(
                "No project open",
                "Runs over recordings go into a review project: open the recordings' "
                "folder with File › Open folder as project… first (or use Model › Run "
                "for the open recording).",
            )
            return None
        return document.project

    def run(self, paths: list[str]) -> None:
        """Run the Model panel's model and options over ``paths`` of the open project."""
        from audioclass_gui.batch import BatchConfig
        from audioclass_gui.models import get_entry

        panel = self._model_panel
        project = self._open_project()
        if project is None:
            return
        if self.running:
            self.app.messages.say("A run over recordings is going already.", 5000)
            return
        key = panel.model_key
        try:
            settings = panel.run_settings(threshold=THRESHOLD_FLOOR)
        except ValueError as exc:
            self.app.messages.report("Invalid model options", str(exc))
            return
        config = BatchConfig(
            output=runs_folder(project, key),
            model=key,
            factory=self.factory,
            settings=settings,
            resume=True,
            segment_seconds=self.segment_seconds,
            root=recordings_root(project),
            features=_embeddings_sink(project, key) if panel.options.keep_embeddings else None,
        )
        self._project, self._key = project, key
        self._rewritten = 0
        self.progress = RunProgress(recordings=len(paths))
        title = get_entry(key).title
        self.panel.begin(f"{title} on {_plural(len(paths), 'recording')}")
        self.panel.show_progress(self.progress)
        self.dock.show()
        self.dock.raise_()
        self._set_running(True)
        self.worker.start(paths, config)
        self._timer.start()

    def cancel(self) -> None:
        """Stop the run after the current batch; finished recordings stay."""
        if not self.running:
            return
        self.worker.cancel()
        self.progress.state = "cancelling"
        self.panel.cancelling()

    def close(self) -> None:
        """Stop a run as the window closes (waits a little for it)."""
        self.worker.cancel()
        self.worker.wait(10.0)

    def _set_running(self, running: bool) -> None:
        self.run_all_action.setEnabled(not running)
        self.run_selected_action.setEnabled(not running)
        self.cancel_action.setEnabled(running)

    # ------------------------------------------------------------ events
    def _mine(self) -> ReviewProject | None:
        """The run's project if it is still the open one."""
        project = self._project
        if project is None or project is not self.app.document.project or project.closed:
            return None
        return project

    def _on_planned(self, plan: RunPlan) -> None:
        self.progress.start(
            skipped=len(plan.skipped),
            seconds_total=plan.seconds_total,
            seconds_skipped=plan.seconds_skipped,
            now=time.monotonic(),
        )
        self.panel.status.setText(f"Running on {plan.executor}…" if plan.executor else "")
        for recording, store in plan.skipped:  # done before: attached then, unless forgotten
            self._attach(recording, store)
        self._redraw()

    def _on_advanced(self, seconds: float) -> None:
        self.progress.advance(seconds)

    def _on_recording_done(self, done: RecordingDone) -> None:
        self.progress.finish_recording()
        if not self._attach(done.recording, done.predictions):
            # analysed again (other options): the project is read again at the end
            self._rewritten += 1
        project = self._mine()
        if project is not None:
            state = RecordingAnalysis("analysed", detections=done.detections)
            self.states.update(project, self._key, done.recording, state)
        self._redraw()

    def _attach(self, recording: str, store: str) -> bool:
        """Add a finished recording's store file to the project (mapped, not parsed).

        Returns False if the project had read that file already (the
        recording was analysed before; the file may hold new results now).
        """
        project = self._mine()
        if project is None:
            return True
        if project.source(store) is not None:
            return False
        try:
            info = project.attach(Path(store), kind="arrow")
        except (OSError, ValueError) as exc:
            self._on_failed(recording, f"its results could not be added to the project ({exc})")
            return True
        for problem in info.problems:
            self.progress.fail(recording, problem)
        return True

    def _on_failed(self, path: str, reason: str) -> None:
        self.progress.fail(path, reason)
        project = self._mine()
        if project is not None and path:
            state = RecordingAnalysis("failed", reason=reason)
            self.states.update(project, self._key, path, state)
        self._redraw()

    def _on_ended(self, cancelled: bool, error: str) -> None:
        self._timer.stop()
        p = self.progress
        p.tick(time.monotonic())
        p.end(cancelled=cancelled or bool(error))
        self._set_running(False)
        if error:
            message = f"Stopped: {error}"
            self.app.messages.report("Run over recordings failed", error)
        elif cancelled:
            rest = p.recordings - p.done
            message = (
                f"Cancelled: {_plural(p.finished, 'recording')} finished and kept. "
                f"Run again to go on with the other {rest}."
            )
        else:
            took = f"{p.elapsed:.1f} s" if p.elapsed < 60 else time_left(p.elapsed).removeprefix("about ")
            message = f"Finished in {took}: {_plural(p.finished, 'recording')} analysed"
            if p.skipped:
                message += f", {p.skipped} done before"
            if p.failures:
                message += f", {len(p.failures)} failed"
            message += "."
        self.panel.end(p, message)
        self.app.messages.say(message, 10000)
        if self._rewritten and self._mine() is not None:
            # The session still lists the earlier results of the recordings
            # analysed again: read the project again (verdicts stay, by key).
            self.panel.status.setText(
                f"Reading the project again for the new results of "
                f"{_plural(self._rewritten, 'recording')} analysed again…"
            )
            self._rewritten = 0
            self.projects.reload()
            self.run_ended.emit(cancelled)
            return
        if self._mine() is not None:
            self.states.refresh()
            self.results_added.emit()
        self.run_ended.emit(cancelled)

    def _on_project_opened(self, project: ReviewProject | None) -> None:
        if project is not None and self.running and project is not self._project:
            self.cancel()  # the run's results stay in its project's folder for next time

    def _redraw(self) -> None:
        self.progress.tick(time.monotonic())
        self.panel.show_progress(self.progress)
