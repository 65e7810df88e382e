"""What the detection list shows: thresholds, filter, order, sample queue, selection.

The selection is one detection or one drawn box, never both: it is what
Space plays (:meth:`ReviewState.play_target`) and what the keys act on.

The table and the spectrogram's overlays both list what
:meth:`ReviewState.listed` gives, so they cannot disagree about which
detections are shown; panels that count "at or above the threshold" use
:meth:`ReviewState.threshold_filter`, the same thresholds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from psygnal import Signal

from audioclass_gui.review import DetectionFilter, Order

if TYPE_CHECKING:
    from audioclass_gui.review import Box, Detection, DetectionList, ReviewSession
    from audioclass_gui.review.sampling import ReviewQueue

__all__ = ["ReviewState"]


class ReviewState:
    """The list's conditions and the selection, without Qt.

    Signals
    -------
    listing_changed()
        What is listed changed (threshold, per-species thresholds, filter,
        order, the recording shown, or the sample queue).
    thresholds_changed()
        The slider's threshold or the per-species thresholds changed.
    selection_changed(object)
        The selected detection id (or None).
    box_selection_changed(object)
        The selected box id (or None).
    """

    listing_changed = Signal()
    thresholds_changed = Signal()
    selection_changed = Signal(object)
    box_selection_changed = Signal(object)

    def __init__(self) -> None:
        #: Lowest score listed (the model panel's slider).
        self.threshold = 0.25
        #: Per-species thresholds (scientific name -> lowest score listed);
        #: these species ignore ``threshold``.
        self.species_thresholds: dict[str, float] = {}
        #: Extra conditions from the filter bar / species panel (species,
        #: statuses, score range, recordings); the thresholds are added to it.
        self.filter = DetectionFilter()
        #: Order of the list and of "next unreviewed".
        self.order = Order.TIME
        #: List every recording of a project, not only the open one.
        self.all_recordings = False
        #: The open recording's path in a multi-recording session, else None.
        self.recording: str | None = None
        #: Verification sample mode: list exactly this queue, in its order.
        self.queue: ReviewQueue | None = None
        #: The selected detection id.
        self.selected: int | None = None
        #: The selected drawn box's id (a detection and a box are never both selected).
        self.selected_box: str | None = None
        #: A verdict whose announcement waits for the next recording to open.
        self.deferred_verdict: int | None = None

    # ------------------------------------------------------------ queries
    def current_filter(self) -> DetectionFilter:
        """The list's filter: the filter bar's conditions, the thresholds, the recording."""
        f = self.filter
        changes: dict = {"min_score": max(self.threshold, f.min_score)}
        if self.recording is not None and f.recordings is None and not self.all_recordings:
            changes["recordings"] = {self.recording}
        if self.species_thresholds and not f.thresholds:  # the filter bar's floor still holds
            changes["thresholds"] = {
                k: max(v, f.min_score) for k, v in self.species_thresholds.items()
            }
        return f.replace(**changes)

    def threshold_filter(self) -> DetectionFilter:
        """The thresholds alone (slider and per-species), for counts beside the list."""
        return DetectionFilter(min_score=self.threshold, thresholds=self.species_thresholds)

    def listed(
        self, session: ReviewSession | None, *, lazy: bool = False
    ) -> list[Detection] | DetectionList:
        """The detections listed from ``session`` (a sample's queue, else the filter's).

        ``lazy=True`` gives a :class:`~audioclass_gui.review.DetectionList` (ids).
        """
        if session is None:
            return []
        if self.queue is not None:
            return self.queue.detections(session)
        return session.select(self.current_filter(), self.order, lazy=lazy)

    def in_view(self, detection: Detection) -> bool:
        """True if ``detection`` is in the recording shown (always, for a single recording)."""
        return self.recording is None or str(detection.recording.path) == self.recording

    @property
    def spans_recordings(self) -> bool:
        """True when the list may hold other recordings than the one shown."""
        return self.all_recordings or self.queue is not None

    # ------------------------------------------------------------ changes
    def set_threshold(self, threshold: float) -> None:
        """List detections scoring at least ``threshold``."""
        self.threshold = float(threshold)
        self.listing_changed.emit()
        self.thresholds_changed.emit()

    def set_species_thresholds(self, thresholds: dict[str, float] | None) -> None:
        """Give some species their own threshold (None or {} clears)."""
        self.species_thresholds = dict(thresholds or {})
        self.listing_changed.emit()
        self.thresholds_changed.emit()

    def set_filter(
        self,
        filter: DetectionFilter,
        order: Order | None = None,
        all_recordings: bool | None = None,
    ) -> None:
        """List the detections passing ``filter`` (the thresholds still apply)."""
        self.filter = filter
        if order is not None:
            self.order = Order(order)
        if all_recordings is not None:
            self.all_recordings = all_recordings
        self.listing_changed.emit()

    def set_queue(self, queue: ReviewQueue | None) -> None:
        """List exactly this sample queue, in its order (None: the filter's detections)."""
        self.queue = queue
        self.listing_changed.emit()

    def select(self, detection_id: int | None) -> None:
        """Make ``detection_id`` the selected detection (said even when unchanged).

        Selecting a detection deselects the box.
        """
        self.selected = detection_id
        if detection_id is not None:
            self.select_box(None)
        self.selection_changed.emit(detection_id)

    def select_box(self, box_id: str | None) -> None:
        """Make ``box_id`` the selected box (said when it changes); it deselects the detection."""
        if box_id is not None and self.selected is not None:
            self.select(None)
        if box_id != self.selected_box:
            self.selected_box = box_id
            self.box_selection_changed.emit(box_id)

    def play_target(self, session: ReviewSession | None) -> Box | Detection | None:
        """What Space plays: the selected box, else the selected detection, else None."""
        if session is None:
            return None
        if self.selected_box is not None:
            box = session.box(self.selected_box)
            if box is not None:
                return box
        if self.selected is not None:
            try:
                return session.get(self.selected)
            except (KeyError, IndexError):
                return None
        return None
