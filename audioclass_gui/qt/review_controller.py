"""Keeps the table, the overlays and the review session in step."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from audioclass_gui.qt.detection_table import DetectionTable
from audioclass_gui.qt.overlays import DetectionOverlay
from audioclass_gui.qt.spectrogram_view import SpectrogramView
from audioclass_gui.qt.undo import EditCommand
from audioclass_gui.review import Detection, ReviewSession, Status

__all__ = ["ReviewController"]

#: Streamed detections are shown at most this often (ms), so a fast model
#: does not spend the GUI thread re-sorting the table for every batch.
REFRESH_MS = 150


class ReviewController(QObject):
    """The reviewer's actions on the open recording's detections.

    Signals
    -------
    selection_changed(object)
        The selected detection id, or None.
    counts_changed(dict)
        ``{Status: count}`` for the detections above the threshold.
    """

    selection_changed = Signal(object)
    counts_changed = Signal(dict)
    #: A verdict was given to this detection id (after moving to the next one).
    verdict_given = Signal(object)

    def __init__(
        self,
        table: DetectionTable,
        overlay: DetectionOverlay,
        view: SpectrogramView,
        undo_stack: QUndoStack,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.table = table
        self.overlay = overlay
        self.view = view
        self.undo_stack = undo_stack
        self.session: ReviewSession | None = None
        self.threshold = 0.25
        self._selected: int | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        table.detection_selected.connect(lambda det_id: self.select(det_id, from_table=True))
        overlay.clicked.connect(self.select)

    # ------------------------------------------------------------ session
    def set_session(self, session: ReviewSession | None) -> None:
        """Review a new session (or none)."""
        if self.session is not None:
            self.session.detections_added.disconnect(self._on_added)
            self.session.status_changed.disconnect(self._on_status)
            self.session.cleared.disconnect(self.refresh)
        self.session = session
        self.undo_stack.clear()
        self._selected = None
        if session is not None:
            session.detections_added.connect(self._on_added)
            session.status_changed.connect(self._on_status)
            session.cleared.connect(self.refresh)
        self.refresh()

    def visible(self) -> list[Detection]:
        """Detections at or above the threshold."""
        return [] if self.session is None else self.session.visible(self.threshold)

    def set_threshold(self, threshold: float) -> None:
        """Show detections scoring at least ``threshold``."""
        self.threshold = threshold
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the table and overlays from the session."""
        self._refresh_timer.stop()
        rows = self.visible()
        status = self._status_of
        self.table.set_detections(rows, status)
        self.overlay.set_detections(rows, status)
        ids = {d.id for d in rows}
        if self._selected is not None and self._selected not in ids:
            self._selected = None
            self.selection_changed.emit(None)
        self.overlay.set_selected(self._selected)
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
        self._selected = detection_id
        self.overlay.set_selected(detection_id)
        if detection_id is not None and self.session is not None:
            if not from_table:
                self.table.select_detection(detection_id, emit=False)
            d = self.session.get(detection_id)
            self.view.ensure_visible(d.start, d.end)
        self.selection_changed.emit(detection_id)

    def step(self, delta: int) -> Detection | None:
        """Select the next (+1) or previous (-1) detection in table order."""
        det_id = self.table.step(delta)
        if det_id is not None and det_id != self._selected:
            self.select(det_id)
        return self.selected

    # ------------------------------------------------------------ verdicts
    def set_status(self, status: Status, *, advance: bool = True) -> bool:
        """Give the selected detection a verdict, then move to the next one."""
        if self.session is None or self._selected is None:
            return False
        judged = self._selected
        edit = self.session.set_status([judged], status)
        self.undo_stack.push(EditCommand(self.session, edit))
        if advance:
            self.step(+1)
        self.verdict_given.emit(judged)
        return True

    # ------------------------------------------------------------ internal
    def _status_of(self, detection_id: int) -> Status:
        return Status.UNREVIEWED if self.session is None else self.session.status(detection_id)

    def _on_added(self, _detections: list) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _on_status(self, ids: list) -> None:
        self.table.source.refresh(ids)
        self.overlay.refresh_status(ids)
        self._emit_counts()

    def _emit_counts(self) -> None:
        if self.session is None:
            self.counts_changed.emit({})
        else:
            self.counts_changed.emit(self.session.counts(self.threshold))
