"""Drawing boxes and time intervals with the mouse (B, I, Shift+drag while drawing).

:class:`BoxDrawing` is mixed into
:class:`~audioclass_gui.qt.boxes.BoxController`: it filters the
spectrogram's mouse events while a drawing mode is on, shows a rubber band,
clamps what was drawn to the recording and its band, and asks the species
with the picker before the box is added (one undoable edit).
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt

from audioclass_gui.qt.box_items import box_pen
from audioclass_gui.qt.species_picker import SpeciesPicker

__all__ = ["BOX", "INTERVAL", "MIN_SPAN", "BoxDrawing"]

#: Smallest box drawn (seconds, Hz); smaller drags are taken as clicks.
MIN_SPAN = (0.02, 50.0)
#: Drawing modes.
BOX, INTERVAL = "box", "interval"


class BoxDrawing:
    """Drawing for a controller with ``app``, ``review``, ``window``, ``view``, ``mode``, ``_start``,
    ``_interval``, ``_rubber``, ``draw_action``, ``interval_action``,
    ``select``, ``_picker``, ``_candidates``, ``_clamp_time`` and ``_clamp_band``."""

    # ------------------------------------------------------------- drawing
    @property
    def drawing(self) -> bool:
        """True while the next drag draws a box or an interval."""
        return self.mode is not None

    def toggle_drawing(self) -> None:
        """B: the next drag on the spectrogram draws a box (Shift+drag: an interval)."""
        self._set_mode(None if self.mode == BOX else BOX)

    def mark_interval(self) -> SpeciesPicker | None:
        """I: mark the selected time range as an interval, else drag one."""
        span = self.view.selection()
        if span is not None and self.mode is None and self.app.document.info is not None:
            self.view.set_selection(None)
            self.interval_action.setChecked(False)  # Qt checked it on trigger
            return self.finish_box(span[0], span[1], interval=True)
        self._set_mode(None if self.mode == INTERVAL else INTERVAL)
        return None

    def cancel(self) -> None:
        """Esc: stop drawing and deselect the box."""
        if self._rubber is not None:
            self.view.plot.removeItem(self._rubber)
            self._rubber, self._start = None, None
        if self.mode is not None:
            self._set_mode(None)
        self.select(None)

    def _set_mode(self, mode: str | None) -> None:
        self.mode = mode
        self.draw_action.setChecked(mode == BOX)
        self.interval_action.setChecked(mode == INTERVAL)
        cursor = Qt.CursorShape.ArrowCursor
        message = ""
        if mode == BOX:
            cursor = Qt.CursorShape.CrossCursor
            message = "Drag on the spectrogram to draw a box; Shift+drag marks a time interval (Esc cancels)"
        elif mode == INTERVAL:
            cursor = Qt.CursorShape.SplitHCursor
            message = (
                "Drag across the spectrogram to mark a time interval (Esc cancels)"
            )
        self.view.viewport().setCursor(cursor)
        self.app.messages.say(message, 5000)

    def _to_view(self, pos) -> QPointF:
        scene = self.view.mapToScene(pos.toPoint() if hasattr(pos, "toPoint") else pos)
        return self.view.viewbox.mapSceneToView(scene)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self.mode is None or self.app.document.info is None:
            return False
        kind = event.type()
        if (
            kind == QEvent.Type.MouseButtonPress
            and event.button() == Qt.MouseButton.LeftButton
        ):
            self._start = self._to_view(event.position())
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._interval = self.mode == INTERVAL or shift
            self._rubber = pg.ROI(
                self._start, (0, 0), pen=box_pen(self._interval), movable=False
            )
            self._rubber.setZValue(50)
            self.view.plot.addItem(self._rubber)
            self._stretch(self._start)
            return True
        if kind == QEvent.Type.MouseMove and self._start is not None:
            self._stretch(self._to_view(event.position()))
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._start is not None:
            p, start = self._to_view(event.position()), self._start
            self._start = None
            if self._rubber is not None:
                self.view.plot.removeItem(self._rubber)
                self._rubber = None
            self._set_mode(None)
            self.finish_box(start.x(), p.x(), start.y(), p.y(), interval=self._interval)
            return True
        return False

    def _stretch(self, p: QPointF) -> None:
        start = self._start
        if self._rubber is None or start is None:
            return
        x0, x1 = sorted((start.x(), p.x()))
        y0, y1 = (
            (0.0, self.view.nyquist) if self._interval else sorted((start.y(), p.y()))
        )
        self._rubber.setPos((x0, y0), update=False)
        self._rubber.setSize((x1 - x0, y1 - y0))

    def finish_box(
        self,
        t0: float,
        t1: float,
        f0: float | None = None,
        f1: float | None = None,
        *,
        interval: bool = False,
    ) -> SpeciesPicker | None:
        """A box (or interval) was drawn: clamp it to the recording, then ask its species."""
        info = self.app.document.info
        if info is None:
            return None
        start, end = self._clamp_time(t0, t1)
        low = high = None
        if not interval:
            low, high = self._clamp_band(f0 or 0.0, f1 or 0.0)
            if high - low < MIN_SPAN[1]:
                return None
        if end - start < MIN_SPAN[0]:
            return None
        path = str(Path(info.path).absolute())
        what = "interval" if interval else "box"
        picker = self._picker(f"Tag the {what} as…", self._candidates(start, end))
        picker.species_chosen.connect(
            lambda sci: self._add(path, start, end, low, high, sci)
        )
        return picker

    def _add(self, path, start, end, low, high, sci: str) -> None:
        made: list[str] = []

        def add(session):
            edit = session.add_box(path, start, end, low, high, sci)
            made.append(edit.box_id)
            return edit

        if self.review._do(add) and made:
            self.select(made[0])
        self.window.activateWindow()
