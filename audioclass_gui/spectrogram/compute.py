"""STFT of one time range of a recording: a tile with a fixed pixel budget."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from types import TracebackType

import numpy as np
import scipy.fft
import soundfile as sf
from numpy.lib.stride_tricks import sliding_window_view

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.spectrogram.params import SpectrogramParams, window_array

__all__ = ["DB_FLOOR", "SpectrogramTile", "compute_tile"]

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
    """

    data: np.ndarray
    start: float
    end: float
    fmin: float
    fmax: float

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


class _Source:
    """One open recording read by seeking, zero outside the file.

    Made per call and never shared, so concurrent calls do not interfere.
    """

    def __init__(
        self, path: str | os.PathLike[str], info: RecordingInfo, channel: int | None
    ):
        if channel is not None and not 0 <= channel < info.channels:
            raise AudioFileError(
                path,
                f"has {info.channels} channel(s); channel {channel + 1} does not exist",
            )
        self.path = path
        self.frames = info.frames
        self.channel = channel
        try:
            self._fh = sf.SoundFile(str(path))
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise AudioFileError(path, f"cannot be opened any more ({exc})") from exc

    def __enter__(self) -> _Source:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._fh.close()

    def read_into(self, out: np.ndarray, start: int) -> None:
        """Fill ``out`` (1-D float32) with the mono samples from frame ``start``."""
        stop = start + out.shape[0]
        a, b = max(start, 0), min(stop, self.frames)
        if b <= a:
            out[:] = 0.0
            return
        try:
            self._fh.seek(a)
            block = self._fh.read(b - a, dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise AudioFileError(self.path, f"reading failed ({exc})") from exc
        got = block.shape[0]
        if self.channel is None:
            mono = (
                block[:, 0]
                if block.shape[1] == 1
                else block.mean(axis=1, dtype=np.float32)
            )
        else:
            mono = block[:, self.channel]
        lead = a - start
        out[:lead] = 0.0
        out[lead : lead + got] = mono
        out[lead + got :] = 0.0
        if not np.isfinite(out[lead : lead + got]).all():
            # Float WAVs can hold NaN/inf; they would poison every FFT.
            np.nan_to_num(out, copy=False, nan=0.0, posinf=0.0, neginf=0.0)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Mono float32 samples ``[start, stop)``, zeros outside the file."""
        out = np.empty(max(0, stop - start), dtype=np.float32)
        self.read_into(out, start)
        return out


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
    spec = scipy.fft.rfft(frames * window, axis=-1)[:, k0 : k1 + 1]
    power = spec.real**2 + spec.imag**2
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
    n = params.window_length
    hop = max(params.min_hop, -(-span // max_columns))
    n_cols = -(-span // hop)
    k0, k1 = _row_range(sr, n, params.fmin, params.fmax)
    window = window_array(params.window, n)
    out = np.empty((k1 - k0 + 1, n_cols), dtype=np.float32)
    offset = hop // 2 - n // 2  # first sample of column 0's window, relative to `first`
    per_block = max(1, _BLOCK_SAMPLES // n)
    with _Source(path, info, params.channel) as source:
        for c0 in range(0, n_cols, per_block):
            c1 = min(n_cols, c0 + per_block)
            s0 = first + c0 * hop + offset
            if hop <= n:
                samples = source.read(s0, s0 + (c1 - c0 - 1) * hop + n)
                frames = sliding_window_view(samples, n)[::hop]
            else:
                frames = np.empty((c1 - c0, n), dtype=np.float32)
                for j in range(c1 - c0):
                    source.read_into(frames[j], s0 + j * hop)
            out[:, c0:c1] = _to_db(_power(frames, window, k0, k1)).T
    out.setflags(write=False)
    df = sr / n
    return SpectrogramTile(
        data=out,
        start=first / sr,
        end=(first + n_cols * hop) / sr,
        fmin=(k0 - 0.5) * df,
        fmax=(k1 + 0.5) * df,
    )
