"""Per-species thresholds as CSV: written from the verdicts, read back to apply.

Columns (one row per species with reviewed detections)::

    scientific_name, common_name, threshold, precision, target_precision,
    reviewed, true_positives, false_positives, kept

``threshold`` is empty for a species whose reviewed detections never reach
the target precision. :func:`read_thresholds_csv` accepts any CSV with a
species column (``scientific_name``, ``Scientific name``, ``species``...)
and a ``threshold`` column, in any order and case, so hand-made and
spreadsheet-saved tables work too; apply the result with
``DetectionFilter(thresholds=...)``. :func:`thresholds_setting` and
:func:`thresholds_from_setting` keep the applied thresholds in a review
project's settings.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from audioclass_gui.formats.atomic import atomic_write_text
from audioclass_gui.review.precision import SpeciesThreshold

__all__ = [
    "NAME_COLUMNS",
    "THRESHOLD_COLUMNS",
    "VALUE_COLUMNS",
    "read_thresholds_csv",
    "thresholds_csv_text",
    "thresholds_from_setting",
    "thresholds_setting",
    "write_thresholds_csv",
]

THRESHOLD_COLUMNS = (
    "scientific_name",
    "common_name",
    "threshold",
    "precision",
    "target_precision",
    "reviewed",
    "true_positives",
    "false_positives",
    "kept",
)
#: Headers naming the species (compared lower-case, spaces as ``_``).
NAME_COLUMNS = (
    "scientific_name",
    "species",
    "scientific",
    "species_name",
    "latin_name",
)
#: Headers naming the threshold (compared the same way).
VALUE_COLUMNS = (
    "threshold",
    "score_threshold",
    "confidence_threshold",
    "min_score",
    "min_confidence",
    "minimum_confidence",
)


def _num(value: float | None) -> str:
    return "" if value is None or not math.isfinite(value) else f"{value:.6g}"


def thresholds_csv_text(rows: Sequence[SpeciesThreshold]) -> str:
    """The thresholds table as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(THRESHOLD_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.scientific_name,
                r.common_name,
                _num(r.threshold),
                _num(r.precision),
                _num(r.target),
                r.reviewed,
                r.true_positives,
                r.false_positives,
                r.kept,
            ]
        )
    return out.getvalue()


def write_thresholds_csv(
    path: str | os.PathLike[str], rows: Sequence[SpeciesThreshold]
) -> Path:
    """Write per-species thresholds atomically; returns the path."""
    target = Path(path)
    atomic_write_text(target, thresholds_csv_text(rows))
    return target


def _key(header: str) -> str:
    """A header as a comparable key: lower case, words joined by ``_``."""
    return "_".join(header.strip().strip('"').lower().replace("-", " ").split())


def _decode(p: Path, raw: bytes) -> str:
    if b"\x00" in raw[:4096]:
        raise ValueError(f"{p}: not a CSV text file (it holds binary data)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    header = text.splitlines()[0] if text else ""
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_thresholds_csv(path: str | os.PathLike[str]) -> dict[str, float]:
    """Read per-species thresholds (scientific name -> threshold).

    Lenient about what spreadsheets do to a table: header case, spacing
    and column order do not matter (``Scientific name``, ``species`` and
    ``scientific_name`` all name the species; ``threshold``,
    ``Threshold``, ``min_score`` or ``confidence threshold`` the
    threshold); commas, semicolons or tabs separate columns; a decimal
    comma is read in semicolon- or tab-separated files; UTF-8 (with or
    without BOM) and Windows-1252 text are read. Rows with an empty
    threshold are left out.

    Raises
    ------
    OSError
        If the file cannot be read.
    ValueError
        If the file is not a CSV text, lacks the columns, a threshold is
        not a number between 0 and 1, a species is given two different
        thresholds, or no species has a threshold. The message names the
        file (and the line).
    """
    p = Path(path)
    text = _decode(p, p.read_bytes())
    if not text.strip():
        raise ValueError(f"{p}: the file is empty")
    dialect = _dialect(text)
    decimal_comma = getattr(dialect, "delimiter", ",") != ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise ValueError(f"{p}: not a readable CSV table ({exc})") from None
    keys = [_key(h) for h in rows[0]]
    name_col = next((keys.index(k) for k in NAME_COLUMNS if k in keys), None)
    value_col = next((keys.index(k) for k in VALUE_COLUMNS if k in keys), None)
    if name_col is None or value_col is None:
        found = ", ".join(repr(h.strip()) for h in rows[0] if h.strip()) or "none"
        raise ValueError(
            f"{p}: needs a 'scientific_name' and a 'threshold' column "
            f"(the columns found are {found})"
        )
    out: dict[str, float] = {}
    line_of: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (max(name_col, value_col) + 1 - len(row))
        name, value = cells[name_col].strip(), cells[value_col].strip()
        if not name or not value:
            continue
        try:
            threshold = float(value.replace(",", ".") if decimal_comma else value)
        except ValueError:
            raise ValueError(
                f"{p}, line {number}: threshold {value!r} is not a number"
            ) from None
        if not (math.isfinite(threshold) and 0.0 <= threshold <= 1.0):
            raise ValueError(
                f"{p}, line {number}: threshold {value} for {name} is not "
                "a score between 0 and 1"
            )
        if name in out and out[name] != threshold:
            raise ValueError(
                f"{p}, line {number}: {name} already has threshold "
                f"{out[name]:g} (line {line_of[name]}); give each species one"
            )
        out[name], line_of[name] = threshold, number
    if not out:
        raise ValueError(
            f"{p}: no species has a threshold (every threshold cell is empty)"
        )
    return out


def thresholds_setting(thresholds: Mapping[str, float], source: str) -> dict[str, Any]:
    """Per-species thresholds as a JSON value, to remember in a project's settings.

    Parameters
    ----------
    thresholds
        Scientific name -> threshold.
    source
        Where they came from, in words (a file name, "precision ≥ 0.90").
    """
    return {
        "source": str(source),
        "thresholds": {str(k): float(v) for k, v in sorted(thresholds.items())},
    }


def thresholds_from_setting(value: object) -> tuple[dict[str, float], str] | None:
    """Read back :func:`thresholds_setting`; None when absent or malformed."""
    if not isinstance(value, Mapping):
        return None
    table = value.get("thresholds")
    if not isinstance(table, Mapping) or not table:
        return None
    out: dict[str, float] = {}
    for name, threshold in table.items():
        if not isinstance(threshold, int | float) or isinstance(threshold, bool):
            return None
        if not math.isfinite(threshold):
            return None
        out[str(name)] = float(threshold)
    return out, str(value.get("source") or "the project")
