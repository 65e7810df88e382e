"""Whether a model runs in the window, and when it ends."""

from __future__ import annotations

from psygnal import Signal

__all__ = ["RunState"]


class RunState:
    """The window's model run (one at a time over the open recording).

    Signals
    -------
    started(str)
        A run of this model key began.
    finished(bool)
        The run ended; True if it was cancelled or failed.
    """

    started = Signal(str)
    finished = Signal(bool)

    def __init__(self) -> None:
        #: The key of the model running, or None.
        self.key: str | None = None

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
