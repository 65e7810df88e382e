"""The app model without Qt: its parts announce what changes, and only that."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from audioclass_gui.app import AppModel, ImmediateTasks
from audioclass_gui.project import ReviewProject


def test_no_qt_needed() -> None:
    # The app model is importable and usable in a process that never loads Qt.
    import subprocess

    code = (
        "import sys; from audioclass_gui.app import AppModel; m = AppModel();"
        "m.messages.say('x'); m.run.start('k'); m.run.finish(False);"
        "print(any(n.startswith(('PySide6', 'pyqtgraph')) for n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_document_fields_announce_changes_once() -> None:
    model = AppModel()
    seen: list[object] = []
    model.document.events.model_info.connect(seen.append)
    model.document.model_info = None  # unchanged: nothing said
    assert seen == []
    marker = object()
    model.document.model_info = marker  # type: ignore[assignment]
    model.document.model_info = marker  # type: ignore[assignment]
    assert seen == [marker]


def test_messages_reach_subscribers_and_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    model = AppModel()
    said: list[tuple] = []
    model.messages.status.connect(lambda text, ms: said.append(("status", text, ms)))
    model.messages.error.connect(lambda title, text: said.append(("error", title, text)))
    model.messages.say("Exported 3 files", 10_000)
    model.messages.report("Export failed", "/x/y.csv: No space left on device")
    assert said == [
        ("status", "Exported 3 files", 10_000),
        ("error", "Export failed", "/x/y.csv: No space left on device"),
    ]
    assert "/x/y.csv: No space left on device" in capsys.readouterr().err


def test_run_state_tracks_the_running_model() -> None:
    model = AppModel()
    ended: list[bool] = []
    model.run.finished.connect(ended.append)
    assert not model.run.running
    model.run.start("birdnet")
    assert model.run.running and model.run.key == "birdnet"
    model.run.finish(True)
    assert not model.run.running and ended == [True]


def test_immediate_tasks_call_back_with_result_or_error() -> None:
    tasks = ImmediateTasks()
    got: list[object] = []
    tasks.submit(lambda: 41 + 1, got.append, got.append)
    tasks.submit(lambda: 1 / 0, got.append, got.append)
    assert got[0] == 42 and isinstance(got[1], ZeroDivisionError)


def test_folder_and_opened_path_follow_the_project(tmp_path: Path) -> None:
    model = AppModel()
    assert model.document.folder is None and model.document.opened_path is None
    project = ReviewProject.create(tmp_path / "review.jsonl", [], settings_dir=tmp_path / "settings")
    try:
        model.document.project = project
        assert model.document.folder == project.root
        assert model.document.opened_path == (
            project.root if project.is_folder else project.journal_path
        )
    finally:
        project.close()
