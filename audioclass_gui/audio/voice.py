"""One playback's state: ring, stream, feeder, and how output frames map to time.

A :class:`Voice` belongs to :class:`~audioclass_gui.audio.engine.PlaybackEngine`;
:func:`open_stream` opens its output at the first rate and channel count
the device accepts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from audioclass_gui.audio.playback import (
    PlaybackError,
    explain_stream_error,
    is_channel_error,
    is_rate_error,
)
from audioclass_gui.audio.ring import Marks, Ring

if TYPE_CHECKING:
    from audioclass_gui.audio.feeder import SpanFeeder

__all__ = ["Voice", "open_stream"]


class Voice:
    """One playback: its ring, stream and feeder, and its state flags.

    Parameters
    ----------
    samplerate
        The recording's rate (frames per second of recording time).
    origin
        Recording time (s) of the span's first frame.
    span
        Recording frames in one pass over the span.
    src_per_out
        Recording frames per output frame (1 unless resampled for the
        device).

    Attributes
    ----------
    resume_mark
        Output frames read when the stream last (re)started: the playhead
        never goes back before it.
    last_progress
        ``(frames, monotonic time)`` the device was last seen taking audio.
    """

    def __init__(
        self, samplerate: int, origin: float, span: int, src_per_out: float
    ) -> None:
        self.ring: Ring | None = None
        self.marks = Marks()
        self.feeder: SpanFeeder | None = None
        self.stream: Any = None
        self.samplerate = samplerate
        self.origin = origin
        self.span = span
        self.src_per_out = src_per_out
        self.out_rate = samplerate
        self.latency_frames = 0
        self.resume_mark = 0
        self.ready = self.started = self.paused = self.cancelled = False
        self.finished = False
        self.error: str | None = None
        self.last_progress = (0, time.monotonic())

    def fill(self, outdata: np.ndarray, frames: int) -> bool:
        """The audio callback: hand over to the ring."""
        return self.ring.fill(outdata, frames)  # type: ignore[union-attr]

    def position(self) -> float:
        """Recording time (s) of the frame being heard.

        The callback's counter less the output latency (never before the
        last restart), mapped back to the recording through the mark of
        the pass it belongs to.
        """
        ring = self.ring
        assert ring is not None
        heard = max(self.resume_mark, ring.read - self.latency_frames)
        mark = self.marks.lookup(heard)
        if mark is None:
            return self.origin
        out0, src0 = mark
        src = src0 + (heard - out0) * self.src_per_out
        return self.origin + min(max(src, 0.0), self.span) / self.samplerate

    def stalled(self, limit: float) -> bool:
        """Whether a running stream has taken no audio for ``limit`` seconds (polled)."""
        ring = self.ring
        if ring is None or not self.started or self.paused or ring.reached_end:
            return False
        progress = ring.read + ring.underrun_frames
        now = time.monotonic()
        if progress != self.last_progress[0]:
            self.last_progress = (progress, now)
            return False
        return now - self.last_progress[1] > limit + self.latency_frames / self.out_rate

    def mark_started(self) -> None:
        """The stream has just (re)started."""
        self.started = True
        ring = self.ring
        assert ring is not None
        self.last_progress = (ring.read + ring.underrun_frames, time.monotonic())


def open_stream(
    factory: Callable[..., Any],
    voice: Voice,
    rates: tuple[int, ...],
    channel_counts: tuple[int, ...],
    finished: Callable[[], None],
    device: int | None = None,
) -> tuple[int, int]:
    """Open ``voice``'s stream at the first rate and channel count the device accepts.

    Rates are tried in order, skipping repeats; a device that refuses a
    channel count is asked for the next one.

    Returns
    -------
    tuple of (int, int)
        The rate and channel count opened (also stored on ``voice`` with
        its latency in frames).

    Raises
    ------
    PlaybackError
        When nothing can be opened, or on any error other than a refused
        rate or channel count (device busy, gone...).
    """
    extra = {} if device is None else {"device": device}
    error: BaseException | None = None
    tried: list[int] = []
    for rate in rates:
        if rate in tried:
            continue
        tried.append(rate)
        for channels in channel_counts:
            try:
                stream = factory(
                    samplerate=rate,
                    channels=channels,
                    fill=voice.fill,
                    finished=finished,
                    **extra,
                )
            except Exception as exc:
                error = exc
                if is_channel_error(exc):
                    continue
                if is_rate_error(exc):
                    break
                raise PlaybackError(explain_stream_error(exc)) from exc
            voice.stream, voice.out_rate = stream, rate
            latency = getattr(stream, "latency", 0.0)
            voice.latency_frames = round(float(latency) * rate) if latency else 0
            return rate, channels
    assert error is not None
    raise PlaybackError(explain_stream_error(error)) from error
