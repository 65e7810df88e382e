"""Raven selection tables, with the columns Raven Pro and BirdNET-Analyzer use.

A selection table is tab-separated text with one header line::

    Selection  View  Channel  Begin Time (s)  End Time (s)  Low Freq (Hz)
    High Freq (Hz)  Common Name  Species Code  Confidence  Begin Path
    File Offset (s)

exactly as BirdNET-Analyzer writes it (``View`` is ``Spectrogram 1``,
``Confidence`` has four decimals), so tables open in Raven Pro and in tools
that read BirdNET-Analyzer's output. Rows with extra columns (a reviewer's
verdict, say) get them after ``File Offset (s)``; Raven shows them as
annotation columns. Files are written atomically.

Times and frequencies always have a decimal point (``0.0``, ``3.0``,
``15000.0``), as Raven Pro writes them: crowsetta's ``raven`` format (and
anything else that reads the table with pandas) checks that these columns
are floats, and a column of ``0``/``3`` reads as integers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from audioclass_gui.formats.atomic import atomic_write_text
from audioclass_gui.formats.selections import (
    Selection,
    extra_column_names,
    format_number,
)

__all__ = [
    "RAVEN_COLUMNS",
    "RAVEN_SUFFIX",
    "RAVEN_VIEW",
    "raven_table_text",
    "read_raven_table",
    "write_raven_table",
]

#: The standard columns, in BirdNET-Analyzer's order.
RAVEN_COLUMNS = (
    "Selection",
    "View",
    "Channel",
    "Begin Time (s)",
    "End Time (s)",
    "Low Freq (Hz)",
    "High Freq (Hz)",
    "Common Name",
    "Species Code",
    "Confidence",
    "Begin Path",
    "File Offset (s)",
)
#: The view every row refers to.
RAVEN_VIEW = "Spectrogram 1"
#: File name ending of the tables ``audioclass-gui predict`` writes.
RAVEN_SUFFIX = ".selection.table.txt"


def _cell(text: object) -> str:
    # A tab or line break inside a cell would shift every later column.
    return " ".join(str(text).replace("\t", " ").splitlines())


def raven_table_text(
    selections: Sequence[Selection], *, extra_columns: Sequence[str] | None = None
) -> str:
    """The selection table as text (header and one line per selection).

    Parameters
    ----------
    selections
        The rows, numbered 1, 2, ... in this order.
    extra_columns
        Names of extra columns to write after the standard ones; by default
        every name found in the rows' ``extra``. A row without a value for
        one leaves it empty.

    Returns
    -------
    str
        Tab-separated text ending with a newline.
    """
    extras = extra_column_names(selections, extra_columns)
    lines = ["\t".join((*RAVEN_COLUMNS, *(_cell(name) for name in extras)))]
    for number, s in enumerate(selections, start=1):
        values = dict(s.extra)
        cells = [
            str(number),
            RAVEN_VIEW,
            str(s.channel),
            format_number(s.begin_time, point=True),
            format_number(s.end_time, point=True),
            format_number(s.low_freq, 1, point=True),
            format_number(s.high_freq, 1, point=True),
            _cell(s.common_name),
            _cell(s.species_code),
            "" if s.confidence is None else f"{s.confidence:.4f}",
            _cell(s.path),
            format_number(s.offset, point=True),
            *(_cell(values.get(name, "")) for name in extras),
        ]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def write_raven_table(
    path: str | os.PathLike[str],
    selections: Sequence[Selection],
    *,
    extra_columns: Sequence[str] | None = None,
) -> Path:
    """Write a Raven selection table atomically; returns its path.

    See :func:`raven_table_text` for the parameters. A table without
    selections holds the header only (Raven opens it as an empty table).
    """
    target = Path(path)
    atomic_write_text(target, raven_table_text(selections, extra_columns=extra_columns))
    return target


def read_raven_table(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """Read a selection table (Raven's, BirdNET-Analyzer's or ours).

    Returns
    -------
    list of dict
        One ``{column: text}`` per row; blank lines are skipped.

    Raises
    ------
    ValueError
        If the file has no header with a ``Selection`` column.
    """
    p = Path(path)
    lines = p.read_text(encoding="utf-8-sig").splitlines()
    if not lines or "Selection" not in lines[0].split("\t"):
        raise ValueError(
            f"{p}: not a Raven selection table (no 'Selection' column in the header)"
        )
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        if not line.strip():
            continue
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, cells, strict=False)))
    return rows
