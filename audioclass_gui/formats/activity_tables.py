"""CSV tables of a deployment: events, counts, activity, presence and summary.

Every table is UTF-8 CSV (RFC 4180 quoting) with a header row, decimal
points, and ``NA`` for a missing value, so that pandas, R (``read.csv``)
and spreadsheets read it as it is; files are written atomically.

==========================  ===================================================
file                        one row per
==========================  ===================================================
``events.csv``              vocal event (:mod:`audioclass_gui.review.events`)
``event_counts.csv``        species, site and day with events
``activity_day.csv``        species, site and day with detections or accepts
``activity_hour.csv``       species, site and hour of day with either
``presence/<species>.csv``  site: one column per day, 1 / 0 / NA (``unmarked``)
``summary_site_day.csv``    site and day with audio: hours, detections, review
``summary_species.csv``     species: detections, verdicts, precision
chart numbers per day       day of one chart (Reports › Activity): NA no audio
chart numbers per hour      hour of day of one chart
==========================  ===================================================

The events table can hold millions of rows: it is made from columns
(:mod:`audioclass_gui.formats.text_columns`) a million rows at a time.
Clock times are written as ISO 8601 with the recording's UTC offset where
its zone is known (``2024-05-01T23:00:00+02:00``), without one where it is
not (the recorder's clock, as written), empty without a start time.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from audioclass_gui.formats.atomic import atomic_write_path, atomic_write_text
from audioclass_gui.formats.selections import format_number
from audioclass_gui.formats.text_columns import Segment, join, table, take, text_bytes
from audioclass_gui.review.activity import Activity
from audioclass_gui.review.activity_series import ActivitySeries
from audioclass_gui.review.deployment import SpeciesReview, event_cells
from audioclass_gui.review.events import Events

__all__ = [
    "EVENT_COLUMNS",
    "presence_file_name",
    "write_activity_day",
    "write_activity_hour",
    "write_event_counts",
    "write_events",
    "write_presence",
    "write_series_day",
    "write_series_hour",
    "write_summary_site_day",
    "write_summary_species",
]

#: Columns of ``events.csv``, in order.
EVENT_COLUMNS = (
    "recording", "site", "scientific_name", "common_name", "start_time",
    "start_s", "end_s", "duration_s", "max_score", "windows",
    "accepted", "rejected", "uncertain", "unreviewed", "relabelled",
)
_CHUNK = 1_000_000
NA = "NA"


def _quoted(text: str) -> str:
    """One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _shown(path: str | os.PathLike[str], root: Path | None) -> str:
    p = Path(path)
    if root is not None and p.is_relative_to(root):
        return p.relative_to(root).as_posix()
    return p.as_posix()


def _write_rows(path: str | os.PathLike[str], header: Sequence[str], rows: Iterable) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    target = Path(path)
    atomic_write_text(target, out.getvalue())
    return target


def _number(value: float, decimals: int = 3) -> str:
    return NA if not math.isfinite(value) else format_number(value, decimals, point=True)


