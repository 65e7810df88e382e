"""Where each of a list's detection ids is: a table when the ids are close, else a search.

A list of detections is looked up by id (the table's row of a detection,
say). When the ids lie close together (a recording's detections, most of
the project) a table over their span answers in one read. A species across
a project of millions holds a few thousand ids spread over the whole range
of ids: a table over that span would take hundreds of megabytes and a
third of a second to fill, so the ids are sorted once and found by binary
search instead.
"""

from __future__ import annotations

import numpy as np

__all__ = ["IdPositions"]

#: A table is used while the span of the ids is at most this many times their number.
DENSE_SPAN = 4
#: ... or at most this many ids wide, whatever their number.
SMALL_SPAN = 1 << 16


class IdPositions:
    """The position of each id in ``ids`` (the first one where an id repeats).

    Parameters
    ----------
    ids
        Detection ids (not changed; need not be sorted).
    """

    def __init__(self, ids: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        self._n = len(ids)
        self._base = int(ids.min()) if len(ids) else 0
        span = int(ids.max()) - self._base + 1 if len(ids) else 0
        self._table: np.ndarray | None = None
        if span <= max(SMALL_SPAN, DENSE_SPAN * len(ids)):
            table = np.full(span, -1, dtype=np.int64)
            table[ids[::-1] - self._base] = np.arange(len(ids) - 1, -1, -1)  # first wins
            self._table = table
            return
        self._order = np.argsort(ids, kind="stable")
        self._sorted = ids[self._order]

    @property
    def dense(self) -> bool:
        """True when a table over the ids' span answers (see the module docstring)."""
        return self._table is not None

    def find(self, wanted: np.ndarray | list[int]) -> np.ndarray:
        """Positions of ``wanted`` ids (int64), -1 for an id not in the list."""
        wanted = np.asarray(wanted, dtype=np.int64)
        if self._table is not None:
            local = wanted - self._base
            inside = (local >= 0) & (local < len(self._table))
            out = np.full(len(wanted), -1, dtype=np.int64)
            out[inside] = self._table[local[inside]]
            return out
        if not self._n:
            return np.full(len(wanted), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, wanted), self._n - 1)
        return np.where(self._sorted[at] == wanted, self._order[at], -1)

    def position(self, detection_id: int) -> int | None:
        """Position of one id, or None if not in the list."""
        i = int(detection_id)
        if self._table is not None:
            local = i - self._base
            found = int(self._table[local]) if 0 <= local < len(self._table) else -1
        else:
            at = int(np.searchsorted(self._sorted, i)) if self._n else 0
            found = int(self._order[at]) if at < self._n and self._sorted[at] == i else -1
        return found if found >= 0 else None
