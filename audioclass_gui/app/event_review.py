"""Review by vocal events: a verdict on an event is a verdict on each of its windows.

A classifier scores fixed windows (BirdNET: 3 s), so one song is three or
four detections in a row; judging each is the same listen four times. In
*events* mode the list is the vocal events of the listed detections
(:func:`~audioclass_gui.review.events.group_events`: windows of one species
that touch, overlap or follow within the gap the user sets), and the keys
act on the selected event: accept, reject, mark uncertain or relabel give
every window of the event that verdict, as **one** edit (one Ctrl+Z takes
it all back), written to the project's journal window by window, as a
verdict on a window is.

The events are those of the detection list's conditions (the thresholds,
the open recording, the species and score range chosen) whatever their
status, so an event does not break up as its windows are judged; a status
filter of the list does not apply to events. They are grouped again when
the list's conditions, the gap or the detections change, and only
recounted (:func:`~audioclass_gui.review.event_verdicts.recount`) when
verdicts change. The gap is kept in the project's settings.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from psygnal import Signal

from audioclass_gui.app.event_list import EventList
from audioclass_gui.review.detection import STATUS_ORDER, Status

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from audioclass_gui.app.model import AppModel
    from audioclass_gui.project.project import ReviewProject
    from audioclass_gui.review.edits import Edit
    from audioclass_gui.review.events import Events
    from audioclass_gui.review.session import ReviewSession

__all__ = ["GAP_SETTING", "EventReview", "EventSpan", "ReviewUnit"]

#: Key of the gap tolerance (seconds) in a review project's settings.
GAP_SETTING = "event_gap"
_OPEN = STATUS_ORDER.index(Status.UNREVIEWED)


class ReviewUnit(enum.StrEnum):
    """What the review keys act on."""

    WINDOWS = "windows"
    EVENTS = "events"


@dataclass(frozen=True)
class EventSpan:
    """An event as something to play: its span over the whole band."""

    recording: Path
    start: float
    end: float
    low_freq: float | None = None
    high_freq: float | None = None


class EventReview:
    """The events of the detection list, the selected event, and verdicts on it.

    Parameters
    ----------
    app
        The app model: its document (session, project), the list's
        conditions (``app.review``) and messages.

    Signals
    -------
    mode_changed(str)
        The review unit (a :class:`ReviewUnit` value) changed.
    gap_changed(float)
        The gap tolerance changed (seconds).
    listing_changed()
        The events were made again (read :attr:`events`); the selection
        may have moved (``selection_changed`` follows when it did).
    verdicts_changed(object)
        Verdicts of these events (an array of indices) changed.
    selection_changed(object)
        The selected event (an index into :attr:`events`), or None.
    edited(object)
        An applied :class:`~audioclass_gui.review.edits.Edit` of a verdict on
        an event, for the window's undo stack (undoing it takes back the
        verdict on every window of the event).
    """

    mode_changed = Signal(str)
    gap_changed = Signal(float)
    listing_changed = Signal()
    verdicts_changed = Signal(object)
    selection_changed = Signal(object)
    edited = Signal(object)

    def __init__(self, app: AppModel) -> None:
        self._app = app
        #: What the review keys act on.
        self.mode = ReviewUnit.WINDOWS
        #: Seconds that may pass between two windows of one event.
        self.gap = 0.0
        #: The selected event (index into :attr:`events`), or None.
        self.selected: int | None = None
        self._anchor: int | None = None  # a detection of the selected event
        #: The events, grouped off the GUI thread (see :mod:`audioclass_gui.app.event_list`).
        self.list = EventList(app, lambda: self.gap)
        self.list.outdated.connect(self._on_outdated)
        self.list.grouped.connect(self._on_grouped)
        self.list.verdicts_changed.connect(self.verdicts_changed.emit)
        app.review.selection_changed.connect(self._follow_detection)
        app.document.events.session.connect(lambda _s: setattr(self, "_anchor", None))
        app.document.events.project.connect(self._restore_gap)

    # ------------------------------------------------------------ reading
    @property
    def active(self) -> bool:
        """True while the review keys act on events."""
        return self.mode is ReviewUnit.EVENTS

    @property
    def session(self) -> ReviewSession | None:
        """The session the events are of (the document's)."""
        return self._app.document.session

    @property
    def events(self) -> Events | None:
        """The events of the list's detections, or None (none yet: asked for, see :attr:`ready`)."""
        return self.list.current()

    @property
    def ready(self) -> bool:
        """True when :attr:`events` match the list's conditions (False while grouping)."""
        return self.list.ready

    def __len__(self) -> int:
        events = self.events
        return 0 if events is None else len(events)

    def status_codes(self) -> np.ndarray:
        """Per event, the status code its windows share, or ``MIXED``."""
        self.events  # noqa: B018 - asked for when out of date
        return self.list.codes

    def status(self, event: int) -> Status | None:
        """The status all windows of ``event`` share, or None when they differ (mixed)."""
        from audioclass_gui.review.event_verdicts import MIXED

        code = int(self.status_codes()[event])
        return None if code == MIXED else STATUS_ORDER[code]

    def label(self, event: int) -> str | None:
        """The species every window of ``event`` is relabelled to, else None."""
        from audioclass_gui.review.event_verdicts import event_label

        session, events = self._app.document.session, self.events
        if session is None or events is None:
            return None
        return event_label(session, events, event)

    def species_name(self, event: int) -> str:
        """The event's (predicted) species: its common name, else its scientific name."""
        session, events = self.session, self.events
        assert session is not None and events is not None
        name = session.species_list()[int(events.species[event])]
        return session.common_name(name) or name

    def ids(self, event: int) -> list[int]:
        """Detection ids of ``event``, in order of start."""
        events = self.events
        return [] if events is None else events.ids(event).tolist()

    def best(self, event: int) -> int:
        """The id of the event's highest-scoring window (the first of equals)."""
        events, session = self.events, self._app.document.session
        assert events is not None and session is not None
        rows = events.rows[events.offsets[event] : events.offsets[event + 1]]
        scores = session.columns().score[rows]
        return int(rows[int(np.argmax(scores))]) + events.first_id

    def event_of(self, detection_id: int) -> int | None:
        """The event holding a detection, or None."""
        if self.events is None or self.list.index is None:
            return None
        return self.list.index.event_of(detection_id)

    def counts(self) -> dict[Status | None, int]:
        """Events per shared status; ``None``: mixed (partly or differently judged)."""
        codes = self.status_codes()
        found = np.bincount(codes + 1, minlength=len(STATUS_ORDER) + 1)
        out: dict[Status | None, int] = {None: int(found[0])}
        out.update({s: int(found[i + 1]) for i, s in enumerate(STATUS_ORDER)})
        return out

    def open_count(self) -> int:
        """Events with at least one window to review."""
        events = self.events
        return 0 if events is None else int((events.verdicts[:, _OPEN] > 0).sum())

    def span(self, event: int) -> EventSpan:
        """The event's recording and span."""
        events, session = self.events, self._app.document.session
        assert events is not None and session is not None
        path = Path(session.recordings[int(events.recording[event])].path)
        return EventSpan(path, float(events.start[event]), float(events.end[event]))

    def play_target(self) -> EventSpan | None:
        """What Space plays in events mode: the selected event's span; else None."""
        if not self.active or self.selected is None or self.events is None:
            return None
        return self.span(self.selected)

    def order(self) -> np.ndarray:
        """Event indices in the order the list shows them (default: recording, then start)."""
        self.events  # noqa: B018 - asked for when out of date
        return self.list.order()

    # ------------------------------------------------------------ changes
    def set_mode(self, mode: ReviewUnit | str) -> None:
        """Review by windows or by events; entering events selects the event of the
        selected detection, else the first event with windows to review."""
        mode = ReviewUnit(mode)
        if mode is self.mode:
            return
        self.mode = mode
        if mode is ReviewUnit.EVENTS:
            if not self.ready:
                self.list.request()  # the first open event is picked when they arrive
            elif self.selected is None:
                self._select_first()
        self.mode_changed.emit(mode.value)

    def set_gap(self, seconds: float) -> None:
        """Let up to ``seconds`` pass between two windows of one event; kept in the project.

        Raises
        ------
        ValueError
            If ``seconds`` is negative or not a finite number.
        """
        seconds = float(seconds)
        if not (math.isfinite(seconds) and seconds >= 0.0):
            raise ValueError(f"the gap between windows of one event must be >= 0 s, not {seconds}")
        if seconds == self.gap:
            return
        self.gap = seconds
        self._remember_gap()
        self.list.invalidate()
        self.gap_changed.emit(seconds)

    def set_order(self, order: Sequence[int] | np.ndarray | None) -> None:
        """The order the list shows the events in (what "next" follows); None: by time."""
        self.list.set_order(order)

    def select(self, event: int | None) -> None:
        """Make ``event`` the selected event (said even when unchanged)."""
        if event is not None and not 0 <= event < len(self):
            raise IndexError(f"no event {event} (there are {len(self)})")
        self.selected = event
        self._anchor = None if event is None else self.best(event)
        self.selection_changed.emit(event)

    def step(self, delta: int) -> int | None:
        """Select the event ``delta`` places on in the list's order (clamped); return it."""
        order = self.order()
        if not len(order):
            return None
        here = np.flatnonzero(order == self.selected) if self.selected is not None else []
        if len(here):
            at = max(0, min(len(order) - 1, int(here[0]) + delta))
        else:
            at = 0 if delta > 0 else len(order) - 1
        self.select(int(order[at]))
        return self.selected

    def advance(self, after: int | None) -> int | None:
        """Select the next event with windows to review after ``after`` (wrapping);
        when none is left, the next event in the list. Returns the selection."""
        nxt = self.list.next_open(after)
        if nxt is None:
            return self.step(+1)
        self.select(nxt)
        return nxt

    # ------------------------------------------------------------ verdicts
    def set_status(self, status: Status, *, advance: bool = True) -> Edit | None:
        """Give every window of the selected event ``status`` (one edit); then move on."""
        status = Status(status)
        return self._judge(lambda s, ids: s.set_status(ids, status), advance)

    def relabel(self, scientific_name: str | None, *, advance: bool = True) -> Edit | None:
        """Say every window of the selected event is ``scientific_name`` (accepted); then move on.

        None, or the predicted species, removes the relabel.
        """
        return self._judge(lambda s, ids: s.relabel(ids, scientific_name), advance)

    def _judge(
        self, make: Callable[[ReviewSession, list[int]], Edit], advance: bool
    ) -> Edit | None:
        from audioclass_gui.review.edits import CompoundEdit

        session, event = self._app.document.session, self.selected
        if session is None or event is None or self.events is None:
            self._app.messages.say("Select an event first.", 5000)
            return None
        ids = self.ids(event)
        try:
            part = make(session, ids)
        except (OSError, ValueError, KeyError) as exc:
            self._app.messages.report("Not saved", f"The verdict on the event was not saved: {exc}")
            return None
        n = len(ids)
        edit = CompoundEdit.of([part], f"{part.description} (one event of {n} window{'s' * (n != 1)})")
        if not edit.is_noop:
            self.edited.emit(edit)
        if advance:
            self.advance(event)
        return edit

    # ------------------------------------------------------------ internal
    def _on_outdated(self) -> None:
        """The list's conditions or detections changed: group again.

        At once in events mode (the selection follows its detection when
        they arrive); otherwise when the events are next read, so moving
        the threshold while reviewing windows costs no grouping.
        """
        if self.list.events is None and self.selected is not None:
            self.selected = None  # the old events are gone; the anchor stays
            self.selection_changed.emit(None)
        if self.active:
            self.list.request()
        if not self.ready:
            self.listing_changed.emit()

    def _on_grouped(self) -> None:
        """New events: the selection is the event of the selected detection (else of the
        last selected event's window; in events mode else the first open event)."""
        before = self.selected
        picked = self._app.review.selected
        event = None if picked is None else self.event_of(picked)
        if event is None and self._anchor is not None:
            event = self.event_of(self._anchor)
        self.selected = event
        if self.active and event is None:
            self._select_first(emit=False)
        self.listing_changed.emit()
        if self.selected != before:
            self.selection_changed.emit(self.selected)

    def _select_first(self, emit: bool = True) -> None:
        """Select the event of the selected detection, else the first with windows to review."""
        if not len(self):
            return
        picked = self._app.review.selected
        event = None if picked is None else self.event_of(picked)
        event = event if event is not None else self.list.next_open(None)
        if event is None:
            return
        if emit:
            self.select(event)
        else:
            self.selected, self._anchor = event, self.best(event)

    def _follow_detection(self, detection_id: int | None) -> None:
        """A detection was selected (a click on its box or row): select its event."""
        if detection_id is None or not (self.active or self.ready):
            return  # reviewing windows with the events out of date: nothing to follow
        event = self.event_of(detection_id)
        if event is not None and event != self.selected:
            self.selected, self._anchor = event, int(detection_id)
            self.selection_changed.emit(event)

    def _project(self) -> ReviewProject | None:
        project = self._app.document.project
        return None if project is None or project.closed else project

    def _remember_gap(self) -> None:
        project = self._project()
        if project is None or project.read_only:
            return
        try:
            project.set_settings(**{GAP_SETTING: self.gap})
        except (OSError, ValueError) as exc:
            self._app.messages.report("Not saved", f"The events' gap was not saved in the project: {exc}")

    def _restore_gap(self, project: ReviewProject | None) -> None:
        if project is None:
            return
        saved = project.settings.get(GAP_SETTING)
        if isinstance(saved, int | float) and math.isfinite(saved) and saved >= 0 and saved != self.gap:
            self.gap = float(saved)
            self.list.invalidate()
            self.gap_changed.emit(self.gap)
