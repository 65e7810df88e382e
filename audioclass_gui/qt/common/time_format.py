"""One time format for the whole window: axis ticks, table cells, tooltips, messages.

A moment of a recording is shown the way the spectrogram's time axis shows
it, so that a time read in the table, in a tooltip or in the status bar can
be found on the axis as written:

- with a known start time (file name, GUANO, BWF...), the clock time of
  day at which it was recorded (``07:15:03.2``; the date is added where it
  differs from the start's day);
- otherwise, for a long recording (:data:`LONG_RECORDING` or more),
  elapsed ``h:mm:ss`` (``1:02:03.2``);
- otherwise seconds from the start (``3.20``; ``3.20 s`` where a unit is
  needed).

:class:`TimeFormat` holds that choice for one recording and formats with
it; the axis (:class:`~audioclass_gui.qt.spectrogram.axes.TimeAxis`), the detection
table, the overlays' tooltips, the Playback panel and the window's messages
all call it. Pure Python: no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = ["LONG_RECORDING", "TimeFormat", "format_clock", "spacing_decimals"]

#: Recordings at least this long (seconds) without a start time show ``h:mm:ss``.
LONG_RECORDING = 600.0

#: How a :class:`TimeFormat` writes a moment.
Kind = Literal["seconds", "elapsed", "clock"]


def format_clock(seconds: float, *, decimals: int = 0) -> str:
    """Format seconds as ``h:mm:ss`` (or ``m:ss`` under an hour).

    Parameters
    ----------
    seconds
        Time; negative values get a leading ``-``.
    decimals
        Digits after the seconds' decimal point. The time is rounded first,
        so 59.96 s with one decimal reads ``1:00.0``, never ``0:60.0``.
    """
    seconds = round(seconds, decimals)
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    width = 2 + (decimals + 1 if decimals else 0)
    s_text = f"{s:0{width}.{decimals}f}"
    if h >= 1:
        return f"{sign}{int(h)}:{int(m):02d}:{s_text}"
    return f"{sign}{int(m)}:{s_text}"


def spacing_decimals(spacing: float) -> int:
    """Digits after the point that tell apart ticks ``spacing`` seconds apart (0 to 3)."""
    if spacing <= 0 or not math.isfinite(spacing):
        return 3
    return max(0, min(3, math.ceil(-math.log10(spacing) - 1e-9)))


@dataclass(frozen=True)
class TimeFormat:
    """How the open recording's moments are written (see the module's text).

    Parameters
    ----------
    start
        When the recording began (naive or time-zone aware); None when unknown.
    elapsed
        Without a start: write elapsed ``h:mm:ss`` instead of seconds.
    source
        Where ``start`` came from (``"file name"``, ``"GUANO"``...), for the axis label.
    """

    start: datetime | None = None
    elapsed: bool = False
    source: str | None = None

    @classmethod
    def for_recording(
        cls,
        duration: float,
        start: datetime | None = None,
        source: str | None = None,
    ) -> TimeFormat:
        """The format of a recording this long (seconds shown) that began at ``start``."""
        return cls(start=start, elapsed=duration >= LONG_RECORDING, source=source)

    @property
    def kind(self) -> Kind:
        """``"clock"`` (time of day), ``"elapsed"`` (``h:mm:ss``) or ``"seconds"``."""
        if self.start is not None:
            return "clock"
        return "elapsed" if self.elapsed else "seconds"

    # ------------------------------------------------------------ moments
    def text(self, seconds: float, decimals: int | None = None) -> str:
        """A moment as a table cell writes it (no unit): ``3.20``, ``1:02:03.2``, ``07:15:03.2``.

        Parameters
        ----------
        seconds
            Seconds from the start of the recording.
        decimals
            Digits after the seconds' point (default: 2 for seconds, else 1).
        """
        kind = self.kind
        if decimals is None:
            decimals = 2 if kind == "seconds" else 1
        if kind == "seconds":
            return _seconds(seconds, decimals)
        if kind == "elapsed":
            return format_clock(seconds, decimals=decimals)
        text, day = self._clock(seconds, decimals)
        return text if day == self.start.date() else f"{day:%b %d} {text}"

    def label(self, seconds: float, decimals: int | None = None) -> str:
        """A moment in running text: :meth:`text`, with `` s`` when it is in seconds."""
        text = self.text(seconds, decimals)
        return f"{text} s" if self.kind == "seconds" else text

    def span(self, start: float, end: float, decimals: int | None = None) -> str:
        """A time range in running text: ``1.20–1.80 s``, ``07:15:01.2–07:15:01.8``."""
        text = f"{self.text(start, decimals)}–{self.text(end, decimals)}"
        return f"{text} s" if self.kind == "seconds" else text

    # --------------------------------------------------------------- axis
    def ticks(self, values: list[float], spacing: float) -> list[str]:
        """Tick labels ``spacing`` seconds apart, as the time axis writes them.

        Clock times drop the seconds when ticks are a minute or more apart,
        and name the date at the first tick of a new day.
        """
        kind = self.kind
        decimals = spacing_decimals(spacing)
        if kind == "seconds":
            return [_seconds(v, decimals) for v in values]
        if kind == "elapsed":
            return [format_clock(v, decimals=decimals) for v in values]
        out = []
        previous_day = None
        for value in values:
            if spacing >= 60:
                moment = self.start + timedelta(seconds=round(float(value)))
                text, day = moment.strftime("%H:%M"), moment.date()
            else:
                text, day = self._clock(value, decimals)
            if day != self.start.date() and day != previous_day:
                text = f"{day:%b %d} {text}"
            previous_day = day
            out.append(text)
        return out

    def axis_label(self) -> tuple[str, str | None]:
        """The time axis's label and units (``("Time", "s")``, or a time-of-day label)."""
        if self.start is None:
            return "Time", None if self.elapsed else "s"
        zone = self.start.strftime(" %Z") if self.start.tzinfo is not None else ""
        source = f", from the {self.source}" if self.source else ""
        return f"Time of day ({self.start:%Y-%m-%d}{zone}{source})", None

    # ----------------------------------------------------------- internal
    def _clock(self, seconds: float, decimals: int) -> tuple[str, object]:
        """``HH:MM:SS[.d]`` of a moment (rounded first) and its date."""
        moment = self.start + timedelta(seconds=round(float(seconds), decimals))
        text = moment.strftime("%H:%M:%S")
        if decimals:
            fraction = moment.microsecond // 10 ** (6 - decimals)
            text += f".{fraction:0{decimals}d}"
        return text, moment.date()


def _seconds(seconds: float, decimals: int) -> str:
    value = round(float(seconds), decimals)
    if value == 0:
        value = 0.0  # never "-0.00"
    return f"{value:.{decimals}f}"
