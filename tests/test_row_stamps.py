"""RowStamps: stamps by row in arrays, as a dictionary of (reviewer, at) would keep them."""

from __future__ import annotations

import math

import numpy as np

from audioclass_gui.review.row_stamps import RowStamps


def _as_dict(stamps: RowStamps) -> dict[int, tuple[int, float]]:
    rows, by, at = stamps.arrays()
    return dict(zip(rows.tolist(), zip(by.tolist(), at.tolist(), strict=True), strict=True))


def test_set_get_and_overwrite() -> None:
    stamps = RowStamps()
    assert not stamps and len(stamps) == 0 and stamps.get(5) is None
    stamps.set(5, 2, 100.5)
    stamps.set(3, 0, math.nan)
    stamps.set(5, 1, 200.25)  # a later verdict on the same row
    assert len(stamps) == 2 and 5 in stamps and 4 not in stamps
    assert stamps.get(5) == (1, 200.25)
    by, at = stamps.get(3)
    assert by == 0 and math.isnan(at)


def test_arrays_are_by_ascending_row_and_copies() -> None:
    stamps = RowStamps()
    for row in (40, 7, 19, 2):
        stamps.set(row, row % 3, float(row))
    rows, by, at = stamps.arrays()
    assert rows.tolist() == [2, 7, 19, 40]
    assert by.tolist() == [2, 1, 1, 1] and at.tolist() == [2.0, 7.0, 19.0, 40.0]
    rows[0] = 99
    assert stamps.rows().tolist() == [2, 7, 19, 40]


def test_pop_moves_the_last_stamp_into_the_slot() -> None:
    stamps = RowStamps()
    for row in range(5):
        stamps.set(row, row, row * 10.0)
    stamps.pop(1)
    stamps.pop(1)  # not there any more: nothing happens
    stamps.pop(4)  # the last slot
    assert _as_dict(stamps) == {0: (0, 0.0), 2: (2, 20.0), 3: (3, 30.0)}
    stamps.set(1, 7, 70.0)
    assert stamps.get(1) == (7, 70.0) and len(stamps) == 4


def test_matches_a_dictionary_through_growth_and_random_edits() -> None:
    rng = np.random.default_rng(3)
    stamps, model = RowStamps(), {}
    for step in range(20_000):
        row = int(rng.integers(0, 5_000))
        if rng.random() < 0.2:
            stamps.pop(row)
            model.pop(row, None)
        else:
            stamps.set(row, int(rng.integers(-1, 4)), float(step))
            model[row] = (stamps.get(row)[0], float(step))
    assert _as_dict(stamps) == model
    assert stamps.rows().tolist() == sorted(model)
