"""Verdicts beyond a status (relabel, note), boxes, bulk edits, and a multi-recording session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.review import (
    Box,
    BoxEdit,
    CompoundEdit,
    ReviewSession,
    Status,
    Verdict,
    VerdictEdit,
)


def species(name: str) -> data.Tag:
    return data.Tag(term=terms.scientific_name, value=name)


def recording(tmp_path: Path, name: str, seconds: float = 12.0) -> data.Recording:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(int(seconds * 8000), dtype=np.float32), 8000)
    return data.Recording.from_file(path, compute_hash=False)


def frame(
    rec: data.Recording, start: float, scores: dict[str, float]
) -> data.ClipPrediction:
    clip = data.Clip(recording=rec, start_time=start, end_time=start + 3.0)
    return data.ClipPrediction(
        clip=clip,
        tags=[data.PredictedTag(tag=species(n), score=s) for n, s in scores.items()],
    )


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, *args) -> None:
        self.calls.append(args)


@pytest.fixture
def two(tmp_path: Path) -> tuple[ReviewSession, data.Recording, data.Recording]:
    a, b = recording(tmp_path, "a.wav"), recording(tmp_path, "sub/b.wav")
    s = ReviewSession(reviewer=data.User(username="ana"))
    s.set_common_names({"Turdus merula": "Eurasian Blackbird"})
    s.add_predictions(
        [
            frame(a, 0, {"Turdus merula": 0.9, "Parus major": 0.2}),
            frame(a, 3, {"Turdus merula": 0.4}),
        ]
    )
    s.add_predictions(
        [frame(b, 0, {"Parus major": 0.7}), frame(b, 6, {"Turdus merula": 0.6})]
    )
    # ids: 0 T.m. a@0 .9, 1 P.m. a@0 .2, 2 T.m. a@3 .4, 3 P.m. b@0 .7, 4 T.m. b@6 .6
    return s, a, b


def test_multi_recording_session_orders_by_recording_then_time(two) -> None:
    s, a, b = two
    assert s.recording is None and len(s.recordings) == 2
    assert [d.id for d in s.detections()] == [0, 1, 2, 3, 4]
    assert [Path(d.recording.path).name for d in s.detections()] == ["a.wav"] * 3 + [
        "b.wav"
    ] * 2
    assert s.get(0).common_name == "Eurasian Blackbird"
    # A different Recording object for the same file maps onto the known one.
    again = data.Recording.from_file(b.path, compute_hash=False)
    (added,) = s.add_predictions([frame(again, 9, {"Parus major": 0.3})])
    assert added.clip_prediction.clip.recording is b
    assert len(s.recordings) == 2


def test_relabel_keeps_the_prediction_and_is_undoable(two) -> None:
    s, *_ = two
    rec = Recorder()
    s.status_changed.connect(rec)
    edit = s.relabel([3], "Cyanistes caeruleus")
    assert isinstance(edit, VerdictEdit)
    assert edit.description == "Relabel 1 detection as Cyanistes caeruleus"
    assert s.verdict(3) == Verdict(Status.ACCEPTED, "Cyanistes caeruleus", "")
    assert s.get(3).scientific_name == "Parus major"  # the prediction stays
    assert s.effective_name(3) == "Cyanistes caeruleus"
    assert rec.calls == [([3],)]
    # A status change keeps the relabel ("probably a blue tit").
    unsure = s.set_status([3], Status.UNCERTAIN)
    assert s.verdict(3) == Verdict(Status.UNCERTAIN, "Cyanistes caeruleus")
    s.revert(s.relabel([3], None))  # remove, then undo the removal
    assert s.verdict(3).label == "Cyanistes caeruleus"
    s.revert(unsure)  # undo in stack order
    assert s.verdict(3) == Verdict(Status.ACCEPTED, "Cyanistes caeruleus")
    s.revert(edit)
    assert s.verdict(3) == Verdict()
    # Relabelling to the predicted species is just an accept.
    s.relabel([0], "Turdus merula")
    assert s.verdict(0) == Verdict(Status.ACCEPTED)


def test_notes_and_stamps(two) -> None:
    s, *_ = two
    assert s.stamp(1) is None
    edit = s.set_note([1, 2], "wind noise")
    assert edit.description == "Note on 2 detections"
    assert s.verdict(1).note == "wind noise" and s.status(1) is Status.UNREVIEWED
    stamp = s.stamp(1)
    assert (
        stamp is not None
        and stamp.reviewer.username == "ana"
        and stamp.at.tzinfo is not None
    )
    assert [d.id for d in s.judged()] == [1, 2] and s.reviewed() == []
    s.reviewer = data.User(username="bo")
    s.set_status([1], Status.REJECTED)
    assert (
        s.stamp(1).reviewer.username == "bo" and s.stamp(2).reviewer.username == "ana"
    )
    assert {u.username for u in s.users} == {"ana", "bo"}
    s.revert(edit)
    assert s.verdict(2) == Verdict() and s.verdict(1) == Verdict(Status.REJECTED)


def test_boxes_draw_move_retag_delete_undo(two) -> None:
    s, a, _ = two
    rec = Recorder()
    s.boxes_changed.connect(rec)
    draw = s.add_box(a.path, 1.0, 2.5, 2000, 5000, "Sylvia atricapilla")
    assert isinstance(draw, BoxEdit) and draw.description == "Draw box"
    box_id = draw.box_id
    assert s.box(box_id) == Box(
        box_id, Path(a.path), 1.0, 2.5, 2000.0, 5000.0, "Sylvia atricapilla"
    )
    assert s.box_stamp(box_id).reviewer.username == "ana"
    move = s.move_box(box_id, 1.5, 3.0)  # frequencies kept
    assert (s.box(box_id).start, s.box(box_id).low_freq) == (1.5, 2000.0)
    resize = s.move_box(box_id, 1.5, 3.0, 1000, 6000)
    retag = s.retag_box(box_id, "Sylvia borin")
    interval = s.add_box(a.path, 7, 8)
    assert (
        s.box(interval.box_id).is_interval and interval.description == "Mark interval"
    )
    delete = s.delete_box(box_id)
    assert s.box(box_id) is None and s.boxes() == [s.box(interval.box_id)]
    assert [c[0] for c in rec.calls] == [[box_id]] * 4 + [[interval.box_id], [box_id]]
    for edit in (delete, retag, resize, move):
        s.revert(edit)
    assert s.box(box_id) == draw.after  # back where it was drawn, same id
    s.revert(draw)
    assert s.box(box_id) is None
    s.apply(draw)
    assert s.box(box_id) == draw.after
    with pytest.raises(ValueError, match="start < end"):
        s.add_box(a.path, 3, 2)
    with pytest.raises(ValueError, match="not a recording"):
        s.add_box("/elsewhere.wav", 1, 2)
    with pytest.raises(KeyError):
        s.delete_box("nope")


def test_bulk_reject_below_score_only_touches_unreviewed(two) -> None:
    s, _a, b = two
    s.set_status([2], Status.ACCEPTED)  # T.m. 0.4, already judged
    edit = s.reject_below("Turdus merula", 0.65)
    assert edit.ids == (4,)  # 0.6; 0.9 is above, 0.4 is already accepted
    assert s.status(4) is Status.REJECTED and s.status(2) is Status.ACCEPTED
    s.revert(edit)
    all_below = s.reject_below("Turdus merula", 0.65, only_unreviewed=False)
    assert set(all_below.ids) == {2, 4} and s.status(2) is Status.REJECTED
    s.revert(all_below)
    assert s.status(2) is Status.ACCEPTED
    only_b = s.reject_below("Turdus merula", 1.0, recordings=[b.path])
    assert only_b.ids == (4,)
    assert s.reject_below("Unknown bird", 1.0).ids == ()


def test_compound_edit_undoes_as_one(two) -> None:
    s, a, _ = two
    parts = [
        s.set_status([0, 1], Status.ACCEPTED),
        s.set_note([0], "song"),
        s.add_box(a.path, 4, 5, 100, 200, "X y"),
    ]
    noop = s.set_status([0], Status.ACCEPTED)
    compound = CompoundEdit.of([*parts, noop], "Accept and annotate")
    assert len(compound.edits) == 3 and compound.description == "Accept and annotate"
    s.revert(compound)
    assert s.verdict(0) == Verdict() and s.boxes() == []
    s.apply(compound)
    assert (
        s.verdict(0) == Verdict(Status.ACCEPTED, None, "song") and len(s.boxes()) == 1
    )


def test_runs_sharing_a_frame_share_the_verdict(tmp_path: Path) -> None:
    rec = recording(tmp_path, "r.wav")
    s = ReviewSession()
    s.set_run("birdnet", name="BirdNET")
    s.set_run("other", name="Other model")
    first = s.add_predictions([frame(rec, 0, {"A a": 0.8})], run="birdnet")
    s.set_status([first[0].id], Status.REJECTED)
    second = s.add_predictions([frame(rec, 0, {"A a": 0.5})], run="other")
    assert (
        s.status(second[0].id) is Status.REJECTED
    )  # the same question about the audio
    changed = s.set_status([second[0].id], Status.ACCEPTED)
    assert s.status(first[0].id) is Status.ACCEPTED and changed.ids == (second[0].id,)
    # The same model's output read twice (a run and its export) is not duplicated.
    s.set_run("export", name="BirdNET")
    assert s.add_predictions([frame(rec, 0, {"A a": 0.8})], run="export") == []
    assert len(s) == 2
    assert [(k, name, len(p)) for k, name, _prov, p in s.runs()] == [
        ("birdnet", "BirdNET", 1),
        ("other", "Other model", 1),
    ]


class FailingRecorder:
    def __init__(self) -> None:
        self.fail = False
        self.seen: list = []

    def verdicts_written(self, session, ids) -> None:
        if self.fail:
            raise OSError("disk full")
        self.seen.append(list(ids))

    def box_written(self, session, box_id, box) -> None:
        if self.fail:
            raise OSError("disk full")
        self.seen.append(box_id)


def test_a_failing_recorder_takes_the_change_back(two) -> None:
    s, a, _ = two
    recorder = FailingRecorder()
    s.recorder = recorder
    changed = Recorder()
    s.status_changed.connect(changed)
    s.set_status([0], Status.ACCEPTED)
    assert recorder.seen == [[0]]
    recorder.fail = True
    with pytest.raises(OSError, match="disk full"):
        s.set_status([0, 1], Status.REJECTED)
    assert s.status(0) is Status.ACCEPTED and s.status(1) is Status.UNREVIEWED
    assert changed.calls == [([0],)]  # the failed edit was never announced
    with pytest.raises(OSError):
        s.add_box(a.path, 1, 2)
    assert s.boxes() == []


def test_relabel_picker_offers_the_windows_other_species_first(two) -> None:
    from audioclass_gui.review.species import relabel_candidates, search_species

    s, *_ = two
    assert relabel_candidates(s, 1) == ["Turdus merula"]  # the other tag of frame a@0
    assert relabel_candidates(s, 2) == []
    names = {
        "Turdus merula": "Eurasian Blackbird",
        "Turdus philomelos": "Song Thrush",
        "Parus major": "Great Tit",
        "Sylvia borin": "Garden Warbler",
        "Cyanistes caeruleus": "Eurasian Blue Tit",
    }
    assert [n for n, _ in search_species(names, "tit")] == [
        "Cyanistes caeruleus",
        "Parus major",
    ]
    assert [n for n, _ in search_species(names, "TURD")] == [
        "Turdus merula",
        "Turdus philomelos",
    ]
    assert search_species(names, "song thr") == [("Turdus philomelos", "Song Thrush")]
    # Typed letters inside a word match after word starts.
    assert [n for n, _ in search_species(names, "ush")] == ["Turdus philomelos"]
    first = search_species(names, "", first=["Parus major"], limit=2)
    assert first == [
        ("Parus major", "Great Tit"),
        ("Cyanistes caeruleus", "Eurasian Blue Tit"),
    ]
    assert (
        search_species(names, "eurasian", first=["Turdus merula"])[0][0]
        == "Turdus merula"
    )
    assert search_species(names, "zebra") == []
