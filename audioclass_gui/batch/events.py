"""What a batch run reports: finished recordings, the final report, callbacks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from audioclass_gui.batch.plan import Job


__all__ = ["BatchEvents", "BatchReport", "Finished"]


@dataclass(frozen=True)
class Finished:
    """A recording whose outputs are in place.

    Attributes
    ----------
    job
        The job.
    clips, detections
        Windows processed and predicted tags written.
    seconds
        Seconds of audio processed.
    """

    job: Job
    clips: int
    detections: int
    seconds: float


@dataclass
class BatchReport:
    """The outcome of :func:`run_batch`.

    Attributes
    ----------
    finished
        Recordings processed in this run.
    skipped
        Recordings already finished by an earlier run (resume).
    problems
        One message per unreadable file or failed recording, naming it.
    seconds
        Seconds of audio processed in this run.
    wall_seconds
        Duration of the run.
    executor
        Kind of executor used and its number of workers.
    cancelled
        The run was stopped (``BatchConfig.cancel``) before every
        recording was done; run again to resume.
    """

    finished: list[Finished] = field(default_factory=list)
    skipped: list[Job] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    wall_seconds: float = 0.0
    executor: str = ""
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        """Whether every recording was processed without a problem."""
        return not self.problems


class BatchEvents:
    """Callbacks of a running batch; subclass and override what you need
    (any object with these four methods will do).

    All are called from the thread that called :func:`run_batch`.
    """

    def started(
        self,
        jobs: Sequence[Job],
        skipped: Sequence[Job],
        total_seconds: float,
        executor: str,
    ) -> None:
        """The work is planned: ``jobs`` to run, ``skipped`` already finished."""

    def advanced(self, seconds: float, job: Job) -> None:
        """``seconds`` more of audio were processed (in ``job``)."""

    def finished(self, result: Finished) -> None:
        """A recording's outputs are in place and journaled."""

    def problem(self, message: str) -> None:
        """A recording could not be processed (the run goes on)."""
