"""Run options on real audio: overlap, channels, sub-range, time expansion,
threshold, top-k, sensitivity, species list and location filters.

birds_10s.wav: opensoundscape 0.13.2 sample data (MIT License, Copyright (c)
2020 University of Pittsburgh); see ../shared/data/README.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.models import BandEnergyDetector, RunSettings, iter_predictions
from audioclass_gui.models.framing import iter_batches, plan_frames

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BIRDS = SHARED_DATA / "birds_10s.wav"
WARBLERS = {"Setophaga castanea", "Leiothlypis peregrina", "Setophaga fusca"}


def _run(model, recording, settings=None):
    return [
        p
        for step in iter_predictions(model, recording, settings)
        for p in step.predictions
    ]


def _spans(predictions):
    return [
        (round(p.clip.start_time, 6), round(p.clip.end_time, 6)) for p in predictions
    ]


def _ramp(path: Path, samples: int, rate: int, channels: int = 1) -> Path:
    x = (np.arange(samples) / samples).astype(np.float32)
    if channels > 1:
        x = np.stack([x * (c + 1) / channels for c in range(channels)], axis=1)
    sf.write(path, x, rate, subtype="FLOAT")
    return path


@pytest.mark.parametrize(
    ("samples", "overlap", "expected"),
    [
        (10_000, 0.0, 10),  # 10 frames side by side
        (10_000, 0.5, 19),  # every 500 samples, until one reaches the end
        (10_000, 0.75, 37),
        (10_500, 0.5, 20),
        (800, 0.5, 1),  # shorter than one frame: one zero-padded frame
    ],
)
def test_overlap_frame_count_spans_and_contents(
    tmp_path: Path, samples: int, overlap: float, expected: int
) -> None:
    rate, n_in = 1000, 1000  # 1 s frames at the file's own rate: no resampling
    path = _ramp(tmp_path / "ramp.wav", samples, rate)
    plan = plan_frames(
        to_recording(read_info(path)),
        samplerate=rate,
        input_samples=n_in,
        overlap_seconds=overlap,
    )
    hop = round((1 - overlap) * n_in)
    assert plan.num_frames == expected
    assert plan.hop == hop
    start = 3 * hop / rate  # spans end with the audio (never before they start)
    end = max(start, min(start + 1.0, samples / rate))
    assert plan.frame_span(3) == pytest.approx((start, end))
    frames = np.concatenate([b for _, b in iter_batches(plan, 3)])
    assert frames.shape == (expected, n_in)
    ramp = np.arange(samples) / samples
    for i in range(expected):
        want = np.zeros(n_in)
        part = ramp[i * hop : i * hop + n_in]
        want[: part.size] = part
        np.testing.assert_allclose(frames[i], want, atol=1e-7)
    assert (expected - 1) * hop + n_in >= samples > (
        expected - 2
    ) * hop + n_in or expected == 1


def test_overlap_gives_true_spans_and_doubles_windows(calls_wav: Path) -> None:
    model = BandEnergyDetector()
    rec = to_recording(read_info(calls_wav))  # 12 s, calls at 1.2, 5.3, 9.1 s
    plain = _run(model, rec, RunSettings(threshold=0.5))
    half = _run(model, rec, RunSettings(threshold=0.5, overlap_seconds=0.5))
    assert len(plain) == 12 and len(half) == 23
    assert _spans(half)[:3] == [(0.0, 1.0), (0.5, 1.5), (1.0, 2.0)]
    assert _spans(half)[-1] == (11.0, 12.0)
    found = [p.clip.start_time for p in half if p.tags]
    # every detected window overlaps a call, and every call is found twice or more
    calls = [(1.2, 1.8), (5.3, 5.9), (9.1, 9.6)]
    for start in found:
        assert any(start < b and start + 1 > a for a, b in calls)
    for a, b in calls:
        assert sum(start < b and start + 1 > a for start in found) >= 2


def test_channel_pick_and_mix(tmp_path: Path) -> None:
    rate = 32000
    t = np.arange(rate * 6) / rate
    left = 0.001 * np.random.default_rng(0).standard_normal(t.size)
    right = left.copy()
    burst = (t >= 2.2) & (t < 2.8)
    right[burst] += 0.3 * np.sin(2 * np.pi * 5000 * t[burst])
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([left, right], axis=1).astype(np.float32), rate)
    model = BandEnergyDetector()
    rec = to_recording(read_info(path))

    def detected(channel):
        preds = _run(model, rec, RunSettings(threshold=0.5, channel=channel))
        return [p.clip.start_time for p in preds if p.tags]

    assert detected(1) == [2.0]
    assert detected(0) == []
    assert detected(None) == [2.0]  # mixed down, the call is still there
    with pytest.raises(Exception, match="channel 3 does not exist"):
        _run(model, rec, RunSettings(channel=2))


def test_sub_range(calls_wav: Path) -> None:
    model = BandEnergyDetector()
    rec = to_recording(read_info(calls_wav))
    preds = _run(model, rec, RunSettings(threshold=0.5, start=4.5, end=7.5))
    assert _spans(preds) == [(4.5, 5.5), (5.5, 6.5), (6.5, 7.5)]
    assert [p.clip.start_time for p in preds if p.tags] == [4.5, 5.5]  # call at 5.3-5.9
    steps = list(
        iter_predictions(model, rec, RunSettings(start=4.5, end=7.5, batch_size=2))
    )
    assert steps[-1].seconds_total == pytest.approx(3.0)
    assert steps[-1].fraction == 1.0


def test_time_expanded_recording_gives_real_times(tmp_path: Path) -> None:
    # A bat-detector style file: recorded at 10x, so 20 s in the file are
    # 2 s of real time; a 500 Hz tone in the file was a 5 kHz call.
    file_rate, expansion = 48000, 10.0
    t = np.arange(file_rate * 20) / file_rate
    x = 0.001 * np.random.default_rng(1).standard_normal(t.size)
    call = (t >= 12.0) & (t < 15.0)  # real 1.2-1.5 s
    x[call] += 0.3 * np.sin(2 * np.pi * 500 * t[call])
    path = tmp_path / "bat_te10.wav"
    sf.write(path, x.astype(np.float32), file_rate)
    rec = to_recording(read_info(path), time_expansion=expansion)
    model = BandEnergyDetector(frame_seconds=0.25, low_freq=3000, high_freq=8000)
    preds = _run(model, rec, RunSettings(threshold=0.5, overlap_seconds=0.125))
    assert preds[-1].clip.start_time < 2.0 <= preds[-1].clip.end_time
    assert len(preds) == 15  # 0.25 s windows every 0.125 s over 2 s
    found = [p.clip.start_time for p in preds if p.tags]
    assert found and all(1.0 <= s <= 1.5 for s in found)
    plan = model.plan_frames(rec, 1.25, 1.5)
    ((_, frame),) = iter_batches(plan, 4)
    spectrum = np.abs(np.fft.rfft(frame[0] * np.hanning(frame.shape[1])))
    pitch = np.fft.rfftfreq(frame.shape[1], 1 / model.samplerate)[np.argmax(spectrum)]
    assert pitch == pytest.approx(5000, abs=10)  # heard at its real pitch


@pytest.fixture(scope="module")
def birdnet():
    from audioclass_gui.models.birdnet import BirdNET

    return BirdNET(num_threads=2, batch_size=4)


@pytest.fixture
def birds():
    if not BIRDS.is_file():
        pytest.skip(
            f"test recording {BIRDS} not present (it lives beside the checkout)"
        )
    return to_recording(read_info(BIRDS))


def _species(predictions):
    return {t.tag.value for p in predictions for t in p.tags}


def test_threshold_and_top_k(birdnet, birds) -> None:
    many = _run(birdnet, birds, RunSettings(threshold=0.05))
    assert max(len(p.tags) for p in many) > 1
    top1 = _run(birdnet, birds, RunSettings(threshold=0.05, top_k=1))
    assert [len(p.tags) for p in top1] == [1, 1, 1, 1]
    assert [p.tags[0].tag.value for p in top1] == [p.tags[0].tag.value for p in many]
    high = _run(birdnet, birds, RunSettings(threshold=0.6))
    assert [[t.tag.value for t in p.tags] for p in high] == [
        [],
        ["Leiothlypis peregrina"],
        [],
        [],
    ]


def test_sensitivity_shifts_the_sigmoid(birdnet, birds) -> None:
    base = _run(birdnet, birds, RunSettings(threshold=0.05, top_k=1))
    more = _run(birdnet, birds, RunSettings(threshold=0.05, top_k=1, sensitivity=1.25))
    assert birdnet.sensitivity == 1.25
    for a, b in zip(base, more, strict=True):
        assert a.tags[0].tag == b.tags[0].tag
        logit = np.log(a.tags[0].score / (1 - a.tags[0].score))
        assert b.tags[0].score == pytest.approx(
            1 / (1 + np.exp(-(logit + 2.5))), abs=1e-4
        )
    _run(birdnet, birds, RunSettings())  # back to 1.0 for the other tests
    assert birdnet.sensitivity == 1.0


def test_species_list_restricts_species(birdnet, birds, tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text(
        "Setophaga fusca_Blackburnian Warbler\nNotus existus\n", encoding="utf-8"
    )
    settings = RunSettings(threshold=0.05).with_species_file(path)
    preds = _run(birdnet, birds, settings)
    assert _species(preds) == {"Setophaga fusca"}
    prov = settings.to_provenance(birdnet, birds)
    assert prov["filters"]["species_list"] == {
        "source": "list.txt",
        "species": 2,
        "matched": 1,
        "unknown": ["Notus existus"],
    }


def test_location_filter_far_away_drops_the_warblers(birdnet, birds) -> None:
    everywhere = _species(_run(birdnet, birds, RunSettings(threshold=0.1)))
    assert WARBLERS <= everywhere
    sydney = RunSettings(threshold=0.1, latitude=-33.87, longitude=151.21, week=-1)
    assert not (WARBLERS & _species(_run(birdnet, birds, sydney)))
    pittsburgh = RunSettings(threshold=0.1, latitude=40.44, longitude=-79.99, week=18)
    assert WARBLERS <= _species(_run(birdnet, birds, pittsburgh))


def test_location_and_week_from_recording_metadata(birdnet, birds) -> None:
    rec = birds.model_copy(
        update={"latitude": 40.44, "longitude": -79.99, "date": dt.date(2019, 5, 10)}
    )
    # the recording's site wins over the (Australian) settings
    settings = RunSettings(threshold=0.1, latitude=-33.87, longitude=151.21)
    assert WARBLERS <= _species(_run(birdnet, rec, settings))
    prov = settings.to_provenance(birdnet, rec)
    assert prov["filters"]["location"]["source"] == "recording"
    assert prov["filters"]["location"]["week"] == 18
    assert 50 < prov["filters"]["classes_allowed"] < 1000
    ignored = settings.replace(use_recording_location=False)
    assert not (WARBLERS & _species(_run(birdnet, rec, ignored)))
