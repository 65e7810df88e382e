"""What playback does to the samples: speed, band-pass, high-pass, gain.

Everything here works block by block and keeps its state between blocks,
so a long selection streamed from disk sounds exactly as if it had been
processed in one piece: the filters carry their ``sosfilt`` state across
block joins (no clicks), and the resampler is a streaming ``soxr``
resampler whose output sample ``k`` lies at input time ``k * in / out``.

Speed works like a tape: the same samples played at ``samplerate * speed``
(time expansion: slower and lower). When the output device refuses that
rate, :class:`StreamResampler` converts from the "virtual" rate
``samplerate * speed`` to a rate the device accepts, which sounds the same.
No Qt, no sounddevice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "NORMALISE_PEAK_DB",
    "SPEED_MAX",
    "SPEED_MIN",
    "BlockFilter",
    "PlaybackOptions",
    "StreamResampler",
    "design_filter",
    "linear_gain",
    "settle_seconds",
    "virtual_rate",
]

#: Slowest and fastest playback speed (1 = real time).
SPEED_MIN = 0.05
SPEED_MAX = 2.0
#: Peak level (dBFS) that normalisation brings the loudest sample to.
NORMALISE_PEAK_DB = -1.0
#: Butterworth orders: band edges (steep: about 36 dB per octave) and the
#: wind/hum high-pass (24 dB per octave).
BAND_ORDER = 6
HIGHPASS_ORDER = 4
#: Resampler quality when the device refuses the tape rate: soxr VHQ, as
#: for the models (benchmarks/playback_feeder.py: 0.1-0.15 ms per second of
#: output, the same as HQ).
RESAMPLE_QUALITY = "VHQ"


@dataclass(frozen=True)
class PlaybackOptions:
    """How to play a span: speed, filters, level, looping, output rate.

    Parameters
    ----------
    speed
        Tape speed, ``SPEED_MIN`` to ``SPEED_MAX``: 0.1 plays ten times
        slower and an octave-and-a-bit lower (a tenth of the pitch).
    band
        ``(low, high)`` Hz of the recording to keep (band-pass), or None.
        A low edge of 0 or a high edge at or above Nyquist leaves that side
        open (low-pass or high-pass only).
    highpass
        Cut-off (Hz) of an extra high-pass against wind and hum; None or 0
        for none.
    gain_db
        Gain in dB applied after the filters (-40 to +40).
    normalise
        Bring the loudest filtered sample of the span (its first
        ``NORMALISE_SCAN_SECONDS`` for long spans) to ``NORMALISE_PEAK_DB``
        before ``gain_db`` is applied. The output is always clipped to
        [-1, 1].
    loop
        Start again from the beginning of the span at its end, until stopped.
    output_rate
        Device rate to use (the samples are resampled to it), or None to
        play at the tape rate ``samplerate * speed`` when the device
        accepts it and fall back to the device's own rate otherwise.
    """

    speed: float = 1.0
    band: tuple[float, float] | None = None
    highpass: float | None = None
    gain_db: float = 0.0
    normalise: bool = False
    loop: bool = False
    output_rate: int | None = None

    def __post_init__(self) -> None:
        if not SPEED_MIN - 1e-9 <= float(self.speed) <= SPEED_MAX + 1e-9:
            raise ValueError(
                f"speed must be between {SPEED_MIN} and {SPEED_MAX}, not {self.speed}"
            )
        if self.band is not None:
            low, high = (float(v) for v in self.band)
            if (
                not (math.isfinite(low) and math.isfinite(high))
                or low < 0
                or high <= low
            ):
                raise ValueError(
                    f"band must be (low, high) Hz with 0 <= low < high, not {self.band}"
                )
            object.__setattr__(self, "band", (low, high))
        if self.highpass is not None and (
            not math.isfinite(self.highpass) or self.highpass < 0
        ):
            raise ValueError(
                f"highpass must be a frequency >= 0 Hz, not {self.highpass}"
            )
        if not -40.0 <= float(self.gain_db) <= 40.0:
            raise ValueError(
                f"gain_db must be between -40 and 40 dB, not {self.gain_db}"
            )
        if self.output_rate is not None and int(self.output_rate) <= 0:
            raise ValueError(f"output_rate must be positive, not {self.output_rate}")

    @property
    def filtered(self) -> bool:
        """Whether a band or a high-pass is set."""
        return self.band is not None or bool(self.highpass)


def virtual_rate(samplerate: int, speed: float, time_expansion: float = 1.0) -> int:
    """The tape rate: frames per second at which the recording's samples play.

    Parameters
    ----------
    samplerate
        The file's stored rate.
    speed
        Playback speed, relative to the stored rate.
    time_expansion
        The recording's time-expansion factor. A recording already time
        expanded plays at its stored rate at speed 1 (it is already slowed
        down ``time_expansion`` times, as its recorder meant it to be
        heard); other speeds slow it down or speed it up from there. The
        factor does not change the rate: it is accepted so that callers
        say what they play.

    Returns
    -------
    int
        ``round(samplerate * speed)`` Hz, at least 1.
    """
    del time_expansion  # speed is relative to the stored rate either way
    return max(1, round(samplerate * speed))


def design_filter(
    samplerate: int,
    band: tuple[float, float] | None = None,
    highpass: float | None = None,
) -> np.ndarray | None:
    """Second-order sections of the playback filter, or None for none.

    Parameters
    ----------
    samplerate
        Rate of the samples to filter (the recording's).
    band
        ``(low, high)`` Hz to keep; an edge at 0 Hz or at/above 99 % of
        Nyquist is left open.
    highpass
        Extra high-pass cut-off in Hz (None or 0: none).

    Returns
    -------
    numpy.ndarray or None
        ``(n_sections, 6)`` float64 Butterworth sections (band edges of
        order ``BAND_ORDER``, high-pass of order ``HIGHPASS_ORDER``).
    """
    from scipy.signal import butter  # scipy.signal is slow to import: not at startup

    nyquist = samplerate / 2.0
    top = 0.99 * nyquist
    sections: list[np.ndarray] = []
    if band is not None:
        low, high = band
        has_low, has_high = 0.0 < low < top, high < top
        if has_low and has_high:
            sections.append(
                butter(BAND_ORDER, [low, high], "bandpass", fs=samplerate, output="sos")
            )
        elif has_low:
            sections.append(
                butter(BAND_ORDER, low, "highpass", fs=samplerate, output="sos")
            )
        elif has_high:
            sections.append(
                butter(
                    BAND_ORDER, max(high, 1.0), "lowpass", fs=samplerate, output="sos"
                )
            )
    if highpass and 0.0 < highpass < top:
        sections.append(
            butter(HIGHPASS_ORDER, highpass, "highpass", fs=samplerate, output="sos")
        )
    if not sections:
        return None
    return np.vstack(sections)


def settle_seconds(band: tuple[float, float] | None, highpass: float | None) -> float:
    """Audio to run through the filters before the span starts (pre-roll).

    Eight periods of the lowest cut-off, at most half a second, so the
    filters are in their steady state when the first sample is heard.
    """
    cutoffs = [f for f in ((band or (0.0, 0.0))[0], highpass or 0.0) if f > 0]
    if band is not None and not cutoffs:
        cutoffs = [band[1]]
    if not cutoffs:
        return 0.0
    return min(0.5, 8.0 / min(cutoffs))


def linear_gain(gain_db: float, peak: float | None = None) -> float:
    """Linear factor for ``gain_db``, normalising ``peak`` first when given.

    Parameters
    ----------
    gain_db
        Gain in dB.
    peak
        Largest absolute sample of the filtered span, when normalising;
        silence (peak below 1e-9) is left as it is.
    """
    gain = 10.0 ** (gain_db / 20.0)
    if peak is not None and peak > 1e-9:
        gain *= 10.0 ** (NORMALISE_PEAK_DB / 20.0) / peak
    return gain


class BlockFilter:
    """An IIR filter applied block by block, its state carried across joins.

    Parameters
    ----------
    sos
        Second-order sections from :func:`design_filter`.
    """

    def __init__(self, sos: np.ndarray) -> None:
        self.sos = sos
        self._zi: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the state (the next block starts the signal afresh)."""
        self._zi = None

    def process(self, block: np.ndarray) -> np.ndarray:
        """Filter the next 1-D block; returns float32 of the same length."""
        from scipy.signal import sosfilt, sosfilt_zi  # imported once by design_filter

        x = np.asarray(block, dtype=np.float64)
        if x.size == 0:
            return np.zeros(0, np.float32)
        if self._zi is None:
            # Steady state for a constant input equal to the first sample:
            # no step at the start.
            self._zi = sosfilt_zi(self.sos) * x[0]
        y, self._zi = sosfilt(self.sos, x, zi=self._zi)
        return y.astype(np.float32)


class StreamResampler:
    """Streaming resampler from the tape rate to the device's rate (soxr).

    Output sample ``k`` is input time ``k * in_rate / out_rate`` (soxr
    compensates its own delay), and the blocks join seamlessly.

    Parameters
    ----------
    in_rate
        The tape rate (``samplerate * speed``).
    out_rate
        The device rate.
    """

    def __init__(self, in_rate: float, out_rate: float) -> None:
        import soxr

        self.in_rate, self.out_rate = float(in_rate), float(out_rate)
        self._stream: Any = soxr.ResampleStream(
            self.in_rate, self.out_rate, 1, dtype="float32", quality=RESAMPLE_QUALITY
        )

    def process(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        """Resample the next 1-D float32 block (``last`` flushes the tail)."""
        x = np.ascontiguousarray(block, dtype=np.float32)
        return np.asarray(self._stream.resample_chunk(x, last=last), dtype=np.float32)
