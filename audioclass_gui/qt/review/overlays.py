"""Detection boxes and labels drawn over the spectrogram.

A project's recording can hold thousands of detections above the threshold:
the overlay draws them all when they are few (:data:`DRAW_ALL_UP_TO`), else
those in and around the visible time range, redrawn as the view moves.
Where the view is too wide for boxes (more than :data:`DRAW_ALL_UP_TO` in
view, each narrower than :data:`MIN_BOX_PX`, or more than :data:`MAX_DRAWN`) each
detection is a light tick along the top of the band instead
(:mod:`audioclass_gui.qt.review.overlay_ticks`), and only the selected one keeps its
box and label. Wider still, where the ticks would be closer than
:data:`MIN_TICK_PX` on average and merge into a bar, the overlay draws the
density of the detections instead: lanes of counts per time bin
(:mod:`audioclass_gui.qt.review.overlay_density`), when it is given the app
model's :class:`~audioclass_gui.app.density.DetectionDensity`. Zooming in
brings the ticks, then the boxes, back.

Items are reused rather than created and destroyed
(:mod:`audioclass_gui.qt.review.overlay_pool`). What each item shows is
remembered as the whole of it (place, texts, tooltip; status and selection),
and an item is updated whenever any of that differs from the detection as it
reads now, so a relabel, a note, an undo, another session whose ids collide
with the last one's, or an item recycled for another detection can never
leave a box or a label showing something else than the table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Signal

from audioclass_gui.app.density import DetectionDensity
from audioclass_gui.qt.common.tasks import throttled
from audioclass_gui.qt.review.overlay_density import DensityBand, feed_density
from audioclass_gui.qt.review.overlay_items import DetectionBox, DetectionLabel
from audioclass_gui.qt.review.overlay_layout import layout_labels
from audioclass_gui.qt.review.overlay_pool import ItemPool
from audioclass_gui.qt.review.overlay_ticks import TickStrip
from audioclass_gui.review import Detection, DetectionList, Status, Verdict
from audioclass_gui.review.detection import STATUS_ORDER
from audioclass_gui.review.shown import Shown

__all__ = [
    "BOXES",
    "DENSITY",
    "DRAW_ALL_UP_TO",
    "MAX_DRAWN",
    "MIN_BOX_PX",
    "MIN_TICK_PX",
    "TICKS",
    "DetectionOverlay",
]

#: Up to this many detections, all of the recording's are drawn.
DRAW_ALL_UP_TO = 64
#: At most this many boxes are drawn; with more in view, ticks are.
MAX_DRAWN = 400
#: Boxes narrower than this (pixels) give way to ticks.
MIN_BOX_PX = 6.0
#: Ticks closer than this (pixels, on average over the view) merge into a
#: bar: the density is drawn instead (with a density to draw).
MIN_TICK_PX = 3.0
#: How the detections in view are drawn: one box each, one tick each, or
#: their density per time bin.
BOXES, TICKS, DENSITY = "boxes", "ticks", "density"
#: With many detections, items are made ahead (while idle) up to this many,
#: so a threshold lowered for the first time does not create them all at once.
WARM_ITEMS = 240

#: How a detection reads (its verdict, relabel and note applied).
Reader = Callable[[Detection], Shown]
_CODE = {status: code for code, status in enumerate(STATUS_ORDER)}


def _unjudged(d: Detection) -> Shown:
    return Shown(d, Verdict(), d.common_name)


class DetectionOverlay(QObject):
    """Draws each detection over its time window, coloured by status.

    Labels of detections whose windows overlap stack downwards from the top
    of the box, in lanes (:func:`~audioclass_gui.qt.review.overlay_layout.layout_labels`);
    see the module docstring for which are drawn, and how.

    Signals
    -------
    clicked(int)
        A detection's label was clicked (its id).

    Parameters
    ----------
    plot
        The spectrogram's plot.
    parent
        Qt parent.
    density
        The app model's density of the detections shown: given, the overlay
        feeds it what it draws and draws it where ticks would merge; None,
        ticks are drawn however many.
    """

    clicked = Signal(int)

    def __init__(
        self,
        plot: pg.PlotItem,
        parent: QObject | None = None,
        *,
        density: DetectionDensity | None = None,
    ) -> None:
        super().__init__(parent)
        self._plot = plot
        self._boxes: dict[int, DetectionBox] = {}
        self._labels: dict[int, DetectionLabel] = {}
        self._detections: dict[int, Detection] = {}
        self._selected: int | None = None
        self._read: Reader = _unjudged
        self._band: tuple[float, float] = (0.0, 1.0)
        self._lanes: dict[int, int] = {}
        # What each item shows now: place and texts, and (status, selected).
        self._drawn: dict[int, tuple] = {}
        self._styles: dict[int, tuple[Status, bool]] = {}
        # Items not drawn now: hidden ones of detections that may come back, spares.
        self._pool = ItemPool(plot, self._on_label_click)
        # Every detection given (drawn or not), as columns.
        self._rows: Sequence[Detection] = []
        self._ids = np.empty(0, dtype=np.int64)
        self._starts = np.empty(0)
        self._ends = np.empty(0)
        self._scores = np.empty(0)
        self._typical = 0.0  # median length of a detection (s)
        #: Time range drawn, (start, end, tight); None when all are drawn.
        self._window: tuple[float, float, bool] | None = None
        self._dense = False
        self._mode = BOXES
        self._ticks = TickStrip(plot)
        self._density = density
        self._heat = DensityBand(plot, density) if density is not None else None
        self._code_of: Callable[[int], int | None] = lambda _id: None
        plot.getViewBox().sigXRangeChanged.connect(self._on_range)
        self._warm_timer = throttled(self, 40, self._warm)

    # ------------------------------------------------------------ reading
    @property
    def detection_ids(self) -> list[int]:
        """Ids of the detections drawn as boxes now."""
        return list(self._detections)

    @property
    def tick_ids(self) -> list[int]:
        """Ids of the detections drawn as ticks now (a view too wide for boxes)."""
        return self._ticks.ids.tolist()

    def tick_statuses(self) -> dict[int, Status]:
        """The status each tick is drawn in, by detection id."""
        return self._ticks.statuses()

    @property
    def dense(self) -> bool:
        """True while the view is too wide for boxes: ticks or density, and the selected box only."""
        return self._dense

    @property
    def mode(self) -> str:
        """How the detections in view are drawn now: :data:`BOXES`, :data:`TICKS` or :data:`DENSITY`."""
        return self._mode

    @property
    def density_band(self) -> DensityBand | None:
        """The density lanes of the view (None without a density)."""
        return self._heat

    @property
    def up_to_date(self) -> bool:
        """True when what is drawn matches the last :meth:`set_detections` (the density built)."""
        return self._density is None or not self._density.building

    def label_item(self, detection_id: int) -> DetectionLabel:
        """The label item of a drawn detection (for tests and tooltips)."""
        return self._labels[detection_id]

    def box_item(self, detection_id: int) -> DetectionBox:
        """The box item of a drawn detection."""
        return self._boxes[detection_id]

    # ------------------------------------------------------------ changes
    def set_band(self, low: float, high: float) -> None:
        """Frequency span used for detections that carry no band of their own."""
        if (low, high) == self._band:
            return
        self._band = (low, high)
        if self._detections or self._dense:  # drawn before the band was known
            self._draw()

    def set_detections(self, detections: Sequence[Detection], read: Reader) -> None:
        """Draw these detections (replacing what was drawn).

        A :class:`~audioclass_gui.review.DetectionList` is read as columns;
        only the detections that get drawn are fetched.

        Parameters
        ----------
        detections
            The open recording's listed detections.
        read
            How a detection reads now (its verdict, relabel and note applied).
        """
        self._read = read
        if isinstance(detections, DetectionList):
            cols = detections.session.columns()
            local = detections.locals()
            self._rows = detections
            self._ids = detections.ids
            self._starts = cols.start[local]
            self._ends = cols.end[local]
            self._scores = cols.score[local]
        else:
            rows = list(detections)
            self._rows = rows
            n = len(rows)
            self._ids = np.fromiter((d.id for d in rows), dtype=np.int64, count=n)
            self._starts = np.fromiter((d.start for d in rows), dtype=np.float64, count=n)
            self._ends = np.fromiter((d.end for d in rows), dtype=np.float64, count=n)
            self._scores = np.fromiter((d.score for d in rows), dtype=np.float64, count=n)
        self._typical = float(np.median(self._ends - self._starts)) if len(self._ids) else 0.0
        self._feed_density()
        self._draw()

    def fit_labels(self) -> None:
        """Place each label and shorten or hide those that would run into the next one.

        A label may use the free space up to the next label of its lane (see
        :mod:`audioclass_gui.qt.review.overlay_layout`); where that is short its
        species is elided, then it shows the score alone, then nothing. The
        full description stays in the tooltip and the table.
        """
        vb = self._plot.getViewBox()
        seconds_per_px = float(vb.viewPixelSize()[0] or 0.0)
        labels = self._labels
        wanted = {i: labels[i].width_of(labels[i].full_text) for i in self._detections}
        spots = layout_labels(
            self._detections.values(), wanted, vb.viewRange()[0][0], seconds_per_px
        )
        # With density lanes along the top, the selected box's label goes under them.
        below = self._heat.bottom if self._mode == DENSITY and self._heat is not None else None
        for det_id, spot in spots.items():
            label = labels[det_id]
            if self._lanes.get(det_id) != spot.lane:
                self._lanes[det_id] = spot.lane
                label.setAnchor((0, -spot.lane))
            y = self._drawn[det_id][3] if below is None else min(self._drawn[det_id][3], below)
            pos = label.pos()
            if pos.x() != spot.x or pos.y() != y:
                label.setPos(spot.x, y)
            if seconds_per_px > 0:
                label.fit(spot.room_px)

    def refresh_status(self, ids: Sequence[int]) -> None:
        """Redraw these detections after a verdict, a relabel or a note (or their undo)."""
        texts = False
        for det_id in ids:
            d = self._detections.get(det_id)
            if d is not None:
                texts |= self._place(d)
                self._restyle(det_id)
        if texts:
            self.fit_labels()
        if self._density is not None and isinstance(self._rows, DetectionList):
            self._feed_density()  # a relabel moves a detection to another species' lane
            self._focus_selected()
        if self._dense and len(self._ticks.ids):
            ticked = np.asarray(list(ids), dtype=np.int64)
            ticked = ticked[np.isin(ticked, self._ticks.ids)]
            if len(ticked):
                self._ticks.restyle(ticked, self._codes(ticked), self._band)

    def set_selected(self, detection_id: int | None) -> None:
        """Highlight one detection (or none)."""
        previous, self._selected = self._selected, detection_id
        self._focus_selected()
        if self._dense and previous != detection_id:
            self._draw()  # the selected one alone has a box
            return
        for det_id in (previous, detection_id):
            if det_id is not None and det_id in self._detections:
                self._restyle(det_id)

    def clear(self) -> None:
        """Remove every overlay item."""
        for det_id in list(self._detections):
            self._remove(det_id)
        self._pool.clear()
        self._detections = {}
        self._selected = None
        self._rows = []
        self._ids = np.empty(0, dtype=np.int64)
        self._starts = self._ends = self._scores = np.empty(0)
        self._window = None
        self._dense = False
        self._mode = BOXES
        self._ticks.clear()
        if self._density is not None:
            self._density.clear()
        if self._heat is not None:
            self._heat.hide()

    # ------------------------------------------------------------ density
    def _feed_density(self) -> None:
        """Give the app model's density the detections given."""
        if self._density is not None:
            self._code_of = feed_density(self._density, self._rows, self._starts, self._ids)

    def _focus_selected(self) -> None:
        """The selected detection's species gets the first species lane."""
        if self._density is not None:
            selected = self._selected
            self._density.set_focus(None if selected is None else self._code_of(selected))

    # -------------------------------------------------------------- picking
    def _view(self) -> tuple[float, float, float]:
        vb = self._plot.getViewBox()
        x0, x1 = vb.viewRange()[0]
        return x0, x1, float(vb.viewPixelSize()[0] or 0.0)

    def _mode_for(self, x0: float, x1: float, seconds_per_px: float) -> str:
        """How to draw this view: boxes, unless many are too narrow to tell apart or too
        many to draw; then ticks, unless they would merge (and a density is given)."""
        if len(self._ids) <= DRAW_ALL_UP_TO:
            return BOXES
        in_view = np.count_nonzero((self._ends > x0) & (self._starts < x1))
        narrow = seconds_per_px > 0 and self._typical / seconds_per_px < MIN_BOX_PX
        if not (in_view > MAX_DRAWN or (narrow and in_view > DRAW_ALL_UP_TO)):
            return BOXES
        if self._heat is not None and in_view * MIN_TICK_PX * seconds_per_px > x1 - x0:
            return DENSITY
        return TICKS

    def _pick(self) -> tuple[np.ndarray, tuple[float, float, bool] | None]:
        """Positions (in the given rows) to draw, and the time window they cover."""
        n = len(self._ids)
        x0, x1, _spp = self._view()
        if n <= DRAW_ALL_UP_TO and not self._dense:
            return np.arange(n), None
        margin = max(x1 - x0, 1e-6) / 4  # small pans need no redraw
        w0, w1 = x0 - margin, x1 + margin
        pick = np.flatnonzero((self._ends > w0) & (self._starts < w1))
        if not self._dense and len(pick) > MAX_DRAWN:  # exactly the view, redrawn on every move
            pick = np.flatnonzero((self._ends > x0) & (self._starts < x1))
            return pick, (x0, x1, True)
        return pick, (w0, w1, False)

    def _codes(self, ids: np.ndarray) -> np.ndarray:
        """Status code of each id (a position in ``STATUS_ORDER``)."""
        rows = self._rows
        if isinstance(rows, DetectionList):
            cols = rows.session.columns()
            return cols.status[np.asarray(ids, dtype=np.int64) - cols.first_id].astype(np.int64)
        by_id = {d.id: d for d in rows}
        return np.fromiter(
            (_CODE[self._read(by_id[int(i)]).status] for i in ids), dtype=np.int64, count=len(ids)
        )

    def _draw(self) -> None:
        x0, x1, spp = self._view()
        self._mode = self._mode_for(x0, x1, spp)
        self._dense = self._mode != BOXES
        selected = self._selected
        if self._mode == DENSITY:  # no ticks, no window: the band follows the view
            self._window = None
            self._ticks.clear()
            self._heat.show()  # type: ignore[union-attr]
            ids = self._ids[self._ids == selected] if selected is not None else self._ids[:0]
        else:
            if self._heat is not None:
                self._heat.hide()
            pick, self._window = self._pick()
            ids = self._ids[pick]
            if self._dense:
                self._draw_ticks(pick)
                ids = ids[ids == selected] if selected is not None else ids[:0]
            else:
                self._ticks.clear()
        rows = self._rows
        if isinstance(rows, DetectionList):
            chosen = rows.session.get_many(ids.tolist())
        else:
            keep = set(ids.tolist())
            chosen = [d for d in rows if d.id in keep]
        wanted = {d.id: d for d in chosen}
        for det_id in [i for i in self._detections if i not in wanted]:
            self._remove(det_id)
        self._detections = wanted
        for d in chosen:
            self._place(d)
        for det_id in wanted:
            self._restyle(det_id)
        self.fit_labels()
        if self._window is not None:
            self._warm_timer.throttle()

    def _draw_ticks(self, pick: np.ndarray) -> None:
        ids = self._ids[pick]
        middles = (self._starts[pick] + self._ends[pick]) / 2
        self._ticks.set_ticks(ids, middles, self._codes(ids), self._band)

    def _on_range(self, _vb, x_range) -> None:
        if not len(self._ids):
            return
        x0, x1 = x_range
        if self._mode_for(x0, x1, self._view()[2]) != self._mode:
            self._draw()
            return
        if self._mode == DENSITY:
            self._heat.update()  # type: ignore[union-attr]
            return
        window = self._window
        if window is None:
            return
        w0, w1, tight = window
        if x0 < w0 or x1 > w1 or tight or (x1 - x0) * 4 < (w1 - w0):
            self._draw()

    # ---------------------------------------------------------------- items
    def _items(self, det_id: int) -> tuple[DetectionBox, DetectionLabel]:
        box = self._boxes.get(det_id)
        if box is not None:
            return box, self._labels[det_id]
        # Items drawn before for this id come with what they showed: _place
        # and _restyle compare that with the detection as it reads now.
        box, label, drawn, style = self._pool.take(det_id)
        for cache, value in ((self._drawn, drawn), (self._styles, style)):
            if value is None:
                cache.pop(det_id, None)
            else:
                cache[det_id] = value
        self._boxes[det_id] = box
        self._labels[det_id] = label
        return box, label

    def _warm(self) -> None:
        """Make a few spare items while the app is idle (creating one costs ~1 ms)."""
        if self._window is None:
            return
        if self._pool.make_spares(WARM_ITEMS - len(self._boxes)):
            self._warm_timer.throttle()

    def _place(self, d: Detection) -> bool:
        """Put a detection's items in place with its texts; True if the texts changed.

        What the items show is remembered as the detection as it reads (its
        verdict, relabel, note), its place and the time format of the axis;
        the texts are made again only when that changed.
        """
        shown = self._read(d)
        low = d.low_freq if d.low_freq is not None else self._band[0]
        high = d.high_freq if d.high_freq is not None else self._band[1]
        box, label = self._items(d.id)
        time_format = self._plot.getAxis("bottom").time_format  # times as the axis writes them
        drawn = (d.start, d.end, low, high, shown, time_format)
        before = self._drawn.get(d.id)
        if before == drawn:
            return False
        self._drawn[d.id] = drawn
        texts = before is None or before[4:] != drawn[4:]
        if texts:
            label.set_texts(shown.species_text, shown.score_text)
            label.setToolTip(shown.tooltip(time_format.span))
        if before is None or before[:4] != drawn[:4]:
            box.setRect(QRectF(d.start, low, d.end - d.start, high - low))
            label.setPos(d.start, high)  # then laid out (lane, pinned into view) by fit_labels
        return texts

    def _restyle(self, det_id: int) -> None:
        status = self._read(self._detections[det_id]).status
        selected = det_id == self._selected
        if self._styles.get(det_id) == (status, selected):
            return
        self._styles[det_id] = (status, selected)
        self._boxes[det_id].set_style(status, selected)
        self._labels[det_id].set_style(status, selected)

    def _remove(self, det_id: int) -> None:
        box = self._boxes.pop(det_id, None)
        label = self._labels.pop(det_id, None)
        drawn = self._drawn.pop(det_id, None)
        style = self._styles.pop(det_id, None)
        if box is not None and label is not None:
            self._pool.put(det_id, (box, label, drawn, style))
        self._detections.pop(det_id, None)
        self._lanes.pop(det_id, None)

    def _on_label_click(self, det_id: int, double: bool) -> None:
        self.clicked.emit(det_id)
