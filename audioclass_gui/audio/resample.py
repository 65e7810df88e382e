"""Resampling between sample rates: soxr at its very-high-quality setting.

Why soxr VHQ
------------
BirdNET's scores turned out sensitive to two things a resampler controls:

* the passband near the top of what BirdNET hears (it looks up to 15 kHz):
  scipy's default ``resample_poly`` filter (Kaiser, beta 5, 10 taps a side
  per phase) is already -1.9 dB at 15 kHz when taking 32 kHz to 48 kHz,
  and lowers the birds_10s.wav scores by up to 0.09; soxr VHQ is flat to
  within 0.35 dB up to 15 kHz (and cuts off by 15.8 kHz);
* the exact time grid: BirdNET is not shift invariant at the sample
  level (moving the input by a quarter of a 48 kHz sample moves scores by
  up to 0.08). A whole-file FFT resampling (``scipy.signal.resample``) of a
  file with an odd number of samples, such as birds_10s.wav, puts the
  output on a grid about 1 ppm off 48 kHz, which is why the scores quoted
  for that file in the test data README (0.426/0.824/0.381/0.146) differ
  from the reference below.

The reference is the ideal band-limited interpolation: FFT resampling of
the signal zero-padded so the rate ratio is exact. Windowed-sinc filters
of 600 to 36,000 taps and FFT resampling of an even-length signal all
agree with it to 0.003; on birds_10s.wav its scores are
0.465/0.792/0.460/0.131 (windows from 0, 3, 6 and 9 s). soxr VHQ gives
0.461/0.791/0.455/0.126 (within 0.006), at about 0.2 ms per second of
audio (32 kHz input), half the time of scipy's default ``resample_poly``
and 20 times faster than a windowed sinc long enough to match it. Its
stopband is below -140 dB, so ultrasound in bat-detector recordings does
not alias into BirdNET's band.

Blocks: :func:`audioclass_gui.audio.reader.read_resampled` reads each block
with :func:`context_frames` of audio on both sides, resamples, and cuts
the context off again, so blocks join to within float32 rounding of a
whole-file resampling.
"""

from __future__ import annotations

from math import gcd

import numpy as np
import soxr

__all__ = ["RESAMPLER", "context_frames", "resample", "resample_ratio"]

_QUALITY = "VHQ"
#: Which resampler the app uses, for the provenance of a run.
RESAMPLER = f"soxr {soxr.__version__} {_QUALITY}"
#: Seconds of context read on each side of a block (soxr VHQ's filter
#: settles within 20 ms even at 8 kHz).
_CONTEXT_SECONDS = 0.05


def resample_ratio(samplerate_in: int, samplerate_out: int) -> tuple[int, int]:
    """Reduced ``(up, down)`` factors that take one rate to the other."""
    g = gcd(int(samplerate_in), int(samplerate_out))
    return int(samplerate_out) // g, int(samplerate_in) // g


def context_frames(samplerate_in: int, samplerate_out: int) -> int:
    """Input frames of context a block needs on each side to join seamlessly.

    A whole multiple of the reduced ``down`` factor, so the context maps to
    a whole number of output samples.
    """
    _, down = resample_ratio(samplerate_in, samplerate_out)
    wanted = max(512, int(_CONTEXT_SECONDS * samplerate_in))
    return down * max(1, -(-wanted // down))


def resample(
    samples: np.ndarray, samplerate_in: int, samplerate_out: int
) -> np.ndarray:
    """Resample a 1-D signal with soxr (very high quality, linear phase).

    Output sample ``k`` lies at time ``k / samplerate_out`` from the first
    input sample (no delay).

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
    x = np.ascontiguousarray(samples, dtype=np.float32)
    if samplerate_in == samplerate_out or x.size == 0:
        return x
    out = soxr.resample(x, int(samplerate_in), int(samplerate_out), quality=_QUALITY)
    return np.asarray(out, dtype=np.float32)
