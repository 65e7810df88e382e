"""Active learning: the windows a classifier is least sure of, to review next.

:func:`uncertain_queue` picks the windows whose score is nearest the
decision threshold, spread over recordings (round-robin: each recording's
most uncertain window, then each one's second...), leaving out windows
already judged. Each verdict given there is a new training example where
the classifier needs one most. :meth:`UncertainQueue.review_queue` turns
the picks into the :class:`~audioclass_gui.review.sampling.ReviewQueue`
the review panel walks through (and a project saves), once the
classifier's run is in the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.sampling import ReviewQueue, Stratum

if TYPE_CHECKING:
    from audioclass_gui.review.session import PathKey, ReviewSession

__all__ = ["UncertainQueue", "uncertain_queue"]


@dataclass(frozen=True)
class UncertainQueue:
    """Windows to review, most uncertain first within each round.

    Attributes
    ----------
    rows : numpy.ndarray
        Indices into the scored windows (int64), in review order.
    scores : numpy.ndarray
        Their scores (float32).
    threshold : float
        The decision threshold they are near.
    candidates : int
        Windows that could be picked (not judged).
    """

    rows: np.ndarray
    scores: np.ndarray
    threshold: float
    candidates: int

    def __len__(self) -> int:
        return len(self.rows)

    def path_keys(
        self,
        paths: Sequence[str],
        recordings: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        species: str,
    ) -> list[PathKey]:
        """The picks as path keys ``(path, start, end, species)`` (ms-rounded).

        ``paths[recordings[row]]``, ``starts[row]`` and ``ends[row]`` locate
        a scored window (e.g. an embedding store's ``recordings()`` and
        ``rows()``).
        """
        return [
            (
                str(paths[int(recordings[r])]),
                round(float(starts[r]), 3),
                round(float(ends[r]), 3),
                species,
            )
            for r in self.rows.tolist()
        ]

    def review_queue(
        self, session: ReviewSession, keys: Sequence[PathKey], *, seed: int = 0
    ) -> ReviewQueue:
        """A review queue of the session's detections at these keys.

        Keys with no detection in the session (the classifier's run not
        added, or the window scored below the run's threshold) are skipped.
        The queue has one stratum: the score band of the picks.
        """
        ids: list[int] = []
        for key in keys:
            ids.extend(session.ids_for(key)[:1])
        species = sorted({key[3] for key in keys})
        low = float(self.scores.min()) if len(self.scores) else self.threshold
        high = float(self.scores.max()) if len(self.scores) else self.threshold
        strata = tuple(
            Stratum(
                name,
                low,
                high,
                self.candidates,
                tuple(i for i, k in zip(ids, keys, strict=False) if k[3] == name),
            )
            for name in species
        )
        return ReviewQueue(
            tuple(ids), strata, len(ids), (low, high), seed, tuple(species)
        )


def uncertain_queue(
    scores: np.ndarray,
    recordings: np.ndarray,
    threshold: float,
    n: int,
    *,
    exclude: np.ndarray | None = None,
    per_recording: int | None = None,
) -> UncertainQueue:
    """The ``n`` windows nearest the decision threshold, spread over recordings.

    Parameters
    ----------
    scores
        One species' score of every window, shape ``(N,)``.
    recordings
        Recording of each window (any labels: ints, paths), shape ``(N,)``.
    threshold
        The classifier's decision threshold.
    n
        How many windows to pick (fewer when fewer are left).
    exclude
        Windows already judged: row numbers (int) or a boolean mask.
    per_recording
        At most this many from one recording (default: no limit; the
        round-robin still spreads them).

    Returns
    -------
    UncertainQueue
        Round ``r`` holds the ``r``-th most uncertain window of every
        recording that has one, recordings ordered by that window's
        uncertainty; ties by row.
    """
    scores = np.asarray(scores, np.float32).ravel()
    recordings = np.asarray(recordings)
    if recordings.shape != scores.shape:
        raise ValueError(f"{len(recordings)} recordings for {len(scores)} scores")
    keep = np.isfinite(scores)
    if exclude is not None:
        exclude = np.asarray(exclude)
        if exclude.dtype == bool:
            keep &= ~exclude
        else:
            keep[exclude.astype(np.int64)] = False
    candidates = np.flatnonzero(keep)
    distance = np.abs(scores[candidates] - np.float32(threshold))
    # Sort by recording, then distance: each recording's windows in turn.
    _, rec_code = np.unique(recordings[candidates], return_inverse=True)
    order = np.lexsort((candidates, distance, rec_code))
    rec_sorted = rec_code[order]
    starts_of = np.r_[0, np.flatnonzero(np.diff(rec_sorted)) + 1]
    rank = np.arange(len(order)) - np.repeat(starts_of, np.diff(np.r_[starts_of, len(order)]))
    if per_recording is not None:
        allowed = rank < int(per_recording)
        order, rank = order[allowed], rank[allowed]
    # Round-robin: by rank within the recording, then distance.
    pick = np.lexsort((candidates[order], distance[order], rank))[: max(0, int(n))]
    rows = candidates[order[pick]]
    return UncertainQueue(
        rows=rows.astype(np.int64),
        scores=scores[rows],
        threshold=float(threshold),
        candidates=len(candidates),
    )
