"""Per-species thresholds without Qt: lenient CSV reading, project setting, plot data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.formats.thresholds import (
    read_thresholds_csv,
    thresholds_from_setting,
    thresholds_setting,
    write_thresholds_csv,
)
from audioclass_gui.review import DetectionFilter, ReviewSession, Status
from audioclass_gui.review.precision import (
    applicable_thresholds,
    detection_scores,
    kept_counts,
    precision_curve,
    precision_interval,
    species_thresholds,
    species_without_verdicts,
    step_points,
)
from audioclass_gui.review.precision_words import describe_species_threshold
from tests.sessions import make_session


def write(tmp_path: Path, text: str | bytes, name: str = "t.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text",
    [
        "scientific_name,threshold\nTurdus merula,0.7\nParus major,0.45\n",
        "Threshold,Common name,Scientific name\n0.7,Blackbird,Turdus merula\n0.45,Great Tit,Parus major\n",
        "SPECIES;THRESHOLD\nTurdus merula;0,7\nParus major;0,45\n",
        "species\tmin_score\nTurdus merula\t0.7\nParus major\t.45\n",
        '\ufeff"Scientific Name","Confidence threshold"\r\n"Turdus merula","0.7"\r\n"Parus major","0.45"\r\n',
        "scientific_name,threshold\nTurdus merula,0.7\n\nParus major,0.45\nSylvia atricapilla,\n",
    ],
    ids=[
        "ours",
        "spreadsheet-order",
        "semicolon-decimal-comma",
        "tabs",
        "bom-crlf-quoted",
        "blank-cells",
    ],
)
def test_lenient_reading(tmp_path: Path, text: str) -> None:
    assert read_thresholds_csv(write(tmp_path, text)) == {
        "Turdus merula": 0.7,
        "Parus major": 0.45,
    }


def test_windows_1252_text_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "scientific_name,common_name,threshold\nTurdus merula,Amsel ä,0.7\n".encode(
            "cp1252"
        ),
    )
    assert read_thresholds_csv(path) == {"Turdus merula": 0.7}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV text file"),
        ("name,score\nTurdus merula,0.5\n", "columns found are 'name', 'score'"),
        (
            "species,threshold\nParus major,0.95\nBad,x\n",
            "line 3: threshold 'x' is not a number",
        ),
        (
            "species,threshold\nParus major,1.5\n",
            "line 2: threshold 1.5 for Parus major is not a score between 0 and 1",
        ),
        ("species,threshold\nParus major,nan\n", "line 2"),
        (
            "species,threshold\nParus major,0.5\nParus major,0.6\n",
            "line 3: Parus major already has threshold 0.5 (line 2)",
        ),
        ("species,threshold\nParus major,\n", "no species has a threshold"),
    ],
)
def test_bad_files_name_the_file_and_problem(
    tmp_path: Path, content, problem: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ValueError) as err:
        read_thresholds_csv(path)
    assert str(path) in str(err.value) and problem in str(err.value)


def test_same_value_twice_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "species,threshold\nParus major,0.5\nParus major,0.5\n")
    assert read_thresholds_csv(path) == {"Parus major": 0.5}


def test_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_thresholds_csv(tmp_path / "absent.csv")


def test_project_setting_round_trip() -> None:
    value = thresholds_setting({"Turdus merula": 0.7, "Parus major": 0.45}, "t.csv")
    assert value == {
        "source": "t.csv",
        "thresholds": {"Parus major": 0.45, "Turdus merula": 0.7},
    }
    assert thresholds_from_setting(value) == (
        {"Parus major": 0.45, "Turdus merula": 0.7},
        "t.csv",
    )
    for broken in (
        None,
        [],
        {"thresholds": {}},
        {"thresholds": {"A a": "x"}},
        {"thresholds": {"A a": math.inf}},
    ):
        assert thresholds_from_setting(broken) is None


@pytest.fixture
def judged(tmp_path: Path) -> ReviewSession:
    s = make_session(
        tmp_path,
        [("Turdus merula", v) for v in (0.9, 0.8, 0.7, 0.6, 0.3)]
        + [("Parus major", 0.6), ("Parus major", 0.2), ("Sylvia atricapilla", 0.5)],
    )
    s.set_status([0, 1, 3], Status.ACCEPTED)
    s.set_status([2, 5], Status.REJECTED)
    s.set_status([7], Status.UNCERTAIN)  # counts as no verdict
    return s


def test_plot_data(judged: ReviewSession) -> None:
    curve = precision_curve(judged, "Turdus merula")
    x, y = step_points(curve.thresholds, curve.precision)
    assert x.tolist() == [0.0, 0.6, 0.7, 0.8, 0.9]
    assert y.tolist() == pytest.approx([3 / 4, 2 / 3, 1.0, 1.0])
    assert step_points(np.empty(0), np.empty(0))[0].size == 0
    scores = detection_scores(judged, "Turdus merula")
    assert scores.tolist() == [0.9, 0.8, 0.7, 0.6, 0.3]  # the unreviewed one too
    assert kept_counts(scores, [0.95, 0.9, 0.65, 0.3, 0.0]).tolist() == [0, 1, 3, 5, 5]
    assert detection_scores(judged, "Nobody").size == 0
    only_high = DetectionFilter(min_score=0.65)
    assert detection_scores(judged, "Turdus merula", only_high).tolist() == [
        0.9,
        0.8,
        0.7,
    ]
    low, high = precision_interval(curve)
    assert low.shape == high.shape == curve.precision.shape
    assert np.all(low <= curve.precision) and np.all(curve.precision <= high)
    assert high[0] == 1.0 and 0.0 < low[0] < 0.5  # one right verdict proves little
    assert low[-1] > low[0]  # more verdicts, a narrower interval


def test_what_apply_and_the_csv_carry(judged: ReviewSession, tmp_path: Path) -> None:
    rows = species_thresholds(judged, 0.9)
    assert applicable_thresholds(rows) == {"Turdus merula": 0.8}  # Parus major: none
    path = write_thresholds_csv(tmp_path / "t.csv", rows)
    assert read_thresholds_csv(path) == applicable_thresholds(rows)
    assert species_without_verdicts(judged) == ["Sylvia atricapilla"]
    judged.set_status([7], Status.ACCEPTED)
    assert species_without_verdicts(judged) == []
    # A relabelled detection counts (as wrong), so its species has a verdict.
    s = make_session(tmp_path, [("A a", 0.5), ("B b", 0.5)])
    s.relabel([0], "B b")
    assert species_without_verdicts(s) == ["B b"]


def test_threshold_in_words(judged: ReviewSession) -> None:
    rows = {r.scientific_name: r for r in species_thresholds(judged, 0.9)}
    words = describe_species_threshold(
        rows["Turdus merula"],
        precision_curve(judged, "Turdus merula"),
        detection_scores(judged, "Turdus merula"),
    )
    assert words.startswith(
        "4 reviewed: 3 correct, 1 wrong. Precision reaches 0.90 from a score of 0.800 up: 1.00"
    )
    assert (
        "from 2 reviewed detections; that threshold keeps 2 of its 5 detections."
        in words
    )
    assert words.endswith("Only 2 verdicts above it: treat it as a rough guide.")
    none = describe_species_threshold(
        rows["Parus major"],
        precision_curve(judged, "Parus major"),
        detection_scores(judged, "Parus major"),
    )
    assert "No threshold reaches a precision of 0.90; the best is 0.00 at 0.600" in none
    strict = {
        r.scientific_name: r for r in species_thresholds(judged, 0.9, min_reviewed=3)
    }
    assert strict["Turdus merula"].threshold is None
    words = describe_species_threshold(
        strict["Turdus merula"],
        precision_curve(judged, "Turdus merula"),
        detection_scores(judged, "Turdus merula"),
        min_reviewed=3,
    )
    assert "0.90 with at least 3 verdicts above it; the best is 1.00 at 0.900" in words
