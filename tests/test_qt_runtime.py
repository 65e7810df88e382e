"""Guard against Qt bindings that corrupt reference counts.

PySide6 6.12.0 dropped a reference to ``True``/``None`` on every
``Signal.emit()``; after a few hundred emits the interpreter aborted with
"bool_dealloc". pyproject excludes it; this test fails on any binding with
the same fault, in a subprocess so a crash cannot take the suite down.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
app = QCoreApplication([])
class Emitter(QObject):
    changed = Signal(object)
    flag = Signal(bool)
e = Emitter()
seen = [0]
def count(_value):
    seen[0] += 1
e.changed.connect(count)
e.flag.connect(count)
true0, none0 = sys.getrefcount(True), sys.getrefcount(None)
for i in range(3000):
    e.changed.emit(None)
    e.flag.emit(True)
for _ in range(500):
    QTimer.singleShot(0, lambda: None)
QTimer.singleShot(50, app.quit)
app.exec()
print(seen[0], sys.getrefcount(True) - true0, sys.getrefcount(None) - none0)
"""


def test_signal_emits_keep_reference_counts():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    seen, true_delta, none_delta = (int(v) for v in result.stdout.split())
    assert seen == 6000
    # Small drift comes from the interpreter itself; a faulty binding loses thousands.
    assert abs(true_delta) < 100 and abs(none_delta) < 200, (true_delta, none_delta)
