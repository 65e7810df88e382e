"""A project of many store files (one per recording) reads them through one merged file."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.formats.birdnet_results import birdnet_common_names
from audioclass_gui.formats.prediction_store import StoredRun, write_stored_run
from audioclass_gui.project import ReviewProject
from audioclass_gui.project import attach as attach_module
from audioclass_gui.project.merged_store import MERGED_NAME
from audioclass_gui.review import DetectionFilter, Order, Status
from tests.test_project_open import write_audio

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SPECIES = ["Turdus merula", "Parus major", "Strix aluco"]


def write_store(
    path: Path,
    recordings: list[Path],
    seed: int,
    *,
    model: str = "BirdNET",
    windows: int = 4,
) -> Path:
    """What `predict` writes beside a recording: its detections, paths relative to the file."""
    rng = np.random.default_rng(seed)
    n = len(recordings) * windows * 2
    rec = np.repeat(np.arange(len(recordings)), windows * 2).astype(np.int32)
    start = np.tile(np.repeat(np.arange(windows) * 3.0, 2), len(recordings))
    spc = np.tile([0, 1], n // 2).astype(np.int32) + (seed % 2)
    run = StoredRun(
        [str(r) for r in recordings],
        SPECIES,
        rec,
        spc,
        start,
        start + 3.0,
        np.round(rng.uniform(0.05, 1.0, n), 4),
        model_name=model,
        provenance={"seed": seed},
    )
    folder = path.parent
    write_stored_run(path, run, encode=lambda p: os.path.relpath(p, folder), stamp=None)
    return path


def rows(project: ReviewProject) -> list[tuple]:
    s = project.session
    return sorted(
        (Path(d.recording.path).name, d.start, d.end, d.scientific_name, d.score, s._model_of(d.run), d.run)
        for d in s.detections()
    )


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    root = tmp_path / "deployment"
    for i in range(4):
        audio = write_audio(root / f"site{i % 2}" / f"rec{i}.wav")
        write_store(audio.with_name(f"rec{i}.predictions.arrow"), [audio], seed=i)
    return root


def one_by_one(project_root: Path, monkeypatch) -> list[tuple]:
    """The project as read without a merged file (each store file on its own)."""
    with monkeypatch.context() as m:
        m.setattr(attach_module, "build_merged", lambda *a, **k: None)
        m.setattr(attach_module, "read_merged", lambda *a, **k: None)
        with ReviewProject.open(project_root, read_only=True) as project:
            return rows(project)


def test_many_store_files_are_merged_once_and_mapped_after(deployment, monkeypatch):
    want = one_by_one(deployment, monkeypatch)
    assert len(want) == 4 * 8
    with ReviewProject.open(deployment) as project:
        assert rows(project) == want
        merged = project._store_dir() / MERGED_NAME
        assert merged.is_file()
        assert len(project.sources()) == 4
        assert {s.detections for s in project.sources()} == {8}
        assert {s.model_name for s in project.sources()} == {"BirdNET"}
        assert project.session.run_infos()[0][2] == {"seed": 0}
        # BirdNET runs name species by scientific name: BirdNET's labels give
        # the common names (read once for all merged files).
        labels = birdnet_common_names()
        if labels:
            assert {s: project.session.common_name(s) for s in SPECIES} == {
                s: labels[s] for s in SPECIES
            }
    made = merged.stat().st_mtime_ns

    def refuse(*_a, **_k):
        raise AssertionError("the merged file is up to date: nothing is merged again")

    monkeypatch.setattr(attach_module, "build_merged", refuse)
    with ReviewProject.open(deployment) as project:
        assert rows(project) == want
        # One sorted block in display order, one score index: counts read no rows.
        assert project.session._lookup.in_display_order
        assert len(project.session._indexed) == 1
        by_species = {s.scientific_name: s.detections for s in project.session.species_summary()}
        assert sum(by_species.values()) == 32
    assert merged.stat().st_mtime_ns == made


def test_a_changed_store_file_is_merged_again_and_verdicts_stay(deployment, monkeypatch):
    with ReviewProject.open(deployment) as project:
        s = project.session
        first = s.query(DetectionFilter(), Order.TIME)[0]
        key = s.path_key(int(first))
        s.set_status([int(first)], Status.ACCEPTED)
    # rec1 analysed again with other settings: its store file is rewritten.
    audio = deployment / "site1" / "rec1.wav"
    write_store(audio.with_name("rec1.predictions.arrow"), [audio], seed=11, windows=3)
    want = one_by_one(deployment, monkeypatch)
    with ReviewProject.open(deployment) as project:
        got = rows(project)
        assert got == want and len(got) == 3 * 8 + 6
        assert [v for v in got if v[0] == "rec1.wav"] == [v for v in want if v[0] == "rec1.wav"]
        s = project.session
        assert [s.status(i) for i in s.ids_for(key)] == [Status.ACCEPTED]


def test_the_same_detection_in_two_files_is_kept_once_per_model(tmp_path, monkeypatch):
    root = tmp_path / "deployment"
    a = write_audio(root / "a.wav")
    b = write_audio(root / "b.wav")
    write_store(root / "a.predictions.arrow", [a], seed=2)
    # Both recordings again, by the same model (analysed twice), and by another model.
    write_store(root / "runs" / "again.predictions.arrow", [a, b], seed=2)
    write_store(root / "runs" / "other.predictions.arrow", [b, a], seed=4, model="Other")
    want = one_by_one(root, monkeypatch)
    with ReviewProject.open(root) as project:
        assert (project._store_dir() / MERGED_NAME).is_file()
        got = rows(project)
        assert got == want
        keys = [(r[0], r[1], r[3], r[5]) for r in got]
        assert len(keys) == len(set(keys))  # each (key, model) once
        ids = project.session.query(DetectionFilter(), Order.TIME).tolist()
        listed = [project.session.path_key(i) for i in ids]
        starts = [(Path(k[0]).name, k[1]) for k in listed]
        assert starts == sorted(starts)  # display order across the merged files


def test_a_deleted_store_file_leaves_the_merge_and_is_said(deployment, monkeypatch):
    with ReviewProject.open(deployment):
        pass
    (deployment / "site0" / "rec2.predictions.arrow").unlink()
    with ReviewProject.open(deployment) as project:
        names = {r[0] for r in rows(project)}
        assert names == {"rec0.wav", "rec1.wav", "rec3.wav"}
        said = [p for p in project.problems if "rec2.predictions.arrow" in p]
        assert said and "not a predictions store" not in said[0], said


def test_a_read_only_open_never_writes_the_merged_file(deployment, monkeypatch):
    want = one_by_one(deployment, monkeypatch)
    with ReviewProject.open(deployment, read_only=True) as project:
        assert rows(project) == want
    assert not list(deployment.rglob(MERGED_NAME))


def test_an_unwritable_store_folder_falls_back_to_the_files(deployment, monkeypatch):
    want = one_by_one(deployment, monkeypatch)

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(attach_module, "build_merged", full)
    with ReviewProject.open(deployment) as project:
        assert rows(project) == want
        assert any("merged store was not written" in p and "No space" in p for p in project.problems)
