"""The one time format of the window, and the Model panel's run texts (pure, no Qt)."""

from __future__ import annotations

from datetime import datetime

from audioclass_gui.qt.common.time_format import (
    TimeFormat,
    format_clock,
    spacing_decimals,
)
from audioclass_gui.qt.run.run_texts import (
    RunOutcome,
    describe_loaded,
    outcome_status,
    progress_text,
)

START = datetime(2024, 6, 1, 23, 59, 50)


def test_the_three_kinds_follow_the_recording():
    assert TimeFormat.for_recording(12.0).kind == "seconds"
    assert TimeFormat.for_recording(600.0).kind == "elapsed"
    assert TimeFormat.for_recording(12.0, START, "file name").kind == "clock"


def test_moments_in_each_kind():
    seconds, elapsed, clock = TimeFormat(), TimeFormat(elapsed=True), TimeFormat(START)
    assert (seconds.text(3.2), seconds.label(3.2), seconds.span(1.2, 1.8)) == (
        "3.20", "3.20 s", "1.20–1.80 s",
    )  # fmt: skip
    assert (elapsed.text(3723.25), elapsed.label(3.2)) == ("1:02:03.2", "0:03.2")
    assert clock.text(3.2) == "23:59:53.2" and clock.label(3.2) == "23:59:53.2"
    # The date is named where it is not the start's.
    assert clock.span(9.0, 11.0) == "23:59:59.0–Jun 02 00:00:01.0"


def test_rounding_never_writes_sixty_seconds():
    assert format_clock(59.96, decimals=1) == "1:00.0"
    assert format_clock(3599.99, decimals=1) == "1:00:00.0"
    assert TimeFormat(START).text(3.96) == "23:59:54.0"
    assert TimeFormat().text(-0.001) == "0.00"


def test_ticks_as_the_axis_writes_them():
    assert spacing_decimals(10) == 0 and spacing_decimals(0.5) == 1 and spacing_decimals(0.02) == 2
    assert TimeFormat().ticks([0.0, 0.5, 1.0], 0.5) == ["0.0", "0.5", "1.0"]
    assert TimeFormat(elapsed=True).ticks([60.0, 120.0], 60.0) == ["1:00", "2:00"]
    assert TimeFormat(START).ticks([0.0, 10.0, 20.0], 10.0) == [
        "23:59:50", "Jun 02 00:00:00", "00:00:10",
    ]  # fmt: skip
    assert TimeFormat(START).ticks([10.0, 70.0], 60.0) == ["Jun 02 00:00", "00:01"]


def test_run_texts_count_what_is_listed_now():
    done = RunOutcome("/a.wav", "BirdNET", seconds=1.46)
    assert progress_text(done) == "Finished in 1.5 s"
    assert outcome_status(done, 3, 0.25) == "Finished: 3 detections at or above 0.25."
    assert outcome_status(done, 1, 0.5, own_thresholds=2) == (
        "Finished: 1 detection at or above 0.50 (2 species with their own threshold)."
    )
    stopped = RunOutcome("/a.wav", "BirdNET", cancelled=True, seconds=0.4)
    assert progress_text(stopped) == "Cancelled after 0.4 s"
    assert outcome_status(stopped, 0, 0.25).startswith("Cancelled: 0 detections")
    failed = RunOutcome("/a.wav", "BirdNET", failure="BirdNET failed on a.wav: no model")
    assert progress_text(failed) == "failed"
    assert outcome_status(failed, 0, 0.25) == "BirdNET failed on a.wav: no model"
    assert describe_loaded([]) == "No detections yet: pick a model and press Run."
    assert describe_loaded(["B", "A", "B"]) == (
        "Detections of A, B are loaded. Run adds the chosen model's."
    )
    # A run whose file names no model is not written as an empty name.
    assert describe_loaded(["", "A"]) == "Detections of A are loaded. Run adds the chosen model's."
    assert describe_loaded([""]) == "Detections are loaded. Run adds the chosen model's."


def test_a_run_that_does_not_say_how_it_was_made_is_not_described() -> None:
    from audioclass_gui.qt.run.model_panel import describe_provenance

    assert describe_provenance({"settings": {"threshold": 0.1}}) == ""  # was "Run: ?"
    assert describe_provenance({"name": "BirdNET"}).startswith("Run: BirdNET")
