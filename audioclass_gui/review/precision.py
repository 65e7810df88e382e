"""Precision per species as a function of the score threshold, from the verdicts.

For the detections of one predicted species, a reviewed detection is a
**true positive** when it is accepted as that species, and a **false
positive** when it is rejected or relabelled to another species. Uncertain
and unreviewed detections count as neither. The precision at threshold
``t`` is ``TP / (TP + FP)`` over reviewed detections scoring at least
``t``: the share of correct detections the reviewer would keep by showing
only scores ``>= t``.

:func:`threshold_for_precision` finds the lowest threshold whose precision
reaches a target (0.9 by default), i.e. the one that keeps the most
detections at that precision; :func:`species_thresholds` does it for every
species, for the thresholds CSV (:mod:`audioclass_gui.formats.thresholds`)
that is applied back with ``DetectionFilter(thresholds=...)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.detection import Status

if TYPE_CHECKING:
    from audioclass_gui.review.query import DetectionFilter
    from audioclass_gui.review.session import ReviewSession

__all__ = [
    "DEFAULT_TARGET_PRECISION",
    "PrecisionCurve",
    "SpeciesThreshold",
    "applicable_thresholds",
    "detection_scores",
    "kept_counts",
    "outcomes",
    "precision_curve",
    "precision_interval",
    "species_thresholds",
    "species_without_verdicts",
    "step_points",
    "threshold_for_precision",
]

#: The precision a per-species threshold aims at unless told otherwise.
DEFAULT_TARGET_PRECISION = 0.9

_CODES = {s: i for i, s in enumerate(Status)}


def outcomes(
    session: ReviewSession, scientific_name: str, filter: DetectionFilter | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reviewed detections of a predicted species and whether each was right.

    Returns
    -------
    (ids, scores, correct)
        Arrays over the detections counted (true or false positives):
        their ids, scores and a boolean "true positive".
    """
    cols = session.columns()
    spc = session.species_registry.get(scientific_name)
    if spc is None:
        empty = np.empty(0)
        return empty.astype(np.int64), empty, empty.astype(bool)
    mask = cols.species == spc
    if filter is not None:
        mask &= filter.mask(session)
    relabelled = (cols.label >= 0) & (cols.label != spc)
    accepted = cols.status == _CODES[Status.ACCEPTED]
    rejected = cols.status == _CODES[Status.REJECTED]
    unreviewed = cols.status == _CODES[Status.UNREVIEWED]
    true_pos = mask & accepted & ~relabelled
    false_pos = mask & (rejected | (relabelled & ~unreviewed))
    rows = np.flatnonzero(true_pos | false_pos)
    return rows + cols.first_id, cols.score[rows].copy(), true_pos[rows]


@dataclass(frozen=True)
class PrecisionCurve:
    """Precision of one species' detections above each threshold.

    Attributes
    ----------
    scientific_name : str
    thresholds : numpy.ndarray
        Distinct scores of the reviewed detections, descending.
    precision : numpy.ndarray
        Precision of the reviewed detections scoring at least each threshold.
    true_positives, reviewed : numpy.ndarray of int
        Their counts (reviewed = true + false positives).
    """

    scientific_name: str
    thresholds: np.ndarray
    precision: np.ndarray
    true_positives: np.ndarray
    reviewed: np.ndarray

    def __len__(self) -> int:
        return len(self.thresholds)

    def at(self, threshold: float) -> tuple[float, int]:
        """Precision (nan if nothing is reviewed) and count of reviewed detections at ``threshold``."""
        # thresholds are descending: the last index whose value >= threshold.
        n = int(np.searchsorted(-self.thresholds, -threshold, side="right"))
        if n == 0:
            return math.nan, 0
        return float(self.precision[n - 1]), int(self.reviewed[n - 1])

    def rows(self) -> list[tuple[float, float, int, int]]:
        """``(threshold, precision, true positives, reviewed)`` per threshold, for a table."""
        return list(
            zip(
                self.thresholds.tolist(),
                self.precision.tolist(),
                self.true_positives.tolist(),
                self.reviewed.tolist(),
                strict=True,
            )
        )


def precision_curve(
    session: ReviewSession, scientific_name: str, filter: DetectionFilter | None = None
) -> PrecisionCurve:
    """The precision of a species' detections as a function of the threshold."""
    _ids, scores, correct = outcomes(session, scientific_name, filter)
    order = np.argsort(-scores, kind="stable")
    scores, correct = scores[order], correct[order]
    tp = np.cumsum(correct)
    n = np.arange(1, len(scores) + 1)
    # Keep the last index of each run of equal scores: ties go in together.
    last = (
        np.flatnonzero(np.r_[scores[1:] != scores[:-1], True])
        if len(scores)
        else np.empty(0, int)
    )
    return PrecisionCurve(
        scientific_name,
        scores[last],
        (tp[last] / n[last]) if len(last) else np.empty(0),
        tp[last].astype(np.int64),
        n[last].astype(np.int64),
    )


def threshold_for_precision(
    curve: PrecisionCurve,
    target: float = DEFAULT_TARGET_PRECISION,
    *,
    min_reviewed: int = 1,
) -> float | None:
    """The lowest threshold whose precision reaches ``target``.

    Parameters
    ----------
    curve
        From :func:`precision_curve`.
    target
        Precision to reach (0-1).
    min_reviewed
        Ignore thresholds above which fewer detections were reviewed.

    Returns
    -------
    float or None
        None when no threshold reaches the target.
    """
    ok = (curve.precision >= target) & (curve.reviewed >= min_reviewed)
    hits = np.flatnonzero(ok)
    return None if len(hits) == 0 else float(curve.thresholds[hits[-1]])


