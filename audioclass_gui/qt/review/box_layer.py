"""The reviewer's boxes drawn on the spectrogram: an outline and a label each.

:class:`BoxLayer` owns the graphics of the boxes of the open recording
(:class:`~audioclass_gui.qt.review.box_items.BoxItem` and
:class:`~audioclass_gui.qt.review.box_items.BoxLabel`), shows which one is
selected, and reports clicks and drags by box id;
:class:`~audioclass_gui.qt.review.boxes.BoxController` decides what they mean.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu

from audioclass_gui.qt.review.box_items import BoxItem, BoxLabel
from audioclass_gui.review import Box

__all__ = ["BoxLayer"]


class BoxLayer(QObject):
    """Outlines and labels of boxes on a plot, by box id.

    Parameters
    ----------
    plot
        Where the boxes are drawn.
    fill_menu
        Called with a box id and its right-click menu to fill it.
    editable
        False: the boxes cannot be dragged or resized (no handles); they
        are still clicked and have their menu.

    Attributes
    ----------
    rois : dict
        Box id -> :class:`~audioclass_gui.qt.review.box_items.BoxItem` drawn now.
    labels : dict
        Box id -> :class:`~audioclass_gui.qt.review.box_items.BoxLabel` drawn now.

    Signals
    -------
    clicked(str, object)
        A box was clicked: its id and the mouse event.
    moved(str, object)
        A box was dragged or resized: its id and its
        :class:`~audioclass_gui.qt.review.box_items.BoxItem` (``bounds()`` as dropped).
    """

    clicked = Signal(str, object)
    moved = Signal(str, object)

    def __init__(
        self,
        plot: pg.PlotItem,
        fill_menu: Callable[[str, QMenu], None],
        parent: QObject | None = None,
        *,
        editable: bool = True,
    ) -> None:
        super().__init__(parent)
        self._plot = plot
        self._fill_menu = fill_menu
        self.editable = editable
        self.rois: dict[str, BoxItem] = {}
        self.labels: dict[str, BoxLabel] = {}

    def clear(self) -> None:
        """Remove every box from the plot."""
        for item in (*self.rois.values(), *self.labels.values()):
            self._plot.removeItem(item)
        self.rois.clear()
        self.labels.clear()

    def add(
        self,
        box: Box,
        text: str,
        tooltip: str,
        band: tuple[float, float],
        duration: float,
    ) -> None:
        """Draw ``box`` labelled ``text`` inside ``band`` (Hz) and ``duration`` (s)."""
        item = BoxItem(box, band, duration, self._fill_menu, editable=self.editable)
        item.sigClicked.connect(lambda _r, ev, bid=box.id: self.clicked.emit(bid, ev))
        item.sigRegionChangeFinished.connect(lambda r, bid=box.id: self.moved.emit(bid, r))
        label = BoxLabel(box, text, band)
        label.setToolTip(tooltip)
        self._plot.addItem(item)
        self._plot.addItem(label)
        self.rois[box.id] = item
        self.labels[box.id] = label

    def set_selected(self, box_id: str | None) -> None:
        """Draw ``box_id`` as selected and the others not (None: none)."""
        for bid, item in self.rois.items():
            item.set_selected(bid == box_id)
            self.labels[bid].set_selected(bid == box_id)
