"""The window paints before the heavy modules load (issue 12's startup).

soundevent with pydantic, pyarrow, scipy, the project store, the batch
engine, the model interface and PortAudio (through sounddevice) cost more
than the bare Qt window; none is
needed to show an empty window, so none may be imported before its first
paint on the GUI thread (work started in the background after the window
is shown, such as preparing the demo, may load them meanwhile).
``benchmarks/startup.py`` measures the time; this checks the cause.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = (
    "sounddevice",  # loads PortAudio, which looks at every sound card
    "soundevent",
    "pydantic",
    "pyarrow",
    "scipy",
    "audioclass_gui.review.session",
    "audioclass_gui.project.project",
    "audioclass_gui.batch.runner",
    "audioclass_gui.models.base",
    "audioclass_gui.formats.exports",
)

_CHILD = """
import json, sys, threading
HEAVY = json.loads(sys.argv[1])
on_gui_thread = []

class Watch:
    # Notes the heavy modules the GUI thread asks for (a finder that finds nothing).
    def find_spec(self, name, path=None, target=None):
        if name in HEAVY and threading.current_thread() is threading.main_thread() and name not in sys.modules:
            on_gui_thread.append(name)
        return None

sys.meta_path.insert(0, Watch())
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget
from audioclass_gui.qt.app import AppOptions, create_application, start_window
from audioclass_gui.qt.first_run import set_guide_seen

app = create_application()
set_guide_seen(True)
window, _ = start_window(AppOptions(size=(1000, 700)))
seen = []

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if not seen and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget) and obj.window() is window:
            seen.append(sorted(set(on_gui_thread)))
            QTimer.singleShot(0, app.quit)
        return False

probe = FirstPaint()
app.installEventFilter(probe)
app.exec()
print(json.dumps(seen[0]))
"""


def test_no_heavy_module_before_the_first_paint(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(HEAVY)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr[-2000:]
    assert json.loads(lines[-1]) == []
