"""Tests for audioclass_gui.formats: AOEF export round trip and atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pydantic import ValidationError
from soundevent import data, io, terms

from audioclass_gui.formats import (
    AoefExport,
    atomic_write_path,
    atomic_write_text,
    build_annotation_project,
    build_model_run,
    export_aoef,
    model_run_path_for,
)
from audioclass_gui.review import ReviewSession, Status

COMMON = {
    "Leiothlypis peregrina": "Tennessee Warbler",
    "Turdus migratorius": "American Robin",
}
PROVENANCE = {
    "model": "BirdNET",
    "model_version": "2.4",
    "threshold": 0.25,
    "floor": 0.1,
    "labels": ["Leiothlypis peregrina", "Turdus migratorius"],
}

# soundevent's own ModelRun loader reads its deprecated ``version`` property.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Accessing 'version' directly on ModelRun:DeprecationWarning"
)


def species(name: str) -> data.Tag:
    return data.Tag(term=terms.scientific_name, value=name)


@pytest.fixture
def session(tmp_path: Path) -> ReviewSession:
    audio = tmp_path / "audio" / "dawn chorus.wav"
    audio.parent.mkdir()
    rng = np.random.default_rng(1)
    sf.write(audio, (0.1 * rng.standard_normal(9 * 8000)).astype(np.float32), 8000)
    recording = data.Recording.from_file(audio, compute_hash=False)
    s = ReviewSession(
        recording,
        common_name=lambda tag: COMMON.get(tag.value),
        reviewer=data.User(username="ana", name="Ana Lima"),
    )
    s.model_name = "BirdNET"
    s.provenance = dict(PROVENANCE)
    frames = [
        {"Leiothlypis peregrina": 0.82, "Turdus migratorius": 0.31},
        {"Turdus migratorius": 0.64},
        {"Leiothlypis peregrina": 0.12},
    ]
    s.add_predictions(
        [
            data.ClipPrediction(
                clip=data.Clip(
                    recording=recording, start_time=3.0 * i, end_time=3.0 * i + 3
                ),
                tags=[
                    data.PredictedTag(tag=species(n), score=v)
                    for n, v in scores.items()
                ],
            )
            for i, scores in enumerate(frames)
        ]
    )
    # ids: 0 = L.p. 0.82 @0, 1 = T.m. 0.31 @0, 2 = T.m. 0.64 @3, 3 = L.p. 0.12 @6
    s.set_status([0], Status.ACCEPTED)
    s.set_status([1], Status.REJECTED)
    s.set_status([2], Status.UNCERTAIN)
    return s


def test_export_round_trip(session: ReviewSession, tmp_path: Path) -> None:
    out = tmp_path / "exports" / "review.json"
    result = export_aoef(session, out)
    assert result == AoefExport(
        project_path=out, model_run_path=model_run_path_for(out)
    )
    assert result.model_run_path == tmp_path / "exports" / "review.model_run.json"
    assert out.is_file() and result.model_run_path.is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "review.dataset.json",
        "review.evaluation_set.json",
        "review.json",
        "review.model_run.json",
    ]
    assert result.paths == [
        result.model_run_path,
        result.dataset_path,
        result.evaluation_set_path,
        out,
    ]

    project = io.load(result.project_path, type="annotation_project")
    run = io.load(result.model_run_path, type="model_run")
    assert isinstance(project, data.AnnotationProject)
    assert isinstance(run, data.ModelRun)

    # --- model run: every prediction and score, provenance as JSON; named by
    # model, version and settings, with a short id of the run.
    assert run.name.startswith("BirdNET 2.4 (min score 0.25) [")
    assert run.model.info.name == "BirdNET"
    assert run.model.version == "2.4"
    assert json.loads(run.description) == PROVENANCE
    original = {cp.clip.uuid: cp for cp in session.clip_predictions}
    assert {cp.clip.uuid for cp in run.clip_predictions} == set(original)
    for cp in run.clip_predictions:
        src = original[cp.clip.uuid]
        assert (cp.clip.start_time, cp.clip.end_time) == (
            src.clip.start_time,
            src.clip.end_time,
        )
        assert {(t.tag.value, t.score) for t in cp.tags} == {
            (t.tag.value, t.score) for t in src.tags
        }
        assert all(t.tag.term.name == terms.scientific_name.name for t in cp.tags)
        assert (
            Path(cp.clip.recording.path).resolve()
            == Path(session.recording.path).resolve()
        )
        assert Path(cp.clip.recording.path).is_file()

    # --- project: one clip annotation + task per reviewed clip, same clips
    assert project.name == "Review of dawn chorus.wav"
    assert "BirdNET" in project.description
    assert "1 accepted, 1 rejected, 1 uncertain, 1 unreviewed" in project.description
    by_start = {ca.clip.start_time: ca for ca in project.clip_annotations}
    assert sorted(by_start) == [0.0, 3.0]  # the frame at 6 s was not reviewed
    run_clip_uuids = {cp.clip.start_time: cp.clip.uuid for cp in run.clip_predictions}
    for start, ca in by_start.items():
        assert (
            ca.clip.uuid
            == run_clip_uuids[start]
            == session.get(0 if start == 0 else 2).clip_prediction.clip.uuid
        )
        assert Path(ca.clip.recording.path).is_file()

    first, second = by_start[0.0], by_start[3.0]
    assert first.tags == [species("Leiothlypis peregrina")]
    assert [n.message for n in first.notes] == [
        "Rejected: Turdus migratorius (American Robin), score 0.31"
    ]
    assert second.tags == []
    assert [n.message for n in second.notes] == [
        "Uncertain: Turdus migratorius (American Robin), score 0.64"
    ]
    assert second.notes[0].is_issue and not first.notes[0].is_issue
    for ca in project.clip_annotations:
        for note in ca.notes:
            assert note.created_by is not None
            assert note.created_by.uuid == session.reviewer.uuid
            assert note.created_by.username == "ana"

    assert {t.clip.uuid for t in project.tasks} == {
        ca.clip.uuid for ca in project.clip_annotations
    }
    for task in project.tasks:
        assert len(task.status_badges) == 1
        badge = task.status_badges[0]
        assert badge.state == data.AnnotationState.completed
        assert badge.owner is not None and badge.owner.uuid == session.reviewer.uuid
        assert badge.owner.name == "Ana Lima"
    assert project.annotation_tags == [species("Leiothlypis peregrina")]


def test_builders_share_clips(session: ReviewSession) -> None:
    run = build_model_run(session)
    project = build_annotation_project(session, name="My review")
    assert project.name == "My review" and len(project) == 3
    run_clips = {str(cp.clip.uuid) for cp in run.clip_predictions}
    assert [e.clip for e in project.entries()] == [
        str(session.get(i).clip.uuid) for i in (0, 2)
    ]
    assert {e.clip for e in project.entries()} <= run_clips
    assert len(run.clip_predictions) == 3


def test_dataset_and_evaluation_set_share_the_uuids(
    session: ReviewSession, tmp_path: Path
) -> None:
    result = export_aoef(session, tmp_path / "review.json")
    dataset = io.load(result.dataset_path, type="dataset")
    evaluation = io.load(result.evaluation_set_path, type="evaluation_set")
    project = io.load(result.project_path, type="annotation_project")
    run = io.load(result.model_run_path, type="model_run")
    assert dataset.name == "dawn chorus.wav"
    assert [r.uuid for r in dataset.recordings] == [session.recording.uuid]
    assert Path(dataset.recordings[0].path) == Path(session.recording.path)
    # Every window of the run is a clip of the evaluation set (soundevent
    # keeps only the clips annotations refer to: read them from the file); its
    # clip annotations are the project's, by uuid, without tags or notes.
    raw = json.loads(result.evaluation_set_path.read_text())["data"]
    assert sorted(c["uuid"] for c in raw["clips"]) == sorted(
        str(c.clip.uuid) for c in run.clip_predictions
    )
    assert {ca.uuid for ca in evaluation.clip_annotations} == {
        ca.uuid for ca in project.clip_annotations
    }
    assert all(not ca.tags and not ca.notes for ca in evaluation.clip_annotations)
    assert {t.value for t in evaluation.evaluation_tags} == {
        "Leiothlypis peregrina",
        "Turdus migratorius",
    }


def test_export_relative_to_audio_dir(session: ReviewSession, tmp_path: Path) -> None:
    audio_dir = tmp_path / "audio"
    result = export_aoef(session, tmp_path / "rel", audio_dir=audio_dir)
    assert result.project_path == tmp_path / "rel.json"
    for written in (result.project_path, result.dataset_path, result.evaluation_set_path):
        raw = json.loads(written.read_text())
        assert [r["path"] for r in raw["data"]["recordings"]] == ["dawn chorus.wav"]
    dataset = io.load(result.dataset_path, audio_dir=audio_dir)
    assert Path(dataset.recordings[0].path).is_file()
    project = io.load(result.project_path, audio_dir=audio_dir)
    assert Path(project.clip_annotations[0].clip.recording.path).is_file()
    with pytest.raises(ValueError, match="not inside"):
        export_aoef(session, tmp_path / "x.json", audio_dir=tmp_path / "elsewhere")


def test_reexport_overwrites_and_reflects_undo(
    session: ReviewSession, tmp_path: Path
) -> None:
    out = tmp_path / "review.json"
    export_aoef(session, out)
    edit = session.set_status([3], Status.ACCEPTED)
    export_aoef(session, out)
    assert len(io.load(out).clip_annotations) == 3
    session.revert(edit)
    export_aoef(session, out)
    assert len(io.load(out).clip_annotations) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".json") == [
        "review.dataset.json",
        "review.evaluation_set.json",
        "review.json",
        "review.model_run.json",
    ]


def test_empty_review_exports_an_empty_project(
    session: ReviewSession, tmp_path: Path
) -> None:
    session.set_status([0, 1, 2], Status.UNREVIEWED)
    result = export_aoef(session, tmp_path / "empty.json")
    project = io.load(result.project_path)
    assert project.clip_annotations == [] and project.tasks == []
    assert len(io.load(result.model_run_path).clip_predictions) == 3


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "notes.json"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second")
    assert target.read_text() == "second"
    assert os.listdir(target.parent) == ["notes.json"]


def test_atomic_temp_path_is_beside_target_with_same_suffix(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    with atomic_write_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".json" and tmp != target
        assert tmp.exists() and not target.exists()
        tmp.write_text("{}")
        assert not target.exists()
    assert target.read_text() == "{}" and not tmp.exists()


def test_failing_write_keeps_old_file(tmp_path: Path) -> None:
    target = tmp_path / "review.json"
    target.write_text("old content")
    with pytest.raises(RuntimeError, match="disk on fire"):
        with atomic_write_path(target) as tmp:
            tmp.write_text("half a proj")
            raise RuntimeError("disk on fire")
    assert target.read_text() == "old content"
    assert os.listdir(tmp_path) == ["review.json"]


def test_failing_export_keeps_old_files(session: ReviewSession, tmp_path: Path) -> None:
    out = tmp_path / "review.json"
    export_aoef(session, out)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    session.set_status([3], Status.REJECTED)
    # soundevent fails half-way through serialising: a tag value that is not a string.
    session.clip_predictions[0].tags[0].tag.value = None  # type: ignore[assignment]
    with pytest.raises(ValidationError):
        export_aoef(session, out)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert after == before  # old files intact, no temp files left


def test_failing_replace_keeps_old_project(
    session: ReviewSession, tmp_path: Path
) -> None:
    out = tmp_path / "review.json"
    out.write_text("previous export")
    model_run_path_for(out).mkdir()  # the model run cannot replace a folder
    with pytest.raises(OSError):
        export_aoef(session, out)
    assert out.read_text() == "previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "audio",
        "review.json",
        "review.model_run.json",
    ]
