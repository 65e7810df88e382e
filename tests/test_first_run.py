"""The first-run guide: shown once to a person, never in screenshot/export runs or other tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from audioclass_gui.qt.app import AppOptions, start_window
from audioclass_gui.qt.first_run import SEEN_KEY, FirstRunGuide, guide_seen, show_guide
from tests.conftest import write_calls
from tests.test_cli import run_cli

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _start(qtbot, path: Path, **options):
    win, driver = start_window(AppOptions(path=path, **options))
    qtbot.addWidget(win)
    return win, driver


def _guides(win) -> list[FirstRunGuide]:
    return [g for g in win.findChildren(FirstRunGuide) if g.isVisible()]


def _text(guide: FirstRunGuide) -> str:
    return " ".join(label.text() for label in guide.steps)


def _close(qtbot, guide: FirstRunGuide) -> None:
    guide.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close).click()
    qtbot.waitUntil(lambda: not guide.isVisible())


def test_first_start_shows_the_guide_without_blocking_or_taking_the_keys(
    qtbot, config_dir: Path, calls_wav: Path
):
    win, driver = _start(qtbot, calls_wav)
    assert driver is None
    [guide] = _guides(win)
    assert not guide.isModal() and QApplication.activeModalWidget() is None
    assert QApplication.activeWindow() is not guide  # the window keeps the keyboard
    titles = [label.text() for label in guide.steps]
    assert len(titles) == 4
    text = _text(guide)
    for words in ("Open recording", "Open folder as project", "Ctrl+O", "Ctrl+Shift+O",
                  "Run", "Ctrl+R", "<b>A</b> accept", "<b>R</b> reject", "<b>U</b> uncertain",
                  "<b>S</b> another species", "Export review (AOEF)", "Ctrl+E", "Ctrl+Shift+E"):
        assert words in text, words
    assert guide.dont_show.isChecked()
    # The window works while the guide is open: the recording opens under it.
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        pass
    win.close()


def test_closing_it_once_is_enough_and_unticking_keeps_it(qtbot, config_dir: Path, tmp_path: Path):
    # One recording per start: a closed window may still be opening its review.
    win, _ = _start(qtbot, write_calls(tmp_path / "first.wav"))
    [guide] = _guides(win)
    assert not guide_seen()
    _close(qtbot, guide)
    assert guide_seen()
    stored = QSettings(str(config_dir / "settings.ini"), QSettings.Format.IniFormat)
    assert str(stored.value(SEEN_KEY)).lower() == "true"
    win.close()

    again, _ = _start(qtbot, write_calls(tmp_path / "second.wav"))
    assert _guides(again) == []  # not at the second start...
    guide = show_guide(again)  # ...but from Help › Getting started
    guide.dont_show.setChecked(False)  # "show it when the app starts"
    _close(qtbot, guide)
    assert not guide_seen()
    again.close()

    third, _ = _start(qtbot, write_calls(tmp_path / "third.wav"))
    assert len(_guides(third)) == 1
    third.close()


def test_help_menu_opens_it_once_and_it_follows_the_live_keys(qtbot, window):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    action = next(a for a in help_menu.actions() if a.text() == "&Getting started")
    window.accept_action.setShortcut("Ctrl+Alt+A")
    action.trigger()
    action.trigger()  # raises the open guide rather than opening a second one
    [guide] = _guides(window)
    assert "<b>Ctrl+Alt+A</b> accept" in _text(guide)


def test_screenshot_and_export_runs_never_show_it(qtbot, config_dir: Path, calls_wav: Path, tmp_path: Path):
    win, driver = _start(qtbot, calls_wav, screenshot=tmp_path / "shot.png")
    assert driver is not None and win.findChildren(FirstRunGuide) == []
    win.close()
    assert not guide_seen()  # still waiting for a person
    # And as a user runs it: the process finishes on its own.
    shot = tmp_path / "run.png"
    result = run_cli(
        str(write_calls(tmp_path / "other.wav")), "--model", "energy", "--threshold", "0.5", "--run",
        "--screenshot", str(shot), "--export", str(tmp_path / "review.json"),
        env={"AUDIOCLASS_GUI_CONFIG_DIR": str(config_dir)},
    )
    assert result.returncode == 0, result.stderr
    assert shot.is_file() and (tmp_path / "review.json").is_file()
    assert not guide_seen()


def test_other_tests_do_not_see_it(qtbot, calls_wav: Path):
    """Without a fresh config_dir, the suite's settings mark the guide seen."""
    assert guide_seen()
    win, _ = _start(qtbot, calls_wav)
    assert win.findChildren(FirstRunGuide) == []
    win.close()
