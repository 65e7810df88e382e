"""File › Import predictions / Import a review: files from anywhere into the open project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from audioclass_gui.project import ReviewProject
from tests.conftest import write_birdnet_csv, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

@pytest.fixture
def settings(reviewer_settings) -> Path:
    return reviewer_settings("Di")


def _results(path: Path, audio: Path) -> Path:
    """A BirdNET-Analyzer CSV kept apart from the recordings, as its GUI leaves it."""
    return write_birdnet_csv(
        path,
        audio,
        [
            (0, 3, "Turdus merula", "Eurasian Blackbird", 0.9),
            (3, 6, "Parus major", "Great Tit", 0.6),
        ],
    )


def _open(qtbot, window, folder: Path) -> None:
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(folder)


def test_import_predictions_from_another_folder(qtbot, window, tmp_path: Path, settings):
    site = tmp_path / "site"
    site.mkdir()
    audio = write_calls(site / "a.wav", duration=6.0)
    results = _results(tmp_path / "birdnet-output" / "a.BirdNET.results.csv", audio)
    window.model_panel.set_threshold(0.25)
    _open(qtbot, window, site)
    assert window.review.visible() == []

    with qtbot.waitSignal(window.project_files.imported, timeout=20_000) as done:
        window.project_files.import_predictions(results)
    assert "Imported 2 detections" in done.args[0]
    shown = [(d.start, d.scientific_name) for d in window.review.visible()]
    assert sorted(shown) == [(0.0, "Turdus merula"), (3.0, "Parus major")]
    assert window.table.source.data(window.table.source.index(0, 2)) in {"Eurasian Blackbird", "Great Tit"}
    window.projects.close()

    # The project remembers the file: reopening shows the detections again.
    project = ReviewProject.open(site, settings_dir=settings, read_only=True)
    try:
        assert len(project.session) == 2
        assert [s.path for s in project.sources()] == [results]
    finally:
        project.close()


def test_import_a_review_continues_it_in_a_copy(qtbot, window, tmp_path: Path, settings):
    site = tmp_path / "site"
    site.mkdir()
    audio = write_calls(site / "a.wav", duration=6.0)
    _results(site / "a.BirdNET.results.csv", audio)
    window.model_panel.set_threshold(0.25)
    _open(qtbot, window, site)
    window.review.select(window.review.visible()[0].id)
    first = window.review.selected
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_R)
    exported = tmp_path / "exported" / "review.json"
    with qtbot.waitSignal(window.exported, timeout=20_000):
        window.export_to(exported)
    window.projects.close()

    # A colleague's copy of the recording, without any predictions.
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(audio, copy / "a.wav")
    _open(qtbot, window, copy)
    assert window.review.visible() == []
    with qtbot.waitSignal(window.project_files.imported, timeout=20_000) as done:
        window.project_files.import_review(exported)
    assert "Imported 1 verdicts" in done.args[0]
    rows = {(d.start, d.scientific_name): window.session.status(d.id).value for d in window.review.visible()}
    assert rows[(first.start, first.scientific_name)] == "rejected"
    assert sorted(rows.values()) == ["rejected", "unreviewed"]
    assert all(Path(d.recording.path).parent == copy for d in window.review.visible())


def test_import_into_a_single_recordings_review(qtbot, window, tmp_path: Path, calls_wav: Path):
    """A recording opened on its own has its own project: predictions can be imported into it."""
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(calls_wav)
    table = _results(tmp_path / "elsewhere" / "calls.BirdNET.results.csv", calls_wav)
    window.model_panel.set_threshold(0.1)
    with qtbot.waitSignal(window.project_files.imported, timeout=20_000):
        window.project_files.import_predictions(table)
    assert sorted(d.scientific_name for d in window.review.visible()) == ["Parus major", "Turdus merula"]
    assert not window.projects.dock.isVisible()


def test_a_file_that_is_not_predictions_is_named_and_nothing_changes(qtbot, window, tmp_path: Path, settings):
    site = tmp_path / "site"
    site.mkdir()
    write_calls(site / "a.wav", duration=3.0)
    _open(qtbot, window, site)
    junk = tmp_path / "notes.csv"
    junk.write_text("what,ever\n1,2\n", encoding="utf-8")
    with qtbot.waitSignal(window.error_reported, timeout=20_000) as error:
        window.project_files.import_predictions(junk)
    assert str(junk) in error.args[0] and "not a predictions file" in error.args[0]
    assert window.projects.project.sources() == [] and window.isVisible()


def test_a_missing_file_is_named_and_nothing_is_attached(qtbot, window, tmp_path: Path, settings):
    site = tmp_path / "site"
    site.mkdir()
    write_calls(site / "a.wav", duration=3.0)
    _open(qtbot, window, site)
    gone = tmp_path / "gone.model_run.json"
    with qtbot.waitSignal(window.error_reported, timeout=20_000) as error:
        window.project_files.import_predictions(gone)
    assert error.args[0].startswith(f"{gone}: ")
    assert window.projects.project.sources() == []
