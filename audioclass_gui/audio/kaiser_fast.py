"""BirdNET-Analyzer's resampler: resampy's ``kaiser_fast`` filter, in numpy and scipy.

BirdNET-Analyzer (2.x) reads audio with ``librosa.load(..., sr=48000,
res_type="kaiser_fast")``, which resamples with the resampy package's
``kaiser_fast`` filter. BirdNET's scores depend on the resampler (see
:mod:`audioclass_gui.audio.resample`), so reproducing BirdNET-Analyzer's
scores on recordings not at 48 kHz needs this filter. resampy runs it
with numba; this module computes the same sums with numpy and scipy only.

The filter, from resampy's published parameters
------------------------------------------------
resampy interpolates with a windowed sinc stored as a table: its right
half, sampled 512 times per zero crossing over 24 zero crossings (12,289
values), ``rolloff * sinc(rolloff * x) * kaiser(x)`` with a roll-off of
0.8682 of the Nyquist frequency and a Kaiser window of beta 9.9032 (its
documentation lists beta 9.90322, roll-off 0.868212, 24 zeros, precision
9, -93 dB). :func:`half_window` builds that table; with the unrounded
values below it matches the table shipped in resampy 0.4.3 to 3e-15.

Output sample ``t`` lies at input time ``tau = t * rate_in / rate_out``
(input samples from the first one, no delay). With ``n = floor(tau)`` and
``f = tau - n``, input sample ``n - i`` gets the weight of the table at
``(f + i) * 512`` and sample ``n + 1 + k`` that at ``(1 - f + k) * 512``,
each read by linear interpolation between neighbouring table values, as
far as the table reaches. Downsampling by ``r < 1`` reads the table at
``r`` times those positions (step ``int(r * 512)``) and scales it by
``r``. Samples before the start and after the end count as zeros.

Because ``f`` takes only ``up`` values for a reduced rate ratio
``up/down``, the weights form a polyphase filter, built once per rate
pair, and are applied as one matrix product (BLAS): each row of input
samples (a few periods of ``down`` samples with their context) gives a
row of ``up`` output samples per period. The sums are in float64, so that
blocks read one after the other give the same float32 samples as the
whole file (in float32 the rounding depends on where a sample falls in a
block, and BirdNET hears differences of 1e-8 in quiet stretches). They
are resampy's up to rounding: the two differ by about 3e-7 on signals in
[-1, 1] (resampy accumulates in float32).

One difference is left: downsampling by a ratio ``r`` where ``r * 512`` is
not whole (such as 250 kHz to 48 kHz), resampy's step through its table
is rounded down, and where its floating-point output time falls just
short of a whole input sample it takes the other side's weights; those
outputs (a few in a thousand) differ by up to 3e-4 here.
"""

from __future__ import annotations

import functools
from math import gcd

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["half_window", "kaiser_fast", "period_matrix", "polyphase_filter"]

#: Zero crossings of the sinc kept on each side.
ZERO_CROSSINGS = 24
#: Table values per zero crossing (resampy's "precision" 9: 2**9).
TABLE_PER_ZERO = 512
#: Cut-off as a fraction of the Nyquist frequency.
ROLLOFF = 0.8682120388377784
#: Beta of the Kaiser window.
BETA = 9.903224416457041
#: Rows of the matrix product at a time (bounds the copy BLAS makes).
_CHUNK = 1024
#: Output samples at least in a row of the matrix product.
_ROW_OUTPUTS = 32


@functools.cache
def half_window() -> np.ndarray:
    """The right half of the interpolation filter, 512 values per zero crossing.

    Returns
    -------
    numpy.ndarray
        float64, ``24 * 512 + 1`` values from the centre (``ROLLOFF``) out.
    """
    n = TABLE_PER_ZERO * ZERO_CROSSINGS
    x = np.linspace(0.0, ZERO_CROSSINGS, n + 1)
    taper = np.kaiser(2 * n + 1, BETA)[n:]
    out = ROLLOFF * np.sinc(ROLLOFF * x) * taper
    out.setflags(write=False)
    return out


def _wing(
    table: np.ndarray, slope: np.ndarray, position: np.ndarray, step: int
) -> np.ndarray:
    """Weights of one side for each phase: row ``p``, tap ``i`` from the centre out.

    ``position`` is each phase's distance (in table entries) from the
    nearest input sample on this side; taps follow every ``step`` entries
    while the table lasts.
    """
    offset = position.astype(np.int64)  # positions are >= 0: floor
    eta = position - offset
    count = (table.size - offset) // step
    taps = np.arange(int(count.max()))
    index = offset[:, None] + taps[None, :] * step
    inside = taps[None, :] < count[:, None]
    index = np.where(inside, index, 0)
    weights = table[index] + eta[:, None] * slope[index]
    return np.where(inside, weights, 0.0)


