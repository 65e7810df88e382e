"""When and where each recording of a deployment was made: clock times and sites.

Reports per day and per hour of day (:mod:`audioclass_gui.review.activity`)
need each recording's start as **clock time**, the time on a watch at the
site. A recording's start comes from its metadata
(:mod:`audioclass_gui.audio.metadata`: GUANO, AudioMoth comment, file
name) as ``Recording.date`` and ``Recording.time``:

* with a time zone (GUANO with an offset, AudioMoth comments): the local
  time as written, in that zone; or, when a ``zone`` is given (say
  ``ZoneInfo("Europe/Berlin")``), converted into it (the offset at the
  recording's start holds for the whole recording). An AudioMoth set to UTC
  writes UTC: give the site's zone to see local hours;
* without a zone (file names): the time as written (the recorder's clock),
  which the reports say (:attr:`RecordingClock.zoned`); or, when the user
  says in which zone the recorders' clocks were set (``written_zone``: an
  AudioMoth names its files in UTC unless told otherwise), taken in that
  zone and converted like the others;
* without a date: the recording has no clock time and is left out of the
  reports per day and hour (counted apart).

Clock times are kept as seconds since 1970-01-01 00:00 *on the clock*
(naive wall time, no zone arithmetic): day ``floor(t / 86400)`` and hour
``floor(t mod 86400 / 3600)`` are then one numpy pass over millions of
detections, and a recording crossing midnight splits its detections
between the two days.

A recording's **site** is its folder relative to the project root
(``site03/`` -> ``"site03"``; a recording in the root itself gets the
root's folder name), which is how field recorders' cards are usually
copied; a mapping from recording path to site overrides it (e.g. GUANO
``Site`` fields, or a sites table).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from audioclass_gui.audio.metadata import format_offset

__all__ = ["DAY", "RecordingClock", "recording_clock", "recording_sites", "zone_from_name", "zone_name"]

#: Seconds in a day.
DAY = 86400.0
_EPOCH = dt.datetime(1970, 1, 1)


@dataclass(frozen=True, eq=False)
class RecordingClock:
    """Each recording's start as clock time (arrays over the session's recordings).

    Attributes
    ----------
    start : numpy.ndarray of float64
        Seconds since 1970-01-01 00:00 clock time; nan without a start.
    duration : numpy.ndarray of float64
        Seconds of audio.
    zoned : numpy.ndarray of bool
        The start's time zone is known (clock time is local time there).
    offset : list of str
        The zone as ISO text (``"+02:00"``; ``""`` without a zone).
    zone_name : str
        The zone every zoned start was converted into ("" when each keeps
        its own).
    assumed : numpy.ndarray of bool
        Starts written without a zone that were taken in the ``written_zone``
        the user gave.
    written_name : str
        That zone's name ("" when none was given).
    """

    start: np.ndarray
    duration: np.ndarray
    zoned: np.ndarray
    offset: list[str]
    zone_name: str = ""
    assumed: np.ndarray | None = None
    written_name: str = ""

    @property
    def dated(self) -> np.ndarray:
        """Recordings with a start time."""
        return ~np.isnan(self.start)

    def __len__(self) -> int:
        return len(self.start)


def _offset_text(moment: dt.datetime) -> str:
    """The UTC offset as ISO 8601 text (``"+02:00"``), "" for a naive time."""
    return format_offset(moment).removeprefix("UTC")


def recording_clock(
    recordings: Sequence[Any],
    zone: dt.tzinfo | None = None,
    written_zone: dt.tzinfo | None = None,
) -> RecordingClock:
    """Clock times of recordings (``soundevent.data.Recording`` or alike).

    Parameters
    ----------
    recordings
        Objects with ``date``, ``time`` (maybe time-zone aware) and
        ``duration``.
    zone
        Convert starts with a known zone into this one; None keeps each
        recording's own zone.
    written_zone
        The zone starts written without one are in (the recorders' clocks);
        None takes them as written, on no zone.
    """
    n = len(recordings)
    start = np.full(n, np.nan)
    duration = np.zeros(n)
    zoned = np.zeros(n, bool)
    assumed = np.zeros(n, bool)
    offset = [""] * n
    for i, rec in enumerate(recordings):
        duration[i] = float(getattr(rec, "duration", 0.0) or 0.0)
        date = getattr(rec, "date", None)
        if date is None:
            continue
        clock = getattr(rec, "time", None) or dt.time(0, 0)
        moment = dt.datetime.combine(date, clock)
        if written_zone is not None and (moment.tzinfo is None or moment.utcoffset() is None):
            moment = moment.replace(tzinfo=written_zone)
            assumed[i] = True
        if moment.tzinfo is not None and moment.utcoffset() is not None:
            if zone is not None:
                moment = moment.astimezone(zone)
            zoned[i] = True
            offset[i] = _offset_text(moment)
        start[i] = (moment.replace(tzinfo=None) - _EPOCH).total_seconds()
    return RecordingClock(
        start, duration, zoned, offset, zone_name(zone), assumed, zone_name(written_zone)
    )


def zone_from_name(name: str | None) -> dt.tzinfo | None:
    """The zone of an IANA name ("Europe/Berlin", "UTC"); None for "" or None.

    Raises
    ------
    ValueError
        If there is no such zone, with the name in the message.
    """
    if not name:
        return None
    if name.strip().upper() == "UTC":
        return dt.UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r} (give an IANA name such as Europe/Berlin or America/New_York)"
        ) from exc


def zone_name(zone: dt.tzinfo | None) -> str:
    """A zone's name for people: the IANA key ("Europe/Berlin"), "UTC", else its ``str``."""
    if zone is None:
        return ""
    key = getattr(zone, "key", None)
    if key:
        return str(key)
    return "UTC" if zone is dt.UTC else str(zone)


def recording_sites(
    recordings: Sequence[Any],
    root: str | os.PathLike[str] | None = None,
    sites: Mapping[str, str] | None = None,
) -> tuple[list[str], np.ndarray]:
    """Each recording's site: its folder relative to ``root``, unless ``sites`` says.

    Parameters
    ----------
    recordings
        Objects with a ``path``.
    root
        The project's folder; None: the folders' common parent.
    sites
        Recording path (as given, or absolute) -> site name, overriding
        the folder.

    Returns
    -------
    (names, site_of)
        The sites sorted by name, and per recording the index of its site.
    """
    folders = [Path(r.path).absolute().parent for r in recordings]
    if root is None and folders:
        root = os.path.commonpath([str(f) for f in folders])
    base = Path(root).absolute() if root is not None else Path.cwd()
    given = {str(Path(k).absolute()): v for k, v in (sites or {}).items()}
    names = []
    for rec, folder in zip(recordings, folders, strict=True):
        named = given.get(str(Path(rec.path).absolute()))
        if named is None:
            try:
                named = folder.relative_to(base).as_posix()
            except ValueError:  # outside the root: the whole folder
                named = folder.as_posix()
            if named in ("", "."):
                named = base.name or base.as_posix()
        names.append(named)
    unique = sorted(set(names))
    at = {name: i for i, name in enumerate(unique)}
    return unique, np.asarray([at[name] for name in names], np.int64)
