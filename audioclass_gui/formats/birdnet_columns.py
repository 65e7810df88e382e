"""BirdNET-Analyzer result tables read row by row into columns.

The tables and their columns are described in
:mod:`audioclass_gui.formats.birdnet_results`. :func:`parse_table` reads a
table a line at a time (never the whole file at once, and no object per
row) into :class:`TableRows`: numbers per row and per time window, plus the
problems met, in words. :func:`read_birdnet_columns` makes the columns of a
project's predictions store of them; ``read_birdnet_results`` makes
soundevent clip predictions of the same rows. Both therefore read the same
detections and say the same problems.
"""

from __future__ import annotations

import csv
import re
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from soundevent import data

from audioclass_gui.formats.birdnet_results import (
    _COLUMNS,
    _NOCALL,
    AUDACITY_HEADER,
    TABLE_KINDS,
    birdnet_common_to_scientific,
    missing_columns,
    sniff_table,
    table_stem,
)
from audioclass_gui.formats.prediction_store import StoredRun
from audioclass_gui.models import birdnet_taxonomy

__all__ = ["TableRows", "parse_table", "read_birdnet_columns"]

_READ = 1 << 22
#: The fields a row is read for, in :meth:`_Fields.values` order.
_FIELDS = (
    "common", "scientific", "code", "start", "duration", "begin", "end", "confidence", "file",
)  # fmt: skip
_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
#: Encodings tried in turn (tables saved by Excel on Windows are often
#: Windows-1252), and how to say them.
_ENCODINGS = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1"}
#: A genus and species, as older tables of this app wrote in Species Code.
_BINOMIAL = re.compile(r"^[A-Z][a-z-]+ [a-z][a-z.-]+( [a-z][a-z.-]+)?$")
_KIND_WORDS = {
    "birdnet_raven": "Raven selection table",
    "birdnet_csv": "CSV result table",
    "birdnet_audacity": "Audacity label file",
}


@dataclass
class TableRows:
    """The detections of a result table, one row per detection.

    Rows of the same recording and time window (to the millisecond) form a
    window; a window's times are those of its first row.

    Attributes
    ----------
    path : pathlib.Path
    kind : str
        "birdnet_raven", "birdnet_csv" or "birdnet_audacity".
    recordings : list of soundevent.data.Recording
        The project's recordings the rows are on; ``window_recording``
        indexes this list.
    species : list of str
        Scientific names; ``row_species`` indexes this list.
    window_recording : numpy.ndarray of int32
    window_start, window_end : numpy.ndarray of float64
        Per window, in the order windows first come.
    row_window, row_species : numpy.ndarray of int32
    row_score : numpy.ndarray of float64
        Per row (kept rows only, in the table's order); scores clipped to 0..1.
    problems : list of str
    common_names : dict of str to str
        Scientific -> the table's common name.
    """

    path: Path
    kind: str
    recordings: list[data.Recording]
    species: list[str]
    window_recording: np.ndarray
    window_start: np.ndarray
    window_end: np.ndarray
    row_window: np.ndarray
    row_species: np.ndarray
    row_score: np.ndarray
    problems: list[str] = field(default_factory=list)
    common_names: dict[str, str] = field(default_factory=dict)

    def display_order(self) -> tuple[np.ndarray, np.ndarray]:
        """Windows sorted by recording path then start (stable), and rows in that order."""
        paths = [str(r.path) for r in self.recordings]
        rank = np.empty(len(paths), np.int64)
        rank[sorted(range(len(paths)), key=paths.__getitem__)] = np.arange(len(paths))
        n = len(self.window_start)
        windows = np.lexsort(
            (np.arange(n), self.window_start, rank[self.window_recording] if n else np.empty(0, np.int64))
        )
        position = np.empty(n, np.int64)
        position[windows] = np.arange(n)
        rows = np.lexsort((np.arange(len(self.row_window)), position[self.row_window]))
        return windows, rows


