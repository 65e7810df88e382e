"""How far a batch run has got: recordings and hours done, speed, time left.

No Qt and no clock of its own: whoever follows a run (the window's
progress panel) feeds it the run's events and the time, and reads the
figures it shows. Failures are kept by file so they can be listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["RunProgress"]


@dataclass
class RunProgress:
    """The figures of one batch run.

    Attributes
    ----------
    recordings
        Recordings the run was asked to process.
    skipped
        Of them, those an earlier run had already finished (resume).
    finished
        Finished in this run.
    failures
        ``(path, reason)`` of every recording that could not be processed.
    seconds_total
        Seconds of audio of the recordings to process in this run.
    seconds_skipped
        Seconds of audio of the skipped recordings.
    seconds_done
        Seconds of audio processed in this run so far.
    elapsed
        Wall seconds since the run started (as last told).
    state
        ``"starting"``, ``"running"``, ``"cancelling"``, ``"cancelled"``
        or ``"finished"``.
    """

    recordings: int = 0
    skipped: int = 0
    finished: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds_total: float = 0.0
    seconds_skipped: float = 0.0
    seconds_done: float = 0.0
    elapsed: float = 0.0
    state: str = "starting"
    _started_at: float | None = None

    def start(
        self, *, skipped: int, seconds_total: float, seconds_skipped: float, now: float
    ) -> None:
        """The run is planned: how much is left to do, and what was done before."""
        self.skipped = skipped
        self.seconds_total = seconds_total
        self.seconds_skipped = seconds_skipped
        self._started_at = now
        if self.state == "starting":
            self.state = "running"

    def tick(self, now: float) -> None:
        """Tell the time (for the speed and the time left)."""
        if self._started_at is not None:
            self.elapsed = max(0.0, now - self._started_at)

    def advance(self, seconds: float) -> None:
        """``seconds`` more of audio were processed."""
        self.seconds_done = min(self.seconds_total, self.seconds_done + seconds)

    def finish_recording(self) -> None:
        """A recording's results are in place."""
        self.finished += 1

    def fail(self, path: str, reason: str) -> None:
        """A recording could not be processed."""
        self.failures.append((path, reason))

    def end(self, *, cancelled: bool) -> None:
        """The run is over (stopped by the user when ``cancelled``)."""
        self.state = "cancelled" if cancelled else "finished"

    @property
    def running(self) -> bool:
        """Whether the run has not ended yet."""
        return self.state in ("starting", "running", "cancelling")

    @property
    def done(self) -> int:
        """Recordings finished now or before, or failed."""
        return self.skipped + self.finished + len(self.failures)

    @property
    def hours_done(self) -> float:
        """Hours of audio done, the skipped recordings' included."""
        return (self.seconds_skipped + self.seconds_done) / 3600.0

    @property
    def hours_total(self) -> float:
        """Hours of audio of all the recordings of the run."""
        return (self.seconds_skipped + self.seconds_total) / 3600.0

    @property
    def speed(self) -> float | None:
        """Seconds of audio processed per wall second in this run (None until known)."""
        if self.seconds_done <= 0 or self.elapsed <= 0:
            return None
        if self.running and self.elapsed < 0.5:
            return None  # too early to tell
        return self.seconds_done / self.elapsed

    @property
    def seconds_left(self) -> float | None:
        """Wall seconds left at the present speed (None until known)."""
        speed = self.speed
        if speed is None:
            return None
        return max(0.0, self.seconds_total - self.seconds_done) / speed

    @property
    def fraction(self) -> float:
        """Share of the audio done (skipped recordings count as done; all once finished)."""
        if self.state == "finished":
            return 1.0
        total = self.seconds_skipped + self.seconds_total
        if total <= 0:
            return 1.0 if not self.running else 0.0
        return (self.seconds_skipped + self.seconds_done) / total