def write_events(
    path: str | os.PathLike[str],
    events: Events,
    act: Activity,
    *,
    recordings: Sequence[str | os.PathLike[str]],
    common_names: Sequence[str],
    root: str | os.PathLike[str] | None = None,
) -> Path:
    """One row per event (:data:`EVENT_COLUMNS`); returns the file.

    Parameters
    ----------
    events
        From :func:`~audioclass_gui.review.events.group_events`.
    act
        The deployment's clock and sites (:func:`~audioclass_gui.review.activity.activity`).
    recordings
        The session's recording paths (``events.recording`` indexes them).
    common_names
        Per species of ``act.species``, its common name ("" unknown).
    root
        Recording paths are written relative to it (when inside it).
    """
    base = None if root is None else Path(root).absolute()
    paths = table([_quoted(_shown(p, base)) for p in recordings])
    sites = table([_quoted(s) for s in act.sites])
    scientific = table([_quoted(s) for s in act.species])
    common = table([_quoted(c) for c in common_names])
    offsets = table(act.clock.offset)
    comma = pa.array([","] * 1, pa.string())
    with atomic_write_path(path) as tmp, open(tmp, "wb") as out:
        out.write((",".join(EVENT_COLUMNS) + "\n").encode())
        for a in range(0, len(events), _CHUNK):
            b = min(a + _CHUNK, len(events))
            rec = events.recording[a:b]
            n = b - a
            sep = pa.repeat(comma[0], n) if n else comma[:0]
            clock = act.clock.start[rec] + events.start[a:b]
            dated = ~np.isnan(clock)
            # utc_time writes the wall time with "+00:00": swap in the zone.
            wall = Segment(n).utc_time(np.where(dated, clock, 0.0), dated).build()
            wall = pc.utf8_slice_codeunits(wall, 0, 19)
            zone = pc.if_else(pa.array(dated), take(offsets, rec), pa.repeat(pa.scalar(""), n))
            v = events.verdicts[a:b]
            numbers = (
                Segment(n).text(",")
                .number(events.start[a:b], 3, compact=True, point=True).text(",")
                .number(events.end[a:b], 3, compact=True, point=True).text(",")
                .number(events.duration[a:b], 3, compact=True, point=True).text(",")
                .number(events.max_score[a:b], 4).text(",")
                .integer(events.windows[a:b]).text(",")
                .integer(v[:, 1]).text(",").integer(v[:, 2]).text(",")
                .integer(v[:, 3]).text(",").integer(v[:, 0]).text(",")
                .integer(events.relabelled[a:b]).text("\n")
                .build()
            )
            spc = events.species[a:b]
            rows = join([
                take(paths, rec), sep, take(sites, act.site_of[rec]), sep,
                take(scientific, spc), sep, take(common, spc), sep,
                wall, zone, numbers,
            ])
            out.write(text_bytes(rows))
    return Path(path)


def write_event_counts(
    path: str | os.PathLike[str],
    events: Events,
    act: Activity,
    common_names: Sequence[str],
) -> Path:
    """Events (and their windows) per species, site and day; undated events last, date NA."""
    cell = event_cells(act, events)
    n_cells = len(act.recorded) + 1  # the last: no cell
    k = len(act.species)
    flat = events.species.astype(np.int64) * n_cells + np.where(cell < 0, n_cells - 1, cell)
    count = np.bincount(flat, minlength=k * n_cells).reshape(k, n_cells)
    windows = np.bincount(flat, events.windows, minlength=k * n_cells).reshape(k, n_cells)

    def rows():
        for i, j in zip(*np.nonzero(count), strict=True):
            if j < n_cells - 1:
                site, day = act.sites[act.cell_site[j]], act.day(act.cell_day[j]).isoformat()
            else:
                site, day = NA, NA
            yield (act.species[i], common_names[i], site, day, int(count[i, j]),
                   int(windows[i, j]))

    header = ("scientific_name", "common_name", "site", "date", "events", "windows")
    return _write_rows(path, header, rows())


def write_activity_day(
    path: str | os.PathLike[str], act: Activity, common_names: Sequence[str]
) -> Path:
    """Detections and accepted verdicts per species, site and day (non-zero rows)."""
    both = (act.detections > 0) | (act.accepted > 0)

    def rows():
        for i, j in zip(*np.nonzero(both), strict=True):
            yield (act.species[i], common_names[i], act.sites[act.cell_site[j]],
                   act.day(act.cell_day[j]).isoformat(),
                   int(act.detections[i, j]), int(act.accepted[i, j]))

    header = ("scientific_name", "common_name", "site", "date", "detections", "accepted")
    return _write_rows(path, header, rows())


def write_activity_hour(
    path: str | os.PathLike[str], act: Activity, common_names: Sequence[str]
) -> Path:
    """Detections and accepted verdicts per species, site and hour of day (non-zero rows)."""
    det, acc = act.hourly_detections, act.hourly_accepted

    def rows():
        for i, s, h in zip(*np.nonzero((det > 0) | (acc > 0)), strict=True):
            yield (act.species[i], common_names[i], act.sites[s], int(h),
                   int(det[i, s, h]), int(acc[i, s, h]))

    header = ("scientific_name", "common_name", "site", "hour", "detections", "accepted")
    return _write_rows(path, header, rows())