def _lines(handle: Any) -> Iterator[str]:
    """The lines of a text file as ``str.splitlines`` splits them, a part at a time."""
    rest = ""
    while chunk := handle.read(_READ):
        lines = (rest + chunk).splitlines()
        rest = lines.pop() if lines and chunk[-1] not in _BREAKS else ""
        yield from lines
    if rest:
        yield rest


def _audacity_cells(line: str) -> list[str]:
    """An Audacity label line as the cells of :data:`AUDACITY_HEADER`."""
    start, end, label, *rest = [*line.split("\t"), "", "", ""][:4]
    scientific, comma, common = label.partition(", ")
    if not comma:  # a label without BirdNET's "Scientific, Common" form
        scientific, common = "", label
    return [start, end, scientific, common, rest[0]]


def _table(path: Path, kind: str, encoding: str) -> Iterator[tuple[list[str], list[str]]]:
    """``(header, cells)`` of each row, skipping blank lines as the readers before did.

    The header comes first, with no cells (so that a table without rows
    still shows its columns).
    """
    with open(path, encoding=encoding, newline="") as handle:
        if kind == "birdnet_audacity":
            yield AUDACITY_HEADER, []
            for line in _lines(handle):
                if line.strip() and not line.startswith("\\"):  # "\ low high" lines
                    yield AUDACITY_HEADER, _audacity_cells(line)
            return
        if kind == "birdnet_raven":
            lines = _lines(handle)
            header = [c.strip() for c in next(lines, "").split("\t")]
            yield header, []
            for line in lines:
                if line.strip():
                    yield header, line.split("\t")
            return
        rows = csv.reader(handle)
        first = next(rows, None)
        if first is None:
            return
        header = [c.strip() for c in first]
        yield header, []
        for cells in rows:
            if cells:
                yield header, cells


class _Fields:
    """Where each field is in a table's rows (as the dict of a row would find it)."""

    def __init__(self, header: list[str], kind: str) -> None:
        last = {name: i for i, name in enumerate(header)}
        self.width = len(header)
        # A Raven row shorter than its header reads as "" past its end; a
        # CSV row as missing (the next alias is tried).
        self.pad = "" if kind == "birdnet_raven" else None
        self.at = {f: [last[n] for n in names if n in last] for f, names in _COLUMNS.items()}
        self.first = [self.at[f][0] if self.at[f] else -1 for f in _FIELDS]
        self.offset = last.get("File Offset (s)")
        self.kaleidoscope = [last.get(n) for n in ("INDIR", "FOLDER", "IN FILE")]
        self.has_indir = "INDIR" in last

    def raw(self, cells: list[str], index: int | None) -> str | None:
        if index is None:
            return None
        return cells[index] if index < len(cells) else self.pad

    def values(self, cells: list[str]) -> list[str | None]:
        """The row's value of each of :data:`_FIELDS` (stripped), None if it has none."""
        if len(cells) >= self.width:  # the usual row: every column there
            return [cells[i].strip() if i >= 0 else None for i in self.first]
        return [self.pick(cells, name) for name in _FIELDS]

    def pick(self, cells: list[str], name: str) -> str | None:
        for i in self.at[name]:
            if i < len(cells):
                return cells[i].strip()
            if self.pad is not None:
                return self.pad
        return None


class _Species:
    """The scientific name of a row from its species columns (memoised).

    See the order in :mod:`audioclass_gui.formats.birdnet_results`.
    """

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names  # common name (lower case) -> scientific
        self.known: dict[tuple[str, str, str], tuple[str, bool]] = {}

    def __call__(self, scientific: str, common: str, code: str) -> tuple[str, bool]:
        """``(scientific name, found)``; not found: the common name, kept as it is."""
        key = (scientific, common, code)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self._resolve(scientific, common, code)
        return found

    def _resolve(self, scientific: str, common: str, code: str) -> tuple[str, bool]:
        if scientific:
            return scientific, True
        if code:
            by_code = birdnet_taxonomy.scientific_name_for_code(code)
            if by_code is not None:
                return by_code, True
            if "_" in code:  # a custom classifier's label, Genus species_Common Name
                return code.partition("_")[0].strip(), True
            if birdnet_taxonomy.ebird_code(code) is not None:  # a scientific name
                return code, True
        by_name = self.names.get(common.lower()) or (
            birdnet_taxonomy.scientific_name_for_common(common) if common else None
        )
        if by_name:
            return by_name, True
        if _BINOMIAL.match(code):  # this app's older tables: the scientific name
            return code, True
        return common, False


