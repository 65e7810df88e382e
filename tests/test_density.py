"""Detection density without a screen: counts per bin against a plain loop, thresholds, lanes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.app.density import ALL_SPECIES, MAX_SPECIES_LANES, DetectionDensity
from audioclass_gui.review import DetectionFilter
from audioclass_gui.review.density import (
    Bins,
    DensityIndex,
    detection_columns,
    shown_species,
)
from tests.sessions import make_session


def brute_force(starts, species, edges, code=None) -> list[int]:
    """Detections per bin, one detection at a time: ``[e_i, e_i+1)``, the last bin closed."""
    counts = [0] * (len(edges) - 1)
    last = len(edges) - 2
    for t, k in zip(starts.tolist(), species.tolist(), strict=True):
        if code is not None and k != code:
            continue
        for i in range(len(edges) - 1):
            if edges[i] <= t < edges[i + 1] or (i == last and t == edges[-1]):
                counts[i] += 1
                break
    return counts


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counts_match_a_loop_over_every_detection(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    starts = rng.uniform(-50, 3700, n)  # some before and after the bins
    starts[:40] = rng.integers(0, 37, 40) * 100.0  # exactly on edges, the last one included
    species = rng.integers(0, 7, n) ** 2  # codes with gaps
    index = DensityIndex.build(starts, species)
    bins = Bins(0.0, 3600.0, 36)
    edges = bins.edges.tolist()
    assert index.counts(bins).tolist() == brute_force(starts, species, edges)
    for code in (0, 4, 36, 5):  # 5 is no species: all zero
        assert index.counts(bins, code).tolist() == brute_force(starts, species, edges, code)
    assert np.array_equal(index.counts(bins), np.histogram(starts, bins.edges)[0])
    # The lanes of species add up to the lane of all of them.
    everyone = index.lanes(bins, [int(k) for k in index.species])
    assert np.array_equal(everyone.sum(axis=0), index.counts(bins))


def test_edges_of_bins_and_unsorted_input():
    starts = np.array([10.0, 0.0, 9.999, 5.0, 10.0, 4.999999, -0.001, 10.001])
    species = np.array([1, 1, 2, 2, 1, 2, 1, 1])
    index = DensityIndex.build(starts, species)
    bins = Bins(0.0, 10.0, 2)
    assert index.counts(bins).tolist() == [2, 4]  # 0 and 4.999999 | 5, 9.999, 10 and 10
    assert index.counts(bins, 1).tolist() == [1, 2]
    assert index.counts(bins, 2).tolist() == [1, 2]
    assert bins.at(5.0) == 1 and bins.at(10.0) == 1 and bins.at(0.0) == 0 and bins.at(10.5) is None
    assert bins.span(1) == (5.0, 10.0)


def test_aligned_bins_stay_on_their_grid():
    a = Bins.aligned(12.5, 100.0, 10.0)
    b = Bins.aligned(31.0, 118.0, 10.0)
    assert (a.start, a.end, a.count) == (10.0, 100.0, 9)
    assert (b.start, b.end, b.count) == (30.0, 120.0, 9)
    shared = set(np.round(a.edges, 9)) & set(np.round(b.edges, 9))
    assert {30.0, 50.0, 100.0} <= shared


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="3 start times but 2 species"):
        DensityIndex.build(np.zeros(3), np.zeros(2, int))
    with pytest.raises(ValueError, match="species codes must be >= 0"):
        DensityIndex.build(np.zeros(2), np.array([0, -1]))
    with pytest.raises(ValueError, match="not a number"):
        DensityIndex.build(np.array([1.0, np.nan]), np.zeros(2, int))
    with pytest.raises(ValueError, match="count of at least 1"):
        Bins(0.0, 1.0, 0)
    with pytest.raises(ValueError, match="end > start"):
        Bins(2.0, 1.0, 3)


def test_species_rank_by_detections_and_a_focus_leads():
    species = np.array([3] * 5 + [1] * 9 + [8] * 5 + [2])
    index = DensityIndex.build(np.arange(len(species), dtype=float), species)
    assert index.species.tolist() == [1, 3, 8, 2]  # ties: lower code first
    assert index.top(2) == [1, 3]
    assert index.top(2, first=2) == [2, 1]
    assert index.top(2, first=99) == [1, 3]  # not shown: no lane
    assert index.count_of(8) == 5 and index.count_of() == 20 and index.count_of(99) == 0


NAMES = ["Turdus merula", "Parus major", "Erithacus rubecula"]


def _session(tmp_path: Path):
    rng = np.random.default_rng(4)
    rows = [(NAMES[int(k)], float(s)) for k, s in zip(rng.integers(0, 3, 400), rng.uniform(0.1, 1, 400), strict=True)]
    return make_session(tmp_path, rows), rows


def test_thresholds_and_the_species_filter_decide_what_is_counted(tmp_path: Path):
    s, rows = _session(tmp_path)
    cols = s.columns()
    bins = Bins(0.0, 400.0, 8)
    f = DetectionFilter(
        min_score=0.5, thresholds={"Parus major": 0.8}, species={"Parus major", "Turdus merula"}
    )
    listed = f.rows(s)
    index = DensityIndex.build(cols.start[listed], shown_species(cols, listed))
    kept = [
        i for i, (name, score) in enumerate(rows)
        if name != "Erithacus rubecula" and score >= (0.8 if name == "Parus major" else 0.5)
    ]
    starts = np.array([float(i) for i in kept])
    codes = np.array([s.species_registry.get(rows[i][0]) for i in kept])
    assert index.counts(bins).tolist() == brute_force(starts, codes, bins.edges.tolist())
    tit = s.species_registry.get("Parus major")
    assert index.counts(bins, tit).tolist() == brute_force(starts, codes, bins.edges.tolist(), tit)
    assert index.count_of(s.species_registry.get("Erithacus rubecula")) == 0
    # Raising the threshold only removes detections, bin by bin.
    higher = DetectionFilter(min_score=0.9).rows(s)
    fewer = DensityIndex.build(cols.start[higher], shown_species(cols, higher))
    assert np.all(fewer.counts(bins) <= DensityIndex.build(cols.start, cols.species).counts(bins))


def test_a_relabel_moves_a_detection_to_its_new_species(tmp_path: Path):
    s, rows = _session(tmp_path)
    first = next(i for i, (name, _) in enumerate(rows) if name == "Turdus merula")
    s.relabel([first], "Erithacus rubecula")
    cols = s.columns()
    codes = shown_species(cols, np.arange(len(rows)))
    assert codes[first] == s.species_registry.get("Erithacus rubecula")
    assert np.array_equal(np.delete(codes, first), np.delete(cols.species, first).astype(np.int64))


def test_objects_give_columns_by_name(tmp_path: Path):
    s, _rows = _session(tmp_path)
    dets = s.get_many(list(range(6)))
    starts, codes, names = detection_columns(dets)
    assert starts.tolist() == [d.start for d in dets]
    assert [names[k] for k in codes] == [d.common_name or d.scientific_name for d in dets]


class LaterTasks:
    """Runs each submitted task only when told, as a thread pool may."""

    def __init__(self) -> None:
        self.jobs: list = []

    def submit(self, fn, on_done=None, on_error=None):
        self.jobs.append((fn, on_done, on_error))

    def run_all(self) -> None:
        while self.jobs:
            fn, on_done, _ = self.jobs.pop(0)
            on_done(fn())


def test_lanes_all_then_the_focus_then_the_most_detected():
    density = DetectionDensity()
    seen: list[int] = []
    density.changed.connect(lambda: seen.append(1))
    species = np.array([0] * 10 + [1] * 7 + [2] * 5 + [3] * 3 + [4])
    names = ["a", "b", "c", "d", "e"]
    density.show(np.arange(len(species), dtype=float), species, names.__getitem__)
    assert seen and [(lane.name, lane.count) for lane in density.lanes()] == [
        (ALL_SPECIES, 26), ("a", 10), ("b", 7), ("c", 5)
    ][: MAX_SPECIES_LANES + 1]
    density.set_focus(4)
    assert [lane.name for lane in density.lanes()] == [ALL_SPECIES, "e", "a", "b"]
    assert density.counts(Bins(0.0, 26.0, 2)).tolist() == [[13, 13], [0, 1], [10, 0], [3, 4]]
    # One species shown: its lane alone (all species would say the same).
    density.show(np.arange(4, dtype=float), np.full(4, 2), names.__getitem__)
    assert [(lane.species, lane.name, lane.count) for lane in density.lanes()] == [(2, "c", 4)]
    density.clear()
    assert density.lanes() == []


def test_large_lists_are_built_later_and_only_the_latest_change():
    tasks = LaterTasks()
    density = DetectionDensity(tasks, inline_up_to=10)
    made: list[int] = []

    def codes(n: int):
        def make():
            made.append(n)
            return np.zeros(n, np.int64)
        return make

    for n in (100, 200, 300):  # a run streaming in
        density.show(np.arange(n, dtype=float), codes(n), str)
    assert density.building and len(density.index) == 0  # nothing built yet, nothing waits on it
    tasks.run_all()
    assert made == [100, 300]  # the one started, then only the latest
    assert len(density.index) == 300 and not density.building
    density.show(np.arange(5, dtype=float), np.zeros(5, np.int64), str)  # small: at once
    assert len(density.index) == 5
