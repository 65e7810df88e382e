"""Review by events in the window: the Events panel, the keys, the span on the spectrogram, undo.

Joins the app model's :class:`~audioclass_gui.app.event_review.EventReview`
to the widgets: the Events panel (a tab beside Detections) shows the events
and the "Review by" and gap choices; Review › Review by events (E) switches.
In events mode the window's review keys reach the selected event through
:class:`~audioclass_gui.qt.review.review_controller.ReviewController`, which
asks this controller first (A, R, U, S, Up/Down); Space plays the event's
span (the playback glue asks the app model). Each verdict on an event is one
command on the window's undo stack.

Selecting an event selects its best window as the selected detection, so
the detection table, the overlays, the relabel picker and a recording of
the project not yet shown follow as they do for a window; selecting a
window (a click on its box) selects its event.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from audioclass_gui.app.event_review import ReviewUnit
from audioclass_gui.qt.common.docks import add_dock
from audioclass_gui.qt.common.undo import EditCommand
from audioclass_gui.qt.menus import add_action, find_menu
from audioclass_gui.qt.review.event_panel import EventPanel
from audioclass_gui.qt.review.event_span import EventSpanItem

if TYPE_CHECKING:
    import numpy as np

    from audioclass_gui.app import AppModel
    from audioclass_gui.qt.review.review_controller import ReviewController
    from audioclass_gui.review import Edit, Status

__all__ = ["EventController"]


class EventController(QObject):
    """The window's review by events.

    Parameters
    ----------
    app
        The app model (its ``event_review`` holds the state).
    review
        The window's review controller: its table, overlays, view and undo stack.
    window
        The main window: the Events dock and the Review menu's entry go there.

    Attributes
    ----------
    panel : EventPanel
    span : EventSpanItem
        The selected event's box on the spectrogram.
    action : QAction
        Review › Review by events (checkable, E).
    """

    def __init__(self, app: AppModel, review: ReviewController, window: QMainWindow) -> None:
        super().__init__(window)
        self.app, self.review, self.model = app, review, app.event_review
        self.panel = EventPanel(self.model)
        self.table = self.panel.table
        self.dock = add_dock(window, self.panel, "Events", Qt.DockWidgetArea.BottomDockWidgetArea)
        detections = window.findChild(QDockWidget, "dock-detections")
        if detections is not None:
            window.tabifyDockWidget(detections, self.dock)
            detections.raise_()
        self.span = EventSpanItem(review.view.plot)
        menu = find_menu(window, "&Review")
        menu.addSeparator()
        self.action = add_action(
            window, menu, "Review by &events", "E",
            lambda on: self.model.set_mode(ReviewUnit.EVENTS if on else ReviewUnit.WINDOWS),
            "A, R, U, S and Space act on every window of the selected vocal event",
        )
        self.action.setCheckable(True)
        self._stale_table = True
        review.event_review = self  # the review keys ask here first
        self._connect()
        self.panel.show_gap(self.model.gap)

    def _connect(self) -> None:
        model, panel = self.model, self.panel
        panel.unit_chosen.connect(model.set_mode)
        panel.gap_chosen.connect(model.set_gap)
        self.table.event_selected.connect(model.select)
        model.mode_changed.connect(self._on_mode)
        model.gap_changed.connect(panel.show_gap)
        model.listing_changed.connect(self._on_listing)
        model.verdicts_changed.connect(self._on_verdicts)
        model.selection_changed.connect(self._on_selected)
        model.edited.connect(self._push)
        self.dock.visibilityChanged.connect(lambda shown: shown and self._reload_if_stale())
        self.app.recording_opened.connect(self._on_recording)

    # --------------------------------------------- what the review keys ask
    @property
    def active(self) -> bool:
        """True while the review keys act on the selected event (no drawn box selected)."""
        return self.model.active and self.app.review.selected_box is None

    def set_status(self, status: Status, advance: bool = True) -> int | None:
        """Judge every window of the selected event; the judged event's best window, or None."""
        judged = self._judged()
        return judged if self.model.set_status(status, advance=advance) is not None else None

    def relabel(self, scientific_name: str | None, advance: bool = True) -> int | None:
        """Relabel every window of the selected event; the judged event's best window, or None."""
        judged = self._judged()
        return judged if self.model.relabel(scientific_name, advance=advance) is not None else None

    def step(self, delta: int) -> None:
        """Up / Down: the previous / next event in the table's order."""
        self.model.step(delta)

    def _judged(self) -> int | None:
        event = self.model.selected
        return None if event is None else self.model.best(event)

    # ------------------------------------------------------------ app model
    def _push(self, edit: Edit) -> None:
        session = self.app.document.session
        if session is not None:
            self.review.undo_stack.push(EditCommand(session, edit, self.review.failed.emit))

    def _on_mode(self, unit: str) -> None:
        self.panel.show_unit(unit)
        blocker = self.action.blockSignals(True)
        self.action.setChecked(unit == ReviewUnit.EVENTS)
        self.action.blockSignals(blocker)
        if unit == ReviewUnit.EVENTS:
            self.dock.show()
            self.dock.raise_()
            self._reload_if_stale()
            self.app.messages.say(
                "Reviewing by events: A, R, U and S judge every window of the selected event", 8000
            )
        self._draw_span()

    def _on_listing(self) -> None:
        if self.model.active or not self.panel.visibleRegion().isEmpty():
            self._reload()
        else:  # grouped when the panel is next seen
            self._stale_table = True
            self.table.source.clear()

    def _reload_if_stale(self) -> None:
        if self._stale_table:
            self._reload()

    def _reload(self) -> None:
        self._stale_table = False
        self.table.reload(self.model.selected)
        self.panel.show_counts(self.model)
        self._draw_span()

    def _on_verdicts(self, events: np.ndarray) -> None:
        if self._stale_table:
            return
        self.table.source.refresh(events)
        self.panel.show_counts(self.model)
        self._draw_span()

    def _on_selected(self, event: int | None) -> None:
        self.table.select_event(event)
        if event is None:
            self._draw_span()
            return
        current = self.review.selected
        if current is None or self.model.event_of(current.id) != event:
            self.review.select(self.model.best(event))  # table, overlays, its recording
        span = self.model.span(event)
        if self._in_view(span.recording):
            self.review.view.ensure_visible(span.start, span.end)
        self._draw_span()

    def _on_recording(self, _info: object) -> None:
        self.table.source.time_format = self.review.view.time_format
        self.table.viewport().update()
        self._draw_span()

    # ------------------------------------------------------------ drawing
    def _in_view(self, recording: Path) -> bool:
        info = self.app.document.info
        return info is not None and Path(info.path).absolute() == Path(recording).absolute()

    def _draw_span(self) -> None:
        event = self.model.selected
        if not self.model.active or event is None or self.model.events is None:
            self.span.hide_span()
            return
        span = self.model.span(event)
        if not self._in_view(span.recording):
            self.span.hide_span()
            return
        n = int(self.model.events.windows[event])
        text = f"{self.model.species_name(event)} · event of {n} window{'s' * (n != 1)}"
        self.span.show_span(
            span.start, span.end, 0.0, self.review.view.nyquist, self.model.status(event), text
        )
