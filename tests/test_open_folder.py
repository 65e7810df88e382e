"""Where File › Open starts: the open recording's folder, else the last one used, else home.

Never the app's own data or cache folder, where the demo recording lives.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audioclass_gui.project.open_folder import (
    app_folders,
    dialog_start_folder,
    is_inside,
)


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    made = {name: tmp_path / name for name in ("data", "cache", "config", "home", "site", "last")}
    for folder in made.values():
        folder.mkdir()
    (made["data"] / "demo").mkdir()
    return made


def _start(folders: dict[str, Path], current, last) -> Path:
    own = [folders["data"], folders["cache"], folders["config"]]
    return dialog_start_folder(current, last, own_folders=own, home=folders["home"])


def test_the_open_recordings_folder_comes_first(folders):
    recording = folders["site"] / "night.wav"
    recording.write_bytes(b"")
    assert _start(folders, recording, folders["last"]) == folders["site"]
    # A project is given as its folder.
    assert _start(folders, folders["site"], folders["last"]) == folders["site"]


def test_the_demo_in_the_data_folder_is_skipped_for_the_last_folder(folders):
    demo = folders["data"] / "demo" / "birds_10s.wav"
    demo.write_bytes(b"")
    assert _start(folders, demo, folders["last"]) == folders["last"]
    assert _start(folders, demo, None) == folders["home"]


def test_the_last_folder_is_skipped_when_it_is_the_apps_or_gone(folders):
    assert _start(folders, None, folders["cache"] / "x") == folders["home"]
    assert _start(folders, None, folders["cache"]) == folders["home"]
    assert _start(folders, None, folders["site"] / "deleted") == folders["home"]
    assert _start(folders, None, None) == folders["home"]
    assert _start(folders, None, "") == folders["home"]


def test_home_is_the_users_by_default(folders, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HOME", str(folders["home"]))
    assert dialog_start_folder(None, None) == folders["home"]


def test_inside_follows_dot_dots_and_links(tmp_path: Path):
    (tmp_path / "app" / "demo").mkdir(parents=True)
    (tmp_path / "recordings").mkdir()
    link = tmp_path / "link-to-app"
    link.symlink_to(tmp_path / "app")
    assert is_inside(tmp_path / "app" / "demo", [tmp_path / "app"])
    assert is_inside(link / "demo", [tmp_path / "app"])
    assert not is_inside(tmp_path / "app" / ".." / "recordings", [tmp_path / "app"])
    assert not is_inside(tmp_path / "application", [tmp_path / "app"])  # a prefix is not a parent


def test_app_folders_follow_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("DATA", "CACHE", "CONFIG"):
        monkeypatch.setenv(f"AUDIOCLASS_GUI_{name}_DIR", str(tmp_path / name.lower()))
    assert [p.name for p in app_folders()] == ["data", "cache", "config"]


# ------------------------------------------------------------- in the window


def test_file_open_starts_at_home_on_the_demo_then_where_the_user_went(
    qtbot, tmp_path: Path, config_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    from PySide6.QtWidgets import QFileDialog

    from audioclass_gui.audio.demo import demo_recording_path
    from tests.conftest import open_main_window, write_calls

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    site = tmp_path / "site"
    site.mkdir()
    recording = write_calls(site / "dawn.wav", duration=4.0)
    asked: list[tuple[str, str]] = []

    def get_open_file_name(parent, caption, folder, *args, **kwargs):
        asked.append((caption, folder))
        return str(recording), "Audio"

    def get_existing_directory(parent, caption, folder, *args, **kwargs):
        asked.append((caption, folder))
        return ""  # cancelled

    monkeypatch.setattr(QFileDialog, "getOpenFileName", get_open_file_name)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", get_existing_directory)

    # The first start: the demo is open, and it lives in the app's data folder.
    win = open_main_window(qtbot, demo_recording_path())
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.open_action.trigger()
    assert asked == [("Open recording", str(home))]
    assert win.info.path == recording
    win.open_project_action.trigger()
    assert asked[-1] == ("Open folder as project", str(site))  # the open recording's folder
    win.close()

    # The next start, on the demo again: the folder the user opened from last time.
    again = open_main_window(qtbot, demo_recording_path())
    again.open_project_action.trigger()
    assert asked[-1] == ("Open folder as project", str(site))
    again.close()
