"""Checklists of a deployment: species per site and day, with effort and the best example.

A birder's checklist is one place and one day: the species found, how
many, when the watch started and how long it lasted. From an unattended
recorder that is, per **site** (the recordings' folder, see
:func:`~audioclass_gui.review.recording_clock.recording_sites`) and
**date** (clock time, see :mod:`~audioclass_gui.review.recording_clock`):

* the **effort**: the first moment of audio that day (a recording that
  started the evening before and runs past midnight starts the day at
  00:00) and the seconds of audio recorded that day, the union of the
  site's recordings (two recorders at one site running at once count
  once), split at midnight;
* per species, the **vocal events** (:func:`~audioclass_gui.review.events.group_events`:
  windows of one species that touch, overlap or follow within ``gap``)
  and the detections in them, the first and last clock time and the
  highest score; an event that runs past midnight is on both days'
  checklists;
* per species, the **best example**: the accepted detection with the
  highest score (the earliest of equal ones), to hand on with its clip.

What counts (:data:`SOURCES`):

``accepted``
    Detections the reviewer accepted, whatever their score (a verdict is
    the reviewer's word). A detection relabelled to another species
    counts under the new species, as one event of its own (events are
    made of windows of the predicted species).
``detections``
    Detections passing ``filter`` (the score threshold and per-species
    thresholds) that the reviewer did not reject nor relabel away, plus
    detections accepted as another species.

Best examples are always accepted detections: an observation handed on
with a clip should be one the reviewer has listened to. Everything is a
few numpy passes over the rows that count; recordings without a start
time cannot be placed on a date and are counted apart.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.detection import STATUS_CODE, Status
from audioclass_gui.review.events import group_events
from audioclass_gui.review.query import DetectionFilter
from audioclass_gui.review.recording_clock import (
    DAY,
    RecordingClock,
    recording_clock,
    recording_sites,
)

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = [
    "SOURCES",
    "BestExample",
    "Checklists",
    "SiteDay",
    "SpeciesDay",
    "clock_datetime",
    "make_checklists",
]

#: What a checklist's species can come from.
SOURCES = ("accepted", "detections")
_EPOCH = dt.datetime(1970, 1, 1)
_ACCEPTED = STATUS_CODE[Status.ACCEPTED]


def clock_datetime(seconds: float) -> dt.datetime:
    """Clock seconds since 1970-01-01 (naive wall time) as a naive datetime."""
    return _EPOCH + dt.timedelta(seconds=float(seconds))


def _datetimes(seconds: np.ndarray) -> list[dt.datetime]:
    """:func:`clock_datetime` of many, to the microsecond, in one numpy pass."""
    return np.rint(seconds * 1e6).astype("datetime64[us]").tolist()


@dataclass(frozen=True, slots=True)
class SiteDay:
    """One site on one date: the effort of a checklist.

    Attributes
    ----------
    site : str
    date : datetime.date
    start : datetime.datetime
        Clock time of the first audio that day (naive wall time).
    audio_seconds : float
        Seconds of audio recorded at the site that day (recordings that
        overlap count once).
    recordings : int
        Recordings with audio that day.
    zoned : bool
        Every such recording gives its time zone (else some times are the
        recorder's clock as written).
    """

    site: str
    date: dt.date
    start: dt.datetime
    audio_seconds: float
    recordings: int
    zoned: bool


@dataclass(frozen=True, slots=True)
class SpeciesDay:
    """One species on one checklist.

    Attributes
    ----------
    site : str
    date : datetime.date
    scientific_name, common_name : str
    events : int
        Vocal events heard that day (one across midnight counts on both days).
    detections : int
        Detections (windows) in them.
    accepted : int
        Of those, detections the reviewer accepted (as this species).
    first, last : datetime.datetime
        Clock time of the first event's start and the last event's end.
    max_score : float
    """

    site: str
    date: dt.date
    scientific_name: str
    common_name: str
    events: int
    detections: int
    accepted: int
    first: dt.datetime
    last: dt.datetime
    max_score: float


@dataclass(frozen=True, slots=True)
class BestExample:
    """The accepted detection with the highest score of a species, site and date.

    Attributes
    ----------
    site : str
    date : datetime.date
    scientific_name : str
        The species the reviewer gave (the relabel, else the prediction).
    detection : int
        Its id.
    recording : str
        The recording's path.
    start, end : float
        The detection's span in seconds from the recording's start.
    score : float
    clock : datetime.datetime
        Clock time of its start (naive wall time).
    offset : str
        The recording's UTC offset as ISO text (``"+02:00"``), ``""`` when unknown.
    """

    site: str
    date: dt.date
    scientific_name: str
    detection: int
    recording: str
    start: float
    end: float
    score: float
    clock: dt.datetime
    offset: str


@dataclass(frozen=True)
class Checklists:
    """Every checklist of a deployment (see the module docstring).

    Attributes
    ----------
    source : str
        What counted (:data:`SOURCES`).
    gap : float
        The events' gap tolerance in seconds.
    sites : list of str
        Every site (also those without a checklist).
    site_of : numpy.ndarray of int64
        Per recording, the index of its site.
    site_days : list of SiteDay
        Every site and date with audio, by site then date.
    species : list of SpeciesDay
        By site, date and scientific name.
    best : list of BestExample
        By site, date and scientific name.
    undated_recordings : int
        Recordings without a start time (left out).
    undated_detections : int
        Detections that counted, in those recordings.
    naive_recordings : int
        Dated recordings without a time zone (clock as written).
    """

    source: str
    gap: float
    sites: list[str]
    site_of: np.ndarray
    site_days: list[SiteDay]
    species: list[SpeciesDay]
    best: list[BestExample]
    undated_recordings: int
    undated_detections: int
    naive_recordings: int

    def site_day(self, site: str, date: dt.date) -> SiteDay | None:
        """The effort of ``site`` on ``date`` (None: no audio then)."""
        for day in self.site_days:
            if day.site == site and day.date == date:
                return day
        return None


def _effort(clock: RecordingClock, site_of: np.ndarray, sites: list[str]) -> list[SiteDay]:
    """Per site and date: the union of the site's recordings, split at midnight."""
    by_site: dict[int, list[tuple[float, float, int]]] = {}
    for i in np.flatnonzero(clock.dated & (clock.duration > 0)).tolist():
        start = float(clock.start[i])
        by_site.setdefault(int(site_of[i]), []).append((start, start + float(clock.duration[i]), i))
    out: list[SiteDay] = []
    for site in sorted(by_site):
        spans = sorted(by_site[site])
        days: dict[int, list] = {}  # day -> [first start, seconds, recordings, zoned]
        covered = -np.inf  # end of the union so far
        for start, stop, rec in spans:
            lo = max(start, covered)
            t = start
            while t < stop:
                day = int(t // DAY)
                upto = min(stop, (day + 1) * DAY)
                cell = days.setdefault(day, [t, 0.0, 0, True])
                cell[0] = min(cell[0], t)
                cell[1] += max(0.0, upto - max(t, lo))
                cell[2] += 1
                cell[3] = cell[3] and bool(clock.zoned[rec])
                t = upto
            covered = max(covered, stop)
        for day in sorted(days):
            first, seconds, n, zoned = days[day]
            moment = clock_datetime(first)
            out.append(SiteDay(sites[site], moment.date(), moment, seconds, n, zoned))
    return out


def _counted_filter(source: str, filter: DetectionFilter | None) -> DetectionFilter:
    if source == "accepted":
        return DetectionFilter(min_score=-np.inf, statuses={Status.ACCEPTED}, relabelled=False)
    base = filter or DetectionFilter()
    return base.replace(
        statuses={Status.UNREVIEWED, Status.ACCEPTED, Status.UNCERTAIN}, relabelled=False
    )


def _relabelled_accepted(session: ReviewSession) -> np.ndarray:
    """Rows accepted as a species other than the predicted one."""
    cols = session.columns()
    judged = session.verdict_book.judged_rows()
    label = cols.label[judged]
    keep = (cols.status[judged] == _ACCEPTED) & (label >= 0) & (label != cols.species[judged])
    return judged[keep]


def make_checklists(
    session: ReviewSession,
    source: str = "accepted",
    *,
    filter: DetectionFilter | None = None,
    gap: float = 0.0,
    root: str | os.PathLike[str] | None = None,
    sites: Mapping[str, str] | None = None,
    zone: dt.tzinfo | None = None,
    written_zone: dt.tzinfo | None = None,
) -> Checklists:
    """Checklists per site and date from the session's detections and verdicts.

    Parameters
    ----------
    session
        The detections, verdicts and recordings.
    source
        ``"accepted"`` or ``"detections"`` (see the module docstring).
    filter
        With ``"detections"``: which detections count (threshold,
        per-species thresholds); None: all.
    gap
        Seconds allowed between detections of one vocal event.
    root, sites, zone, written_zone
        Sites and clock times as for
        :func:`~audioclass_gui.review.activity.activity`.

    Raises
    ------
    ValueError
        For an unknown source or a negative gap.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r} (choose from {', '.join(SOURCES)})")
    recs = session.recordings
    clock = recording_clock(recs, zone, written_zone)
    site_names, site_of = recording_sites(recs, root, sites)
    names = session.species_list()
    cols = session.columns()

    events = group_events(session, gap, _counted_filter(source, filter))
    extra = _relabelled_accepted(session)
    # One list of events: (recording, species, start, end, max score, windows, accepted).
    rec = np.r_[events.recording, cols.recording[extra]].astype(np.int64)
    spc = np.r_[events.species, cols.label[extra]].astype(np.int64)
    start = np.r_[events.start, cols.start[extra]]
    end = np.r_[events.end, cols.end[extra]]
    score = np.r_[events.max_score, cols.score[extra]]
    windows = np.r_[events.windows, np.ones(len(extra), np.int64)]
    accepted = np.r_[events.count(Status.ACCEPTED), np.ones(len(extra), np.int64)]

    t0 = clock.start[rec] + start
    dated = ~np.isnan(t0)
    undated_detections = int(windows[~dated].sum())
    species_days = _species_days(
        site_of[rec[dated]], spc[dated], t0[dated], (clock.start[rec] + end)[dated],
        score[dated], windows[dated], accepted[dated], site_names, names, session,
    )
    return Checklists(
        source=source,
        gap=float(gap),
        sites=site_names,
        site_of=site_of,
        site_days=_effort(clock, site_of, site_names),
        species=species_days,
        best=_best_examples(session, clock, site_of, site_names),
        undated_recordings=int((~clock.dated).sum()),
        undated_detections=undated_detections,
        naive_recordings=int((clock.dated & ~clock.zoned).sum()),
    )


def _species_days(
    site: np.ndarray, spc: np.ndarray, t0: np.ndarray, t1: np.ndarray, score: np.ndarray,
    windows: np.ndarray, accepted: np.ndarray, site_names: list[str], names: list[str],
    session: ReviewSession,
) -> list[SpeciesDay]:
    """Events summed per site, day and species; an event across midnight is on both days."""
    if not len(t0):
        return []
    day = np.floor(t0 / DAY).astype(np.int64)
    last_day = np.maximum(day, np.ceil(t1 / DAY).astype(np.int64) - 1)
    spread = last_day - day + 1
    if (spread > 1).any():  # repeat such events once per day, clipped to it
        at = np.repeat(np.arange(len(t0)), spread)
        day = day[at] + (np.arange(len(at)) - np.repeat(np.cumsum(spread) - spread, spread))
        t0 = np.maximum(t0[at], day * DAY)
        t1 = np.minimum(t1[at], (day + 1) * DAY)
        site, spc, score, windows, accepted = (
            a[at] for a in (site, spc, score, windows, accepted)
        )
    # One sort by (site, day, species); each run of equal keys is a row.
    span = int(day.max() - day.min()) + 1
    key = (site * span + (day - day.min())) * (int(spc.max()) + 1) + spc
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    at = order[starts]
    first = _datetimes(np.minimum.reduceat(t0[order], starts))
    last = _datetimes(np.maximum.reduceat(t1[order], starts))
    best = np.maximum.reduceat(score[order], starts).tolist()
    counts = np.diff(np.r_[starts, len(order)]).tolist()
    detections = np.add.reduceat(windows[order], starts).tolist()
    acc = np.add.reduceat(accepted[order], starts).tolist()
    common = {k: session.common_name(names[k]) for k in np.unique(spc).tolist()}
    out = []
    for g, (s_, k) in enumerate(zip(site[at].tolist(), spc[at].tolist(), strict=True)):
        out.append(
            SpeciesDay(
                site_names[s_], first[g].date(), names[k], common[k], counts[g],
                int(detections[g]), int(acc[g]), first[g], last[g], float(best[g]),
            )
        )
    out.sort(key=lambda s: (s.site, s.date, s.scientific_name))
    return out


def _best_examples(
    session: ReviewSession, clock: RecordingClock, site_of: np.ndarray, site_names: list[str]
) -> list[BestExample]:
    """The highest-scoring accepted detection per site, date and (given) species."""
    cols = session.columns()
    judged = session.verdict_book.judged_rows()
    rows = judged[cols.status[judged] == _ACCEPTED]
    rec = cols.recording[rows].astype(np.int64)
    t0 = clock.start[rec] + cols.start[rows]
    ok = ~np.isnan(t0)
    rows, rec, t0 = rows[ok], rec[ok], t0[ok]
    if not len(rows):
        return []
    label = cols.label[rows]
    spc = np.where(label >= 0, label, cols.species[rows]).astype(np.int64)
    day = np.floor(t0 / DAY).astype(np.int64)
    site = site_of[rec]
    # Best first within each (site, day, species): score down, then id up.
    order = np.lexsort((rows, -cols.score[rows], spc, day, site))
    key = np.stack([site[order], day[order], spc[order]])
    new = np.ones(len(order), bool)
    new[1:] = np.any(key[:, 1:] != key[:, :-1], axis=0)
    names = session.species_list()
    paths = [str(r.path) for r in session.recordings]
    out = []
    for i in order[new].tolist():
        row, r = int(rows[i]), int(rec[i])
        moment = clock_datetime(t0[i])
        out.append(
            BestExample(
                site_names[int(site[i])], moment.date(), names[int(spc[i])],
                row + cols.first_id, paths[r], float(cols.start[row]), float(cols.end[row]),
                float(cols.score[row]), moment, clock.offset[r],
            )
        )
    out.sort(key=lambda b: (b.site, b.date, b.scientific_name))
    return out
