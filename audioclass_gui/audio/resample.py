"""Resampling between sample rates with a polyphase filter."""

from __future__ import annotations

from math import gcd

import numpy as np
from scipy.signal import resample_poly

__all__ = ["resample", "resample_ratio"]


def resample_ratio(samplerate_in: int, samplerate_out: int) -> tuple[int, int]:
    """Reduced ``(up, down)`` factors that take one rate to the other."""
    g = gcd(int(samplerate_in), int(samplerate_out))
    return int(samplerate_out) // g, int(samplerate_in) // g


def resample(samples: np.ndarray, samplerate_in: int, samplerate_out: int) -> np.ndarray:
    """Resample a 1-D signal with scipy's polyphase FIR (Kaiser window).

    Parameters
    ----------
    samples
        Signal, 1-D, any float dtype.
    samplerate_in, samplerate_out
        Rates in Hz.

    Returns
    -------
    numpy.ndarray
        float32 signal of ``ceil(len(samples) * out / in)`` samples.
    """
    x = np.asarray(samples, dtype=np.float32)
    if samplerate_in == samplerate_out or x.size == 0:
        return x
    up, down = resample_ratio(samplerate_in, samplerate_out)
    return resample_poly(x, up, down, window=("kaiser", 5.0)).astype(np.float32, copy=False)
