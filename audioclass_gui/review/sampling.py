"""Verification sampling: review N detections per species, stratified by score.

Reviewing every detection of a deployment is rarely possible; reviewing a
random sample tells how good the detections are. :func:`stratified_sample`
builds a review queue with up to N detections per species, spread over
score bins (so high and low scores are both checked), and
:func:`sample_precision` turns the verdicts on that sample into a precision
per species with a Wilson confidence interval:

* ``raw``: the share of true positives among the judged sample detections,
  with the Wilson score interval;
* ``stratified`` (the estimate to report): bins weighted by how many
  detections they hold, the variance from the strata (with the finite
  population correction), and a Wilson interval on the effective sample
  size (Kish's design effect), which stays inside [0, 1] and is sensible
  for small samples.

True and false positives are counted as in
:mod:`audioclass_gui.review.precision`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.detection import Status
from audioclass_gui.review.precision import outcomes

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


def wilson_interval(
    successes: float, n: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval for a proportion.

    Parameters
    ----------
    successes, n
        Successes out of ``n`` trials (may be non-integer effective counts).
    confidence
        Coverage, e.g. 0.95.

    Returns
    -------
    (low, high)
        ``(nan, nan)`` when ``n`` is 0.
    """
    if n <= 0:
        return math.nan, math.nan
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return low, high


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
        spc = session._species_index.get(name)
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


@dataclass(frozen=True, slots=True)
class SamplePrecision:
    """Precision of one species estimated from a verification sample.

    Attributes
    ----------
    scientific_name : str
        The species, or :data:`OVERALL` for every species of the sample.
    population : int
        Detections the sample was drawn from.
    sampled, judged, true_positives : int
        Sample size, sample detections judged (true or false positive),
        and true positives among them.
    precision, low, high : float
        Stratified estimate and its Wilson interval (nan before any verdict).
    raw_precision, raw_low, raw_high : float
        Unweighted share of true positives and its Wilson interval.
    confidence : float
    reviewed : int
        Sample detections with any verdict (uncertain ones included);
        ``sampled - reviewed`` are still to review.
    """

    scientific_name: str
    population: int
    sampled: int
    judged: int
    true_positives: int
    precision: float
    low: float
    high: float
    raw_precision: float
    raw_low: float
    raw_high: float
    confidence: float
    reviewed: int = 0

    @property
    def remaining(self) -> int:
        """Sample detections still without a verdict."""
        return self.sampled - self.reviewed


#: ``scientific_name`` of the row over every species of a sample.
OVERALL = "(all species)"


def _estimate(
    parts: list[tuple[int, int, int]], confidence: float
) -> tuple[float, float, float]:
    """Stratified precision and its Wilson interval from ``(N_h, n_h, tp_h)`` strata."""
    n = sum(p[1] for p in parts)
    if not n:
        return math.nan, math.nan, math.nan
    total = sum(p[0] for p in parts)
    estimate = sum(N / total * (t / m) for N, m, t in parts)
    variance = sum(
        (N / total) ** 2 * (t / m) * (1 - t / m) / m * (1 - m / N if N else 0)
        for N, m, t in parts
    )
    n_eff = estimate * (1 - estimate) / variance if variance > 0 else float(n)
    low, high = wilson_interval(estimate * n_eff, n_eff, confidence)
    return estimate, low, high


def _row(
    name: str,
    strata: list[Stratum],
    verdict: dict[int, bool],
    reviewed: set[int],
    confidence: float,
) -> SamplePrecision:
    parts = []  # (N_h, n_h, tp_h)
    for s in strata:
        judged = [verdict[i] for i in s.ids if i in verdict]
        if judged:
            parts.append((s.population, len(judged), sum(judged)))
    n = sum(p[1] for p in parts)
    k = sum(p[2] for p in parts)
    raw_low, raw_high = wilson_interval(k, n, confidence)
    estimate, low, high = _estimate(parts, confidence)
    ids = {i for s in strata for i in s.ids}
    return SamplePrecision(
        name,
        sum(s.population for s in strata),
        len(ids),
        n,
        k,
        estimate,
        low,
        high,
        k / n if n else math.nan,
        raw_low,
        raw_high,
        confidence,
        len(ids & reviewed),
    )


def sample_precision(
    session: ReviewSession,
    queue: ReviewQueue,
    confidence: float = 0.95,
    *,
    overall: bool = False,
) -> list[SamplePrecision]:
    """Precision per species from the verdicts on a verification sample.

    Parameters
    ----------
    session
        The review holding the verdicts.
    queue
        The sample (its strata give the weights).
    confidence
        Coverage of the intervals.
    overall
        Also give a last row (:data:`OVERALL`) over every species: strata of
        all species weighted by their populations, i.e. the precision of all
        the detections the sample was drawn from.
    """
    by_species: dict[str, list[Stratum]] = {}
    for stratum in queue.strata:
        by_species.setdefault(stratum.scientific_name, []).append(stratum)
    verdict: dict[int, bool] = {}
    for name in by_species:
        ids, _scores, correct = outcomes(session, name)
        verdict.update(zip(ids.tolist(), correct.tolist(), strict=True))
    reviewed = set()
    for det_id in queue.ids:
        try:
            if session.status(det_id) is not Status.UNREVIEWED:
                reviewed.add(det_id)
        except KeyError:
            continue
    out = [
        _row(name, strata, verdict, reviewed, confidence)
        for name, strata in sorted(by_species.items())
    ]
    if overall:
        out.append(_row(OVERALL, list(queue.strata), verdict, reviewed, confidence))
    return out
