"""Run blocking work (disk, decoding, FFTs, exports) off the GUI thread.

A :class:`TaskRunner` owns a small thread pool. ``submit`` returns at once;
the result or the error comes back to the GUI thread through a queued
signal, so callbacks may touch widgets.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

if TYPE_CHECKING:
    from superqt.utils._throttler import ThrottledCallable

__all__ = [
    "PRELOADED",
    "TaskRunner",
    "Throttle",
    "debounced",
    "preload",
    "throttled",
    "wait_for_preload",
]

log = logging.getLogger(__name__)


class Throttle:
    """superqt's trailing throttler (or debouncer) for ``slot``, made on first use.

    Call :meth:`throttle` on every change; :meth:`cancel` drops a pending
    call (e.g. when the slot has just run for another reason); :meth:`flush`
    makes a pending call now. superqt's package takes a few tenths of a
    second to import, so it is imported when a throttle is first used (or
    earlier in the background, see :func:`preload`), not while the
    window is being built.
    """

    __slots__ = ("_debounce", "_ms", "_parent", "_slot", "_throttler")

    def __init__(
        self, parent: QObject, ms: int, slot: Callable[[], Any], *, debounce: bool = False
    ) -> None:
        self._parent, self._ms, self._slot, self._debounce = parent, ms, slot, debounce
        self._throttler: ThrottledCallable | None = None

    def throttle(self) -> None:
        """A change: call the slot once the throttle (or quiet period) has run out."""
        if self._throttler is None:
            from superqt.utils import qdebounced, qthrottled

            make = qdebounced if self._debounce else qthrottled
            self._throttler = make(self._slot, timeout=self._ms, leading=False, parent=self._parent)
        self._throttler.throttle()

    def cancel(self) -> None:
        """Drop a pending call."""
        if self._throttler is not None:
            self._throttler.cancel()

    def flush(self) -> None:
        """Make a pending call now."""
        if self._throttler is not None:
            self._throttler.flush()


def throttled(parent: QObject, ms: int, slot: Callable[[], Any]) -> Throttle:
    """Call ``slot`` at most once per ``ms`` milliseconds, ``ms`` after the first of a burst of changes."""
    return Throttle(parent, ms, slot)


def debounced(parent: QObject, ms: int, slot: Callable[[], Any]) -> Throttle:
    """Call ``slot`` once the changes pause for ``ms`` milliseconds (``.throttle()`` on each)."""
    return Throttle(parent, ms, slot, debounce=True)


#: Libraries the window defers past its first paint, imported once it shows:
#: superqt (throttles, workers), soundevent (with pydantic) and pyarrow.
PRELOADED = ("superqt.utils", "soundevent", "soundevent.data", "soundevent.io", "pyarrow")

#: Seconds the preload lets the window paint before it imports (a first
#: paint takes well under this after ``show()``).
PAINT_WAIT = 0.3

#: Set while no preload runs. Background jobs wait for it before they start:
#: pydantic builds its modules lazily, and two threads importing soundevent
#: at once can meet a half-imported module ("circular import").
_preloaded = threading.Event()
_preloaded.set()


def wait_for_preload(timeout: float = 60.0) -> None:
    """Block (a worker thread) until the preload started by :func:`preload` has finished."""
    _preloaded.wait(timeout)


def preload(names: tuple[str, ...] = PRELOADED, *, after_events: bool = False) -> threading.Thread:
    """Import the deferred libraries in one background thread, once the window shows.

    They are not needed to paint the window, but most actions need them
    soon after: imported here, one after the other, no throttle, worker or
    first click waits for them, and no two threads import them at once
    (the task runner's jobs wait for this, see :func:`wait_for_preload`).
    With ``after_events`` the imports start :data:`PAINT_WAIT` seconds
    later, once the window has had time to paint, so they do not compete
    with it for the interpreter; jobs wait from now on all the same.
    """

    def run() -> None:
        try:
            if after_events:
                time.sleep(PAINT_WAIT)
            for name in names:
                try:
                    importlib.import_module(name)
                except ImportError:  # an optional library: its users say so when used
                    log.debug("preload: %s not importable", name)
        finally:
            _preloaded.set()

    _preloaded.clear()
    thread = threading.Thread(target=run, name="acg-preload", daemon=True)
    thread.start()
    return thread


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

        def job() -> Any:
            wait_for_preload()  # never import soundevent beside the preload thread
            return fn()

        future = self._pool.submit(job)
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
