"""Who gave each row's verdict and when, kept in arrays for tables of many verdicts.

A review of a season holds hundreds of thousands of verdicts among millions
of rows. :class:`RowStamps` keeps a stamp (reviewer index, epoch seconds)
per stamped row in three growing numpy arrays with a dictionary from row to
slot: a keystroke's stamp is a dictionary lookup and three element writes,
and every stamp in bulk (an export, a report) is three array slices and one
sort, instead of a Python object per row.
"""

from __future__ import annotations

import numpy as np

__all__ = ["RowStamps"]

_FIRST_CAPACITY = 1024


class RowStamps:
    """Stamps ``(reviewer, at)`` by row.

    ``reviewer`` is an index into the session's reviewers (``-1`` for none)
    and ``at`` epoch seconds (``nan`` for unknown).
    """

    def __init__(self) -> None:
        self._slot: dict[int, int] = {}  # row -> index into the arrays
        self._rows = np.empty(_FIRST_CAPACITY, np.int64)
        self._by = np.empty(_FIRST_CAPACITY, np.int64)
        self._at = np.empty(_FIRST_CAPACITY, np.float64)

    def __len__(self) -> int:
        return len(self._slot)

    def __bool__(self) -> bool:
        return bool(self._slot)

    def __contains__(self, row: int) -> bool:
        return row in self._slot

    def get(self, row: int) -> tuple[int, float] | None:
        """The stamp of ``row``, or None if it has none."""
        slot = self._slot.get(row)
        if slot is None:
            return None
        return int(self._by[slot]), float(self._at[slot])

    def set(self, row: int, by: int, at: float) -> None:
        """Stamp ``row``: reviewer index ``by`` at epoch seconds ``at``."""
        slot = self._slot.get(row)
        if slot is None:
            slot = len(self._slot)
            if slot == len(self._rows):
                self._grow()
            self._slot[row] = slot
            self._rows[slot] = row
        self._by[slot] = by
        self._at[slot] = at

    def pop(self, row: int) -> None:
        """Remove the stamp of ``row`` (if any); the last stamp takes its slot."""
        slot = self._slot.pop(row, None)
        if slot is None:
            return
        last = len(self._slot)
        if slot != last:
            moved = int(self._rows[last])
            self._rows[slot] = moved
            self._by[slot] = self._by[last]
            self._at[slot] = self._at[last]
            self._slot[moved] = slot

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every stamp as ``(rows, reviewer, at)`` by ascending row (copies)."""
        n = len(self._slot)
        rows = self._rows[:n]
        order = np.argsort(rows, kind="stable")
        return rows[order], self._by[:n][order], self._at[:n][order]

    def rows(self) -> np.ndarray:
        """The stamped rows, ascending (a copy)."""
        return np.sort(self._rows[: len(self._slot)])

    def _grow(self) -> None:
        size = 2 * len(self._rows)
        for name in ("_rows", "_by", "_at"):
            old = getattr(self, name)
            new = np.empty(size, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
