"""The paged view: a page of stacked spectrogram rows, as Raven's "lines per page".

Raven users page through whole nights with several lines of spectrogram per
page; this view does the same in place of the single spectrogram (View ›
Paged view). It shows what it is told (the rows of the page in
:class:`~audioclass_gui.app.paged_state.PagedState`) and says what the user
did; it owns no review state:

- a bar with the rows per page, the row length and the overlap (edits are
  announced as a :class:`~audioclass_gui.spectrogram.pages.PageLayout`), the
  page number and buttons to turn it;
- one :class:`~audioclass_gui.qt.spectrogram.paged_rows.PagedRow` per row,
  all fed by one :class:`~audioclass_gui.qt.spectrogram.paged_tiles.PagedTiles`
  loader: FFTs and decoding run in the window's pool, and the pages beside
  the one shown are computed next;
- clicks: a point of a row (seconds, Hz), or a detection's label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.qt.common.tasks import TaskRunner
from audioclass_gui.qt.common.time_format import TimeFormat
from audioclass_gui.qt.spectrogram.paged_rows import OverlayFactory, PagedRow
from audioclass_gui.qt.spectrogram.paged_tiles import PagedTiles
from audioclass_gui.qt.spectrogram.spectrogram_levels import DisplayLevels
from audioclass_gui.qt.spectrogram.spectrogram_tiles import OVERSAMPLE
from audioclass_gui.qt.spectrogram.view_coordinates import ViewCoordinates
from audioclass_gui.review import Detection
from audioclass_gui.review.shown import Shown
from audioclass_gui.spectrogram import SpectrogramParams, TileSpec
from audioclass_gui.spectrogram.layout import plan_view
from audioclass_gui.spectrogram.pages import (
    MAX_ROWS,
    MIN_ROW_SECONDS,
    PageLayout,
    RowSpan,
)

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo

__all__ = ["MAX_ROW_SECONDS", "PagedView"]

#: Longest row offered, in seconds (a page of 12 rows then shows 12 hours).
MAX_ROW_SECONDS = 3600.0


class PagedView(QWidget):
    """Rows of spectrogram, a page at a time.

    Parameters
    ----------
    runner
        The window's pool (tiles are computed there).
    levels
        Levels and colour map to draw with (the main view's).
    make_overlay
        Makes each row's detection overlay on its plot (None: none drawn).
    parent
        Qt parent.

    Signals
    -------
    layout_edited(object)
        The user set rows, row length or overlap: the new :class:`PageLayout`.
    turn_requested(int)
        A page button: +1 next, -1 previous.
    point_clicked(float, float)
        A row was clicked at (seconds, Hz) inside the recording, not on a label.
    label_clicked(int)
        A detection's label was clicked (its id).
    painted()
        Every row of the page shown is drawn in full.
    page_shown()
        The rows show a page (another page, layout or recording): what is
        drawn over them by others (drawn boxes) is drawn again.
    """

    layout_edited = Signal(object)
    turn_requested = Signal(int)
    point_clicked = Signal(float, float)
    label_clicked = Signal(int)
    painted = Signal()
    page_shown = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        levels: DisplayLevels,
        make_overlay: OverlayFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("paged-view")
        self._levels = levels
        self._make_overlay = make_overlay
        self.tiles = PagedTiles(runner, parent=self)
        self._coords: ViewCoordinates | None = None
        self._params = SpectrogramParams()
        self._time_format = TimeFormat()
        self._band: tuple[float, float] | None = None
        self._detections: Sequence[Detection] = []
        self._read: Callable[[Detection], Shown] | None = None
        self._selected: int | None = None
        self._playhead: float | None = None
        self._cursor: float | None = None
        self._neighbours: list[list[RowSpan]] = []
        self._was_painted = False
        self.rows: list[PagedRow] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        outer.addLayout(self._make_bar())
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#111418")
        self.graphics.ci.setSpacing(0)
        self.graphics.ci.setContentsMargins(2, 2, 8, 2)
        outer.addWidget(self.graphics, 1)
        self.graphics.scene().sigMouseClicked.connect(self._on_click)

    def _make_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        self.rows_box = QSpinBox()
        self.rows_box.setRange(1, MAX_ROWS)
        self.rows_box.setToolTip("Rows of spectrogram on a page")
        self.seconds_box = self._seconds_box(MIN_ROW_SECONDS * 5, MAX_ROW_SECONDS)
        self.seconds_box.setToolTip("Seconds of recording in a row")
        self.overlap_box = self._seconds_box(0.0, MAX_ROW_SECONDS / 2)
        self.overlap_box.setToolTip(
            "Seconds each row repeats of the row above (and the next page of the last row),\n"
            "so a call cut at a row's end is seen whole at the start of the next"
        )
        self.previous_button = QToolButton(text="◀")
        self.previous_button.setToolTip("Previous page (PgUp)")
        self.next_button = QToolButton(text="▶")
        self.next_button.setToolTip("Next page (PgDn)")
        self.page_label = QLabel("No recording")
        for widget in (
            QLabel("Rows"), self.rows_box, QLabel("of"), self.seconds_box,
            QLabel("overlap"), self.overlap_box,
        ):  # fmt: skip
            bar.addWidget(widget)
        bar.addSpacing(16)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        for box in (self.rows_box, self.seconds_box, self.overlap_box):
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._on_layout_edit)
        self.previous_button.clicked.connect(lambda: self.turn_requested.emit(-1))
        self.next_button.clicked.connect(lambda: self.turn_requested.emit(+1))
        return bar

    @staticmethod
    def _seconds_box(low: float, high: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setDecimals(1)
        box.setRange(low, high)
        box.setSuffix(" s")
        box.setSingleStep(1.0)
        return box

    # ------------------------------------------------------------ the page
    @property
    def info(self) -> RecordingInfo | None:
        """The recording shown, if any."""
        return None if self._coords is None else self._coords.info

    @property
    def page_painted(self) -> bool:
        """True when every row of the page shown is drawn in full."""
        return bool(self.rows) and all(row.painted for row in self.rows)

    def set_layout_values(self, layout: PageLayout) -> None:
        """Show ``layout`` in the bar (announces nothing)."""
        boxes = (self.rows_box, self.seconds_box, self.overlap_box)
        for box in boxes:
            box.blockSignals(True)
        self.rows_box.setValue(layout.rows)
        self.seconds_box.setValue(layout.row_seconds)
        self.overlap_box.setMaximum(layout.row_seconds / 2)
        self.overlap_box.setValue(layout.overlap)
        for box in boxes:
            box.blockSignals(False)

    def show_page(
        self,
        rows: Sequence[RowSpan],
        page: int,
        page_count: int,
        neighbours: Sequence[Sequence[RowSpan]] = (),
    ) -> None:
        """Show these rows (page ``page`` of ``page_count``); compute ``neighbours`` next."""
        self._set_row_count(len(rows))
        for row, span in zip(self.rows, rows, strict=True):
            row.show_span(span)
            row.set_playhead(self._playhead)
            row.set_cursor(self._cursor)
            if row.overlay is not None:
                row.overlay.fit_labels()
        self._neighbours = [list(n) for n in neighbours]
        self._describe(rows, page, page_count)
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < page_count - 1)
        self._was_painted = False
        self._prefetch()
        self.page_shown.emit()
        self._check_painted()

    def _describe(self, rows: Sequence[RowSpan], page: int, page_count: int) -> None:
        if self._coords is None or not rows:
            self.page_label.setText("No recording")
            return
        fmt, end = self._time_format, min(rows[-1].end, self._coords.duration)
        decimals = 0 if all(float(r.start).is_integer() for r in rows) else 1
        self.page_label.setText(
            f"Page {page + 1} of {page_count}   "
            f"{fmt.text(rows[0].start, decimals)} – {fmt.text(end, decimals)}"
        )

    def _set_row_count(self, count: int) -> None:
        while len(self.rows) > count:
            self.rows.pop().remove()
        while len(self.rows) < count:
            row = PagedRow(self.graphics.ci, self.tiles, self._levels, self._make_overlay, self)
            if row.overlay is not None and hasattr(row.overlay, "clicked"):
                row.overlay.clicked.connect(self.label_clicked)
            row.tiles.detail_painted.connect(self._check_painted)
            row.viewbox.sigResized.connect(lambda *_a, r=row: self._on_resized(r))
            if self._coords is not None:
                row.set_recording(self._coords, self._params, self._time_format)
            if self._band is not None:
                row.set_frequency_range(*self._band)
            if row.overlay is not None and self._read is not None:
                row.overlay.set_detections(self._detections, self._read)
                row.overlay.set_selected(self._selected)
            self.rows.append(row)
        for i, row in enumerate(self.rows):  # the time axis's title under the last row only
            row.set_time_format(self._time_format, label=i == len(self.rows) - 1)

    def _on_resized(self, row: PagedRow) -> None:
        if row.overlay is not None:
            row.overlay.fit_labels()
        if self.rows and row is self.rows[0]:
            self._prefetch()

    def _prefetch(self) -> None:
        """Ask for the tiles of the pages beside this one (next first)."""
        coords = self._coords
        if coords is None or not self.rows or not self._neighbours:
            return
        width = max(100, int(self.rows[0].viewbox.width() or 800))
        scale, frames = coords.frames_per_second, coords.info.frames
        wanted: list[TileSpec] = []
        for page in self._neighbours:
            for span in page:
                if span.start >= coords.duration:
                    continue
                plan = plan_view(
                    span.start * scale, min(span.end, coords.duration) * scale, width,
                    self._params.min_hop, frames, oversample=OVERSAMPLE,
                )  # fmt: skip
                wanted.extend(s for s in plan.visible if s not in wanted)
        self.tiles.set_prefetch(wanted)

    def _check_painted(self) -> None:
        if not self._was_painted and self.page_painted:
            self._was_painted = True
            self.painted.emit()

    def row_at(self, scene_pos) -> PagedRow | None:
        """The row whose plot area holds the scene point ``scene_pos`` (None: none)."""
        return next((row for row in self.rows if row.holds_scene_point(scene_pos)), None)

    # ----------------------------------------------------------- recording
    def set_recording(
        self, info: RecordingInfo, params: SpectrogramParams, time_format: TimeFormat
    ) -> None:
        """Show a new recording (its pages come with :meth:`show_page`)."""
        self._coords = coords = ViewCoordinates.of(info)
        self._params, self._time_format = params, time_format
        self._detections, self._selected = [], None
        self.tiles.reset(info, params)
        for i, row in enumerate(self.rows):
            row.set_recording(coords, params, time_format)
            row.set_time_format(time_format, label=i == len(self.rows) - 1)

    def set_params(self, params: SpectrogramParams) -> None:
        """Compute with new analysis settings (the images of the old ones are dropped)."""
        if params == self._params:
            return
        self._params = params
        if self._coords is None:
            return
        self.tiles.reset(self._coords.info, params)
        for row in self.rows:
            row.set_params(params)
        if self.isVisible():  # a hidden view computes nothing
            for row in self.rows:
                row.tiles.update()
            self._was_painted = False
            self._prefetch()

    def release(self) -> None:
        """Let go of every image and cached tile: the view is put away (:meth:`show_page` redraws)."""
        for row in self.rows:
            row.set_params(self._params)  # drops the row's images
        self.tiles.release()
        self._was_painted = False

    def set_frequency_range(self, low: float, high: float) -> None:
        """Show ``[low, high]`` Hz in every row (the main view's band)."""
        if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
            return
        self._band = (low, high)
        for row in self.rows:
            row.set_frequency_range(low, high)

    # ---------------------------------------------------------- detections
    def set_detections(self, detections: Sequence[Detection], read: Callable[[Detection], Shown]) -> None:
        """Draw these detections (the open recording's listed ones) in every row."""
        self._detections, self._read = detections, read
        for row in self.rows:
            if row.overlay is not None:
                row.overlay.set_detections(detections, read)
                row.overlay.set_selected(self._selected)

    def set_selected(self, detection_id: int | None) -> None:
        """Highlight this detection (or none) in every row."""
        self._selected = detection_id
        for row in self.rows:
            if row.overlay is not None:
                row.overlay.set_selected(detection_id)

    def refresh_status(self, ids: Sequence[int]) -> None:
        """Redraw these detections after a verdict, a relabel or a note."""
        for row in self.rows:
            if row.overlay is not None:
                row.overlay.refresh_status(ids)

    def set_band(self, low: float, high: float) -> None:
        """Frequency span of detections without a band of their own (the recording's)."""
        for row in self.rows:
            row.overlay_band(low, high)

    # ------------------------------------------------------------ playback
    def set_playhead(self, seconds: float | None) -> None:
        """Show the playhead in the rows that show ``seconds`` (None hides it)."""
        self._playhead = seconds
        for row in self.rows:
            row.set_playhead(seconds)

    def set_cursor(self, seconds: float | None) -> None:
        """Show the playback cursor (the time last clicked) in the rows that show it."""
        self._cursor = seconds
        for row in self.rows:
            row.set_cursor(seconds)

    # ------------------------------------------------------------ internal
    def _on_layout_edit(self, *_args) -> None:
        seconds = self.seconds_box.value()
        self.overlap_box.setMaximum(seconds / 2)
        overlap = min(self.overlap_box.value(), seconds / 2)
        self.layout_edited.emit(PageLayout(self.rows_box.value(), seconds, overlap))

    def _on_click(self, event) -> None:
        if event.isAccepted() or event.button() != Qt.MouseButton.LeftButton:
            return
        coords = self._coords
        if coords is None:
            return
        pos = event.scenePos()
        row = self.row_at(pos)
        if row is not None:
            seconds, hz = row.map_scene(pos)
            if math.isfinite(seconds) and 0.0 <= seconds <= coords.duration:
                self.point_clicked.emit(seconds, hz)
