"""STFT of one time range of a recording: a tile with a fixed pixel budget."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.audio.reader import AudioReader
from audioclass_gui.spectrogram.layout import TileSpec, column_windows
from audioclass_gui.spectrogram.params import SpectrogramParams, window_array
from audioclass_gui.spectrogram.pcen import lead_columns, pcen, smoothing_coefficient

__all__ = ["DB_FLOOR", "SpectrogramTile", "compute_grid_tile", "compute_tile"]

#: Level given to exact silence (and anything quieter), in dB re full scale.
DB_FLOOR = -200.0
_POWER_FLOOR = 10.0 ** (DB_FLOOR / 10.0)
# Samples per block of analysis frames: bounds the temporary memory of one call.
_BLOCK_SAMPLES = 1 << 19


@dataclass(frozen=True, slots=True, eq=False)
class SpectrogramTile:
    """A computed spectrogram image with its place in time and frequency.

    Attributes
    ----------
    data
        float32 array of shape ``(n_freqs, n_times)``, read-only, in dB re
        full scale (a full-scale sine at a bin centre reads 0 dB); row 0 is
        the lowest frequency. Exact silence reads :data:`DB_FLOOR`.
    start, end
        Seconds spanned by the columns: column ``i`` covers
        ``[start + i * dt, start + (i + 1) * dt]`` with
        ``dt = seconds_per_column``, and was computed from a window centred
        on the middle of that span.
    fmin, fmax
        Hz spanned by the rows (outer row edges, not centres): row ``k``
        is centred on its FFT bin frequency, so the lowest edge is half a
        bin below 0 Hz when the DC row is kept.
    nonfinite
        Non-finite samples (NaN, infinity) met in the audio read for this
        tile; they were analysed as silence.
    scale
        ``"dB"`` (dB re full scale) or ``"PCEN"`` (see
        :mod:`~audioclass_gui.spectrogram.pcen`).
    """

    data: np.ndarray
    start: float
    end: float
    fmin: float
    fmax: float
    nonfinite: int = 0
    scale: str = "dB"

    @property
    def seconds_per_column(self) -> float:
        """Width of one column in seconds."""
        return (self.end - self.start) / self.data.shape[1]

    @property
    def hz_per_row(self) -> float:
        """Height of one row in Hz."""
        return (self.fmax - self.fmin) / self.data.shape[0]

    @property
    def nbytes(self) -> int:
        """Memory held by the image, for byte-bounded caches."""
        return int(self.data.nbytes)


def _row_range(
    samplerate: int, n_fft: int, fmin: float, fmax: float | None
) -> tuple[int, int]:
    """First and last FFT bin whose centre lies in ``[fmin, fmax]`` (at least one)."""
    df = samplerate / n_fft
    top = n_fft // 2
    hi = samplerate / 2 if fmax is None else min(fmax, samplerate / 2)
    k0 = min(top, math.ceil(fmin / df - 1e-9))
    k1 = min(top, math.floor(hi / df + 1e-9))
    if k1 < k0:
        k0 = k1 = min(top, round((fmin + hi) / 2 / df))
    return k0, k1


def _power(frames: np.ndarray, window: np.ndarray, k0: int, k1: int) -> np.ndarray:
    """Power of rows ``k0..k1`` re a full-scale sine, shape (n_frames, n_rows)."""
    import scipy.fft  # in the tile pool, on first use: keeps ~0.3 s out of the app's start

    spec = scipy.fft.rfft(frames * window, axis=-1, overwrite_x=True)[:, k0 : k1 + 1]
    power = np.square(spec.real)
    power += np.square(spec.imag)
    power *= np.float32((2.0 / float(window.sum(dtype=np.float64))) ** 2)
    return power


def _to_db(power: np.ndarray) -> np.ndarray:
    np.maximum(power, np.float32(_POWER_FLOOR), out=power)
    return (np.float32(10.0) * np.log10(power)).astype(np.float32, copy=False)


def compute_tile(
    path: str | os.PathLike[str],
    start: float,
    end: float,
    params: SpectrogramParams,
    *,
    max_columns: int = 2048,
    info: RecordingInfo | None = None,
) -> SpectrogramTile:
    """Compute the spectrogram of ``[start, end]`` seconds of a recording.

    The hop is ``max(params.min_hop, ceil(span_samples / max_columns))``,
    so the tile never has more than ``max_columns`` columns at any zoom.
    Column ``i`` is computed from a window centred on sample
    ``first + i * hop + hop // 2`` (``first = round(start * samplerate)``),
    reading up to half a window beyond the span and zeros outside the file,
    so two tiles whose starts differ by a whole number of hops join without
    a seam. When the hop is longer than the window (zoomed far out) only one
    window per column is read, by seeking, so the cost depends on
    ``max_columns`` and not on the span's duration; short sounds between
    those windows are then missed, and a view that far out should use
    :func:`~audioclass_gui.spectrogram.overview.compute_overview`.

    Safe to call from several threads at once: every call opens its own
    file handle and shares no mutable state.

    Parameters
    ----------
    path
        The recording.
    start, end
        Span in seconds; clipped to the file.
    params
        Window, overlap, frequency range and channel.
    max_columns
        Pixel budget in time.
    info
        Header facts if already known (saves reading the header again).

    Returns
    -------
    SpectrogramTile
        ``end`` is ``start + columns * hop / samplerate`` and may pass the
        requested end (and the file's end) by up to one hop.

    Raises
    ------
    ValueError
        If the span holds no audio after clipping, or ``max_columns < 1``.
    AudioFileError
        If the file cannot be read, or the channel does not exist.
    """
    if max_columns < 1:
        raise ValueError(f"max_columns must be at least 1, not {max_columns!r}")
    info = info or read_info(path)
    sr = info.samplerate
    first = max(0, round(start * sr))
    last = min(info.frames, round(end * sr))
    if last <= first:
        raise ValueError(
            f"{path}: the span {start:g}-{end:g} s holds no audio "
            f"(the recording lasts {info.duration:g} s)"
        )
    span = last - first
    hop = max(params.min_hop, -(-span // max_columns))
    return _compute(info, params, first, -(-span // hop), hop, average=False)


def compute_grid_tile(
    path: str | os.PathLike[str],
    spec: TileSpec,
    params: SpectrogramParams,
    *,
    info: RecordingInfo | None = None,
) -> SpectrogramTile:
    """Compute one tile of the grid (see :mod:`~audioclass_gui.spectrogram.layout`).

    Columns are centred on the grid, so any two tiles of a level join
    without a seam. When the hop exceeds the window (zoomed out), each
    column is the mean power of the windows placed by
    :func:`~audioclass_gui.spectrogram.layout.column_windows`: all of the
    column's audio while that takes at most 8 windows, read in one piece;
    8 consecutive windows from its middle beyond that, read by one seek per
    column.
    The cost of a tile is therefore bounded at any zoom.

    Safe to call from several threads at once.

    Parameters
    ----------
    path
        The recording.
    spec
        Which tile.
    params
        Window, overlap, frequency range, channel, PCEN.
    info
        Header facts if already known.

    Returns
    -------
    SpectrogramTile
        Spanning ``spec.first_frame`` to the end of its last column (the
        last tile of a file ends within one hop past the file's end).

    Raises
    ------
    ValueError
        If the tile lies past the end of the file.
    AudioFileError
        If the file cannot be read, or the channel does not exist.
    """
    info = info or read_info(path)
    n_cols = spec.columns_in(info.frames)
    if n_cols <= 0:
        raise ValueError(f"{path}: tile {spec} lies past the end of the recording")
    return _compute(info, params, spec.first_frame, n_cols, spec.hop, average=True)


def _compute(
    info: RecordingInfo,
    params: SpectrogramParams,
    first: int,
    n_cols: int,
    hop: int,
    *,
    average: bool,
) -> SpectrogramTile:
    """Columns ``first + c * hop`` (``c < n_cols``) as a tile."""
    sr = info.samplerate
    n = params.window_length
    k0, k1 = _row_range(sr, n, params.fmin, params.fmax)
    lead = lead_columns(hop / sr) if params.pcen else 0
    lead = min(lead, first // hop)  # no lead-in before the start of the file
    with AudioReader(info, params.channel) as reader:
        power = _column_power(
            reader,
            first - lead * hop,
            n_cols + lead,
            hop,
            n,
            params.window,
            k0,
            k1,
            average,
        )
        nonfinite = reader.nonfinite
    if params.pcen:
        values = pcen(power, smoothing_coefficient(hop / sr), lead).T
        scale = "PCEN"
    else:
        values = _to_db(power).T
        scale = "dB"
    out = np.ascontiguousarray(values, dtype=np.float32)
    out.setflags(write=False)
    df = sr / n
    return SpectrogramTile(
        data=out,
        start=first / sr,
        end=(first + n_cols * hop) / sr,
        fmin=(k0 - 0.5) * df,
        fmax=(k1 + 0.5) * df,
        nonfinite=nonfinite,
        scale=scale,
    )


def _column_power(
    reader: AudioReader,
    first: int,
    n_cols: int,
    hop: int,
    n: int,
    window_name: str,
    k0: int,
    k1: int,
    average: bool,
) -> np.ndarray:
    """Power of rows ``k0..k1`` for each column, shape ``(n_cols, n_rows)``."""
    window = window_array(window_name, n)
    count, step, offset = column_windows(hop, n, average=average)
    out = np.empty((n_cols, k1 - k0 + 1), dtype=np.float32)
    if count == 1 and hop > n:
        # One window per column, far apart: read each by seeking.
        per_block = max(1, _BLOCK_SAMPLES // n)
        for c0 in range(0, n_cols, per_block):
            c1 = min(n_cols, c0 + per_block)
            frames = np.empty((c1 - c0, n), dtype=np.float32)
            for j in range(c1 - c0):
                reader.read_into(frames[j], first + (c0 + j) * hop + offset)
            out[c0:c1] = _power(frames, window, k0, k1)
        return out
    if count * step >= hop or count == 1:
        # The windows tile the columns: read the audio in one piece per block.
        per_block = max(1, _BLOCK_SAMPLES // max(hop, n))
        starts = np.arange(count) * step  # window starts within a column
        for c0 in range(0, n_cols, per_block):
            c1 = min(n_cols, c0 + per_block)
            s0 = first + c0 * hop + offset
            samples = reader.read(s0, s0 + (c1 - c0 - 1) * hop + (count - 1) * step + n)
            view = sliding_window_view(samples, n)
            index = (np.arange(c1 - c0)[:, None] * hop + starts[None, :]).ravel()
            frames = view[::hop] if count == 1 else view[index]
            power = _power(frames, window, k0, k1)
            if count > 1:
                power = power.reshape(c1 - c0, count, -1).mean(axis=1, dtype=np.float32)
            out[c0:c1] = power
        return out
    # Zoomed far out: a contiguous group of windows from the middle of each column
    # (of the part inside the file, for a last column cut by the file's end).
    group = np.empty((count - 1) * step + n, dtype=np.float32)
    for c in range(n_cols):
        start = first + c * hop + offset
        inside = reader.info.frames - group.size
        if start > inside:
            start = max(first + c * hop, inside)
        reader.read_into(group, start)
        frames = sliding_window_view(group, n)[::step]
        out[c] = _power(frames, window, k0, k1).mean(axis=0, dtype=np.float32)
    return out
