"""Tests for audioclass_gui.review: detections, statuses, edits, signals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.review import Detection, Edit, ReviewSession, Status, StatusEdit

COMMON = {
    "Leiothlypis peregrina": "Tennessee Warbler",
    "Turdus migratorius": "American Robin",
}


@pytest.fixture
def recording(tmp_path: Path) -> data.Recording:
    """A 12 s, 8 kHz noise recording."""
    path = tmp_path / "site_a.wav"
    rng = np.random.default_rng(0)
    sf.write(path, (0.1 * rng.standard_normal(12 * 8000)).astype(np.float32), 8000)
    return data.Recording.from_file(path, compute_hash=False)


def species(name: str) -> data.Tag:
    return data.Tag(term=terms.scientific_name, value=name)


def frame(
    recording: data.Recording,
    start: float,
    scores: dict[str, float],
    length: float = 3.0,
) -> data.ClipPrediction:
    clip = data.Clip(recording=recording, start_time=start, end_time=start + length)
    return data.ClipPrediction(
        clip=clip,
        tags=[data.PredictedTag(tag=species(n), score=s) for n, s in scores.items()],
    )


def common_name(tag: data.Tag) -> str | None:
    return COMMON.get(tag.value)


@pytest.fixture
def session(recording: data.Recording) -> ReviewSession:
    s = ReviewSession(
        recording, common_name=common_name, reviewer=data.User(username="ana")
    )
    s.add_predictions(
        [
            frame(
                recording,
                0.0,
                {"Leiothlypis peregrina": 0.82, "Turdus migratorius": 0.3},
            ),
            frame(recording, 3.0, {"Turdus migratorius": 0.5}),
            frame(recording, 6.0, {}),
            frame(
                recording,
                9.0,
                {"Leiothlypis peregrina": 0.1, "Poecile atricapillus": 0.9},
            ),
        ]
    )
    return s


class Recorder:
    """Collects psygnal emissions."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, *args) -> None:
        self.calls.append(args)


def test_detections_are_made_per_predicted_tag(session: ReviewSession) -> None:
    dets = session.detections()
    assert len(session) == 5 == len(dets)
    assert len(session.clip_predictions) == 4  # the empty frame is kept too
    first = session.get(0)
    assert first.scientific_name == "Leiothlypis peregrina"
    assert first.common_name == "Tennessee Warbler"
    assert first.label == "Tennessee Warbler (Leiothlypis peregrina)"
    assert first.score == pytest.approx(0.82)
    assert (first.start, first.end) == (0.0, 3.0)
    assert first.tag == species("Leiothlypis peregrina")
    assert first.clip_prediction is session.clip_predictions[0]
    assert first.key == (0.0, 3.0, "Leiothlypis peregrina")
    unknown = session.get(4)
    assert unknown.scientific_name == "Poecile atricapillus"
    assert unknown.common_name == ""
    assert unknown.label == "Poecile atricapillus"
    assert [d.id for d in sorted(dets, key=lambda d: d.id)] == [0, 1, 2, 3, 4]
    assert all(session.status(d.id) is Status.UNREVIEWED for d in dets)


def test_order_is_start_then_descending_score_then_id(session: ReviewSession) -> None:
    order = [(d.start, d.score) for d in session.detections()]
    assert order == [(0.0, 0.82), (0.0, 0.3), (3.0, 0.5), (9.0, 0.9), (9.0, 0.1)]


def test_order_with_out_of_order_batches_and_ties(recording: data.Recording) -> None:
    s = ReviewSession(recording)
    s.add_predictions([frame(recording, 6.0, {"A a": 0.5})])
    s.add_predictions([frame(recording, 0.0, {"B b": 0.5, "C c": 0.7})])
    s.add_predictions([frame(recording, 6.0, {"D d": 0.5})])  # same start, same score
    assert [(d.start, d.scientific_name) for d in s.detections()] == [
        (0.0, "C c"),
        (0.0, "B b"),
        (6.0, "A a"),
        (6.0, "D d"),  # tie on (start, score): lower id first
    ]


def test_visible_uses_inclusive_threshold(session: ReviewSession) -> None:
    assert [d.score for d in session.visible(0.5)] == [0.82, 0.5, 0.9]
    assert [d.score for d in session.visible(0.0)] == [
        d.score for d in session.detections()
    ]
    assert session.visible(0.95) == []
    assert [d.id for d in session.visible(0.82)] == [0, 4]


