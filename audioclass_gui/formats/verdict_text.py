"""Lines of the Raven, CSV and Audacity verdict tables, many rows at a time.

Each class here writes the lines of a block of rows of a
:class:`~audioclass_gui.formats.verdict_columns.VerdictRows` exactly as the
row-by-row writers (:func:`~audioclass_gui.formats.raven.raven_table_text`,
:func:`~audioclass_gui.formats.csv_table.csv_table_text`,
:func:`audacity_labels_text`) write them: the regular rows from columns
(:mod:`audioclass_gui.formats.text_columns`), the few irregular ones (boxes,
relabels, notes) by those writers, one selection at a time.
"""

from __future__ import annotations

import bisect
import csv
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pyarrow as pa

from audioclass_gui.formats.csv_table import csv_table_text
from audioclass_gui.formats.raven import RAVEN_COLUMNS, raven_table_text
from audioclass_gui.formats.raven_measurements import measurement_columns
from audioclass_gui.formats.selections import Selection, format_number
from audioclass_gui.formats.text_columns import (
    Segment,
    join,
    table,
    take,
    text_bytes,
    text_offsets,
)
from audioclass_gui.formats.verdict_columns import VERDICT_COLUMNS, VerdictRows
from audioclass_gui.review.detection import STATUS_ORDER

__all__ = [
    "VERDICT_COLUMNS",
    "AudacityLines",
    "CsvLines",
    "Lines",
    "RavenLines",
    "audacity_labels_text",
]

_VERDICTS = [s.value for s in STATUS_ORDER]


def _flat(text: str) -> str:
    """A tab or line break inside a cell would shift every later column."""
    return " ".join(str(text).replace("\t", " ").splitlines())


def _label_text(s: Selection) -> str:
    extra = dict(s.extra)
    verdict, label = extra.get("Verdict", ""), extra.get("Label", "")
    name = s.scientific_name  # what the reviewer says it is
    if label:
        text = f"{name} [{verdict}, model said {extra.get('Predicted Scientific Name', '')}]"
    elif verdict == "drawn":
        text = f"{name or ('interval' if extra.get('Geometry') == 'interval' else 'box')} [drawn]"
    else:
        text = f"{name} [{verdict}]"
    if s.confidence is not None:
        text += f" {s.confidence:.2f}"
    if extra.get("Note"):
        text += f" — {extra['Note']}"
    return _flat(text)


def audacity_labels_text(selections: Sequence[Selection], *, bands: bool = True) -> str:
    """An Audacity label track: ``start<TAB>end<TAB>text`` per row.

    The text is the species the reviewer says it is, the verdict and the
    score (``Turdus merula [accepted] 0.91``; a relabel adds ``model said
    ...``). With ``bands``, every row is followed by Audacity's frequency
    line ``\\<TAB>low<TAB>high`` (its "extended" format: the band of a box,
    or the band the model listened to): crowsetta's ``aud-bbox`` reads such
    a file, and its ``aud-seq`` one without them; neither reads a file that
    gives some rows a band and not others.
    """
    lines = []
    for s in selections:
        lines.append(f"{s.begin_time:.6f}\t{s.end_time:.6f}\t{_label_text(s)}")
        if bands:
            lines.append(f"\\\t{s.low_freq:.6f}\t{s.high_freq:.6f}")
    return "".join(line + "\n" for line in lines)


