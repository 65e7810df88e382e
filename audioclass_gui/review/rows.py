"""A session's detections as growable numpy columns, one row per detection.

A review of millions of detections cannot afford a Python object per
detection: :class:`Rows` keeps every attribute the queries need in one numpy
column each. Columns grow by doubling their capacity, so a model run that
streams its predictions in small batches appends in amortised constant time
instead of copying every column at every batch. A store can also hand whole
columns over (:meth:`Rows.adopt`), e.g. read-only views of a memory-mapped
file; they are copied only if rows are appended later.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["COLUMNS", "Rows"]

#: Column name -> dtype. ``window`` is the index of the row's clip prediction
#: in the session's list (-1: the row came from a store, its clip prediction
#: is made on demand).
COLUMNS: dict[str, np.dtype] = {
    "score": np.dtype(np.float64),
    "start": np.dtype(np.float64),
    "end": np.dtype(np.float64),
    "recording": np.dtype(np.int32),
    "species": np.dtype(np.int32),
    "run": np.dtype(np.int32),
    "window": np.dtype(np.int32),
    "status": np.dtype(np.int8),
    "label": np.dtype(np.int32),
}

#: Values of new rows for the columns a caller does not give.
_DEFAULTS = {"window": -1, "status": 0, "label": -1}


class Rows:
    """Growable columns of equal length (see :data:`COLUMNS`).

    Examples
    --------
    >>> rows = Rows()
    >>> rows.append({"score": [0.5], "start": [0.0], "end": [3.0],
    ...              "recording": [0], "species": [2], "run": [0]})
    range(0, 1)
    >>> rows["species"].tolist()
    [2]
    """

    def __init__(self) -> None:
        self._n = 0
        self._data: dict[str, np.ndarray] = {
            name: np.empty(0, dtype) for name, dtype in COLUMNS.items()
        }

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, name: str) -> np.ndarray:
        """The live rows of one column (a writable view, except adopted ones)."""
        return self._data[name][: self._n]

    def _grow(self, needed: int) -> None:
        for name, array in self._data.items():
            if len(array) >= needed and array.flags.writeable:
                continue
            capacity = max(needed, 2 * len(array), 1024)
            grown = np.empty(capacity, COLUMNS[name])
            grown[: self._n] = array[: self._n]
            self._data[name] = grown

    def append(self, values: Mapping[str, object]) -> range:
        """Append rows; returns their row numbers.

        Parameters
        ----------
        values
            Column name -> values, all of the same length. ``window``,
            ``status`` and ``label`` may be left out (-1, unreviewed, -1).
        """
        arrays = {name: np.asarray(v) for name, v in values.items()}
        count = len(next(iter(arrays.values()))) if arrays else 0
        first = self._n
        if count == 0:
            return range(first, first)
        self._grow(first + count)
        for name, array in self._data.items():
            given = arrays.get(name)
            if given is None:
                array[first : first + count] = _DEFAULTS[name]
            else:
                if len(given) != count:
                    raise ValueError(f"column {name!r}: {len(given)} values, not {count}")
                array[first : first + count] = given
        self._n = first + count
        return range(first, self._n)

    def adopt(self, values: Mapping[str, np.ndarray]) -> range:
        """Take whole columns without copying them (the rows must be empty).

        Columns given are used as they are (read-only views of a
        memory-mapped file, or a broadcast constant, are fine: they are
        copied only when rows are appended later); the others are made
        (see :meth:`append`) without taking memory until written.
        """
        if self._n:
            return self.append(values)
        count = len(next(iter(values.values())))
        for name, dtype in COLUMNS.items():
            given = values.get(name)
            if given is None:
                # Nothing is resident until written: zeros come from calloc
                # (untouched pages read as the shared zero page), constants
                # are a read-only broadcast made writable on first write.
                default = _DEFAULTS[name]
                self._data[name] = (
                    np.zeros(count, dtype)
                    if default == 0
                    else np.broadcast_to(np.asarray(default, dtype), (count,))
                )
            else:
                array = np.asarray(given)
                if array.dtype != dtype:
                    array = array.astype(dtype)
                if len(array) != count:
                    raise ValueError(f"column {name!r}: {len(array)} values, not {count}")
                self._data[name] = array
        self._n = count
        return range(0, count)

    def view(self, name: str) -> np.ndarray:
        """A read-only view of the live rows of one column."""
        out = self[name].view()
        out.flags.writeable = False
        return out

    def writable(self, name: str) -> np.ndarray:
        """The live rows of a column that verdicts change, made writable if adopted."""
        array = self._data[name]
        if not array.flags.writeable:
            array = np.array(array, dtype=COLUMNS[name])
            self._data[name] = array
        return array[: self._n]
