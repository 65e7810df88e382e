"""Detection density along the top of the spectrogram, for views too crowded for ticks.

When a view holds so many detections that even one tick each would merge
into a solid bar (see :mod:`audioclass_gui.qt.review.overlays`), the overlay
draws lanes of counts per time bin instead (all species, then a few species;
:mod:`audioclass_gui.app.density`), at the top of the visible band.

Bins are about :data:`BIN_PX` pixels wide, on a grid of power-of-two widths
aligned to multiples of the width: panning moves no bin, and counts are
made again only when the zoom changes the width or the view leaves the
range counted (the view and as much again on each side).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg

from audioclass_gui.app.density import DetectionDensity
from audioclass_gui.qt.common.density_lanes import DensityLanes
from audioclass_gui.review import Detection, DetectionList
from audioclass_gui.review.density import Bins, detection_columns, shown_species

__all__ = ["BIN_PX", "LANE_PX", "DensityBand", "feed_density"]

#: Width of a bin (pixels, about: widths are powers of two in seconds).
BIN_PX = 4.0
#: Height of a lane (pixels).
LANE_PX = 13.0
#: Pixels between the view's left edge and the lanes' names.
NAME_INSET = 4.0


class DensityBand:
    """The density lanes of the spectrogram: shown, counted and placed for the view.

    Parameters
    ----------
    plot
        The spectrogram's plot.
    density
        The detections shown, as the app model indexes them.
    """

    def __init__(self, plot: pg.PlotItem, density: DetectionDensity) -> None:
        self._plot = plot
        self._density = density
        self.lanes = DensityLanes(plot, lambda: plot.getAxis("bottom").time_format, z=19.0)
        self.lanes.set_visible(False)
        self._active = False
        self._window: tuple[float, float, float] | None = None  # counted range and bin width
        density.changed.connect(self._on_density)
        vb = plot.getViewBox()
        vb.sigYRangeChanged.connect(lambda *_: self._place())
        vb.sigResized.connect(lambda *_: self._place())

    @property
    def active(self) -> bool:
        """True while the lanes are drawn (the view is too crowded for ticks)."""
        return self._active

    @property
    def bottom(self) -> float:
        """The lowest y (Hz) the lanes take in the view now."""
        vb = self._plot.getViewBox()
        top = vb.viewRange()[1][1]
        return top - len(self.lanes.lanes) * LANE_PX * float(vb.viewPixelSize()[1] or 0.0)

    def show(self) -> None:
        """Draw the lanes for the view."""
        self._active = True
        self.lanes.set_visible(True)
        self.update(force=True)

    def hide(self) -> None:
        """Draw no lanes (boxes or ticks are drawn)."""
        self._active = False
        self._window = None
        self.lanes.set_visible(False)

    def update(self, *, force: bool = False) -> None:
        """Follow the view: count again if it left the counted range or changed the bin width."""
        if not self._active:
            return
        vb = self._plot.getViewBox()
        x0, x1 = vb.viewRange()[0]
        width = _width(float(vb.viewPixelSize()[0] or 0.0))
        window = self._window
        if force or window is None or width != window[2] or x0 < window[0] or x1 > window[1]:
            span = max(x1 - x0, width)
            start = max(x0 - span, 0.0)
            bins = Bins.aligned(start, max(x1 + span, start + width), width)
            self.lanes.set_lanes(self._density.lanes(), self._density.counts(bins), bins)
            self._window = (bins.start, bins.end, width)
        self._place()

    def _on_density(self) -> None:
        if self._active:
            self.update(force=True)

    def _place(self) -> None:
        if not self._active:
            return
        vb = self._plot.getViewBox()
        (x0, _x1), (_y0, y1) = vb.viewRange()
        px_x, px_y = (float(v or 0.0) for v in vb.viewPixelSize())
        self.lanes.place(y1, LANE_PX * px_y, x0 + NAME_INSET * px_x)


def _width(seconds_per_px: float) -> float:
    """Bin width (s) for this zoom: about :data:`BIN_PX` pixels, rounded to a power of two."""
    wanted = BIN_PX * seconds_per_px
    if not wanted > 0:
        return 1.0
    return 2.0 ** round(math.log2(wanted))


def feed_density(
    density: DetectionDensity,
    rows: Sequence[Detection],
    starts: np.ndarray,
    ids: np.ndarray,
) -> Callable[[int], int | None]:
    """Give ``density`` the detections drawn; return the species code of a detection id.

    A :class:`~audioclass_gui.review.DetectionList`'s species (relabels
    applied) are read from the session's columns off the GUI thread, with
    the index; other lists are read here, one detection at a time (they are
    short: a sample's queue).

    Parameters
    ----------
    density
        The app model's density.
    rows
        The detections drawn.
    starts, ids
        Their start times and ids (as columns, in the order of ``rows``).
    """
    if isinstance(rows, DetectionList):
        session = rows.session
        cols = session.columns()
        local = rows.locals()

        def name_of(code: int) -> str:
            scientific = session.species_list()[code]
            return session.common_name(scientific) or scientific

        density.show(starts, lambda: shown_species(cols, local), name_of)
        first, n = cols.first_id, len(cols.start)
        return lambda det_id: (
            int(shown_species(session.columns(), [det_id - first])[0])
            if 0 <= det_id - first < n
            else None
        )
    starts, codes, names = detection_columns(rows)
    density.show(starts, codes, names.__getitem__)
    return dict(zip(ids.tolist(), codes.tolist(), strict=True)).get
