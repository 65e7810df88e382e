"""Per-species thresholds as CSV: written from the verdicts, read back to apply.

Columns (one row per species with reviewed detections)::

    scientific_name, common_name, threshold, precision, target_precision,
    reviewed, true_positives, false_positives, kept

``threshold`` is empty for a species whose reviewed detections never reach
the target precision. :func:`read_thresholds_csv` accepts any CSV with a
``scientific_name`` (or ``Scientific name``/``species``) column and a
``threshold`` column, so hand-made tables work too; apply the result with
``DetectionFilter(thresholds=...)``.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Sequence
from pathlib import Path

from audioclass_gui.formats.atomic import atomic_write_text
from audioclass_gui.review.precision import SpeciesThreshold

__all__ = [
    "THRESHOLD_COLUMNS",
    "read_thresholds_csv",
    "thresholds_csv_text",
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
_NAME_COLUMNS = ("scientific_name", "Scientific name", "Scientific Name", "species")


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


def read_thresholds_csv(path: str | os.PathLike[str]) -> dict[str, float]:
    """Read per-species thresholds (scientific name -> threshold).

    Rows with an empty threshold are left out.

    Raises
    ------
    ValueError
        If the file lacks the columns or a threshold is not a number
        (the message names the file and line).
    """
    p = Path(path)
    with open(p, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        name_col = next((c for c in _NAME_COLUMNS if c in fields), None)
        if name_col is None or "threshold" not in fields:
            raise ValueError(f"{p}: needs a 'scientific_name' and a 'threshold' column")
        out: dict[str, float] = {}
        for number, row in enumerate(reader, start=2):
            name, text = (
                (row.get(name_col) or "").strip(),
                (row.get("threshold") or "").strip(),
            )
            if not name or not text:
                continue
            try:
                out[name] = float(text)
            except ValueError:
                raise ValueError(
                    f"{p}, line {number}: threshold {text!r} is not a number"
                ) from None
    return out
