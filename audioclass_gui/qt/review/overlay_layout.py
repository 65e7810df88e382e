"""Where the labels of the drawn detections go: lanes, and the room each label has.

Labels hang from the top of their box, in lanes one label height apart.

- Detections whose windows overlap (several species in one window, runs
  with other window lengths or overlap) always get different lanes, best
  score first, so two labels never cover each other.
- A label longer than its window pushes the next window's label into
  another lane (up to :data:`MAX_LANES`), so at the usual zoom neighbouring
  3-s windows alternate lanes and each label has two windows of room: the
  species fits instead of being cut to a few letters.
- A box that starts left of the view has its label pinned to the view's
  left edge, so every box in view shows its label.

The lanes depend on the zoom, so they are laid out again at every view change
(for the few hundred labels drawn at most).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from audioclass_gui.review import Detection

__all__ = ["MAX_LANES", "LabelSpot", "layout_labels"]

#: Pixels kept free between a label and the next one in its lane.
GAP_PX = 2.0
#: Lanes used, at most, to give long labels room (overlapping windows may use more).
MAX_LANES = 3
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class LabelSpot:
    """Where one label goes, and how wide it may be.

    Attributes
    ----------
    lane : int
        0 for the top lane; each lane is one label height lower.
    x : float
        Left edge in seconds (the window's start, or the view's left edge).
    room_px : float
        Width up to the next label of its lane (``inf`` for the last one).
    """

    lane: int
    x: float
    room_px: float


def layout_labels(
    detections: Iterable[Detection],
    wanted_px: Mapping[int, float],
    view_start: float,
    seconds_per_px: float,
) -> dict[int, LabelSpot]:
    """The lane, left edge and room of each detection's label.

    Parameters
    ----------
    detections
        The detections drawn.
    wanted_px
        Width each label would take with its whole text (pixels), by id.
    view_start
        The left edge of the view (s): labels of boxes reaching into the
        view from the left are pinned there.
    seconds_per_px
        The view's horizontal scale (0 before the view is laid out: lanes
        by window overlap only, no limit on room).
    """
    scale = seconds_per_px if seconds_per_px > 0 else 0.0
    order = sorted(detections, key=lambda d: (d.start, -d.score, d.id))
    window_end: list[float] = []  # per lane: the end of its last window
    label_end: list[float] = []  # per lane: where its last label's whole text ends
    placed: list[tuple[Detection, int, float]] = []
    for d in order:
        x = view_start if d.start < view_start < d.end else d.start
        free = [i for i, end in enumerate(window_end) if end <= d.start + _EPS]
        fits = [i for i in free if label_end[i] <= x + _EPS]
        if fits:
            lane = fits[0]
        elif free and len(window_end) >= MAX_LANES:  # no more lanes: the label is cut short
            lane = min(free, key=label_end.__getitem__)
        else:
            lane = len(window_end)
            window_end.append(d.end)
            label_end.append(x)
        window_end[lane] = d.end
        label_end[lane] = x + wanted_px.get(d.id, 0.0) * scale
        placed.append((d, lane, x))
    by_lane: dict[int, list[tuple[float, int]]] = {}
    for d, lane, x in placed:
        by_lane.setdefault(lane, []).append((x, d.id))
    spots: dict[int, LabelSpot] = {}
    for lane, row in by_lane.items():
        row.sort()
        for (x, det_id), nxt in zip(row, [*row[1:], None], strict=True):
            if nxt is None or scale <= 0:  # the last, or a view not laid out yet
                room = float("inf")
            else:
                room = (nxt[0] - x) / scale - GAP_PX
            spots[det_id] = LabelSpot(lane, x, room)
    return spots
