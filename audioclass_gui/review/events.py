"""Vocal events: consecutive or overlapping detections of one species, grouped.

A classifier scores fixed windows (BirdNET: 3 s), so one song of 10 s is
three or four detections and a chorus of an hour is a thousand. Counting
calls, or handing on what was heard, wants the *events*: runs of
detections of the same species in the same recording that touch, overlap
or follow each other within a gap the user sets.

:func:`group_events` does it over the session's columns with numpy, for
millions of detections: the rows passing a filter (the score threshold, per
species thresholds, statuses...) are sorted by recording, species and
start, and a new event begins where the recording or species changes or a
detection starts more than ``gap`` seconds after the latest end of the
event so far (a running maximum, so a long detection holding short ones
keeps them in one event). Times are compared in whole microseconds.

An event is reported with its span, the highest score of its windows, how
many windows it holds, their detection ids and how their verdicts stand
(accepted, rejected, uncertain, unreviewed: the status codes of
:data:`~audioclass_gui.review.detection.STATUS_ORDER`; a relabelled window
counts under its status and again under ``relabelled``). The species is
the predicted one: a window relabelled to another species stays in the
event of its prediction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.detection import STATUS_ORDER, Status

if TYPE_CHECKING:
    from audioclass_gui.review.query import DetectionFilter
    from audioclass_gui.review.session import ReviewSession

__all__ = ["Events", "event_counts", "group_events"]

_MICRO = 1_000_000


@dataclass(frozen=True, eq=False)
class Events:
    """Vocal events as columns (event ``i`` is position ``i`` of every array).

    Attributes
    ----------
    first_id : int
        Id of the session's row 0 (``ids = rows + first_id``).
    recording, species : numpy.ndarray of int32
        Index into the session's recordings and species list.
    start, end : numpy.ndarray of float64
        The event's span in seconds from the recording's start.
    max_score : numpy.ndarray of float64
    windows : numpy.ndarray of int64
        Detections in the event.
    rows : numpy.ndarray of int64
        The events' detection rows one after another: event ``i`` holds
        ``rows[offsets[i]:offsets[i + 1]]`` (in order of start).
    offsets : numpy.ndarray of int64
        ``len(self) + 1`` bounds into :attr:`rows`.
    verdicts : numpy.ndarray of int64
        ``(len(self), 4)`` counts of its windows per status, in the order
        of :data:`STATUS_ORDER` (unreviewed, accepted, rejected, uncertain).
    relabelled : numpy.ndarray of int64
        Windows relabelled to another species.
    gap : float
        The gap tolerance the events were made with, in seconds.
    """

    first_id: int
    recording: np.ndarray
    species: np.ndarray
    start: np.ndarray
    end: np.ndarray
    max_score: np.ndarray
    windows: np.ndarray
    rows: np.ndarray
    offsets: np.ndarray
    verdicts: np.ndarray
    relabelled: np.ndarray
    gap: float

    def __len__(self) -> int:
        return len(self.start)

    def ids(self, event: int) -> np.ndarray:
        """Detection ids of one event, in order of start."""
        return self.rows[self.offsets[event] : self.offsets[event + 1]] + self.first_id

    def count(self, status: Status) -> np.ndarray:
        """Windows per event with this status."""
        return self.verdicts[:, STATUS_ORDER.index(Status(status))]

    @property
    def duration(self) -> np.ndarray:
        """Seconds from each event's start to its end."""
        return self.end - self.start


def _empty(first_id: int, gap: float) -> Events:
    i32, i64, f64 = np.empty(0, np.int32), np.empty(0, np.int64), np.empty(0)
    return Events(
        first_id, i32, i32, f64, f64, f64, i64, i64, np.zeros(1, np.int64),
        np.zeros((0, len(STATUS_ORDER)), np.int64), i64, gap,
    )


def _sorted_rows(session: ReviewSession, rows: np.ndarray) -> np.ndarray:
    """``rows`` ordered by recording, species, start (then row)."""
    cols = session.columns()
    rec = cols.recording[rows].astype(np.int64)
    key = rec * (len(session.species_registry) + 1) + cols.species[rows]
    if session.table.lookup.in_display_order:
        # rows ascending are in (recording, start) order: a stable sort by
        # (recording, species) keeps start in order within each key.
        return rows[np.argsort(key, kind="stable")]
    return rows[np.lexsort((rows, cols.start[rows], key))]


