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

    def mask(self, session: ReviewSession, rows: np.ndarray | None = None) -> np.ndarray:
        """Boolean mask over the session's rows (index = id - first id).

        With ``rows``, the mask over those rows only (same length as ``rows``).
        """
        cols = session.columns()

        def col(array: np.ndarray) -> np.ndarray:
            return array if rows is None else array[rows]

        score, species = col(cols.score), col(cols.species)
        registry = session.species_registry
        keep = np.ones(len(score), dtype=bool)
        if self.thresholds:
            per_species = np.full(len(registry) + 1, self.min_score)
            for name, value in self.thresholds:
                index = registry.get(name)
                if index is not None:
                    per_species[index] = value
            keep &= score >= per_species[species]
        elif self.min_score > -np.inf:
            keep &= score >= self.min_score
        if self.max_score is not None:
            keep &= score <= self.max_score
        if self.species is not None:
            wanted = [i for i in map(registry.get, self.species) if i is not None]
            keep &= np.isin(species, wanted)
        if self.statuses is not None:
            keep &= np.isin(col(cols.status), [_CODE[s] for s in self.statuses])
        if self.recordings is not None:
            keep &= np.isin(col(cols.recording), self._recording_indices(session))
        if self.relabelled is not None:
            label = col(cols.label)
            relabelled = (label >= 0) & (label != species)
            keep &= relabelled if self.relabelled else ~relabelled
        return keep

    def _recording_indices(self, session: ReviewSession) -> np.ndarray:
        at_path = session.recording_registry.at_path
        found = (at_path(p) for p in self.recordings or ())
        return np.asarray([i for i in found if i is not None], dtype=np.int64)

    def rows(self, session: ReviewSession) -> np.ndarray:
        """Rows passing the filter, ascending.

        Only rows that can pass are read: the recordings' rows (their range
        in a sorted block), or the species' rows above the threshold (from
        the score indexes of stored runs).
        """
        if self.recordings is not None:
            candidates = session.table.lookup.recording_rows(self._recording_indices(session))
        elif self.species is not None and session.table.indexed:
            candidates = np.sort(self.species_rows(session)[0])
        else:
            return np.flatnonzero(self.mask(session))
        return candidates[self.mask(session, candidates)]

    def species_rows(self, session: ReviewSession) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the filter's species at or above their thresholds, with scores.

        From the score indexes of stored runs (reading only those rows'
        index entries) and the rows no index covers. Other conditions are
        not applied.
        """
        own = dict(self.thresholds)
        index = session.species_registry.get
        wanted = {
            k: float(own.get(s, self.min_score))
            for s in self.species or ()
            if (k := index(s)) is not None
        }
        rows, scores = [], []
        for block in session.table.indexed:
            r, sc = block.species_rows(wanted)
            rows.append(r)
            scores.append(sc)
        rest = session.table.unindexed_rows()
        if len(rest):
            cols = session.columns()
            spc = cols.species[rest]
            low = np.full(len(session.species_list()) + 1, np.inf)
            for k, value in wanted.items():
                low[k] = value
            rest = rest[cols.score[rest] >= low[spc]]
            rows.append(rest)
            scores.append(cols.score[rest])
        if not rows:
            return np.empty(0, np.int64), np.empty(0)
        return np.concatenate(rows), np.concatenate(scores)

    @property
    def thresholds_only(self) -> bool:
        """True when scores (and species) are the only conditions."""
        return (
            self.statuses is None
            and self.max_score is None
            and self.recordings is None
            and self.relabelled is None
        )


#: Everything.
ALL = DetectionFilter(min_score=-np.inf)


def _order(session: ReviewSession, order: Order) -> tuple[np.ndarray, np.ndarray]:
    """Row indices in ``order`` and, per row, its position in that order (cached)."""
    key = ("order", Order(order))
    cached = session.table.cache.get(key)
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
        session.table.cache[key] = cached
    return cached


def _sorted(session: ReviewSession, rows: np.ndarray, order: Order) -> np.ndarray:
    """``rows`` (ascending) put in ``order``, sorting only them when that is cheaper."""
    table = session.table
    if order is Order.TIME and table.lookup.in_display_order:
        return rows  # the rows themselves are in display order
    if ("order", order) in table.cache or 4 * len(rows) > len(session):
        _, position = _order(session, order)
        return rows[np.argsort(position[rows], kind="stable")]
    cols = session.columns()
    score, start, rec = cols.score[rows], cols.start[rows], cols.recording[rows]
    if order is Order.SCORE:
        return rows[np.lexsort((rows, start, rec, -score))]
    return rows[np.lexsort((rows, -score, start, rec))]


def query(
    session: ReviewSession,
    filter: DetectionFilter | None = None,
    order: Order = Order.TIME,
) -> np.ndarray:
    """Ids of the detections passing ``filter`` (all when None), in ``order``.

    Only the rows that can pass are read and sorted: the open recording's
    rows of a project of millions cost what that recording holds.

    Returns
    -------
    numpy.ndarray of int64
        Detection ids.
    """
    order = Order(order)
    first = session.columns().first_id
    if (
        order is Order.SCORE
        and filter is not None
        and filter.species is not None
        and filter.thresholds_only
        and session.table.indexed
        and session.table.lookup.in_display_order
    ):
        # A species' rows by score, from the index alone: ties in score come
        # in row order, which is the display order (recording, start).
        rows, scores = filter.species_rows(session)
        return rows[np.lexsort((rows, -scores))] + first
    rows = np.arange(len(session)) if filter is None else filter.rows(session)
    return _sorted(session, rows, order).astype(np.int64) + first


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
    cols = session.columns()
    unreviewed = DetectionFilter(min_score=-np.inf, statuses={Status.UNREVIEWED})
    if filter is not None:
        unreviewed = filter.replace(statuses={Status.UNREVIEWED})
        if filter.statuses is not None and Status.UNREVIEWED not in filter.statuses:
            return None
    rows = unreviewed.rows(session)
    local = None if after is None else int(after) - cols.first_id
    if local is not None and 0 <= local < len(cols.score):
        rows = np.union1d(rows, [local])
    else:
        local = None
    ordered = _sorted(session, rows, Order(order))
    start = 0
    if local is not None:
        start = int(np.flatnonzero(ordered == local)[0]) + 1
    status = cols.status
    for part in (ordered[start:], ordered[:start] if wrap else ordered[:0]):
        hits = part[status[part] == _CODE[Status.UNREVIEWED]]
        if len(hits):
            return int(hits[0]) + cols.first_id
    return None
