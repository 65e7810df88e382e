"""CSV tables of selections, with BirdNET-Analyzer's columns.

BirdNET-Analyzer's CSV output has the columns ``Start (s), End (s),
Scientific name, Common name, Confidence, File``; we write the same (so
scripts written for it read ours) and then, where rows have them, the
channel, the frequency band and any extra columns (a reviewer's verdict,
say). Values are quoted only where needed (RFC 4180, via :mod:`csv`).
Times and frequencies keep a decimal point (``0.0``, ``3.0``), as
BirdNET-Analyzer writes its times, so pandas reads them as floats. Files
are UTF-8 and written atomically.
"""

from __future__ import annotations

import csv
import io
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
    "CSV_COLUMNS",
    "CSV_SUFFIX",
    "csv_table_text",
    "read_csv_table",
    "write_csv_table",
]

#: BirdNET-Analyzer's CSV columns, in its order.
CSV_COLUMNS = (
    "Start (s)",
    "End (s)",
    "Scientific name",
    "Common name",
    "Confidence",
    "File",
)
#: File name ending of the tables ``audioclass-gui predict`` writes.
CSV_SUFFIX = ".results.csv"
_BAND_COLUMNS = ("Channel", "Low Freq (Hz)", "High Freq (Hz)")


def csv_table_text(
    selections: Sequence[Selection],
    *,
    band: bool = False,
    extra_columns: Sequence[str] | None = None,
) -> str:
    """The table as CSV text.

    Parameters
    ----------
    selections
        The rows, in order.
    band
        Also write ``Channel``, ``Low Freq (Hz)`` and ``High Freq (Hz)``
        after the standard columns.
    extra_columns
        Names of extra columns to write last; by default every name found
        in the rows' ``extra``.
    """
    extras = extra_column_names(selections, extra_columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(_BAND_COLUMNS if band else ()), *extras])
    for s in selections:
        values = dict(s.extra)
        row = [
            format_number(s.begin_time, point=True),
            format_number(s.end_time, point=True),
            s.scientific_name,
            s.common_name,
            "" if s.confidence is None else f"{s.confidence:.4f}",
            s.path,
        ]
        if band:
            row += [
                str(s.channel),
                format_number(s.low_freq, 1, point=True),
                format_number(s.high_freq, 1, point=True),
            ]
        row += [values.get(name, "") for name in extras]
        writer.writerow(row)
    return out.getvalue()


def write_csv_table(
    path: str | os.PathLike[str],
    selections: Sequence[Selection],
    *,
    band: bool = False,
    extra_columns: Sequence[str] | None = None,
) -> Path:
    """Write a CSV table atomically; returns its path (see :func:`csv_table_text`)."""
    target = Path(path)
    atomic_write_text(
        target, csv_table_text(selections, band=band, extra_columns=extra_columns)
    )
    return target


def read_csv_table(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """Read a CSV table into one ``{column: text}`` per row."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))
