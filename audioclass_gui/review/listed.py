"""The list the reviewer works through: what comes next, and how many are left.

The window's detection list is whatever the table shows: the open
recording's detections above the threshold, one species across recordings,
or a verification sample, sorted by any column. "Next" after a verdict and
the "To review" count are about that list, in that order, never about the
whole session in another order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.detection import STATUS_ORDER, Status
from audioclass_gui.review.id_positions import IdPositions

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = ["ListedCounts", "next_open"]

_UNREVIEWED = STATUS_ORDER.index(Status.UNREVIEWED)


def _codes(session: ReviewSession, ids: np.ndarray) -> np.ndarray:
    """Status code of each id (-1 for ids the session no longer holds)."""
    cols = session.columns()
    local = np.asarray(ids, dtype=np.int64) - cols.first_id
    ok = (local >= 0) & (local < len(cols.status))
    codes = np.full(len(local), -1, dtype=np.int64)
    codes[ok] = cols.status[local[ok]]
    return codes


def next_open(
    session: ReviewSession, ids: Sequence[int] | np.ndarray, after: int | None
) -> int | None:
    """The first unreviewed detection after ``after`` in the order of ``ids``, wrapping.

    Parameters
    ----------
    session
        The session holding the verdicts.
    ids
        Detection ids in the order the list shows them.
    after
        The detection just judged; None (or an id not listed) starts at the top.

    Returns
    -------
    int or None
        A detection id, or None when every listed detection is reviewed.
    """
    ids = np.asarray(ids, dtype=np.int64)
    if not len(ids):
        return None
    start = 0
    if after is not None:
        where = np.flatnonzero(ids == int(after))
        if len(where):
            start = int(where[0]) + 1
    ordered = np.concatenate([ids[start:], ids[:start]])
    open_ = np.flatnonzero(_codes(session, ordered) == _UNREVIEWED)
    return int(ordered[open_[0]]) if len(open_) else None


class ListedCounts:
    """Verdict counts of the listed detections, kept current edit by edit.

    Counting is done once when the list changes (:meth:`reset`, a few numpy
    passes; a sort only for a few ids spread over millions, see
    :class:`~audioclass_gui.review.id_positions.IdPositions`); a verdict then
    updates only the ids it touched (:meth:`update`), so a keystroke costs
    nothing with millions of rows listed.
    """

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self._ids = np.empty(0, dtype=np.int64)  # the listed ids, each once
        self._where = IdPositions(self._ids)  # id -> position in _ids
        self._codes = np.empty(0, dtype=np.int8)  # their status codes (-1: gone)
        self._totals = np.zeros(len(STATUS_ORDER), dtype=np.int64)

    def reset(self, session: ReviewSession | None, ids: Sequence[int] | np.ndarray) -> None:
        """Count the statuses of ``ids`` (the list now shown)."""
        ids = np.asarray(ids, dtype=np.int64)
        n = len(STATUS_ORDER)
        if session is None or not len(ids):
            self._clear()
            return
        where = IdPositions(ids)
        once = where.find(ids) == np.arange(len(ids))  # an id listed twice counts once
        if not once.all():
            ids = ids[once]
            where = IdPositions(ids)
        self._where, self._ids = where, ids
        self._codes = _codes(session, ids).astype(np.int8)
        listed = self._codes[self._codes >= 0]
        self._totals = np.bincount(listed, minlength=n).astype(np.int64)

    def update(self, session: ReviewSession, changed: Sequence[int]) -> bool:
        """Recount after the verdicts of ``changed`` ids changed; True if a listed one did."""
        at = self._where.find(np.unique(np.asarray(changed, dtype=np.int64)))
        local = at[at >= 0]  # the listed ones among them
        if not len(local):
            return False
        old = self._codes[local].astype(np.int64)
        new = _codes(session, self._ids[local])
        n = len(STATUS_ORDER)
        self._totals -= np.bincount(old[old >= 0], minlength=n)
        self._totals += np.bincount(new[new >= 0], minlength=n)
        self._codes[local] = new
        return True

    def counts(self) -> dict[Status, int]:
        """``{Status: count}`` over the listed detections."""
        return {status: int(self._totals[code]) for code, status in enumerate(STATUS_ORDER)}
