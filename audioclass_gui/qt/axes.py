"""Axis items: time as seconds, elapsed ``h:mm:ss`` or clock time; frequency in kHz."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pyqtgraph as pg

__all__ = ["FrequencyAxis", "TimeAxis", "clock_tick_values", "format_clock"]

# Tick spacings (seconds) that read well on a clock.
_CLOCK_STEPS = (
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
    1, 2, 5, 10, 15, 30,
    60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
)  # fmt: skip


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


def clock_tick_values(
    low: float,
    high: float,
    size_px: float,
    *,
    offset: float = 0.0,
    px_per_tick: float = 110.0,
) -> list[tuple[float, list[float]]]:
    """Tick positions aligned to a clock, as pyqtgraph's ``tickValues`` wants.

    Parameters
    ----------
    low, high
        Visible range in seconds from the start of the recording.
    size_px
        Length of the axis in pixels.
    offset
        Clock reading (seconds since midnight) at the start of the
        recording; ticks fall where ``offset + t`` is a whole multiple of
        the spacing (on the minute, on the hour...).
    px_per_tick
        Wanted distance between major ticks.

    Returns
    -------
    list
        ``[(major_spacing, values), (minor_spacing, values)]``.
    """
    span = max(high - low, 1e-9)
    wanted = span * px_per_tick / max(size_px, 1.0)
    major = next((s for s in _CLOCK_STEPS if s >= wanted), _CLOCK_STEPS[-1])
    index = _CLOCK_STEPS.index(major)
    minor = _CLOCK_STEPS[index - 1] if index > 0 else major / 2
    while major / minor > 6:
        minor = next(s for s in _CLOCK_STEPS if s > minor)
    levels = []
    for spacing in (major, minor):
        first = math.ceil((low + offset) / spacing - 1e-9) * spacing - offset
        count = int((high - first) / spacing + 1e-9) + 1
        if count > 2000:
            count = 0
        values = [round(first + i * spacing, 9) for i in range(max(0, count))]
        levels.append((spacing, values))
    return levels


class TimeAxis(pg.AxisItem):
    """Bottom axis in seconds, elapsed ``h:mm:ss`` or the clock time of recording.

    With a start time (:meth:`set_start`) labels read the time of day at
    which each moment was recorded, with ticks on whole minutes, hours...
    and the date where it changes. Without one, short recordings show
    seconds and long ones (:meth:`set_clock`) elapsed ``h:mm:ss``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("bottom", *args, **kwargs)
        self.clock = False
        self.start: datetime | None = None
        self._source: str | None = None
        self._offset = 0.0
        self.setLabel("Time")

    def set_clock(self, clock: bool) -> None:
        """Show elapsed ``h:mm:ss`` labels instead of seconds (when no start time is set)."""
        self.clock = clock
        self._relabel()

    def set_start(self, start: datetime | None, *, source: str | None = None) -> None:
        """Label ticks with the clock time of recording, from ``start`` (None: elapsed time).

        Parameters
        ----------
        start
            When the recording began (naive or time-zone aware).
        source
            Where the start time came from, shown in the axis label.
        """
        self.start = start
        self._source = source
        if start is not None:
            midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
            self._offset = (start - midnight).total_seconds()
        else:
            self._offset = 0.0
        self._relabel()

    def _relabel(self) -> None:
        if self.start is not None:
            zone = self.start.strftime(" %Z") if self.start.tzinfo is not None else ""
            source = f", from the {self._source}" if self._source else ""
            label = f"Time of day ({self.start:%Y-%m-%d}{zone}{source})"
            self.setLabel(label, units=None)
        else:
            self.setLabel("Time", units=None if self.clock else "s")
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):
        if self.start is None and not self.clock:
            return super().tickValues(minVal, maxVal, size)
        return clock_tick_values(minVal, maxVal, size, offset=self._offset)

    def tickStrings(self, values, scale, spacing):
        if self.start is None:
            if not self.clock:
                return super().tickStrings(values, scale, spacing)
            decimals = (
                0
                if spacing >= 1
                else (1 if spacing >= 0.1 else (2 if spacing >= 0.01 else 3))
            )
            return [format_clock(v, decimals=decimals) for v in values]
        out = []
        previous_day = None
        for value in values:
            moment = self.start + timedelta(seconds=float(value))
            if spacing >= 60:
                text = moment.strftime("%H:%M")
            elif spacing >= 1:
                text = moment.strftime("%H:%M:%S")
            else:
                decimals = 1 if spacing >= 0.1 else (2 if spacing >= 0.01 else 3)
                text = (
                    moment.strftime("%H:%M:%S")
                    + f"{moment.microsecond / 1e6:.{decimals}f}"[1:]
                )
            day = moment.date()
            if day != self.start.date() and day != previous_day:
                text = f"{moment:%b %d} {text}"
            previous_day = day
            out.append(text)
        return out


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
