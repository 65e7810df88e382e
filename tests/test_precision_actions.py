"""Applying and saving per-species thresholds, without the precision dialog."""

from __future__ import annotations

import math
from pathlib import Path

from audioclass_gui.formats.thresholds import read_thresholds_csv
from audioclass_gui.qt.reports.precision_actions import ThresholdActions
from audioclass_gui.review.precision import SpeciesThreshold


def _row(name: str, threshold: float | None) -> SpeciesThreshold:
    precision = math.nan if threshold is None else 0.95
    return SpeciesThreshold(name, "", threshold, precision, 0.9, 10, 9, 1, 8)


def test_apply_says_what_it_applied(qtbot) -> None:
    actions = ThresholdActions()
    applied: list[tuple[dict, str]] = []
    said: list[str] = []
    actions.apply_requested.connect(lambda t, source: applied.append((t, source)))
    actions.status.connect(said.append)
    assert actions.apply({}, 0.9) == {} and applied == []
    assert said[-1] == "No species reaches 0.90: nothing to apply."
    assert actions.apply({"Parus major": 0.4}, 0.9) == {"Parus major": 0.4}
    assert applied == [({"Parus major": 0.4}, "precision ≥ 0.90")]
    assert said[-1] == "Applied 1 per-species thresholds to the list."


def test_save_writes_the_csv_or_says_why_not(qtbot, tmp_path: Path) -> None:
    actions = ThresholdActions(folder=tmp_path)
    saved: list[object] = []
    failed: list[str] = []
    said: list[str] = []
    actions.saved.connect(saved.append)
    actions.failed.connect(failed.append)
    actions.status.connect(said.append)
    rows = [_row("Parus major", 0.4), _row("Turdus merula", None)]
    path = tmp_path / "t.csv"
    actions.save(path, rows)
    assert saved == [path] and said[-1] == "Saved 2 species to t.csv."
    assert read_thresholds_csv(path) == {"Parus major": 0.4}

    inside_a_file = path / "u.csv"  # its folder is the CSV just written
    actions.save(inside_a_file, rows)
    assert saved == [path] and said[-1] == "Not saved: u.csv"
    assert failed and failed[-1].startswith(f"{inside_a_file}: the thresholds CSV was not written")
