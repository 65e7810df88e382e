"""Axis items: time as seconds, elapsed ``h:mm:ss`` or clock time; frequency in kHz.

The time axis writes its ticks with :class:`~audioclass_gui.qt.common.time_format.TimeFormat`,
the format every other time in the window uses.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime

import pyqtgraph as pg

from audioclass_gui.qt.common.time_format import TimeFormat, format_clock

__all__ = ["FrequencyAxis", "TimeAxis", "clock_tick_values", "format_clock"]

# Tick spacings (seconds) that read well on a clock.
_CLOCK_STEPS = (
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
    1, 2, 5, 10, 15, 30,
    60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
)  # fmt: skip


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
    seconds and long ones (:meth:`set_clock`) elapsed ``h:mm:ss``. The
    labels are written by :attr:`time_format`, the
    :class:`~audioclass_gui.qt.common.time_format.TimeFormat` the table, tooltips
    and messages use too.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("bottom", *args, **kwargs)
        # Ticks are seconds as the table writes them, never rescaled to "ms".
        self.enableAutoSIPrefix(False)
        self.time_format = TimeFormat()
        self._offset = 0.0
        self.setLabel("Time")

    @property
    def clock(self) -> bool:
        """Whether elapsed ``h:mm:ss`` is shown when no start time is set."""
        return self.time_format.elapsed

    @property
    def start(self) -> datetime | None:
        """When the recording began, if known (ticks then read the time of day)."""
        return self.time_format.start

    def set_format(self, time_format: TimeFormat) -> None:
        """Write the ticks and the label with ``time_format``."""
        self.time_format = time_format
        start = time_format.start
        if start is not None:
            midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
            self._offset = (start - midnight).total_seconds()
        else:
            self._offset = 0.0
        self._relabel()

    def set_clock(self, clock: bool) -> None:
        """Show elapsed ``h:mm:ss`` labels instead of seconds (when no start time is set)."""
        self.set_format(replace(self.time_format, elapsed=clock))

    def set_start(self, start: datetime | None, *, source: str | None = None) -> None:
        """Label ticks with the clock time of recording, from ``start`` (None: elapsed time).

        Parameters
        ----------
        start
            When the recording began (naive or time-zone aware).
        source
            Where the start time came from, shown in the axis label.
        """
        self.set_format(replace(self.time_format, start=start, source=source))

    def _relabel(self) -> None:
        text, units = self.time_format.axis_label()
        self.setLabel(text, units=units)
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):
        if self.time_format.kind == "seconds":
            return super().tickValues(minVal, maxVal, size)
        return clock_tick_values(minVal, maxVal, size, offset=self._offset)

    def tickStrings(self, values, scale, spacing):
        return self.time_format.ticks(list(values), spacing)


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
