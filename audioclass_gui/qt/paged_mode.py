"""View › Paged view: the spectrogram area as a page of rows, joined to the window.

Raven's reviewers set "lines per page" on the spectrogram itself and page
through a night with Page Down, so the paged view takes the place of the
single spectrogram in the window (with the timeline strip, the table and
the panels around it unchanged) rather than opening in a window of its own:
a page of rows needs the whole width and most of the height, and the keys
that page, select and play are the ones the reviewer already uses.

:class:`PagedMode` joins the :class:`~audioclass_gui.qt.spectrogram.paged_view.PagedView`
to the app model and the window, as the window's other glue does:

- the page comes from :attr:`AppModel.paged <audioclass_gui.app.model.AppModel.paged>`;
  PgDn / PgUp (the keys of View › Next / Previous page, taken over while the
  paged view shows) and Home / End turn it, and so do the timeline strip
  and selecting a detection anywhere;
- rows draw the detections the list shows at its thresholds, with the
  review's own overlay (:class:`~audioclass_gui.qt.review.overlays.DetectionOverlay`);
  a click on a box or a label selects it through the review (the table
  follows), a click elsewhere puts the playback cursor there;
- rows draw the reviewer's boxes and time intervals too, and B / I draw
  new ones in a row (:class:`~audioclass_gui.qt.paged_boxes.PagedBoxes`);
- the rows use the main spectrogram's settings, levels, colours, frequency
  band and time format, and show the playhead;
- rows per page, row length and overlap are kept in the settings file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from audioclass_gui.app.paged_state import detection_at
from audioclass_gui.qt.common.settings import open_settings
from audioclass_gui.qt.common.tasks import throttled
from audioclass_gui.qt.menus import add_action, find_menu
from audioclass_gui.qt.paged_boxes import PagedBoxes
from audioclass_gui.qt.review.overlays import DetectionOverlay
from audioclass_gui.review import DetectionList
from audioclass_gui.spectrogram.pages import PageLayout

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from audioclass_gui.qt.main_window import MainWindow
    from audioclass_gui.review import ReviewSession

__all__ = ["SETTINGS_GROUP", "TOGGLE_KEY", "PagedMode", "load_layout", "save_layout"]

#: Key that shows or hides the paged view (View › Paged view).
TOGGLE_KEY = "Ctrl+L"
#: Group of the paged view's keys in the settings file.
SETTINGS_GROUP = "paged"
#: Detections are drawn again at most this often (ms) while a model runs.
REFRESH_MS = 150


def load_layout(store: QSettings) -> PageLayout:
    """The rows, row length and overlap kept in ``store`` (the defaults where unset or bad)."""
    default = PageLayout()
    try:
        rows = int(store.value(f"{SETTINGS_GROUP}/rows", default.rows))
        seconds = float(store.value(f"{SETTINGS_GROUP}/row_seconds", default.row_seconds))
        overlap = float(store.value(f"{SETTINGS_GROUP}/overlap", default.overlap))
        return PageLayout(rows, seconds, overlap)
    except (TypeError, ValueError):
        return default


def save_layout(store: QSettings, layout: PageLayout) -> None:
    """Keep ``layout`` in ``store``."""
    store.setValue(f"{SETTINGS_GROUP}/rows", layout.rows)
    store.setValue(f"{SETTINGS_GROUP}/row_seconds", layout.row_seconds)
    store.setValue(f"{SETTINGS_GROUP}/overlap", layout.overlap)
    store.sync()


class PagedMode(QObject):
    """The paged view of a window, its actions and what it follows.

    Parameters
    ----------
    window
        The main window, with its views, controllers and menus made.
    settings
        Where rows, row length and overlap are kept (:func:`open_settings` when None).

    Attributes
    ----------
    view : PagedView
    boxes : PagedBoxes
        The drawn boxes in the rows, and drawing there.
    toggle_action, next_action, previous_action, first_action, last_action : QAction
    """

    def __init__(self, window: MainWindow, settings: QSettings | None = None) -> None:
        from audioclass_gui.qt.spectrogram.paged_view import PagedView

        super().__init__(window)
        self.window = window
        self.app = app = window.app
        self.state = app.paged
        self._store = settings if settings is not None else open_settings()
        self.view = PagedView(window.runner, window.view.display_levels, self._overlay, window)
        self.view.hide()
        area = window.view.parentWidget().layout()
        area.insertWidget(area.indexOf(window.view) + 1, self.view, 1)
        self._session: ReviewSession | None = None
        self._rows: DetectionList | list = []
        self._stale = True  # the detections drawn may be out of date
        self._in_status = False  # within a session's status_changed
        self._refresh_timer = throttled(self, REFRESH_MS, self.refresh)
        self._taken: list[tuple[QAction, list[QKeySequence]]] = []
        self.state.set_layout(load_layout(self._store))
        self.view.set_layout_values(self.state.layout)
        self._make_actions()
        self._connect()
        self.boxes = PagedBoxes(window, self.view, self.state)

    # ------------------------------------------------------------ actions
    def _make_actions(self) -> None:
        w, menu = self.window, find_menu(self.window, "&View")
        menu.addSeparator()
        self.toggle_action = add_action(
            w, menu, "Pa&ged view (rows per page)", TOGGLE_KEY, self.toggle,
            "Show the recording as pages of stacked rows, as Raven's lines per page",
        )  # fmt: skip
        self.toggle_action.setCheckable(True)
        pages = menu.addMenu("Pages of &rows")
        self.next_action = add_action(w, pages, "&Next page", None, lambda: self.state.turn(+1))
        self.previous_action = add_action(w, pages, "&Previous page", None, lambda: self.state.turn(-1))
        self.first_action = add_action(w, pages, "&First page", None, lambda: self.state.show_page(0))
        self.last_action = add_action(
            w, pages, "&Last page", None, lambda: self.state.show_page(self.state.page_count - 1)
        )
        # While the paged view shows, these take the keys of the single
        # view's paging and Home / End (see _take_keys).
        self._mine = {
            "PgDown": self.next_action,
            "PgUp": self.previous_action,
            "Home": self.first_action,
            "End": self.last_action,
        }
        for action in self._mine.values():
            action.setEnabled(False)

    def _take_keys(self, take: bool) -> None:
        """Give the single view's paging keys to the page actions (``take``), or back."""
        if take:
            mine = set(self._mine.values())
            for key, action in self._mine.items():
                seq = QKeySequence(key)
                for other in self.window.actions():
                    if other not in mine and any(s == seq for s in other.shortcuts()):
                        self._taken.append((other, other.shortcuts()))
                        other.setShortcuts([s for s in other.shortcuts() if s != seq])
                action.setShortcut(seq)
                action.setEnabled(True)
        else:
            for action in self._mine.values():
                action.setShortcut(QKeySequence())
                action.setEnabled(False)
            for other, keys in self._taken:
                other.setShortcuts(keys)
            self._taken = []

    # ------------------------------------------------------------- wiring
    def _overlay(self, plot) -> DetectionOverlay:
        return DetectionOverlay(plot, self.view)

    def _connect(self) -> None:
        w, app, view = self.window, self.app, self.view
        self.state.changed.connect(self._render)
        view.layout_edited.connect(self._on_layout_edited)
        view.turn_requested.connect(self.state.turn)
        view.point_clicked.connect(self._on_point)
        view.label_clicked.connect(self._on_label)
        app.recording_opened.connect(self._on_recording)
        app.document.events.session.connect(self._on_session)
        app.review.listing_changed.connect(self._mark_stale)
        app.review.selection_changed.connect(view.set_selected)
        app.playback.cursor_changed.connect(view.set_cursor)
        w.review.counts_changed.connect(lambda _counts: self._on_counts())
        w.spectrogram_settings.params_changed.connect(lambda _p: view.set_params(w.view.params))
        w.view.viewbox.sigYRangeChanged.connect(
            lambda *_a: view.set_frequency_range(*w.view.frequency_range())
        )
        w.view.view_changed.connect(lambda *_a: self._show_page_on_timeline())
        w.timeline.range_requested.connect(self._on_timeline)
        w.playback.position_changed.connect(self._on_playhead)

    # ------------------------------------------------------------ intents
    def toggle(self) -> None:
        """Show the paged view, or the single spectrogram again."""
        self.set_active(not self.state.active)

    def set_active(self, active: bool) -> None:
        """Show the paged view (at the page of the single view's middle) or leave it.

        Leaving it, the single spectrogram shows the page the paged view was on.
        """
        if active == self.state.active:
            return
        if active:
            start, end = self.window.view.visible_range()
            self.state.set_active(True, at=(start + end) / 2)
        else:
            span = self.state.span()
            self.state.set_active(False)
            if self.app.document.info is not None:
                self.window.view.set_visible_range(*span)

    def refresh(self) -> None:
        """Draw the detections the list shows (the open recording's) in every row."""
        self._refresh_timer.cancel()
        self._stale = False
        session, review = self.app.document.session, self.app.review
        rows = review.listed(session, lazy=True)
        if review.recording is not None:
            if isinstance(rows, DetectionList):
                rows = rows.in_recording(review.recording)
            else:
                rows = [d for d in rows if review.in_view(d)]
        self._rows = rows
        self.view.set_detections(rows, self.window.review.read)
        self.view.set_selected(review.selected)

    # ------------------------------------------------------------ render
    def _render(self) -> None:
        state, w = self.state, self.window
        self.toggle_action.setChecked(state.active)
        if state.active == self.view.isHidden():
            w.view.setVisible(not state.active)
            self.view.setVisible(state.active)
            self._take_keys(state.active)
            if not state.active:
                self.view.release()  # its memory goes while the single view shows
        if not state.active or self.view.info is not self.app.document.info:
            return  # off, or the recording's rows come with _on_recording
        if self._stale:
            self.refresh()
        self.view.set_frequency_range(*w.view.frequency_range())
        layout, page = state.layout, state.page
        neighbours = [layout.page_rows(p) for p in (page + 1, page - 1) if 0 <= p < state.page_count]
        self.view.show_page(state.rows(), page, state.page_count, neighbours)
        self._show_page_on_timeline()

    def _show_page_on_timeline(self) -> None:
        if self.state.active and self.app.document.info is not None:
            self.window.timeline.set_visible(*self.state.span())

    # ------------------------------------------------------------- events
    def _on_recording(self, info) -> None:
        w = self.window
        self.view.set_recording(info, w.view.params, w.view.time_format)
        self.view.set_band(0.0, w.view.nyquist)
        self._mark_stale()
        self._render()

    def _on_session(self, session: ReviewSession | None) -> None:
        if self._session is not None:
            self._session.status_changed.disconnect(self._status_starts)
            self._session.status_changed.disconnect(self._status_ends)
        self._session = session
        if session is not None:
            # Verdicts restyle the boxes drawn; the counts the review announces
            # meanwhile do not mean the list changed (see _on_counts).
            session.status_changed.connect(self._status_starts, priority=10)
            session.status_changed.connect(self._status_ends, priority=-10)
        self._mark_stale()

    def _status_starts(self, ids: list) -> None:
        self._in_status = True
        self.view.refresh_status(ids)

    def _status_ends(self, _ids: list) -> None:
        self._in_status = False

    def _on_counts(self) -> None:
        """The review listed again (a run, an import, a sample...), unless a verdict only recounted."""
        if not self._in_status:
            self._mark_stale()

    def _mark_stale(self) -> None:
        self._stale = True
        if self.state.active:
            self._refresh_timer.throttle()

    def _on_layout_edited(self, layout: PageLayout) -> None:
        save_layout(self._store, layout)
        self.state.set_layout(layout)

    def _on_point(self, seconds: float, hz: float) -> None:
        """A click in a row: the detection under it, else the playback cursor."""
        band = (0.0, self.window.view.nyquist)
        hit = detection_at(self._rows, seconds, hz, band, self.app.review.selected)
        if hit is not None:
            self.window.review.select(hit)
            return
        self.window.boxes.select(None)  # as a click on empty spectrogram
        self.app.playback.set_cursor(seconds)
        playback = self.window.playback
        if playback.state != "stopped":
            playback.seek(seconds)

    def _on_label(self, detection_id: int) -> None:
        """A label: select its detection and play it, as on the single spectrogram."""
        self.window.review.select(detection_id)
        self.window.play_selected()

    def _on_timeline(self, start: float, end: float) -> None:
        if self.state.active:
            self.state.show_time((start + end) / 2)

    def _on_playhead(self, seconds: float | None) -> None:
        self.view.set_playhead(seconds)
        if seconds is None or not self.state.active or not self.window.playback_bar.follow:
            return
        start, end = self.state.span()
        if not start <= seconds < end:
            self.state.show_time(seconds)