@functools.lru_cache(maxsize=32)
def polyphase_filter(up: int, down: int) -> tuple[np.ndarray, int]:
    """The ``kaiser_fast`` weights of a rate change as one filter at ``up`` times the rate.

    Parameters
    ----------
    up, down
        The reduced rate ratio: ``rate_out / rate_in == up / down``.

    Returns
    -------
    filter : numpy.ndarray
        float64 filter ``h`` (read-only): output ``t`` is
        ``sum_k x[k] * h[lead * down + t * down - k * up]``, which is
        ``scipy.signal.upfirdn(h, x, up, down)[lead + t]``.
    lead : int
        Output samples of ``upfirdn`` before the one at the time of ``x[0]``.
    """
    ratio = up / down
    scale = min(1.0, ratio)
    table = half_window() * ratio if ratio < 1 else half_window()
    slope = np.diff(table, append=table[-1])
    step = int(scale * TABLE_PER_ZERO)
    # Output t has t * down = n * up + m: it lies m / up input samples after x[n].
    m = np.arange(up)
    behind = scale * (m / up)
    left = _wing(table, slope, behind * TABLE_PER_ZERO, step)  # weights of x[n - i]
    right = _wing(table, slope, (scale - behind) * TABLE_PER_ZERO, step)  # of x[n + 1 + k]
    # x[n - i] sits at h[c + m + i * up] and x[n + 1 + k] at h[c + m - (k + 1) * up].
    lead = -(-up * right.shape[1] // down)
    centre = lead * down
    h = np.zeros(centre + up * left.shape[1])
    i = np.arange(left.shape[1])
    h[centre + m[:, None] + i[None, :] * up] = left
    k = np.arange(right.shape[1])
    h[centre + m[:, None] - (k[None, :] + 1) * up] = right
    h.setflags(write=False)
    return h, lead


@functools.lru_cache(maxsize=32)
def period_matrix(up: int, down: int) -> tuple[np.ndarray, int, int]:
    """The weights as one matrix: a stretch of input samples to a row of outputs.

    A period of ``down`` input samples gives ``up`` output samples; the
    matrix takes ``group`` periods at once (so that a row holds at least
    :data:`_ROW_OUTPUTS` outputs, which keeps the matrix product efficient
    for plain decimations such as 96 to 48 kHz).

    Returns
    -------
    matrix : numpy.ndarray
        float64, shape ``(width, group * up)`` (read-only): outputs
        ``r * group * up`` onwards are ``x[r * group * down - before :
        r * group * down - before + width] @ matrix``, samples outside the
        signal being zeros.
    before : int
        Input samples of context before each row's periods.
    group : int
        Periods per row.
    """
    h, lead = polyphase_filter(up, down)
    centre = lead * down
    # Output q * up + p takes x[q * down + d] with weight h[centre + p * down - d * up].
    lowest = -((h.size - 1 - centre) // up) - 1
    highest = (centre + (up - 1) * down) // up + 1
    d = np.arange(lowest, highest + 1)
    index = centre + np.arange(up)[None, :] * down - d[:, None] * up
    inside = (index >= 0) & (index < h.size)
    one = np.where(inside, h[np.clip(index, 0, h.size - 1)], 0.0)
    used = np.flatnonzero(np.abs(one).sum(axis=1))
    one = one[used[0] : used[-1] + 1]
    group = -(-_ROW_OUTPUTS // up)
    width = one.shape[0] + (group - 1) * down
    matrix = np.zeros((width, group * up))
    for g in range(group):  # period g of the row: shifted by g * down inputs
        matrix[g * down : g * down + one.shape[0], g * up : (g + 1) * up] = one
    matrix.setflags(write=False)
    return matrix, -int(d[used[0]]), group


def kaiser_fast(
    samples: np.ndarray, samplerate_in: int, samplerate_out: int
) -> np.ndarray:
    """Resample a 1-D signal as ``librosa.resample(..., res_type="kaiser_fast")`` does.

    Parameters
    ----------
    samples
        The signal, 1-D.
    samplerate_in, samplerate_out
        Rates in Hz (whole numbers).

    Returns
    -------
    numpy.ndarray
        float32, ``ceil(len(samples) * out / in)`` samples; sample ``k`` at
        time ``k / samplerate_out`` from the first input sample. (librosa
        makes the last one zero where ``len * out / in`` is not whole; here
        it is computed like the others.)
    """
    x = np.ascontiguousarray(samples, dtype=np.float32)
    if samplerate_in == samplerate_out or x.size == 0:
        return x
    g = gcd(int(samplerate_in), int(samplerate_out))
    up, down = int(samplerate_out) // g, int(samplerate_in) // g
    matrix, before, group = period_matrix(up, down)
    width, step, per_row = matrix.shape[0], group * down, group * up
    wanted = -(-x.size * up // down)
    rows = -(-wanted // per_row)
    padded = np.zeros((rows - 1) * step + width)
    count = max(0, min(x.size, padded.size - before))
    padded[before : before + count] = x[:count]
    windows = sliding_window_view(padded, width)[::step]
    out = np.empty((rows, per_row))
    for first in range(0, rows, _CHUNK):
        np.matmul(windows[first : first + _CHUNK], matrix, out=out[first : first + _CHUNK])
    return out.reshape(-1)[:wanted].astype(np.float32)
