"""The box and label items of the overlay, reused rather than made and destroyed.

Making a pair of items costs about a millisecond and adding it to the plot
more, so the overlay takes its items from an :class:`ItemPool`: those of a
detection drawn before come back as they were (with what they showed, which
the overlay checks against the detection as it reads now), spares are made
ahead while the app is idle, and past :data:`KEEP_HIDDEN` the oldest hidden
ones are reused for new detections.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg

from audioclass_gui.qt.review.overlay_items import DetectionBox, DetectionLabel

__all__ = ["KEEP_HIDDEN", "ItemPool", "Kept"]

#: Hidden items kept for detections that may come back before one is reused.
KEEP_HIDDEN = 200

#: A detection's items with what they showed (place and texts; status and
#: selection), each None when unknown.
Kept = tuple[DetectionBox, DetectionLabel, tuple | None, tuple | None]


class ItemPool:
    """Hidden and spare box and label items of one plot.

    Parameters
    ----------
    plot
        The plot the items are added to (once, when made).
    on_click
        Called with a label's detection id and whether it was a double-click.
    """

    def __init__(self, plot: pg.PlotItem, on_click: Callable[[int, bool], None]) -> None:
        self._plot = plot
        self._on_click = on_click
        # Items of detections no longer drawn, hidden, oldest first.
        self._hidden: dict[int, Kept] = {}
        self._spares: list[tuple[DetectionBox, DetectionLabel]] = []

    def __len__(self) -> int:
        """Items held (hidden and spare pairs)."""
        return len(self._hidden) + len(self._spares)

    def take(self, det_id: int) -> Kept:
        """Shown items for a detection: its own from before (with what they showed), else free ones."""
        kept = self._hidden.pop(det_id, None)
        if kept is not None:
            box, label, drawn, style = kept
        else:
            if self._spares:  # made ahead, while idle
                box, label = self._spares.pop()
            elif len(self._hidden) > KEEP_HIDDEN:  # reuse the oldest
                box, label, _drawn, _style = self._hidden.pop(next(iter(self._hidden)))
            else:
                box, label = self._make()
            drawn = style = None
        box.detection_id = label.detection_id = det_id
        box.show()
        label.show()
        return box, label, drawn, style

    def put(self, det_id: int, kept: Kept) -> None:
        """Hide a detection's items, kept for it in case it comes back."""
        box, label, _drawn, _style = kept
        box.hide()
        label.hide()
        self._hidden[det_id] = kept

    def make_spares(self, up_to: int, at_most: int = 8) -> bool:
        """Make up to ``at_most`` spare pairs while fewer than ``up_to`` are held; True if more are wanted."""
        for _ in range(min(at_most, max(0, up_to - len(self)))):
            self._spares.append(self._make())
        return len(self) < up_to

    def clear(self) -> None:
        """Remove every held item from the plot."""
        for box, label, _drawn, _style in self._hidden.values():
            self._plot.removeItem(box)
            self._plot.removeItem(label)
        for box, label in self._spares:
            self._plot.removeItem(box)
            self._plot.removeItem(label)
        self._hidden, self._spares = {}, []

    def _make(self) -> tuple[DetectionBox, DetectionLabel]:
        box = DetectionBox()
        box.setZValue(20)
        box.hide()
        self._plot.addItem(box)
        label = DetectionLabel(-1, self._on_click, text="", anchor=(0, 0))
        label.setZValue(30)
        label.hide()
        self._plot.addItem(label)
        return box, label
