"""Recordings' header facts kept in the journal: a reopen stats files, it does not open them.

Opening a project needs each recording's length, sample rate, channels,
start time and place. Reading them (:func:`~audioclass_gui.audio.info.read_info`)
opens a file four times and seeks to its end: about a millisecond per file
from the page cache, and far more from a spinning disk or a network share,
so 2,000 recordings cost seconds at every open. The facts are therefore
kept with the recording's fingerprint (the ``info`` of its ``fingerprint``
journal record, see :mod:`audioclass_gui.project.fingerprint`), and used
again as long as the file's :class:`StatKey` is the one recorded with them:

* its size,
* its modification time, in nanoseconds,
* its status-change time (``st_ctime_ns``) on POSIX systems.

A file whose key differs is read again (and fingerprinted again, so a
replaced file is still found to have changed).

What can and cannot be noticed
------------------------------
* Replaced or rewritten (another size, or a new modification time): read
  again; found changed when its fingerprint differs.
* Rewritten with the same size and its modification time put back (``touch
  -d``, ``cp -p``, ``rsync -t``): on Linux and macOS setting a modification
  time changes the status-change time, which the system sets and no program
  can put back, so the file is read again. Not on Windows (there
  ``st_ctime`` is the creation time) nor on file systems without a
  status-change time: there such a file keeps its old facts and fingerprint
  until its size or modification time change.
* A change within the same clock tick (a few milliseconds) as the time the
  facts were recorded, with size and times unchanged, cannot be seen.

A recording whose status-change time alone changed (permissions, a hard
link, a copy of the whole project to another disk) is read again once: the
cost of the first open, not a wrong answer.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audioclass_gui.audio.info import read_info, to_recording

if TYPE_CHECKING:
    from soundevent import data

__all__ = [
    "FACTS_VERSION",
    "StatKey",
    "header_facts",
    "read_header",
    "recording_from_facts",
    "stat_key",
]

#: Version of the facts' layout; facts of another version are read again.
FACTS_VERSION = 1


@dataclass(frozen=True, slots=True)
class StatKey:
    """What says a file is still the one read: size, modification and status-change times.

    Attributes
    ----------
    size
        Bytes.
    mtime
        Modification time in seconds (``st_mtime``, as older journal
        records hold it).
    mtime_ns
        Modification time, nanoseconds since the epoch.
    ctime_ns
        Status-change time (POSIX), nanoseconds; None where the system has
        none (Windows).
    """

    size: int
    mtime: float
    mtime_ns: int
    ctime_ns: int | None


def stat_key(st: os.stat_result) -> StatKey:
    """The :class:`StatKey` of a ``stat`` result.

    Parameters
    ----------
    st
        From :func:`os.stat`.
    """
    ctime = None if os.name == "nt" else st.st_ctime_ns
    return StatKey(st.st_size, st.st_mtime, st.st_mtime_ns, ctime)


def header_facts(recording: data.Recording, warnings: tuple[str, ...]) -> dict[str, Any]:
    """What a project needs of a recording's header, as a JSON object.

    Parameters
    ----------
    recording
        From :func:`~audioclass_gui.audio.info.to_recording`.
    warnings
        Problems found in the file that leave it usable (said at each open).

    Returns
    -------
    dict
        ``v`` (:data:`FACTS_VERSION`), ``duration``, ``samplerate``,
        ``channels``, ``te``, and ``date``, ``time``, ``lat``, ``lon``,
        ``warnings`` when known.
    """
    facts: dict[str, Any] = {
        "v": FACTS_VERSION,
        "duration": recording.duration,
        "samplerate": recording.samplerate,
        "channels": recording.channels,
        "te": recording.time_expansion,
    }
    if recording.date is not None:
        facts["date"] = recording.date.isoformat()
    if recording.time is not None:
        facts["time"] = recording.time.isoformat()
    if recording.latitude is not None:
        facts["lat"] = recording.latitude
    if recording.longitude is not None:
        facts["lon"] = recording.longitude
    if warnings:
        facts["warnings"] = list(warnings)
    return facts


def recording_from_facts(
    path: str | os.PathLike[str], facts: Mapping[str, Any]
) -> tuple[data.Recording, tuple[str, ...]] | None:
    """The recording that :func:`header_facts` describes, without opening the file.

    Parameters
    ----------
    path
        The recording's absolute path now.
    facts
        From :func:`header_facts` (read back from the journal).

    Returns
    -------
    tuple or None
        The ``Recording`` and its warnings; None when the facts are of
        another version or cannot be read (the file is then read).
    """
    from soundevent import data

    if facts.get("v") != FACTS_VERSION:
        return None
    try:
        date = facts.get("date")
        time = facts.get("time")
        recording = data.Recording(
            path=Path(path),
            duration=float(facts["duration"]),
            channels=int(facts["channels"]),
            samplerate=int(facts["samplerate"]),
            time_expansion=float(facts["te"]),
            date=None if date is None else dt.date.fromisoformat(date),
            time=None if time is None else dt.time.fromisoformat(time),
            latitude=facts.get("lat"),
            longitude=facts.get("lon"),
        )
    except (KeyError, TypeError, ValueError):
        return None
    return recording, tuple(str(w) for w in facts.get("warnings", ()))


def read_header(
    path: str | os.PathLike[str],
) -> tuple[data.Recording, tuple[str, ...], dict[str, Any]]:
    """Read a recording's header (the file is opened): what :func:`header_facts` keeps.

    Parameters
    ----------
    path
        The audio file.

    Returns
    -------
    tuple
        The ``Recording``, its warnings and its facts (:func:`header_facts`).

    Raises
    ------
    AudioFileError
        If the file is missing or not audio.
    """
    info = read_info(path)
    recording = to_recording(info)
    warnings = tuple(info.warnings)
    return recording, warnings, header_facts(recording, warnings)
