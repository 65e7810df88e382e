"""Axis items: time as seconds or h:mm:ss, frequency in kHz."""

from __future__ import annotations

import pyqtgraph as pg

__all__ = ["FrequencyAxis", "TimeAxis", "format_clock"]


def format_clock(seconds: float, *, decimals: int = 0) -> str:
    """Format seconds as ``h:mm:ss`` (or ``m:ss`` under an hour).

    Parameters
    ----------
    seconds
        Non-negative time.
    decimals
        Digits after the seconds' decimal point.
    """
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    width = 2 + (decimals + 1 if decimals else 0)
    s_text = f"{s:0{width}.{decimals}f}"
    if h >= 1:
        return f"{sign}{int(h)}:{int(m):02d}:{s_text}"
    return f"{sign}{int(m)}:{s_text}"


class TimeAxis(pg.AxisItem):
    """Bottom axis in seconds for short spans, ``h:mm:ss`` for long recordings."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("bottom", *args, **kwargs)
        self.clock = False
        self.setLabel("Time")

    def set_clock(self, clock: bool) -> None:
        """Show ``h:mm:ss`` labels instead of seconds."""
        self.clock = clock
        self.setLabel("Time", units=None if clock else "s")
        self.picture = None
        self.update()

    def tickStrings(self, values, scale, spacing):
        if not self.clock:
            return super().tickStrings(values, scale, spacing)
        decimals = 0 if spacing >= 1 else (1 if spacing >= 0.1 else 2)
        return [format_clock(v, decimals=decimals) for v in values]


class FrequencyAxis(pg.AxisItem):
    """Left axis showing Hz data as kHz."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("left", *args, **kwargs)
        self.setLabel("Frequency (kHz)")
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values, scale, spacing):
        step_khz = spacing / 1000.0
        decimals = 0 if step_khz >= 1 else (1 if step_khz >= 0.1 else 2)
        return [f"{v / 1000.0:.{decimals}f}" for v in values]