class Lines:
    """The lines of a block of rows: regular ones from one string array, the others apart.

    Parameters
    ----------
    fast
        The lines of the regular rows, in order (each ends with a newline).
    regular
        For each row of the block, whether it is regular.
    slow
        Row -> its text (the lines of an irregular row).
    """

    def __init__(self, fast: pa.StringArray, regular: np.ndarray, slow: dict[int, str]) -> None:
        self.before = np.zeros(len(regular) + 1, np.int64)
        np.cumsum(regular, out=self.before[1:])
        self.ends = text_offsets(fast)
        self.data = text_bytes(fast)
        self.slow = slow
        self.slow_rows = sorted(slow)

    def write(self, write: Callable[[bytes | memoryview], object], a: int, b: int) -> None:
        """Pass the text of rows ``a`` to ``b`` (excluded) to ``write``, in order."""
        at = a
        first = bisect.bisect_left(self.slow_rows, a)
        last = bisect.bisect_left(self.slow_rows, b)
        for row in self.slow_rows[first:last]:
            if row > at:
                write(self._fast(at, row))
            write(self.slow[row].encode("utf-8"))
            at = row + 1
        if b > at:
            write(self._fast(at, b))

    def texts(self, starts: np.ndarray, stops: np.ndarray) -> list[list[bytes | memoryview]]:
        """The text of rows ``starts[i]`` to ``stops[i]`` (excluded) for each ``i``, in pieces.

        A range of regular rows is one slice of :attr:`data` (found for all
        ranges at once); one holding irregular rows is pieced as by :meth:`write`.
        """
        ends = self.ends
        begin = ends[self.before[starts]].tolist()
        end = ends[self.before[stops]].tolist()
        data = self.data
        out = [[data[s:e]] for s, e in zip(begin, end, strict=True)]
        if self.slow_rows:
            slow = np.asarray(self.slow_rows)
            mixed = np.searchsorted(slow, stops) > np.searchsorted(slow, starts)
            for i in np.flatnonzero(mixed).tolist():
                out[i] = []
                self.write(out[i].append, int(starts[i]), int(stops[i]))
        return out

    def _fast(self, a: int, b: int) -> memoryview:
        ends = self.ends
        return self.data[int(ends[self.before[a]]) : int(ends[self.before[b]])]


def _split(rows: VerdictRows, positions: np.ndarray) -> tuple[np.ndarray, list[int], np.ndarray]:
    """Which of ``positions`` are regular, which are not, and where in ``rows.slow`` they are.

    Returns the mask of regular rows, the indices of the others, and for
    every position its index into ``rows.slow_at`` (meaningful for the others).
    """
    at = np.searchsorted(rows.slow_at, positions)
    inside = at < len(rows.slow_at)
    slow = np.zeros(len(positions), bool)
    slow[inside] = rows.slow_at[at[inside]] == positions[inside]
    return ~slow, np.flatnonzero(slow).tolist(), at


class _Format:
    """Lookup tables shared by the writers: by species, verdict, reviewer, run."""

    def __init__(self, rows: VerdictRows) -> None:
        self.rows = rows
        self.runs = max(1, len(rows.models))

    def _band_key(self, f: dict[str, np.ndarray]) -> np.ndarray:
        """Index of each row's (recording, run) into :attr:`VerdictRows.high` (flat)."""
        return f["recording"].astype(np.int64) * self.runs + f["run"]

    def _verdict_key(self, f: dict[str, np.ndarray]) -> np.ndarray:
        return f["species"].astype(np.int64) * len(_VERDICTS) + f["status"]

    def _verdict_table(self, cell: Callable[[str], str], sep: str) -> pa.StringArray:
        """``Scientific Name`` to ``Note`` of a regular row, by species and verdict.

        The row's species is the model's (no relabel), so the predicted
        columns repeat it; ``Label`` and ``Note`` are empty.
        """
        r = self.rows
        return table(
            [
                sep.join((cell(n), cell(v), "", cell(c), cell(n), cell(k), "", ""))
                if c
                else ""
                for n, c, k in zip(r.names, r.commons, r.codes, strict=True)
                for v in _VERDICTS
            ]
        )

    def _reviewer_table(self, cell: Callable[[str], str], sep: str) -> pa.StringArray:
        return table([cell(w) + sep for w in ("", *self.rows.reviewers)])

    def _high(self) -> list[float]:
        """High Freq by (recording, run), flat; zeros for rows given as selections (all irregular)."""
        high = self.rows.high
        if high.size != len(self.rows.paths) * self.runs:
            high = np.zeros(len(self.rows.paths) * self.runs)
        return high.ravel().tolist()


