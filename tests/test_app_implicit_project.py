"""A single recording is a project too: its review is kept in the data folder.

Opening one recording reviews it in an implicit project (see
``audioclass_gui.project.implicit``): verdicts and the runs made in the app
are saved as they are made and come back when the file is opened again;
File › Open Recent lists what was opened; ``audioclass-gui export FILE``
exports the recording's review.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from audioclass_gui import export_cli
from audioclass_gui.project.implicit import (
    PROJECT_FILE,
    find_implicit_project,
    implicit_project_file,
    open_implicit_project,
)
from audioclass_gui.project.recent import RECENT_LIMIT, RecentStore, remember
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.review import Status
from tests.conftest import open_main_window, write_calls
from tests.test_cli import run_cli

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SCREENSHOT = Path("/tmp/audioclass-gui-implicit-project.png")


def run_energy(qtbot, win: MainWindow) -> None:
    win.model_panel.set_model("energy")
    with qtbot.waitSignal(win.run_finished, timeout=60_000):
        win.run_model("energy")
    # The run's file is written in the task runner, then recorded in the project.
    qtbot.waitUntil(lambda: not win.projects.run_saver.pending, timeout=20_000)


def press(qtbot, win: MainWindow, key: Qt.Key) -> None:
    """A review key as the reviewer presses it, with the table focused."""
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, key)


def statuses(win: MainWindow) -> dict[tuple[float, str], str]:
    return {(d.start, d.scientific_name): win.session.status(d.id).value for d in win.review.visible()}


# ------------------------------------------------------------- the window


def test_verdicts_and_the_run_come_back_when_the_file_is_opened_again(
    qtbot, calls_wav: Path, data_dir: Path
):
    win = open_main_window(qtbot, calls_wav, threshold=0.5)
    assert win.projects.implicit and not win.projects.dock.isVisible()
    assert win.windowTitle().startswith("calls.wav")
    run_energy(qtbot, win)
    first = win.review.selected
    press(qtbot, win, Qt.Key.Key_A)
    second = win.review.selected
    press(qtbot, win, Qt.Key.Key_A)
    assert first.id != second.id
    judged = statuses(win)
    assert sorted(judged.values()) == ["accepted", "accepted", "unreviewed"]
    assert "saved as you make them" in win.file_label.toolTip()
    win.close()  # quitting loses nothing: nothing was exported

    again = open_main_window(qtbot, calls_wav, threshold=0.5)
    assert again.statusBar().currentMessage() == "The review of calls.wav is back: 2 verdicts."
    # The run made in the app is loaded with the review; no need to run again.
    assert "Band energy" in again.model_panel.status.text()
    assert statuses(again) == judged
    # The reviewer is taken back to where they were: the detection after the verdicts.
    assert again.review.selected is not None
    assert again.session.status(again.review.selected.id) == Status.UNREVIEWED
    qtbot.wait(300)  # let the spectrogram and the overlays paint
    assert again.grab().save(str(SCREENSHOT))
    # Nothing was written beside the recording; everything is in the data folder.
    assert sorted(p.name for p in calls_wav.parent.iterdir()) == ["calls.wav"]
    assert (data_dir / "projects").is_dir()
    again.close()


def test_opening_another_file_keeps_the_first_review(qtbot, window: MainWindow, tmp_path: Path):
    a = write_calls(tmp_path / "a.wav", duration=6.0)
    b = write_calls(tmp_path / "b.wav", duration=6.0, calls=((2.2, 2.8, 5000.0),))
    window.model_panel.set_threshold(0.5)
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(a)
    run_energy(qtbot, window)
    press(qtbot, window, Qt.Key.Key_R)
    judged = statuses(window)
    assert "rejected" in judged.values()
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(b)
    assert window.info.path == b and window.review.visible() == []
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(a)
    assert statuses(window) == judged


def test_a_new_run_replaces_the_last_one_and_verdicts_come_back(qtbot, calls_wav: Path):
    win = open_main_window(qtbot, calls_wav, threshold=0.5)
    run_energy(qtbot, win)
    judged = win.review.selected
    press(qtbot, win, Qt.Key.Key_R)
    runs = win.projects.project.journal_path.with_suffix(".runs")
    first_run = list(runs.iterdir())
    run_energy(qtbot, win)  # the same model again: the same detections, not twice
    assert len(win.review.visible()) == 3
    assert statuses(win)[(judged.start, judged.scientific_name)] == "rejected"
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=5_000)
    second_run = list(runs.iterdir())
    assert len(second_run) == 1 and second_run != first_run  # the old run file is gone
    win.close()
    again = open_main_window(qtbot, calls_wav, threshold=0.5)
    assert len(again.review.visible()) == 3
    assert statuses(again)[(judged.start, judged.scientific_name)] == "rejected"
    again.close()


def test_quitting_mid_run_keeps_what_was_found_and_its_verdicts(qtbot, tmp_path: Path, monkeypatch):
    from tests.plugin_dist import make_distribution
    from tests.test_app_failures import SLOW

    root = tmp_path / "site"
    root.mkdir()
    make_distribution(root, "slow-plugin", "slow_plugin", SLOW, "slow = slow_plugin:SlowModel")
    monkeypatch.syspath_prepend(str(root))
    rec = write_calls(tmp_path / "long.wav", duration=600.0, samplerate=8000, calls=())
    win = open_main_window(qtbot, rec)
    win.model_panel.set_model("slow")
    win.model_panel.run_button.click()
    qtbot.waitUntil(lambda: len(win.review.visible()) >= 5, timeout=20_000)
    win.review.select(win.review.visible()[0].id)
    press(qtbot, win, Qt.Key.Key_A)
    win.close()  # the run is still going
    again = open_main_window(qtbot, rec)
    found = len(again.session.detections())
    assert 5 <= found < 600
    assert [again.session.status(d.id) for d in again.review.visible()].count(Status.ACCEPTED) == 1
    assert "Slow" in again.model_panel.status.text()
    again.close()


def test_the_same_file_in_a_second_window_is_shown_and_the_reviewer_warned(
    qtbot, calls_wav: Path
):
    first = open_main_window(qtbot, calls_wav)
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    with qtbot.waitSignals([second.recording_opened, second.single.not_kept], timeout=20_000):
        second.open_path(calls_wav)
    assert second.projects.project is None and second.info.path == calls_wav
    assert "export" in second.file_label.toolTip()
    first.close()
    second.close()


def test_a_deleted_state_folder_is_recreated_and_said_after_the_next_verdict(
    qtbot, calls_wav: Path
):
    win = open_main_window(qtbot, calls_wav, threshold=0.5)
    run_energy(qtbot, win)
    project = win.projects.project
    folder = project.journal_path.parent
    shutil.rmtree(folder)  # a clean-up tool, or a reviewer tidying the data folder
    judged = win.review.selected
    with qtbot.waitSignal(win.problem_watch.problem_found, timeout=5_000) as found:
        press(qtbot, win, Qt.Key.Key_A)
    assert "recreated" in found.args[0]
    shown = win.statusBar().currentMessage()
    assert shown.startswith("The review of calls.wav: ") and "recreated" in shown
    assert win.session.status(judged.id) == Status.ACCEPTED
    assert project.journal_path.exists()  # and the verdict is in it
    win.close()
    # The run's file went with the folder (only the journal is recreated): the
    # reopened review says so, keeps the verdict, and gives it back when the
    # same model runs again.
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    again.model_panel.set_threshold(0.5)
    with qtbot.waitSignals([again.recording_opened, again.error_reported], timeout=20_000):
        again.open_path(calls_wav)
    run_energy(qtbot, again)
    accepted = [d for d in again.session.detections() if again.session.status(d.id) == Status.ACCEPTED]
    assert [(d.start, d.scientific_name) for d in accepted] == [(judged.start, judged.scientific_name)]
    again.close()


# ------------------------------------------------------------ Open Recent


def test_open_recent_lists_recordings_and_projects_most_recent_first(qtbot, tmp_path: Path):
    a = write_calls(tmp_path / "a.wav", duration=4.0)
    b = write_calls(tmp_path / "b.wav", duration=4.0)
    site = tmp_path / "site"
    site.mkdir()
    write_calls(site / "c.wav", duration=4.0)
    win = open_main_window(qtbot, a)
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.open_path(site)  # a folder project
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.open_path(b)
    assert win.recent.entries == [b, site, a]
    assert win.recent.flush(5.0)  # the list is written
    win.close()

    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: len(again.recent.entry_actions()) == 3, timeout=5_000)
    file_menu = next(act.menu() for act in again.menuBar().actions() if act.text() == "&File")
    assert again.recent.menu.menuAction() in file_menu.actions()
    texts = [act.text() for act in again.recent.entry_actions()]
    assert texts[0].startswith("&1 b.wav") and texts[1].startswith("&2 site (folder)")
    with qtbot.waitSignal(again.recording_opened, timeout=20_000):
        again.recent.entry_actions()[2].trigger()
    assert again.info.path == a
    assert again.recent.entries[0] == a

    # A file gone since is said and dropped from the list.
    b.unlink()
    with qtbot.waitSignal(again.error_reported, timeout=5_000) as error:
        next(act for act in again.recent.entry_actions() if act.data() == str(b)).trigger()
    assert str(b) in error.args[0]
    assert b not in again.recent.entries
    again.close()


def test_recent_list_keeps_the_last_ten_without_duplicates(tmp_path: Path):
    entries: list[Path] = []
    for i in range(RECENT_LIMIT + 3):
        entries = remember(entries, tmp_path / f"{i}.wav")
    entries = remember(entries, tmp_path / "5.wav")
    assert len(entries) == RECENT_LIMIT
    assert entries[0] == tmp_path / "5.wav" and entries.count(tmp_path / "5.wav") == 1
    assert entries[-1] == tmp_path / "3.wav"  # 0..2 fell off the end
    store = RecentStore(tmp_path / "recent.json")
    assert store.load() == []
    assert store.save(entries, generation=2)
    assert not store.save(entries[:1], generation=1)  # an older list never wins
    assert store.load() == entries
    (tmp_path / "recent.json").write_text("not json")
    assert store.load() == []


# ---------------------------------------------------- where reviews are kept


def test_the_key_follows_content_and_path_not_the_modification_time(tmp_path: Path, data_dir: Path):
    wav = write_calls(tmp_path / "night.wav", duration=3.0)
    key = implicit_project_file(wav)
    assert key.name == PROJECT_FILE and key.parent.name.startswith("night-")
    assert key.is_relative_to(data_dir / "projects")
    os.utime(wav, (1_000_000, 1_000_000))
    assert implicit_project_file(wav) == key
    copy = shutil.copy(wav, tmp_path / "copy.wav")
    assert implicit_project_file(copy) != key  # another file, another review
    write_calls(wav, duration=3.0, calls=((0.5, 1.0, 2000.0),))
    assert implicit_project_file(wav) != key  # new sounds under the old name
    assert find_implicit_project(wav) is None


def test_a_review_opened_without_the_window_is_the_same_project(tmp_path: Path, reviewer_settings):
    settings = reviewer_settings("Ana")
    wav = write_calls(tmp_path / "dawn.wav", duration=3.0)
    with open_implicit_project(wav, settings_dir=settings) as project:
        assert [Path(r.path) for r in project.session.recordings] == [wav]
    with open_implicit_project(wav, settings_dir=settings) as project:
        assert len(project.session.recordings) == 1
    assert find_implicit_project(wav) == implicit_project_file(wav)


# --------------------------------------------------------------- exports


def test_export_command_exports_a_single_recordings_review(qtbot, calls_wav: Path, tmp_path: Path, capsys):
    win = open_main_window(qtbot, calls_wav, threshold=0.5)
    run_energy(qtbot, win)
    judged = win.review.selected
    press(qtbot, win, Qt.Key.Key_A)
    out = tmp_path / "out" / "verdicts.csv"
    # While the window has it open (the export reads it without a lock).
    assert export_cli.main([str(calls_wav), "-f", "csv", "-o", str(out), "-q"]) == 0
    win.close()
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert float(next(v for k, v in rows[0].items() if "start" in k.lower())) == pytest.approx(judged.start)

    never = write_calls(tmp_path / "never.wav", duration=2.0)
    assert export_cli.main([str(never), "-f", "csv", "-o", str(tmp_path / "x.csv")]) == 1
    assert "no review of this recording is kept" in capsys.readouterr().err


def test_command_line_run_then_export_of_the_same_file(tmp_path: Path):
    recording = write_calls(tmp_path / "rec.wav", duration=12.0)
    shot = tmp_path / "shot.png"
    result = run_cli(str(recording), "--model", "energy", "--threshold", "0.5", "--run", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "exported"
    result = run_cli("export", str(recording), "-f", "aoef", "-o", str(out / "review.json"))
    assert result.returncode == 0, result.stderr
    # The run made in the window is exported beside the review.
    assert list(out.glob("*.model_run.json")), result.stdout
