"""Active learning: windows nearest the decision threshold, spread over recordings."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audioclass_gui.learn import uncertain_queue
from audioclass_gui.review import Status
from tests.learn_fakes import find, make_session


def test_nearest_the_threshold_round_robin_over_recordings() -> None:
    scores = np.array([0.50, 0.52, 0.55, 0.9, 0.45, 0.1, 0.49, 0.7])
    recs = np.array(["a", "a", "a", "a", "b", "b", "c", "c"])
    q = uncertain_queue(scores, recs, 0.5, 5)
    # Round 1: each recording's nearest (a 0.50, c 0.49, b 0.45); round 2: a 0.52, c 0.7.
    assert q.rows.tolist() == [0, 6, 4, 1, 7]
    np.testing.assert_allclose(q.scores, scores[q.rows])
    assert q.candidates == 8 and q.threshold == 0.5


def test_judged_windows_and_limits() -> None:
    scores = np.array([0.50, 0.52, 0.55, 0.45, np.nan])
    recs = np.array([0, 0, 0, 1, 1])
    q = uncertain_queue(scores, recs, 0.5, 10, exclude=np.array([0]))
    assert q.rows.tolist() == [1, 3, 2] and q.candidates == 3  # nan never picked
    mask = np.array([False, False, False, True, False])
    q = uncertain_queue(scores, recs, 0.5, 10, exclude=mask, per_recording=2)
    assert q.rows.tolist() == [0, 1]
    assert len(uncertain_queue(scores, recs, 0.5, 0)) == 0
    assert len(uncertain_queue(np.zeros(0), np.zeros(0), 0.5, 3)) == 0


def test_queue_becomes_a_review_queue_of_the_session(tmp_path: Path) -> None:
    a = "Turdus merula"
    s = make_session(tmp_path, (a,), recordings=2)
    paths = [str(r.path) for r in s.recordings]
    recs = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    starts = np.tile([0.0, 3.0, 6.0, 9.0], 2)
    scores = np.array([0.1, 0.45, 0.9, 0.6, 0.51, 0.2, 0.3, 0.99])
    q = uncertain_queue(scores, recs, 0.5, 3)
    keys = q.path_keys(paths, recs, starts, starts + 3, a)
    assert [(k[0] == paths[1], k[1]) for k in keys] == [(True, 0.0), (False, 3.0), (False, 9.0)]
    review = q.review_queue(s, keys)
    assert list(review.ids) == [find(s, 1, 0.0, a), find(s, 0, 3.0, a), find(s, 0, 9.0, a)]
    assert review.per_species_counts() == {a: 3}
    s.set_status([review.ids[0]], Status.ACCEPTED)
    assert review.next_unreviewed(s) == review.ids[1]