def _rows(
    p: Path, kind: str, encoding: str
) -> Iterator[tuple[int, list[str], list[str]]]:
    """``(line number, header, cells)``; ValueError naming missing columns."""
    for number, (header, cells) in enumerate(_table(p, kind, encoding), start=1):
        if number == 1:
            missing = missing_columns(header, kind)
            if missing:
                shown = ", ".join(c for c in header if c) or "none"
                raise ValueError(
                    f"{p}: this {_KIND_WORDS[kind]} lacks the column"
                    f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                    f"(its columns: {shown})"
                )
            continue
        yield number, header, cells


def parse_table(
    path: str | Path,
    *,
    recording_for: Callable[[str], data.Recording | None],
    scientific_names: Mapping[str, str] | None = None,
) -> TableRows:
    """Read a BirdNET-Analyzer result table (see ``read_birdnet_results``).

    Raises
    ------
    ValueError
        If the file is not a BirdNET result table, or lacks a column it
        needs (the message names them).
    """
    p = Path(path)
    kind = sniff_table(p)
    if kind not in TABLE_KINDS:
        raise ValueError(
            f"{p}: not a BirdNET-Analyzer result table (Raven, CSV or Audacity)"
        )
    for encoding in _ENCODINGS:
        try:
            table = _parse(p, kind, encoding, recording_for, scientific_names)
        except UnicodeDecodeError:
            continue
        if encoding != "utf-8-sig":
            table.problems.insert(
                0,
                f"{p}: not UTF-8 text; read as {_ENCODINGS[encoding]} "
                "(save it as UTF-8 if names look wrong)",
            )
        return table
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _parse(
    p: Path,
    kind: str,
    encoding: str,
    recording_for: Callable[[str], data.Recording | None],
    scientific_names: Mapping[str, str] | None,
) -> TableRows:
    given = scientific_names if scientific_names is not None else birdnet_common_to_scientific()
    species_of = _Species({k.lower(): v for k, v in given.items()})
    stem = table_stem(p)
    problems: list[str] = []
    missing: dict[str, int] = {}
    unnamed: dict[str, int] = {}
    common_names: dict[str, str] = {}
    where_to: dict[str, int | None] = {}
    recordings: list[data.Recording] = []
    numbers: dict[Any, int] = {}  # recording uuid -> index in recordings
    windows: dict[tuple[int, float, float], int] = {}
    # Compact columns (C numbers, not Python objects) while reading.
    w_rec, w_start, w_end = array("l"), array("d"), array("d")
    r_window, r_species, r_score = array("l"), array("l"), array("d")
    species: dict[str, int] = {}
    fields: _Fields | None = None
    for number, header, cells in _rows(p, kind, encoding):
        if fields is None:
            fields = _Fields(header, kind)
        common, scientific, code, t0, duration, begin, t1, confidence, file = fields.values(
            cells
        )
        common = common or ""
        scientific = scientific or ""
        code = code or ""
        if (scientific or common).lower() in _NOCALL or code.lower() == "nocall":
            continue
        try:
            start = float(t0 or "nan")
            if duration is not None:
                end = start + float(duration or "nan")
            elif begin is not None and fields.raw(cells, fields.offset) is not None:
                # Times run on across files in a combined table; not in one per file.
                shift = start - float(begin or "nan")
                end = float(t1 or "nan") + shift if shift else float(t1 or "nan")
            else:
                end = float(t1 or "nan")
            score = float(confidence or "nan")
        except ValueError:
            problems.append(f"{p}, line {number}: times or confidence are not numbers")
            continue
        if not (end > start) or score != score:
            problems.append(f"{p}, line {number}: no valid time window or confidence")
            continue
        if fields.has_indir:
            where = str(Path(*(fields.raw(cells, i) or "" for i in fields.kaleidoscope)))
        else:
            where = file or stem
        if where not in where_to:
            found = recording_for(where) if where else None
            if found is None:
                where_to[where] = None
            else:
                if found.uuid not in numbers:
                    numbers[found.uuid] = len(recordings)
                    recordings.append(found)
                where_to[where] = numbers[found.uuid]
        rec = where_to[where]
        if rec is None:
            said = where or "(no file named)"
            missing[said] = missing.get(said, 0) + 1
            continue
        scientific, known = species_of(scientific, common, code)
        if not known:
            unnamed[common] = unnamed.get(common, 0) + 1
        if common and common != scientific:
            common_names.setdefault(scientific, common)
        key = (rec, round(start, 3), round(end, 3))  # (a recording's number stands for its uuid)
        window = windows.get(key)
        if window is None:
            window = windows[key] = len(w_rec)
            w_rec.append(rec)
            w_start.append(start)
            w_end.append(end)
        r_window.append(window)
        r_species.append(species.setdefault(scientific, len(species)))
        r_score.append(min(max(score, 0.0), 1.0))
    for where, count in missing.items():
        problems.append(f"{p}: {count} rows of {where}: recording not found in the project")
    for common, count in unnamed.items():
        problems.append(
            f"{p}: {count} rows of {common!r}: no scientific name known, kept the common name"
        )
    return TableRows(
        p,
        kind,
        recordings,
        list(species),
        np.asarray(w_rec, np.int32),
        np.frombuffer(w_start, np.float64).copy(),
        np.frombuffer(w_end, np.float64).copy(),
        np.asarray(r_window, np.int32),
        np.asarray(r_species, np.int32),
        np.frombuffer(r_score, np.float64).copy(),
        problems,
        common_names,
    )


