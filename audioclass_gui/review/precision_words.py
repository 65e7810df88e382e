"""A species' precision and threshold in words, for the precision report.

The plot shows the curve; these sentences say what it means for the list
("that threshold keeps 25 of its 57 detections") and how far to trust it
(the 95 % Wilson interval, and a warning when few verdicts carry it).
"""

from __future__ import annotations

import numpy as np

from audioclass_gui.review.precision import (
    PrecisionCurve,
    SpeciesThreshold,
    kept_counts,
    precision_interval,
)

__all__ = ["FEW_VERDICTS", "describe_species_threshold"]

#: Below this many verdicts at or above a threshold it is called a rough guide.
FEW_VERDICTS = 10


def describe_species_threshold(
    row: SpeciesThreshold,
    curve: PrecisionCurve,
    scores: np.ndarray,
    *,
    min_reviewed: int = 1,
) -> str:
    """Sentences about one species' precision and threshold (without its name).

    Parameters
    ----------
    row
        From :func:`~audioclass_gui.review.precision.species_thresholds`.
    curve
        Its :func:`~audioclass_gui.review.precision.precision_curve`.
    scores
        Scores of all its detections
        (:func:`~audioclass_gui.review.precision.detection_scores`).
    min_reviewed
        The fewest verdicts a threshold had to rest on.
    """
    judged = (
        f"{row.reviewed} reviewed: {row.true_positives} correct, "
        f"{row.false_positives} wrong."
    )
    target = row.target
    if not len(curve):
        return "No verdicts yet: accept or reject some of its detections to measure precision."
    if row.threshold is None:
        best = int(np.argmax(curve.precision))
        floor = (
            f" with at least {min_reviewed} verdicts above it"
            if min_reviewed > 1
            else ""
        )
        return (
            f"{judged} No threshold reaches a precision of {target:.2f}{floor}; the best "
            f"is {curve.precision[best]:.2f} at {curve.thresholds[best]:.3f} and above. "
            "Review more of its detections or lower the target. "
            "Apply leaves this species on the slider."
        )
    index = int(np.flatnonzero(curve.thresholds == row.threshold)[0])
    low, high = precision_interval(curve)
    kept_all = int(kept_counts(scores, [row.threshold])[0])
    text = (
        f"{judged} Precision reaches {target:.2f} from a score of {row.threshold:.3f} "
        f"up: {row.precision:.2f} (95 % interval {low[index]:.2f}–{high[index]:.2f}) "
        f"from {_count(row.kept, 'reviewed detection')}; that threshold keeps {kept_all} "
        f"of its {_count(len(scores), 'detection')}."
    )
    if row.kept < FEW_VERDICTS:
        text += f" Only {_count(row.kept, 'verdict')} above it: treat it as a rough guide."
    return text


def _count(n: int, noun: str) -> str:
    """``1 verdict``, ``2 verdicts``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
