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
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from superqt.utils import qdebounced, qthrottled

if TYPE_CHECKING:
    from superqt.utils._throttler import ThrottledCallable

__all__ = ["TaskRunner", "debounced", "throttled"]

log = logging.getLogger(__name__)


def throttled(parent: QObject, ms: int, slot: Callable[[], Any]) -> ThrottledCallable:
    """Call ``slot`` at most once per ``ms`` milliseconds, ``ms`` after the first of a burst of changes.

    Call ``.throttle()`` on every change; ``.cancel()`` drops a pending call
    (e.g. when the slot has just run for another reason); ``.flush()`` makes
    a pending call now. superqt's ``qthrottled``, trailing.
    """
    return qthrottled(slot, timeout=ms, leading=False, parent=parent)


def debounced(parent: QObject, ms: int, slot: Callable[[], Any]) -> ThrottledCallable:
    """Call ``slot`` once the changes pause for ``ms`` milliseconds (``.throttle()`` on each)."""
    return qdebounced(slot, timeout=ms, leading=False, parent=parent)


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
