"""Moving around a spectrogram: paging, panning, zooming time and frequency, selections.

:class:`ViewNavigation` is mixed into
:class:`~audioclass_gui.qt.spectrogram_view.SpectrogramView`; every method
works in the view's coordinates (seconds and Hz of the recording) and keeps
the view inside the recording.
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
    """Navigation for a view with ``viewbox``, ``info``, ``duration``,
    ``nyquist``, ``params``, ``selection_item`` and ``selection_changed``."""

    def visible_range(self) -> tuple[float, float]:
        """The visible time range in seconds."""
        x0, x1 = self.viewbox.viewRange()[0]
        return float(x0), float(x1)

    def frequency_range(self) -> tuple[float, float]:
        """The visible frequency range in Hz."""
        y0, y1 = self.viewbox.viewRange()[1]
        return float(y0), float(y1)

    def set_visible_range(self, start: float, end: float) -> None:
        """Show ``[start, end]`` seconds, clamped to the recording."""
        if self.info is not None:
            duration = self.duration
            span = min(max(end - start, 1e-3), duration)
            start = max(0.0, min(start, duration - span))
            end = start + span
        self.viewbox.setXRange(start, end, padding=0.0)

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
        if self.info is not None:
            self.set_visible_range(0.0, self.duration)
            self.reset_frequency()

    def zoom_frequency(self, factor: float) -> None:
        """Zoom the frequency axis alone by ``factor`` (above 1: closer), keeping its middle."""
        y0, y1 = self.frequency_range()
        centre, span = (y0 + y1) / 2, (y1 - y0) / factor
        self.set_frequency_range(centre - span / 2, centre + span / 2)

    def set_frequency_range(self, low: float, high: float) -> None:
        """Show ``[low, high]`` Hz, clamped to the recording's band."""
        top = self.nyquist or high
        span = min(max(high - low, 10.0), top)
        low = max(0.0, min(low, top - span))
        self.viewbox.setYRange(low, low + span, padding=0.0)

    def reset_frequency(self) -> None:
        """Show the frequency band of the settings (the whole band by default)."""
        if self.info is None:
            return
        top = (
            self.nyquist
            if self.params.fmax is None
            else min(self.nyquist, self.params.fmax * self._te)
        )
        self.set_frequency_range(min(self.params.fmin * self._te, top - 10.0), top)

    def selection(self) -> tuple[float, float] | None:
        """The selected time range, or None."""
        if not self.selection_item.isVisible():
            return None
        a, b = self.selection_item.getRegion()
        return (float(a), float(b)) if b > a else None

    def set_selection(self, span: tuple[float, float] | None) -> None:
        """Select a time range (None clears the selection)."""
        if span is None or span[1] <= span[0]:
            self.selection_item.hide()
        else:
            self.selection_item.setRegion(span)
            self.selection_item.show()
        self.selection_changed.emit(self.selection())

    def zoom_to_selection(
        self, span: tuple[float, float] | None = None, margin: float = 0.1
    ) -> bool:
        """Show ``span`` (default: the selection) with a margin; False if there is none."""
        span = span or self.selection()
        if span is None:
            return False
        width = max(span[1] - span[0], 0.01)
        self.set_visible_range(span[0] - margin * width, span[1] + margin * width)
        return True
