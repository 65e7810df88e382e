"""The paged view's state: rows per page, row length, overlap, the page shown.

Raven users page whole nights with "lines per page": the spectrogram area
shows a page of stacked rows (see :mod:`audioclass_gui.spectrogram.pages`)
and Page Down turns to the next. This part of the app model holds whether
the paged view is on, its :class:`~audioclass_gui.spectrogram.pages.PageLayout`
and the page shown, and follows the review: selecting a detection of the
open recording anywhere (table, keys, a sample) turns to the page that
shows it. :func:`detection_at` finds the detection under a click.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from psygnal import Signal

from audioclass_gui.review import Detection, DetectionList
from audioclass_gui.spectrogram.pages import PageLayout, RowSpan

if TYPE_CHECKING:
    from audioclass_gui.app.model import AppModel
    from audioclass_gui.audio.info import RecordingInfo

__all__ = ["PagedState", "detection_at"]


def _times(rows: Sequence[Detection]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ids, starts and ends of ``rows`` (columns of a :class:`DetectionList`, else read)."""
    if isinstance(rows, DetectionList):
        cols = rows.session.columns()
        local = rows.locals()
        return rows.ids, cols.start[local], cols.end[local]
    ids = np.fromiter((d.id for d in rows), dtype=np.int64, count=len(rows))
    starts = np.fromiter((d.start for d in rows), dtype=np.float64, count=len(rows))
    ends = np.fromiter((d.end for d in rows), dtype=np.float64, count=len(rows))
    return ids, starts, ends


def detection_at(
    rows: Sequence[Detection],
    seconds: float,
    hz: float,
    band: tuple[float, float],
    selected: int | None = None,
) -> int | None:
    """The detection whose box holds the point ``(seconds, hz)``, if any.

    Parameters
    ----------
    rows
        The detections drawn (a :class:`DetectionList` is read as columns;
        only those under the point are fetched).
    seconds, hz
        The point clicked.
    band
        The frequency span of a detection without a band of its own (the
        whole band, as the boxes are drawn).
    selected
        The selected detection: where boxes overlap (several species in one
        window), a click on the selected one picks the next, so clicking
        again goes through them all.

    Returns
    -------
    int or None
        The id: the smallest box first, then the highest score.
    """
    ids, starts, ends = _times(rows)
    under = np.flatnonzero((starts <= seconds) & (seconds <= ends))
    if not len(under):
        return None
    if isinstance(rows, DetectionList):
        found = rows.session.get_many(ids[under].tolist())
    else:
        found = [rows[int(i)] for i in under]
    hits = []
    for d in found:
        low = band[0] if d.low_freq is None else d.low_freq
        high = band[1] if d.high_freq is None else d.high_freq
        if low <= hz <= high:
            hits.append(((d.end - d.start) * (high - low), -d.score, d.id))
    if not hits:
        return None
    order = [h[2] for h in sorted(hits)]
    if selected in order:
        return order[(order.index(selected) + 1) % len(order)]
    return order[0]


class PagedState:
    """Whether the paged view is on, how it cuts the recording, and the page shown.

    Parameters
    ----------
    app
        The app model: its recording (the length paged through) and its
        review (the selection the page follows).

    Signals
    -------
    changed()
        The layout, the page, the recording's length or the mode changed.
    """

    changed = Signal()

    def __init__(self, app: AppModel) -> None:
        self._app = app
        #: True while the spectrogram area shows pages of rows.
        self.active = False
        #: Rows, row length and overlap.
        self.layout = PageLayout()
        #: The page shown (from 0).
        self.page = 0
        #: Length of the open recording in the view's seconds (0 without one).
        self.duration = 0.0
        app.recording_opened.connect(self._on_recording)
        app.review.selection_changed.connect(self._on_selected)

    # ------------------------------------------------------------ reading
    @property
    def page_count(self) -> int:
        """Pages of the open recording (1 without one)."""
        return self.layout.page_count(self.duration)

    def rows(self) -> list[RowSpan]:
        """The rows of the page shown, top to bottom."""
        return self.layout.page_rows(self.page)

    def span(self) -> tuple[float, float]:
        """Seconds from the page's first row's start to its last row's end (within the recording)."""
        start, end = self.layout.page_span(self.page)
        return start, min(end, self.duration) if self.duration > 0 else end

    # ------------------------------------------------------------ intents
    def set_active(self, active: bool, at: float | None = None) -> None:
        """Turn the paged view on or off; on, show the page holding ``at`` seconds (if given)."""
        if at is not None:
            self.page = self.layout.page_of(at, self.duration)
        self.active = bool(active)
        self.changed.emit()

    def set_layout(self, layout: PageLayout) -> None:
        """Cut the recording another way, keeping the start of the page shown in view."""
        if layout == self.layout:
            return
        first = self.layout.page_span(self.page)[0]
        self.layout = layout
        self.page = layout.page_of(first, self.duration)
        self.changed.emit()

    def show_page(self, page: int) -> None:
        """Show page ``page`` (kept within the recording's pages)."""
        page = self.layout.clamp_page(page, self.duration)
        if page != self.page:
            self.page = page
            self.changed.emit()

    def turn(self, delta: int) -> None:
        """Show the next (+1) or previous (-1) page; nothing past either end."""
        self.show_page(self.page + delta)

    def show_time(self, seconds: float) -> None:
        """Show the page holding ``seconds``."""
        self.show_page(self.layout.page_of(seconds, self.duration))

    def show_span(self, start: float, end: float) -> None:
        """Show ``[start, end]``: the page shown if it holds it whole, else the page of its start."""
        self.show_page(self.layout.page_for_span(start, end, self.duration, self.page))

    # ------------------------------------------------------------ internal
    def _on_recording(self, info: RecordingInfo | None) -> None:
        if info is None:
            self.duration = 0.0
        else:
            self.duration = info.duration / float(info.metadata.time_expansion or 1.0)
        self.page = 0
        self.changed.emit()

    def _on_selected(self, detection_id: int | None) -> None:
        session = self._app.document.session
        if detection_id is None or session is None or not self.active:
            return
        try:
            d = session.get(detection_id)
        except (KeyError, IndexError):
            return
        if self._app.review.in_view(d):
            self.show_span(d.start, d.end)
