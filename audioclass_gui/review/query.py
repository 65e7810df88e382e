"""Queries over a review session: filters, orders, navigation and summaries.

Everything here is a pure function of the session's columns (numpy arrays),
so a filter over 50,000 detections costs well under a millisecond. The
summaries per species and per recording live in
:mod:`audioclass_gui.review.summaries` and are re-exported here. The
session exposes them as methods of the same names
(``session.query(...)``, ``session.next_unreviewed(...)``...).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.detection import STATUS_CODE, Detection, Status
from audioclass_gui.review.detection_list import DetectionList
from audioclass_gui.review.summaries import (
    RecordingSummary,
    SpeciesSummary,
    recording_summary,
    species_summary,
)

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = [
    "DetectionFilter",
    "DetectionList",
    "Order",
    "RecordingSummary",
    "SpeciesSummary",
    "next_unreviewed",
    "query",
    "recording_summary",
    "select",
    "species_summary",
]

_CODE = STATUS_CODE


class Order(enum.StrEnum):
    """Orders of a detection list."""

    #: Recording, then start time, then descending score (the table's order).
    TIME = "time"
    #: Descending score across recordings (one-pass review of a species).
    SCORE = "score"


def _frozen(values: Iterable[str] | str | None) -> frozenset[str] | None:
    if values is None:
        return None
    return frozenset([values] if isinstance(values, str) else values)


@dataclass(frozen=True)
class DetectionFilter:
    """Which detections to list: every condition given must hold.

    Parameters
    ----------
    species
        Predicted scientific names to keep (None: all).
    statuses
        Statuses to keep (None: all).
    min_score
        Lowest score kept (inclusive); the threshold. For species listed in
        ``thresholds`` their own threshold is used instead.
    max_score
        Highest score kept (inclusive); None for no upper bound.
    recordings
        Recording paths to keep (None: all).
    thresholds
        Per-species thresholds (scientific name -> lowest score kept), e.g.
        read back from a thresholds CSV.
    relabelled
        True: only relabelled detections; False: only not relabelled;
        None: both.

    Examples
    --------
    >>> f = DetectionFilter(species={"Turdus merula"}, statuses={Status.UNREVIEWED},
    ...                     min_score=0.5)  # doctest: +SKIP
    >>> ids = session.query(f, Order.SCORE)  # doctest: +SKIP
    """

    species: frozenset[str] | None = None
    statuses: frozenset[Status] | None = None
    min_score: float = 0.0
    max_score: float | None = None
    recordings: frozenset[str] | None = None
    thresholds: tuple[tuple[str, float], ...] = field(default=())
    relabelled: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "species", _frozen(self.species))
        if self.statuses is not None:
            object.__setattr__(
                self, "statuses", frozenset(Status(s) for s in self.statuses)
            )
        if self.recordings is not None:
            paths = (
                [self.recordings]
                if isinstance(self.recordings, str | Path)
                else self.recordings
            )
            object.__setattr__(
                self, "recordings", frozenset(str(Path(p).absolute()) for p in paths)
            )
        if isinstance(self.thresholds, Mapping):
            object.__setattr__(
                self, "thresholds", tuple(sorted(self.thresholds.items()))
            )

    def replace(self, **changes: object) -> DetectionFilter:
        """Return a copy with some conditions changed."""
        from dataclasses import replace

        return replace(self, **changes)  # type: ignore[arg-type]

    def mask(self, session: ReviewSession) -> np.ndarray:
        """Boolean mask over the session's rows (index = id - first id)."""
        cols = session.columns()
        n = len(cols.score)
        keep = np.ones(n, dtype=bool)
        if self.thresholds:
            per_species = np.full(len(session.species_list()) + 1, self.min_score)
            for name, value in self.thresholds:
                index = session._species_index.get(name)
                if index is not None:
                    per_species[index] = value
            keep &= cols.score >= per_species[cols.species]
        elif self.min_score > -np.inf:
            keep &= cols.score >= self.min_score
        if self.max_score is not None:
            keep &= cols.score <= self.max_score
        if self.species is not None:
            wanted = [
                session._species_index[s]
                for s in self.species
                if s in session._species_index
            ]
            keep &= np.isin(cols.species, wanted)
        if self.statuses is not None:
            keep &= np.isin(cols.status, [_CODE[s] for s in self.statuses])
        if self.recordings is not None:
            wanted = [
                session._rec_by_path[p]
                for p in self.recordings
                if p in session._rec_by_path
            ]
            keep &= np.isin(cols.recording, wanted)
        if self.relabelled is not None:
            relabelled = (cols.label >= 0) & (cols.label != cols.species)
            keep &= relabelled if self.relabelled else ~relabelled
        return keep


