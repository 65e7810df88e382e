"""The streamed annotation project reads back as the object-built one did; memory stays flat.

The builder as it was (a soundevent object per verdict) is kept in
``tests/aoef_project_reference.py``. Every test here builds a session, writes
its project both ways and compares what ``soundevent.io.load`` gives back,
field by field. Uuids of notes, clip annotations and tasks are new in each
export (and now derived from the project's), so clips are compared by uuid
(they are the model runs' clips) and the rest by content.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from soundevent import data, io, terms

from audioclass_gui.formats import aoef_project_stream
from audioclass_gui.formats.aoef import build_annotation_project, save_aoef
from audioclass_gui.review import ReviewSession, Status, Verdict
from tests.aoef_project_reference import ref_annotation_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ANA = data.User(username="ana", name="Ana Lima")
BO = data.User(username="bo")


def _tag(name: str, term: data.Term = terms.scientific_name) -> data.Tag:
    return data.Tag(term=term, value=name)


def _recording(path: Path, seconds: float) -> data.Recording:
    return data.Recording(path=path, duration=seconds, channels=1, samplerate=16000)


def _predict(session, rec, start, scores, run="", term=terms.scientific_name, clip=None):
    clip = clip or data.Clip(recording=rec, start_time=start, end_time=start + 3.0)
    session.add_predictions(
        [
            data.ClipPrediction(
                clip=clip,
                tags=[data.PredictedTag(tag=_tag(n, term), score=v) for n, v in scores.items()],
            )
        ],
        run=run,
    )


def _clip_key(clip: data.Clip, boxes: bool) -> tuple:
    """A clip by uuid; the whole-recording clip of boxes (new each export) by its place."""
    where = (str(clip.recording.path), clip.recording.uuid, clip.start_time, clip.end_time)
    return where if boxes else (clip.uuid, *where)


def _when(value: dt.datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()


def _user(user: data.User | None) -> tuple | None:
    return None if user is None else (user.uuid, user.username, user.name, user.email)


def normalized(project: data.AnnotationProject) -> dict:
    """What a loaded project says, with fresh uuids and "now" times left out."""
    tasks = {}
    for task in project.tasks:
        badges = [(b.state, _user(b.owner), _when(b.created_on)) for b in task.status_badges]
        tasks[_clip_key(task.clip, not badges and task.clip.start_time == 0.0 and
                        task.clip.end_time >= task.clip.recording.duration)] = badges
    annotations = []
    for ca in project.clip_annotations:
        boxes = bool(ca.sound_events)
        key = _clip_key(ca.clip, boxes)
        reviewed = bool(tasks.get(key))
        annotations.append(
            (
                key,
                [(t.term.name, t.value) for t in ca.tags],
                [(n.message, _user(n.created_by), n.is_issue, _when(n.created_on)) for n in ca.notes],
                [
                    (
                        se.uuid,
                        se.sound_event.geometry.type,
                        list(se.sound_event.geometry.coordinates),
                        se.sound_event.recording.uuid,
                        [(t.term.name, t.value) for t in se.tags],
                        [(n.message, _user(n.created_by)) for n in se.notes],
                        _user(se.created_by),
                        _when(se.created_on),
                    )
                    for se in ca.sound_events
                ],
                _when(ca.created_on) if reviewed else None,  # else: when exported
            )
        )
    return {
        "name": project.name,
        "description": project.description,
        "instructions": project.instructions,
        "tags": [(t.term.name, t.value) for t in project.annotation_tags],
        "annotations": annotations,
        "tasks": tasks,
    }


def assert_same_as_reference(session: ReviewSession, tmp_path: Path) -> dict:
    ours, theirs = tmp_path / "ours.json", tmp_path / "theirs.json"
    build_annotation_project(session).write(ours)
    save_aoef(ref_annotation_project(session), theirs)
    a, b = normalized(io.load(ours)), normalized(io.load(theirs))
    assert a == b
    return a


@pytest.fixture
def mixed(tmp_path: Path) -> ReviewSession:
    """Object runs, another term, two clips on one frame, every kind of verdict, boxes."""
    a, b = _recording(tmp_path / "north" / "a.wav", 12.0), _recording(tmp_path / "b.wav", 9.0)
    s = ReviewSession(reviewer=ANA, common_name=lambda t: {"Parus major": "Great Tit"}.get(t.value))
    s.set_common_names({"Turdus merula": "Eurasian Blackbird", "Turdus philomelos": "Song Thrush"})
    s.set_run("r1", name="BirdNET", provenance={"version": "2.4"})
    s.set_run("r2", name="Other", provenance={})
    _predict(s, a, 0.0, {"Turdus merula": 0.91, "Parus major": 0.33}, "r1")  # 0, 1
    _predict(s, a, 3.0, {"Turdus merula": 0.42}, "r1")  # 2
    _predict(s, b, 0.0, {"Parus major": 0.77}, "r1")  # 3
    _predict(s, b, 3.0, {"Turdus merula": 0.58}, "r1")  # 4
    # Another run on the same frame with its own clip (another uuid): another clip annotation.
    _predict(s, a, 0.0, {"Sylvia atricapilla": 0.5}, "r2")  # 5
    _predict(s, b, 6.0, {"Blackbird": 0.66}, "r2", term=terms.common_name)  # 6
    s.set_status([0], Status.ACCEPTED)
    s.set_status([1], Status.REJECTED)
    s.relabel([4], "Turdus philomelos")
    s.set_note([4], 'sings from the hedge, "loud"\nand clear')
    s.set_status([5], Status.ACCEPTED)
    s.reviewer = BO
    s.set_status([3], Status.UNCERTAIN)
    s.set_status([0], Status.ACCEPTED)  # no change: Ana's stamp stays
    s.set_note([2], "check again")  # a note on an unreviewed detection
    s.relabel([6], "Turdus merula", status=Status.UNCERTAIN)
    s.set_status([6], Status.ACCEPTED)  # accepted with another term: its tag keeps it
    s.add_box(b.path, 1.0, 2.5, 3000, 7000, "Sylvia atricapilla")
    s.add_box(a.path, 8.0, 9.0, scientific_name="Strix aluco")
    s.add_box(a.path, 10.0, 14.0)  # past the end, no species
    return s


def test_object_runs_read_back_as_before(mixed: ReviewSession, tmp_path: Path) -> None:
    got = assert_same_as_reference(mixed, tmp_path)
    assert len(got["annotations"]) == 7 and len(got["tasks"]) == 7
    by_tags = {tuple(a[1]): a for a in got["annotations"]}
    tags = {t for a in got["annotations"] for t in a[1]}
    assert (terms.common_name.name, "Turdus merula") in tags
    relabelled = by_tags[((terms.scientific_name.name, "Turdus philomelos"),)]
    assert relabelled[2][1][0].startswith("Note on Turdus merula, score 0.58: sings")


def test_stored_runs_read_back_as_before(tmp_path: Path) -> None:
    """Rows added as columns (a project's store): frame clips, several runs, many verdicts."""
    recs = [_recording(tmp_path / f"r{i}.wav", 600.0) for i in range(3)]
    s = ReviewSession(reviewer=ANA)
    for rec in recs:
        s.add_recording(rec)
    names = [f"Genus species{i}" for i in range(40)]
    spc = s.species_ids(names)
    rng = np.random.default_rng(3)
    for run, hop in (("a", 3.0), ("b", 1.5)):
        s.set_run(run, name="BirdNET", provenance={"version": "2.4", "overlap": 3.0 - hop})
        windows = int(600 / hop) - 1
        rec = np.repeat(np.arange(3), windows * 2).astype(np.int32)
        start = np.tile(np.repeat(np.arange(windows) * hop, 2), 3)
        s.add_columns(
            run, rec, start, start + 3.0,
            spc[rng.integers(0, 40, len(rec))], rng.random(len(rec)),
        )
    ids = s.query().tolist()
    pick = rng.choice(len(ids), 600, replace=False)
    for k, i in enumerate(pick.tolist()):
        if k % 5 == 0:
            s.reviewer = (ANA, BO)[k % 2]
        if k % 7 == 0:
            s.relabel([ids[i]], names[k % 40])
        elif k % 11 == 0:
            s.set_note([ids[i]], f"note {k}")
        else:
            s.set_status([ids[i]], (Status.ACCEPTED, Status.REJECTED, Status.UNCERTAIN)[k % 3])
    got = assert_same_as_reference(s, tmp_path)
    assert len(got["annotations"]) > 400


def test_unstamped_and_restored_verdicts(tmp_path: Path) -> None:
    rec = _recording(tmp_path / "r.wav", 30.0)
    s = ReviewSession(reviewer=ANA)
    for k in range(5):
        _predict(s, rec, 3.0 * k, {"Turdus merula": 0.5 + k / 10, "Parus major": 0.2})
    # As a store reads them back: one with its reviewer and time, one without.
    s.restore(
        [
            (s.path_key(0), Verdict(Status.ACCEPTED), BO, 1_700_000_000.123),
            (s.path_key(3), Verdict(Status.REJECTED, note="odd"), None, None),
        ]
    )
    assert_same_as_reference(s, tmp_path)


def test_empty_review(tmp_path: Path) -> None:
    s = ReviewSession(reviewer=ANA)
    _predict(s, _recording(tmp_path / "r.wav", 9.0), 0.0, {"Turdus merula": 0.5})
    got = assert_same_as_reference(s, tmp_path)
    assert got["annotations"] == [] and got["tasks"] == {}


def test_writing_holds_a_chunk_not_the_review(tmp_path: Path, monkeypatch) -> None:
    """60,000 verdicts written in chunks of 500 frames: memory far below the file's size."""
    monkeypatch.setattr(aoef_project_stream, "_FRAMES", 500)
    rec = _recording(tmp_path / "r.wav", 200_000.0)
    s = ReviewSession(reviewer=ANA)
    s.add_recording(rec)
    spc = s.species_ids(["A a", "B b", "C c"])
    n = 60_000
    start = np.repeat(np.arange(n // 3) * 3.0, 3)
    s.set_run("run", name="m")
    ids = s.add_columns(
        "run", np.zeros(n, np.int32), start, start + 3.0,
        np.tile(spc, n // 3), np.tile([0.9, 0.5, 0.1], n // 3),
    )
    s.set_status(list(ids)[0::2], Status.ACCEPTED)
    s.set_status(list(ids)[1::2], Status.REJECTED)
    project = build_annotation_project(s)
    tracemalloc.start()
    project.write(tmp_path / "big.json")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The file takes ~300 bytes per verdict, an object per verdict far more;
    # the writer holds a chunk's values and a few numbers per verdict (the
    # clips' order), no more.
    size = (tmp_path / "big.json").stat().st_size
    assert size > 250 * n and peak < 40 * n, (peak, size)
    loaded = io.load(tmp_path / "big.json")
    assert len(loaded.clip_annotations) == len(loaded.tasks) == n // 3
    assert sum(len(ca.notes) for ca in loaded.clip_annotations) == n // 2