def test_detections_added_signal(recording: data.Recording) -> None:
    s = ReviewSession(recording)
    rec = Recorder()
    s.detections_added.connect(rec)
    added = s.add_predictions([frame(recording, 0.0, {"A a": 0.4, "B b": 0.6})])
    assert len(rec.calls) == 1
    (payload,) = rec.calls[0]
    assert payload == added
    assert all(isinstance(d, Detection) for d in payload)
    s.add_predictions([frame(recording, 3.0, {})])  # nothing new: no emission
    assert len(rec.calls) == 1


def test_set_status_emits_changed_ids_once(session: ReviewSession) -> None:
    rec = Recorder()
    session.status_changed.connect(rec)
    edit = session.set_status([0, 2], Status.ACCEPTED)
    assert isinstance(edit, StatusEdit) and isinstance(edit, Edit)
    assert edit.ids == (0, 2)
    assert edit.before == (Status.UNREVIEWED, Status.UNREVIEWED)
    assert edit.description == "Accept 2 detections"
    assert rec.calls == [([0, 2],)]
    assert session.status(0) is Status.ACCEPTED and session.status(2) is Status.ACCEPTED

    # Only the ids that really change are announced; duplicates are ignored.
    edit2 = session.set_status([2, 3, 3], Status.ACCEPTED)
    assert edit2.ids == (2, 3)
    assert rec.calls[-1] == ([3],)
    assert not edit2.is_noop

    noop = session.set_status([0], Status.ACCEPTED)
    assert noop.is_noop
    assert len(rec.calls) == 2  # nothing changed, nothing emitted


def test_set_status_unknown_id_changes_nothing(session: ReviewSession) -> None:
    with pytest.raises(KeyError):
        session.set_status([0, 99], Status.REJECTED)
    assert session.status(0) is Status.UNREVIEWED
    with pytest.raises(KeyError):
        session.get(-1)


def test_undo_redo_via_revert_apply(session: ReviewSession) -> None:
    rec = Recorder()
    session.status_changed.connect(rec)
    e1 = session.set_status([0, 1], Status.REJECTED)
    e2 = session.set_status([1, 2], Status.UNCERTAIN)
    assert e2.description == "Mark 2 detections uncertain"
    assert [session.status(i) for i in range(3)] == [
        Status.REJECTED,
        Status.UNCERTAIN,
        Status.UNCERTAIN,
    ]
    session.revert(e2)
    assert [session.status(i) for i in range(3)] == [
        Status.REJECTED,
        Status.REJECTED,
        Status.UNREVIEWED,
    ]
    assert rec.calls[-1] == ([1, 2],)
    session.revert(e1)
    assert all(session.status(i) is Status.UNREVIEWED for i in range(5))
    session.apply(e1)
    session.apply(e2)
    assert [session.status(i) for i in range(3)] == [
        Status.REJECTED,
        Status.UNCERTAIN,
        Status.UNCERTAIN,
    ]
    assert len(rec.calls) == 6


def test_bulk_edit_on_visible_and_counts(session: ReviewSession) -> None:
    visible = [d.id for d in session.visible(0.5)]
    edit = session.set_status(visible, Status.ACCEPTED)
    assert edit.description == "Accept 3 detections"
    assert session.counts() == {
        Status.UNREVIEWED: 2,
        Status.ACCEPTED: 3,
        Status.REJECTED: 0,
        Status.UNCERTAIN: 0,
    }
    session.set_status([1], Status.REJECTED)
    assert session.counts(threshold=0.3) == {
        Status.UNREVIEWED: 0,
        Status.ACCEPTED: 3,
        Status.REJECTED: 1,
        Status.UNCERTAIN: 0,
    }
    assert [d.id for d in session.reviewed()] == [0, 1, 2, 4]
    session.revert(edit)
    assert session.counts()[Status.ACCEPTED] == 0
    assert [d.id for d in session.reviewed()] == [1]