def presence_file_name(scientific_name: str) -> str:
    """A file name for a species' presence table (``Turdus merula`` -> ``Turdus_merula.csv``)."""
    return (re.sub(r"[^\w.-]+", "_", scientific_name).strip("_") or "species") + ".csv"


def write_presence(
    folder: str | os.PathLike[str],
    act: Activity,
    species: Sequence[int] | None = None,
    *,
    accepted_only: bool = False,
) -> list[Path]:
    """One detection history per species: ``site``, then one column per day of 1, 0, NA.

    Read into R with ``y <- as.matrix(read.csv(f, row.names = 1))`` and
    ``unmarked::unmarkedFrameOccu(y = y)``. ``species``: indices into
    ``act.species`` (default: every species detected at least once, or
    accepted at least once with ``accepted_only``).
    """
    counts = act.accepted if accepted_only else act.detections
    if species is None:
        species = np.flatnonzero(counts.sum(axis=1) > 0).tolist()
    header = ("site", *(d.isoformat() for d in act.days()))
    written = []
    for i in species:
        grid = act.presence(int(i), accepted_only=accepted_only)
        rows = (
            (site, *(NA if np.isnan(v) else str(int(v)) for v in grid[s]))
            for s, site in enumerate(act.sites)
        )
        target = Path(folder) / presence_file_name(act.species[int(i)])
        written.append(_write_rows(target, header, rows))
    return written


def write_summary_site_day(path: str | os.PathLike[str], act: Activity) -> Path:
    """Per site and day: hours recorded and analysed, detections, reviewed and its share."""
    total = act.detections.sum(axis=0) if len(act.species) else np.zeros(len(act.recorded))

    def rows():
        for j in range(len(act.recorded)):
            n = int(total[j])
            yield (act.sites[act.cell_site[j]], act.day(act.cell_day[j]).isoformat(),
                   _number(act.recorded[j] / 3600.0, 4), _number(act.analysed[j] / 3600.0, 4),
                   n, int(act.reviewed[j]),
                   _number(act.reviewed[j] / n if n else math.nan, 4))

    header = ("site", "date", "hours_recorded", "hours_analysed", "detections", "reviewed",
              "reviewed_share")
    return _write_rows(path, header, rows())


def write_summary_species(path: str | os.PathLike[str], review: Sequence[SpeciesReview]) -> Path:
    """Per species: detections, verdicts, reviewed share and precision with its interval."""
    rows = (
        (s.scientific_name, s.common_name, s.detections, s.reviewed,
         _number(s.reviewed / s.detections if s.detections else math.nan, 4),
         s.accepted, s.rejected, s.uncertain, s.relabelled,
         _number(s.precision, 4), _number(s.low, 4), _number(s.high, 4))
        for s in review
    )
    header = ("scientific_name", "common_name", "detections", "reviewed", "reviewed_share",
              "accepted", "rejected", "uncertain", "relabelled", "precision",
              "precision_low", "precision_high")
    return _write_rows(path, header, rows)



def _series_columns(series: ActivitySeries) -> tuple[str, str, str]:
    """The chart's species, its site, and the name of what it counts."""
    return (series.species or "all species", series.site or "all sites",
            "accepted" if series.accepted else "detections")


def write_series_day(path: str | os.PathLike[str], series: ActivitySeries) -> Path:
    """One chart's numbers per day: hours recorded and the count, NA on days without audio."""
    species, site, counted = _series_columns(series)
    rows = (
        (day.isoformat(), site, species, _number(hours, 4), NA if math.isnan(n) else int(n))
        for day, hours, n in zip(series.days, series.hours_per_day, series.per_day, strict=True)
    )
    header = ("date", "site", "scientific_name", "hours_recorded", counted)
    return _write_rows(path, header, rows)


def write_series_hour(path: str | os.PathLike[str], series: ActivitySeries) -> Path:
    """One chart's numbers per hour of day (0 = 00:00-01:00): hours recorded and the count."""
    species, site, counted = _series_columns(series)
    missing = series.missing_hours
    rows = (
        (h, site, species, _number(series.hours_per_hour[h], 4),
         NA if missing[h] else int(series.per_hour[h]))
        for h in range(24)
    )
    header = ("hour", "site", "scientific_name", "hours_recorded", counted)
    return _write_rows(path, header, rows)
