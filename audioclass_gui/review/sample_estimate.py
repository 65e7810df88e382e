"""Precision from a verification sample: stratified estimate and Wilson intervals.

:func:`sample_precision` turns the verdicts on a sample drawn by
:func:`~audioclass_gui.review.sampling.stratified_sample` into a precision
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
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audioclass_gui.review.detection import Status
from audioclass_gui.review.precision import outcomes

if TYPE_CHECKING:
    from audioclass_gui.review.sampling import ReviewQueue, Stratum
    from audioclass_gui.review.session import ReviewSession

__all__ = ["OVERALL", "SamplePrecision", "sample_precision", "wilson_interval"]


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
