"""Boxes the reviewer draws for calls the model missed.

B then drag draws a time-frequency box; I (or Shift+drag while drawing)
marks a time interval, a call over the whole band; I with a time range
selected (Shift+drag) marks that range at once. The species picker then
tags it. Click a box to select it (Esc or a click on empty spectrogram
deselects it): S retags it (a double-click too), N gives it a note, Delete
deletes it; drag it to move it, drag its handles to resize it. Every change
is an undoable session edit, durable at once in a project.
The controller decides what the reviewer's gestures mean; its helpers own
the rest: :class:`~audioclass_gui.qt.review.box_drawing.BoxDrawing` (``drawer``)
the drawing mode and the drag that draws,
:class:`~audioclass_gui.qt.review.box_layer.BoxLayer` (``layer``) the boxes drawn
on the spectrogram.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QInputDialog, QMenu

from audioclass_gui.qt.menus import add_action, find_menu
from audioclass_gui.qt.review.box_drawing import BOX, INTERVAL, Bounds, BoxDrawing
from audioclass_gui.qt.review.box_items import BoxItem, BoxLabel, label_text
from audioclass_gui.qt.review.box_layer import BoxLayer
from audioclass_gui.qt.review.species_picker import SpeciesPicker
from audioclass_gui.review import Box

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMainWindow

    from audioclass_gui.app import AppModel
    from audioclass_gui.qt.review.detection_table import DetectionTable
    from audioclass_gui.qt.review.review_controller import ReviewController
    from audioclass_gui.qt.spectrogram.spectrogram_view import SpectrogramView

__all__ = ["BoxController"]


def _fit(a: float, b: float, span: float, lo: float, hi: float) -> tuple[float, float]:
    """``[a, b]`` inside ``[lo, hi]``: shifted when it keeps ``span`` (a move), else cut."""
    a, b = sorted((a, b))
    if abs((b - a) - span) <= 1e-9 * max(1.0, abs(span)) and span <= hi - lo:
        shift = max(lo - a, 0.0) + min(hi - b, 0.0)
        return a + shift, b + shift
    return max(lo, a), min(hi, b)


class BoxController(QObject):
    """Draw, select, tag, annotate, move, resize and delete boxes on the open recording.

    Attributes
    ----------
    selected : str or None
        Id of the selected box (``session.box(id)`` gives the box).
    rois : dict
        Box id -> :class:`~audioclass_gui.qt.review.box_items.BoxItem` drawn now
        (the layer's).
    labels : dict
        Box id -> :class:`~audioclass_gui.qt.review.box_items.BoxLabel` drawn now
        (the layer's).
    drawer : BoxDrawing
        The drawing mode and the drag that draws.
    layer : BoxLayer
        The boxes drawn on the spectrogram.

    Signals
    -------
    picker_shown(object)
        The species picker opened (for a new box, or to retag one).
    dialog_shown(object)
        A picker or note dialog opened (non-modal).
    selection_changed(object)
        The selected box id, or None.
    redrawn()
        The boxes were drawn again (the session's boxes or the recording
        changed): other views drawing them (:meth:`shown_boxes`) follow.
    """

    picker_shown = Signal(object)
    dialog_shown = Signal(object)
    selection_changed = Signal(object)
    redrawn = Signal()

    def __init__(
        self,
        app: AppModel,
        review: ReviewController,
        table: DetectionTable,
        view: SpectrogramView,
        window: QMainWindow,
        stop_action: QAction,
    ) -> None:
        super().__init__(window)
        self.app = app
        self.window = window  # menus and dialogs' parent
        self.review = review
        self.table = table
        self.view = view
        self.layer = BoxLayer(view.plot, self._fill_menu, parent=self)
        self.layer.clicked.connect(self._on_item_clicked)
        self.layer.moved.connect(self._moved)
        self.dialog = None
        self._session = None
        self.drawer = BoxDrawing(app, view, parent=self)
        self.drawer.mode_changed.connect(self._on_mode_changed)
        self.drawer.drawn.connect(self.finish_box)
        app.recording_opened.connect(lambda _info: self._watch())
        app.review.box_selection_changed.connect(self._on_box_selection)
        table.clicked.connect(self._on_table_clicked)
        self.view.time_clicked.connect(lambda _t: self.select(None))
        stop_action.triggered.connect(self.cancel)

    def add_actions(self) -> None:
        """Put the box actions in the Review menu (after the review's own, where the window asks)."""
        menu = find_menu(self.window, "&Review")
        menu.addSeparator()
        self.draw_action = add_action(
            self.window,
            menu,
            "Draw a &box",
            "B",
            self.toggle_drawing,
            "Then drag on the spectrogram to box a call the model missed (Shift+drag: a time interval)",
        )
        self.draw_action.setCheckable(True)
        self.interval_action = add_action(
            self.window,
            menu,
            "Mark a time &interval",
            "I",
            self.mark_interval,
            "Mark the selected time range (Shift+drag) as a call over the whole band, else drag one",
        )
        self.interval_action.setCheckable(True)
        self.delete_action = add_action(
            self.window,
            menu,
            "&Delete box",
            "Delete",
            self.delete_selected,
            "Delete the selected box",
        )

    @property
    def rois(self) -> dict[str, BoxItem]:
        """Box id -> outline drawn now."""
        return self.layer.rois

    @property
    def labels(self) -> dict[str, BoxLabel]:
        """Box id -> label drawn now."""
        return self.layer.labels

    # ------------------------------------------------------------ drawing
    @property
    def drawing(self) -> bool:
        """True while the next drag draws a box or an interval."""
        return self.drawer.drawing

    def toggle_drawing(self) -> None:
        """B: the next drag on the spectrogram draws a box (Shift+drag: an interval)."""
        self.drawer.toggle(BOX)

    def mark_interval(self) -> SpeciesPicker | None:
        """I: mark the selected time range as an interval, else drag one."""
        # The spectrogram's time selection, unless the paged view hides it.
        span = None if self.app.paged.active else self.view.selection()
        if (
            span is not None
            and not self.drawer.drawing
            and self.app.document.info is not None
        ):
            self.view.set_selection(None)
            self.interval_action.setChecked(False)  # Qt checked it on trigger
            return self.finish_box(self.drawer.clamp(*span, interval=True))
        self.drawer.toggle(INTERVAL)
        return None

    def cancel(self) -> None:
        """Esc: stop drawing and deselect the box."""
        self.drawer.cancel()
        self.select(None)

    def finish_box(self, bounds: Bounds | None) -> SpeciesPicker | None:
        """A box (or interval) was drawn: ask its species, then add it.

        ``bounds`` are ``(start, end, low, high)`` inside the recording, as
        :meth:`BoxDrawing.clamp` gives them (None: nothing to add).
        """
        info = self.app.document.info
        if info is None or bounds is None:
            return None
        start, end, low, high = bounds
        path = str(Path(info.path).absolute())
        what = "interval" if low is None else "box"
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

    def _on_mode_changed(self, mode: str | None) -> None:
        self.draw_action.setChecked(mode == BOX)
        self.interval_action.setChecked(mode == INTERVAL)

    # ---------------------------------------------------------- selection
    def box(self) -> Box | None:
        """The selected box, if any."""
        session = self.app.document.session
        if self.selected is None or session is None:
            return None
        return session.box(self.selected)

    @property
    def selected(self) -> str | None:
        """The selected box's id (the app model's), or None."""
        return self.app.review.selected_box

    @selected.setter
    def selected(self, box_id: str | None) -> None:
        self.select(box_id)

    def select(self, box_id: str | None) -> None:
        """Select a box (None: none); a selected box deselects the detection."""
        if box_id is not None:
            if self.app.review.selected is not None:
                self.review.select(None)  # the review's views let go of it
            self.table.selectionModel().clearSelection()  # keeps the current row for Down/Up
        self.app.review.select_box(box_id)
        self.layer.set_selected(box_id)
        if box_id is not None:
            box = self.box()
            if box is not None:
                self.app.messages.say(self._describe(box), 8000)

    def _on_box_selection(self, box_id: str | None) -> None:
        """The app model's box selection changed (here, or by selecting a detection)."""
        self.layer.set_selected(box_id)
        self.selection_changed.emit(box_id)

    def _describe(self, box: Box) -> str:
        name = self._common(box.scientific_name) or box.scientific_name or "untagged"
        where = self.view.time_format.span(box.start, box.end)
        if not box.is_interval:
            where += f", {box.low_freq / 1000:.2f}–{box.high_freq / 1000:.2f} kHz"
        kind = "Time interval" if box.is_interval else "Box"
        return f"{kind}: {name}, {where} — S retag, N note, Delete delete, Esc deselect"

    def _on_table_clicked(self, index) -> None:
        # The table's current row did not change, so it announced nothing.
        if self.selected is not None and index.isValid():
            det_id = self.table._id_at(index)
            self.review.select(det_id, from_table=True)

    def make_layer(self, plot, parent: QObject | None = None) -> BoxLayer:
        """A layer drawing boxes on another ``plot`` (a row of the paged view), read-only.

        Its boxes do not move or resize; a click selects one (a double-click
        retags it) and the right-click menu is the spectrogram's. It lives
        as long as ``parent`` (the controller when None).
        """
        layer = BoxLayer(plot, self._fill_menu, editable=False, parent=parent or self)
        layer.clicked.connect(self._on_item_clicked)
        return layer

    def _on_item_clicked(self, box_id: str, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        self.select(box_id)
        if ev.double():
            QTimer.singleShot(0, self.ask_retag)

    # ------------------------------------------------------------- editing
    def ask_retag(self) -> SpeciesPicker | None:
        """S (or a double-click) on a selected box: tag it with another species."""
        box = self.box()
        if box is None:
            self.app.messages.say("Select a box to tag.", 5000)
            return None
        first = [box.scientific_name] if box.scientific_name else []
        first += [s for s in self._candidates(box.start, box.end) if s not in first]
        name = self._common(box.scientific_name) or box.scientific_name or "the box"
        picker = self._picker(f"Tag {name} as…", first)
        box_id = box.id
        picker.species_chosen.connect(
            lambda sci: self._edit(lambda s: s.retag_box(box_id, sci))
        )
        return picker

    def ask_note(self) -> QInputDialog | None:
        """N on a selected box: ask for its note (an empty note removes it)."""
        box = self.box()
        if box is None:
            self.app.messages.say("Select a box to annotate.", 5000)
            return None
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Note")
        name = self._common(box.scientific_name) or box.scientific_name or "untagged"
        dialog.setLabelText(f"Note on the {name} box at {self.view.time_format.label(box.start)}:")
        dialog.setTextValue(box.note)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box_id = box.id
        dialog.textValueSelected.connect(
            lambda text: self._edit(lambda s: s.set_box_note(box_id, text.strip()))
        )
        self._show(dialog)
        return dialog

    def delete_selected(self) -> bool:
        """Delete: remove the selected box (undoable)."""
        if self.selected is None:
            return False
        box_id = self.selected
        self.select(None)
        return self.review._do(lambda s: s.delete_box(box_id))

    def _edit(self, make) -> None:
        self.review._do(make)
        self.window.activateWindow()

    def _moved(self, box_id: str, item: BoxItem) -> None:
        """A box was dragged or resized: store its clamped bounds (one undoable edit)."""
        session = self.app.document.session
        box = session.box(box_id) if session is not None else None
        if box is None:
            return
        start, end, low, high = item.bounds()
        # A move keeps the box's size (shifted back inside); a resize is cut at the edges.
        start, end = _fit(start, end, box.end - box.start, 0.0, self.view.duration)
        if end - start <= 0:
            self._schedule()
            return
        if box.is_interval:
            done = self.review._do(lambda s: s.move_box(box_id, start, end))
        else:
            low, high = _fit(
                low, high, box.high_freq - box.low_freq, 0.0, self.view.nyquist
            )
            if high - low <= 0:
                self._schedule()
                return
            done = self.review._do(
                lambda s: s.move_box(box_id, start, end, low, high)
            )
        if done:
            self.select(box_id)
        self._schedule()  # redraw what was stored (clamped), even when nothing changed

    def _fill_menu(self, box_id: str, menu: QMenu) -> None:
        self.select(box_id)
        menu.addAction("Tag with species…", self.ask_retag)
        menu.addAction("Note…", self.ask_note)
        menu.addSeparator()
        menu.addAction("Delete", self.delete_selected)

    # ------------------------------------------------------------ helpers
    def _common(self, scientific_name: str) -> str:
        if not scientific_name:
            return ""
        session, info = self.app.document.session, self.app.document.model_info
        name = session.common_name(scientific_name) if session is not None else ""
        if not name and info is not None:
            name = info.common_names.get(scientific_name, "")
        return name or ""

    def _candidates(self, start: float, end: float) -> list[str]:
        """Species the model found over ``[start, end]``, best score first."""
        info = self.app.document.info
        if info is None:
            return []
        here = str(Path(info.path).absolute())
        found = [
            d
            for d in self.review.visible()
            if d.start < end
            and d.end > start
            and str(Path(d.recording.path).absolute()) == here
        ]
        found.sort(key=lambda d: -d.score)
        return list(dict.fromkeys(d.scientific_name for d in found))

    def _picker(self, title: str, first: list[str]) -> SpeciesPicker:
        picker = SpeciesPicker(
            self.app.document.species_names(), first, title, self.window
        )
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._show(picker)
        picker.search.setFocus()
        self.picker_shown.emit(picker)
        return picker

    def _show(self, dialog) -> None:
        self.dialog = dialog
        dialog.show()
        self.dialog_shown.emit(dialog)

    # ------------------------------------------------------------ drawing
    def _watch(self) -> None:
        session = self.app.document.session
        if session is not self._session:
            if self._session is not None:
                self._session.boxes_changed.disconnect(self._schedule)
            self._session = session
            if session is not None:
                session.boxes_changed.connect(self._schedule)
        self.redraw()

    def _schedule(self, *_args) -> None:
        QTimer.singleShot(0, self.redraw)  # not inside an ROI's own signal

    def shown_boxes(self) -> list[tuple[Box, str, str]]:
        """The open recording's boxes, each with its label and tooltip (none without one)."""
        session, info = self.app.document.session, self.app.document.info
        if session is None or info is None:
            return []
        shown = []
        for box in session.boxes(Path(info.path).absolute()):
            text = label_text(box, self._common(box.scientific_name))
            tooltip = self._describe(box).split(" — ")[0] + (
                f"\n{box.note}" if box.note else ""
            )
            shown.append((box, text, tooltip))
        return shown

    def redraw(self) -> None:
        """Draw the boxes of the open recording."""
        self.layer.clear()
        session, info = self.app.document.session, self.app.document.info
        if session is None or info is None:
            self.select(None)
            self.redrawn.emit()
            return
        band = (0.0, self.view.nyquist)
        for box, text, tooltip in self.shown_boxes():
            self.layer.add(box, text, tooltip, band, self.view.duration)
        self.select(self.selected if self.selected in self.rois else None)
        self.redrawn.emit()