@dataclass(frozen=True, slots=True)
class SpeciesThreshold:
    """The threshold a species needs for a target precision.

    Attributes
    ----------
    scientific_name, common_name : str
    threshold : float or None
        Lowest threshold reaching ``target``; None if none does.
    precision : float
        Precision at ``threshold`` (nan when None).
    target : float
    reviewed, true_positives, false_positives : int
        Over all reviewed detections of the species.
    kept : int
        Reviewed detections at or above the threshold.
    """

    scientific_name: str
    common_name: str
    threshold: float | None
    precision: float
    target: float
    reviewed: int
    true_positives: int
    false_positives: int
    kept: int


def species_thresholds(
    session: ReviewSession,
    target: float = DEFAULT_TARGET_PRECISION,
    *,
    min_reviewed: int = 1,
    filter: DetectionFilter | None = None,
) -> list[SpeciesThreshold]:
    """Per species with reviewed detections, the threshold for ``target`` precision.

    Sorted by scientific name.
    """
    out = []
    for name in sorted(session.species_list()):
        curve = precision_curve(session, name, filter)
        if not len(curve):
            continue
        threshold = threshold_for_precision(curve, target, min_reviewed=min_reviewed)
        precision, kept = (math.nan, 0) if threshold is None else curve.at(threshold)
        tp, n = int(curve.true_positives[-1]), int(curve.reviewed[-1])
        out.append(
            SpeciesThreshold(
                name,
                session.common_name(name),
                threshold,
                precision,
                target,
                n,
                tp,
                n - tp,
                kept,
            )
        )
    return out


def applicable_thresholds(rows: Sequence[SpeciesThreshold]) -> dict[str, float]:
    """The thresholds to apply: species whose threshold reaches the target.

    Species that never reach it (``threshold`` None) are left out, so they
    keep the global threshold, exactly as a thresholds CSV read back with
    :func:`~audioclass_gui.formats.thresholds.read_thresholds_csv` does.
    """
    return {r.scientific_name: r.threshold for r in rows if r.threshold is not None}


def detection_scores(
    session: ReviewSession, scientific_name: str, filter: DetectionFilter | None = None
) -> np.ndarray:
    """Scores of every detection predicted as a species (reviewed or not), descending."""
    cols = session.columns()
    spc = session.species_registry.get(scientific_name)
    if spc is None:
        return np.empty(0)
    mask = cols.species == spc
    if filter is not None:
        mask &= filter.mask(session)
    return np.sort(cols.score[mask])[::-1].copy()


def kept_counts(
    scores: np.ndarray, thresholds: np.ndarray | Sequence[float]
) -> np.ndarray:
    """How many of ``scores`` are at or above each threshold.

    Parameters
    ----------
    scores
        Scores in any order (e.g. from :func:`detection_scores`).
    thresholds
        Thresholds to count at.
    """
    ascending = np.sort(np.asarray(scores, dtype=float))
    at = np.searchsorted(ascending, np.asarray(thresholds, dtype=float), side="left")
    return (len(ascending) - at).astype(np.int64)


def step_points(
    thresholds: np.ndarray, values: np.ndarray, low: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """A value-above-threshold curve as a step function, for a plot.

    ``values[i]`` holds for every threshold ``t`` with
    ``thresholds[i+1] < t <= thresholds[i]`` (``thresholds`` descending, as
    in :class:`PrecisionCurve`), and the last value down to ``low``.

    Returns
    -------
    (x, y)
        Ascending edges (one more than values: ``low`` first) and the
        value over each interval ``x[i]..x[i+1]``, ready for pyqtgraph's
        ``stepMode="center"``.
    """
    t = np.asarray(thresholds, dtype=float)[::-1]
    v = np.asarray(values, dtype=float)[::-1]
    if not len(t):
        return np.empty(0), np.empty(0)
    return np.r_[min(low, t[0]), t], v


def species_without_verdicts(
    session: ReviewSession, filter: DetectionFilter | None = None
) -> list[str]:
    """Species with detections none of which counts yet (no accept, reject or relabel).

    Sorted by scientific name.
    """
    cols = session.columns()
    names = session.species_list()
    mask = np.ones(len(cols.score), bool) if filter is None else filter.mask(session)
    relabelled = (cols.label >= 0) & (cols.label != cols.species)
    accepted = cols.status == _CODES[Status.ACCEPTED]
    rejected = cols.status == _CODES[Status.REJECTED]
    unreviewed = cols.status == _CODES[Status.UNREVIEWED]
    counted = (accepted & ~relabelled) | rejected | (relabelled & ~unreviewed)
    k = len(names)
    species = cols.species[mask]
    valid = (species >= 0) & (species < k)
    total = np.bincount(species[valid], minlength=k)
    judged = np.bincount(species[valid & counted[mask]], minlength=k)
    return sorted(names[i] for i in np.flatnonzero((total > 0) & (judged == 0)))


def precision_interval(
    curve: PrecisionCurve, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson interval of the precision at each threshold of ``curve``.

    Shows how far the precision measured from few verdicts can be trusted.

    Returns
    -------
    (low, high)
        Arrays aligned with ``curve.thresholds``.
    """
    # Imported here: sampling imports this module.
    from audioclass_gui.review.sampling import wilson_interval

    bounds = [
        wilson_interval(tp, n, confidence)
        for tp, n in zip(
            curve.true_positives.tolist(), curve.reviewed.tolist(), strict=True
        )
    ]
    if not bounds:
        return np.empty(0), np.empty(0)
    low, high = zip(*bounds, strict=True)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)
