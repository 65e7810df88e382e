"""The real window reviewing a folder as a project: durable verdicts, reviewer, resume."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from audioclass_gui.project import ReviewProject
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.review import Status
from tests.conftest import write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")



@pytest.fixture
def folder(tmp_path: Path, monkeypatch) -> Path:
    """Two recordings in a folder; the user's settings in a fresh folder."""
    monkeypatch.setenv("AUDIOCLASS_GUI_CONFIG_DIR", str(tmp_path / "settings"))
    root = tmp_path / "site"
    root.mkdir()
    write_calls(root / "a.wav")
    write_calls(
        root / "b.wav", duration=8.0, calls=((2.1, 2.7, 5000.0), (6.0, 6.5, 3500.0))
    )
    return root


def make_window(qtbot) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    win.model_panel.set_threshold(0.5)
    return win


def open_project(qtbot, win: MainWindow, folder: Path) -> None:
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.open_path(folder)


def run(qtbot, win: MainWindow) -> None:
    with qtbot.waitSignal(win.run_finished, timeout=60_000) as blocker:
        win.run_model("energy")
    assert blocker.args == [False]
    # The run's file is written in the task runner, then recorded in the project.
    qtbot.waitUntil(lambda: not win.projects.run_saver.pending, timeout=20_000)


def on_disk(folder: Path) -> ReviewProject:
    """The project as another program sees it now (read-only, from the journal)."""
    return ReviewProject.open(folder, read_only=True)


def status_on_disk(folder: Path, recording: str, start: int) -> Status:
    with on_disk(folder) as project:
        for d in project.session.detections():
            if Path(d.recording.path).name == recording and int(d.start) == start:
                return project.session.status(d.id)
    raise AssertionError(f"no detection at {start} s in {recording}")


def test_folder_project_review_is_durable_and_resumes(qtbot, folder: Path):
    win = make_window(qtbot)
    with qtbot.waitSignal(win.projects.reviewer_needed, timeout=20_000) as asked:
        win.open_path(folder)
    dialog = asked.args[0]
    # The recording list shows both files with duration and detections.
    qtbot.waitUntil(
        lambda: win.info is not None and win.info.path.name == "a.wav", timeout=20_000
    )
    rec = win.projects.recordings
    assert [Path(p).name for p in rec.paths()] == ["a.wav", "b.wav"]
    assert rec.item(0, 1).text() == "12.0 s" and rec.item(1, 1).text() == "8.0 s"
    assert rec.item(0, 3).text() == "0"
    # The reviewer is asked once; an empty name is refused, then accepted.
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.problem.text() and dialog.isVisible()
    qtbot.keyClicks(dialog.name, "Ada Lovelace")
    qtbot.keyClicks(dialog.email, "ada@example.org")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert win.projects.project.reviewer.name == "Ada Lovelace"
    assert win.projects.dialog is None

    # A model run inside the project is saved into it.
    run(qtbot, win)
    assert sorted(int(d.start) for d in win.review.visible()) == [1, 5, 9]
    assert any(s.kind == "arrow" for s in win.projects.project.sources())
    qtbot.waitUntil(lambda: rec.item(0, 3).text() == "3", timeout=5_000)

    # A verdict is on disk the moment the key is pressed.
    first = win.review.selected
    assert int(first.start) == 1
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_A)
    assert status_on_disk(folder, "a.wav", 1) == Status.ACCEPTED
    qtbot.waitUntil(lambda: rec.item(0, 4).text() == "1/3", timeout=5_000)

    # Choosing the second recording opens it; its own detections only.
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        rec.choose_row(1)
    assert win.info.path.name == "b.wav"
    run(qtbot, win)
    assert sorted(int(d.start) for d in win.review.visible()) == [2, 6]
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_R)
    assert status_on_disk(folder, "b.wav", 2) == Status.REJECTED
    on_six = win.review.selected
    assert int(on_six.start) == 6
    # Undo is durable too, and works across recordings of the project.
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert status_on_disk(folder, "b.wav", 2) == Status.UNREVIEWED
    qtbot.keyClick(
        win,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert status_on_disk(folder, "b.wav", 2) == Status.REJECTED
    win.close()

    # Reopening: no question, the saved runs and verdicts are back, and the
    # reviewer is where they left off (b.wav, the detection at 6 s).
    win2 = make_window(qtbot)
    open_project(qtbot, win2, folder)
    assert win2.projects.dialog is None
    assert win2.info.path.name == "b.wav"
    qtbot.waitUntil(lambda: win2.review.selected is not None, timeout=5_000)
    assert int(win2.review.selected.start) == 6
    session = win2.session
    assert sorted(
        (Path(d.recording.path).name, int(d.start), session.status(d.id).value)
        for d in session.detections()
        if session.status(d.id) != Status.UNREVIEWED
    ) == [("a.wav", 1, "accepted"), ("b.wav", 2, "rejected")]
    win2.close()


def test_failed_verdict_is_reported_not_crashing(qtbot, folder: Path):
    win = make_window(qtbot)
    win.projects.open(folder)
    qtbot.waitUntil(lambda: win.projects.dialog is not None, timeout=20_000)
    win.projects.dialog.name.setText("Bo")
    win.projects.dialog._ok()
    qtbot.waitUntil(lambda: win.info is not None, timeout=20_000)
    run(qtbot, win)
    judged = win.review.selected
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_A)
    selected = win.review.selected
    # The journal goes away under the window (e.g. the disk was unplugged).
    win.projects.project.close()
    win.table.setFocus()
    with qtbot.waitSignal(win.error_reported, timeout=5_000) as blocker:
        qtbot.keyClick(win.table, Qt.Key.Key_A)
    assert "not saved" in blocker.args[0]
    assert win.session.status(selected.id) == Status.UNREVIEWED
    assert win.review.selected.id == selected.id  # the reviewer stays on it
    # Undo cannot be saved either: reported, and the verdict stays.
    with qtbot.waitSignal(win.error_reported, timeout=5_000) as blocker:
        qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "undo" in blocker.args[0].lower()
    assert win.session.status(judged.id) == Status.ACCEPTED
    assert not win.undo_stack.canRedo()  # the stack does not claim the undo happened
    win.close()


