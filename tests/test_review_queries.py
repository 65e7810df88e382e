"""Filters, orders, "next unreviewed" navigation and the species and recording summaries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.review import DetectionFilter, Order, ReviewSession, Status


def species(name: str) -> data.Tag:
    return data.Tag(term=terms.scientific_name, value=name)


def make_recording(tmp_path: Path, name: str) -> data.Recording:
    path = tmp_path / name
    sf.write(path, np.zeros(30 * 8000, dtype=np.float32), 8000)
    rec = data.Recording.from_file(path, compute_hash=False)
    rec.date, rec.time = dt.date(2024, 5, 1), dt.time(5, 30)
    return rec


@pytest.fixture
def session(tmp_path: Path) -> ReviewSession:
    """Two recordings, three species, known scores."""
    a, b = make_recording(tmp_path, "a.wav"), make_recording(tmp_path, "b.wav")
    table = [  # (recording, start, species, score)
        (a, 0, "Turdus merula", 0.95),
        (a, 0, "Parus major", 0.30),
        (a, 3, "Turdus merula", 0.50),
        (a, 6, "Erithacus rubecula", 0.80),
        (b, 0, "Turdus merula", 0.70),
        (b, 3, "Parus major", 0.90),
        (b, 6, "Turdus merula", 0.20),
        (b, 9, "Erithacus rubecula", 0.10),
    ]
    s = ReviewSession()
    for rec, start, name, score in table:
        clip = data.Clip(recording=rec, start_time=start, end_time=start + 3)
        s.add_predictions(
            [
                data.ClipPrediction(
                    clip=clip, tags=[data.PredictedTag(tag=species(name), score=score)]
                )
            ]
        )
    return s  # ids 0..7 in table order


def ids(
    s: ReviewSession, f: DetectionFilter | None = None, order: Order = Order.TIME
) -> list[int]:
    return s.query(f, order).tolist()


def test_orders(session: ReviewSession) -> None:
    assert ids(session) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert ids(session, order=Order.SCORE) == [0, 5, 3, 4, 2, 1, 6, 7]
    one_species = DetectionFilter(species={"Turdus merula"})
    assert ids(session, one_species, Order.SCORE) == [0, 4, 2, 6]  # across recordings
    assert [d.id for d in session.select(one_species)] == [0, 2, 4, 6]


def test_filters_combine(session: ReviewSession) -> None:
    b = session.recordings[1].path
    session.set_status([0, 4], Status.ACCEPTED)
    session.set_status([5], Status.REJECTED)
    session.relabel([3], "Luscinia megarhynchos")
    assert ids(session, DetectionFilter(min_score=0.5)) == [0, 2, 3, 4, 5]
    assert ids(session, DetectionFilter(min_score=0.3, max_score=0.8)) == [1, 2, 3, 4]
    assert ids(session, DetectionFilter(statuses={Status.UNREVIEWED})) == [1, 2, 6, 7]
    assert ids(session, DetectionFilter(recordings=[b])) == [4, 5, 6, 7]
    assert ids(session, DetectionFilter(recordings=b, species="Parus major")) == [5]
    assert ids(session, DetectionFilter(relabelled=True)) == [3]
    assert 3 not in ids(session, DetectionFilter(relabelled=False))
    combined = DetectionFilter(
        species={"Turdus merula", "Parus major"},
        statuses={Status.UNREVIEWED},
        min_score=0.25,
    )
    assert ids(session, combined) == [1, 2]
    assert DetectionFilter(species=["A"]) == DetectionFilter(
        species={"A"}
    )  # hashable, comparable
    assert ids(session, DetectionFilter(species={"Nobody"})) == []


def test_per_species_thresholds(session: ReviewSession) -> None:
    f = DetectionFilter(
        min_score=0.6, thresholds={"Turdus merula": 0.45, "Parus major": 0.95}
    )
    assert ids(session, f) == [
        0,
        2,
        3,
        4,
    ]  # T.m. >= .45, P.m. >= .95 (none), others >= .6
    assert f.thresholds == (("Parus major", 0.95), ("Turdus merula", 0.45))


def test_next_unreviewed_walks_the_list_and_wraps(session: ReviewSession) -> None:
    s = session
    assert s.next_unreviewed() == 0
    s.set_status([0, 1], Status.ACCEPTED)
    assert s.next_unreviewed(0) == 2
    assert s.next_unreviewed(5) == 6
    s.set_status([6, 7], Status.REJECTED)
    assert s.next_unreviewed(5) == 2  # wraps to the top
    assert s.next_unreviewed(5, wrap=False) is None
    f = DetectionFilter(species={"Turdus merula"})
    assert s.next_unreviewed(0, f, Order.SCORE) == 4  # score order: 0, 4, 2, 6
    assert s.next_unreviewed(4, f, Order.SCORE) == 2
    s.set_status(list(range(8)), Status.UNCERTAIN)
    assert s.next_unreviewed() is None


def test_species_summary(session: ReviewSession) -> None:
    s = session
    s.set_status([0], Status.ACCEPTED)
    s.set_status([2], Status.REJECTED)
    s.set_status([6], Status.UNCERTAIN)
    s.relabel([4], "Turdus philomelos")
    s.add_box(s.recordings[0].path, 10, 11, 1000, 3000, "Turdus merula")
    summary = {row.scientific_name: row for row in s.species_summary()}
    tm = summary["Turdus merula"]
    assert (
        tm.detections,
        tm.accepted,
        tm.rejected,
        tm.uncertain,
        tm.relabelled,
        tm.open,
    ) == (4, 1, 1, 1, 1, 0)
    assert tm.reviewed == 4 and tm.boxes == 1 and tm.max_score == pytest.approx(0.95)
    assert summary["Turdus philomelos"].relabelled_to == 1
    assert summary["Turdus philomelos"].detections == 0
    assert summary["Parus major"].open == 2
    assert [r.scientific_name for r in s.species_summary()][:3] == [
        "Turdus merula",
        "Erithacus rubecula",
        "Parus major",
    ]
    above = {
        r.scientific_name: r.detections
        for r in s.species_summary(DetectionFilter(min_score=0.5))
    }
    assert above == {
        "Turdus merula": 3,
        "Erithacus rubecula": 1,
        "Parus major": 1,
        "Turdus philomelos": 0,
    }


def test_recording_summary(session: ReviewSession) -> None:
    s = session
    s.set_status([0, 1, 4], Status.ACCEPTED)
    s.set_status([5], Status.REJECTED)
    s.add_box(s.recordings[1].path, 1, 2)
    a, b = s.recording_summary()
    assert a.path.name == "a.wav" and a.duration == pytest.approx(30.0)
    assert a.start == dt.datetime(2024, 5, 1, 5, 30)
    assert (a.detections, a.reviewed, a.accepted, a.open, a.boxes) == (4, 2, 2, 2, 0)
    assert (b.detections, b.reviewed, b.rejected, b.boxes) == (4, 2, 1, 1)
    assert a.progress == pytest.approx(0.5)
    high = s.recording_summary(DetectionFilter(min_score=0.6))
    assert [r.detections for r in high] == [2, 2]


def test_queries_are_fast_enough_to_be_exact_on_50k(tmp_path: Path) -> None:
    """A big session: the query results match a plain-Python reference."""
    rec = make_recording(tmp_path, "big.wav")
    rng = np.random.default_rng(3)
    names = [f"Genus sp{i}" for i in range(40)]
    s = ReviewSession()
    preds = []
    for f in range(10_000):
        clip = data.Clip(recording=rec, start_time=f * 3.0, end_time=f * 3.0 + 3)
        picks = rng.choice(40, size=5, replace=False)
        preds.append(
            data.ClipPrediction(
                clip=clip,
                tags=[
                    data.PredictedTag(tag=species(names[k]), score=float(rng.random()))
                    for k in picks
                ],
            )
        )
    s.add_predictions(preds)
    assert len(s) == 50_000
    s.set_status(rng.choice(50_000, 5000, replace=False).tolist(), Status.ACCEPTED)
    f = DetectionFilter(
        species=set(names[:10]),
        statuses={Status.UNREVIEWED},
        min_score=0.3,
        max_score=0.9,
    )
    dets = s.detections()
    expected = [
        d.id
        for d in sorted(
            (
                d
                for d in dets
                if d.scientific_name in f.species
                and s.status(d.id) is Status.UNREVIEWED
                and 0.3 <= d.score <= 0.9
            ),
            key=lambda d: (-d.score, d.start, d.id),
        )
    ]
    assert ids(s, f, Order.SCORE) == expected
    assert s.next_unreviewed(expected[0], f, Order.SCORE) == expected[1]
