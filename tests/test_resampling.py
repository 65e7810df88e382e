"""Resampling any rate to the model's: tones, aliasing, seams, BirdNET scores.

birds_10s.wav: opensoundscape 0.13.2 sample data (MIT License, Copyright (c)
2020 University of Pittsburgh); see ../shared/data/README.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy import signal

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.audio.reader import read_resampled
from audioclass_gui.audio.resample import (
    DEFAULT_RESAMPLER,
    RESAMPLER,
    RESAMPLERS,
    describe_resampler,
    resample,
)
from audioclass_gui.models.framing import iter_batches, plan_frames

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BIRDS = SHARED_DATA / "birds_10s.wav"

RATES = (8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000, 192000, 256000, 384000)
TARGET = 48_000


def _tone_file(
    path: Path, rate: int, tones: list[tuple[float, float]], seconds: float = 2.0
) -> Path:
    t = np.arange(int(rate * seconds)) / rate
    x = sum(amp * np.sin(2 * np.pi * f * t) for f, amp in tones)
    sf.write(path, np.asarray(x, np.float32), rate, subtype="FLOAT")
    return path


def _level_db(
    y: np.ndarray, freq: float, rate: int = TARGET, half_width: float = 20.0
) -> float:
    """Peak level (dB re full scale sine) of y within freq +- half_width."""
    win = np.hanning(y.size)
    spec = np.abs(np.fft.rfft(y * win)) / (win.sum() / 2)
    freqs = np.fft.rfftfreq(y.size, 1 / rate)
    band = (freqs >= freq - half_width) & (freqs <= freq + half_width)
    return float(20 * np.log10(spec[band].max() + 1e-30))


def _stream(
    path: Path, frame_samples: int = 4800, batch: int = 3, resampler: str = "soxr_vhq"
) -> np.ndarray:
    """The file at 48 kHz as the model framing reads it, in many small blocks."""
    rec = to_recording(read_info(path))
    plan = plan_frames(
        rec, samplerate=TARGET, input_samples=frame_samples, resampler=resampler
    )
    return np.concatenate([b.reshape(-1) for _, b in iter_batches(plan, batch)])


@pytest.mark.parametrize("rate", RATES)
def test_tone_lands_at_its_frequency_without_aliases(tmp_path: Path, rate: int) -> None:
    tone = 3000.0 if rate < 16000 else 7000.0
    tones = [(tone, 0.5)]
    if rate > TARGET:
        # A bat-like tone at 30 kHz must vanish, not fold down to 18 kHz.
        tones.append((30_000.0, 0.5))
    path = _tone_file(tmp_path / f"tone_{rate}.wav", rate, tones)
    y = _stream(path)
    assert y.size >= 2 * TARGET
    y = y[TARGET // 4 : TARGET // 4 + TARGET]  # one second from the middle
    peak = _level_db(y, tone)
    assert peak == pytest.approx(20 * np.log10(0.5), abs=0.1)
    spec = np.abs(np.fft.rfft(y * np.hanning(y.size)))
    freqs = np.fft.rfftfreq(y.size, 1 / TARGET)
    assert abs(freqs[np.argmax(spec)] - tone) <= 1.0
    # everything away from the tone (aliases, seam clicks) is far below it
    away = np.abs(freqs - tone) > 100
    worst = 20 * np.log10(spec[away].max() / spec.max())
    assert worst < -90, f"{rate} Hz: strongest other component {worst:.1f} dB"
    if rate > TARGET:
        assert _level_db(y, TARGET - 30_000.0) < peak - 100


@pytest.mark.parametrize("resampler", RESAMPLERS)
@pytest.mark.parametrize("rate", [8000, 22050, 32000, 44100, 96000, 384000])
def test_blocks_join_like_a_whole_file_resampling(
    tmp_path: Path, rate: int, resampler: str
) -> None:
    rng = np.random.default_rng(rate)
    x = (0.3 * rng.standard_normal(int(rate * 1.7))).astype(np.float32)
    path = tmp_path / "noise.wav"
    sf.write(path, x, rate, subtype="FLOAT")
    whole = resample(x, rate, TARGET, resampler)
    # seams every 0.1 s
    blocks = _stream(path, frame_samples=2400, batch=2, resampler=resampler)
    n = whole.size
    assert blocks.size >= n
    np.testing.assert_allclose(blocks[:n], whole, atol=2e-5)
    assert not blocks[n:].any()  # the padding after the end is silence
    # a block read from the middle agrees with the same stretch of the whole
    info = read_info(path)
    down = rate // np.gcd(rate, TARGET)  # a start on whole output samples
    start = (rate // 3) // down * down
    part = read_resampled(path, start, rate // 2, TARGET, info=info, resampler=resampler)
    offset = start * TARGET // rate
    np.testing.assert_allclose(part, whole[offset : offset + part.size], atol=2e-5)


def test_resamplers_are_named_for_provenance() -> None:
    assert DEFAULT_RESAMPLER == "kaiser_fast"
    assert describe_resampler("soxr_vhq").startswith("soxr ")
    assert describe_resampler("soxr_vhq").endswith("VHQ")
    assert RESAMPLER == describe_resampler(None) == describe_resampler("kaiser-fast")
    assert "BirdNET-Analyzer" in describe_resampler("kaiser_fast")
    with pytest.raises(ValueError, match="unknown resampler 'sinc'.*kaiser_fast, soxr_vhq"):
        resample(np.zeros(10, np.float32), 32000, TARGET, "sinc")


@pytest.fixture(scope="module")
def birdnet():
    from audioclass_gui.models.birdnet import BirdNET

    return BirdNET(num_threads=2, batch_size=4)


def _scores(model, audio48: np.ndarray) -> np.ndarray:
    n = -(-audio48.size // model.input_samples)
    frames = np.zeros(n * model.input_samples, np.float32)
    frames[: audio48.size] = audio48
    return model.process_array(frames.reshape(n, -1)).class_probs


def test_soxr_gives_birdnet_scores_of_an_ideal_resampling(birdnet) -> None:
    if not BIRDS.is_file():
        pytest.skip(
            f"test recording {BIRDS} not present (it lives beside the checkout)"
        )
    x, rate = sf.read(BIRDS, dtype="float32")
    assert rate == 32000
    # Reference: ideal band-limited interpolation, i.e. FFT resampling of the
    # signal zero-padded to twice its length, so the 3:2 ratio is exact and
    # nothing wraps around.
    padded = np.concatenate([x, np.zeros_like(x)])
    reference = signal.resample(padded, 3 * x.size)[: -(-3 * x.size // 2)].astype(
        np.float32
    )
    ref = _scores(birdnet, reference)
    rec = to_recording(read_info(BIRDS))
    plan = birdnet.plan_frames(rec, resampler="soxr_vhq")
    ours = np.concatenate([b for _, b in iter_batches(plan, 2)])
    got = birdnet.process_array(ours).class_probs
    assert got.shape == ref.shape == (4, 6522)
    top = ref.argmax(axis=1)
    assert list(got.argmax(axis=1)) == list(top)
    names = [birdnet.tags[i].value for i in top[:3]]
    assert names == ["Setophaga castanea", "Leiothlypis peregrina", "Setophaga fusca"]
    diff = np.abs(got[np.arange(4), top] - ref[np.arange(4), top])
    assert diff.max() <= 0.02, (
        f"top scores {got[np.arange(4), top]} vs reference {ref[np.arange(4), top]}"
    )
