"""Finding a session's rows by path key or by recording, without an index per row.

Rows come in two shapes. A predictions store hands over whole runs sorted by
recording, start time and descending score (*sorted blocks*): their rows are
found by binary search on the recording and start columns themselves, so
opening a project of millions of detections builds no index at all. Rows
that arrive otherwise (a model streaming its predictions, an AOEF import)
are *loose*: a :class:`~audioclass_gui.review.keys.KeyIndex` of their key
hashes finds them. Every candidate is checked against the real fields, so
what :meth:`RowLookup.find` returns always has the key asked for.
"""

from __future__ import annotations

import numpy as np

from audioclass_gui.review.keys import KeyIndex, key_hashes, milliseconds
from audioclass_gui.review.rows import Rows

__all__ = ["RowLookup", "in_display_order"]

Columns = dict[str, np.ndarray]


def in_display_order(values: Columns) -> bool:
    """True if rows are sorted by recording, start, then descending score."""
    rec, start, score = values["recording"], values["start"], values["score"]
    if len(rec) < 2:
        return True
    d_rec = np.diff(rec)
    if (d_rec < 0).any():
        return False
    d_start = np.diff(start)
    same_rec = d_rec == 0
    if (same_rec & (d_start < 0)).any():
        return False
    return not (same_rec & (d_start == 0) & (np.diff(score) > 0)).any()


