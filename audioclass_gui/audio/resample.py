"""Resampling between sample rates: two resamplers to choose from.

* ``"kaiser_fast"``: BirdNET-Analyzer's resampling (librosa's
  ``res_type="kaiser_fast"``, resampy's filter), see
  :mod:`audioclass_gui.audio.kaiser_fast`. With it, BirdNET's scores on
  recordings at any rate are BirdNET-Analyzer's (within 0.001 on
  birds_10s.wav and its copies at 16 to 96 kHz; ``benchmarks/resampler_parity.py``).
* ``"soxr_vhq"``: soxr at its very-high-quality setting, closer to an
  ideal band-limited resampling (see below).

:data:`DEFAULT_RESAMPLER` is the one a run uses unless told otherwise
(``RunSettings.resampler``, ``predict --resampler``); which one a run used
is written in its provenance (:func:`describe_resampler`).

Why soxr VHQ is the high-quality one
------------------------------------
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

from audioclass_gui.audio.kaiser_fast import kaiser_fast

__all__ = [
    "DEFAULT_RESAMPLER",
    "RESAMPLER",
    "RESAMPLERS",
    "check_resampler",
    "context_frames",
    "describe_resampler",
    "resample",
    "resample_ratio",
]

_QUALITY = "VHQ"
#: The resamplers to choose from (librosa's names for them).
RESAMPLERS = ("kaiser_fast", "soxr_vhq")
#: The one used unless a run says otherwise.
DEFAULT_RESAMPLER = "kaiser_fast"
_DESCRIPTIONS = {
    "kaiser_fast": "kaiser_fast (resampy's filter, as BirdNET-Analyzer resamples)",
    "soxr_vhq": f"soxr {soxr.__version__} {_QUALITY}",
}


def check_resampler(name: str | None) -> str:
    """The resampler a name stands for; None means :data:`DEFAULT_RESAMPLER`.

    Raises
    ------
    ValueError
        If the name is not one of :data:`RESAMPLERS`.
    """
    if name is None:
        return DEFAULT_RESAMPLER
    key = str(name).strip().lower().replace("-", "_")
    if key not in RESAMPLERS:
        raise ValueError(
            f"unknown resampler {name!r}; use one of {', '.join(RESAMPLERS)}"
        )
    return key


def describe_resampler(name: str | None = None) -> str:
    """A resampler in words, with its version, for the provenance of a run."""
    return _DESCRIPTIONS[check_resampler(name)]


#: The default resampler in words (for the provenance of a run).
RESAMPLER = describe_resampler()
#: Seconds of context read on each side of a block (soxr VHQ's filter
#: settles within 20 ms even at 8 kHz; kaiser_fast's reaches 24 input
#: samples, or 24 output samples when downsampling).
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
    samples: np.ndarray,
    samplerate_in: int,
    samplerate_out: int,
    resampler: str | None = None,
) -> np.ndarray:
    """Resample a 1-D signal (linear phase, no delay).

    Output sample ``k`` lies at time ``k / samplerate_out`` from the first
    input sample.

    Parameters
    ----------
    samples
        Signal, 1-D, any float dtype.
    samplerate_in, samplerate_out
        Rates in Hz.
    resampler
        One of :data:`RESAMPLERS`; None for :data:`DEFAULT_RESAMPLER`.

    Returns
    -------
    numpy.ndarray
        float32 signal of ``ceil(len(samples) * out / in)`` samples.

    Raises
    ------
    ValueError
        If the resampler is unknown.
    """
    method = check_resampler(resampler)
    x = np.ascontiguousarray(samples, dtype=np.float32)
    if samplerate_in == samplerate_out or x.size == 0:
        return x
    if method == "kaiser_fast":
        return kaiser_fast(x, int(samplerate_in), int(samplerate_out))
    out = soxr.resample(x, int(samplerate_in), int(samplerate_out), quality=_QUALITY)
    return np.asarray(out, dtype=np.float32)
