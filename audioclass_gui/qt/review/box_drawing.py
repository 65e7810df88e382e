"""Drawing boxes and time intervals with the mouse (B, I, Shift+drag while drawing).

:class:`BoxDrawing` is the gesture: while a drawing mode is on it filters
the mouse events of the views it watches, shows a rubber band and, on
release, says what was drawn; :meth:`BoxDrawing.clamp` keeps it inside the
recording. It watches the spectrogram from the start; other views (the
rows of the paged view) are watched with :meth:`BoxDrawing.watch`, each
press finding the :class:`Surface` under it: the plot drawn on and the
time span the drag is kept in (a row's span). A drag stays on the surface
it started on. :class:`~audioclass_gui.qt.review.boxes.BoxController` asks
the species and adds the box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal

from audioclass_gui.qt.review.box_items import box_pen

if TYPE_CHECKING:
    from PySide6.QtWidgets import QGraphicsView, QWidget

    from audioclass_gui.app import AppModel
    from audioclass_gui.qt.spectrogram.spectrogram_view import SpectrogramView

__all__ = ["BOX", "INTERVAL", "MIN_SPAN", "Bounds", "BoxDrawing", "Locate", "Surface"]

#: Smallest box drawn (seconds, Hz); smaller drags are taken as clicks.
MIN_SPAN = (0.02, 50.0)
#: Drawing modes.
BOX, INTERVAL = "box", "interval"
#: ``(start, end, low, high)`` in seconds and Hz; no band (None, None) for
#: a time interval.
Bounds = tuple[float, float, float | None, float | None]


@dataclass(frozen=True)
class Surface:
    """Where a drag draws: a plot of a graphics view, and the seconds it may cover.

    Attributes
    ----------
    view : QGraphicsView
        The view whose viewport the mouse is on (maps its points to the scene).
    plot : pyqtgraph.PlotItem
        The plot the rubber band is drawn on.
    viewbox : pyqtgraph.ViewBox
        The plot's view box (maps the scene to seconds and Hz).
    span : tuple of float
        ``(start, end)`` seconds the box is kept in, besides the recording
        (the recording's whole length on the spectrogram, a row's span in a row).
    """

    view: QGraphicsView
    plot: pg.PlotItem
    viewbox: pg.ViewBox
    span: tuple[float, float]

    def to_view(self, pos: QPointF) -> QPointF:
        """Seconds and Hz under the viewport point ``pos``."""
        return self.viewbox.mapSceneToView(self.view.mapToScene(pos.toPoint()))


#: Finds the surface under a viewport point (None: no drawing there).
Locate = Callable[[QPointF], Surface | None]


class BoxDrawing(QObject):
    """The drawing mode and the drag that draws a box or an interval.

    Parameters
    ----------
    app
        Whether a recording is open (nothing is drawn without one), and
        where the mode's hint is said.
    view
        The spectrogram drawn on (its viewport's mouse events are filtered);
        its length and Nyquist frequency bound every box.

    Signals
    -------
    mode_changed(object)
        The drawing mode: :data:`BOX`, :data:`INTERVAL` or None.
    drawn(object)
        A drag ended on a box or an interval: its :data:`Bounds`, inside
        the recording and the surface's span (a drag too small to be a box,
        a click, is dropped).
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
        self._surface: Surface | None = None
        self._pressed_on: QObject | None = None  # the viewport of the drag under way
        self._watched: dict[QWidget, Locate] = {}
        self.watch(view.viewport(), self._whole_view)

    def _whole_view(self, _pos: QPointF) -> Surface:
        view = self._view
        return Surface(view, view.plot, view.viewbox, (0.0, view.duration))

    def watch(self, viewport: QWidget, locate: Locate) -> None:
        """Draw on ``viewport`` too, on the surface ``locate`` finds under each press."""
        self._watched[viewport] = locate
        viewport.installEventFilter(self)
        if self._mode is not None:
            viewport.setCursor(self._cursor())

    @property
    def mode(self) -> str | None:
        """:data:`BOX`, :data:`INTERVAL`, or None while not drawing."""
        return self._mode

    @property
    def drawing(self) -> bool:
        """True while the next drag draws a box or an interval."""
        return self._mode is not None

    @property
    def rubber_band(self) -> pg.ROI | None:
        """The outline shown while a drag is under way (None otherwise)."""
        return self._rubber

    @property
    def surface(self) -> Surface | None:
        """The surface of the drag under way (None otherwise)."""
        return self._surface if self._start is not None else None

    def toggle(self, mode: str) -> None:
        """Turn ``mode`` on, or off when it is on already."""
        self.set_mode(None if self._mode == mode else mode)

    def cancel(self) -> None:
        """Stop drawing, and drop a drag under way."""
        self._drop_rubber()
        self._start = None
        if self._mode is not None:
            self.set_mode(None)

    def set_mode(self, mode: str | None) -> None:
        """Draw a :data:`BOX` or an :data:`INTERVAL` with the next drag (None: stop)."""
        self._mode = mode
        self.mode_changed.emit(mode)
        message = ""
        if mode == BOX:
            message = "Drag on the spectrogram to draw a box; Shift+drag marks a time interval (Esc cancels)"
        elif mode == INTERVAL:
            message = (
                "Drag across the spectrogram to mark a time interval (Esc cancels)"
            )
        for viewport in self._watched:
            viewport.setCursor(self._cursor())
        self._app.messages.say(message, 5000)

    def _cursor(self) -> Qt.CursorShape:
        if self._mode == BOX:
            return Qt.CursorShape.CrossCursor
        if self._mode == INTERVAL:
            return Qt.CursorShape.SplitHCursor
        return Qt.CursorShape.ArrowCursor

    def clamp(
        self,
        t0: float,
        t1: float,
        f0: float | None = None,
        f1: float | None = None,
        *,
        interval: bool = False,
        span: tuple[float, float] | None = None,
    ) -> Bounds | None:
        """What was drawn, inside the recording (and ``span`` seconds): ``(start, end, low, high)``.

        An interval has no band (``low`` and ``high`` are None). None when
        what is left is smaller than :data:`MIN_SPAN` (a click, not a box).
        """
        lo, hi = span if span is not None else (0.0, self._view.duration)
        a, b = sorted((t0, t1))
        start, end = max(0.0, lo, a), min(self._view.duration, hi, b)
        low = high = None
        if not interval:
            a, b = sorted((f0 or 0.0, f1 or 0.0))
            low, high = max(0.0, a), min(self._view.nyquist, b)
            if high - low < MIN_SPAN[1]:
                return None
        if end - start < MIN_SPAN[0]:
            return None
        return start, end, low, high

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self._mode is None or self._app.document.info is None:
            return False
        kind = event.type()
        if (
            kind == QEvent.Type.MouseButtonPress
            and event.button() == Qt.MouseButton.LeftButton
        ):
            locate = self._watched.get(obj)
            surface = locate(event.position()) if locate is not None else None
            if surface is None:
                return False
            self._drop_rubber()
            self._surface, self._pressed_on = surface, obj
            self._start = surface.to_view(event.position())
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._interval = self._mode == INTERVAL or shift
            self._rubber = pg.ROI(
                self._start, (0, 0), pen=box_pen(self._interval), movable=False
            )
            self._rubber.setZValue(50)
            surface.plot.addItem(self._rubber)
            self._stretch(self._start)
            return True
        surface = self._surface
        if self._start is None or surface is None or obj is not self._pressed_on:
            return False
        if kind == QEvent.Type.MouseMove:
            self._stretch(surface.to_view(event.position()))
            return True
        if kind == QEvent.Type.MouseButtonRelease:
            p, start = surface.to_view(event.position()), self._start
            self._start = None
            self._drop_rubber()
            self.set_mode(None)
            bounds = self.clamp(
                start.x(), p.x(), start.y(), p.y(),
                interval=self._interval, span=surface.span,
            )  # fmt: skip
            if bounds is not None:
                self.drawn.emit(bounds)
            return True
        return False

    def _drop_rubber(self) -> None:
        if self._rubber is not None and self._surface is not None:
            self._surface.plot.removeItem(self._rubber)
        self._rubber = None

    def _stretch(self, p: QPointF) -> None:
        """Show the rubber band from the press to ``p``, kept on the surface's span and band."""
        start, surface = self._start, self._surface
        if self._rubber is None or start is None or surface is None:
            return
        lo, hi = surface.span
        x0, x1 = sorted(min(max(x, lo), hi) for x in (start.x(), p.x()))
        nyquist = self._view.nyquist
        if self._interval:
            y0, y1 = 0.0, nyquist
        else:
            y0, y1 = sorted(min(max(y, 0.0), nyquist) for y in (start.y(), p.y()))
        self._rubber.setPos((x0, y0), update=False)
        self._rubber.setSize((x1 - x0, y1 - y0))
