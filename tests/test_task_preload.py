"""The deferred libraries load in one thread after the window shows; background jobs wait for it."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from audioclass_gui.qt.common.tasks import TaskRunner, preload, wait_for_preload


def test_jobs_start_only_once_the_preload_has_imported_everything(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    # A library that takes a while to import, and says when it is done.
    (tmp_path / "slow_library.py").write_text(
        "import time\ntime.sleep(0.4)\nREADY = True\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slow_library", raising=False)
    runner = TaskRunner()
    seen: list[bool] = []
    thread = preload(("slow_library", "no_such_library_here"))  # a missing one is skipped
    # A job submitted meanwhile sees the library whole, never half-imported.
    with qtbot.waitSignal(runner._delivered, timeout=5_000):
        runner.submit(lambda: seen.append(getattr(sys.modules.get("slow_library"), "READY", False)))
    assert seen == [True]
    thread.join(5)
    assert not thread.is_alive()
    # With no preload under way, jobs do not wait.
    done = threading.Event()
    wait_for_preload(0.0)
    with qtbot.waitSignal(runner._delivered, timeout=5_000):
        runner.submit(done.set)
    assert done.is_set()
    runner.shutdown()
    qtbot.wait(20)  # deliveries handled before the runner goes


def test_a_preload_after_the_paint_ends_without_an_event_loop(qtbot, monkeypatch) -> None:
    """The gate opens whether or not an event loop runs (a window closed at once)."""
    from audioclass_gui.qt.common import tasks

    monkeypatch.setattr(tasks, "PAINT_WAIT", 0.2)
    thread = preload(("json",), after_events=True)
    thread.join(5)
    assert not thread.is_alive()
    wait_for_preload(0.0)
    assert tasks._preloaded.is_set()
