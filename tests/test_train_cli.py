"""``audioclass-gui train``: a project's verdicts + its stored embeddings -> a classifier file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.cli import main as cli_main
from audioclass_gui.formats.aoef import model_run_from_predictions, save_aoef
from audioclass_gui.learn import TrainedClassifier, read_classifier
from audioclass_gui.project import STATE_DIR, ReviewProject
from audioclass_gui.review import Status
from audioclass_gui.train_cli import main
from tests.learn_fakes import find, window_predictions, write_audio

embeddings = pytest.importorskip("audioclass_gui.embeddings")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

A, B = "Turdus merula", "Parus major"
RECORDINGS = 6


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Six recordings; windows 0-6 s hold A, 6-12 s hold B; every window judged."""
    root = tmp_path / "deployment"
    audio = [write_audio(root / f"rec{i}.wav") for i in range(RECORDINGS)]
    recs = [to_recording(read_info(p)) for p in audio]
    save_aoef(
        model_run_from_predictions(window_predictions(recs, (A, B)), name="BirdNET", provenance={"version": "2.4"}),
        root / "birdnet.model_run.json",
    )
    settings = tmp_path / "settings"
    with ReviewProject.open(root, settings_dir=settings, durable=False) as p:
        p.set_reviewer("ana", remember=False)
        s = p.session
        order = [str(r.path) for r in s.recordings]
        for path in audio:
            i = order.index(str(path))
            for start in (0.0, 3.0):
                s.set_status([find(s, i, start, A)], Status.ACCEPTED)
            for start in (6.0, 9.0):
                s.set_status([find(s, i, start, B)], Status.ACCEPTED)
    return root


def store_embeddings(root: Path, *, skip: int = 0) -> None:
    """Embeddings of every window, A windows near one point and B near another."""
    rng = np.random.default_rng(0)
    centre = rng.normal(size=(2, 1024)).astype(np.float32)
    folder = embeddings.embeddings_folder(root / STATE_DIR)
    store = embeddings.EmbeddingStore.open(folder, "birdnet", dim=1024)
    for i in range(skip, RECORDINGS):
        which = np.array([0, 0, 1, 1])
        vectors = centre[which] + 0.8 * rng.normal(size=(4, 1024)).astype(np.float32)
        starts = np.array([0.0, 3.0, 6.0, 9.0])
        store.append(f"rec{i}.wav", starts, starts + 3.0, vectors)  # relative, as a project stores them


def test_train_writes_a_classifier_with_its_figures(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_embeddings(project, skip=1)  # rec0 has no embeddings
    out = tmp_path / "blackbird"
    # Through the command's entry point, as `audioclass-gui train ...` runs it.
    code = cli_main(
        ["train", str(project), "--species", A, "parus major", "-o", str(out), "--folds", "4"]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    assert "4 examples have no embedding" in text and "rec0.wav" in text
    assert f"{A}: 10 positive, 10 negative (50 % positive)" in text
    assert "reviewers: ana (24)" in text
    assert f"{A}: precision 1.00" in text and "4-fold, by recording" in text
    model = read_classifier(out.with_suffix(".npz"))
    assert model.species == (A, B)
    assert model.training["species"][A] == {"positive": 10, "negative": 10, "uncertain": 0, "conflict": 0}
    assert model.training["reviewers"] == {"ana": 24}
    assert model.header["project"].endswith("project.jsonl")
    assert all(cv.precision == 1.0 and cv.recall == 1.0 for cv in model.cross_validation)
    clf = TrainedClassifier(out.with_suffix(".npz"))
    assert clf.name == "Custom: blackbird" and clf.num_classes == 2


def test_missing_embeddings_say_how_to_compute_them(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([str(project), "--species", A, "-o", str(tmp_path / "m.npz")])
    err = capsys.readouterr().err
    assert code == 1 and "no BirdNET embeddings for this project" in err
    assert "audioclass-gui embed" in err and not (tmp_path / "m.npz").exists()


def test_unknown_species_and_species_without_verdicts(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_embeddings(project)
    assert main([str(project), "--species", "Corvus corax", "-o", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err
    assert "no species 'Corvus corax' in this project" in err and A in err
    with ReviewProject.open(project, settings_dir=tmp_path / "settings", durable=False) as p:
        s = p.session
        for i in range(RECORDINGS):
            for start in (0.0, 3.0):
                s.set_status([find(s, i, start, A)], Status.REJECTED)
    assert main([str(project), "--species", A, "-o", str(tmp_path / "m")]) == 1
    assert f"no accepted window or box of {A}" in capsys.readouterr().err
    assert main([str(tmp_path / "nowhere"), "--species", A, "-o", str(tmp_path / "m")]) == 1
    assert "nowhere" in capsys.readouterr().err
    assert not list(tmp_path.glob("m*"))

