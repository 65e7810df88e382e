"""A classifier trained from verdicts runs as a model: in the registry, in predict, on embeddings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from soundevent import data, io

from audioclass_gui.learn import TrainedClassifier, fit_head, write_classifier
from audioclass_gui.learn.model_file import ClassifierFile, ModelFileError
from audioclass_gui.learn.train import BIRDNET_BASE
from audioclass_gui.models import (
    ClipClassificationModel,
    ModelOutput,
    create_model,
    get_entry,
)
from audioclass_gui.models.birdnet_data import BirdNETNotInstalledError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SPECIES = ["Setophaga castanea", "Leiothlypis peregrina"]
BIRDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "birds_10s.wav"


class FakeBase(ClipClassificationModel):
    """Features = the first 1,024 samples of each frame (no weights needed)."""

    name = "FakeBirdNET"
    samplerate = 48_000
    input_samples = 144_000
    num_classes = 1
    num_features = 1024
    tags = [data.Tag(key="x", value="x")]
    confidence_threshold = 0.1

    def process_array(self, array: np.ndarray) -> ModelOutput:
        x = np.asarray(array, np.float32)
        return ModelOutput(np.zeros((len(x), 1), np.float32), x[:, :1024].copy())


def write_model(path: Path, dim: int = 1024, base: dict | None = None) -> Path:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, dim)).astype(np.float32)
    labels = np.stack([np.arange(80) % 2, np.arange(80) % 4 == 0], 1).astype(np.int8)
    model = ClassifierFile(
        head=fit_head(x, labels, SPECIES, threshold=0.4),
        base_model=base or dict(BIRDNET_BASE),
        common_names={SPECIES[0]: "Bay-breasted Warbler"},
        training={"verdicts": 80, "reviewers": {"ana": 80}},
        created="2025-01-02T03:04:05+00:00",
    )
    return write_classifier(path, model)


def test_trained_classifier_is_a_model(tmp_path: Path) -> None:
    path = write_model(tmp_path / "warblers.npz")
    clf = TrainedClassifier(path, base=FakeBase())
    assert clf.name == "Custom: warblers" and "2025-01-02" in clf.version
    assert [t.value for t in clf.tags] == SPECIES and clf.num_classes == 2
    assert clf.confidence_threshold == 0.4  # the file's decision threshold
    assert clf.common_name(clf.tags[0]) == "Bay-breasted Warbler"
    frames = np.random.default_rng(1).normal(size=(3, 144_000)).astype(np.float32)
    out = clf.process_array(frames)
    np.testing.assert_array_equal(out.features, frames[:, :1024])
    np.testing.assert_allclose(out.class_probs, clf.head.predict(frames[:, :1024]), atol=1e-6)
    np.testing.assert_array_equal(
        clf.predict_from_embeddings(frames[:, :1024]), out.class_probs
    )
    assert clf.provenance["training"]["reviewers"] == {"ana": 80}
    assert clf.provenance["species"] == SPECIES


def test_registry_loads_classifier_files_by_path(tmp_path: Path) -> None:
    path = write_model(tmp_path / "warblers.npz")
    entry = get_entry(str(path))
    assert entry.key == str(path.absolute()) and entry.title == "Custom classifier: warblers.npz"
    clf = create_model(str(path), confidence_threshold=0.7)
    assert isinstance(clf, TrainedClassifier) and clf.confidence_threshold == 0.7
    # Scoring stored embeddings needs no audio model.
    assert clf._base is None
    assert clf.predict_from_embeddings(np.zeros((4, 1024))).shape == (4, 2)
    with pytest.raises(KeyError, match="gone.npz: no such model file"):
        get_entry(str(tmp_path / "gone.npz"))


def test_wrong_base_or_dimension_is_refused(tmp_path: Path) -> None:
    other = write_model(tmp_path / "perch.npz", base={"key": "perch", "version": "8"})
    with pytest.raises(ModelFileError, match=r"perch\.npz: trained on the embeddings of 'perch'"):
        TrainedClassifier(other)
    small = write_model(tmp_path / "small.npz", dim=16)
    with pytest.raises(ModelFileError, match=r"small\.npz: trained on 16-d embeddings"):
        TrainedClassifier(small, base=FakeBase())


def test_predict_runs_a_classifier_file_on_a_real_recording(tmp_path: Path) -> None:
    if not BIRDS.is_file():
        pytest.skip(f"{BIRDS} not found (see ../shared/data/README.md)")
    try:
        from audioclass_gui.models.birdnet import BirdNET

        birdnet = BirdNET(num_threads=2)
    except BirdNETNotInstalledError as exc:  # pragma: no cover
        pytest.skip(f"BirdNET weights not installed: {exc}")
    from audioclass_gui.cli import main

    path = write_model(tmp_path / "warblers.npz")
    out = tmp_path / "run.json"
    code = main(["predict", str(BIRDS), "--model", str(path), "--threshold", "0", "-o", str(out), "--quiet"])
    assert code == 0
    run = io.load(out, type="model_run")
    assert run.name == "Custom: warblers"
    # The run says where the classifier came from: species, training, figures.
    made_by = json.loads(run.description)["model_provenance"]
    assert made_by["species"] == SPECIES and made_by["classifier_file"] == str(path)
    assert made_by["training"]["reviewers"] == {"ana": 80}
    got = {
        (p.clip.start_time, t.tag.value): t.score for p in run.clip_predictions for t in p.tags
    }
    assert {k[0] for k in got} == {0.0, 3.0, 6.0, 9.0}
    # The scores are the head's on BirdNET's embeddings of the same windows.
    plan = birdnet.plan_frames(data.Recording.from_file(BIRDS, compute_hash=False))
    from audioclass_gui.models.running import iter_outputs

    feats = np.concatenate([o.features for _, o in iter_outputs(birdnet, plan)])
    expected = TrainedClassifier(path, base=birdnet).predict_from_embeddings(feats)
    for i in range(4):
        for j, name in enumerate(SPECIES):
            assert got[(3.0 * i, name)] == pytest.approx(float(expected[i, j]), abs=2e-3)
