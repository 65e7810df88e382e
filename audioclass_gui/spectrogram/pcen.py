"""Per-channel energy normalisation (PCEN) for noisy recordings.

PCEN (Wang et al. 2017; Lostanlen et al. 2019, "Per-channel energy
normalization: why and how") divides each frequency row by a smoothed
running average of itself, then compresses. Stationary noise (wind, rain,
insects, a distant road) flattens to a uniform background while short calls
stand out. Parameters follow librosa's defaults for bioacoustics.

The running average is a first-order IIR filter along time, so a column's
value depends on everything before it. A tile is therefore computed with
:func:`lead_columns` extra columns before its start, through which the
filter settles (its error shrinks by ``exp(-10)``; seams stay under 1 % of
the range even after a loud sound just before a tile): tiles
join without a visible seam.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "PCEN_BIAS",
    "PCEN_GAIN",
    "PCEN_POWER",
    "PCEN_TIME_CONSTANT",
    "lead_columns",
    "pcen",
    "smoothing_coefficient",
]

#: Seconds over which the background level is averaged.
PCEN_TIME_CONSTANT = 0.4
#: Exponent of the normalisation (1 divides by the average entirely).
PCEN_GAIN = 0.98
#: Offset before compression.
PCEN_BIAS = 2.0
#: Compression exponent.
PCEN_POWER = 0.5
_EPS = 1e-6
# Magnitudes are scaled as for 32-bit integer audio, as librosa recommends.
_SCALE = float(2**31)
# Longest lead-in, in columns (bounds the extra work at the finest hops).
_MAX_LEAD = 1024


def smoothing_coefficient(
    hop_seconds: float, time_constant: float = PCEN_TIME_CONSTANT
) -> float:
    """The IIR coefficient for columns ``hop_seconds`` apart (librosa's formula)."""
    t_frames = time_constant / max(hop_seconds, 1e-9)
    if t_frames < 1e-3:
        return 1.0
    return (math.sqrt(1.0 + 4.0 * t_frames**2) - 1.0) / (2.0 * t_frames**2)


def lead_columns(hop_seconds: float, time_constant: float = PCEN_TIME_CONSTANT) -> int:
    """Columns to compute before a tile so the smoother has settled (ten time constants)."""
    return int(min(_MAX_LEAD, math.ceil(10.0 * time_constant / max(hop_seconds, 1e-9))))


def pcen(power: np.ndarray, coefficient: float, lead: int = 0) -> np.ndarray:
    """PCEN of a power spectrogram laid out time first.

    Parameters
    ----------
    power
        Power re full scale, shape ``(n_columns, n_rows)`` (time first).
    coefficient
        From :func:`smoothing_coefficient`.
    lead
        Leading columns used only to settle the smoother; they are dropped
        from the result.

    Returns
    -------
    numpy.ndarray
        float32 of shape ``(n_columns - lead, n_rows)``; stationary noise
        comes out near ``(1 + bias) ** power - bias ** power`` (about 0.3).
    """
    mag = np.sqrt(np.maximum(power, 0.0, dtype=np.float64)) * _SCALE
    b = float(coefficient)
    # Start from the typical level of the lead-in (not its first column,
    # which may be a click), so the smoother settles sooner.
    zi = (1.0 - b) * np.median(mag[: max(1, lead)], axis=0, keepdims=True)
    from scipy.signal import lfilter  # not at startup (slow import)

    smooth, _ = lfilter([b], [1.0, b - 1.0], mag, axis=0, zi=zi)
    out = (
        mag / (_EPS + smooth) ** PCEN_GAIN + PCEN_BIAS
    ) ** PCEN_POWER - PCEN_BIAS**PCEN_POWER
    return out[lead:].astype(np.float32)
