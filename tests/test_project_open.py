"""Review projects: folders and file lists, sources, reviewer identity, reopening, resuming."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.formats.aoef import model_run_from_predictions, save_aoef
from audioclass_gui.project import (
    STATE_DIR,
    ReviewProject,
    load_reviewer,
    make_reviewer,
)
from audioclass_gui.review import DetectionFilter, Status, Verdict
from audioclass_gui.review.journal import JournalLockedError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SCORES = {"Turdus merula": (0.9, 0.2, 0.6, 0.4), "Parus major": (0.3, 0.8, 0.1, 0.7)}


def write_audio(path: Path, seconds: float = 12.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(int(seconds * 8000), dtype=np.float32), 8000)
    return path


def score_predictions(recordings: list[data.Recording]) -> list[data.ClipPrediction]:
    """Four 3-s windows per recording, each scoring every species of SCORES."""
    predictions = []
    for rec in recordings:
        for i in range(4):
            clip = data.Clip(recording=rec, start_time=3.0 * i, end_time=3.0 * i + 3)
            predictions.append(
                data.ClipPrediction(
                    clip=clip,
                    tags=[
                        data.PredictedTag(
                            tag=data.Tag(term=terms.scientific_name, value=sp),
                            score=s[i],
                        )
                        for sp, s in SCORES.items()
                    ],
                )
            )
    return predictions


def write_model_run(path: Path, audio: list[Path], name: str = "BirdNET") -> Path:
    """What `audioclass-gui predict --aoef` writes: one ModelRun over the recordings."""
    predictions = score_predictions([to_recording(read_info(f)) for f in audio])
    save_aoef(
        model_run_from_predictions(
            predictions, name=name, provenance={"version": "2.4"}
        ),
        path,
    )
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "deployment"
    audio = [
        write_audio(root / "site1" / "20240501_053000.wav"),
        write_audio(root / "site2" / "b.wav"),
    ]
    write_model_run(root / "runs" / "birdnet.model_run.json", audio)
    return root


@pytest.fixture
def settings(tmp_path: Path) -> Path:
    return tmp_path / "settings"


def test_folder_project_finds_recordings_and_runs(folder: Path, settings: Path) -> None:
    with ReviewProject.open(folder, settings_dir=settings) as project:
        assert project.problems == []
        assert project.journal_path == folder / STATE_DIR / "project.jsonl"
        rows = project.recordings()
        assert [r.path.relative_to(folder).as_posix() for r in rows] == [
            "site1/20240501_053000.wav",
            "site2/b.wav",
        ]
        assert (
            rows[0].start is not None
            and rows[0].start.hour == 5
            and rows[1].start is None
        )
        assert [r.duration for r in rows] == [pytest.approx(12.0)] * 2
        assert [r.detections for r in rows] == [8, 8] and rows[0].progress == 0.0
        (source,) = project.sources()
        assert (source.kind, source.model_name, source.detections) == (
            "model_run",
            "BirdNET",
            16,
        )
        assert project.needs_reviewer  # nobody known yet: the GUI asks once
        high = project.recordings(DetectionFilter(min_score=0.5))
        assert [r.detections for r in high] == [4, 4]


def test_reviewer_is_asked_once_and_stamped(folder: Path, settings: Path) -> None:
    with ReviewProject.open(folder, settings_dir=settings) as project:
        user = project.set_reviewer("Ana  Lima", "ana@example.org")
        assert user.name == "Ana Lima" and project.reviewer == user
        det = project.session.next_unreviewed()
        project.session.set_status([det], Status.ACCEPTED)
        assert project.session.stamp(det).reviewer == user
    assert load_reviewer(settings) == user
    assert (
        make_reviewer("ana lima", "ANA@example.org").uuid == user.uuid
    )  # stable identity
    with pytest.raises(ValueError):
        make_reviewer("  ")
    with pytest.raises(ValueError, match="email"):
        make_reviewer("Bo", "not-an-address")
    # Another project on this computer knows the reviewer already.
    other = folder.parent / "other"
    write_audio(other / "x.wav")
    with ReviewProject.open(other, settings_dir=settings) as project:
        assert not project.needs_reviewer and project.reviewer == user


def test_every_kind_of_edit_survives_reopening(folder: Path, settings: Path) -> None:
    project = ReviewProject.open(folder, settings_dir=settings)
    project.set_reviewer("Ana")
    s = project.session
    order = s.query().tolist()
    s.set_status(order[:3], Status.ACCEPTED)
    s.set_status([order[3]], Status.REJECTED)
    s.relabel([order[4]], "Turdus philomelos", status=Status.UNCERTAIN)
    s.set_note([order[5]], "two birds?")
    undone = s.set_status([order[6]], Status.ACCEPTED)
    s.revert(undone)  # an undo is durable too
    rec = s.recordings[1].path
    box = s.add_box(rec, 1.0, 2.0, 2500, 6000, "Sylvia atricapilla").box_id
    s.move_box(box, 1.2, 2.4)
    gone = s.add_box(rec, 5, 6).box_id
    s.delete_box(gone)
    project.select(order[5])
    before = {s.path_key(i): s.verdict(i) for i in order}
    stamps = {s.path_key(i): s.stamp(i) for i in order[:6]}
    project.close()
    with pytest.raises(ValueError, match="closed"):
        s.set_status([order[7]], Status.ACCEPTED)

    again = ReviewProject.open(folder, settings_dir=settings)
    t = again.session
    assert {t.path_key(i): t.verdict(i) for i in t.query().tolist()} == before
    for i in t.query().tolist()[:6]:
        assert t.stamp(i) == stamps[t.path_key(i)]
    (kept,) = t.boxes()
    assert (kept.id, kept.start, kept.end, kept.low_freq, kept.scientific_name) == (
        box,
        1.2,
        2.4,
        2500.0,
        "Sylvia atricapilla",
    )
    assert t.path_key(again.resume()) == s.path_key(
        order[5]
    )  # where the reviewer left off
    assert again.reviewer.name == "Ana"
    again.close()


def test_resume_without_a_selection_is_the_first_unreviewed(
    folder: Path, settings: Path
) -> None:
    with ReviewProject.open(folder, settings_dir=settings) as project:
        first = project.session.query().tolist()[0]
        project.session.set_status([first], Status.ACCEPTED)
        assert project.resume() == project.session.query().tolist()[1]


def test_a_project_is_locked_while_open(folder: Path, settings: Path) -> None:
    with ReviewProject.open(folder, settings_dir=settings):
        with pytest.raises(JournalLockedError):
            ReviewProject.open(folder, settings_dir=settings)
        look = ReviewProject.open(folder, settings_dir=settings, read_only=True)
        assert len(look.session) == 16
        with pytest.raises(PermissionError):
            look.session.set_status([0], Status.ACCEPTED)
        assert look.session.status(0) is Status.UNREVIEWED


def test_file_list_project_and_moving_the_folder(
    tmp_path: Path, settings: Path
) -> None:
    audio = [
        write_audio(tmp_path / "field" / "a.wav"),
        write_audio(tmp_path / "field" / "b.wav"),
    ]
    project_file = tmp_path / "field" / "my review.jsonl"
    project = ReviewProject.create(project_file, [audio[1]], settings_dir=settings)
    assert [r.path.name for r in project.recordings()] == ["b.wav"]
    info = project.attach(write_model_run(tmp_path / "field" / "run.json", audio))
    # The run also covers a.wav, which the resolver finds on disk and adds.
    assert info.detections == 16 and len(project.session.recordings) == 2
    project.session.set_status([project.session.query()[0]], Status.REJECTED)
    project.close()
    moved = tmp_path / "moved"
    (tmp_path / "field").rename(moved)
    reopened = ReviewProject.open(moved / "my review.jsonl", settings_dir=settings)
    assert reopened.problems == []
    assert reopened.session.counts()[Status.REJECTED] == 1
    assert all(Path(r.path).is_relative_to(moved) for r in reopened.session.recordings)
    reopened.close()


def test_missing_predictions_file_keeps_its_verdicts(
    folder: Path, settings: Path
) -> None:
    with ReviewProject.open(folder, settings_dir=settings) as project:
        first = project.session.query()[0]
        project.session.relabel([first], "Turdus iliacus")
        key = project.session.path_key(first)
    run = folder / "runs" / "birdnet.model_run.json"
    hidden = run.rename(run.with_suffix(".bak"))
    # The project's store kept the predictions: the review goes on without the file.
    with ReviewProject.open(folder, settings_dir=settings) as project:
        assert len(project.session) == 16
        assert any("not found" in p and "store" in p for p in project.problems)
        (det,) = project.session.ids_for(key)
        assert project.session.verdict(det).label == "Turdus iliacus"
        store = project._store_dir()
    # Without the store too, the verdict waits for its detection.
    shutil.rmtree(store)
    with ReviewProject.open(folder, settings_dir=settings) as project:
        assert len(project.session) == 0
        assert any("not found" in p for p in project.problems)
        assert project.session.pending_verdicts()[key][0] == Verdict(
            Status.ACCEPTED, "Turdus iliacus"
        )
    hidden.rename(run)
    with ReviewProject.open(folder, settings_dir=settings) as project:
        (det,) = project.session.ids_for(key)
        assert project.session.verdict(det).label == "Turdus iliacus"


def test_compaction_keeps_the_live_state(folder: Path, settings: Path) -> None:
    project = ReviewProject.open(folder, settings_dir=settings)
    project.set_reviewer("Ana")
    s = project.session
    ids = s.query().tolist()
    for _ in range(30):  # churn: many records, little live state
        s.revert(s.set_status(ids, Status.ACCEPTED))
    s.set_status(ids[:2], Status.REJECTED)
    s.add_box(s.recordings[0].path, 1, 2, 100, 900, "X y")
    project.set_settings(threshold=0.35)
    project.select(ids[1])
    size = project.journal_path.stat().st_size
    project.compact()
    assert project.journal_path.stat().st_size < size / 5
    s.set_status([ids[2]], Status.UNCERTAIN)  # the journal still takes appends
    want = {s.path_key(i): s.verdict(i) for i in ids}
    project.close()
    with ReviewProject.open(folder, settings_dir=settings) as again:
        t = again.session
        assert {t.path_key(i): t.verdict(i) for i in t.query().tolist()} == want
        assert len(t.boxes()) == 1 and again.settings == {"threshold": 0.35}
        assert t.path_key(again.resume()) == s.path_key(ids[1])
    lines = [
        json.loads(x)
        for x in (folder / STATE_DIR / "project.jsonl").read_text().splitlines()
    ]
    assert lines[0]["t"] == "journal"


def test_app_run_is_saved_into_the_project(folder: Path, settings: Path) -> None:
    extra = write_audio(folder / "site3" / "c.wav")
    with ReviewProject.open(folder, settings_dir=settings) as project:
        rec = next(r for r in project.session.recordings if Path(r.path) == extra)
        clip = data.Clip(recording=rec, start_time=0, end_time=3)
        prediction = data.ClipPrediction(
            clip=clip,
            tags=[
                data.PredictedTag(
                    tag=data.Tag(term=terms.scientific_name, value="Strix aluco"),
                    score=0.77,
                )
            ],
        )
        path = project.save_run(
            [prediction], name="Energy detector", provenance={"band": [1, 2]}, add=True
        )
        assert path.is_relative_to(folder / STATE_DIR / "runs")
        assert len(project.session) == 17
    with ReviewProject.open(folder, settings_dir=settings) as project:
        assert len(project.session) == 17
        assert {s.model_name for s in project.sources()} == {
            "BirdNET",
            "Energy detector",
        }


def test_verification_queue_is_kept_with_the_project(
    folder: Path, settings: Path
) -> None:
    from audioclass_gui.review.sampling import sample_precision, stratified_sample

    with ReviewProject.open(folder, settings_dir=settings) as project:
        s = project.session
        queue = stratified_sample(
            s, 3, 2, filter=DetectionFilter(min_score=0.15), seed=4
        )
        project.save_queue(queue)
        s.set_status([queue.ids[0]], Status.ACCEPTED)
        keys = [s.path_key(i) for i in queue.ids]
        strata = [
            (st.scientific_name, st.low, st.population, [s.path_key(i) for i in st.ids])
            for st in queue.strata
        ]
    with ReviewProject.open(folder, settings_dir=settings) as project:
        s = project.session
        again = project.queue()
        assert [s.path_key(i) for i in again.ids] == keys
        assert [
            (st.scientific_name, st.low, st.population, [s.path_key(i) for i in st.ids])
            for st in again.strata
        ] == strata
        assert again.next_unreviewed(s) == again.ids[1]
        assert {r.scientific_name: r.judged for r in sample_precision(s, again)}[
            s.get(again.ids[0]).scientific_name
        ] == 1


def test_a_verdict_changed_after_its_file_came_back_survives_compaction(
    folder: Path, settings: Path
) -> None:
    run = folder / "runs" / "birdnet.model_run.json"
    with ReviewProject.open(folder, settings_dir=settings) as project:
        first = project.session.query()[0]
        key = project.session.path_key(first)
        project.session.set_status([first], Status.REJECTED)
    run.rename(run.with_suffix(".bak"))
    ReviewProject.open(folder, settings_dir=settings).close()  # verdict waits, pending
    run.with_suffix(".bak").rename(run)
    with ReviewProject.open(folder, settings_dir=settings) as project:
        (det,) = project.session.ids_for(key)
        assert project.session.pending_verdicts() == {}
        project.session.set_status([det], Status.ACCEPTED)
        project.compact()
    with ReviewProject.open(folder, settings_dir=settings) as project:
        (det,) = project.session.ids_for(key)
        assert project.session.status(det) is Status.ACCEPTED


def test_birdnet_model_runs_get_birdnets_common_names(folder: Path, settings: Path, tmp_path: Path) -> None:
    """A BirdNET ModelRun carries scientific names only; the project names them as BirdNET does."""
    project = ReviewProject.open(folder, settings_dir=settings)
    try:
        assert project.session.common_name("Turdus merula") == "Eurasian Blackbird"
        assert project.session.common_name("Parus major") == "Great Tit"
    finally:
        project.close()

    # Another model's run is not given BirdNET's names.
    other = tmp_path / "other"
    write_model_run(other / "run.model_run.json", [write_audio(other / "x.wav")], name="Perch")
    project = ReviewProject.open(other, settings_dir=settings)
    try:
        assert not project.session.common_name("Turdus merula")
    finally:
        project.close()


def test_an_emptied_or_unreadable_journal_is_said_and_keeps_the_runs(
    folder: Path, settings: Path
) -> None:
    with ReviewProject.open(folder, settings_dir=settings) as project:
        project.session.set_status(project.session.query()[:2].tolist(), Status.ACCEPTED)
        journal = project.journal_path
    for content, words in (
        (b"", "is empty"),
        (b"\x00\x01 not json \xff\n", "unreadable record"),
    ):
        journal.write_bytes(content)
        with ReviewProject.open(folder, settings_dir=settings) as project:
            assert any(str(journal) in p and words in p for p in project.problems), (
                project.problems
            )
            assert len(project.session) == 16  # the model run is still attached
            assert project.session.counts()[Status.ACCEPTED] == 0