def _first_seen(values: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Values numbered in the order they first come: (new numbers, old value of each)."""
    found, first = np.unique(values, return_index=True)
    order = found[np.argsort(first, kind="stable")]
    renumber = np.full(count, -1, np.int32)
    renumber[order] = np.arange(len(order), dtype=np.int32)
    return renumber[values], order


def read_birdnet_columns(
    path: str | Path,
    *,
    recording_for: Callable[[str], data.Recording | None],
    scientific_names: Mapping[str, str] | None = None,
    model_name: str = "BirdNET",
) -> StoredRun:
    """Read a BirdNET-Analyzer result table into the columns of a predictions store.

    The columns are those :func:`~audioclass_gui.formats.prediction_store.run_from_predictions`
    makes of ``read_birdnet_results`` (same arguments): rows grouped by
    window, windows sorted by recording path and start time, recordings and
    species numbered in the order they then come.

    Raises
    ------
    ValueError
        If the file is not a BirdNET result table.
    """
    table = parse_table(path, recording_for=recording_for, scientific_names=scientific_names)
    _windows, rows = table.display_order()
    window = table.row_window[rows]
    rec, rec_order = _first_seen(table.window_recording[window], len(table.recordings))
    spc, spc_order = _first_seen(table.row_species[rows], len(table.species))
    # Recordings are told apart by path in a store (uuid in a window's key).
    paths: dict[str, int] = {}
    merge = np.asarray(
        [paths.setdefault(str(table.recordings[i].path), len(paths)) for i in rec_order.tolist()],
        np.int32,
    )
    provenance = {
        "source_file": str(table.path.absolute()),
        "source_format": table.kind,
        "model": model_name,
    }
    return StoredRun(
        list(paths),
        [table.species[i] for i in spc_order.tolist()],
        merge[rec] if len(rec) else np.empty(0, np.int32),
        spc.astype(np.int32),
        table.window_start[window],
        table.window_end[window],
        table.row_score[rows],
        model_name=model_name,
        provenance=provenance,
        common_names=table.common_names,
        problems=table.problems,
    )
