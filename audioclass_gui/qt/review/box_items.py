"""The graphics of a drawn box: a movable, resizable rectangle and its species label.

A :class:`BoxItem` is a pyqtgraph ROI in the spectrogram's coordinates
(seconds, Hz) with scale handles on its four corners and four edges (a time
interval only has its left and right edges, and always spans the whole
band). It stays inside the recording and its frequency band while dragged
(``maxBounds``). The handles show on the selected box only.
A :class:`BoxLabel` names the box's species beside it.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QMenu

from audioclass_gui.review import Box

__all__ = [
    "BOX_COLOR",
    "INTERVAL_COLOR",
    "SELECTED_COLOR",
    "BoxItem",
    "BoxLabel",
    "box_pen",
    "label_text",
]

#: Colour of a drawn time-frequency box.
BOX_COLOR = QColor(255, 105, 180)
#: Colour of a drawn time interval (all frequencies).
INTERVAL_COLOR = QColor(255, 170, 60)
#: Outline of the selected box or interval.
SELECTED_COLOR = QColor(255, 255, 255)
#: Pixels of a handle's radius.
HANDLE_SIZE = 5


def box_pen(interval: bool, selected: bool = False, hover: bool = False) -> QPen:
    """The outline of a box: solid for a box, dashed for a time interval.

    White and thick when selected; thicker under the mouse.
    """
    pen = QPen(
        SELECTED_COLOR if selected else (INTERVAL_COLOR if interval else BOX_COLOR)
    )
    pen.setCosmetic(True)
    pen.setWidthF(3.0 if selected or hover else 2.0)
    if interval:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def label_text(box: Box, common_name: str = "") -> str:
    """What a box's label says: its species (common name if known), "time interval" for one."""
    name = common_name or box.scientific_name
    if box.is_interval:
        text = f"{name} · time interval" if name else "untagged time interval"
    else:
        text = name or "untagged box"
    return f"{text} ✎" if box.note else text


class BoxItem(pg.ROI):
    """One drawn box on the spectrogram.

    Parameters
    ----------
    box
        The box (a time interval spans ``band``).
    band
        ``(low, high)`` Hz drawn for a time interval, and the frequency
        limits of every box (0 to the Nyquist frequency).
    duration
        Length of the recording in seconds: the box stays inside it.
    on_menu
        Called with the box id to fill the right-click menu (may be None).
    editable
        False: the box is drawn and clicked but never dragged or resized
        (no handles), as in the paged view's rows.
    """

    def __init__(
        self,
        box: Box,
        band: tuple[float, float],
        duration: float,
        on_menu: Callable[[str, QMenu], None] | None = None,
        *,
        editable: bool = True,
    ) -> None:
        low = band[0] if box.low_freq is None else box.low_freq
        high = band[1] if box.high_freq is None else box.high_freq
        interval = box.is_interval
        super().__init__(
            (box.start, low),
            (box.end - box.start, high - low),
            pen=box_pen(interval),
            hoverPen=box_pen(interval, hover=True),
            handlePen=pg.mkPen(SELECTED_COLOR, width=1.5),
            handleHoverPen=pg.mkPen(INTERVAL_COLOR if interval else BOX_COLOR, width=2),
            movable=editable,
            resizable=editable,
            rotatable=False,
            removable=False,
            maxBounds=QRectF(0.0, band[0], max(duration, box.end), band[1] - band[0]),
        )
        self.box_id = box.id
        self.interval = interval
        self.selected = False
        self._on_menu = on_menu
        self.handleSize = HANDLE_SIZE
        # Above detection boxes (20), under detection labels (30): an interval
        # over a detection window leaves its label clickable.
        self.setZValue(25)
        self.setAcceptedMouseButtons(
            Qt.MouseButton.LeftButton | Qt.MouseButton.RightButton
        )
        if editable:  # handles to resize it (none in a read-only view)
            self._add_handles(interval)
        self.set_selected(False)

    def _add_handles(self, interval: bool) -> None:
        if interval:  # only its start and end change
            for x in (0.0, 1.0):
                self.addScaleHandle([x, 0.5], [1.0 - x, 0.5])
        else:
            for x in (0.0, 1.0):
                for y in (0.0, 1.0):
                    self.addScaleHandle([x, y], [1.0 - x, 1.0 - y])
            for x, y in ((0.5, 0.0), (0.5, 1.0), (0.0, 0.5), (1.0, 0.5)):
                self.addScaleHandle(
                    [x, y], [1.0 - x if x != 0.5 else 0.5, 1.0 - y if y != 0.5 else 0.5]
                )

    def bounds(self) -> tuple[float, float, float, float]:
        """``(start, end, low, high)`` as drawn now (seconds, Hz)."""
        x, y = self.pos()
        w, h = self.size()
        return float(x), float(x + w), float(y), float(y + h)

    def set_selected(self, selected: bool) -> None:
        """Highlight the box and show its resize handles (or not)."""
        self.selected = selected
        self.setPen(box_pen(self.interval, selected))
        for handle in self.getHandles():
            handle.setVisible(selected)
        self.update()

    def _makePen(
        self,
    ) -> QPen:  # pyqtgraph's hook: the selected outline wins over hover
        return self.hoverPen if self.mouseHovering and not self.selected else self.pen

    def paint(self, p, opt, widget) -> None:
        if self.selected:
            r = QRectF(0, 0, self.state["size"][0], self.state["size"][1]).normalized()
            fill = QColor(INTERVAL_COLOR if self.interval else BOX_COLOR)
            fill.setAlpha(40)
            p.fillRect(r, QBrush(fill))
        super().paint(p, opt, widget)

    # right-click menu: retag, note, delete (filled by the controller)
    def contextMenuEnabled(self) -> bool:
        return self._on_menu is not None

    def getMenu(self) -> QMenu:
        menu = QMenu()
        if self._on_menu is not None:
            self._on_menu(self.box_id, menu)
        self.menu = menu
        return menu


class BoxLabel(pg.TextItem):
    """The species of a box, the same size at every zoom.

    Box labels hang under the box (detection labels stack down from the
    top of the band, so the two rarely meet); a time interval's label sits
    at the bottom of the band, inside it.
    """

    def __init__(self, box: Box, text: str, band: tuple[float, float]) -> None:
        color = INTERVAL_COLOR if box.is_interval else BOX_COLOR
        super().__init__(text, color=color, fill=pg.mkBrush(17, 20, 24, 200))
        self.box_id = box.id
        self.setZValue(46)
        self.place(box, band)

    def place(self, box: Box, band: tuple[float, float]) -> None:
        """Put the label under the box (above the band's bottom for an interval)."""
        low, high = band
        if box.is_interval or box.low_freq is None:
            self.setAnchor((0, 1))
            self.setPos(box.start, low)
        elif box.low_freq - low < 0.08 * (high - low):  # no room under the box
            self.setAnchor((0, 1))
            self.setPos(box.start, box.high_freq)
        else:
            self.setAnchor((0, 0))
            self.setPos(box.start, box.low_freq)

    def set_selected(self, selected: bool) -> None:
        """A brighter frame for the selected box's label."""
        self.border = (
            pg.mkPen(SELECTED_COLOR, width=1.5) if selected else pg.mkPen(None)
        )
        self.update()
