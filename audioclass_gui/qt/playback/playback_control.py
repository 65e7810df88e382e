"""The playback control thread: device work off the GUI thread, results back on it.

Opening, starting, pausing and stopping a stream, and listing or
re-initialising PortAudio's devices, can each take a while (a busy or
vanished device, a slow sound server). :class:`ControlThread` runs them one
at a time, in the order asked, on one worker thread, and hands each
outcome back to the GUI thread through a queued signal. Nothing it runs
can raise into Qt: failures come back as values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

__all__ = ["THREAD_NAME", "ControlThread"]

log = logging.getLogger(__name__)

#: Name prefix of the control thread (it is ``THREAD_NAME + "_0"``).
THREAD_NAME = "acg-playback-control"


class ControlThread(QObject):
    """Runs jobs in order on one worker thread; their outcomes arrive on the GUI thread.

    Signals
    -------
    failed(object)
        A job without an error handler raised (or a handler raised): the
        exception.
    """

    failed = Signal(object)
    _delivered = Signal(object)  # a callable to run on the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
        self._pending = 0
        self.closed = False
        self._delivered.connect(self._run_delivered, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        """Whether jobs asked for have not all been handled yet."""
        return self._pending > 0

    def submit(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future | None:
        """Run ``job`` after the jobs already asked for.

        ``on_done(result)`` or ``on_error(exception)`` then runs on the GUI
        thread. Returns the future (None once closed).
        """
        if self.closed:
            return None
        self._pending += 1

        def run() -> None:
            try:
                result, error = job(), None
            except BaseException as exc:  # handed back, never raised in the thread
                result, error = None, exc
            try:
                self._delivered.emit(lambda: self._finish(result, error, on_done, on_error))
            except RuntimeError:
                pass  # deleted with its window while the job ran: nobody is left to tell

        try:
            return self._pool.submit(run)
        except RuntimeError:  # shut down meanwhile
            self._pending -= 1
            return None

    def _finish(self, result, error, on_done, on_error) -> None:
        self._pending -= 1
        if error is None:
            if on_done is not None:
                on_done(result)
        elif on_error is not None:
            on_error(error)
        else:
            raise error

    def _run_delivered(self, call: Callable[[], None]) -> None:
        try:
            call()
        except Exception as exc:  # a playback problem must not take the window down
            log.warning("playback: %s", exc, exc_info=exc)
            self.failed.emit(exc)

    def close(self, last: Callable[[], Any] | None = None, wait: float = 2.0) -> None:
        """Run ``last`` (waiting up to ``wait`` s for it), then end the thread."""
        future = self.submit(last) if last is not None else None
        self.closed = True
        if future is not None:
            try:
                future.result(timeout=wait)
            except Exception:
                pass
        self._pool.shutdown(wait=False, cancel_futures=True)
