"""Raven Pro's measurements of a selection: a box, a time interval or a detection window.

A selection is a time span and a band (``start``, ``end``, ``low``,
``high``; a time interval or a detection window without a box has the
whole band, 0 Hz to the Nyquist frequency). Its spectrogram is computed as
the window shows it (:mod:`audioclass_gui.spectrogram.compute`): the app's
window, window length and channel, at the finest hop
(:attr:`~audioclass_gui.spectrogram.params.SpectrogramParams.min_hop`), each
column from a window centred on ``first + i * hop + hop // 2``; the cells
measured are the columns whose centre lies in the span and the FFT bins
whose centre frequency lies in the band (the bin nearest the band's middle
when none does). As in Raven Pro, the measurements are those of the
spectrogram, so they depend on its settings: the window length sets the
frequency resolution (``samplerate / window_length`` Hz per bin), the hop
the time resolution.

Measured, with Raven Pro's names and definitions (its User's Manual,
Appendix C, and the measurements added in Raven Pro 1.5):

===============================  ==========================================
``Delta Time (s)``               end - begin of the span measured
``Delta Freq (Hz)``              high - low of the band measured
``Peak Freq (Hz)``               frequency of the cell of most power
``Peak Power Density (dB FS/Hz)``  the power of that cell as a spectral
                                 density, in dB re full scale per Hz
``Center Freq (Hz)``             the frequency dividing the selection's
                                 energy into two equal halves
``Freq 5% (Hz)``, ``Freq 95%``   the frequencies below which 5 % and 95 %
                                 of the energy lie
``BW 90% (Hz)``                  Freq 95% - Freq 5%
``Dur 90% (s)``                  Time 95% - Time 5%: the times before which
                                 5 % and 95 % of the energy lie
===============================  ==========================================

Energies are the cells' powers summed over time (for frequencies) or over
the band (for times); a percentile is the centre of the first bin (or
column) where the running sum reaches that share of the total, as Raven
reports them (no interpolation between bins).

**dB FS convention.** 0 dB FS is the power of a full-scale sine (amplitude
1.0, the largest sample value): the spectrogram reads 0 dB for such a sine
at a bin centre (the view's scale). A density divides that power by the
window's equivalent noise bandwidth, ``ENBW = samplerate * sum(w**2) /
sum(w)**2`` Hz (1.5 bins for Hann), so a full-scale sine at a bin centre
reads ``-10 log10(ENBW)`` dB FS/Hz (-18.5 dB FS/Hz for a 1024-sample Hann
window at 48 kHz) and white noise its level per Hz whatever the window.
Raven Pro 1.6 measures power densities in dB FS/Hz too; its exact full-scale
reference is not documented, so compare values within one tool.

A span past the end of the recording is measured up to the end, and the
result says so (:attr:`Measurements.note`); a span wholly past it is an
error. Exact silence has no peak, centre or percentiles: those are None.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.audio.reader import AudioReader
from audioclass_gui.spectrogram.compute import _power, _row_range
from audioclass_gui.spectrogram.params import SpectrogramParams, window_array

__all__ = [
    "Measurements",
    "Span",
    "enbw_hz",
    "measure",
    "measure_many",
]

#: ``(start, end, low, high)`` in seconds and Hz; ``low``/``high`` None: the whole band.
Span = tuple[float, float, float | None, float | None]

# Columns analysed at once: bounds the memory of one selection, however long.
_BLOCK_COLUMNS = 2048


@dataclass(frozen=True, slots=True)
class Measurements:
    """What was measured on one selection (frequencies in Hz, times in seconds).

    Attributes
    ----------
    begin_time, end_time, low_freq, high_freq
        The span and band measured (cut to the recording and to 0 Hz-Nyquist).
    delta_time, delta_freq
        ``end_time - begin_time`` and ``high_freq - low_freq``, exact.
    peak_freq
        Frequency (bin centre) of the cell of most power.
    peak_time
        Time (column centre) of that cell.
    peak_power_density
        Its power in dB FS/Hz (see the module's convention).
    center_freq, freq_5, freq_95
        Frequencies below which 50 %, 5 % and 95 % of the energy lie.
    bw_90
        ``freq_95 - freq_5``.
    time_5, time_95
        Times before which 5 % and 95 % of the energy lie.
    dur_90
        ``time_95 - time_5``.
    bin_hz, hop_seconds
        The spectrogram's resolution: one bin, one column.
    note
        What the user should know about this measurement ("" when
        nothing): a span cut at the end of the recording, silence,
        non-finite samples read as silence.

    The spectral values are None for exact silence.
    """

    begin_time: float
    end_time: float
    low_freq: float
    high_freq: float
    delta_time: float
    delta_freq: float
    peak_freq: float | None
    peak_time: float | None
    peak_power_density: float | None
    center_freq: float | None
    freq_5: float | None
    freq_95: float | None
    bw_90: float | None
    time_5: float | None
    time_95: float | None
    dur_90: float | None
    bin_hz: float
    hop_seconds: float
    note: str = ""

    @property
    def silent(self) -> bool:
        """True when the selection holds no energy (exact silence)."""
        return self.peak_freq is None


def enbw_hz(window: str, length: int, samplerate: float) -> float:
    """Equivalent noise bandwidth of a window in Hz: ``samplerate * sum(w**2) / sum(w)**2``."""
    w = window_array(window, int(length)).astype(np.float64)
    return float(samplerate * np.dot(w, w) / w.sum() ** 2)


def _percentile_index(cumulative: np.ndarray, share: float) -> int:
    """First index where the running sum reaches ``share`` of the total."""
    target = share * float(cumulative[-1])
    return min(int(np.searchsorted(cumulative, target, side="left")), len(cumulative) - 1)


class _Accumulator:
    """Running sums over the columns of one selection."""

    def __init__(self, n_cols: int, n_rows: int) -> None:
        self.by_bin = np.zeros(n_rows, np.float64)
        self.by_column = np.zeros(n_cols, np.float64)
        self.peak = -1.0
        self.peak_at = (0, 0)

    def add(self, c0: int, power: np.ndarray) -> None:
        self.by_bin += power.sum(axis=0, dtype=np.float64)
        self.by_column[c0 : c0 + power.shape[0]] = power.sum(axis=1, dtype=np.float64)
        flat = int(np.argmax(power))
        value = float(power.flat[flat])
        if value > self.peak:
            self.peak = value
            self.peak_at = (c0 + flat // power.shape[1], flat % power.shape[1])


def _clip(info: RecordingInfo, span: Span) -> tuple[float, float, float, float, str]:
    """The span and band inside the recording, and a note when it was cut.

    Raises
    ------
    ValueError
        If nothing of the span lies in the recording.
    """
    start, end, low, high = span
    nyquist = info.samplerate / 2.0
    if not end > start:
        raise ValueError(f"{info.path}: the span {start:g}-{end:g} s is empty")
    a, b = max(0.0, float(start)), min(info.duration, float(end))
    if not b > a:
        raise ValueError(
            f"{info.path}: the selection {start:g}-{end:g} s lies past the end of the "
            f"recording ({info.duration:g} s); nothing to measure"
        )
    lo = 0.0 if low is None else min(max(0.0, float(low)), nyquist)
    hi = nyquist if high is None else min(max(0.0, float(high)), nyquist)
    if not hi > lo:
        raise ValueError(
            f"{info.path}: the band {lo:g}-{hi:g} Hz is empty (the recording's "
            f"Nyquist frequency is {nyquist:g} Hz)"
        )
    notes = []
    if b < end or a > start:
        notes.append(
            f"the selection {start:g}-{end:g} s reaches past the recording "
            f"(0-{info.duration:g} s): measured over {a:g}-{b:g} s"
        )
    if high is not None and float(high) > nyquist:
        notes.append(f"the band is cut at the Nyquist frequency ({nyquist:g} Hz)")
    return a, b, lo, hi, "; ".join(notes)


def _measure_open(
    reader: AudioReader,
    span: Span,
    params: SpectrogramParams,
    should_stop: Callable[[], bool] | None,
) -> Measurements:
    info = reader.info
    sr = info.samplerate
    a, b, lo, hi, note = _clip(info, span)
    n, hop = int(params.window_length), params.min_hop
    window = window_array(params.window, n)
    k0, k1 = _row_range(sr, n, lo, hi)
    first = round(a * sr)
    last = max(first + 1, round(b * sr))
    n_cols = -(-(last - first) // hop)
    acc = _Accumulator(n_cols, k1 - k0 + 1)
    nonfinite_before = reader.nonfinite
    lead = hop // 2 - n // 2  # the window of column i starts at first + i * hop + lead
    for c0 in range(0, n_cols, _BLOCK_COLUMNS):
        if should_stop is not None and should_stop():
            raise InterruptedError("measurement cancelled")
        c1 = min(n_cols, c0 + _BLOCK_COLUMNS)
        s0 = first + c0 * hop + lead
        samples = reader.read(s0, s0 + (c1 - c0 - 1) * hop + n)
        frames = sliding_window_view(samples, n)[::hop]
        acc.add(c0, _power(frames, window, k0, k1))
    df = sr / n
    centres = (first + np.arange(n_cols) * hop + hop // 2) / sr
    notes = [note] if note else []
    if reader.nonfinite > nonfinite_before:
        notes.append(
            f"{reader.nonfinite - nonfinite_before} non-finite samples (NaN, infinity) "
            "were measured as silence"
        )
    common = {
        "begin_time": a,
        "end_time": b,
        "low_freq": lo,
        "high_freq": hi,
        "delta_time": b - a,
        "delta_freq": hi - lo,
        "bin_hz": df,
        "hop_seconds": hop / sr,
    }
    total = float(acc.by_bin.sum())
    if not total > 0.0 or not acc.peak > 0.0:
        notes.append("silence: no energy to measure")
        empty = dict.fromkeys(
            (
                "peak_freq", "peak_time", "peak_power_density", "center_freq",
                "freq_5", "freq_95", "bw_90", "time_5", "time_95", "dur_90",
            )
        )
        return Measurements(**common, **empty, note="; ".join(notes))
    by_bin = np.cumsum(acc.by_bin)
    by_col = np.cumsum(acc.by_column)
    f5, f50, f95 = ((k0 + _percentile_index(by_bin, p)) * df for p in (0.05, 0.5, 0.95))
    t5, t95 = (float(centres[_percentile_index(by_col, p)]) for p in (0.05, 0.95))
    col, row = acc.peak_at
    return Measurements(
        **common,
        peak_freq=(k0 + row) * df,
        peak_time=float(centres[col]),
        peak_power_density=10.0 * math.log10(acc.peak)
        - 10.0 * math.log10(enbw_hz(params.window, n, sr)),
        center_freq=f50,
        freq_5=f5,
        freq_95=f95,
        bw_90=f95 - f5,
        time_5=t5,
        time_95=t95,
        dur_90=t95 - t5,
        note="; ".join(notes),
    )


def _channel(info: RecordingInfo, params: SpectrogramParams) -> int | None:
    """The params' channel when the recording has it, else the mix of all."""
    ch = params.channel
    return ch if ch is not None and ch < info.channels else None


def measure(
    path: str | os.PathLike[str],
    start: float,
    end: float,
    low: float | None = None,
    high: float | None = None,
    params: SpectrogramParams | None = None,
    *,
    info: RecordingInfo | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Measurements:
    """Measure one selection of a recording.

    Reads only the span (and half a window either side), in blocks, so a
    selection of any length takes bounded memory.

    Parameters
    ----------
    path
        The recording.
    start, end
        The span in seconds.
    low, high
        The band in Hz; None for the whole band (a time interval, a
        detection window).
    params
        The spectrogram's window, window length, overlap and channel (the
        frequency range and display settings are not used); default
        :class:`SpectrogramParams` (Hann, 1024, 75 %). A channel the
        recording lacks falls back to the mix of all channels.
    info
        Header facts if already known.
    should_stop
        Called between blocks; True stops with :class:`InterruptedError`.

    Returns
    -------
    Measurements

    Raises
    ------
    ValueError
        If the span lies wholly past the end of the recording, or the span
        or band is empty.
    AudioFileError
        If the recording cannot be read.
    """
    params = params or SpectrogramParams()
    info = info or read_info(path)
    with AudioReader(info, _channel(info, params)) as reader:
        return _measure_open(reader, (start, end, low, high), params, should_stop)


def measure_many(
    info: RecordingInfo,
    spans: Iterable[Span],
    params: SpectrogramParams | None = None,
    *,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[Measurements | ValueError]:
    """Measure many selections of one recording through one open file.

    Yields, in order, the :class:`Measurements` of each span, or the
    ``ValueError`` saying why it cannot be measured (a span past the end
    of the recording), so one bad span does not stop the others.

    Raises
    ------
    AudioFileError
        If the recording cannot be read.
    """
    params = params or SpectrogramParams()
    with AudioReader(info, _channel(info, params)) as reader:
        for span in spans:
            try:
                yield _measure_open(reader, span, params, should_stop)
            except ValueError as exc:
                yield exc
