"""The shared ClipClassificationModel machinery and the inference generator.

A small probe model whose outputs reveal what it was fed (mean level,
share of zero samples, a constant) runs on generated files, so framing,
padding, batching, threshold semantics and both output formats are checked
against known answers.
"""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import xarray as xr
from soundevent import data

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.audio.resample import resample
from audioclass_gui.models import (
    ClipClassificationModel,
    InferenceStep,
    ModelOutput,
    RunSettings,
    iter_predictions,
)
from audioclass_gui.models.framing import iter_batches

SR = 16_000
FRAME = 4_000  # 0.25 s
TERM = data.Term(name="test:class", label="Class", definition="A test class.")


class Probe(ClipClassificationModel):
    """Outputs: mean |x|, share of exact zeros, constant 0.5; features: first/last sample."""

    name = "Probe"
    samplerate = SR
    input_samples = FRAME
    num_classes = 3

    def __init__(self, threshold: float = 0.5, batch_size: int = 2) -> None:
        self.tags = [data.Tag(term=TERM, value=v) for v in ("level", "zeros", "half")]
        self.confidence_threshold = threshold
        self.batch_size = batch_size
        self.batches: list[np.ndarray] = []
        self.resets = 0

    def reset(self) -> None:
        self.resets += 1

    def process_array(self, array: np.ndarray) -> ModelOutput:
        self.batches.append(array.copy())
        probs = np.stack(
            [
                np.abs(array).mean(axis=1),
                (array == 0).mean(axis=1),
                np.full(array.shape[0], 0.5),
            ],
            axis=1,
        ).astype(np.float32)
        return ModelOutput(probs, array[:, [0, -1]].astype(np.float32))


def write(path: Path, x: np.ndarray, sr: int = SR, subtype: str = "FLOAT") -> Path:
    sf.write(path, x, sr, subtype=subtype)
    return path


@pytest.fixture
def ramp_file(tmp_path: Path) -> Path:
    """1.1 s at the model rate: a ramp with no exact zeros in it."""
    n = int(1.1 * SR)
    x = (0.1 + 0.8 * np.arange(n) / n).astype(np.float32)
    return write(tmp_path / "ramp.wav", x)


def test_frames_count_order_and_zero_padding(ramp_file: Path) -> None:
    model = Probe(batch_size=2)
    preds = model.process_file(ramp_file)
    x, _ = sf.read(ramp_file, dtype="float32")
    assert len(preds) == 5  # ceil(1.1 / 0.25)
    assert [b.shape for b in model.batches] == [(2, FRAME), (2, FRAME), (1, FRAME)]
    fed = np.concatenate(model.batches).reshape(-1)
    np.testing.assert_array_equal(
        fed[: x.size], x
    )  # same rate: exact samples, in order
    assert np.all(fed[x.size :] == 0) and fed.size - x.size == 5 * FRAME - 17_600
    starts = [p.clip.start_time for p in preds]
    np.testing.assert_allclose(starts, [0, 0.25, 0.5, 0.75, 1.0])
    for p in preds[:-1]:
        assert p.clip.end_time == pytest.approx(p.clip.start_time + 0.25)
    # The last clip ends where the audio does (the model heard zeros after
    # it), as BirdNET-Analyzer's last window does.
    assert preds[-1].clip.end_time == pytest.approx(1.1)
    assert preds[-1].clip.recording.duration == pytest.approx(1.1)


def test_threshold_is_exclusive_and_tags_sorted(ramp_file: Path) -> None:
    # As in audioclass and BirdNET-Analyzer: a score equal to the threshold is dropped.
    at = Probe(threshold=0.5).process_file(ramp_file, compute_hash=False)
    assert all("half" not in [t.tag.value for t in p.tags] for p in at)
    below = Probe(threshold=0.5 - 1e-6).process_file(ramp_file, compute_hash=False)
    assert all("half" in [t.tag.value for t in p.tags] for p in below)
    # Last frame: 1,600 real samples, 2,400 zeros -> "zeros" scores 0.6 > 0.5.
    assert [t.tag.value for t in at[-1].tags][0] == "zeros"
    assert at[-1].tags[0].score == pytest.approx(0.6)
    for p in below:
        scores = [t.score for t in p.tags]
        assert scores == sorted(scores, reverse=True)
        assert all(s > 0.5 - 1e-6 for s in scores)
    # The run settings' threshold follows the same rule.
    recording = to_recording(read_info(ramp_file))
    streamed = [
        p
        for s in iter_predictions(Probe(), recording, RunSettings(threshold=0.5))
        for p in s.predictions
    ]
    assert len(streamed) == 5
    assert all("half" not in [t.tag.value for t in p.tags] for p in streamed)


