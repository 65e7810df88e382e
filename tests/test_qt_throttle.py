"""The throttles the views coalesce refreshes with (superqt, made on first use)."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import QObject

from audioclass_gui.qt.common.tasks import debounced, throttled


def test_a_burst_of_changes_calls_once_after_the_interval(qtbot):
    owner = QObject()
    calls: list[int] = []
    throttle = throttled(owner, 30, lambda: calls.append(1))
    for _ in range(20):
        throttle.throttle()
    assert calls == []  # trailing: nothing at once
    qtbot.waitUntil(lambda: calls == [1], timeout=2_000)
    qtbot.wait(80)
    assert calls == [1]


def test_cancel_drops_and_flush_runs_a_pending_call(qtbot):
    owner = QObject()
    calls: list[str] = []
    throttle = debounced(owner, 50, lambda: calls.append("x"))
    throttle.cancel()  # nothing made yet: harmless
    throttle.flush()
    throttle.throttle()
    throttle.cancel()
    qtbot.wait(120)
    assert calls == []
    throttle.throttle()
    throttle.flush()
    assert calls == ["x"]


def test_the_window_module_does_not_import_superqt_or_scipy_signal():
    # Both take tenths of a second to import; the window must paint without them.
    code = (
        "import sys, audioclass_gui.qt.main_window;"
        "print(sorted(m for m in ('superqt', 'scipy.signal', 'scipy.fft') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
