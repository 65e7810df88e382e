"""Startup: time to the first painted main window, against a bare PySide6 + pyqtgraph window.

Issue 12's target: the app's window is painted within 1.5x the time a bare
PySide6 ``QMainWindow`` holding one pyqtgraph ``PlotWidget`` takes, both
measured in the same run. Each case starts a fresh Python process (so every
import counts) and reports the wall time from just before the process is
started to the first paint event in the window. The app
starts as a user starts it with no file (the demo recording is prepared in
the background, the first-run guide is off: it is a dialog of its own).
Cases alternate, ``--repeat`` times each, and medians are compared: the
machines these run on are shared and noisy.

A third line, ``import``, is the app's import time alone (``python -X
importtime``'s total for the main window module), the part lazy imports
can cut.

Usage: python benchmarks/startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The child's common part: report the first paint in the window, then quit.
_PROBE = """
import sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

class FirstPaint(QObject):
    def __init__(self, app, window):
        super().__init__()
        self.app, self.window = app, window
    def eventFilter(self, obj, event):
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(obj, QWidget)
            and obj.window() is self.window
        ):
            print(f"painted {time.time():.6f}", flush=True)
            self.app.quit()
        return False
"""

BARE = _PROBE + """
import pyqtgraph as pg
from PySide6.QtWidgets import QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1400, 900)
window.setCentralWidget(pg.PlotWidget())
probe = FirstPaint(app, window)
app.installEventFilter(probe)
window.show()
app.exec()
"""

APP = _PROBE + """
from audioclass_gui.qt.app import AppOptions, create_application, start_window
app = create_application()
window, _ = start_window(AppOptions(size=(1400, 900)))
# Shown, not yet painted: paint events come from the event loop.
probe = FirstPaint(app, window)
app.installEventFilter(probe)
app.exec()
"""


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # As installed for a user: compiled modules are cached after the first
    # start (this sandbox sets PYTHONDONTWRITEBYTECODE, which would make every
    # start compile every module again).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # A fresh user: its own data and settings, the first-run guide already seen.
    env["XDG_DATA_HOME"] = str(home / "data")
    env["XDG_CONFIG_HOME"] = str(home / "config")
    env["XDG_CACHE_HOME"] = str(home / "cache")
    return env


def _seen_guide(home: Path) -> None:
    """Mark the first-run guide as seen, as for every start after the first."""
    code = (
        "from audioclass_gui.qt.app import create_application;"
        "from audioclass_gui.qt.first_run import set_guide_seen;"
        "app = create_application(); set_guide_seen(True)"
    )
    subprocess.run([sys.executable, "-c", code], env=_env(home), check=True, capture_output=True)


def time_to_paint(code: str, env: dict[str, str]) -> float:
    """Seconds from starting ``python -c code`` to its first paint of the window."""
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    for line in out.stdout.splitlines():
        if line.startswith("painted "):
            return float(line.split()[1]) - t0
    raise RuntimeError(f"no paint reported:\n{out.stdout}\n{out.stderr}")


def import_seconds(env: dict[str, str]) -> float:
    """The main window module's import time (``-X importtime`` cumulative, seconds)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import audioclass_gui.qt.main_window"],
        env=env, capture_output=True, text=True, check=True,
    )
    for line in out.stderr.splitlines():
        if line.rstrip().endswith("| audioclass_gui.qt.main_window"):
            return int(line.split("|")[1]) / 1e6
    raise RuntimeError("main_window not in the import-time report")


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="acg-startup-") as tmp:
        home = Path(tmp)
        env = _env(home)
        _seen_guide(home)
        time_to_paint(APP, env)  # warm the disk cache and prepare the demo once
        bare, ours = [], []
        for _ in range(args.repeat):
            bare.append(time_to_paint(BARE, env))
            ours.append(time_to_paint(APP, env))
        imports = statistics.median(import_seconds(env) for _ in range(3))
    b, o = statistics.median(bare), statistics.median(ours)
    print(f"{'case':<28}{'median s':>10}{'min s':>8}{'max s':>8}")
    print(f"{'bare PySide6 + pyqtgraph':<28}{b:>10.3f}{min(bare):>8.3f}{max(bare):>8.3f}")
    print(f"{'audioclass-gui window':<28}{o:>10.3f}{min(ours):>8.3f}{max(ours):>8.3f}")
    print(f"{'  of which main_window import':<28}{imports:>10.3f}")
    print(f"ratio (app / bare): {o / b:.2f}  (target <= 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