def test_dataset_format(ramp_file: Path) -> None:
    model = Probe()
    ds = model.process_file(ramp_file, fmt="dataset")
    assert isinstance(ds, xr.Dataset)
    assert list(ds.data_vars) == ["features", "probabilities"]
    assert ds.probabilities.dims == ("time", "label")
    assert ds.features.dims == ("time", "feature")
    assert ds.probabilities.shape == (5, 3) and ds.features.shape == (5, 2)
    np.testing.assert_allclose(ds.time.values, [0, 0.25, 0.5, 0.75, 1.0])
    assert ds.time.attrs["units"] == "s"
    assert list(ds.feature.values) == [0, 1]
    assert list(ds.label.values) == ["level", "zeros", "half"]
    assert ds.probabilities.sel(label="zeros").values[-1] == pytest.approx(0.6)
    assert ds.attrs["model"] == "Probe"
    # No date or position in the recording: no such coordinates.
    assert not {"recorded_on", "latitude", "longitude"} & set(ds.coords)
    se = Probe().process_file(ramp_file)
    assert len(se) == ds.sizes["time"]


def test_dataset_has_recording_time_and_place(ramp_file: Path, tmp_path: Path) -> None:
    recording = data.Recording.from_file(
        ramp_file,
        compute_hash=False,
        latitude=52.5,
        longitude=-1.25,
        date=datetime.date(2024, 5, 17),
        time=datetime.time(5, 30, 15),
    )
    ds = Probe().process_recording(recording, fmt="dataset")
    assert ds.recorded_on.values == np.datetime64("2024-05-17T05:30:15")
    assert float(ds.latitude) == 52.5 and float(ds.longitude) == -1.25
    assert ds.latitude.attrs["units"] == "degrees_north"
    assert ds.recorded_on.dims == () and ds.latitude.dims == ()
    # The dataset can be saved: the datetime's "units" is in its encoding.
    ds.to_netcdf(tmp_path / "out.nc", engine="scipy")
    with xr.open_dataset(tmp_path / "out.nc", engine="scipy") as back:
        assert back.recorded_on.values == np.datetime64("2024-05-17T05:30:15")
        assert float(back.latitude) == 52.5
    # A date without a time starts at midnight; a zoned time is stored in UTC.
    dated = recording.model_copy(update={"time": None})
    ds = Probe().process_recording(dated, fmt="dataset")
    assert ds.recorded_on.values == np.datetime64("2024-05-17T00:00:00")
    zone = datetime.timezone(datetime.timedelta(hours=2))
    zoned = recording.model_copy(update={"time": datetime.time(5, 30, tzinfo=zone)})
    ds = Probe().process_recording(zoned, fmt="dataset")
    assert ds.recorded_on.values == np.datetime64("2024-05-17T03:30:00")
    assert ds.recorded_on.attrs["timezone"] == "UTC"


def test_features_on_by_default_named_as_audioclass(ramp_file: Path) -> None:
    model = Probe()
    preds = model.process_file(ramp_file)
    assert [len(p.features) for p in preds] == [2] * 5
    x, _ = sf.read(ramp_file, dtype="float32")
    assert preds[1].features[0].value == pytest.approx(float(x[FRAME]))
    assert [f.term for f in preds[1].features] == [
        data.term_from_key("Probe_0"),
        data.term_from_key("Probe_1"),
    ]
    model.with_features = False
    assert all(len(p.features) == 0 for p in model.process_file(ramp_file))
    # The inference generator keeps its own setting: off unless asked.
    recording = to_recording(read_info(ramp_file))
    steps = list(iter_predictions(Probe(), recording))
    assert steps and all(not p.features for s in steps for p in s.predictions)


