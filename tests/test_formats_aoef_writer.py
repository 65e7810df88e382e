"""The fast AOEF writer: soundevent reads back exactly what soundevent's own saver writes."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, io, terms

from audioclass_gui.formats.aoef import build_model_runs, save_aoef
from audioclass_gui.formats.aoef_writer import Unsupported, encode, encode_json
from audioclass_gui.review import ReviewSession, Status
from tests.aoef_project_reference import ref_annotation_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def soundevent_save(obj, path: Path, audio_dir: Path | None = None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        io.save(obj, path, audio_dir=audio_dir)


def same_after_loading(obj, tmp_path: Path, audio_dir: Path | None = None) -> None:
    ours, theirs = tmp_path / "ours.json", tmp_path / "theirs.json"
    ours.write_text(encode_json(obj, audio_dir))
    soundevent_save(obj, theirs, audio_dir)
    a = io.load(ours, audio_dir=audio_dir)
    b = io.load(theirs, audio_dir=audio_dir)
    assert type(a) is type(b)
    assert a.model_dump() == b.model_dump()


@pytest.fixture
def session(tmp_path: Path) -> ReviewSession:
    audio = tmp_path / "audio"
    recordings = []
    for i, name in enumerate(("a.wav", "sub/b.flac")):
        path = audio / name
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, np.zeros(16000, dtype=np.float32), 8000)
        rec = data.Recording.from_file(path, compute_hash=i == 0)
        rec.date, rec.time = (
            dt.date(2024, 5, 1 + i),
            dt.time(5, 30, tzinfo=dt.UTC if i else None),
        )
        rec.latitude, rec.longitude = 52.1 + i, 4.3
        rec.time_expansion = 1.0 if i == 0 else 10.0
        recordings.append(rec)
    s = ReviewSession(
        reviewer=data.User(username="ana", name="Ana", email="ana@example.org")
    )
    s.set_run("r", name="BirdNET", provenance={"version": "2.4", "threshold": 0.25})
    other = data.Tag(term=terms.common_name, value="Blackbird")
    for rec in recordings:
        for k in range(3):
            clip = data.Clip(recording=rec, start_time=0.5 * k, end_time=0.5 * k + 1.0)
            s.add_predictions(
                [
                    data.ClipPrediction(
                        clip=clip,
                        tags=[
                            data.PredictedTag(
                                tag=data.Tag(
                                    term=terms.scientific_name, value="Turdus merula"
                                ),
                                score=0.9 - k / 10,
                            ),
                            data.PredictedTag(tag=other, score=0.123456789),
                        ],
                    )
                ],
                run="r",
            )
    s.set_status([0, 3], Status.ACCEPTED)
    s.set_status([1], Status.REJECTED)
    s.relabel([6], "Turdus philomelos", status=Status.UNCERTAIN)
    s.set_note([7], 'ünïcode, "quotes"\nand a new line')
    s.add_box(recordings[0].path, 0.1, 0.4, 200, 3000, "Strix aluco")
    s.add_box(recordings[1].path, 0.2, 0.3)
    return s


def test_model_runs_load_as_with_soundevent(
    session: ReviewSession, tmp_path: Path
) -> None:
    (run,) = build_model_runs(session)
    same_after_loading(run, tmp_path)
    same_after_loading(run, tmp_path, audio_dir=tmp_path / "audio")
    pset = data.PredictionSet(
        clip_predictions=run.clip_predictions, name="set", description="d"
    )
    same_after_loading(pset, tmp_path)
    same_after_loading(data.PredictionSet(), tmp_path)


def test_annotation_project_loads_as_with_soundevent(
    session: ReviewSession, tmp_path: Path
) -> None:
    project = ref_annotation_project(session)  # soundevent objects, as before streaming
    same_after_loading(project, tmp_path)
    same_after_loading(project, tmp_path, audio_dir=tmp_path / "audio")
    doc = encode(project)
    assert (
        doc["version"] == "1.1.0"
        and doc["data"]["collection_type"] == "annotation_project"
    )
    assert json.loads(encode_json(project))["data"]["uuid"] == str(project.uuid)


def test_what_it_does_not_cover_falls_back_to_soundevent(
    session: ReviewSession, tmp_path: Path
) -> None:
    (run,) = build_model_runs(session)
    run.clip_predictions[0].features = [data.Feature(term=terms.duration, value=1.0)]
    with pytest.raises(Unsupported):
        encode(run)
    save_aoef(run, tmp_path / "fallback.json")
    loaded = io.load(tmp_path / "fallback.json", type="model_run")
    assert loaded.clip_predictions[0].features[0].value == 1.0
    with pytest.raises(Unsupported):
        encode(data.Dataset(name="d"))


def test_big_run_is_fast_and_identical(tmp_path: Path) -> None:
    path = tmp_path / "r.wav"
    sf.write(path, np.zeros(8000, dtype=np.float32), 8000)
    rec = data.Recording.from_file(path, compute_hash=False)
    rng = np.random.default_rng(0)
    tags = [data.Tag(term=terms.scientific_name, value=f"G s{i}") for i in range(30)]
    run = data.ModelRun(
        name="m",
        model=data.Model(info=data.ModelInfo(name="m"), version="1"),
        clip_predictions=[
            data.ClipPrediction(
                clip=data.Clip(recording=rec, start_time=f, end_time=f + 3.0),
                tags=[
                    data.PredictedTag(tag=tags[k], score=float(rng.random()))
                    for k in rng.choice(30, 5, replace=False)
                ],
            )
            for f in range(2000)
        ],
    )
    same_after_loading(run, tmp_path)


def test_recordings_with_tags_notes_features_and_owners(tmp_path: Path) -> None:
    """Recordings another tool described (tags, notes...) are written, not sent to soundevent."""
    path = tmp_path / "r.wav"
    sf.write(path, np.zeros(8000, dtype=np.float32), 8000)
    owner = data.User(username="bo", name="Bo")
    rec = data.Recording.from_file(path, compute_hash=False)
    rec.tags = [data.Tag(term=terms.common_name, value="dawn chorus")]
    rec.features = [data.Feature(term=terms.duration, value=1.0)]
    rec.notes = [data.Note(message="wind", created_by=owner)]
    rec.owners = [owner]
    tag = data.Tag(term=terms.scientific_name, value="Turdus merula")
    run = data.ModelRun(
        name="m",
        model=data.Model(info=data.ModelInfo(name="m"), version="1"),
        clip_predictions=[
            data.ClipPrediction(
                clip=data.Clip(recording=rec, start_time=0.0, end_time=1.0),
                tags=[data.PredictedTag(tag=tag, score=0.5)],
            )
        ],
    )
    encode(run)  # no fallback needed
    same_after_loading(run, tmp_path)
