"""Boxes the reviewer draws for calls the model missed: draw (B, then drag), tag, move, delete.

Every change is an undoable session edit (durable at once in a project).
Boxes are drawn as movable, resizable rectangles on the spectrogram; a box
without a band (a time interval) spans the whole band.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor

from audioclass_gui.qt.review_actions import find_menu
from audioclass_gui.qt.species_picker import SpeciesPicker
from audioclass_gui.review import Box

if TYPE_CHECKING:
    from audioclass_gui.qt.main_window import MainWindow

__all__ = ["BoxController"]

BOX_COLOR = QColor(255, 105, 180)
SELECTED_COLOR = QColor(255, 255, 255)
#: Smallest box drawn (seconds, Hz); smaller drags are taken as clicks.
MIN_SPAN = (0.02, 50.0)


class BoxController(QObject):
    """Draw, tag, move and delete boxes on the open recording.

    Signals
    -------
    picker_shown(object)
        The species picker opened for a new box.
    """

    picker_shown = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = window.view
        self.rois: dict[str, pg.RectROI] = {}
        self.labels: dict[str, pg.TextItem] = {}
        self.selected: str | None = None
        self.drawing = False
        self._start: QPointF | None = None
        self._rubber: pg.RectROI | None = None
        self._session = None
        menu = find_menu(window, "&Review")
        menu.addSeparator()
        self.draw_action = window._action(
            menu,
            "Draw a &box",
            "B",
            self.toggle_drawing,
            "Then drag on the spectrogram to box a call the model missed",
        )
        self.draw_action.setCheckable(True)
        self.delete_action = window._action(
            menu,
            "&Delete box",
            "Delete",
            self.delete_selected,
            "Delete the selected box",
        )
        self.view.viewport().installEventFilter(self)
        window.recording_opened.connect(lambda _info: self._watch())

    # ------------------------------------------------------------- drawing
    def toggle_drawing(self) -> None:
        """B: the next drag on the spectrogram draws a box."""
        self.drawing = not self.drawing
        self.draw_action.setChecked(self.drawing)
        cursor = (
            Qt.CursorShape.CrossCursor if self.drawing else Qt.CursorShape.ArrowCursor
        )
        self.view.viewport().setCursor(cursor)
        self.window.statusBar().showMessage(
            "Drag on the spectrogram to draw a box (B again cancels)"
            if self.drawing
            else "",
            5000,
        )

    def _to_view(self, pos) -> QPointF:
        scene = self.view.mapToScene(pos.toPoint() if hasattr(pos, "toPoint") else pos)
        return self.view.viewbox.mapSceneToView(scene)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self.drawing or self.window.info is None:
            return False
        kind = event.type()
        if (
            kind == QEvent.Type.MouseButtonPress
            and event.button() == Qt.MouseButton.LeftButton
        ):
            self._start = self._to_view(event.position())
            self._rubber = pg.RectROI(
                self._start,
                (0, 0),
                pen=pg.mkPen(BOX_COLOR, style=Qt.PenStyle.DashLine),
                movable=False,
            )
            self.view.plot.addItem(self._rubber)
            return True
        if kind == QEvent.Type.MouseMove and self._start is not None:
            p = self._to_view(event.position())
            x0, y0 = min(p.x(), self._start.x()), min(p.y(), self._start.y())
            self._rubber.setPos((x0, y0), update=False)
            self._rubber.setSize(
                (abs(p.x() - self._start.x()), abs(p.y() - self._start.y()))
            )
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._start is not None:
            p, start = self._to_view(event.position()), self._start
            self._start = None
            if self._rubber is not None:
                self.view.plot.removeItem(self._rubber)
                self._rubber = None
            self.toggle_drawing()
            self.finish_box(start.x(), p.x(), start.y(), p.y())
            return True
        return False

    def finish_box(
        self, t0: float, t1: float, f0: float, f1: float
    ) -> SpeciesPicker | None:
        """A box was dragged: clamp it to the recording, then ask its species."""
        info = self.window.info
        if info is None:
            return None
        start, end = sorted((max(0.0, t0), min(info.duration, t1)))
        low, high = sorted((max(0.0, f0), min(self.view.nyquist, f1)))
        if end - start < MIN_SPAN[0] or high - low < MIN_SPAN[1]:
            return None
        picker = SpeciesPicker(
            self.window.review_actions.species_names(),
            (),
            "Tag the box as…",
            self.window,
        )
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        path = str(info.path.absolute())
        picker.species_chosen.connect(
            lambda sci: self._add(path, start, end, low, high, sci)
        )
        picker.show()
        picker.search.setFocus()
        self.picker_shown.emit(picker)
        return picker

    def _add(
        self, path: str, start: float, end: float, low: float, high: float, sci: str
    ) -> None:
        self.window.review._do(lambda s: s.add_box(path, start, end, low, high, sci))
        self.window.activateWindow()

    # ------------------------------------------------------------- editing
    def delete_selected(self) -> bool:
        """Delete: remove the selected box (undoable)."""
        if self.selected is None:
            return False
        box_id, self.selected = self.selected, None
        return self.window.review._do(lambda s: s.delete_box(box_id))

    def select(self, box_id: str | None) -> None:
        """Highlight a box (Delete then removes it)."""
        self.selected = box_id
        for bid, roi in self.rois.items():
            roi.setPen(
                pg.mkPen(SELECTED_COLOR if bid == box_id else BOX_COLOR, width=2)
            )

    def _moved(self, box_id: str, roi: pg.RectROI) -> None:
        x, y = roi.pos()
        w, h = roi.size()
        session = self.window.session
        box = session.box(box_id) if session is not None else None
        if box is None or w <= 0 or h <= 0:
            return
        if box.low_freq is None:
            self.window.review._do(lambda s: s.move_box(box_id, x, x + w))
        else:
            self.window.review._do(
                lambda s: s.move_box(box_id, x, x + w, max(0.0, y), y + h)
            )

    # ------------------------------------------------------------ drawing
    def _watch(self) -> None:
        session = self.window.session
        if session is not self._session:
            if self._session is not None:
                self._session.boxes_changed.disconnect(self._schedule)
            self._session = session
            if session is not None:
                session.boxes_changed.connect(self._schedule)
        self.redraw()

    def _schedule(self, *_args) -> None:
        QTimer.singleShot(0, self.redraw)  # not inside an ROI's own signal

    def redraw(self) -> None:
        """Draw the boxes of the open recording."""
        for roi in self.rois.values():
            self.view.plot.removeItem(roi)
        for label in self.labels.values():
            self.view.plot.removeItem(label)
        self.rois.clear()
        self.labels.clear()
        session, info = self.window.session, self.window.info
        if session is None or info is None:
            return
        if self.selected is not None and session.box(self.selected) is None:
            self.selected = None
        for box in session.boxes(info.path.absolute()):
            self._draw(box)
        self.select(self.selected)

    def _draw(self, box: Box) -> None:
        low = 0.0 if box.low_freq is None else box.low_freq
        high = self.view.nyquist if box.high_freq is None else box.high_freq
        roi = pg.RectROI(
            (box.start, low),
            (box.end - box.start, high - low),
            pen=pg.mkPen(BOX_COLOR, width=2),
            movable=True,
        )
        roi.setZValue(45)
        roi.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        roi.sigClicked.connect(lambda _r, _ev, bid=box.id: self.select(bid))
        roi.sigRegionChangeFinished.connect(lambda r, bid=box.id: self._moved(bid, r))
        self.view.plot.addItem(roi)
        name = box.scientific_name
        session = self.window.session
        text = (
            (session.common_name(name) if session is not None and name else "")
            or name
            or "untagged"
        )
        label = pg.TextItem(text, color=BOX_COLOR, anchor=(0, 1))
        label.setPos(box.start, high)
        label.setZValue(46)
        self.view.plot.addItem(label)
        self.rois[box.id] = roi
        self.labels[box.id] = label
