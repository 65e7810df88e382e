"""How the verdicts of vocal events stand, for reviewing events instead of windows.

:func:`~audioclass_gui.review.events.group_events` makes events once (a
sort of the listed rows); reviewing them changes only their windows'
verdicts. :func:`recount` gives the events their windows' verdicts as they
are now, in one numpy pass over the events' rows, without grouping again,
so a keystroke on a 1,000-window chorus costs a bincount, not a sort.

:func:`event_status` says how an event reads as a whole: the status all its
windows share, or :data:`MIXED` when they differ (an event partly reviewed,
or whose windows were judged differently). :class:`EventIndex` finds the
event a detection belongs to (a click on one of its windows selects it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.detection import STATUS_ORDER

if TYPE_CHECKING:
    from collections.abc import Sequence

    from audioclass_gui.review.events import Events
    from audioclass_gui.review.session import ReviewSession

__all__ = ["MIXED", "EventIndex", "event_label", "event_status", "recount"]

#: The status code of an event whose windows do not all have one status.
MIXED = -1


def recount(session: ReviewSession, events: Events, which: np.ndarray | None = None) -> Events:
    """``events`` with their windows' verdicts and relabels as the session has them now.

    Parameters
    ----------
    session
        The session the events were grouped from (its rows unchanged since:
        group again after detections are added or cleared).
    events
        From :func:`~audioclass_gui.review.events.group_events`.
    which
        Only these events changed: their counts are written **in place**
        into ``events`` (which is returned), in time proportional to their
        windows, not to all events. None: every event, into a new ``Events``.

    Returns
    -------
    Events
        The events with fresh ``verdicts`` and ``relabelled``.
    """
    cols = session.columns()
    n_status = len(STATUS_ORDER)
    if which is None:
        picked, rows, lengths = np.arange(len(events)), events.rows, events.windows
    else:
        picked = np.asarray(which, np.int64)
        lengths = events.windows[picked]
        starts = events.offsets[picked]
        # Each picked event's rows, one after another, without a loop.
        within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        rows = events.rows[np.repeat(starts, lengths) + within]
    n = len(picked)
    if not n:
        return events
    event_of = np.repeat(np.arange(n), lengths)
    status = cols.status[rows].astype(np.int64)
    verdicts = np.bincount(event_of * n_status + status, minlength=n * n_status).reshape(n, n_status)
    label, species = cols.label[rows], cols.species[rows]
    relabelled = np.bincount(
        event_of, weights=(label >= 0) & (label != species), minlength=n
    ).astype(np.int64)
    if which is None:
        return replace(events, verdicts=verdicts, relabelled=relabelled)
    events.verdicts[picked] = verdicts
    events.relabelled[picked] = relabelled
    return events


def event_status(events: Events, which: np.ndarray | None = None) -> np.ndarray:
    """Per event (or per event of ``which``), the status code its windows share
    (see ``STATUS_ORDER``), else :data:`MIXED`.

    An event of three windows of which one is accepted is mixed: it still
    has windows to review, and a verdict on the event would change one.
    """
    verdicts, windows = events.verdicts, events.windows
    if which is not None:
        verdicts, windows = verdicts[which], windows[which]
    if not len(windows):
        return np.empty(0, np.int64)
    full = verdicts == windows[:, None]
    return np.where(full.any(axis=1), full.argmax(axis=1), MIXED)


def event_label(session: ReviewSession, events: Events, event: int) -> str | None:
    """The species all windows of an event are relabelled to, else None.

    None also when only some windows are relabelled, or to different species.
    """
    cols = session.columns()
    rows = events.rows[events.offsets[event] : events.offsets[event + 1]]
    labels = np.unique(cols.label[rows])
    if len(labels) != 1 or labels[0] < 0 or labels[0] == events.species[event]:
        return None
    return session.species_list()[int(labels[0])]


class EventIndex:
    """Finds the event holding a detection.

    Parameters
    ----------
    events
        The events (their ``rows`` and ``offsets``).
    """

    def __init__(self, events: Events) -> None:
        self._first_id = events.first_id
        order = np.argsort(events.rows, kind="stable")
        self._rows = events.rows[order]
        self._event = np.repeat(np.arange(len(events)), events.windows)[order]

    def event_of(self, detection_id: int) -> int | None:
        """The event holding ``detection_id``, or None when no event does."""
        found = int(self.events_of([detection_id])[0])
        return None if found < 0 else found

    def events_of(self, detection_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The event holding each detection (-1 where none does), in one search."""
        rows = np.asarray(detection_ids, np.int64) - self._first_id
        at = np.searchsorted(self._rows, rows)
        inside = at < len(self._rows)
        hit = np.zeros(len(rows), bool)
        hit[inside] = self._rows[at[inside]] == rows[inside]
        out = np.full(len(rows), -1, np.int64)
        out[hit] = self._event[at[hit]]
        return out
