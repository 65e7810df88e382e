"""NewestOnly: of several requests in flight, only the newest one's answer is handed on."""

from __future__ import annotations

from audioclass_gui.app.tasks import NewestOnly


class _Deferred:
    """A Tasks port that runs work only when told (as a thread pool answers later)."""

    def __init__(self) -> None:
        self.queued: list = []

    def submit(self, fn, on_done=None, on_error=None):
        self.queued.append((fn, on_done, on_error))

    def answer(self, i: int) -> None:
        fn, on_done, on_error = self.queued[i]
        try:
            result = fn()
        except Exception as exc:
            on_error(exc)
        else:
            on_done(result)


def test_an_answer_overtaken_by_a_newer_request_is_dropped() -> None:
    tasks, got, errors = _Deferred(), [], []
    newest = NewestOnly(tasks)
    newest.submit(lambda: "old", got.append, errors.append)
    newest.submit(lambda: "new", got.append, errors.append)
    tasks.answer(1)
    tasks.answer(0)  # the old one answers last: dropped
    assert got == ["new"]
    newest.submit(lambda: 1 / 0, got.append, errors.append)
    tasks.answer(2)
    assert len(errors) == 1 and isinstance(errors[0], ZeroDivisionError)


def test_still_and_drop() -> None:
    tasks, got = _Deferred(), []
    newest = NewestOnly(tasks)
    open_ = [True]
    newest.submit(lambda: "a", got.append, still=lambda: open_[0])
    open_[0] = False  # the project closed before the answer came
    tasks.answer(0)
    newest.submit(lambda: "b", got.append)
    newest.drop()
    tasks.answer(1)
    newest.submit(lambda: "c", got.append)
    tasks.answer(2)
    assert got == ["c"]
