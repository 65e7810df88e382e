"""File › New project from recordings: review files from several folders as one project."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from audioclass_gui.project import ReviewProject
from audioclass_gui.qt.project.project_files import create_file_project
from tests.conftest import write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def settings(reviewer_settings) -> Path:
    return reviewer_settings("Di")


def test_new_project_from_recordings_in_two_folders(qtbot, window, tmp_path: Path, settings):
    for folder in ("north", "south"):
        (tmp_path / folder).mkdir()
    a = write_calls(tmp_path / "north" / "a.wav", duration=6.0)
    b = write_calls(tmp_path / "south" / "b.wav", duration=6.0)
    project_file = tmp_path / "mine" / "dawn.jsonl"
    project_file.parent.mkdir()
    window.model_panel.set_model("energy")

    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.project_files.new_project(project_file, [a, b])
    assert window.projects.active
    assert project_file.exists()
    assert window.projects.recordings.paths() == [str(a), str(b)]

    # A verdict in the window is kept in the project file.
    with qtbot.waitSignal(window.run_finished, timeout=60_000):
        window.run_model("energy")
    assert window.review.selected is not None
    judged = window.review.selected
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_A)
    window.projects.close()

    reopened = ReviewProject.open(project_file, settings_dir=settings, read_only=True)
    try:
        assert [Path(r.path) for r in reopened.session.recordings] == [a, b]
        statuses = {
            (Path(d.recording.path).name, d.start, d.scientific_name): reopened.session.status(d.id).value
            for d in reopened.session.detections()
        }
        key = (Path(judged.recording.path).name, judged.start, judged.scientific_name)
        assert statuses[key] == "accepted"
    finally:
        reopened.close()


def test_new_project_menu_entry_sits_in_the_file_menu(window):
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    texts = [a.text() for a in file_menu.actions()]
    assert texts.index("&New project from recordings…") < texts.index("&Export review (AOEF)…")
    assert window.project_files.new_action.shortcut().toString() == "Ctrl+Shift+N"


def test_a_list_without_audio_is_refused_with_the_names(tmp_path: Path, settings):
    notes = tmp_path / "notes.txt"
    notes.write_text("x")
    with pytest.raises(ValueError, match="notes.txt"):
        create_file_project(tmp_path / "p.jsonl", [notes], settings_dir=settings)
    assert not (tmp_path / "p.jsonl").exists()


def test_a_bad_project_file_is_reported_and_the_window_stays(qtbot, window, tmp_path: Path, settings):
    a = write_calls(tmp_path / "a.wav", duration=3.0)
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    with qtbot.waitSignal(window.error_reported, timeout=20_000) as error:
        window.project_files.new_project(blocked / "p.jsonl", [a])
    assert "p.jsonl" in error.args[0]
    assert not window.projects.active and window.isVisible()