class RavenLines(_Format):
    """Lines of Raven verdict tables (see :mod:`audioclass_gui.formats.raven`)."""

    header = "\t".join((*RAVEN_COLUMNS, *VERDICT_COLUMNS)) + "\n"

    def __init__(self, rows: VerdictRows) -> None:
        super().__init__(rows)
        # Raven's measurement columns, when rows were measured (empty in the others).
        self.columns = (*VERDICT_COLUMNS, *measurement_columns(rows))
        self.header = "\t".join((*RAVEN_COLUMNS, *self.columns)) + "\n"
        pad = "\t" * (len(self.columns) - len(VERDICT_COLUMNS))
        self.high = table(["\t0.0\t" + format_number(h, 1, point=True) + "\t" for h in self._high()])
        self.path = table(["\t" + _flat(p) + "\t" for p in rows.paths])
        self.common = table(
            [_flat(c) + "\t" + _flat(k) + "\t" for c, k in zip(rows.commons, rows.codes, strict=True)]
        )
        self.verdict = self._verdict_table(_flat, "\t")
        self.reviewer = self._reviewer_table(_flat, "\t")
        self.model = table(["\t" + _flat(m) + pad + "\n" for m in rows.models])

    def lines(
        self,
        positions: np.ndarray,
        numbers: np.ndarray,
        combined: np.ndarray,
        shift: np.ndarray,
        *,
        own_lines: bool = True,
    ) -> tuple[Lines | None, Lines]:
        """Lines of the rows at ``positions`` for their recording's table and the combined one.

        ``numbers`` and ``combined`` are the rows' numbers in each table;
        ``shift`` the seconds the combined table adds to their begin and end
        times (the time within the file going to ``File Offset (s)``).
        Without ``own_lines`` only the combined table's lines are made
        (the first item is None).
        """
        regular, slow_rows, at = _split(self.rows, positions)
        own, joint = {}, {}
        for i in slow_rows:
            s = self.rows.slow[at[i]]
            if own_lines:
                own[i] = self.line(s, numbers[i])
            moved = replace(
                s,
                begin_time=s.begin_time + float(shift[i]),
                end_time=s.end_time + float(shift[i]),
                file_offset=s.begin_time,
            )
            joint[i] = self.line(moved, combined[i])
        f = self.rows.fields(positions[regular])
        n, rec, spc = int(regular.sum()), f["recording"], f["species"]
        # The columns after the times: the same in both tables.
        rest = [
            take(self.high, self._band_key(f)),
            take(self.common, spc),
            Segment(n).number(f["score"], 4).build(),
            take(self.path, rec),
            Segment(n).number(f["start"], 6, compact=True, point=True).text("\t").build(),
            take(self.verdict, self._verdict_key(f)),
            take(self.reviewer, f["reviewer"] + 1),
            Segment(n).utc_time(f["at"], f["reviewer"] >= 0).build(),
            take(self.model, f["run"]),
        ]
        moved = shift[regular]
        head_joint = self._head(combined[regular], f["start"] + moved, f["end"] + moved)
        if not own_lines:
            return None, Lines(join([head_joint, *rest]), regular, joint)
        head = self._head(numbers[regular], f["start"], f["end"])
        rest = join(rest)  # once for both tables
        return (
            Lines(join([head, rest]), regular, own),
            Lines(join([head_joint, rest]), regular, joint),
        )

    def line(self, s: Selection, number: int) -> str:
        """The line of one selection, numbered ``number``."""
        text = raven_table_text([s], extra_columns=self.columns)
        return str(int(number)) + text[len(self.header) + 1 :]

    @staticmethod
    def _head(numbers: np.ndarray, begin: np.ndarray, end: np.ndarray) -> pa.StringArray:
        return (
            Segment(len(numbers))
            .integer(numbers)
            .text("\tSpectrogram 1\t1\t")
            .number(begin, 6, compact=True, point=True)
            .text("\t")
            .number(end, 6, compact=True, point=True)
            .build()
        )


