"""A deployment's summary: review and precision per species, events placed in time.

The hours recorded and analysed per site and day, the detections and the
reviewed share come with :class:`~audioclass_gui.review.activity.Activity`;
this module adds, per species, how its detections were reviewed and the
precision the verdicts give, with the definitions of
:mod:`audioclass_gui.review.precision` (a true positive is accepted as the
predicted species; a false positive is rejected, or relabelled to another
species with a verdict; uncertain and unreviewed count as neither), at the
filter's thresholds, with a Wilson interval. Only rows with a verdict are
read, so this costs what the review holds, not what the project holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.activity import Activity
from audioclass_gui.review.detection import STATUS_CODE, Status
from audioclass_gui.review.events import Events
from audioclass_gui.review.recording_clock import DAY
from audioclass_gui.review.sample_estimate import wilson_interval

if TYPE_CHECKING:
    from audioclass_gui.review.query import DetectionFilter
    from audioclass_gui.review.session import ReviewSession

__all__ = ["SpeciesReview", "event_cells", "species_review"]


@dataclass(frozen=True, slots=True)
class SpeciesReview:
    """How one species' detections (passing the filter) were reviewed.

    Attributes
    ----------
    scientific_name, common_name : str
    detections : int
    accepted, rejected, uncertain : int
        By status, relabelled ones not included.
    relabelled : int
        Relabelled to another species (with a verdict).
    precision : float
        ``accepted / (accepted + rejected + relabelled)``; nan without such verdicts.
    low, high : float
        Its 95 % Wilson interval (nan without verdicts).
    """

    scientific_name: str
    common_name: str
    detections: int
    accepted: int
    rejected: int
    uncertain: int
    relabelled: int
    precision: float
    low: float
    high: float

    @property
    def reviewed(self) -> int:
        """Detections with a verdict."""
        return self.accepted + self.rejected + self.uncertain + self.relabelled


def species_review(
    session: ReviewSession,
    filter: DetectionFilter | None = None,
    detections: np.ndarray | None = None,
) -> list[SpeciesReview]:
    """Per species with detections: review counts and precision, most detected first.

    Parameters
    ----------
    session
        The detections and verdicts.
    filter
        Which detections count; None: all.
    detections
        Detections per species passing ``filter`` when known already
        (:attr:`Activity.species_detections`); counted otherwise.
    """
    cols = session.columns()
    names = session.species_list()
    k = len(names)
    if detections is None:
        mask = np.ones(len(cols.score), bool) if filter is None else filter.mask(session)
        detections = np.bincount(cols.species[mask], minlength=k)
    judged = session.verdict_book.judged_rows()
    if filter is not None and len(judged):
        judged = judged[filter.mask(session, judged)]
    spc, status, label = cols.species[judged], cols.status[judged], cols.label[judged]
    relabelled = (label >= 0) & (label != spc)
    unreviewed = status == STATUS_CODE[Status.UNREVIEWED]

    def count(sel: np.ndarray) -> np.ndarray:
        return np.bincount(spc[sel], minlength=k)

    acc = count(~relabelled & (status == STATUS_CODE[Status.ACCEPTED]))
    rej = count(~relabelled & (status == STATUS_CODE[Status.REJECTED]))
    unc = count(~relabelled & (status == STATUS_CODE[Status.UNCERTAIN]))
    rel = count(relabelled & ~unreviewed)
    out = []
    for i in np.flatnonzero(detections):
        tp, n = int(acc[i]), int(acc[i] + rej[i] + rel[i])
        low, high = wilson_interval(tp, n)
        out.append(
            SpeciesReview(
                names[i],
                session.common_name(names[i]),
                int(detections[i]),
                tp,
                int(rej[i]),
                int(unc[i]),
                int(rel[i]),
                tp / n if n else math.nan,
                low,
                high,
            )
        )
    out.sort(key=lambda s: (-s.detections, s.scientific_name))
    return out


def event_cells(act: Activity, events: Events) -> np.ndarray:
    """Per event, the site-day cell of :class:`Activity` its start falls in (-1: none).

    -1 for events of recordings without a start time, or on a site-day the
    activity has no cell for (made with another filter).
    """
    t = act.clock.start[events.recording] + events.start
    out = np.full(len(events), -1, np.int64)
    ok = ~np.isnan(t)
    cells = act.cell_site * act.n_days + act.cell_day
    if act.first_day is None or not ok.any() or not len(cells):
        return out
    first = act.first_day.toordinal() - 719163  # days since 1970-01-01
    day = np.floor(t[ok] / DAY).astype(np.int64) - first
    inside = (day >= 0) & (day < act.n_days)
    key = act.site_of[events.recording[ok]] * act.n_days + np.clip(day, 0, act.n_days - 1)
    at = np.minimum(np.searchsorted(cells, key), len(cells) - 1)
    found = inside & (cells[at] == key)
    out[np.flatnonzero(ok)[found]] = at[found]
    return out