def test_single_file_opens_in_its_own_project_without_the_list(qtbot, folder: Path, data_dir: Path):
    win = make_window(qtbot)
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.open_path(folder / "a.wav")
    # Reviewed in its implicit project, kept in the data folder, not in the recording's folder.
    assert win.projects.active and win.projects.implicit
    assert [Path(r.path) for r in win.session.recordings] == [folder / "a.wav"]
    assert win.projects.project.journal_path.is_relative_to(data_dir)
    assert not (folder / ".audioclass-gui").exists()
    assert not win.projects.dock.isVisible()
    win.close()


def test_project_open_elsewhere_is_reported(qtbot, folder: Path):
    first = make_window(qtbot)
    open_project(qtbot, first, folder)
    second = make_window(qtbot)
    with qtbot.waitSignal(second.error_reported, timeout=20_000) as blocker:
        second.open_path(folder)
    assert str(folder) in blocker.args[0]
    assert not second.projects.active
    second.close()
    first.close()


def test_command_line_opens_a_folder_as_project(folder: Path, tmp_path: Path):
    import os
    import subprocess
    import sys

    shot = tmp_path / "project.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "audioclass_gui",
            str(folder),
            "--model",
            "energy",
            "--threshold",
            "0.5",
            "--run",
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert shot.stat().st_size > 0
    # The run made from the command line was saved into the project.
    with on_disk(folder) as project:
        assert len(project.session) > 0
        assert any(s.kind == "arrow" for s in project.sources())


def test_empty_folder_is_reported(qtbot, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("AUDIOCLASS_GUI_CONFIG_DIR", str(tmp_path / "settings"))
    empty = tmp_path / "empty"
    empty.mkdir()
    win = make_window(qtbot)
    with qtbot.waitSignal(win.error_reported, timeout=20_000) as blocker:
        win.open_path(empty)
    assert "no recordings" in blocker.args[0]
    win.close()
