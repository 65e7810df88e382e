"""What a waveform view draws for a time span and a pixel width.

:func:`waveform_slice` cuts the span into columns (about one per pixel) and
gives each column's lowest and highest sample. Where a column holds at
least :data:`~audioclass_gui.spectrogram.envelope.BASE` frames the extremes
come from the recording's :class:`~audioclass_gui.spectrogram.envelope.Envelope`
(its coarsest level whose bins fit in a column); closer in, and where the
envelope is not built yet but the span is short, the samples are read from
the file; closer still, with fewer samples than columns, the samples
themselves are returned. Amplitudes are linear, full scale ±1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.audio.reader import AudioReader
from audioclass_gui.spectrogram.envelope import BASE, Envelope

__all__ = ["DIRECT_FRAMES", "WaveformSlice", "column_edges", "waveform_slice"]

#: Spans of at most this many frames are read from the file while the
#: envelope does not cover them yet (about 87 s at 48 kHz).
DIRECT_FRAMES = 1 << 22
#: Frames read at once for a direct slice (bounds its memory with many channels).
_CHUNK_SAMPLES = 1 << 21


@dataclass(frozen=True, slots=True)
class WaveformSlice:
    """Extremes of a span of a recording, column by column.

    Attributes
    ----------
    times
        Seconds (file time) of every column's middle, or of every sample.
    low, high
        float32 lowest and highest sample of each column (over the chosen
        channel, or over all channels); NaN where not known yet.
    samples
        True when every column is one sample frame (``low == high`` for
        one channel): draw a line through them.
    level
        The envelope level read, or None when read from the file.
    start, end
        The span covered, in file seconds.
    peak
        The largest absolute sample of the recording (of the channel, or
        of all channels) as far as the envelope knows it, and of the
        slice: a steady scale for the amplitude axis.
    """

    times: np.ndarray
    low: np.ndarray
    high: np.ndarray
    samples: bool
    level: int | None
    start: float
    end: float
    peak: float = 0.0

    @property
    def known(self) -> bool:
        """Whether every column is known (nothing left to wait for)."""
        return not bool(np.isnan(self.low).any())


def column_edges(first: int, stop: int, columns: int) -> np.ndarray:
    """``columns + 1`` frame numbers cutting ``[first, stop)`` into near-equal columns."""
    return first + (np.arange(columns + 1, dtype=np.int64) * (stop - first)) // columns


def _direct(
    info: RecordingInfo, edges: np.ndarray, channel: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact extremes per column, read from the file in chunks of whole columns."""
    columns = edges.size - 1
    low = np.empty(columns, dtype=np.float32)
    high = np.empty(columns, dtype=np.float32)
    per_chunk = max(1, _CHUNK_SAMPLES // info.channels)
    with AudioReader(info) as reader:
        i = 0
        while i < columns:
            j = int(np.searchsorted(edges, edges[i] + per_chunk, side="right")) - 1
            j = min(columns, max(j, i + 1))
            x = reader.read_channels(int(edges[i]), int(edges[j]))
            if channel is None:
                lo, hi = x.min(axis=1), x.max(axis=1)
            else:
                lo = hi = x[:, channel]
            starts = edges[i:j] - edges[i]
            low[i:j] = np.minimum.reduceat(lo, starts)
            high[i:j] = np.maximum.reduceat(hi, starts)
            i = j
    return low, high


def waveform_slice(
    info: RecordingInfo,
    start: float,
    end: float,
    columns: int,
    *,
    channel: int | None = None,
    envelope: Envelope | None = None,
) -> WaveformSlice:
    """The extremes to draw for ``[start, end]`` seconds across ``columns`` columns.

    Parameters
    ----------
    info
        The recording.
    start, end
        The span in file seconds (clipped to the recording).
    columns
        Columns wanted (about one per pixel).
    channel
        Zero-based channel, or None for the extremes of all channels.
    envelope
        The recording's envelope (complete or being built), or None.

    Returns
    -------
    WaveformSlice
        Columns never narrower than one sample; wide columns that the
        envelope does not cover yet (and whose span is too long to read
        now) are NaN.

    Raises
    ------
    ValueError
        If ``columns < 1`` or the channel does not exist.
    AudioFileError
        If the file cannot be read.
    """
    if columns < 1:
        raise ValueError(f"columns must be at least 1, not {columns!r}")
    if channel is not None and not 0 <= channel < info.channels:
        raise ValueError(f"{info.path}: has {info.channels} channel(s), no channel {channel + 1}")
    sr = info.samplerate
    first = max(0, math.floor(max(0.0, start) * sr))
    stop = min(info.frames, math.ceil(min(end, info.duration) * sr))
    empty = np.zeros(0, dtype=np.float32)
    if stop <= first:
        return WaveformSlice(empty.astype(np.float64), empty, empty, True, None, start, start)
    span = (first / sr, stop / sr)
    if stop - first <= columns:  # fewer samples than columns: the samples themselves
        edges = np.arange(first, stop + 1, dtype=np.int64)
        low, high = _direct(info, edges, channel)
        return _slice(edges[:-1] / sr, low, high, True, None, span, envelope, channel)
    edges = column_edges(first, stop, columns)
    times = (edges[:-1] + edges[1:]) / (2.0 * sr)
    narrowest = int(np.diff(edges).min())
    covered = envelope is not None and envelope.done_frames >= stop
    if narrowest < BASE or (not covered and stop - first <= DIRECT_FRAMES):
        # Narrow columns (at most BASE * columns frames) or a short span the
        # envelope does not reach yet: read the samples.
        low, high = _direct(info, edges, channel)
        return _slice(times, low, high, False, None, span, envelope, channel)
    if envelope is None:
        nan = np.full(columns, np.nan, dtype=np.float32)
        return _slice(times, nan, nan.copy(), False, None, span, envelope, channel)
    low, high, level = envelope.extremes(edges, channel)
    return _slice(times, low, high, False, level, span, envelope, channel)


def _slice(
    times: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    samples: bool,
    level: int | None,
    span: tuple[float, float],
    envelope: Envelope | None,
    channel: int | None,
) -> WaveformSlice:
    peak = envelope.peak(channel) if envelope is not None else 0.0
    if not np.isnan(low).all():
        peak = max(peak, float(np.nanmax(np.abs(low))), float(np.nanmax(np.abs(high))))
    return WaveformSlice(times, low, high, samples, level, *span, peak=peak)