def test_named_features_keep_audioclass_term_names() -> None:
    class Named(Probe):
        feature_names = ("first", "last")

    terms = Named().feature_terms(2)
    assert [t.name for t in terms] == ["Probe_0", "Probe_1"]
    assert [t.label for t in terms] == ["first", "last"]


def test_process_file_kwargs_reach_recording(ramp_file: Path) -> None:
    model = Probe()
    hashed = model.process_file(ramp_file)
    assert hashed[0].clip.recording.hash is not None
    plain = model.process_file(ramp_file, compute_hash=False, latitude=45.5)
    assert plain[0].clip.recording.hash is None
    assert plain[0].clip.recording.latitude == 45.5


def test_time_expansion_gives_real_times(ramp_file: Path) -> None:
    # Played 2x slower: 1.1 s in the file are 0.55 s of real time at 32 kHz.
    model = Probe()
    preds = model.process_file(ramp_file, time_expansion=2.0, compute_hash=False)
    assert len(preds) == 3  # ceil(0.55 / 0.25)
    np.testing.assert_allclose([p.clip.start_time for p in preds], [0, 0.25, 0.5])
    fed = np.concatenate(model.batches).reshape(-1)
    x, _ = sf.read(ramp_file, dtype="float32")
    # Real-rate 32 kHz down to the model's 16 kHz: half the samples.
    assert np.count_nonzero(fed) == pytest.approx(x.size / 2, abs=2)


def test_process_clip_and_iterable(ramp_file: Path) -> None:
    recording = data.Recording.from_file(ramp_file, compute_hash=False)
    clips = [
        data.Clip(recording=recording, start_time=0.0, end_time=0.25),
        data.Clip(recording=recording, start_time=0.3, end_time=0.9),
        data.Clip(recording=recording, start_time=1.0, end_time=1.1),
    ]
    model = Probe()
    one = model.process_clip(clips[1])
    spans = [(p.clip.start_time, p.clip.end_time) for p in one]
    np.testing.assert_allclose(spans, [(0.3, 0.55), (0.55, 0.8), (0.8, 0.9)])
    # The clip ends mid-file: its last frame is zero-padded after the clip's
    # end (0.1 s = 1,600 samples of audio), not filled with later audio, and
    # its span ends with the clip.
    last_fed = model.batches[-1][-1]
    assert np.count_nonzero(last_fed) == 1600 and np.all(last_fed[1600:] == 0)
    model.resets = 0
    preds = model.process_iterable(iter(clips))
    assert len(preds) == 1 + 3 + 1
    assert model.resets == 3  # state is reset at the start of every clip
    # A clip of exactly one frame gives one prediction with the same span (and id).
    assert preds[0].clip.uuid == clips[0].uuid
    ds = model.process_clip(clips[1], fmt="dataset")
    np.testing.assert_allclose(ds.time.values, [0.3, 0.55, 0.8])


def test_resampled_frames_join_without_seams(tmp_path: Path) -> None:
    sr_file = 22_050
    t = np.arange(int(2.3 * sr_file)) / sr_file
    x = (0.5 * np.sin(2 * np.pi * 440 * t) * np.sin(2 * np.pi * 0.7 * t)).astype(
        np.float32
    )
    path = write(tmp_path / "sine.wav", x, sr_file)
    recording = to_recording(read_info(path))
    expected = resample(x, sr_file, SR)
    for batch_size in (1, 3, 16):
        plan = Probe().plan_frames(recording)
        fed = np.concatenate([b for _, b in iter_batches(plan, batch_size)]).reshape(-1)
        assert plan.num_frames == 10  # ceil(2.3 * 16000 / 4000)
        np.testing.assert_allclose(fed[: expected.size], expected, atol=2e-4)
        assert np.all(fed[expected.size :] == 0)


