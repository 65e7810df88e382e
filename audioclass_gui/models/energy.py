"""A weight-free detector: energy in a frequency band over a running noise floor.

For each frame the detector computes a short-time spectrum (16 ms windows,
8 ms hop), smooths it a little (5 windows x 2 bins, 48 ms x 125 Hz), and
compares every time-frequency cell inside the band with a per-frequency
noise floor. The floor is a low quantile (10 %) over time of the frame's
own spectrum, so a call may fill most of a frame, and is kept from rising
quickly by a running estimate carried from frame to frame (reset by
:meth:`BandEnergyDetector.reset` at the start of every recording), so a
call lasting several frames still stands out. The strongest cell gives
the frame's signal-to-noise ratio in dB, mapped to a probability by a
logistic curve (0.5 at ``snr_midpoint_db``).

Because the comparison is per frequency, a tonal call well below the total
noise power is found, while noise alone stays below the midpoint. The
result is deterministic and needs no weights, so it also serves as the fast
model of the test suite.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from soundevent import data

from audioclass_gui.models.base import ClipClassificationModel, ModelOutput

__all__ = ["SOUND_EVENT_TERM", "BandEnergyDetector"]

#: Term of the detector's tag: a sound event without species identity.
SOUND_EVENT_TERM = data.Term(
    name="audioclass_gui:sound_event",
    label="Sound event",
    definition=(
        "A sound event found by a generic detector, without any identification; "
        "the value says what kind of event it is (e.g. energy in a frequency band)."
    ),
)

_TIME_SMOOTH = 5  # STFT columns averaged (48 ms of audio at 8 ms hop)
_FREQ_SMOOTH = 2  # adjacent bins summed (a Hann window spreads a tone over 2)
_FLOOR_RISE = 0.25  # share of an upward noise change followed per frame
_MIN_VALID = 0.25  # frames with less non-silent audio are not scored
_FLOOR_QUANTILE = 0.1  # of a frame's cells over time: calls may fill 90 % of it


def _khz(hz: float) -> str:
    return f"{hz / 1000:g}"


class BandEnergyDetector(ClipClassificationModel):
    """Detect sound events as energy in a frequency band above the noise.

    Parameters
    ----------
    low_freq, high_freq
        The band in Hz (``0 <= low_freq < high_freq <= samplerate / 2``).
    frame_seconds
        Length of one frame (one prediction) in seconds.
    confidence_threshold
        Frames with probability above this become detections.
    batch_size
        Frames per batch.
    with_features
        Attach the four features to each ``ClipPrediction`` of the
        ``process_*`` methods (on by default, as in audioclass).
    snr_midpoint_db, snr_slope_db
        The logistic mapping from SNR to probability:
        ``p = 1 / (1 + exp(-(snr - midpoint) / slope))``.
    samplerate
        Rate the audio is resampled to, in Hz.

    Attributes
    ----------
    feature_names
        ``snr_db`` (peak cell over the noise floor), ``band_level_db``
        (mean power in the band, dB relative to a full-scale white noise),
        ``noise_floor_db`` (same scale), ``peak_frequency_hz``.
    """

    name = "Band energy detector"
    version = "1"
    num_classes = 1
    feature_names = ("snr_db", "band_level_db", "noise_floor_db", "peak_frequency_hz")

    def __init__(
        self,
        *,
        low_freq: float = 1500.0,
        high_freq: float = 12000.0,
        frame_seconds: float = 1.0,
        confidence_threshold: float = 0.5,
        batch_size: int = 16,
        with_features: bool = True,
        snr_midpoint_db: float = 12.5,
        snr_slope_db: float = 1.5,
        samplerate: int = 32_000,
    ) -> None:
        self.samplerate = int(samplerate)
        if not 0 <= low_freq < high_freq <= self.samplerate / 2:
            raise ValueError(
                f"the band {low_freq:g}-{high_freq:g} Hz must lie within 0-"
                f"{self.samplerate / 2:g} Hz, low below high"
            )
        self.low_freq = float(low_freq)
        self.high_freq = float(high_freq)
        self.input_samples = max(64, round(frame_seconds * self.samplerate))
        self.confidence_threshold = float(confidence_threshold)
        self.batch_size = max(1, int(batch_size))
        self.with_features = bool(with_features)
        self.snr_midpoint_db = float(snr_midpoint_db)
        self.snr_slope_db = max(1e-6, float(snr_slope_db))
        band = f"{_khz(self.low_freq)}–{_khz(self.high_freq)} kHz"
        self.tags = [data.Tag(term=SOUND_EVENT_TERM, value=f"Band energy {band}")]
        self._readable = f"Sound in {band}"

        self.n_fft = 1 << max(6, round(np.log2(0.016 * self.samplerate)))
        self.hop = self.n_fft // 2
        if self.input_samples < self.n_fft + (_TIME_SMOOTH - 1) * self.hop:
            raise ValueError(f"frame_seconds={frame_seconds} is too short")
        self._window = np.hanning(self.n_fft + 1)[:-1].astype(np.float32)
        freqs = np.fft.rfftfreq(self.n_fft, 1 / self.samplerate)
        bins = np.flatnonzero((freqs >= self.low_freq) & (freqs <= self.high_freq))
        if bins.size < _FREQ_SMOOTH:
            raise ValueError("the band is narrower than two frequency bins")
        self._bins = slice(int(bins[0]), int(bins[-1]) + 1)
        self._freqs = freqs[self._bins]
        # Power of a full-scale white noise in one bin, for the dB features.
        self._ref_power = float(np.sum(self._window**2))
        self._floor: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the running noise floor."""
        self._floor = None

    def common_name(self, tag: data.Tag) -> str | None:
        """A readable name for the detector's tag."""
        return self._readable if tag == self.tags[0] else None

    def _band_power(self, x: np.ndarray) -> np.ndarray:
        """Power of the band's STFT cells, shape (frames, columns, bins)."""
        cols = sliding_window_view(x, self.n_fft, axis=1)[:, :: self.hop]
        spec = np.fft.rfft(cols * self._window, axis=-1)[..., self._bins]
        return (spec.real**2 + spec.imag**2).astype(np.float32)

    def process_array(self, array: np.ndarray) -> ModelOutput:
        """Score each frame; frames are taken in order (the floor carries over)."""
        x = np.asarray(array, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.input_samples:
            raise ValueError(
                f"{self.name} expects frames of shape (n, {self.input_samples}), got {x.shape}"
            )
        n = x.shape[0]
        probs = np.zeros((n, 1), np.float32)
        feats = np.zeros((n, len(self.feature_names)), np.float32)
        if n == 0:
            return ModelOutput(probs, feats)
        power = self._band_power(x)
        silent = power.sum(axis=2) <= 1e-12 * self._ref_power
        # Smooth: mean over _TIME_SMOOTH columns, sum over _FREQ_SMOOTH bins.
        t = _TIME_SMOOTH
        smooth = sum(power[:, i : power.shape[1] - t + 1 + i] for i in range(t)) / t
        f = _FREQ_SMOOTH
        smooth = sum(smooth[:, :, i : smooth.shape[2] - f + 1 + i] for i in range(f))
        silent = sliding_window_view(silent, t, axis=1).any(axis=2)
        for i in range(n):
            valid = smooth[i][~silent[i]]
            if valid.shape[0] < _MIN_VALID * smooth.shape[1]:
                feats[i] = (0.0, -120.0, -120.0, 0.0)
                continue
            low = np.quantile(valid, _FLOOR_QUANTILE, axis=0)
            floor = low if self._floor is None else np.minimum(low, self._floor)
            floor = np.maximum(floor, 1e-20)
            ratio = valid / floor
            peak = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
            snr = 10.0 * np.log10(float(ratio[peak]))
            z = np.clip((snr - self.snr_midpoint_db) / self.snr_slope_db, -50.0, 50.0)
            probs[i, 0] = 1.0 / (1.0 + np.exp(-z))
            feats[i] = (
                snr,
                10
                * np.log10(
                    float(valid.mean()) / (_FREQ_SMOOTH * self._ref_power) + 1e-30
                ),
                10
                * np.log10(
                    float(floor.mean()) / (_FREQ_SMOOTH * self._ref_power) + 1e-30
                ),
                float(self._freqs[peak[1]] + self.samplerate / self.n_fft / 2),
            )
            if self._floor is None:
                self._floor = low
            else:
                rise = self._floor + _FLOOR_RISE * (low - self._floor)
                self._floor = np.where(low < self._floor, low, rise)
        return ModelOutput(probs, feats)
