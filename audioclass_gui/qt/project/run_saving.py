"""Saving the model runs made in the window into the open project, off the GUI thread.

When a run on the open recording ends (or is cancelled, or the project is
closed while it runs), its predictions are written to a store file in the
task runner; the file is recorded in the project's journal on the GUI thread
once it is on disk. Closing the project waits for the writes still going, so
a run is never left out of the project it was made in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audioclass_gui.qt.common.tasks import TaskRunner

if TYPE_CHECKING:
    from soundevent import data

    from audioclass_gui.project import ReviewProject

__all__ = ["RunSave", "RunSaver"]


@dataclass(eq=False)
class RunSave:
    """One run being written: where, for which project, and how it ended."""

    project: ReviewProject
    target: Path
    name: str
    provenance: Mapping[str, Any]
    cancelled: bool
    future: Future[int] | None = None
    #: Forgotten before it was written (a new run replaced it): not recorded.
    dropped: bool = False
    done: bool = field(default=False)


class RunSaver:
    """Writes finished runs to their project in the task runner.

    Parameters
    ----------
    runner
        The window's task runner.
    saved
        Called on the GUI thread with ``(save, detections)`` once a run is
        written and recorded.
    failed
        Called on the GUI thread with ``(save, message)`` if it could not be.
    """

    def __init__(
        self,
        runner: TaskRunner,
        saved: Callable[[RunSave, int], None],
        failed: Callable[[RunSave, str], None],
    ) -> None:
        self._runner = runner
        self._saved = saved
        self._failed = failed
        self._pending: list[RunSave] = []

    @property
    def pending(self) -> list[RunSave]:
        """Saves still being written."""
        return list(self._pending)

    def save(
        self,
        project: ReviewProject,
        predictions: Sequence[data.ClipPrediction],
        *,
        name: str,
        provenance: Mapping[str, Any],
        cancelled: bool = False,
    ) -> RunSave:
        """Write ``predictions`` as a run of ``project`` in the background."""
        from audioclass_gui.project.run_files import run_file, write_run_file

        save = RunSave(
            project, run_file(project.runs_folder(), name), name, dict(provenance), cancelled
        )
        run = list(predictions)

        def write() -> int:
            return write_run_file(save.target, run, name=name, provenance=save.provenance)

        self._pending.append(save)
        save.future = self._runner.submit(
            write, lambda count: self._finish(save, count), lambda exc: self._fail(save, exc)
        )
        if save.future is None:  # the runner is shut down (the window closes): now
            try:
                self._finish(save, write())
            except OSError as exc:
                self._fail(save, exc)
        return save

    def drop(self, project: ReviewProject) -> None:
        """Forget the runs of ``project`` still being written (a new run replaces them)."""
        for save in self._pending:
            if save.project is project:
                save.dropped = True

    def wait(self, project: ReviewProject) -> None:
        """Finish the writes of ``project`` now (before it is closed)."""
        for save in [s for s in self._pending if s.project is project]:
            if save.future is None:
                continue
            try:
                count = save.future.result()
            except Exception as exc:
                self._fail(save, exc)
            else:
                self._finish(save, count)

    def _finish(self, save: RunSave, count: int) -> None:
        if save.done:
            return  # finished by wait() already
        save.done = True
        self._pending = [s for s in self._pending if s is not save]
        if save.dropped or save.project.closed:
            save.target.unlink(missing_ok=True)
            return
        try:
            save.project.record_run(
                save.target, name=save.name, provenance=save.provenance, detections=count
            )
        except (OSError, ValueError) as exc:
            self._failed(save, f"The model run was written to {save.target} but not "
                         f"recorded in the project: {exc}")
            return
        self._saved(save, count)

    def _fail(self, save: RunSave, exc: BaseException) -> None:
        if save.done:
            return
        save.done = True
        self._pending = [s for s in self._pending if s is not save]
        if not save.dropped:
            self._failed(save, f"The model run was not saved in the project: {exc}")
