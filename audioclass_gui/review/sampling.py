"""Verification sampling: review N detections per species, stratified by score.

Reviewing every detection of a deployment is rarely possible; reviewing a
random sample tells how good the detections are. :func:`stratified_sample`
builds a review queue with up to N detections per species, spread over
score bins (so high and low scores are both checked), and
:func:`sample_precision` turns the verdicts on that sample into a precision
per species with a Wilson confidence interval (raw, and stratified: the
estimate to report); the estimation lives in
:mod:`audioclass_gui.review.sample_estimate` and is re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.detection import Status
from audioclass_gui.review.sample_estimate import (
    OVERALL,
    SamplePrecision,
    sample_precision,
    wilson_interval,
)

if TYPE_CHECKING:
    from audioclass_gui.review.detection import Detection
    from audioclass_gui.review.query import DetectionFilter
    from audioclass_gui.review.session import ReviewSession

__all__ = [
    "OVERALL",
    "ReviewQueue",
    "SamplePrecision",
    "Stratum",
    "sample_precision",
    "stratified_sample",
    "wilson_interval",
]


@dataclass(frozen=True)
class Stratum:
    """One score bin of one species in a sample.

    Attributes
    ----------
    scientific_name : str
    low, high : float
        The bin (low inclusive; high inclusive for the top bin only).
    population : int
        Detections of the species in the bin when the sample was drawn.
    ids : tuple of int
        The sampled detections.
    """

    scientific_name: str
    low: float
    high: float
    population: int
    ids: tuple[int, ...]


@dataclass(frozen=True)
class ReviewQueue:
    """Detections to review, in order, and how they were drawn.

    Attributes
    ----------
    ids : tuple of int
        Detection ids in review order (species by name; random within one).
    strata : tuple of Stratum
    per_species : int
    edges : tuple of float
        Bin edges.
    seed : int
    """

    ids: tuple[int, ...]
    strata: tuple[Stratum, ...]
    per_species: int
    edges: tuple[float, ...]
    seed: int = 0
    species: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.ids)

    def per_species_counts(self) -> dict[str, int]:
        """Sample size per species (species in queue order)."""
        counts: dict[str, int] = {}
        for stratum in self.strata:
            counts[stratum.scientific_name] = counts.get(
                stratum.scientific_name, 0
            ) + len(stratum.ids)
        return counts

    def detections(self, session: ReviewSession) -> list[Detection]:
        """The queue's detections in queue order (ids unknown to ``session`` skipped)."""
        out: list[Detection] = []
        seen: set[int] = set()
        for det_id in self.ids:
            if det_id in seen:
                continue
            seen.add(det_id)
            try:
                out.append(session.get(det_id))
            except KeyError:
                continue
        return out

    def next_unreviewed(
        self, session: ReviewSession, after: int | None = None
    ) -> int | None:
        """The first id after ``after`` in the queue still unreviewed (wrapping)."""
        ids = self.ids
        start = ids.index(after) + 1 if after in ids else 0
        for det_id in (*ids[start:], *ids[:start]):
            try:
                if session.status(det_id) is Status.UNREVIEWED:
                    return det_id
            except KeyError:
                continue
        return None


def _edges(bins: int | Sequence[float], scores: np.ndarray, floor: float) -> np.ndarray:
    if not isinstance(bins, int):
        edges = np.asarray(sorted(bins), dtype=float)
        if len(edges) < 2:
            raise ValueError("give at least two bin edges")
        return edges
    if bins < 1:
        raise ValueError("bins must be at least 1")
    low = (
        floor if math.isfinite(floor) else (float(scores.min()) if len(scores) else 0.0)
    )
    high = max(1.0, float(scores.max()) if len(scores) else 1.0)
    return np.linspace(low, high, bins + 1)


def _allocate(n: int, capacity: list[int]) -> list[int]:
    """Spread ``n`` over bins as evenly as their capacities allow (top bins first)."""
    take = [0] * len(capacity)
    left = min(n, sum(capacity))
    while left > 0:
        open_bins = [i for i, c in enumerate(capacity) if take[i] < c]
        share = max(1, left // len(open_bins))
        for i in reversed(open_bins):
            add = min(share, capacity[i] - take[i], left)
            take[i] += add
            left -= add
            if left == 0:
                break
    return take


def stratified_sample(
    session: ReviewSession,
    per_species: int,
    bins: int | Sequence[float] = 5,
    *,
    filter: DetectionFilter | None = None,
    species: Sequence[str] | None = None,
    seed: int = 0,
) -> ReviewQueue:
    """Draw up to ``per_species`` detections of each species, spread over score bins.

    Parameters
    ----------
    session
        The review.
    per_species
        Sample size per species (fewer when a species has fewer detections).
    bins
        Number of equal-width score bins between the filter's threshold (or
        the lowest score) and 1, or explicit bin edges.
    filter
        Which detections form the population (e.g. ``min_score`` = the
        threshold in use). Already reviewed detections can be drawn too:
        their verdict counts.
    species
        Species to sample (default: every predicted species).
    seed
        Random seed; the same seed gives the same queue.
    """
    cols = session.columns()
    rng = np.random.default_rng(seed)
    mask = np.ones(len(cols.score), bool) if filter is None else filter.mask(session)
    floor = filter.min_score if filter is not None else -math.inf
    edges = _edges(bins, cols.score[mask], floor)
    names = sorted(species) if species is not None else sorted(session.species_list())
    strata: list[Stratum] = []
    queue: list[int] = []
    for name in names:
        spc = session.species_registry.get(name)
        if spc is None:
            continue
        rows = np.flatnonzero(mask & (cols.species == spc))
        if not len(rows):
            continue
        which = np.clip(
            np.searchsorted(edges, cols.score[rows], side="right") - 1,
            0,
            len(edges) - 2,
        )
        members = [rows[which == b] for b in range(len(edges) - 1)]
        take = _allocate(per_species, [len(m) for m in members])
        picked: list[int] = []
        for b, (rows_b, k) in enumerate(zip(members, take, strict=True)):
            chosen = (
                rng.choice(rows_b, size=k, replace=False) if k else np.empty(0, int)
            )
            ids = tuple(int(i) + cols.first_id for i in np.sort(chosen))
            if len(rows_b):
                strata.append(
                    Stratum(
                        name, float(edges[b]), float(edges[b + 1]), len(rows_b), ids
                    )
                )
            picked.extend(ids)
        queue.extend(rng.permutation(picked).tolist() if picked else [])
    return ReviewQueue(
        tuple(int(i) for i in queue),
        tuple(strata),
        per_species,
        tuple(float(e) for e in edges),
        seed,
        tuple(names),
    )
