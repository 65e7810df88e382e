"""How the app model runs blocking work: a port the window fills with its thread pool."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

__all__ = ["ImmediateTasks", "NewestOnly", "Tasks"]


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


class NewestOnly:
    """Work sent to a :class:`Tasks` port where only the newest request's answer counts.

    A recount asked again before the last one answered makes that answer
    stale: each :meth:`submit` supersedes the requests before it, whose
    results and errors are dropped, as are answers for which ``still()``
    says no (the project they were about closed meanwhile, say).

    Parameters
    ----------
    tasks
        Where the work runs (the window's thread pool).
    """

    def __init__(self, tasks: Tasks) -> None:
        self._tasks = tasks
        self._newest = 0

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        still: Callable[[], bool] | None = None,
    ) -> None:
        """Run ``fn()``; hand its answer on unless a newer request came or ``still()`` is False."""
        self._newest += 1
        ticket = self._newest

        def current() -> bool:
            return ticket == self._newest and (still is None or still())

        def done(result: Any) -> None:
            if current():
                on_done(result)

        def failed(exc: BaseException) -> None:
            if on_error is not None and current():
                on_error(exc)

        self._tasks.submit(fn, done, failed)

    def drop(self) -> None:
        """Forget the request under way: its answer is dropped."""
        self._newest += 1
