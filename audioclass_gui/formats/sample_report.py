"""The verification sample report as CSV: precision per species with its interval.

One row per species of the sample and a last row ``(all species)``::

    scientific_name, common_name, population, sampled, reviewed, remaining,
    judged, true_positives, precision, ci_low, ci_high, raw_precision,
    raw_ci_low, raw_ci_high, confidence, seed, per_species, bin_edges

``precision`` and its interval are the stratified estimate (score bins
weighted by how many detections they hold, see
:func:`audioclass_gui.review.sampling.sample_precision`); the ``raw_``
columns are the plain share of true positives among the judged sample
detections. Empty cells mean "no verdict yet". ``seed``, ``per_species``
and ``bin_edges`` (edges joined by ``;``) document how the sample was drawn,
so it can be drawn again. Files are UTF-8 and written atomically.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from audioclass_gui.formats.atomic import atomic_write_text
from audioclass_gui.review.sampling import SamplePrecision

__all__ = [
    "SAMPLE_REPORT_COLUMNS",
    "SampleReport",
    "read_sample_report",
    "sample_report_text",
    "write_sample_report",
]

SAMPLE_REPORT_COLUMNS = (
    "scientific_name",
    "common_name",
    "population",
    "sampled",
    "reviewed",
    "remaining",
    "judged",
    "true_positives",
    "precision",
    "ci_low",
    "ci_high",
    "raw_precision",
    "raw_ci_low",
    "raw_ci_high",
    "confidence",
    "seed",
    "per_species",
    "bin_edges",
)


@dataclass(frozen=True)
class SampleReport:
    """A verification sample report: the rows and how the sample was drawn.

    Attributes
    ----------
    rows : tuple of SamplePrecision
        Per species, then the overall row.
    seed, per_species : int
    edges : tuple of float
        Score bin edges.
    common_names : dict
        Scientific -> common name of the species listed.
    """

    rows: tuple[SamplePrecision, ...]
    seed: int
    per_species: int
    edges: tuple[float, ...]
    common_names: Mapping[str, str] = field(default_factory=dict)


def _num(value: float) -> str:
    return "" if not math.isfinite(value) else f"{value:.10g}"


def _float(text: str) -> float:
    return float(text) if text.strip() else math.nan


def sample_report_text(report: SampleReport) -> str:
    """The report as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SAMPLE_REPORT_COLUMNS)
    edges = ";".join(f"{e:.10g}" for e in report.edges)
    for r in report.rows:
        writer.writerow(
            [
                r.scientific_name,
                report.common_names.get(r.scientific_name, ""),
                r.population,
                r.sampled,
                r.reviewed,
                r.remaining,
                r.judged,
                r.true_positives,
                _num(r.precision),
                _num(r.low),
                _num(r.high),
                _num(r.raw_precision),
                _num(r.raw_low),
                _num(r.raw_high),
                _num(r.confidence),
                report.seed,
                report.per_species,
                edges,
            ]
        )
    return out.getvalue()


def write_sample_report(path: str | os.PathLike[str], report: SampleReport) -> Path:
    """Write the report atomically; returns the path."""
    target = Path(path)
    atomic_write_text(target, sample_report_text(report))
    return target


def read_sample_report(path: str | os.PathLike[str]) -> SampleReport:
    """Read a report written by :func:`write_sample_report`.

    Raises
    ------
    ValueError
        If a column is missing or a cell is not a number (the message names
        the file and line).
    """
    p = Path(path)
    with open(p, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [
            c for c in SAMPLE_REPORT_COLUMNS if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise ValueError(
                f"{p}: not a sample report (no {', '.join(missing)} column)"
            )
        rows: list[SamplePrecision] = []
        names: dict[str, str] = {}
        seed, per_species, edges = 0, 0, ()
        for number, row in enumerate(reader, start=2):
            try:
                rows.append(
                    SamplePrecision(
                        row["scientific_name"],
                        int(row["population"]),
                        int(row["sampled"]),
                        int(row["judged"]),
                        int(row["true_positives"]),
                        _float(row["precision"]),
                        _float(row["ci_low"]),
                        _float(row["ci_high"]),
                        _float(row["raw_precision"]),
                        _float(row["raw_ci_low"]),
                        _float(row["raw_ci_high"]),
                        _float(row["confidence"]),
                        int(row["reviewed"]),
                    )
                )
                seed, per_species = int(row["seed"]), int(row["per_species"])
                edges = tuple(float(e) for e in row["bin_edges"].split(";") if e)
            except ValueError as exc:
                raise ValueError(f"{p}, line {number}: {exc}") from None
            if row["common_name"]:
                names[row["scientific_name"]] = row["common_name"]
    return SampleReport(tuple(rows), seed, per_species, edges, names)
