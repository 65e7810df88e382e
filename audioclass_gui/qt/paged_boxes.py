"""Drawn boxes in the paged view: shown in every row that holds their time, and drawn there.

The reviewer's boxes and time intervals (calls the model missed) belong to
the :class:`~audioclass_gui.qt.review.boxes.BoxController`, which draws them
on the single spectrogram. :class:`PagedBoxes` shows the same boxes in the
rows of the :class:`~audioclass_gui.qt.spectrogram.paged_view.PagedView`:

- each row gets a read-only :class:`~audioclass_gui.qt.review.box_layer.BoxLayer`
  from the controller (same outlines and labels; a click selects a box, a
  double-click retags it, the right-click menu retags, annotates or deletes
  it); the boxes are moved and resized on the single spectrogram;
- a box is drawn in each row whose span it touches (in both of two
  overlapping rows), its label at the row's start when the box began in the
  row above;
- the rows are drawn again when the controller redraws (a box added, moved,
  retagged, deleted, undone; another recording) and when a page is shown,
  and the selected box follows the app model's selection (selecting a box
  elsewhere turns to its page);
- B and I draw in the rows: the controller's
  :class:`~audioclass_gui.qt.review.box_drawing.BoxDrawing` watches the rows'
  viewport too, a drag staying in the row it started in (clamped to that
  row's span and the recording), and what is drawn goes through the same
  species picker and undoable edit as on the spectrogram.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF

from audioclass_gui.qt.review.box_drawing import Surface

if TYPE_CHECKING:
    from audioclass_gui.app.paged_state import PagedState
    from audioclass_gui.qt.main_window import MainWindow
    from audioclass_gui.qt.review.box_layer import BoxLayer
    from audioclass_gui.qt.spectrogram.paged_rows import PagedRow
    from audioclass_gui.qt.spectrogram.paged_view import PagedView

__all__ = ["PagedBoxes"]


class PagedBoxes(QObject):
    """The open recording's drawn boxes in the rows of the paged view, and drawing there.

    Parameters
    ----------
    window
        The main window (its box controller, spectrogram and app model).
    view
        The paged view.
    state
        The paged view's state (whether it shows, and its page).

    Attributes
    ----------
    layers : dict
        Row -> the :class:`~audioclass_gui.qt.review.box_layer.BoxLayer` drawing its boxes.
    """

    def __init__(self, window: MainWindow, view: PagedView, state: PagedState) -> None:
        super().__init__(view)
        self.window = window
        self.view = view
        self.state = state
        self.layers: dict[PagedRow, BoxLayer] = {}
        boxes = window.boxes
        boxes.redrawn.connect(self.redraw)
        boxes.selection_changed.connect(self._on_selection)
        view.page_shown.connect(self.redraw)
        boxes.drawer.watch(view.graphics.viewport(), self.surface_at)

    def layer(self, row: PagedRow) -> BoxLayer | None:
        """The boxes drawn in ``row`` (None before the row showed any)."""
        return self.layers.get(row)

    def surface_at(self, pos: QPointF) -> Surface | None:
        """Where a drag starting at the viewport point ``pos`` draws: the row under it.

        None off the rows' plot areas and in a row wholly past the end of
        the recording.
        """
        view = self.view
        row = view.row_at(view.graphics.mapToScene(pos.toPoint()))
        if row is None or row.span is None:
            return None
        start, end = row.span.start, min(row.span.end, self.window.view.duration)
        if end <= start:
            return None
        return Surface(view.graphics, row.plot, row.viewbox, (start, end))

    def redraw(self) -> None:
        """Draw the boxes of the open recording in the rows that show their time."""
        if not self.state.active:
            return  # drawn when the paged view shows a page
        rows = set(self.view.rows)
        for gone in [r for r in self.layers if r not in rows]:
            del self.layers[gone]  # its plot left the page with its row
        shown = self.window.boxes.shown_boxes()
        band = (0.0, self.window.view.nyquist)
        duration = self.window.view.duration
        selected = self.window.app.review.selected_box
        for row in self.view.rows:
            layer = self.layers.get(row)
            if layer is None:
                layer = self.layers[row] = self.window.boxes.make_layer(row.plot, parent=row)
            layer.clear()
            span = row.span
            if span is None:
                continue
            for box, text, tooltip in shown:
                if box.end > span.start and box.start < span.end:
                    layer.add(box, text, tooltip, band, duration)
                    if box.start < span.start:  # begun in the row above: label at this row's start
                        label = layer.labels[box.id]
                        label.setPos(span.start, label.pos().y())
            layer.set_selected(selected)

    def _on_selection(self, box_id: str | None) -> None:
        for layer in self.layers.values():
            layer.set_selected(box_id)
        if box_id is None or not self.state.active:
            return
        session = self.window.app.document.session
        box = session.box(box_id) if session is not None else None
        if box is not None:
            self.state.show_span(box.start, box.end)  # no turn when the page holds it
