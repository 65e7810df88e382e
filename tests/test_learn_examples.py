"""Training examples from verdicts and boxes, and their join to embeddings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from soundevent import data

from audioclass_gui.learn import collect_examples, join_embeddings, species_choices
from audioclass_gui.learn.examples import NEGATIVE, POSITIVE, UNKNOWN
from audioclass_gui.review import Status
from tests.learn_fakes import MemoryStore, find, make_session

A, B = "Turdus merula", "Parus major"


@pytest.fixture
def judged(tmp_path: Path):
    s = make_session(tmp_path, (A, B), recordings=3)
    s.reviewer = data.User(username="ana")
    s.set_status([find(s, 0, 0.0, A)], Status.ACCEPTED)
    s.set_status([find(s, 0, 3.0, A)], Status.REJECTED)
    s.set_status([find(s, 0, 6.0, B)], Status.ACCEPTED)  # an A negative
    s.set_status([find(s, 0, 9.0, A)], Status.UNCERTAIN)
    s.reviewer = data.User(username="ben")
    s.relabel([find(s, 1, 0.0, B)], A)  # B said to be A: A positive, B negative
    s.set_status([find(s, 1, 3.0, A)], Status.ACCEPTED)
    s.relabel([find(s, 1, 3.0, B)], A, status=Status.REJECTED)  # conflict on A
    s.set_status([find(s, 1, 6.0, B)], Status.ACCEPTED)  # no embedding stored
    s.set_status([find(s, 2, 0.0, A)], Status.ACCEPTED)  # recording without embeddings
    rec1 = s.recordings[1].path
    s.add_box(rec1, 8.5, 11.5, scientific_name=A)  # mostly over 9-12 s
    s.add_box(rec1, 1.0, 2.0)  # untagged: says nothing
    return s


def test_examples_follow_the_verdicts(judged) -> None:
    found = collect_examples(judged)
    assert found.verdicts == 9 and found.boxes == 1
    by_window = {(Path(e.recording).name, e.start, e.source): e for e in found.examples}
    # accepted as A: a negative of every other species
    assert by_window[("rec0.wav", 0.0, "verdict")].labels([A, B]) == {A: POSITIVE, B: NEGATIVE}
    assert by_window[("rec0.wav", 3.0, "verdict")].label(A) == NEGATIVE
    assert by_window[("rec0.wav", 6.0, "verdict")].labels([A, B]) == {A: NEGATIVE, B: POSITIVE}
    assert by_window[("rec0.wav", 9.0, "verdict")].label(A) == UNKNOWN
    assert by_window[("rec1.wav", 0.0, "verdict")].labels([A, B]) == {A: POSITIVE, B: NEGATIVE}
    assert by_window[("rec1.wav", 3.0, "verdict")].labels([A, B]) == {A: UNKNOWN, B: NEGATIVE}
    box = by_window[("rec1.wav", 8.5, "box")]
    assert box.label(A) == POSITIVE and box.end == 11.5
    assert by_window[("rec0.wav", 0.0, "verdict")].reviewers == {"ana"}
    counts = found.counts([A, B])
    assert counts[A] == {"positive": 4, "negative": 3, "uncertain": 1, "conflict": 1}
    assert found.reviewers() == {"ana": 4, "ben": 5}  # ben also drew the box


def test_pending_verdicts_count_too(judged) -> None:
    before = collect_examples(judged).counts([A])
    judged.clear()  # the run is gone; its verdicts wait for their detections
    assert len(judged) == 0 and judged.pending_verdicts()
    assert collect_examples(judged).counts([A]) == before


def test_join_finds_windows_boxes_and_counts_the_missing(judged) -> None:
    store = MemoryStore(dim=4)
    paths = [str(r.path) for r in judged.recordings]
    rng = np.random.default_rng(0)
    store.append(paths[0], [0, 3, 6, 9], [3, 6, 9, 12], rng.normal(size=(4, 4)))
    store.append(paths[1], [0, 3, 9], [3, 6, 12], rng.normal(size=(3, 4)))
    training = join_embeddings(collect_examples(judged), store, [A, B])
    got = {
        (int(g), float(store.rows()[1][r])): tuple(lab)
        for g, r, lab in zip(training.groups, training.rows, training.labels.tolist(), strict=True)
    }
    assert got == {
        (0, 0.0): (1, 0),
        (0, 3.0): (0, -1),
        (0, 6.0): (0, 1),
        (1, 0.0): (1, 0),
        (1, 3.0): (-1, 0),  # A accepted and rejected there: a conflict for A
        (1, 9.0): (1, 0),  # the box
    }
    np.testing.assert_array_equal(training.vectors, store.vectors(training.rows))
    summary = training.summary
    assert summary.missing == 2  # rec1 6-9 s, and rec2 with no embeddings at all
    assert [Path(p).name for p in summary.missing_recordings] == ["rec2.wav"]
    assert summary.species[A].positive == 3 and summary.species[A].negative == 2
    assert summary.species[A].uncertain == 1 and summary.species[A].conflict == 1
    assert summary.species[B].positive == 1 and summary.species[B].negative == 4
    text = "\n".join(summary.lines())
    assert "2 examples have no embedding" in text and "rec2.wav" in text
    assert f"{A}: 3 positive, 2 negative (60 % positive)" in text


def test_species_are_matched_by_scientific_or_common_name(judged) -> None:
    judged.set_common_names({A: "Eurasian Blackbird"})
    assert species_choices(judged, ["eurasian blackbird", "PARUS MAJOR", "Nope"]) == (
        [A, B],
        ["Nope"],
    )
