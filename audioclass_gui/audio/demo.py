"""A synthetic demo recording: bird-like calls in natural-sounding noise.

The app opens it when started without a file, so a newcomer can try the
whole workflow at once. It is generated deterministically on first use and
kept in the user cache folder.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import butter, sosfilt, sosfiltfilt

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import read_info

__all__ = [
    "DEMO_DURATION",
    "DEMO_EVENTS",
    "DEMO_SAMPLERATE",
    "DEMO_VERSION",
    "DemoEvent",
    "demo_recording_path",
    "generate_demo",
]

#: Bump when the generator changes: the file name carries it, so a changed
#: generator writes a new file instead of reusing the old one.
DEMO_VERSION = 1
DEMO_SAMPLERATE = 32000
DEMO_DURATION = 60.0
_SEED = 20240611
_NOISE_RMS = 0.02  # about -34 dBFS broadband: a quiet morning with some wind
_CACHE_ENV = "AUDIOCLASS_GUI_CACHE_DIR"


@dataclass(frozen=True)
class DemoEvent:
    """One synthetic call: where it is and what it is.

    Attributes
    ----------
    start, end
        Seconds from the start of the recording.
    low_freq, high_freq
        Band in Hz that holds the call's energy.
    kind
        Short description (``"rising chirp"``, ``"trill"``...).
    """

    start: float
    end: float
    low_freq: float
    high_freq: float
    kind: str


#: The calls in the demo recording, in time order, with their in-band SNR in dB.
_PLAN: tuple[tuple[DemoEvent, float], ...] = (
    (DemoEvent(2.0, 2.6, 2300.0, 5700.0, "rising chirp"), 18.0),
    (DemoEvent(6.0, 6.8, 2950.0, 3450.0, "whistle"), 22.0),
    (DemoEvent(10.0, 11.2, 3700.0, 6300.0, "trill"), 16.0),
    (DemoEvent(14.5, 15.1, 3300.0, 7200.0, "falling chirp"), 20.0),
    (DemoEvent(19.0, 19.8, 4100.0, 6400.0, "buzzy call"), 14.0),
    (DemoEvent(23.0, 24.2, 420.0, 980.0, "frog-like pulses"), 18.0),
    (DemoEvent(28.0, 28.5, 5800.0, 9200.0, "rising chirp"), 12.0),
    (DemoEvent(32.0, 33.0, 2050.0, 2750.0, "two-note whistle"), 24.0),
    (DemoEvent(37.0, 38.5, 4700.0, 7300.0, "descending trill"), 15.0),
    (DemoEvent(42.0, 42.4, 7800.0, 9700.0, "high tsip"), 11.0),
    (DemoEvent(46.0, 47.2, 250.0, 650.0, "frog-like pulses"), 17.0),
    (DemoEvent(51.0, 52.0, 1500.0, 3900.0, "harmonic whistle"), 20.0),
    (DemoEvent(55.5, 56.3, 2800.0, 6200.0, "buzzy call"), 13.0),
)
DEMO_EVENTS: tuple[DemoEvent, ...] = tuple(event for event, _ in _PLAN)


def _tone(freq: np.ndarray, sr: int, phase: float = 0.0) -> np.ndarray:
    """Sine with instantaneous frequency ``freq`` (Hz per sample)."""
    return np.sin(phase + 2 * np.pi * np.cumsum(freq) / sr)


def _taper(n: int, sr: int, ramp_s: float = 0.015) -> np.ndarray:
    """Smooth on/off envelope (raised-cosine ramps) of ``n`` samples."""
    env = np.ones(n)
    r = min(n // 2, max(1, int(ramp_s * sr)))
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(r) / r)
    env[:r] = ramp
    env[n - r :] = ramp[::-1]
    return env


def _notes(
    n: int,
    sr: int,
    rate: float,
    note_s: float,
    freq_of: Callable[[int, np.ndarray], np.ndarray],
) -> np.ndarray:
    """A train of short tonal notes (trills, pulses); ``freq_of(i, u)`` gives Hz."""
    out = np.zeros(n)
    period = int(sr / rate)
    length = int(note_s * sr)
    u = np.arange(length) / length
    for i, onset in enumerate(range(0, n - length, period)):
        out[onset : onset + length] += _tone(freq_of(i, u), sr) * _taper(
            length, sr, 0.004
        )
    return out


def _call(event: DemoEvent, n: int, sr: int) -> np.ndarray:
    """Unscaled waveform of one call, ``n`` samples, its energy inside the event's band."""
    u = np.linspace(0.0, 1.0, n)
    lo, hi, kind = event.low_freq, event.high_freq, event.kind
    f0, f1, mid = lo + 150.0, hi - 150.0, (lo + hi) / 2
    env = _taper(n, sr)
    if kind == "rising chirp":
        return _tone(f0 + (f1 - f0) * u**2, sr) * env * (0.6 + 0.4 * u)
    if kind == "falling chirp":
        return _tone(f1 - (f1 - f0) * u**0.7, sr) * env
    if kind == "high tsip":
        return _tone(f0 + (f1 - f0) * np.sin(np.pi * u), sr) * _taper(n, sr, 0.03)
    if kind == "whistle":
        depth = min(60.0, (hi - lo) / 2 - 150.0)
        vibrato = depth * np.sin(2 * np.pi * 6.0 * np.arange(n) / sr)
        return _tone(mid + vibrato, sr) * _taper(n, sr, 0.06)
    if kind == "two-note whistle":
        freq = np.where(u < 0.5, lo + 0.3 * (hi - lo), lo + 0.8 * (hi - lo))
        gap = (np.abs(u - 0.5) > 0.03).astype(float)
        gap = np.convolve(gap, np.ones(160) / 160, mode="same")
        return _tone(freq, sr) * gap * env
    if kind == "harmonic whistle":
        g0, g1 = lo + 200.0, (hi - 200.0) / 2
        fund = g0 + (g1 - g0) * np.sin(np.pi * u)
        return (_tone(fund, sr) + 0.5 * _tone(2 * fund, sr, 1.0)) * _taper(n, sr, 0.05)
    if kind == "trill":
        return _notes(n, sr, 14.0, 0.035, lambda i, v: f0 + (f1 - f0) * v) * env
    if kind == "descending trill":
        count = int(n / sr * 11.0)
        step = (f1 - f0 - 600.0) / max(1, count - 1)
        return _notes(n, sr, 11.0, 0.05, lambda i, v: f1 - step * i - 600.0 * v) * env
    if kind == "buzzy call":
        carrier = _tone(f0 + 450.0 + (f1 - f0 - 900.0) * u, sr)
        square = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * 110.0 * np.arange(n) / sr))
        am = sosfilt(butter(2, 350.0, "low", fs=sr, output="sos"), square)
        return carrier * am * env
    if kind == "frog-like pulses":
        return _notes(n, sr, 7.0, 0.06, lambda i, v: mid - 60.0 + 120.0 * v) * env
    raise ValueError(f"unknown call kind {kind!r}")


