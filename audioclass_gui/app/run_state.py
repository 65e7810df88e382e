"""Whether a model runs in the window, and when it ends."""

from __future__ import annotations

from psygnal import Signal

__all__ = ["THRESHOLD_FLOOR", "RunState"]

#: Lowest score a run in the window keeps: the threshold slider cannot go
#: below it, and moving the slider never needs the model again.
THRESHOLD_FLOOR = 0.05


class RunState:
    """The window's model run (one at a time over the open recording).

    Signals
    -------
    started(str)
        A run of this model key began.
    finished(bool)
        The run ended; True if it was cancelled or failed.
    model_chosen(str)
        The model chosen for the next run (its registry key) changed.
    """

    started = Signal(str)
    finished = Signal(bool)
    model_chosen = Signal(str)

    def __init__(self) -> None:
        #: The key of the model running, or None.
        self.key: str | None = None
        #: The registry key of the model chosen for runs ("" before any).
        self.model_key = ""

    def choose(self, key: str) -> None:
        """Choose the model for the next runs (said only when it changes)."""
        if key != self.model_key:
            self.model_key = key
            self.model_chosen.emit(key)

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`finish`."""
        return self.key is not None

    def start(self, key: str) -> None:
        """A run of model ``key`` began."""
        self.key = key
        self.started.emit(key)

    def finish(self, cancelled: bool) -> None:
        """The run ended (``cancelled`` also when it failed)."""
        self.key = None
        self.finished.emit(cancelled)
