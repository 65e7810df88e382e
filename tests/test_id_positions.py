"""IdPositions: a list's detection ids found by table or by binary search, alike."""

from __future__ import annotations

import numpy as np
import pytest

from audioclass_gui.review.id_positions import IdPositions


def _answers(ids: np.ndarray, wanted: np.ndarray) -> list[int]:
    first: dict[int, int] = {}
    for position, i in enumerate(ids.tolist()):
        first.setdefault(i, position)
    return [first.get(i, -1) for i in wanted.tolist()]


@pytest.mark.parametrize(
    ("ids", "dense"),
    [
        (np.arange(1000, 2000)[::-1], True),  # a recording's detections, any order
        (np.array([5, 3, 5, 9, 3]), True),  # repeats: the first position
        (np.random.default_rng(1).choice(20_000_000, 3_000, replace=False), False),
        (np.array([0, 19_999_999, 7, 7]), False),
    ],
)
def test_positions_by_table_or_search(ids: np.ndarray, dense: bool) -> None:
    positions = IdPositions(ids)
    assert positions.dense is dense
    wanted = np.concatenate([ids, [-1, ids.min() - 1, ids.max() + 1, 123_456_789]])
    assert positions.find(wanted).tolist() == _answers(ids, wanted)
    for i, want in zip(wanted.tolist(), _answers(ids, wanted), strict=True):
        assert positions.position(i) == (None if want < 0 else want)


def test_a_few_ids_over_millions_take_no_table() -> None:
    ids = np.random.default_rng(2).choice(20_000_000, 500, replace=False)
    positions = IdPositions(ids)
    assert not positions.dense
    assert positions._sorted.nbytes + positions._order.nbytes == 2 * 8 * 500


def test_empty() -> None:
    positions = IdPositions(np.empty(0, np.int64))
    assert positions.find([1, 2]).tolist() == [-1, -1] and positions.position(0) is None
