"""What one activity chart shows: a species (or all), a site (or all), per day and hour.

:class:`~audioclass_gui.review.activity.Activity` holds every species x
site-day cell of a deployment; a chart shows one slice of it.
:func:`activity_series` takes that slice (detections passing the
thresholds, or accepted verdicts) as numbers per day and per hour of day,
with the audio recorded in each, so that a day or an hour without audio is
told apart from one with audio and nothing in it (``nan``, "NA", not 0).

:func:`recorded_per_hour` spreads each recording's audio over the hours of
the day it covers (its recording schedule), and :func:`clock_note` says in
words which clock the times are on (local time where the recordings give a
time zone, the recorder's clock as written where they do not).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from audioclass_gui.review.activity import Activity
from audioclass_gui.review.recording_clock import DAY

__all__ = ["ActivitySeries", "activity_series", "clock_note", "recorded_per_hour"]

_HOUR = 3600.0


@dataclass(frozen=True, eq=False)
class ActivitySeries:
    """One species (or all) at one site (or all): counts per day and per hour of day.

    Attributes
    ----------
    species : str or None
        Scientific name; None: all species together.
    site : str or None
        Site name; None: all sites together.
    accepted : bool
        Counts are accepted verdicts (else detections passing the filter).
    days : list of datetime.date
        Every day of the deployment, first to last.
    per_day : numpy.ndarray of float64
        Count per day; nan on days without audio (at the chosen sites).
    hours_per_day : numpy.ndarray of float64
        Hours of audio recorded per day.
    per_hour : numpy.ndarray of int64
        Count per hour of day (0 = 00:00-01:00), over the whole deployment.
    hours_per_hour : numpy.ndarray of float64
        Hours of audio recorded in each hour of day, over the whole deployment.
    """

    species: str | None
    site: str | None
    accepted: bool
    days: list[dt.date]
    per_day: np.ndarray
    hours_per_day: np.ndarray
    per_hour: np.ndarray
    hours_per_hour: np.ndarray

    @property
    def total(self) -> int:
        """Everything counted (the sum over the hours of day)."""
        return int(self.per_hour.sum())

    @property
    def missing_days(self) -> np.ndarray:
        """Days without audio (bool per day)."""
        return np.isnan(self.per_day)

    @property
    def missing_hours(self) -> np.ndarray:
        """Hours of day never recorded (bool per hour)."""
        return (self.hours_per_hour <= 0) & (self.per_hour == 0)


def recorded_per_hour(act: Activity) -> np.ndarray:
    """Seconds of audio per site and hour of day: ``(sites, 24)``.

    A recording from 05:40 to 06:10 gives 20 min to hour 5 and 10 min to
    hour 6; one longer than a day covers every hour once per day.
    Recordings without a start time are left out.
    """
    clock = act.clock
    dated = np.flatnonzero(clock.dated & (clock.duration > 0))
    out = np.zeros((len(act.sites), 24))
    if not len(dated):
        return out
    start = np.mod(clock.start[dated], DAY)[:, None]
    stop = start + clock.duration[dated][:, None]
    lows = np.arange(24)[None, :] * _HOUR

    def covered(x: np.ndarray) -> np.ndarray:
        """Seconds of ``[0, x)`` falling in each hour of day (``x`` may span days)."""
        whole, rest = np.divmod(x, DAY)
        return whole * _HOUR + np.clip(rest - lows, 0.0, _HOUR)

    seconds = covered(stop) - covered(start)
    site = act.site_of[dated]
    for hour in range(24):
        out[:, hour] = np.bincount(site, seconds[:, hour], minlength=len(act.sites))
    return out


def _index(names: list[str], name: int | str | None, what: str) -> int | None:
    if name is None or isinstance(name, (int, np.integer)):
        return None if name is None else int(name)
    try:
        return names.index(name)
    except ValueError:
        raise KeyError(f"no {what} {name!r} in this project") from None


def activity_series(
    act: Activity,
    species: int | str | None = None,
    site: int | str | None = None,
    *,
    accepted: bool = False,
    hour_seconds: np.ndarray | None = None,
) -> ActivitySeries:
    """The counts a chart shows for one species (or all) at one site (or all).

    Parameters
    ----------
    act
        The deployment's activity (:func:`~audioclass_gui.review.activity.activity`).
    species, site
        By name or index; None: all together.
    accepted
        Count accepted verdicts instead of detections passing the filter.
    hour_seconds
        :func:`recorded_per_hour` of ``act`` when known already.

    Raises
    ------
    KeyError
        For a species or site not in ``act``.
    """
    k = _index(act.species, species, "species")
    s = _index(act.sites, site, "site")
    counts = act.accepted if accepted else act.detections
    per_cell = counts.sum(axis=0) if k is None else counts[k]
    hourly = act.hourly_accepted if accepted else act.hourly_detections
    hourly = hourly.sum(axis=0) if k is None else hourly[k]
    if hour_seconds is None:
        hour_seconds = recorded_per_hour(act)
    cells = np.ones(len(act.cell_site), bool) if s is None else act.cell_site == s
    day = act.cell_day[cells]
    per_day = np.bincount(day, per_cell[cells], minlength=act.n_days).astype(np.float64)
    recorded = np.bincount(day, act.recorded[cells], minlength=act.n_days)
    per_day[(recorded <= 0) & (per_day == 0)] = np.nan
    per_hour = hourly.sum(axis=0) if s is None else hourly[s]
    hour_rec = hour_seconds.sum(axis=0) if s is None else hour_seconds[s]
    return ActivitySeries(
        species=None if k is None else act.species[k],
        site=None if s is None else act.sites[s],
        accepted=accepted,
        days=act.days() if act.first_day is not None else [],
        per_day=per_day,
        hours_per_day=recorded / _HOUR,
        per_hour=np.asarray(per_hour, np.int64),
        hours_per_hour=np.asarray(hour_rec, np.float64) / _HOUR,
    )


def clock_note(act: Activity, site: int | str | None = None) -> str:
    """Which clock the charts' times are on, and what they leave out, in words.

    Local time where the recordings give a time zone (with the UTC
    offsets seen); the recorder's clock as written where they do not
    (file names), which is local time or UTC as the recorder was set.
    """
    s = _index(act.sites, site, "site")
    chosen = np.ones(len(act.site_of), bool) if s is None else act.site_of == s
    clock = act.clock
    dated = chosen & clock.dated
    n = int(dated.sum())
    zoned = dated & clock.zoned
    n_zoned = int(zoned.sum())
    offsets = sorted({clock.offset[i] for i in np.flatnonzero(zoned)})
    shown = " and ".join(f"UTC{o}" for o in offsets)
    assumed = dated & clock.assumed if clock.assumed is not None else np.zeros_like(dated)
    n_assumed = int(assumed.sum())
    where = (
        f"in {clock.zone_name} ({shown})" if clock.zone_name
        else f"local clock time at the recorders ({shown})"
    )
    if n == 0:
        words = "No recording has a start time, so nothing can be placed in time."
    elif n_zoned == n:
        words = f"Times are {where}."
        if n_assumed:
            words += (
                f" {n_assumed} of {n} recordings give no time zone: their recorders' clocks "
                f"were taken to be on {clock.written_name}, as chosen."
            )
        else:
            words = words[:-1] + ", from the recordings' metadata."
    elif n_zoned == 0:
        words = (
            "Times are the recorders' clocks as written in the recordings (no time zone "
            "given): local time if the recorders were set to it, UTC if they were set to UTC."
        )
    else:
        words = (
            f"Times are {where} for the {n_zoned} of {n} recordings that give a time "
            f"zone; for the others, the recorder's clock as written."
        )
    undated = int((chosen & ~clock.dated).sum())
    if undated:
        words += (
            f" {undated} recording{'s' if undated != 1 else ''} without a start time "
            f"{'are' if undated != 1 else 'is'} left out."
        )
    return words
