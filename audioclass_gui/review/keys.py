"""Finding a session's rows by path key without a Python object per row.

A detection's *path key* is its recording, frame (start and end, rounded to
the millisecond) and species. Detections of different runs with the same
key share one verdict, a verdict read back from a journal finds its
detections by key, and loading the same model's output twice must not add
its detections twice. With millions of rows a ``dict`` from key to rows
costs gigabytes, so :class:`KeyIndex` keeps a 64-bit hash of each key in a
sorted numpy array (plus a small sorted tail for rows that arrive in
batches, merged in when it grows) and looks keys up with ``searchsorted``.
Callers compare the real fields of the rows found, so a hash collision can
never make two different detections share a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["KeyIndex", "first_of_keys", "key_hashes", "milliseconds"]

_TAIL = 65_536


def milliseconds(seconds: np.ndarray | float) -> np.ndarray:
    """Times in whole milliseconds (int64), as path keys round them."""
    return np.rint(np.asarray(seconds, dtype=np.float64) * 1000.0).astype(np.int64)


def first_of_keys(order: np.ndarray, keys: Sequence[np.ndarray]) -> np.ndarray:
    """Which rows, taken in ``order``, start a new key (the first row of each key).

    Parameters
    ----------
    order
        Row numbers sorted so that rows with the same key are adjacent (e.g.
        a ``lexsort`` whose last keys are ``keys``).
    keys
        Columns (in row order) that together make the key.

    Returns
    -------
    numpy.ndarray of bool
        One flag per position of ``order``. Columns are compared one at a
        time, so no (rows x keys) array is made.
    """
    n = len(order)
    first = np.ones(n, bool)
    if n > 1:
        same = np.ones(n - 1, bool)
        for key in keys:
            k = np.asarray(key)[order]
            same &= k[1:] == k[:-1]
        first[1:] = ~same
    return first


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a good 64-bit mix of each value."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def key_hashes(
    recording: np.ndarray,
    start_ms: np.ndarray,
    end_ms: np.ndarray,
    species: np.ndarray,
) -> np.ndarray:
    """64-bit hashes of path keys (recording index, ms, ms, species index).

    Returns
    -------
    numpy.ndarray of uint64
    """
    with np.errstate(over="ignore"):
        h = _mix(np.asarray(recording, dtype=np.int64).view(np.uint64))
        for part in (start_ms, end_ms, species):
            h = _mix(h ^ np.asarray(part, dtype=np.int64).view(np.uint64))
    return h


class KeyIndex:
    """Row numbers by key hash; lookups return every row with a given hash."""

    def __init__(self) -> None:
        self._keys = np.empty(0, np.uint64)
        self._rows = np.empty(0, np.int64)
        self._tail_keys = np.empty(0, np.uint64)
        self._tail_rows = np.empty(0, np.int64)

    def __len__(self) -> int:
        return len(self._keys) + len(self._tail_keys)

    def add(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Index ``rows`` under ``keys`` (same length)."""
        keys = np.asarray(keys, np.uint64)
        rows = np.asarray(rows, np.int64)
        if not len(keys):
            return
        if not len(self._keys) and len(keys) > _TAIL:
            order = np.argsort(keys, kind="stable")
            self._keys, self._rows = keys[order], rows[order]
            return
        tk = np.concatenate((self._tail_keys, keys))
        tr = np.concatenate((self._tail_rows, rows))
        order = np.argsort(tk, kind="stable")
        self._tail_keys, self._tail_rows = tk[order], tr[order]
        if len(self._tail_keys) > _TAIL:
            at = np.searchsorted(self._keys, self._tail_keys, side="right")
            self._keys = np.insert(self._keys, at, self._tail_keys)
            self._rows = np.insert(self._rows, at, self._tail_rows)
            self._tail_keys = np.empty(0, np.uint64)
            self._tail_rows = np.empty(0, np.int64)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (query position, row) pair whose hashes match.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray) of int64
            For each match, the position in ``keys`` and the row; rows of
            one query come in the order they were added.
        """
        keys = np.asarray(keys, np.uint64)
        which_parts, row_parts = [], []
        for sorted_keys, rows in ((self._keys, self._rows), (self._tail_keys, self._tail_rows)):
            if not len(sorted_keys) or not len(keys):
                continue
            left = np.searchsorted(sorted_keys, keys, side="left")
            right = np.searchsorted(sorted_keys, keys, side="right")
            counts = right - left
            hit = np.flatnonzero(counts)
            if not len(hit):
                continue
            n = counts[hit]
            which = np.repeat(hit, n)
            offsets = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
            which_parts.append(which)
            row_parts.append(rows[np.repeat(left[hit], n) + offsets])
        if not which_parts:
            empty = np.empty(0, np.int64)
            return empty, empty
        which = np.concatenate(which_parts)
        rows = np.concatenate(row_parts)
        order = np.lexsort((rows, which))
        return which[order].astype(np.int64), rows[order]