#: Everything.
ALL = DetectionFilter(min_score=-np.inf)


def _order(session: ReviewSession, order: Order) -> tuple[np.ndarray, np.ndarray]:
    """Row indices in ``order`` and, per row, its position in that order (cached)."""
    key = ("order", Order(order))
    cached = session.cache.get(key)
    if cached is None:
        cols = session.columns()
        rows = np.arange(len(cols.score))
        if order is Order.SCORE:
            sort = np.lexsort((rows, cols.start, cols.recording, -cols.score))
        else:
            sort = np.lexsort((rows, -cols.score, cols.start, cols.recording))
        position = np.empty_like(sort)
        position[sort] = np.arange(len(sort))
        cached = (sort, position)
        session.cache[key] = cached
    return cached


def query(
    session: ReviewSession,
    filter: DetectionFilter | None = None,
    order: Order = Order.TIME,
) -> np.ndarray:
    """Ids of the detections passing ``filter`` (all when None), in ``order``.

    Returns
    -------
    numpy.ndarray of int64
        Detection ids.
    """
    sort, _ = _order(session, Order(order))
    first = session.columns().first_id
    if filter is None:
        return sort.astype(np.int64) + first
    mask = filter.mask(session)
    return sort[mask[sort]].astype(np.int64) + first


def select(
    session: ReviewSession,
    filter: DetectionFilter | None = None,
    order: Order = Order.TIME,
    *,
    lazy: bool = False,
) -> list[Detection] | DetectionList:
    """The detections passing ``filter``, in ``order`` (see :func:`query`).

    With ``lazy=True`` the result is a :class:`DetectionList` (ids, read on
    demand): no Python object per detection, for lists of many thousands.
    """
    ids = query(session, filter, order)
    if lazy:
        return DetectionList(session, ids)
    return session.get_many(ids.tolist())


def next_unreviewed(
    session: ReviewSession,
    after: int | None = None,
    filter: DetectionFilter | None = None,
    order: Order = Order.TIME,
    *,
    wrap: bool = True,
) -> int | None:
    """The first unreviewed detection after ``after`` in ``order``.

    Parameters
    ----------
    after
        A detection id (need not pass the filter); None starts at the top.
    filter
        Only detections passing it are candidates.
    order
        The list's order.
    wrap
        Continue from the top when nothing is left below ``after``.

    Returns
    -------
    int or None
        A detection id, or None when every candidate is reviewed.
    """
    sort, position = _order(session, Order(order))
    cols = session.columns()
    candidates = cols.status == _CODE[Status.UNREVIEWED]
    if filter is not None:
        candidates &= filter.mask(session)
    in_order = candidates[sort]
    start = 0
    if after is not None:
        local = int(after) - cols.first_id
        if 0 <= local < len(sort):
            start = int(position[local]) + 1
    hits = np.flatnonzero(in_order[start:])
    if len(hits):
        return int(sort[start + hits[0]]) + cols.first_id
    if wrap and start > 0:
        hits = np.flatnonzero(in_order[:start])
        if len(hits):
            return int(sort[hits[0]]) + cols.first_id
    return None