def group_events(
    session: ReviewSession,
    gap: float = 0.0,
    filter: DetectionFilter | None = None,
) -> Events:
    """Group the detections passing ``filter`` into vocal events.

    Parameters
    ----------
    session
        The detections.
    gap
        Seconds that may pass between the end of one detection and the
        start of the next for both to be one event (0: they must touch or
        overlap). Not negative.
    filter
        Which detections count (e.g. ``DetectionFilter(min_score=0.5,
        thresholds={...})``, or ``statuses={Status.ACCEPTED}`` for verified
        events only). None: every detection.

    Returns
    -------
    Events
        Sorted by recording, species and start.

    Raises
    ------
    ValueError
        If ``gap`` is negative or not a number.
    """
    gap = float(gap)
    if not gap >= 0.0:
        raise ValueError(f"the gap between detections of one event must be >= 0 s, not {gap}")
    cols = session.columns()
    rows = np.arange(len(cols.score)) if filter is None else filter.rows(session)
    if not len(rows):
        return _empty(cols.first_id, gap)
    rows = _sorted_rows(session, rows.astype(np.int64))
    rec, spc = cols.recording[rows], cols.species[rows]
    start_us = np.rint(cols.start[rows] * _MICRO).astype(np.int64)
    end_us = np.rint(cols.end[rows] * _MICRO).astype(np.int64)
    end_us = np.maximum(end_us, start_us)
    new_key = np.ones(len(rows), bool)
    new_key[1:] = (rec[1:] != rec[:-1]) | (spc[1:] != spc[:-1])
    # The running maximum of the end within each key: shift every key's
    # times above the previous key's so that one accumulate does all keys.
    low = int(start_us.min())
    width = int(end_us.max()) - low + 1
    key_number = np.cumsum(new_key) - 1
    if width * (int(key_number[-1]) + 1) < 2**62:
        shift = key_number * width - low
        latest = np.maximum.accumulate(end_us + shift) - shift
    else:  # times too far apart for one shifted accumulate: key by key
        latest = end_us.copy()
        bounds = np.r_[np.flatnonzero(new_key), len(rows)]
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            np.maximum.accumulate(latest[a:b], out=latest[a:b])
    new = new_key
    new[1:] |= start_us[1:] > latest[:-1] + int(round(gap * _MICRO))
    first = np.flatnonzero(new)
    offsets = np.r_[first, len(rows)].astype(np.int64)
    windows = np.diff(offsets)
    event_of = np.repeat(np.arange(len(first)), windows)
    n_status = len(STATUS_ORDER)
    status = cols.status[rows].astype(np.int64)
    verdicts = np.bincount(
        event_of * n_status + status, minlength=len(first) * n_status
    ).reshape(len(first), n_status)
    label = cols.label[rows]
    relabelled = np.bincount(
        event_of, weights=(label >= 0) & (label != spc), minlength=len(first)
    ).astype(np.int64)
    return Events(
        first_id=cols.first_id,
        recording=rec[first].astype(np.int32),
        species=spc[first].astype(np.int32),
        start=cols.start[rows][first].astype(np.float64),
        end=np.maximum.reduceat(cols.end[rows], first).astype(np.float64),
        max_score=np.maximum.reduceat(cols.score[rows], first).astype(np.float64),
        windows=windows,
        rows=rows,
        offsets=offsets,
        verdicts=verdicts,
        relabelled=relabelled,
        gap=gap,
    )


def event_counts(
    events: Events, n_species: int, by: np.ndarray | None = None, n_groups: int = 1
) -> np.ndarray:
    """Events per species, or per species and group (recording, site, day...).

    Parameters
    ----------
    events
        From :func:`group_events`.
    n_species
        Number of species in the session's list (the counts' first axis).
    by
        Per event, a group number in ``[0, n_groups)``; None: one group.
        ``events.recording`` (with the number of recordings) counts per
        recording.
    n_groups
        How many groups.

    Returns
    -------
    numpy.ndarray of int64
        ``(n_species,)`` without ``by``, else ``(n_species, n_groups)``.
    """
    if by is None:
        return np.bincount(events.species, minlength=n_species).astype(np.int64)
    by = np.asarray(by, np.int64)
    flat = events.species.astype(np.int64) * n_groups + by
    return np.bincount(flat, minlength=n_species * n_groups).reshape(n_species, n_groups)
