"""A worker that runs one job at a time in a Python thread of its own.

The model runs (:class:`~audioclass_gui.qt.inference.InferenceController`,
:class:`~audioclass_gui.qt.batch_worker.BatchWorker`) share this life
cycle: start with a fresh cancel flag, say when the job is over (the
thread may still be winding down), cancel, and wait only at shutdown.
Their signals, emitted from the thread, reach the GUI thread queued.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

__all__ = ["ThreadWorker"]


class ThreadWorker(QObject):
    """Base of the window's one-job-at-a-time workers.

    Subclasses start a job with :meth:`_launch` and call
    :meth:`_job_over` as their last step before emitting their final
    signal, so a slot reacting to it may start the next job.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._active = threading.Event()

    @property
    def running(self) -> bool:
        """Whether a job is in progress (False once it has said it is over)."""
        return self._active.is_set()

    def _launch(self, target: Callable[..., Any], args: tuple[Any, ...], name: str) -> threading.Event:
        """Start ``target(*args, cancel)`` in a new daemon thread; returns the job's cancel flag."""
        self._cancel = cancel = threading.Event()
        self._active.set()
        self._thread = threading.Thread(target=target, args=(*args, cancel), name=name, daemon=True)
        self._thread.start()
        return cancel

    def _job_over(self) -> None:
        self._active.clear()

    def cancel(self) -> None:
        """Ask the job to stop at its next check (after the current batch)."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread ends (for shutdown and tests only)."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()
