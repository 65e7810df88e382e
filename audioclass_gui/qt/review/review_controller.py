"""Keeps the table, the overlays and the review session in step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from audioclass_gui.app.review_state import ReviewState
from audioclass_gui.qt.common.tasks import throttled
from audioclass_gui.qt.common.undo import EditCommand
from audioclass_gui.qt.review.detection_table import DetectionTable
from audioclass_gui.qt.review.overlays import DetectionOverlay
from audioclass_gui.review import (
    Detection,
    DetectionFilter,
    DetectionList,
    Edit,
    Order,
    Status,
    Verdict,
)
from audioclass_gui.review.listed import ListedCounts, next_open
from audioclass_gui.review.shown import Shown, shown

if TYPE_CHECKING:
    from audioclass_gui.qt.spectrogram.spectrogram_view import SpectrogramView
    from audioclass_gui.review import ReviewSession

__all__ = ["ReviewController"]

#: Streamed detections are shown at most this often (ms), so a fast model
#: does not spend the GUI thread re-sorting the table for every batch.
REFRESH_MS = 150


def _state_attr(name: str) -> property:
    """A controller attribute kept in its :class:`ReviewState`."""
    return property(
        lambda self: getattr(self.state, name),
        lambda self, value: setattr(self.state, name, value),
        doc=f"``state.{name}`` (see :class:`audioclass_gui.app.review_state.ReviewState`).",
    )


class ReviewController(QObject):
    """The reviewer's actions on the open recording's detections.

    Signals
    -------
    selection_changed(object)
        The selected detection id, or None.
    counts_changed(dict)
        ``{Status: count}`` over the detections listed (what the table shows:
        the open recording's, a species across recordings, or a sample).
    """

    selection_changed = Signal(object)
    counts_changed = Signal(dict)
    #: A verdict was given to this detection id (after moving to the next one).
    verdict_given = Signal(object)
    #: An edit could not be made or undone (message for the user).
    failed = Signal(str)
    #: The selected detection is in another recording of the project (its path).
    recording_needed = Signal(str)
    #: The slider's threshold or the per-species thresholds changed.
    thresholds_changed = Signal()

    def __init__(
        self,
        table: DetectionTable,
        overlay: DetectionOverlay,
        view: SpectrogramView,
        undo_stack: QUndoStack,
        parent: QObject | None = None,
        *,
        state: ReviewState | None = None,
    ) -> None:
        super().__init__(parent)
        self.table = table
        self.overlay = overlay
        self.view = view
        self.undo_stack = undo_stack
        self.session: ReviewSession | None = None
        #: Review by events: while its ``active`` is True, verdicts, relabels and
        #: Up/Down go to the selected event (see ``qt/review/event_controller.py``).
        self.event_review = None
        #: The list's conditions and the selection (the app model's).
        self.state = state if state is not None else ReviewState()
        self._counts = ListedCounts()
        self._refresh_timer = throttled(self, REFRESH_MS, self.refresh)
        self.state.listing_changed.connect(self.refresh)
        self.state.thresholds_changed.connect(self.thresholds_changed.emit)
        self.state.selection_changed.connect(self.selection_changed.emit)
        table.detection_selected.connect(lambda det_id: self.select(det_id, from_table=True))
        overlay.clicked.connect(self.select)

    # The list's conditions live in the app model's ReviewState; these read
    # and write it (writing does not refresh: call refresh() or a set_ method).
    threshold = _state_attr("threshold")
    species_thresholds = _state_attr("species_thresholds")
    filter = _state_attr("filter")
    order = _state_attr("order")
    all_recordings = _state_attr("all_recordings")
    recording = _state_attr("recording")
    queue = _state_attr("queue")
    deferred_verdict = _state_attr("deferred_verdict")
    _selected = _state_attr("selected")

    # ------------------------------------------------------------ session
    def set_session(self, session: ReviewSession | None, recording: str | None = None) -> None:
        """Review a new session (or none); ``recording`` limits a project's session to one file.

        Setting the same session again (another recording of a project)
        keeps the undo stack.
        """
        self.recording = recording
        if session is self.session and session is not None:
            self.refresh()
            return
        if self.session is not None:
            self.session.detections_added.disconnect(self._on_added)
            self.session.status_changed.disconnect(self._on_status)
            self.session.cleared.disconnect(self.refresh)
        self.session = session
        self.undo_stack.clear()
        self._selected = None
        self.queue = None  # a sample belongs to its session
        if session is not None:
            session.detections_added.connect(self._on_added)
            session.status_changed.connect(self._on_status)
            session.cleared.connect(self.refresh)
        self.refresh()

    def current_filter(self) -> DetectionFilter:
        """The filter of the list: the filter bar's conditions, the threshold, the recording."""
        return self.state.current_filter()

    def visible(self, *, lazy: bool = False) -> list[Detection] | DetectionList:
        """Detections listed: at or above the threshold and passing the filter.

        ``lazy=True`` gives a :class:`DetectionList` (ids; for 50,000 rows).
        """
        return self.state.listed(self.session, lazy=lazy)

    def set_filter(
        self,
        filter: DetectionFilter,
        order: Order | None = None,
        all_recordings: bool | None = None,
    ) -> None:
        """List the detections passing ``filter`` (the threshold still applies).

        ``all_recordings`` lists every recording of a project (the overlays
        still show only the open one's).
        """
        self.state.set_filter(filter, order, all_recordings)

    def _in_view(self, d: Detection) -> bool:
        return self.state.in_view(d)

    def set_species_thresholds(self, thresholds: dict[str, float] | None) -> None:
        """Give some species their own threshold (None or {} clears); the rest keep ``threshold``."""
        self.state.set_species_thresholds(thresholds)

    def threshold_filter(self) -> DetectionFilter:
        """The thresholds alone (the slider and any per-species ones), for counts beside the list."""
        return self.state.threshold_filter()

    def set_threshold(self, threshold: float) -> None:
        """Show detections scoring at least ``threshold``."""
        self.state.set_threshold(threshold)

    def refresh(self) -> None:
        """Rebuild the table and overlays from the session."""
        self._refresh_timer.cancel()
        rows = self.visible(lazy=True)
        read = self.read
        self.table.set_detections(rows, read)
        self.table.source.show_recording(self.state.spans_recordings and self.recording is not None)
        if self.recording is None:  # only the open recording's are drawn
            drawn = rows
        elif isinstance(rows, DetectionList):
            drawn = rows.in_recording(self.recording)
        else:
            drawn = [d for d in rows if self._in_view(d)]
        self.overlay.set_detections(drawn, read)
        if self._selected is not None and self.table.source.row_of(self._selected) is None:
            self.state.select(None)
        self.overlay.set_selected(self._selected)
        self._counts.reset(self.session, self.table.source.ids())
        self._emit_counts()

    # ----------------------------------------------------------- selection
    @property
    def selected(self) -> Detection | None:
        """The selected detection, if any."""
        if self.session is None or self._selected is None:
            return None
        return self.session.get(self._selected)

    def select(self, detection_id: int | None, from_table: bool = False) -> None:
        """Select a detection: highlight it, list it and bring it into view."""
        if detection_id == self._selected and from_table:
            return
        self.state.selected = detection_id
        self.overlay.set_selected(detection_id)
        if detection_id is not None and self.session is not None:
            if not from_table:
                self.table.select_detection(detection_id, emit=False)
            d = self.session.get(detection_id)
            if self._in_view(d):
                self.view.ensure_visible(d.start, d.end)
            else:
                self.recording_needed.emit(str(d.recording.path))
        self.state.select(detection_id)

    def step(self, delta: int) -> Detection | None:
        """Select the next (+1) or previous (-1) detection in table order (events: event)."""
        if self.event_review is not None and self.event_review.active:
            self.event_review.step(delta)
            return self.selected
        det_id = self.table.step(delta)
        if det_id is not None and det_id != self._selected:
            self.select(det_id)
        return self.selected

    # ------------------------------------------------------------ verdicts
    def set_status(self, status: Status, *, advance: bool = True) -> bool:
        """Give the selected detection a verdict, then move to the next unreviewed one."""
        if self.event_review is not None and self.event_review.active:
            return self._event_verdict(self.event_review.set_status(status, advance), advance)
        if self.session is None or self._selected is None:
            return False
        judged = self._selected
        if not self._do(lambda s: s.set_status([judged], status)):
            return False
        if advance:
            self.advance(judged)
        self._announce(judged)
        return True

    def relabel(self, scientific_name: str | None, *, advance: bool = True) -> bool:
        """Say the selected detection is another species (accepted), then move on."""
        if self.event_review is not None and self.event_review.active:
            return self._event_verdict(self.event_review.relabel(scientific_name, advance), advance)
        if self.session is None or self._selected is None:
            return False
        judged = self._selected
        if not self._do(lambda s: s.relabel([judged], scientific_name)):
            return False
        if advance:
            self.advance(judged)
        self._announce(judged)
        return True

    def set_note(self, note: str) -> bool:
        """Attach a note to the selected detection ("" removes it)."""
        if self.session is None or self._selected is None:
            return False
        judged = self._selected
        return self._do(lambda s: s.set_note([judged], note))

    def set_status_many(self, ids: list[int], status: Status) -> bool:
        """Give many detections one verdict (one undoable edit)."""
        if self.session is None or not ids:
            return False
        return self._do(lambda s: s.set_status(ids, status))

    def reject_below(self, scientific_name: str, score: float) -> bool:
        """Reject the unreviewed detections of a species scoring below ``score`` (one edit)."""
        if self.session is None:
            return False
        return self._do(lambda s: s.reject_below(scientific_name, score))

    def _event_verdict(self, judged: int | None, advance: bool) -> bool:
        """After a verdict on an event (``judged``: its best window, None: none given)."""
        if judged is not None and advance:
            self._announce(judged)
        return judged is not None

    def _announce(self, judged: int) -> None:
        """Emit ``verdict_given``; wait while the next detection's recording opens."""
        d = self.selected
        if d is not None and not self._in_view(d):
            self.deferred_verdict = judged  # emitted by the project once it is shown
        else:
            self.verdict_given.emit(judged)

    def advance(self, after: int) -> None:
        """Select the next unreviewed detection after ``after`` in the order the table shows.

        Whatever the table is sorted by (time, score, species, a sample's
        queue order), the selection goes down the table; past the last row
        it continues from the top.
        """
        if self.session is None:
            return
        nxt = next_open(self.session, self.table.source.ids(), after)
        if nxt is not None:
            self.select(nxt)
        else:
            self.step(+1)

    def _do(self, make) -> bool:
        """Make an edit on the session and push it; report failures instead of raising."""
        session = self.session
        try:
            edit: Edit = make(session)
        except (OSError, ValueError, KeyError) as exc:
            self.failed.emit(f"The verdict was not saved: {exc}")
            return False
        if not getattr(edit, "is_noop", False):
            self.undo_stack.push(EditCommand(session, edit, self.failed.emit))
        return True

    # ------------------------------------------------------------ internal
    def read(self, detection: Detection) -> Shown:
        """How a detection reads now: its verdict, relabel and note applied."""
        if self.session is None:
            return Shown(detection, Verdict(), detection.common_name)
        return shown(self.session, detection)

    def _on_added(self, _detections: list) -> None:
        self._refresh_timer.throttle()

    def _on_status(self, ids: list) -> None:
        self.table.source.refresh(ids)
        self.overlay.refresh_status(ids)
        if self.session is not None and self._counts.update(self.session, ids):
            self._emit_counts()

    def counts(self) -> dict[Status, int]:
        """``{Status: count}`` over the detections listed (see ``counts_changed``)."""
        return {} if self.session is None else self._counts.counts()

    def _emit_counts(self) -> None:
        self.counts_changed.emit(self.counts())
