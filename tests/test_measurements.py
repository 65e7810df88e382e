"""Raven's measurements of a selection, on generated audio whose answers are known."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import get_window

from audioclass_gui.spectrogram import SpectrogramParams
from audioclass_gui.spectrogram.measurements import enbw_hz, measure, measure_many

SR = 48_000


def write(path: Path, x: np.ndarray, sr: int = SR) -> Path:
    sf.write(path, x.astype(np.float32), sr, subtype="FLOAT")
    return path


def tone(freq: float, seconds: float, amplitude: float = 0.5, sr: int = SR) -> np.ndarray:
    t = np.arange(round(seconds * sr)) / sr
    return amplitude * np.sin(2 * np.pi * freq * t)


def band_noise(lo: float, hi: float, seconds: float, sr: int = SR) -> np.ndarray:
    """White noise with every FFT bin outside ``[lo, hi]`` set to zero (a flat band)."""
    rng = np.random.default_rng(7)
    n = round(seconds * sr)
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / sr)
    spec[(f < lo) | (f > hi)] = 0
    x = np.fft.irfft(spec, n)
    return 0.3 * x / np.abs(x).max()


@pytest.mark.parametrize("freq", [1234.5, 3333.0, 9876.0])
@pytest.mark.parametrize("window_length", [512, 2048])
def test_a_tone_peaks_within_one_bin(tmp_path: Path, freq: float, window_length: int) -> None:
    path = write(tmp_path / "tone.wav", tone(freq, 2.0))
    params = SpectrogramParams(window_length=window_length)
    m = measure(path, 0.2, 1.8, 500.0, 15_000.0, params)
    assert m.bin_hz == SR / window_length
    assert abs(m.peak_freq - freq) <= m.bin_hz
    assert abs(m.center_freq - freq) <= m.bin_hz
    assert 0.2 <= m.peak_time <= 1.8


def test_band_limited_noise_gives_its_energy_percentiles(tmp_path: Path) -> None:
    lo, hi = 2000.0, 6000.0
    path = write(tmp_path / "noise.wav", band_noise(lo, hi, 3.0))
    m = measure(path, 0.5, 2.5, 0.0, 12_000.0)
    # A flat band: 5 % of the energy lies in its first 5 %, 95 % below its last 5 %.
    width = hi - lo
    assert m.freq_5 == pytest.approx(lo + 0.05 * width, abs=3 * m.bin_hz)
    assert m.freq_95 == pytest.approx(hi - 0.05 * width, abs=3 * m.bin_hz)
    assert m.center_freq == pytest.approx((lo + hi) / 2, abs=3 * m.bin_hz)
    assert m.bw_90 == pytest.approx(m.freq_95 - m.freq_5)
    assert lo - m.bin_hz <= m.peak_freq <= hi + m.bin_hz


@pytest.mark.parametrize("window", ["hann", "hamming", "blackman"])
def test_a_full_scale_sine_reads_minus_enbw_in_db_fs_per_hz(tmp_path: Path, window: str) -> None:
    params = SpectrogramParams(window_length=1024, window=window)
    freq = 64 * SR / 1024  # a bin centre: all of the sine's power in one bin
    path = write(tmp_path / "fs.wav", tone(freq, 1.0, amplitude=1.0))
    m = measure(path, 0.1, 0.9, params=params)
    w = np.asarray(get_window(window, 1024))
    enbw = SR * float((w**2).sum()) / float(w.sum()) ** 2  # from scipy's window, not ours
    assert enbw_hz(window, 1024, SR) == pytest.approx(enbw, rel=1e-6)
    assert m.peak_power_density == pytest.approx(-10 * math.log10(enbw), abs=0.01)
    # Half the amplitude is a quarter of the power: 6.02 dB lower.
    write(tmp_path / "half.wav", tone(freq, 1.0, amplitude=0.5))
    half = measure(tmp_path / "half.wav", 0.1, 0.9, params=params)
    assert m.peak_power_density - half.peak_power_density == pytest.approx(
        20 * math.log10(2), abs=0.01
    )


def test_duration_and_bandwidth_are_exact(tmp_path: Path) -> None:
    path = write(tmp_path / "tone.wav", tone(3000.0, 2.0))
    start, end, low, high = 0.1 + 0.2, 1.7, 1234.5, 5678.25
    m = measure(path, start, end, low, high)
    assert m.delta_time == end - start
    assert m.delta_freq == high - low
    assert (m.begin_time, m.end_time, m.low_freq, m.high_freq) == (start, end, low, high)
    assert m.note == ""


def test_a_burst_inside_the_box_gives_its_dur_90(tmp_path: Path) -> None:
    x = np.zeros(3 * SR)
    x[SR : 2 * SR] = tone(4000.0, 1.0)
    path = write(tmp_path / "burst.wav", x)
    m = measure(path, 0.0, 3.0, 3000.0, 5000.0)
    hop = m.hop_seconds
    assert m.dur_90 == pytest.approx(0.9, abs=3 * hop)
    assert m.time_5 == pytest.approx(1.05, abs=3 * hop)
    assert m.time_95 == pytest.approx(1.95, abs=3 * hop)
    assert 1.0 - hop <= m.peak_time <= 2.0 + hop


def test_silence_has_no_spectral_measurements(tmp_path: Path) -> None:
    path = write(tmp_path / "silent.wav", np.zeros(SR))
    m = measure(path, 0.2, 0.8, 100.0, 900.0)
    assert m.silent
    assert m.peak_freq is m.center_freq is m.freq_5 is m.dur_90 is m.peak_power_density is None
    assert m.delta_time == pytest.approx(0.6) and m.delta_freq == 800.0
    assert "silence" in m.note


def test_a_box_past_the_end_is_cut_and_says_so(tmp_path: Path) -> None:
    path = write(tmp_path / "tone.wav", tone(2000.0, 2.0))
    m = measure(path, 1.5, 3.5, 1000.0, 30_000.0)
    assert m.end_time == pytest.approx(2.0) and m.delta_time == pytest.approx(0.5)
    assert m.high_freq == SR / 2
    assert "past the recording" in m.note and "1.5-2 s" in m.note
    assert "Nyquist" in m.note
    assert abs(m.peak_freq - 2000.0) <= m.bin_hz
    with pytest.raises(ValueError, match=r"tone\.wav.*past the end of the recording \(2 s\)"):
        measure(path, 2.5, 3.0)


def test_many_selections_through_one_file(tmp_path: Path) -> None:
    x = np.concatenate([tone(1500.0, 1.0), tone(6000.0, 1.0)])
    path = write(tmp_path / "two.wav", x)
    from audioclass_gui.audio.info import read_info

    got = list(
        measure_many(read_info(path), [(0.1, 0.9, None, None), (5.0, 6.0, None, None), (1.1, 1.9, None, None)])
    )
    assert abs(got[0].peak_freq - 1500.0) <= got[0].bin_hz
    assert isinstance(got[1], ValueError) and "past the end" in str(got[1])
    assert abs(got[2].peak_freq - 6000.0) <= got[2].bin_hz
    assert got[0].delta_freq == SR / 2  # a detection window without a box: the whole band


def test_a_channel_the_file_lacks_measures_the_mix(tmp_path: Path) -> None:
    stereo = np.stack([tone(1000.0, 1.0), tone(5000.0, 1.0, amplitude=0.1)], axis=1)
    path = tmp_path / "stereo.wav"
    sf.write(path, stereo.astype(np.float32), SR, subtype="FLOAT")
    second = measure(path, 0.1, 0.9, params=SpectrogramParams(channel=1))
    assert abs(second.peak_freq - 5000.0) <= second.bin_hz
    mono = tmp_path / "mono.wav"
    write(mono, tone(1000.0, 1.0))
    mixed = measure(mono, 0.1, 0.9, params=SpectrogramParams(channel=1))
    assert abs(mixed.peak_freq - 1000.0) <= mixed.bin_hz


def test_cancelled_between_blocks(tmp_path: Path) -> None:
    path = write(tmp_path / "long.wav", tone(1000.0, 20.0, amplitude=0.1))
    with pytest.raises(InterruptedError):
        measure(path, 0.0, 20.0, params=SpectrogramParams(window_length=256), should_stop=lambda: True)
