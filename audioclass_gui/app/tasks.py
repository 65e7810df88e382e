"""How the app model runs blocking work: a port the window fills with its thread pool."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

__all__ = ["ImmediateTasks", "Tasks"]


class Tasks(Protocol):
    """Runs blocking work off the GUI thread and answers on it.

    The window's implementation is :class:`audioclass_gui.qt.common.tasks.TaskRunner`
    (a thread pool whose callbacks are queued to the GUI thread).
    """

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[Any] | None:
        """Run ``fn()``; call ``on_done(result)`` or ``on_error(exc)`` on the GUI thread."""
        ...


class ImmediateTasks:
    """Runs each task at once, in the caller's thread: for tests and scripts without Qt."""

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[Any] | None:
        """Run ``fn()`` now and call back before returning."""
        future: Future[Any] = Future()
        try:
            result = fn()
        except Exception as exc:  # handed to on_error, as the pool would
            future.set_exception(exc)
            if on_error is not None:
                on_error(exc)
            return future
        future.set_result(result)
        if on_done is not None:
            on_done(result)
        return future
