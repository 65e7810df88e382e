"""Spectrogram settings: one frozen, hashable value shared by all threads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["SpectrogramParams", "window_array"]

#: Generalised cosine windows by name: w[n] = sum_k (-1)^k a_k cos(2 pi k n / N)
#: (periodic form), with the coefficients scipy.signal.windows documents.
#: Made with numpy: scipy.signal takes about half a second to import, and the
#: window of the default settings is needed before the main window shows.
_COSINE_SUMS: dict[str, tuple[float, ...]] = {
    "hann": (0.5, 0.5),
    "hamming": (0.54, 0.46),
    "blackman": (0.42, 0.50, 0.08),
    "blackmanharris": (0.35875, 0.48829, 0.14128, 0.01168),
    "nuttall": (0.3635819, 0.4891775, 0.1365995, 0.0106411),
    "flattop": (0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368),
}


@lru_cache(maxsize=32)
def window_array(name: str, length: int) -> np.ndarray:
    """A periodic (DFT-even) analysis window as read-only float32.

    Parameters
    ----------
    name
        Any window name :func:`scipy.signal.get_window` accepts without
        extra parameters (``"hann"``, ``"hamming"``, ``"blackman"``...).
    length
        Window length in samples.

    Returns
    -------
    numpy.ndarray
        The window, shared between callers (hence read-only).
    """
    coefficients = _COSINE_SUMS.get(name) if isinstance(name, str) else None
    if coefficients is not None:
        phase = 2.0 * np.pi * np.arange(int(length)) / int(length)
        w64 = np.zeros(int(length))
        for k, a in enumerate(coefficients):
            w64 += (-1) ** k * a * np.cos(k * phase)
        w = w64.astype(np.float32)
    else:  # any other name scipy knows (bartlett, ...): loaded when first used
        from scipy.signal import get_window

        w = np.asarray(get_window(name, int(length), fftbins=True), dtype=np.float32)
    w.setflags(write=False)
    return w


@dataclass(frozen=True, slots=True)
class SpectrogramParams:
    """How a spectrogram is computed and shown.

    Frozen and hashable, so it can be handed to worker threads and used in
    cache keys. Make a changed copy with :func:`dataclasses.replace`.

    Attributes
    ----------
    window_length
        FFT window in samples at the file's own rate.
    window
        Window name for :func:`scipy.signal.get_window`.
    overlap
        Fraction of the window shared by consecutive columns at the finest
        time resolution; sets :attr:`min_hop`. Zoomed out, the hop grows
        beyond this to keep the pixel budget.
    db_range
        Display range in dB below the top level (used by the view for its
        levels; the computed data are not clipped).
    fmin, fmax
        Frequency range in Hz kept in the result; ``fmax=None`` means the
        Nyquist frequency.
    channel
        Zero-based channel, or None to average all channels.
    pcen
        Show per-channel energy normalisation instead of dB levels (see
        :mod:`audioclass_gui.spectrogram.pcen`): flattens stationary noise
        in noisy recordings.

    Raises
    ------
    ValueError
        If a value is out of range or the window name is unknown.
    """

    window_length: int = 1024
    window: str = "hann"
    overlap: float = 0.75
    db_range: float = 80.0
    fmin: float = 0.0
    fmax: float | None = None
    channel: int | None = None
    pcen: bool = False

    def __post_init__(self) -> None:
        if int(self.window_length) != self.window_length or self.window_length < 8:
            raise ValueError(
                f"window_length must be an integer >= 8, not {self.window_length!r}"
            )
        if not 0.0 <= self.overlap < 1.0:
            raise ValueError(f"overlap must be in [0, 1), not {self.overlap!r}")
        if not self.db_range > 0:
            raise ValueError(f"db_range must be positive, not {self.db_range!r}")
        if not self.fmin >= 0:
            raise ValueError(f"fmin must be >= 0 Hz, not {self.fmin!r}")
        if self.fmax is not None and not self.fmax > self.fmin:
            raise ValueError(
                f"fmax ({self.fmax!r} Hz) must be above fmin ({self.fmin!r} Hz)"
            )
        if self.channel is not None and (
            int(self.channel) != self.channel or self.channel < 0
        ):
            raise ValueError(
                f"channel must be None or a zero-based index, not {self.channel!r}"
            )
        try:
            window_array(self.window, 16)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"unknown window {self.window!r} ({exc})") from exc

    @property
    def min_hop(self) -> int:
        """Finest hop in samples: ``round(window_length * (1 - overlap))``, at least 1."""
        return max(1, round(self.window_length * (1.0 - self.overlap)))
