"""The feeder thread: streams a span of a recording from disk into a ring.

A :class:`SpanFeeder` reads the span in short blocks through an open
:class:`~audioclass_gui.audio.reader.AudioReader` (never the whole span),
so the samples are exactly those the rest of the app reads, runs the playback filters and gain
(:mod:`audioclass_gui.audio.playback_dsp`), resamples when the device
needs another rate, and writes the result into a :class:`~.ring.Ring`,
sleeping while the ring is full. Memory stays bounded by the ring and one
block, whatever the length of the span.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.audio.playback_dsp import (
    BlockFilter,
    PlaybackOptions,
    StreamResampler,
    design_filter,
    linear_gain,
    settle_seconds,
)
from audioclass_gui.audio.reader import AudioReader
from audioclass_gui.audio.ring import Marks, Ring

__all__ = [
    "BLOCK_SECONDS",
    "NORMALISE_SCAN_SECONDS",
    "RING_SECONDS",
    "SpanFeeder",
    "ring_for",
]

#: Output audio per block the feeder produces (seconds of playback).
BLOCK_SECONDS = 0.05
#: Output audio the ring holds ahead of the callback (seconds of playback).
RING_SECONDS = 2.0
#: Output audio kept behind the callback so a pause resumes where it was heard.
KEEP_SECONDS = 0.5
#: Normalisation measures the peak of at most this much of the span.
NORMALISE_SCAN_SECONDS = 120.0
#: How often the feeder checks for free space when the ring is full (s).
POLL_SECONDS = 0.004


def ring_for(out_rate: int) -> Ring:
    """A ring sized for playback at ``out_rate`` frames per second."""
    keep = round(KEEP_SECONDS * out_rate)
    return Ring(
        keep
        + max(round(RING_SECONDS * out_rate), 8 * round(BLOCK_SECONDS * out_rate) + 64),
        keep,
    )


class SpanFeeder(threading.Thread):
    """Reads, filters and resamples ``[start_frame, end_frame)`` into ``ring``.

    Parameters
    ----------
    info
        The recording.
    start_frame, end_frame
        The span, in the file's frames (``end_frame`` exclusive).
    channel
        Zero-based channel, or None to average all channels.
    options
        Filters, gain, normalisation and looping.
    tape_rate, out_rate
        Frames per second the samples should play at, and the device rate;
        when they differ, the feeder resamples between them.
    ring, marks
        Where the audio goes, and where each pass starts.
    on_ready
        Called once (from this thread) when the ring holds its first fill
        or the whole span, before playback should start.

    Attributes
    ----------
    error
        Why the feeder stopped early (a message for the user), or None.
    cancelled
        Set to stop the thread at the next block.
    """

    def __init__(
        self,
        info: RecordingInfo,
        *,
        start_frame: int,
        end_frame: int,
        channel: int | None,
        options: PlaybackOptions,
        tape_rate: int,
        out_rate: int,
        ring: Ring,
        marks: Marks,
        on_ready: Callable[[], None],
    ) -> None:
        super().__init__(name="acg-playback-feeder", daemon=True)
        self.info = info
        self.samplerate = int(info.samplerate)
        self.start_frame, self.end_frame = int(start_frame), int(end_frame)
        self.channel = channel
        self.options = options
        self.tape_rate, self.out_rate = int(tape_rate), int(out_rate)
        self.ring, self.marks = ring, marks
        self._on_ready = on_ready
        self._ready_sent = False
        self.error: str | None = None
        self.cancelled = False
        # Source frames per block: BLOCK_SECONDS of output at the tape rate.
        self.block = max(32, round(BLOCK_SECONDS * self.tape_rate))
        sos = design_filter(self.samplerate, options.band, options.highpass)
        self._sos = sos
        self._filter = BlockFilter(sos) if sos is not None else None
        self._resampler = (
            StreamResampler(self.tape_rate, self.out_rate)
            if self.tape_rate != self.out_rate
            else None
        )
        self._fed = 0  # source frames given to the resampler (or the ring) so far

    # ------------------------------------------------------------------ run
    def run(self) -> None:
        try:
            with AudioReader(self.info, self.channel) as reader:
                self._play(reader)
        except AudioFileError as exc:
            self.error = str(exc)
        except Exception as exc:  # never let the thread die silently
            self.error = f"Playback failed: {exc}"
        finally:
            self.ring.finish()
            self._ready()

    def _ready(self) -> None:
        if not self._ready_sent:
            self._ready_sent = True
            self._on_ready()

    def _read(self, reader: AudioReader, first: int, count: int) -> np.ndarray:
        return reader.read(first, min(first + count, self.info.frames))

    def _peak(self, reader: AudioReader) -> float:
        """Largest filtered sample of the span (its first NORMALISE_SCAN_SECONDS)."""
        end = min(
            self.end_frame,
            self.start_frame + round(NORMALISE_SCAN_SECONDS * self.samplerate),
        )
        flt = BlockFilter(self._sos) if self._sos is not None else None
        peak, pos, step = 0.0, self.start_frame, self.samplerate
        if flt is not None:
            pos = self._warm_up(reader, flt)
        while pos < end and not self.cancelled:
            x = self._read(reader, pos, min(step, end - pos))
            if x.size == 0:
                break
            if flt is not None:
                x = flt.process(x)
            peak = max(peak, float(np.max(np.abs(x))))
            pos += x.size
        return peak

    def _warm_up(self, reader: AudioReader, flt: BlockFilter) -> int:
        """Run the filter over the audio just before the span; returns the span start."""
        opts = self.options
        lead = min(
            self.start_frame,
            round(settle_seconds(opts.band, opts.highpass) * self.samplerate),
        )
        if lead > 0:
            flt.process(self._read(reader, self.start_frame - lead, lead))
        return self.start_frame

    def _play(self, reader: AudioReader) -> None:
        opts = self.options
        peak = self._peak(reader) if opts.normalise else None
        gain = linear_gain(opts.gain_db, peak)
        if self._filter is not None:
            self._warm_up(reader, self._filter)
        while not self.cancelled:
            out_start = (
                self._fed
                if self._resampler is None
                else round(self._fed * self.out_rate / self.tape_rate)
            )
            self.marks.add(out_start, 0)  # frames relative to the span start
            wrote = self._one_pass(reader, gain)
            if not opts.loop or wrote == 0:
                break
        if self._resampler is not None and not self.cancelled:
            self._push(self._resampler.process(np.zeros(0, np.float32), last=True))

    def _one_pass(self, reader: AudioReader, gain: float) -> int:
        pos, total = self.start_frame, 0
        while pos < self.end_frame and not self.cancelled:
            x = self._read(reader, pos, min(self.block, self.end_frame - pos))
            if x.size == 0:
                break  # the file is shorter than its header said
            pos += x.size
            total += x.size
            if self._filter is not None:
                x = self._filter.process(x)
            if gain != 1.0:
                x = x * np.float32(gain)
            np.clip(x, -1.0, 1.0, out=x)
            self._fed += x.size
            if self._resampler is not None:
                x = self._resampler.process(x)
            self._push(x)
        return total

    def _push(self, x: np.ndarray) -> None:
        """Write ``x`` into the ring, waiting for space (the ring may be smaller)."""
        ring = self.ring
        done = 0
        while done < x.size and not self.cancelled:
            space = ring.space()
            if space <= 0:
                self._ready()  # the ring is full: playback may start
                time.sleep(POLL_SECONDS)
                continue
            n = min(space, x.size - done)
            ring.write(x[done : done + n])
            done += n
