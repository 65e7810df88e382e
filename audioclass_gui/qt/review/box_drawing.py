"""Drawing boxes and time intervals with the mouse (B, I, Shift+drag while drawing).

:class:`BoxDrawing` is the gesture: while a drawing mode is on it filters
the spectrogram's mouse events, shows a rubber band and, on release,
says what was drawn; :meth:`BoxDrawing.clamp` keeps it inside the
recording. :class:`~audioclass_gui.qt.review.boxes.BoxController` asks the
species and adds the box.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal

from audioclass_gui.qt.review.box_items import box_pen

if TYPE_CHECKING:
    from audioclass_gui.app import AppModel
    from audioclass_gui.qt.spectrogram.spectrogram_view import SpectrogramView

__all__ = ["BOX", "INTERVAL", "MIN_SPAN", "Bounds", "BoxDrawing"]

#: Smallest box drawn (seconds, Hz); smaller drags are taken as clicks.
MIN_SPAN = (0.02, 50.0)
#: Drawing modes.
BOX, INTERVAL = "box", "interval"
#: ``(start, end, low, high)`` in seconds and Hz; no band (None, None) for
#: a time interval.
Bounds = tuple[float, float, float | None, float | None]


class BoxDrawing(QObject):
    """The drawing mode and the drag that draws a box or an interval.

    Parameters
    ----------
    app
        Whether a recording is open (nothing is drawn without one), and
        where the mode's hint is said.
    view
        The spectrogram drawn on (its viewport's mouse events are filtered).

    Signals
    -------
    mode_changed(object)
        The drawing mode: :data:`BOX`, :data:`INTERVAL` or None.
    drawn(object)
        A drag ended on a box or an interval: its :data:`Bounds`, inside
        the recording (a drag too small to be a box, a click, is dropped).
    """

    mode_changed = Signal(object)
    drawn = Signal(object)

    def __init__(
        self, app: AppModel, view: SpectrogramView, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._view = view
        self._mode: str | None = None
        self._start: QPointF | None = None
        self._interval = False
        self._rubber: pg.ROI | None = None
        view.viewport().installEventFilter(self)

    @property
    def mode(self) -> str | None:
        """:data:`BOX`, :data:`INTERVAL`, or None while not drawing."""
        return self._mode

    @property
    def drawing(self) -> bool:
        """True while the next drag draws a box or an interval."""
        return self._mode is not None

    def toggle(self, mode: str) -> None:
        """Turn ``mode`` on, or off when it is on already."""
        self.set_mode(None if self._mode == mode else mode)

    def cancel(self) -> None:
        """Stop drawing, and drop a drag under way."""
        if self._rubber is not None:
            self._view.plot.removeItem(self._rubber)
            self._rubber, self._start = None, None
        if self._mode is not None:
            self.set_mode(None)

    def set_mode(self, mode: str | None) -> None:
        """Draw a :data:`BOX` or an :data:`INTERVAL` with the next drag (None: stop)."""
        self._mode = mode
        self.mode_changed.emit(mode)
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
        self._view.viewport().setCursor(cursor)
        self._app.messages.say(message, 5000)

    def clamp(
        self,
        t0: float,
        t1: float,
        f0: float | None = None,
        f1: float | None = None,
        *,
        interval: bool = False,
    ) -> Bounds | None:
        """What was drawn, inside the recording: ``(start, end, low, high)``.

        An interval has no band (``low`` and ``high`` are None). None when
        what is left is smaller than :data:`MIN_SPAN` (a click, not a box).
        """
        a, b = sorted((t0, t1))
        start, end = max(0.0, a), min(self._view.duration, b)
        low = high = None
        if not interval:
            a, b = sorted((f0 or 0.0, f1 or 0.0))
            low, high = max(0.0, a), min(self._view.nyquist, b)
            if high - low < MIN_SPAN[1]:
                return None
        if end - start < MIN_SPAN[0]:
            return None
        return start, end, low, high

    def _to_view(self, pos) -> QPointF:
        view = self._view
        scene = view.mapToScene(pos.toPoint() if hasattr(pos, "toPoint") else pos)
        return view.viewbox.mapSceneToView(scene)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self._mode is None or self._app.document.info is None:
            return False
        kind = event.type()
        if (
            kind == QEvent.Type.MouseButtonPress
            and event.button() == Qt.MouseButton.LeftButton
        ):
            self._start = self._to_view(event.position())
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._interval = self._mode == INTERVAL or shift
            self._rubber = pg.ROI(
                self._start, (0, 0), pen=box_pen(self._interval), movable=False
            )
            self._rubber.setZValue(50)
            self._view.plot.addItem(self._rubber)
            self._stretch(self._start)
            return True
        if kind == QEvent.Type.MouseMove and self._start is not None:
            self._stretch(self._to_view(event.position()))
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._start is not None:
            p, start = self._to_view(event.position()), self._start
            self._start = None
            if self._rubber is not None:
                self._view.plot.removeItem(self._rubber)
                self._rubber = None
            self.set_mode(None)
            bounds = self.clamp(
                start.x(), p.x(), start.y(), p.y(), interval=self._interval
            )
            if bounds is not None:
                self.drawn.emit(bounds)
            return True
        return False

    def _stretch(self, p: QPointF) -> None:
        start = self._start
        if self._rubber is None or start is None:
            return
        x0, x1 = sorted((start.x(), p.x()))
        y0, y1 = (
            (0.0, self._view.nyquist) if self._interval else sorted((start.y(), p.y()))
        )
        self._rubber.setPos((x0, y0), update=False)
        self._rubber.setSize((x1 - x0, y1 - y0))