class _Echo:
    """A file whose ``write`` returns what it is given (so ``writerow`` returns the row)."""

    @staticmethod
    def write(text: str) -> str:
        return text


_ROW = csv.writer(_Echo(), lineterminator="\n")


def _csv_cell(text: str) -> str:
    """A cell as :mod:`csv` writes it (quoted where it must be)."""
    return _ROW.writerow([text, ""])[:-2]


class CsvLines(_Format):
    """Lines of the CSV verdict table (see :mod:`audioclass_gui.formats.csv_table`)."""

    def __init__(self, rows: VerdictRows) -> None:
        super().__init__(rows)
        self.header = csv_table_text([], band=True, extra_columns=VERDICT_COLUMNS)
        q = _csv_cell
        self.names = table(
            [f",{q(n)},{q(c)}," for n, c in zip(rows.names, rows.commons, strict=True)]
        )
        # File, Channel, Low and High Freq: by recording and run (the band is the run's model's).
        high = [format_number(h, 1, point=True) for h in self._high()]
        paths = [q(p) for p in rows.paths for _run in range(self.runs)]
        self.path = table([f",{p},1,0.0,{h}," for p, h in zip(paths, high, strict=True)])
        self.verdict = self._verdict_table(q, ",")
        self.reviewer = self._reviewer_table(q, ",")
        self.model = table(["," + q(m) + "\n" for m in rows.models])

    def lines(self, positions: np.ndarray) -> Lines:
        """Lines of the rows at ``positions``."""
        regular, slow_rows, at = _split(self.rows, positions)
        slow = {}
        for i in slow_rows:
            text = csv_table_text([self.rows.slow[at[i]]], band=True, extra_columns=VERDICT_COLUMNS)
            slow[i] = text[len(self.header) :]
        f = self.rows.fields(positions[regular])
        n, spc = int(regular.sum()), f["species"]
        parts = [
            Segment(n)
            .number(f["start"], 6, compact=True, point=True)
            .text(",")
            .number(f["end"], 6, compact=True, point=True)
            .build(),
            take(self.names, spc),
            Segment(n).number(f["score"], 4).build(),
            take(self.path, self._band_key(f)),
            take(self.verdict, self._verdict_key(f)),
            take(self.reviewer, f["reviewer"] + 1),
            Segment(n).utc_time(f["at"], f["reviewer"] >= 0).build(),
            take(self.model, f["run"]),
        ]
        return Lines(join(parts), regular, slow)


class AudacityLines(_Format):
    """Lines of Audacity label tracks (see :func:`audacity_labels_text`)."""

    def __init__(self, rows: VerdictRows, *, bands: bool = True) -> None:
        super().__init__(rows)
        self.bands = bands
        # The label text of a regular row: "<name> [<verdict>] <score>".
        self.label = table(
            [
                "\t" + _flat(f"{n} [{v}]") + " " if shown else ""
                for n, shown in zip(rows.names, rows.commons, strict=True)
                for v in _VERDICTS
            ]
        )
        self.high = table([f"{h:.6f}\n" for h in self._high()])

    def lines(self, positions: np.ndarray) -> Lines:
        """Lines of the rows at ``positions`` (two each with ``bands``)."""
        regular, slow_rows, at = _split(self.rows, positions)
        slow = {
            i: audacity_labels_text([self.rows.slow[at[i]]], bands=self.bands) for i in slow_rows
        }
        f = self.rows.fields(positions[regular])
        n = int(regular.sum())
        score = Segment(n).number(f["score"], 2)
        parts = [
            Segment(n).number(f["start"], 6).text("\t").number(f["end"], 6).build(),
            take(self.label, self._verdict_key(f)),
        ]
        if self.bands:
            parts += [
                score.text("\n\\\t0.000000\t").build(),
                take(self.high, self._band_key(f)),
            ]
        else:
            parts.append(score.text("\n").build())
        return Lines(join(parts), regular, slow)
