"""The vocal events of the detection list: grouped off the GUI thread, recounted per verdict.

Grouping sorts the listed detections (half a second at 500,000 in one
recording), so it runs through the app's tasks (the window's thread pool);
each request carries a generation number and a result that arrives after
the conditions changed again is dropped. Until the new events arrive the
old ones stay (their ids are still the session's), except when detections
were added or cleared: then there are none. Verdicts only recount the
events they touch (:func:`~audioclass_gui.review.event_verdicts.recount`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from psygnal import Signal

from audioclass_gui.review.detection import STATUS_ORDER, Status

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from audioclass_gui.app.model import AppModel
    from audioclass_gui.review.event_verdicts import EventIndex
    from audioclass_gui.review.events import Events
    from audioclass_gui.review.session import ReviewSession

__all__ = ["EventList"]

_OPEN = STATUS_ORDER.index(Status.UNREVIEWED)
#: Events looked at per step when searching for the next open one.
_CHUNK = 4096


class EventList:
    """The events of the list's detections, their index, shared statuses and order.

    Parameters
    ----------
    app
        The app model: the session, the list's conditions, the tasks.
    gap
        Gives the gap tolerance to group with (seconds).

    Signals
    -------
    outdated()
        The list's conditions or detections changed: :attr:`ready` is False
        until :meth:`request` is answered.
    grouped()
        New events are in :attr:`events`.
    verdicts_changed(object)
        Verdicts of these events (an array of indices) changed.
    """

    outdated = Signal()
    grouped = Signal()
    verdicts_changed = Signal(object)

    def __init__(self, app: AppModel, gap: Callable[[], float]) -> None:
        self._app, self._gap = app, gap
        #: The events, or None (none grouped yet, or the detections changed).
        self.events: Events | None = None
        #: Finds the event of a detection.
        self.index: EventIndex | None = None
        #: Per event, the status code its windows share, or ``MIXED``.
        self.codes = np.empty(0, np.int64)
        #: True when :attr:`events` are those of the list's conditions now.
        self.ready = False
        self._pending = False
        self._judged_meanwhile = False  # a verdict came while a grouping ran
        self._generation = 0
        self._shown: np.ndarray | None = None
        self._by_time: np.ndarray | None = None
        self._session: ReviewSession | None = None
        app.review.listing_changed.connect(self.invalidate)
        app.document.events.session.connect(self._watch)

    def current(self) -> Events | None:
        """The events; out of date ones are asked for again (see :meth:`request`)."""
        if not self.ready and not self._pending and self._app.document.session is not None:
            self.request()
        return self.events

    # ------------------------------------------------------------ grouping
    def invalidate(self, drop: bool = False) -> None:
        """The events no longer match the list (``drop``: nor the session's rows)."""
        self._generation += 1
        self.ready, self._pending = False, False
        if drop:
            self.events, self.index, self.codes = None, None, np.empty(0, np.int64)
            self._shown = self._by_time = None
        self.outdated.emit()

    def request(self) -> None:
        """Group the listed detections again, through the app's tasks."""
        from audioclass_gui.review.event_verdicts import EventIndex, event_status
        from audioclass_gui.review.events import group_events

        session = self._app.document.session
        if session is None:
            return
        self._generation += 1
        generation, self._pending = self._generation, True
        conditions = self._app.review.current_filter().replace(statuses=None)
        gap = self._gap()
        self._judged_meanwhile = False

        def group() -> tuple[Events, EventIndex, np.ndarray]:
            events = group_events(session, gap, conditions)
            return events, EventIndex(events), event_status(events)

        self._app.tasks.submit(
            group,
            lambda made: self._grouped(generation, session, *made),
            lambda exc: self._failed(generation, exc),
        )

    def _grouped(
        self, generation: int, session: ReviewSession, events: Events, index: EventIndex,
        codes: np.ndarray,
    ) -> None:
        from audioclass_gui.review.event_verdicts import event_status, recount

        if generation != self._generation or session is not self._app.document.session:
            return  # asked again since, or another session
        self._pending, self.ready = False, True
        if self._judged_meanwhile:  # verdicts given while it grouped
            events = recount(session, events)
            codes = event_status(events)
        self.events, self.index, self.codes = events, index, codes
        self._shown = self._by_time = None
        self.grouped.emit()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._pending = False
            self._app.messages.report("Events", f"The vocal events could not be made: {exc}")

    # ------------------------------------------------------------ order
    def order(self) -> np.ndarray:
        """Event indices in the order the list shows them (default: recording, then start)."""
        events = self.events
        if events is None:
            return np.empty(0, np.int64)
        if self._shown is not None and len(self._shown) == len(events):
            return self._shown
        if self._by_time is None or len(self._by_time) != len(events):
            self._by_time = np.lexsort((events.start, events.recording)).astype(np.int64)
        return self._by_time

    def set_order(self, order: Sequence[int] | np.ndarray | None) -> None:
        """The order the list shows the events in; None: by time."""
        self._shown = None if order is None else np.asarray(order, np.int64)

    def next_open(self, after: int | None) -> int | None:
        """The first event with a window to review after ``after`` in :meth:`order`, wrapping."""
        events = self.events
        if events is None:
            return None
        order = self.order()
        start = 0
        if after is not None:
            where = np.flatnonzero(order == after)
            start = int(where[0]) + 1 if len(where) else 0
        # From ``start`` on, then from the top: a chunk at a time, since the
        # next open event is nearly always a few rows down.
        for lo, hi in ((start, len(order)), (0, start)):
            for a in range(lo, hi, _CHUNK):
                chunk = order[a : min(a + _CHUNK, hi)]
                found = np.flatnonzero(events.verdicts[chunk, _OPEN] > 0)
                if len(found):
                    return int(chunk[found[0]])
        return None

    # ------------------------------------------------------------ session
    def _watch(self, session: ReviewSession | None) -> None:
        old = self._session
        if old is not None:
            old.status_changed.disconnect(self._on_status)
            old.detections_added.disconnect(self._on_rows)
            old.cleared.disconnect(self._on_rows)
        self._session = session
        if session is not None:
            session.status_changed.connect(self._on_status)
            session.detections_added.connect(self._on_rows)
            session.cleared.connect(self._on_rows)
        self.invalidate(drop=True)

    def _on_rows(self, *_args: object) -> None:
        self.invalidate(drop=True)

    def _on_status(self, ids: list[int]) -> None:
        from audioclass_gui.review.event_verdicts import event_status, recount

        self._judged_meanwhile = True
        events, session = self.events, self._app.document.session
        if events is None or session is None or self.index is None:
            return
        changed = np.unique(self.index.events_of(ids))
        changed = changed[changed >= 0]
        if not len(changed):
            return
        if len(changed) > len(events) // 8:  # a bulk verdict: one pass over all
            self.events = events = recount(session, events)
            self.codes = event_status(events)
        else:  # a keystroke: only the events it touched
            recount(session, events, changed)
            self.codes[changed] = event_status(events, changed)
        self.verdicts_changed.emit(changed)
