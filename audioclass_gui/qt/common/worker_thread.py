"""One job at a time on a superqt worker: start, say when it is over, cancel, wait at shutdown.

The model runs (:class:`~audioclass_gui.qt.run.inference.InferenceController`,
:class:`~audioclass_gui.qt.run.batch_worker.BatchWorker`) share this life cycle.
Their work is a superqt worker (``GeneratorWorker`` for the inference
generator, ``FunctionWorker`` for the batch engine) in Qt's global thread
pool; what the work yields or returns reaches the GUI thread through the
worker's queued signals, and Qt drops deliveries to a receiver that has been
deleted. Each job gets a fresh cancel flag, which the engines check between
batches.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool

if TYPE_CHECKING:
    from superqt.utils import WorkerBase

__all__ = ["MIN_POOL_THREADS", "ThreadWorker"]

#: Threads kept in Qt's global pool: an inference run and a run over
#: recordings may go at once, and must not wait for each other's thread.
MIN_POOL_THREADS = 4


class ThreadWorker(QObject):
    """Base of the window's one-job-at-a-time workers.

    Subclasses build a superqt worker around the job and hand it to
    :meth:`_launch`; they call :meth:`_job_over` on the GUI thread before
    emitting their final signal, so a slot reacting to it may start the next
    job.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self._active = False

    @property
    def running(self) -> bool:
        """Whether a job is in progress (False once it has said it is over)."""
        return self._active

    def _new_job(self) -> tuple[threading.Event, threading.Event]:
        """A fresh (cancel, done) pair for the next job; the job sets ``done`` as it ends."""
        if self._active:
            raise RuntimeError("a job is already going")
        self._cancel, self._done = threading.Event(), threading.Event()
        return self._cancel, self._done

    def _launch(self, worker: WorkerBase) -> None:
        """Start ``worker`` in Qt's global thread pool (kept wide enough for every worker)."""
        pool = QThreadPool.globalInstance()
        if pool.maxThreadCount() < MIN_POOL_THREADS:
            pool.setMaxThreadCount(MIN_POOL_THREADS)
        self._active = True
        worker.start()  # superqt holds the worker until it has finished

    def _job_over(self) -> None:
        self._active = False

    def cancel(self) -> None:
        """Ask the job to stop at its next check (after the current batch)."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job's work has ended (for shutdown and tests only)."""
        return self._done.wait(timeout)