def test_verdicts_survive_clear_and_rerun(recording: data.Recording) -> None:
    s = ReviewSession(recording)
    first = [
        frame(recording, 0.0, {"A a": 0.8, "B b": 0.4}),
        frame(recording, 3.0, {"A a": 0.6}),
    ]
    s.add_predictions(first)
    s.set_status([0], Status.ACCEPTED)
    s.set_status([1], Status.REJECTED)
    s.set_status([2], Status.UNCERTAIN)
    s.set_status([2], Status.UNREVIEWED)  # taken back: not remembered
    old_edit = s.set_status([0], Status.UNCERTAIN)
    s.revert(old_edit)

    cleared = Recorder()
    s.cleared.connect(cleared)
    s.clear()
    assert cleared.calls == [()]
    assert len(s) == 0 and s.detections() == [] and s.clip_predictions == []
    assert s.counts() == dict.fromkeys(Status, 0)

    # Re-run with other scores, one more species, clip times given in a
    # slightly different float representation.
    added = s.add_predictions(
        [
            frame(recording, 0.0001, {"B b": 0.45, "A a": 0.7, "C c": 0.9}),
            frame(recording, 3.0, {"A a": 0.65}),
        ]
    )
    assert [d.id for d in added] == [3, 4, 5, 6]  # ids are never reused
    by_name = {(d.start > 1, d.scientific_name): d for d in added}
    assert s.status(by_name[(False, "A a")].id) is Status.ACCEPTED
    assert s.status(by_name[(False, "B b")].id) is Status.REJECTED
    assert s.status(by_name[(False, "C c")].id) is Status.UNREVIEWED
    assert s.status(by_name[(True, "A a")].id) is Status.UNREVIEWED

    # Stale edits from before the clear touch nothing.
    s.revert(old_edit)
    s.apply(old_edit)
    assert s.counts()[Status.UNCERTAIN] == 0
    with pytest.raises(KeyError):
        s.status(0)

    # A verdict for a key absent from a run is kept for a later run.
    s.set_status([by_name[(False, "B b")].id], Status.UNREVIEWED)
    s.clear()
    s.add_predictions([frame(recording, 3.0, {"A a": 0.5})])
    s.clear()
    again = s.add_predictions([frame(recording, 0.0, {"A a": 0.5, "B b": 0.5})])
    assert [s.status(d.id) for d in again] == [Status.ACCEPTED, Status.UNREVIEWED]


def test_predictions_of_another_recording_are_refused(
    session: ReviewSession, tmp_path: Path
) -> None:
    other_path = tmp_path / "other.wav"
    sf.write(other_path, np.zeros(8000, dtype=np.float32), 8000)
    other = data.Recording.from_file(other_path, compute_hash=False)
    with pytest.raises(ValueError, match="does not belong"):
        session.add_predictions([frame(other, 0.0, {"A a": 0.9})])
    assert len(session) == 5


def test_relative_recording_path_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sf.write(tmp_path / "rel.wav", np.zeros(8000, dtype=np.float32), 8000)
    monkeypatch.chdir(tmp_path)
    rec = data.Recording.from_file("rel.wav", compute_hash=False)
    s = ReviewSession(rec)
    assert Path(s.recording.path) == tmp_path / "rel.wav"
    assert s.reviewer.username  # some non-empty default reviewer


def test_large_session_visible_is_correct(recording: data.Recording) -> None:
    rng = np.random.default_rng(42)
    n_frames, per_frame = 10_000, 5
    names = [f"Genus species{i}" for i in range(per_frame)]
    scores = rng.random((n_frames, per_frame)).round(4)
    predictions = []
    for f in range(n_frames):
        clip = data.Clip(
            recording=recording, start_time=f * 1.5, end_time=f * 1.5 + 3.0
        )
        tags = [
            data.PredictedTag(tag=species(names[k]), score=float(scores[f, k]))
            for k in range(per_frame)
        ]
        predictions.append(data.ClipPrediction(clip=clip, tags=tags))
    s = ReviewSession(recording)
    # Stream in batches, like the inference worker does.
    for i in range(0, n_frames, 1_000):
        s.add_predictions(predictions[i : i + 1_000])
    assert len(s) == 50_000

    for threshold in (0.0, 0.25, 0.5, 0.9999, 1.0):
        got = s.visible(threshold)
        expected = sorted(
            (d for d in s.detections() if d.score >= threshold),
            key=lambda d: (d.start, -d.score, d.id),
        )
        assert [d.id for d in got] == [d.id for d in expected]
        assert len(got) == int((scores >= threshold).sum())

    half = [d.id for d in s.visible(0.5)]
    s.set_status(half, Status.ACCEPTED)
    assert s.counts(0.5)[Status.ACCEPTED] == len(half)
    assert s.counts()[Status.UNREVIEWED] == 50_000 - len(half)
