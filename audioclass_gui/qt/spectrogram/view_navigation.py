"""Moving around a spectrogram: paging, panning, zooming time and frequency.

:class:`ViewNavigation` moves one view box in the view's coordinates
(seconds and Hz of the recording) and keeps it inside the recording's
extent, which it is told when a recording opens.
:class:`SpectrogramViewBox` turns the wheel and Shift+drag into zooms and
selections.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

__all__ = ["PAGE_OVERLAP", "SpectrogramViewBox", "ViewNavigation"]

#: Fraction of the view kept on screen when paging (PgDn / PgUp).
PAGE_OVERLAP = 0.1


class SpectrogramViewBox(pg.ViewBox):
    """Wheel zooms time (Shift+wheel: frequency); Shift+drag selects a time range."""

    selection_dragged = Signal(float, float, bool)

    def wheelEvent(self, ev, axis=None):
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            ev.accept()
            factor = 0.85 ** (ev.delta() / 120.0)
            centre = self.mapSceneToView(ev.scenePos())
            self.scaleBy(y=factor, center=centre)
            return
        super().wheelEvent(ev, axis)

    def mouseDragEvent(self, ev, axis=None):
        if (
            ev.button() == Qt.MouseButton.LeftButton
            and ev.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            ev.accept()
            a = self.mapSceneToView(ev.buttonDownScenePos()).x()
            b = self.mapSceneToView(ev.scenePos()).x()
            self.selection_dragged.emit(min(a, b), max(a, b), ev.isFinish())
            return
        super().mouseDragEvent(ev, axis)


class ViewNavigation:
    """Zoom, pan and paging of one view box, kept inside the recording.

    Without a recording (before :meth:`set_extent`) ranges are shown as
    asked.

    Parameters
    ----------
    viewbox
        The view box moved.
    """

    def __init__(self, viewbox: pg.ViewBox) -> None:
        self._viewbox = viewbox
        self._duration: float | None = None  # None: no recording
        self._nyquist = 0.0
        self._band: tuple[float, float] | None = None

    def set_extent(self, duration: float, nyquist: float) -> None:
        """The recording's length (s) and top frequency (Hz): the view stays inside."""
        self._duration, self._nyquist = duration, nyquist
        self._viewbox.setLimits(
            xMin=0.0,
            xMax=duration,
            yMin=0.0,
            yMax=nyquist,
            minXRange=min(0.01, duration),
        )

    def set_band(self, low: float, high: float) -> None:
        """The frequency band :meth:`reset_frequency` shows (Hz)."""
        self._band = (low, high)

    def visible_range(self) -> tuple[float, float]:
        """The visible time range in seconds."""
        x0, x1 = self._viewbox.viewRange()[0]
        return float(x0), float(x1)

    def frequency_range(self) -> tuple[float, float]:
        """The visible frequency range in Hz."""
        y0, y1 = self._viewbox.viewRange()[1]
        return float(y0), float(y1)

    def set_visible_range(self, start: float, end: float) -> None:
        """Show ``[start, end]`` seconds, clamped to the recording."""
        if self._duration is not None:
            duration = self._duration
            span = min(max(end - start, 1e-3), duration)
            start = max(0.0, min(start, duration - span))
            end = start + span
        self._viewbox.setXRange(start, end, padding=0.0)

    def ensure_visible(self, start: float, end: float) -> None:
        """Pan (keeping the zoom) so that ``[start, end]`` is in view."""
        x0, x1 = self.visible_range()
        if start >= x0 and end <= x1:
            return
        span = max(x1 - x0, (end - start) * 1.5)
        centre = (start + end) / 2
        self.set_visible_range(centre - span / 2, centre + span / 2)

    def page(self, direction: int, overlap: float = PAGE_OVERLAP) -> None:
        """Move a page forward (+1) or back (-1), keeping ``overlap`` of the view."""
        x0, x1 = self.visible_range()
        shift = direction * (x1 - x0) * (1.0 - overlap)
        self.set_visible_range(x0 + shift, x1 + shift)

    def pan(self, fraction: float) -> None:
        """Move by ``fraction`` of the visible span (negative: back in time)."""
        x0, x1 = self.visible_range()
        shift = fraction * (x1 - x0)
        self.set_visible_range(x0 + shift, x1 + shift)

    def zoom_time(self, factor: float, centre: float | None = None) -> None:
        """Zoom in time by ``factor`` (above 1: closer) around ``centre`` (the middle)."""
        x0, x1 = self.visible_range()
        centre = (x0 + x1) / 2 if centre is None else centre
        span = (x1 - x0) / factor
        self.set_visible_range(centre - span / 2, centre + span / 2)

    def zoom_to_fit(self) -> None:
        """Show the whole recording and its whole frequency band."""
        if self._duration is not None:
            self.set_visible_range(0.0, self._duration)
            self.reset_frequency()

    def zoom_to_span(self, span: tuple[float, float], margin: float = 0.1) -> None:
        """Show ``span`` (seconds) with ``margin`` of its width on each side."""
        width = max(span[1] - span[0], 0.01)
        self.set_visible_range(span[0] - margin * width, span[1] + margin * width)

    def zoom_frequency(self, factor: float) -> None:
        """Zoom the frequency axis alone by ``factor`` (above 1: closer), keeping its middle."""
        y0, y1 = self.frequency_range()
        centre, span = (y0 + y1) / 2, (y1 - y0) / factor
        self.set_frequency_range(centre - span / 2, centre + span / 2)

    def set_frequency_range(self, low: float, high: float) -> None:
        """Show ``[low, high]`` Hz, clamped to the recording's band."""
        top = self._nyquist or high
        span = min(max(high - low, 10.0), top)
        low = max(0.0, min(low, top - span))
        self._viewbox.setYRange(low, low + span, padding=0.0)

    def reset_frequency(self) -> None:
        """Show the band of :meth:`set_band` (nothing before a recording)."""
        if self._duration is None or self._band is None:
            return
        self.set_frequency_range(*self._band)