def test_iter_predictions_progress_matches_process_recording(ramp_file: Path) -> None:
    recording = to_recording(read_info(ramp_file))
    model = Probe(batch_size=2)
    steps = list(iter_predictions(model, recording))
    assert all(isinstance(s, InferenceStep) for s in steps)
    assert [len(s.predictions) for s in steps] == [2, 2, 1]
    assert [s.frames_done for s in steps] == [2, 4, 5]
    assert {s.frames_total for s in steps} == {5}
    assert [s.fraction for s in steps] == pytest.approx([0.4, 0.8, 1.0])
    assert steps[-1].seconds_done == pytest.approx(1.1) == steps[-1].seconds_total
    assert steps[0].seconds_done == pytest.approx(0.5)
    streamed = [p for s in steps for p in s.predictions]
    direct = model.process_recording(recording)
    assert [p.clip.uuid for p in streamed] == [p.clip.uuid for p in direct]
    assert [[t.score for t in p.tags] for p in streamed] == [
        [t.score for t in p.tags] for p in direct
    ]
    assert all(not p.features for p in streamed)
    with_feats = next(
        iter_predictions(model, recording, with_features=True, batch_size=4)
    )
    assert (
        len(with_feats.predictions) == 4
        and len(with_feats.predictions[0].features) == 2
    )


def test_iter_predictions_span_and_channel(tmp_path: Path) -> None:
    n = 2 * SR
    stereo = np.stack([np.full(n, 0.2), np.full(n, 0.6)], axis=1).astype(np.float32)
    path = write(tmp_path / "stereo.wav", stereo)
    recording = to_recording(read_info(path))
    model = Probe(batch_size=8)
    steps = list(iter_predictions(model, recording, start=0.5, end=1.0, channel=1))
    preds = steps[0].predictions
    assert [p.clip.start_time for p in preds] == pytest.approx([0.5, 0.75])
    assert steps[-1].seconds_total == pytest.approx(0.5)
    assert np.allclose(np.concatenate(model.batches), 0.6)
    list(iter_predictions(model, recording, end=0.25))
    assert np.allclose(model.batches[-1], 0.4)  # channels averaged by default


def test_cancel_stops_cleanly(ramp_file: Path) -> None:
    recording = to_recording(read_info(ramp_file))
    model = Probe(batch_size=1)
    event = threading.Event()
    seen = []
    for step in iter_predictions(model, recording, cancel=event):
        seen.append(step)
        event.set()
    assert len(seen) == 1 and len(model.batches) == 1
    calls = iter(range(100))
    steps = list(iter_predictions(model, recording, cancel=lambda: next(calls) >= 3))
    assert len(steps) == 3


def test_errors(tmp_path: Path, ramp_file: Path) -> None:
    missing = tmp_path / "missing.wav"
    with pytest.raises(AudioFileError, match="missing.wav: file not found"):
        Probe().process_file(missing)
    recording = data.Recording(path=missing, duration=1.0, channels=1, samplerate=SR)
    with pytest.raises(AudioFileError, match="missing.wav"):
        list(iter_predictions(Probe(), recording))
    with pytest.raises(AudioFileError, match="channel 3 does not exist"):
        list(iter_predictions(Probe(), to_recording(read_info(ramp_file)), channel=2))

    class Broken(Probe):
        def process_array(self, array: np.ndarray) -> ModelOutput:
            raise RuntimeError("model exploded")

    with pytest.raises(RuntimeError, match="model exploded"):
        list(iter_predictions(Broken(), to_recording(read_info(ramp_file))))

    class WrongShape(Probe):
        def process_array(self, array: np.ndarray) -> ModelOutput:
            return ModelOutput(
                np.zeros((array.shape[0], 2)), np.zeros((array.shape[0], 1))
            )

    with pytest.raises(
        ValueError, match=r"probabilities of shape \(2, 2\), expected \(2, 3\)"
    ):
        WrongShape().process_file(ramp_file)
    with pytest.raises(ValueError, match="unknown format"):
        Probe().process_file(ramp_file, fmt="csv")


def test_empty_span_gives_no_frames(ramp_file: Path) -> None:
    recording = to_recording(read_info(ramp_file))
    model = Probe()
    assert list(iter_predictions(model, recording, start=5.0)) == []
    clip = data.Clip(recording=recording, start_time=0.5, end_time=0.5)
    assert model.process_clip(clip) == []
    ds = model.process_clip(clip, fmt="dataset")
    assert ds.probabilities.shape == (0, 3)
