"""Precision per species from verdicts, thresholds for a target precision, verification sampling."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.formats import read_thresholds_csv, write_thresholds_csv
from audioclass_gui.review import DetectionFilter, ReviewSession, Status
from audioclass_gui.review.precision import (
    precision_curve,
    species_thresholds,
    threshold_for_precision,
)
from audioclass_gui.review.sampling import (
    sample_precision,
    stratified_sample,
    wilson_interval,
)
from tests.sessions import make_session


@pytest.fixture
def judged(tmp_path: Path) -> ReviewSession:
    scores = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
    s = make_session(
        tmp_path, [("Turdus merula", v) for v in scores] + [("Parus major", 0.9)]
    )
    s.set_status([0, 1, 3, 4], Status.ACCEPTED)
    s.set_status([2, 6], Status.REJECTED)
    s.relabel([5], "Turdus philomelos")  # the prediction was wrong: a false positive
    s.set_status([7], Status.UNCERTAIN)  # counts as neither
    s.set_status([9], Status.REJECTED)
    return s


def test_precision_curve(judged: ReviewSession) -> None:
    curve = precision_curve(judged, "Turdus merula")
    assert curve.thresholds.tolist() == [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5]
    assert curve.true_positives.tolist() == [1, 2, 2, 3, 4, 4, 4]
    assert curve.reviewed.tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert curve.precision.tolist() == pytest.approx(
        [1, 1, 2 / 3, 0.75, 0.8, 4 / 6, 4 / 7]
    )
    assert curve.at(0.75) == (pytest.approx(0.75), 4)
    assert math.isnan(curve.at(0.99)[0])
    assert curve.rows()[0] == (0.95, 1.0, 1, 1)
    assert len(precision_curve(judged, "Nobody")) == 0


def test_lowest_threshold_reaching_a_precision(judged: ReviewSession) -> None:
    curve = precision_curve(judged, "Turdus merula")
    assert threshold_for_precision(curve) == 0.9  # default target 0.9
    assert threshold_for_precision(curve, 0.75) == 0.7
    assert threshold_for_precision(curve, 0.5) == 0.5
    assert threshold_for_precision(curve, 0.9, min_reviewed=3) is None
    assert threshold_for_precision(precision_curve(judged, "Parus major"), 0.5) is None


def test_ties_enter_together(tmp_path: Path) -> None:
    s = make_session(tmp_path, [("A a", 0.8), ("A a", 0.8), ("A a", 0.9)])
    s.set_status([0, 2], Status.ACCEPTED)
    s.set_status([1], Status.REJECTED)
    curve = precision_curve(s, "A a")
    assert curve.thresholds.tolist() == [0.9, 0.8]
    assert curve.precision.tolist() == pytest.approx([1.0, 2 / 3])


def test_thresholds_csv_round_trip_and_apply(
    judged: ReviewSession, tmp_path: Path
) -> None:
    rows = species_thresholds(judged, 0.75)
    by_name = {r.scientific_name: r for r in rows}
    tm = by_name["Turdus merula"]
    assert (
        tm.threshold,
        tm.precision,
        tm.reviewed,
        tm.true_positives,
        tm.false_positives,
        tm.kept,
    ) == (0.7, pytest.approx(0.8), 7, 4, 3, 5)
    assert by_name["Parus major"].threshold is None and math.isnan(
        by_name["Parus major"].precision
    )
    path = write_thresholds_csv(tmp_path / "t.csv", rows)
    text = path.read_text().splitlines()
    assert (
        text[0]
        == "scientific_name,common_name,threshold,precision,target_precision,reviewed,true_positives,false_positives,kept"
    )
    assert text[1].startswith("Parus major,,,,0.75,1,0,1,0")
    thresholds = read_thresholds_csv(path)
    assert thresholds == {"Turdus merula": 0.7}
    # Applying them back: T. merula from 0.7, the rest from the default 0.0.
    visible = judged.query(DetectionFilter(thresholds=thresholds)).tolist()
    assert visible == [0, 1, 2, 3, 4, 9]
    (tmp_path / "hand.csv").write_text("species,threshold\nParus major,0.95\nBad,x\n")
    with pytest.raises(ValueError, match="line 3"):
        read_thresholds_csv(tmp_path / "hand.csv")
    (tmp_path / "none.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="scientific_name"):
        read_thresholds_csv(tmp_path / "none.csv")


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(8, 10)
    assert (low, high) == (
        pytest.approx(0.4902, abs=1e-4),
        pytest.approx(0.9433, abs=1e-4),
    )
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0
    assert all(math.isnan(v) for v in wilson_interval(0, 0))
    assert wilson_interval(8, 10, 0.99)[0] < low


@pytest.fixture
def population(tmp_path: Path) -> ReviewSession:
    rng = np.random.default_rng(11)
    rows = [("Turdus merula", float(v)) for v in rng.uniform(0.1, 1.0, 400)]
    rows += [("Parus major", float(v)) for v in rng.beta(5, 2, 300)]
    rows += [("Rara avis", 0.95), ("Rara avis", 0.15)]
    return make_session(tmp_path, rows)


def test_stratified_sample_spreads_over_score_bins(population: ReviewSession) -> None:
    f = DetectionFilter(min_score=0.2)
    queue = stratified_sample(population, 20, 4, filter=f, seed=5)
    assert queue.edges == pytest.approx((0.2, 0.4, 0.6, 0.8, 1.0))
    assert queue == stratified_sample(
        population, 20, 4, filter=f, seed=5
    )  # reproducible
    assert queue.ids != stratified_sample(population, 20, 4, filter=f, seed=6).ids
    per = {}
    for stratum in queue.strata:
        per.setdefault(stratum.scientific_name, []).append(stratum)
        for det_id in stratum.ids:
            score = population.get(det_id).score
            assert stratum.low <= score <= stratum.high and score >= 0.2
    assert sorted(per) == ["Parus major", "Rara avis", "Turdus merula"]
    assert [len(s.ids) for s in per["Turdus merula"]] == [5, 5, 5, 5]
    assert sum(len(s.ids) for s in per["Parus major"]) == 20
    assert [(s.population, len(s.ids)) for s in per["Rara avis"]] == [
        (1, 1)
    ]  # 0.15 is below the filter
    tm_pop = sum(s.population for s in per["Turdus merula"])
    assert tm_pop == int(
        (
            (population.columns().score >= 0.2) & (population.columns().species == 0)
        ).sum()
    )
    assert len(queue) == len(set(queue.ids)) == 41
    # Within a species the queue is in random order; species come one after the other.
    names = [population.get(i).scientific_name for i in queue.ids]
    assert names == sorted(
        names, key=["Parus major", "Rara avis", "Turdus merula"].index
    )


def test_small_bins_give_their_share_to_others(population: ReviewSession) -> None:
    queue = stratified_sample(
        population, 30, [0.0, 0.5, 0.97, 1.0], species=["Parus major"], seed=1
    )
    sizes = {(s.low, s.high): (s.population, len(s.ids)) for s in queue.strata}
    top = sizes[(0.97, 1.0)]
    assert top[1] == top[0]  # the small top bin is taken whole
    assert sum(n for _p, n in sizes.values()) == 30


def test_sample_precision_covers_the_truth(population: ReviewSession) -> None:
    f = DetectionFilter(min_score=0.2)
    queue = stratified_sample(
        population, 60, 4, filter=f, seed=3, species=["Turdus merula"]
    )
    # A reviewer who accepts exactly the calls scoring above 0.55.
    for det_id in queue.ids:
        good = population.get(det_id).score > 0.55
        population.set_status([det_id], Status.ACCEPTED if good else Status.REJECTED)
    (result,) = sample_precision(population, queue)
    scores = population.columns().score[
        population.query(f.replace(species={"Turdus merula"})) - 0
    ]
    truth = float((scores > 0.55).mean())
    assert result.judged == result.sampled == 60
    assert result.low <= truth <= result.high
    assert result.low <= result.precision <= result.high
    assert result.raw_precision == pytest.approx(result.true_positives / 60)
    assert result.raw_low <= result.raw_precision <= result.raw_high
    assert abs(result.precision - truth) < abs(result.raw_precision - truth) + 0.05
    # Before any verdict there is no estimate.
    fresh = stratified_sample(population, 5, 2, species=["Parus major"], seed=2)
    (none,) = sample_precision(population, fresh)
    assert none.judged == 0 and math.isnan(none.precision)
    assert fresh.next_unreviewed(population) == fresh.ids[0]
    population.set_status([fresh.ids[0]], Status.ACCEPTED)
    assert fresh.next_unreviewed(population) == fresh.ids[1]
    assert fresh.next_unreviewed(population, fresh.ids[-1]) == fresh.ids[1]
