"""BandEnergyDetector on generated audio: tone bursts in noise at known times."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.models import SOUND_EVENT_TERM, BandEnergyDetector, iter_predictions

SR = 44_100
SECONDS = 20
#: (start s, duration s, frequency Hz) of the calls; each lies inside one 1 s frame.
CALLS = [
    (2.2, 0.3, 3000.0),
    (5.5, 0.15, 6500.0),
    (9.1, 0.6, 9000.0),
    (14.4, 0.4, 4500.0),
]
CALL_FRAMES = [2, 5, 9, 14]


def noise(seconds: float, seed: int, sr: int = SR, level: float = 0.05) -> np.ndarray:
    """Pink-ish background noise (white noise with a gentle low-pass tilt)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(int(seconds * sr))
    x = np.convolve(x, np.ones(3) / 3, mode="same")
    return (x / x.std() * level).astype(np.float32)


def with_calls(
    x: np.ndarray, calls, sr: int = SR, amplitude: float = 0.05
) -> np.ndarray:
    """Add tone bursts; amplitude 0.05 is 3 dB below the noise's total power."""
    y = x.copy()
    for start, dur, freq in calls:
        i = int(start * sr)
        t = np.arange(int(dur * sr)) / sr
        y[i : i + t.size] += (
            amplitude * np.sin(2 * np.pi * freq * t) * np.hanning(t.size) ** 0.25
        )
    return y


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("energy")
    out = {}
    for seed in (0, 1):
        x = noise(SECONDS, seed)
        out[f"noise{seed}"] = root / f"noise{seed}.wav"
        sf.write(out[f"noise{seed}"], x, SR, subtype="PCM_16")
        out[f"calls{seed}"] = root / f"calls{seed}.wav"
        sf.write(out[f"calls{seed}"], with_calls(x, CALLS), SR, subtype="PCM_16")
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_fires_on_tone_bursts_in_noise(files: dict[str, Path], seed: int) -> None:
    model = BandEnergyDetector()
    ds = model.process_file(files[f"calls{seed}"], fmt="dataset", compute_hash=False)
    probs = ds.probabilities.values[:, 0]
    assert probs.shape == (SECONDS,)
    assert np.all(probs[CALL_FRAMES] > 0.9), probs[CALL_FRAMES]
    others = np.delete(probs, CALL_FRAMES)
    assert others.max() < 0.3, others
    preds = model.process_file(files[f"calls{seed}"], compute_hash=False)
    detected = [round(p.clip.start_time) for p in preds if p.tags]
    assert detected == CALL_FRAMES
    # The features say where the energy is.
    peak_hz = ds.features.sel(feature="peak_frequency_hz").values[CALL_FRAMES]
    np.testing.assert_allclose(peak_hz, [c[2] for c in CALLS], atol=130)


@pytest.mark.parametrize("seed", [0, 1])
def test_quiet_on_noise_alone(files: dict[str, Path], seed: int) -> None:
    preds = BandEnergyDetector().process_file(files[f"noise{seed}"])
    assert len(preds) == SECONDS
    assert all(not p.tags for p in preds)


def test_tone_outside_band_is_ignored(tmp_path: Path) -> None:
    x = with_calls(noise(6, seed=3), [(2.2, 0.4, 800.0)], amplitude=0.2)
    path = tmp_path / "low.wav"
    sf.write(path, x, SR)
    assert not any(p.tags for p in BandEnergyDetector().process_file(path))
    low_band = BandEnergyDetector(low_freq=300, high_freq=2000)
    hits = [p.clip.start_time for p in low_band.process_file(path) if p.tags]
    assert hits == [2.0]


def test_deterministic_and_reset_between_runs(files: dict[str, Path]) -> None:
    model = BandEnergyDetector(batch_size=3)
    first = model.process_file(files["calls0"], fmt="dataset").probabilities.values
    again = model.process_file(files["calls0"], fmt="dataset").probabilities.values
    other = BandEnergyDetector(batch_size=16)
    batched = other.process_file(files["calls0"], fmt="dataset").probabilities.values
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first, batched, atol=1e-6)
    # The running floor is state: a run that starts mid-recording begins fresh.
    recording = to_recording(read_info(files["calls0"]))
    late = [
        p for s in iter_predictions(model, recording, start=9.0) for p in s.predictions
    ]
    assert late[0].clip.start_time == 9.0 and late[0].tags


def test_silence_and_padding_are_safe(tmp_path: Path) -> None:
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(SR * 3, np.float32), SR)
    model = BandEnergyDetector(with_features=True)
    ds = model.process_file(path, fmt="dataset")
    assert np.all(np.isfinite(ds.probabilities.values)) and np.all(
        ds.probabilities.values < 0.01
    )
    assert np.all(np.isfinite(ds.features.values))
    # 3.2 s: the last frame is 80 % zero padding and must not fire.
    short = tmp_path / "short.wav"
    sf.write(short, noise(3.2, seed=4), SR)
    preds = model.process_file(short)
    assert len(preds) == 4 and not any(p.tags for p in preds)
    assert len(preds[0].features) == 4


def test_tags_names_and_arguments() -> None:
    model = BandEnergyDetector(frame_seconds=0.5, confidence_threshold=0.7)
    assert model.input_samples == model.samplerate // 2
    assert model.frame_seconds == 0.5
    assert model.num_classes == 1 and len(model.tags) == 1
    tag = model.tags[0]
    assert tag.term == SOUND_EVENT_TERM and tag.value == "Band energy 1.5–12 kHz"
    assert model.common_name(tag) == "Sound in 1.5–12 kHz"
    other = data.Tag(term=SOUND_EVENT_TERM, value="something else")
    assert model.common_name(other) is None
    with pytest.raises(ValueError, match="must lie within"):
        BandEnergyDetector(low_freq=5000, high_freq=2000)
    with pytest.raises(ValueError, match="must lie within"):
        BandEnergyDetector(high_freq=20000)
    with pytest.raises(ValueError, match="expects frames of shape"):
        model.process_array(np.zeros((2, 100), np.float32))
