"""What the Model panel says about runs, derived from the state it describes.

The panel's progress text and status line are not set once when a run ends
and left there: they are recomputed from the run's outcome (which recording
it was made on, how it ended), the open recording, and the count of
detections at the thresholds now in force, each time one of those changes.
So "Finished: 3 detections at or above 0.25" follows the threshold slider
and the per-species thresholds, and goes when another recording opens.

Pure Python: no Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["RunOutcome", "describe_loaded", "outcome_status", "progress_text"]


@dataclass(frozen=True)
class RunOutcome:
    """How the last model run of the window ended.

    Attributes
    ----------
    recording
        Path of the recording the run was made on (as ``str(path)``).
    model
        The model's title, as the panel names it.
    cancelled
        The run was cancelled (what it found so far is kept).
    seconds
        How long it ran (wall-clock seconds).
    failure
        Why it failed, or None when it did not.
    """

    recording: str
    model: str
    cancelled: bool = False
    seconds: float = 0.0
    failure: str | None = None


def progress_text(outcome: RunOutcome) -> str:
    """The progress bar's text after a run: ``"Finished in 1.5 s"``, ``"failed"``..."""
    if outcome.failure is not None:
        return "failed"
    what = "Cancelled after" if outcome.cancelled else "Finished in"
    return f"{what} {outcome.seconds:.1f} s"


def outcome_status(
    outcome: RunOutcome,
    count: int,
    threshold: float,
    own_thresholds: int = 0,
) -> str:
    """The status line after a run, counting the detections listed now.

    Parameters
    ----------
    outcome
        How the run ended.
    count
        Detections of the run's recording at the thresholds in force now.
    threshold
        The threshold slider's value.
    own_thresholds
        How many species have their own threshold (they ignore the slider).
    """
    if outcome.failure is not None:
        return outcome.failure
    what = "Cancelled" if outcome.cancelled else "Finished"
    noun = "detection" if count == 1 else "detections"
    text = f"{what}: {count} {noun} at or above {threshold:.2f}"
    if own_thresholds:
        whose = "its" if own_thresholds == 1 else "their"
        text += f" ({own_thresholds} species with {whose} own threshold)"
    return text + "."


def describe_loaded(run_names: Sequence[str]) -> str:
    """The status line when no run of this window is shown: which runs the review holds."""
    if not run_names:
        return "No detections yet: pick a model and press Run."
    names = sorted({name for name in run_names if name})
    if not names:  # runs whose files do not name their model
        return "Detections are loaded. Run adds the chosen model's."
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"Detections of {shown} are loaded. Run adds the chosen model's."
