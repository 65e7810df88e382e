"""Run blocking work (disk, decoding, FFTs, exports) off the GUI thread.

A :class:`TaskRunner` owns a small thread pool. ``submit`` returns at once;
the result or the error comes back to the GUI thread through a queued
signal, so callbacks may touch widgets.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

__all__ = ["TaskRunner", "debounce"]

log = logging.getLogger(__name__)


def debounce(parent: QObject, ms: int, slot: Callable[[], Any]) -> QTimer:
    """A single-shot timer of ``ms`` milliseconds, owned by ``parent``, that calls ``slot``.

    Start it on every change; the slot runs once the changes pause (or, when
    the caller starts it only if it is not active, at most once per ``ms``).
    """
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(slot)
    return timer


class TaskRunner(QObject):
    """Thread pool whose results are delivered on the GUI thread.

    Parameters
    ----------
    max_workers
        Threads in the pool.
    parent
        Qt parent.
    """

    _delivered = Signal(object, object, object, object)  # callback, errback, result, error

    def __init__(self, max_workers: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="acg-task")
        self._pending: set[Future[Any]] = set()
        self._closed = False
        self._delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[Any] | None:
        """Run ``fn()`` in the pool; call ``on_done(result)`` or ``on_error(exc)`` in the GUI thread.

        Returns None (and runs nothing) once the runner has been shut down,
        as happens when late timers fire while the window closes.
        """
        if self._closed:
            return None
        future = self._pool.submit(fn)
        self._pending.add(future)

        def finished(f: Future[Any]) -> None:
            self._pending.discard(f)
            if f.cancelled():
                return
            exc = f.exception()
            try:
                if exc is not None:
                    log.debug("background task failed:\n%s", "".join(traceback.format_exception(exc)))
                    self._delivered.emit(None, on_error, None, exc)
                else:
                    self._delivered.emit(on_done, None, f.result(), None)
            except RuntimeError:
                # The runner was deleted with its window while this task ran:
                # nobody is left to tell.
                pass

        future.add_done_callback(finished)
        return future

    @property
    def busy(self) -> bool:
        """Whether any submitted task has not finished yet."""
        return bool(self._pending)

    @Slot(object, object, object, object)
    def _deliver(self, on_done: Any, on_error: Any, result: Any, error: Any) -> None:
        if error is not None:
            if on_error is not None:
                on_error(error)
            else:
                log.error("background task failed: %s", error)
        elif on_done is not None:
            on_done(result)

    def shutdown(self) -> None:
        """Stop accepting work; running tasks finish in the background."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
