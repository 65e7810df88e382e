"""Activity per species, site, day and hour of day, and presence tables for occupancy.

:func:`activity` counts, in a few numpy passes over the session's columns
(millions of detections), per species:

* detections passing a filter (the score threshold, per-species
  thresholds) and accepted verdicts, per site and day and per site and
  hour of day;
* per site and day the seconds of audio recorded and analysed, and the
  detections with a verdict (the reviewed share).

A detection is placed at the clock time of its start
(:mod:`audioclass_gui.review.recording_clock`: the recording's start plus
the window's offset), so a recording that crosses midnight splits its
detections between two days, and its audio too. Recordings without a start
time cannot be placed; they are counted apart (:attr:`Activity.undated_recordings`).

Accepted verdicts count under the species the reviewer gave (the relabel,
else the prediction), whatever their score: a verdict is the reviewer's
word. Site-days are kept sparse (only those with audio or detections are
cells), so a deployment of many sites and months stays small.

:meth:`Activity.presence` makes the detection history that R's
``unmarked`` reads (``unmarkedFrameOccu(y = ...)``): one row per site, one
column per day from the deployment's first to its last (the occasions),
1 where the species was detected that day, 0 where audio was recorded but
it was not, NA (nan) where no audio was recorded.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.detection import STATUS_CODE, Status
from audioclass_gui.review.recording_clock import (
    DAY,
    RecordingClock,
    recording_clock,
    recording_sites,
)

if TYPE_CHECKING:
    from audioclass_gui.review.query import DetectionFilter
    from audioclass_gui.review.session import ReviewSession

__all__ = ["Activity", "activity", "analysed_recordings"]

_EPOCH = dt.date(1970, 1, 1)
_HOURS = 24


@dataclass(frozen=True, eq=False)
class Activity:
    """A deployment's activity: species x site-day cells, and species x site x hour.

    Attributes
    ----------
    species : list of str
        The session's species list (axis 0 of the species arrays).
    sites : list of str
        Site names (see :func:`~audioclass_gui.review.recording_clock.recording_sites`).
    site_of : numpy.ndarray of int64
        Per recording, its site.
    clock : RecordingClock
        Per recording, its start as clock time.
    first_day : datetime.date or None
        The first day with audio or detections (None: nothing is dated).
    n_days : int
        Days from the first to the last, both included.
    cell_site, cell_day : numpy.ndarray of int64
        The site-days with audio or detections (day counted from
        :attr:`first_day`), sorted by site then day.
    recorded, analysed : numpy.ndarray of float64
        Seconds of audio per cell, and of it those of analysed recordings.
    detections, accepted : numpy.ndarray of int64
        ``(species, cells)``: detections passing the filter; accepted verdicts.
    reviewed : numpy.ndarray of int64
        Per cell, detections passing the filter that have a verdict.
    hourly_detections, hourly_accepted : numpy.ndarray of int64
        ``(species, sites, 24)``: the same per hour of day.
    species_detections : numpy.ndarray of int64
        Detections passing the filter per species, dated or not.
    undated_recordings, undated_detections : int
        Recordings without a start time, and their detections passing the filter.
    """

    species: list[str]
    sites: list[str]
    site_of: np.ndarray
    clock: RecordingClock
    first_day: dt.date | None
    n_days: int
    cell_site: np.ndarray
    cell_day: np.ndarray
    recorded: np.ndarray
    analysed: np.ndarray
    detections: np.ndarray
    accepted: np.ndarray
    reviewed: np.ndarray
    hourly_detections: np.ndarray
    hourly_accepted: np.ndarray
    species_detections: np.ndarray
    undated_recordings: int
    undated_detections: int

    def day(self, index: int) -> dt.date:
        """The date of day ``index`` (0 = :attr:`first_day`)."""
        if self.first_day is None:
            raise ValueError("no recording has a start time")
        return self.first_day + dt.timedelta(days=int(index))

    def days(self) -> list[dt.date]:
        """Every day from the first to the last."""
        return [self.day(i) for i in range(self.n_days)]

    def grid(self, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """Per-cell ``values`` laid out as a ``(sites, days)`` array (``fill`` elsewhere)."""
        out = np.full((len(self.sites), self.n_days), fill, dtype=np.float64)
        out[self.cell_site, self.cell_day] = values
        return out

    def species_index(self, species: int | str) -> int:
        """Position of a species (given by name or index) in :attr:`species`."""
        if isinstance(species, str):
            try:
                return self.species.index(species)
            except ValueError:
                raise KeyError(f"no species {species!r} in this project") from None
        return int(species)

    def presence(self, species: int | str, *, accepted_only: bool = False) -> np.ndarray:
        """Detection history of one species: ``(sites, days)`` of 1, 0 and nan.

        1: detected that day (a detection passing the filter, or with
        ``accepted_only`` an accepted verdict); 0: audio recorded, not
        detected; nan: no audio recorded that day (unmarked's NA).
        """
        counts = (self.accepted if accepted_only else self.detections)[
            self.species_index(species)
        ]
        out = self.grid((counts > 0).astype(np.float64), fill=np.nan)
        silent = (self.recorded <= 0) & (counts == 0)
        out[self.cell_site[silent], self.cell_day[silent]] = np.nan
        return out


def analysed_recordings(session: ReviewSession) -> np.ndarray:
    """Per recording, whether any run has a detection in it (any score).

    A run that found nothing in a recording leaves no detection behind,
    so such a recording counts as not analysed here; pass ``analysed`` to
    :func:`activity` when the runs' own records say otherwise.
    """
    cols = session.columns()
    return np.bincount(cols.recording, minlength=len(session.recordings)) > 0


def _audio_cells(
    clock: RecordingClock, site_of: np.ndarray, analysed: np.ndarray, first: int
) -> dict[tuple[int, int], list[float]]:
    """``{(site, day): [recorded s, analysed s]}``, each recording split at midnights."""
    cells: dict[tuple[int, int], list[float]] = {}
    for i in np.flatnonzero(clock.dated & (clock.duration > 0)):
        t, stop = float(clock.start[i]), float(clock.start[i] + clock.duration[i])
        while t < stop:
            day = int(t // DAY)
            upto = min(stop, (day + 1) * DAY)
            cell = cells.setdefault((int(site_of[i]), day - first), [0.0, 0.0])
            cell[0] += upto - t
            if analysed[i]:
                cell[1] += upto - t
            t = upto
    return cells


def activity(
    session: ReviewSession,
    filter: DetectionFilter | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    sites: Mapping[str, str] | None = None,
    zone: dt.tzinfo | None = None,
    written_zone: dt.tzinfo | None = None,
    analysed: np.ndarray | None = None,
) -> Activity:
    """Count detections and accepted verdicts per species, site, day and hour.

    Parameters
    ----------
    session
        The detections, verdicts and recordings.
    filter
        Which detections count as detections (threshold, per-species
        thresholds...); None: all. Accepted verdicts count regardless.
    root, sites
        How recordings map to sites (see
        :func:`~audioclass_gui.review.recording_clock.recording_sites`).
    zone
        Clock times in this zone where a recording's zone is known (see
        :func:`~audioclass_gui.review.recording_clock.recording_clock`).
    written_zone
        The zone of starts written without one (the recorders' clocks), see
        :func:`~audioclass_gui.review.recording_clock.recording_clock`.
    analysed
        Per recording, whether a model ran over it; default
        :func:`analysed_recordings`.
    """
    cols = session.columns()
    recordings = session.recordings
    names = session.species_list()
    k = len(names)
    clock = recording_clock(recordings, zone, written_zone)
    site_names, site_of = recording_sites(recordings, root, sites)
    n_sites = len(site_names)
    if analysed is None:
        analysed = analysed_recordings(session)
    analysed = np.asarray(analysed, bool)
    mask = np.ones(len(cols.score), bool) if filter is None else filter.mask(session)
    species_detections = np.bincount(cols.species[mask], minlength=k).astype(np.int64)

    judged = session.verdict_book.judged_rows()
    accepted_rows = judged[cols.status[judged] == STATUS_CODE[Status.ACCEPTED]]
    reviewed_rows = judged[
        (cols.status[judged] != STATUS_CODE[Status.UNREVIEWED]) & mask[judged]
    ]
    dated = clock.dated
    rec_dated = dated[cols.recording]
    undated = int(np.count_nonzero(mask & ~rec_dated))
    rows = np.flatnonzero(mask & rec_dated)

    def place(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Site, day (since 1970) and hour of each row's start."""
        rec = cols.recording[rows]
        t = clock.start[rec] + cols.start[rows]
        day = np.floor(t / DAY)
        hour = np.minimum(((t - day * DAY) // 3600.0).astype(np.int64), _HOURS - 1)
        return site_of[rec], day.astype(np.int64), hour

    det_site, det_day, det_hour = place(rows)
    accepted_rows = accepted_rows[rec_dated[accepted_rows]]
    acc_site, acc_day, acc_hour = place(accepted_rows)
    label = cols.label[accepted_rows]
    acc_species = np.where(label >= 0, label, cols.species[accepted_rows]).astype(np.int64)
    reviewed_rows = reviewed_rows[rec_dated[reviewed_rows]]
    rev_site, rev_day, _ = place(reviewed_rows)

    starts = clock.start[dated]
    stops = starts + np.maximum(clock.duration[dated], 0.0)
    bounds = [d for d in (det_day, acc_day) if len(d)]
    if not len(starts):
        first, last = 0, -1
    else:
        first = int(np.floor(starts.min() / DAY))
        last = max(int(np.ceil(stops.max() / DAY)) - 1, int(np.floor(stops.min() / DAY)))
        for d in bounds:
            first, last = min(first, int(d.min())), max(last, int(d.max()))
    n_days = last - first + 1

    audio = _audio_cells(clock, site_of, analysed, first)
    used = np.zeros(n_sites * n_days, bool)
    for site, day in audio:
        used[site * n_days + day] = True
    det_key = det_site * n_days + det_day - first
    acc_key = acc_site * n_days + acc_day - first
    used[det_key] = True
    used[acc_key] = True
    cell_keys = np.flatnonzero(used)
    n_cells = len(cell_keys)
    cell_of = np.full(n_sites * n_days, -1, np.int64)
    cell_of[cell_keys] = np.arange(n_cells)
    recorded = np.zeros(n_cells)
    analysed_s = np.zeros(n_cells)
    for (site, day), (rec_s, ana_s) in audio.items():
        at = cell_of[site * n_days + day]
        recorded[at] += rec_s
        analysed_s[at] += ana_s

    def per_cell(species: np.ndarray, key: np.ndarray) -> np.ndarray:
        flat = species.astype(np.int64) * n_cells + cell_of[key]
        return np.bincount(flat, minlength=k * n_cells).reshape(k, n_cells)

    def per_hour(species: np.ndarray, site: np.ndarray, hour: np.ndarray) -> np.ndarray:
        flat = (species.astype(np.int64) * n_sites + site) * _HOURS + hour
        return np.bincount(flat, minlength=k * n_sites * _HOURS).reshape(k, n_sites, _HOURS)

    det_species = cols.species[rows]
    reviewed = np.bincount(
        cell_of[rev_site * n_days + rev_day - first], minlength=n_cells
    ).astype(np.int64)
    return Activity(
        species=names,
        sites=site_names,
        site_of=site_of,
        clock=clock,
        first_day=_EPOCH + dt.timedelta(days=first) if n_days > 0 else None,
        n_days=max(n_days, 0),
        cell_site=cell_keys // max(n_days, 1),
        cell_day=cell_keys % max(n_days, 1),
        recorded=recorded,
        analysed=analysed_s,
        detections=per_cell(det_species, det_key),
        accepted=per_cell(acc_species, acc_key),
        reviewed=reviewed,
        hourly_detections=per_hour(det_species, det_site, det_hour),
        hourly_accepted=per_hour(acc_species, acc_site, acc_hour),
        species_detections=species_detections,
        undated_recordings=int(np.count_nonzero(~dated)),
        undated_detections=undated,
    )
