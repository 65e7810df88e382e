"""Text of many table rows at once, made from numpy columns.

Formatting a table row by row in Python costs about a microsecond a row;
here a column of cells costs a few numpy passes. A :class:`Segment` lays
its pieces (fixed text, numbers, UTC times) side by side in a byte matrix,
one row per cell, with ``NUL`` bytes where a shorter value leaves room;
one ``bytes.translate`` drops them and the bytes become a pyarrow string
array. Names come from small tables by :func:`take`, and :func:`join`
concatenates pieces row by row, so that a whole table row is one string of
a pyarrow array whose data buffer (:func:`text_bytes`) is the file's text.

Numbers are written exactly as Python's ``f"{x:.{n}f}"`` (and
:func:`~audioclass_gui.formats.selections.format_number`) writes them. A
value the digit arithmetic cannot vouch for (negative, not finite, huge, or
within rounding error of a tie) is formatted by Python instead.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from audioclass_gui.formats.selections import format_number

__all__ = ["Segment", "join", "table", "take", "text_bytes", "text_offsets"]

def _cells(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Texts of at most four bytes as ``NUL``-padded 4-byte cells, with their lengths."""
    raw = "".join(t.ljust(4, "\0") for t in texts).encode("ascii")
    return np.frombuffer(raw, np.uint32).copy(), np.array([len(t) for t in texts], np.int64)


_FULL, _TRAIL = 0, 1  # forms of a group of fraction digits
_POINT_ZERO = 8000  # index of ".0" in the fraction table


@functools.cache
def _tables() -> SimpleNamespace:
    """Digit groups as 4-byte cells (made on first use)."""
    forms = (  # a group of three fraction digits: whole, without trailing
        lambda v: f"{v:03d}",  # zeros, or cut to the first one or two
        lambda v: f"{v:03d}".rstrip("0"),
        lambda v: f"{v:03d}"[:1],
        lambda v: f"{v:03d}"[:2],
    )
    t = SimpleNamespace()
    # The integer part in groups of four digits: as they are, without leading
    # zeros (a zero group is then empty, or "0" as the number's last group).
    t.int, t.int_len = _cells(
        [f"{v:04d}" for v in range(10_000)]
        + [f"{v:d}" if v else "" for v in range(10_000)]
        + [f"{v:d}" for v in range(10_000)]
    )
    # The fraction in groups of three digits; the first group with the point.
    t.frac, t.frac_len = _cells(
        [form(v) for form in forms for v in range(1000)]
        + ["." + form(v) if form(v) else "" for form in forms for v in range(1000)]
        + [".0"]  # _POINT_ZERO: a whole number that keeps its point
    )
    t.hour = _cells([f"{v:02d}:" for v in range(24)])[0]
    t.minute = _cells([f"{v:02d}:" for v in range(60)])[0]
    t.second = _cells([f"{v:02d}+0" for v in range(60)])[0]
    t.zone = _cells(["0:00"])[0][0]
    return t


