"""Run the batch engine (what ``audioclass-gui predict`` runs) in a worker thread.

The worker gets immutable inputs (recording paths, a frozen
:class:`~audioclass_gui.batch.BatchConfig`) and sends plain data back
through queued signals (the engine's callbacks emit them from the worker
thread; the end comes through superqt's ``returned``): the GUI thread never
waits on it. Cancelling sets
the config's ``cancel`` event, which the engine checks between batches.
It also keeps the model's :class:`~audioclass_gui.project.analysis.FailureLog`
(disk work, so here and not on the GUI thread).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal

from audioclass_gui.batch.events import BatchEvents, Finished
from audioclass_gui.project.analysis import FailureLog, failure_of
from audioclass_gui.qt.common.worker_thread import ThreadWorker

if TYPE_CHECKING:
    from audioclass_gui.batch import BatchConfig, Job

__all__ = ["BatchWorker", "RecordingDone", "RunPlan"]

log = logging.getLogger(__name__)

#: Seconds between progress signals (the engine reports after every batch).
PROGRESS_INTERVAL = 0.2


@dataclass(frozen=True)
class RunPlan:
    """What a run will do, as the engine planned it (sent once).

    Attributes
    ----------
    seconds_total, seconds_skipped
        Audio of the recordings to process, and of those finished before.
    skipped
        ``(recording, predictions store file)`` of the recordings an
        earlier run finished with the same settings.
    executor
        Where it runs (``"threads x2"``).
    """

    seconds_total: float
    seconds_skipped: float
    skipped: tuple[tuple[str, str], ...]
    executor: str


@dataclass(frozen=True)
class RecordingDone:
    """A recording's predictions store file is in place (sent per recording)."""

    recording: str
    predictions: str
    detections: int
    seconds: float


class _Events(BatchEvents):
    """The engine's callbacks, turned into the worker's signals (in the worker thread)."""

    def __init__(self, worker: BatchWorker, inputs: Sequence[str], failures: FailureLog) -> None:
        self.worker = worker
        self.inputs = inputs
        self.failures = failures
        self.pending = 0.0
        self.last = 0.0

    def started(self, jobs: Sequence[Job], skipped: Sequence[Job], total_seconds: float, executor: str) -> None:
        self.failures.clear(str(j.path) for j in skipped)
        self.worker.planned.emit(
            RunPlan(
                seconds_total=total_seconds,
                seconds_skipped=sum(j.info.duration for j in skipped),
                skipped=tuple((str(j.path), str(j.outputs.predictions)) for j in skipped),
                executor=executor,
            )
        )

    def advanced(self, seconds: float, job: Job) -> None:
        self.pending += seconds
        now = time.monotonic()
        if now - self.last >= PROGRESS_INTERVAL:
            self.flush(now)

    def flush(self, now: float) -> None:
        if self.pending:
            self.worker.advanced.emit(self.pending)
            self.pending = 0.0
        self.last = now

    def finished(self, result: Finished) -> None:
        self.flush(time.monotonic())
        path = str(result.job.path)
        self.failures.clear([path])
        self.worker.recording_done.emit(
            RecordingDone(path, str(result.job.outputs.predictions), result.detections, result.seconds)
        )

    def problem(self, message: str) -> None:
        found = failure_of(message, self.inputs)
        if found is not None:
            try:
                self.failures.fail(*found)
            except OSError as exc:  # the run goes on; the list says it until the window closes
                log.warning("%s: %s", self.failures.path, exc)
        path, reason = found if found is not None else ("", message)
        self.worker.failed.emit(path, reason)


class BatchWorker(ThreadWorker):
    """Runs one batch at a time on a superqt ``FunctionWorker``.

    Signals
    -------
    planned(RunPlan)
        The run is planned; models load and recordings start.
    advanced(float)
        More seconds of audio processed (at most every 0.2 s).
    recording_done(RecordingDone)
        A recording's results are in place.
    failed(str, str)
        A recording (its path; "" if none is named) could not be processed, and why.
    ended(bool, str)
        The run is over: True if cancelled; an error that stopped it, or "".
    """

    planned = Signal(object)
    advanced = Signal(float)
    recording_done = Signal(object)
    failed = Signal(str, str)
    ended = Signal(bool, str)

    def start(self, inputs: Sequence[str], config: BatchConfig) -> None:
        """Run ``config`` over ``inputs``; its ``cancel`` is replaced by the worker's own."""
        if self.running:
            raise RuntimeError("a run over recordings is already going")
        from superqt.utils import FunctionWorker

        cancel, done = self._new_job()
        worker = FunctionWorker(self._work, tuple(inputs), config, cancel, done)
        worker.returned.connect(self._on_end)
        worker.errored.connect(self._on_error)
        self._launch(worker)

    def _work(
        self,
        inputs: tuple[str, ...],
        config: BatchConfig,
        cancel: threading.Event,
        done: threading.Event,
    ) -> tuple[bool, str]:
        """The run (worker thread): (cancelled, error that stopped it or "")."""
        from audioclass_gui.batch import run_batch

        config = replace(config, cancel=cancel)
        try:
            events = _Events(self, inputs, FailureLog(config.output))
            report = run_batch(inputs, config, events)
            events.flush(time.monotonic())
            return report.cancelled, ""
        except Exception as exc:  # the window must survive anything the run raises
            log.error("run over recordings failed:\n%s", traceback.format_exc())
            return False, str(exc) or type(exc).__name__
        finally:
            done.set()

    def _on_end(self, result: tuple[bool, str]) -> None:
        self._job_over()
        self.ended.emit(*result)

    def _on_error(self, exc: BaseException) -> None:  # _work catches what the run raises
        self._on_end((False, str(exc) or type(exc).__name__))