class RowLookup:
    """Rows by path key and by recording, over sorted blocks and loose rows.

    Parameters
    ----------
    rows
        The session's columns (read, never changed here).
    """

    def __init__(self, rows: Rows) -> None:
        self._rows = rows
        self._blocks: list[tuple[int, int]] = []
        # First and last recording of each block (it is sorted by recording).
        self._block_recs: list[tuple[int, int]] = []
        self._loose = KeyIndex()
        self._loose_parts: list[np.ndarray] = []
        self._loose_rows: np.ndarray | None = np.empty(0, np.int64)

    # ------------------------------------------------------------- adding

    def add(self, first: int, stop: int, values: Columns, *, sorted_block: bool) -> None:
        """Take rows ``first:stop`` (whose columns are ``values``)."""
        if stop <= first:
            return
        if sorted_block:
            self._blocks.append((first, stop))
            rec = values["recording"]
            self._block_recs.append((int(rec[0]), int(rec[-1])))
            return
        self._loose.add(hashes(values), np.arange(first, stop, dtype=np.int64))
        self._loose_parts.append(np.arange(first, stop, dtype=np.int64))
        self._loose_rows = None

    @property
    def in_display_order(self) -> bool:
        """True when every row is in one sorted block: row order is display order."""
        return (
            len(self._blocks) == 1
            and self._blocks[0] == (0, len(self._rows))
        )

    def in_display_order_from(self, first: int) -> bool:
        """True when rows ``first:`` are one sorted block (just added)."""
        return bool(self._blocks) and self._blocks[-1] == (first, len(self._rows))

    def loose_rows(self) -> np.ndarray:
        """Rows that are in no sorted block, ascending."""
        if self._loose_rows is None:
            self._loose_rows = (
                np.concatenate(self._loose_parts) if self._loose_parts else np.empty(0, np.int64)
            )
        return self._loose_rows

    # ------------------------------------------------------------ finding

    def find(self, values: Columns) -> tuple[np.ndarray, np.ndarray]:
        """Every (query position, row) pair with the same path key.

        Parameters
        ----------
        values
            ``recording``, ``start``, ``end`` and ``species`` of the keys
            looked for (arrays of one length).

        Returns
        -------
        (numpy.ndarray, numpy.ndarray) of int64
            Sorted by query position, then row.
        """
        q_rec = np.asarray(values["recording"], np.int64)
        q_start = milliseconds(values["start"])
        q_end = milliseconds(values["end"])
        q_spc = np.asarray(values["species"], np.int64)
        which_parts: list[np.ndarray] = []
        row_parts: list[np.ndarray] = []
        if len(self._loose) and len(q_rec):
            which, rows = self._loose.lookup(key_hashes(q_rec, q_start, q_end, q_spc))
            which_parts.append(which)
            row_parts.append(rows)
        if len(q_rec):
            q_lo, q_hi = int(q_rec.min()), int(q_rec.max())
            for (a, b), (r_lo, r_hi) in zip(self._blocks, self._block_recs, strict=True):
                if r_hi < q_lo or r_lo > q_hi:
                    continue  # no recording in common (a file per recording)
                which, rows = self._search_block(a, b, q_rec, q_start)
                which_parts.append(which)
                row_parts.append(rows)
        if not which_parts:
            empty = np.empty(0, np.int64)
            return empty, empty
        which = np.concatenate(which_parts)
        rows = np.concatenate(row_parts)
        r = self._rows
        same = (
            (r["recording"][rows] == q_rec[which])
            & (r["species"][rows] == q_spc[which])
            & (milliseconds(r["start"][rows]) == q_start[which])
            & (milliseconds(r["end"][rows]) == q_end[which])
        )
        which, rows = which[same], rows[same]
        order = np.lexsort((rows, which))
        return which[order], rows[order]

    def _search_block(
        self, a: int, b: int, q_rec: np.ndarray, q_start_ms: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate rows of one sorted block: same recording, start within 0.5 ms."""
        rec = self._rows["recording"][a:b]
        start = self._rows["start"][a:b]
        # Queries in the column's dtype: numpy would otherwise cast the column.
        q = q_rec.astype(rec.dtype)
        lo = np.searchsorted(rec, q, side="left")
        hi = np.searchsorted(rec, q, side="right")
        which_parts, row_parts = [], []
        hit = np.flatnonzero(hi > lo)
        if not len(hit):
            empty = np.empty(0, np.int64)
            return empty, empty
        # One binary search per recording, over that recording's start times.
        by_rec = hit[np.argsort(q_rec[hit], kind="stable")]
        bounds = np.flatnonzero(np.diff(q_rec[by_rec])) + 1
        for group in np.split(by_rec, bounds):
            r_lo, r_hi = int(lo[group[0]]), int(hi[group[0]])
            starts = start[r_lo:r_hi]
            seconds = q_start_ms[group] / 1000.0
            left = np.searchsorted(starts, seconds - 0.0005, side="left")
            right = np.searchsorted(starts, seconds + 0.0005, side="right")
            n = right - left
            if not n.any():
                continue
            which = np.repeat(group, n)
            offsets = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
            which_parts.append(which)
            row_parts.append(a + r_lo + np.repeat(left, n) + offsets)
        if not which_parts:
            empty = np.empty(0, np.int64)
            return empty, empty
        return np.concatenate(which_parts), np.concatenate(row_parts).astype(np.int64)

    def recording_rows(self, recordings: np.ndarray) -> np.ndarray:
        """Rows of these recordings (indices), ascending."""
        wanted = np.unique(np.asarray(recordings, np.int64))
        parts = []
        if not len(wanted):
            return np.empty(0, np.int64)
        for (a, b), (r_lo, r_hi) in zip(self._blocks, self._block_recs, strict=True):
            if r_hi < wanted[0] or r_lo > wanted[-1]:
                continue
            rec = self._rows["recording"][a:b]
            lo = np.searchsorted(rec, wanted.astype(rec.dtype), side="left")
            hi = np.searchsorted(rec, wanted.astype(rec.dtype), side="right")
            for x, y in zip(lo.tolist(), hi.tolist(), strict=True):
                if y > x:
                    parts.append(np.arange(a + x, a + y, dtype=np.int64))
        loose = self.loose_rows()
        if len(loose):
            parts.append(loose[np.isin(self._rows["recording"][loose], wanted)])
        if not parts:
            return np.empty(0, np.int64)
        return np.sort(np.concatenate(parts))


def hashes(values: Columns) -> np.ndarray:
    """Key hashes of rows given as columns."""
    return key_hashes(
        values["recording"],
        milliseconds(values["start"]),
        milliseconds(values["end"]),
        values["species"],
    )