def _integer_cells(whole: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Decimal digits of non-negative whole numbers (floats below 2**52)."""
    t = _tables()
    top = float(whole.max()) if len(whole) else 0.0
    groups = max(1, -(-len(str(int(top))) // 4))
    cells, length, above = [], np.zeros(len(whole), np.int64), None
    for i in range(groups):
        q = np.floor(whole / 10.0 ** (4 * (groups - 1 - i))) if i < groups - 1 else whole
        last = 2 if i == groups - 1 else 1
        if above is None:
            index = q + last * 10_000.0
        else:
            index = q - np.floor(q / 10_000.0) * 10_000.0
            index += np.where(above > 0, 0.0, last * 10_000.0)
        index = index.astype(np.intp)
        cells.append(np.take(t.int, index))  # take: faster than fancy indexing
        length += np.take(t.int_len, index)
        above = q
    return cells, length


#: Most decimals whose every fraction is kept as one table (:func:`_fraction_table`).
_TABLED_DECIMALS = 6


@functools.cache
def _fraction_table(decimals: int, strip: bool, point: bool) -> tuple[list[np.ndarray], np.ndarray]:
    """The cells of every fraction with ``decimals`` digits: one lookup per number.

    Made on first use from the digit groups of :func:`_fraction_groups`
    (at six decimals, 10**6 fractions in 9 MB, in about 30 ms).
    """
    cells, length = _fraction_groups(np.arange(10.0**decimals), decimals, strip, point)
    return [np.ascontiguousarray(c) for c in cells], length.astype(np.uint8)


def _fraction_cells(
    fraction: np.ndarray, decimals: int, strip: bool, point: bool = False
) -> tuple[list[np.ndarray], np.ndarray]:
    """The point and ``decimals`` digits of ``fraction`` (whole, < 10**decimals).

    With ``strip``, trailing zeros are dropped, and the point with them
    when nothing is left (or, with ``point``, ``.0`` is left).
    """
    if decimals > _TABLED_DECIMALS:
        return _fraction_groups(fraction, decimals, strip, point)
    cells, length = _fraction_table(decimals, strip, point)
    index = fraction.astype(np.intp)
    return [np.take(c, index) for c in cells], np.take(length, index)


def _fraction_groups(
    fraction: np.ndarray, decimals: int, strip: bool, point: bool = False
) -> tuple[list[np.ndarray], np.ndarray]:
    """:func:`_fraction_cells` by groups of three digits (a few passes a group)."""
    t = _tables()
    groups = -(-decimals // 3)
    scaled = fraction * 10.0 ** (3 * groups - decimals)
    cells, length = [], np.zeros(len(fraction), np.int64)
    for j in range(groups):
        below = 10.0 ** (3 * (groups - 1 - j))
        q = np.floor(scaled / below)
        part = q - np.floor(q / 1000.0) * 1000.0 if j else q
        if strip:
            rest = scaled - q * below
            form = np.where(rest == 0, _TRAIL * 1000.0, _FULL * 1000.0)
        elif j == groups - 1:
            form = {3: _FULL, 1: 2, 2: 3}[decimals - 3 * j] * 1000.0
        else:
            form = _FULL * 1000.0
        index = (part + form + (4000.0 if j == 0 else 0.0)).astype(np.intp)
        if strip and point and j == 0:
            # The whole fraction is zero: ".0" instead of nothing.
            index[index == 4000 + _TRAIL * 1000] = _POINT_ZERO
        cells.append(np.take(t.frac, index))
        length += np.take(t.frac_len, index)
    return cells, length


def _python_number(value: float, decimals: int, compact: bool, point: bool) -> str:
    if compact:
        return format_number(value, decimals, point=point)
    return f"{value:.{decimals}f}"


def _python_time(value: float) -> str:
    return dt.datetime.fromtimestamp(value, dt.UTC).isoformat(timespec="seconds")


class Segment:
    """A string column of ``n`` cells, each the same pieces side by side.

    Parameters
    ----------
    n
        Number of cells (rows).

    Examples
    --------
    >>> cells = Segment(2).number([1.5, 3.0], 6, compact=True).text("\\t").build()
    >>> cells.to_pylist()
    ['1.5\\t', '3\\t']
    """

    def __init__(self, n: int) -> None:
        self.n = n
        # 4-byte columns of the byte matrix: arrays of n, or one value for all
        self._columns: list[np.ndarray | np.uint32] = []
        self._length = np.zeros(n, np.int64)
        self._bad = np.zeros(n, bool)
        self._python: list[Callable[[int], str]] = []

    def _add(self, columns, length, python: Callable[[int], str]) -> Segment:
        self._columns.extend(columns)
        self._length += length
        self._python.append(python)
        return self

    def text(self, text: str) -> Segment:
        """The same text in every cell (no ``NUL`` characters)."""
        raw = text.encode("utf-8")
        if b"\0" in raw:
            raise ValueError("a segment's text cannot hold NUL characters")
        padded = raw.ljust(-(-len(raw) // 4) * 4, b"\0")
        words = np.frombuffer(padded, np.uint32)
        return self._add(list(words), len(raw), lambda i: text)

    def number(
        self, values: np.ndarray, decimals: int, *, compact: bool = False, point: bool = False
    ) -> Segment:
        """Numbers with ``decimals`` digits after the point, as ``f"{x:.{decimals}f}"``.

        With ``compact``, as :func:`format_number` (trailing zeros and point
        dropped, "" for a value that is not finite); ``decimals`` >= 1 then.
        With ``point`` too, a whole number keeps ``.0`` (``format_number(x,
        point=True)``).
        """
        values = np.asarray(values, np.float64)
        if compact and decimals < 1:
            raise ValueError("compact numbers need at least one decimal")
        scaled = values * 10.0**decimals
        with np.errstate(invalid="ignore"):
            # False for NaN, negative or huge values, and near ties
            ok = np.abs(scaled - np.floor(scaled) - 0.5) > scaled * 2.0**-50
            ok &= scaled >= 0 if compact else ~np.signbit(scaled)
        count = np.rint(np.where(ok, scaled, 0.0))
        whole = np.floor(count / 10.0**decimals)
        columns, length = _integer_cells(whole)
        if decimals:
            more, extra = _fraction_cells(
                count - whole * 10.0**decimals, decimals, compact, point
            )
            columns += more
            length += extra
        self._bad |= ~ok
        return self._add(
            columns,
            length,
            lambda i: _python_number(float(values[i]), decimals, compact, point),
        )

    def integer(self, values: np.ndarray) -> Segment:
        """Non-negative integers (below 2**52) in decimal."""
        values = np.asarray(values, np.int64)
        if len(values) and (values.min() < 0 or values.max() >= 2**52):
            raise ValueError("only integers from 0 to 2**52")
        columns, length = _integer_cells(values.astype(np.float64))
        return self._add(columns, length, lambda i: str(int(values[i])))

    def utc_time(self, seconds: np.ndarray, valid: np.ndarray) -> Segment:
        """Epoch seconds as ISO 8601 in UTC to the second; "" where not ``valid``.

        As ``datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")``
        (``2024-05-01T06:12:00+00:00``), which rounds to the microsecond
        first.
        """
        seconds = np.asarray(seconds, np.float64)
        valid = np.asarray(valid, bool)
        with np.errstate(invalid="ignore"):
            ok = ~valid | (np.abs(seconds) < 2.5e11)  # years 1..9999
        at = np.where(valid & ok, seconds, 0.0)
        whole = np.trunc(at)
        micro = np.rint((at - whole) * 1e6)
        sec = whole.astype(np.int64) + (micro >= 1e6) - (micro < 0)
        day, second = np.divmod(sec, 86400)
        first = int(day.min()) if self.n else 0
        used = np.zeros(int(day.max()) - first + 1 if self.n else 1, bool)
        used[day - first] = True
        days = np.flatnonzero(used)
        epoch = dt.date(1970, 1, 1)
        dates = "".join(
            (epoch + dt.timedelta(days=int(d) + first)).isoformat() + "T\0" for d in days
        )
        table = np.frombuffer(dates.encode(), np.uint32).reshape(-1, 3)
        place = np.zeros(len(used), np.intp)
        place[days] = np.arange(len(days))
        date = np.take(place, day - first)
        hour, rest = np.divmod(second, 3600)
        minute, sec_ = np.divmod(rest, 60)
        columns = [np.take(table[:, k], date) for k in range(3)]
        t = _tables()
        columns += [np.take(t.hour, hour), np.take(t.minute, minute), np.take(t.second, sec_), t.zone]
        if not valid.all():
            columns = [np.where(valid, c, np.uint32(0)) for c in columns]
        self._bad |= ~ok
        return self._add(
            columns,
            np.where(valid, 25, 0),
            lambda i: _python_time(float(seconds[i])) if valid[i] else "",
        )

    def build(self) -> pa.StringArray:
        """The cells as a pyarrow string array."""
        matrix = np.empty((self.n, len(self._columns)), np.uint32)
        for k, column in enumerate(self._columns):
            matrix[:, k] = column
        length = self._length
        bad = np.flatnonzero(self._bad)
        if len(bad):
            matrix[bad] = 0
            length = length.copy()
            length[bad] = 0
        offsets = np.zeros(self.n + 1, np.int32)
        np.cumsum(length, out=offsets[1:])
        data = matrix.tobytes().translate(None, b"\0")
        cells = pa.StringArray.from_buffers(
            self.n, pa.py_buffer(offsets), pa.py_buffer(data)
        )
        if len(bad):
            mask = np.zeros(self.n, bool)
            mask[bad] = True
            fixed = ["".join(p(int(i)) for p in self._python) for i in bad]
            cells = pc.replace_with_mask(cells, pa.array(mask), pa.array(fixed, pa.string()))
        return cells


def table(texts: Sequence[str]) -> pa.StringArray:
    """A lookup table for :func:`take`."""
    return pa.array(list(texts), pa.string())


def take(lookup: pa.StringArray, index: np.ndarray) -> pa.StringArray:
    """``lookup[index]`` for every index (a column of names, say)."""
    return lookup.take(pa.array(np.asarray(index)))


def join(parts: Sequence[pa.StringArray]) -> pa.StringArray:
    """The parts concatenated row by row (all of the same length)."""
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, "")


def text_offsets(cells: pa.StringArray) -> np.ndarray:
    """Where each cell starts in :func:`text_bytes` of all cells (and, last, the end)."""
    if not len(cells):
        return np.zeros(1, np.int32)
    offsets = cells.buffers()[1]
    at = np.frombuffer(offsets, np.int32, count=len(cells) + 1, offset=4 * cells.offset)
    return at - at[0]


def text_bytes(cells: pa.StringArray) -> memoryview:
    """The UTF-8 text of all ``cells`` run together, without copying."""
    if not len(cells):
        return memoryview(b"")
    offsets, data = cells.buffers()[1:3]
    at = np.frombuffer(offsets, np.int32, count=len(cells) + 1, offset=4 * cells.offset)
    return memoryview(data)[int(at[0]) : int(at[-1])]
