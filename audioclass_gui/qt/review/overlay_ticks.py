"""Detections as light ticks along the top of the spectrogram, for views too wide for boxes.

Zoomed out on a long recording, one box per detection would be an outline a
pixel or two wide, hundreds side by side: a wall over the spectrogram. There
the overlay draws each detection as a short tick in the top strip of the
band instead, coloured by its status, in one item per status, so the
spectrogram stays readable and the cost does not grow with the count.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPen

from audioclass_gui.qt.common.style import status_color
from audioclass_gui.review import Status
from audioclass_gui.review.detection import STATUS_ORDER

__all__ = ["STRIP", "TickStrip"]

#: Share of the band, at its top, the ticks take.
STRIP = 0.06


class TickStrip:
    """One tick per detection (its middle), in the top strip of the band.

    Parameters
    ----------
    plot
        The spectrogram's plot.
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        self._plot = plot
        self._curves: dict[Status, pg.PlotCurveItem] = {}
        self._ids = np.empty(0, dtype=np.int64)
        self._codes = np.empty(0, dtype=np.int64)
        self._middles = np.empty(0, dtype=np.float64)

    @property
    def ids(self) -> np.ndarray:
        """Ids drawn as ticks now."""
        return self._ids

    def statuses(self) -> dict[int, Status]:
        """The status each tick is drawn in, by detection id."""
        return {
            int(i): STATUS_ORDER[int(c)] for i, c in zip(self._ids, self._codes, strict=True)
        }

    def set_ticks(
        self,
        ids: np.ndarray,
        middles: np.ndarray,
        codes: np.ndarray,
        band: tuple[float, float],
    ) -> None:
        """Draw ticks at ``middles`` (seconds), one per id, in the colour of its status code."""
        self._ids = np.asarray(ids, dtype=np.int64)
        self._codes = np.asarray(codes, dtype=np.int64)
        self._middles = np.asarray(middles, dtype=np.float64)
        low, high = band
        y0 = high - STRIP * (high - low)
        for code, status in enumerate(STATUS_ORDER):
            x = self._middles[self._codes == code]
            curve = self._curves.get(status)
            if not len(x):
                if curve is not None:
                    curve.setData([], [])
                    curve.hide()
                continue
            if curve is None:
                pen = QPen(status_color(status, 200))
                pen.setCosmetic(True)
                pen.setWidthF(1.0)
                curve = pg.PlotCurveItem(pen=pen, connect="pairs", antialias=False)
                curve.setZValue(18)
                self._plot.addItem(curve)
                self._curves[status] = curve
            xs = np.repeat(x, 2)
            ys = np.tile([y0, high], len(x))
            curve.setData(xs, ys, connect="pairs")
            curve.show()

    def restyle(self, ids: np.ndarray, codes: np.ndarray, band: tuple[float, float]) -> None:
        """New statuses for some ticks (after a verdict)."""
        if not len(self._ids):
            return
        index = {int(i): k for k, i in enumerate(self._ids)}
        codes_now = self._codes.copy()
        for det_id, code in zip(ids, codes, strict=True):
            k = index.get(int(det_id))
            if k is not None:
                codes_now[k] = code
        if not np.array_equal(codes_now, self._codes):
            self.set_ticks(self._ids, self._middles, codes_now, band)

    def clear(self) -> None:
        """Draw no ticks."""
        self._ids = np.empty(0, dtype=np.int64)
        self._codes = np.empty(0, dtype=np.int64)
        self._middles = np.empty(0, dtype=np.float64)
        for curve in self._curves.values():
            curve.setData([], [])
            curve.hide()
