"""Per-species thresholds count everywhere the slider does: recording list, species panel."""

from __future__ import annotations

from pathlib import Path

import pytest

from audioclass_gui.review import Status
from tests.conftest import write_birdnet_csv, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

@pytest.fixture
def folder(tmp_path: Path, reviewer_settings) -> Path:
    reviewer_settings("Di")
    root = tmp_path / "site"
    root.mkdir()
    audio = write_calls(root / "a.wav", duration=9.0)
    write_birdnet_csv(
        root / "a.BirdNET.results.csv",
        audio,
        [
            (0, 3, "Turdus merula", "Eurasian Blackbird", 0.9),
            (3, 6, "Parus major", "Great Tit", 0.5),
            (6, 9, "Parus major", "Great Tit", 0.6),
        ],
    )
    return root


def _detections_column(window) -> str:
    return window.projects.recordings.item(0, 3).text()


def _panel_counts(window) -> dict[str, str]:
    table = window.species_panel.panel.table
    return {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}


def test_recording_list_and_species_panel_follow_per_species_thresholds(qtbot, window, folder):
    window.model_panel.set_threshold(0.25)
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(folder)
    qtbot.waitUntil(lambda: _detections_column(window) == "3", timeout=5_000)

    window.species_thresholds.apply({"Parus major": 0.55}, "test")
    assert {d.scientific_name for d in window.review.visible()} == {"Turdus merula", "Parus major"}
    assert len(window.review.visible()) == 2
    qtbot.waitUntil(lambda: _detections_column(window) == "2", timeout=5_000)
    qtbot.waitUntil(lambda: _panel_counts(window) == {"Eurasian Blackbird": "1", "Great Tit": "1"}, timeout=5_000)

    window.species_thresholds.clear()
    qtbot.waitUntil(lambda: _detections_column(window) == "3", timeout=5_000)
    qtbot.waitUntil(lambda: _panel_counts(window)["Great Tit"] == "2", timeout=5_000)


def test_model_panel_names_the_runs_a_project_already_holds(qtbot, window, folder, calls_wav):
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(calls_wav)  # one recording on its own: nothing loaded yet
    assert window.model_panel.status.text() == "No detections yet: pick a model and press Run."
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(folder)
    name = window.session.runs()[0][1]
    assert window.model_panel.status.text() == (
        f"Detections of {name} are loaded. Run adds the chosen model's."
    )


def test_recording_list_recount_updates_texts_in_place(qtbot, window, folder):
    window.model_panel.set_threshold(0.25)
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(folder)
    recordings = window.projects.recordings
    qtbot.waitUntil(lambda: recordings.item(0, 4).text() == "0/3", timeout=5_000)
    reviewed = recordings.item(0, 4)
    name = recordings.item(0, 0)
    assert name.font().bold()  # the open recording

    window.review.select(window.review.visible()[0].id)
    window.review.set_status(Status.ACCEPTED)
    qtbot.waitUntil(lambda: recordings.item(0, 4).text() == "1/3", timeout=5_000)
    # The same items, their texts changed: no rebuild of the list per verdict.
    assert recordings.item(0, 4) is reviewed and recordings.item(0, 0) is name
    assert name.font().bold() and recordings.paths() == [str(folder / "a.wav")]