def _band_power(x: np.ndarray, lo: float, hi: float, sr: int) -> float:
    sos = butter(6, [lo, hi], "bandpass", fs=sr, output="sos")
    return float(np.mean(sosfiltfilt(sos, x) ** 2))


def _background(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Pink noise plus a little brown rumble and gusty low wind."""
    spectrum = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    f = np.fft.rfftfreq(n, 1 / sr)
    f[0] = f[1]
    pink = np.fft.irfft(spectrum / np.sqrt(f), n)
    brown = np.fft.irfft(spectrum[::-1].conj() / f, n)
    wind_sos = butter(2, 250, "low", fs=sr, output="sos")
    wind = sosfilt(wind_sos, rng.standard_normal(n))
    gust_sos = butter(1, 0.4, "low", fs=sr, output="sos")
    gusts = np.abs(sosfiltfilt(gust_sos, rng.standard_normal(n)))
    wind *= gusts / (gusts.max() + 1e-12)
    parts = [(pink, 1.0), (brown, 0.35), (wind, 0.6)]
    mix = sum(w * p / np.sqrt(np.mean(p**2)) for p, w in parts)
    return mix * (_NOISE_RMS / np.sqrt(np.mean(mix**2)))


def _synthesise() -> np.ndarray:
    """The demo recording as int16 samples."""
    sr = DEMO_SAMPLERATE
    n = round(DEMO_DURATION * sr)
    rng = np.random.default_rng(_SEED)
    x = _background(n, sr, rng)
    for event, snr_db in _PLAN:
        a, b = round(event.start * sr), round(event.end * sr)
        call = _call(event, b - a, sr)
        noise = _band_power(x[a:b], event.low_freq, event.high_freq, sr)
        active = np.mean(call[np.abs(call) > 1e-3] ** 2)
        x[a:b] += call * np.sqrt(noise * 10 ** (snr_db / 10) / active)
    peak = np.max(np.abs(x))
    if peak > 0.9:
        x *= 0.9 / peak
    return np.round(x * 32767).astype(np.int16)


def generate_demo(path: str | os.PathLike[str]) -> Path:
    """Write the demo recording to ``path`` as a 16-bit mono WAV.

    Deterministic: two calls write byte-identical files. The file is
    written to a temporary name in the same folder and moved into place,
    so a reader never sees a half-written file.

    Parameters
    ----------
    path
        Where to write the WAV file; the folder must exist.

    Returns
    -------
    pathlib.Path
        ``path``, absolute.
    """
    target = Path(path).expanduser().absolute()
    samples = _synthesise()
    fd, tmp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        os.close(fd)
        sf.write(tmp, samples, DEMO_SAMPLERATE, format="WAV", subtype="PCM_16")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def _is_valid(path: Path) -> bool:
    try:
        info = read_info(path)
    except AudioFileError:
        return False
    return (
        info.samplerate == DEMO_SAMPLERATE
        and info.channels == 1
        and info.frames == round(DEMO_DURATION * DEMO_SAMPLERATE)
        and info.subtype == "PCM_16"
        and not info.warnings
    )


def demo_recording_path(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Path of the demo recording, generating it on first use.

    Parameters
    ----------
    cache_dir
        Folder to keep it in. Default: the environment variable
        ``AUDIOCLASS_GUI_CACHE_DIR`` if set, else the user cache folder
        (``platformdirs.user_cache_dir("audioclass-gui")``). Created if
        missing.

    Returns
    -------
    pathlib.Path
        An existing, valid WAV file; its name carries :data:`DEMO_VERSION`.

    Raises
    ------
    OSError
        If the folder cannot be created or written.
    """
    if cache_dir is None:
        cache_dir = os.environ.get(_CACHE_ENV) or None
    if cache_dir is None:
        import platformdirs

        cache_dir = platformdirs.user_cache_dir("audioclass-gui")
    folder = Path(cache_dir).expanduser().absolute()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-recording-v{DEMO_VERSION}.wav"
    if path.is_file() and _is_valid(path):
        return path
    return generate_demo(path)
