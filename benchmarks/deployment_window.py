"""GUI-thread stalls in the real window on a deployment, against a small project.

Opens a project as ``benchmarks/project_scale.py`` builds it (a predictions
store over sparse WAV files, ``N / 10,000`` recordings) in the real
:class:`~audioclass_gui.qt.main_window.MainWindow` (offscreen), and does
what a reviewer of a deployment does:

- ``threshold``: the model panel's threshold moved (six values);
- ``species, all recordings``: one species listed across every recording,
  best first (the species panel's "all recordings"), for four species;
- ``verdicts across recordings``: A / R pressed 15 times in that list,
  where each next detection is usually in another recording, which opens.

A 2 ms ``QTimer`` ticks throughout; the longest gap between two ticks
during an action and the 700 ms after it (the deferred recounts, the new
recording's spectrogram) is how long the window could not respond. The
same actions on a project of 50,000 detections (10 recordings), opened
in the same run, are the reference (``ratio``).

Each size runs in a process of its own (projects are built in it once, or
kept with ``--keep DIR``).

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/deployment_window.py
       [--sizes 50000 20000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import project_scale

ACTIONS = ("threshold", "species, all recordings", "verdicts across recordings")
SETTLE_MS = 700


def _stalls(root: Path) -> dict[str, list[float]]:
    """Open ``root`` in the window and time the actions; longest stall (ms) of each."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest

    from audioclass_gui.qt.app import create_application
    from audioclass_gui.qt.main_window import MainWindow
    from audioclass_gui.review import DetectionFilter, Order

    app = create_application()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(2)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for(done, seconds: float = 120.0) -> None:
        deadline = time.perf_counter() + seconds
        while not done():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{root}: the window did not get ready")
            wait(20)

    def act(fn) -> float:
        ticks[:] = [time.perf_counter()]
        fn()
        wait(SETTLE_MS)
        return float(np.diff(ticks).max() * 1e3)

    win = MainWindow()
    win.resize(1400, 900)
    win.show()
    win.open_path(root)
    wait_for(lambda: win.info is not None and win.table.model().rowCount() > 0)
    wait(1500)
    timer.start()
    out: dict[str, list[float]] = {name: [] for name in ACTIONS}
    for value in (0.6, 0.5, 0.7, 0.4, 0.55, 0.45):
        out["threshold"].append(act(lambda v=value: win.model_panel.set_threshold(v)))
    species = project_scale.SPECIES
    for name in (species[42], species[43], species[100], species[42]):
        out["species, all recordings"].append(
            act(
                lambda n=name: win.app.review.set_filter(
                    DetectionFilter(species=frozenset({n})), order=Order.SCORE, all_recordings=True
                )
            )
        )
    win.activateWindow()
    wait_for(win.isActiveWindow, 10.0)
    win.table.setFocus()
    for key in [Qt.Key.Key_A, Qt.Key.Key_R] * 8:
        out["verdicts across recordings"].append(act(lambda k=key: QTest.keyClick(win.table, k)))
    timer.stop()
    win.close()
    app.processEvents()
    return out


def _measure_in_child(n: int, work: Path) -> dict[str, list[float]]:
    """Build (once) and measure a project of ``n`` detections in a process of its own."""
    root = work / f"n{n}" / "deployment"
    if not (root / "runs").exists():
        project_scale.build(root, n)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "AUDIOCLASS_GUI_DATA_DIR": str(work / "data"),
        "AUDIOCLASS_GUI_CONFIG_DIR": str(work / "settings"),
        "AUDIOCLASS_GUI_CACHE_DIR": str(work / "cache"),
    }
    done = subprocess.run(
        [sys.executable, __file__, "--one", str(root)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{root}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[20_000_000])
    parser.add_argument("--keep", type=Path, help="build the projects here, keep and reuse them")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(_stalls(args.one)))
        return
    with project_scale.work_folder(args.keep) as tmp:
        work = Path(tmp)
        reference = _measure_in_child(50_000, work)
        print(f"{'detections':>11} {'action':<28} {'median':>7} {'max':>7} {'ref max':>8} {'ratio':>6}")
        for n in args.sizes:
            got = _measure_in_child(n, work)
            for action in ACTIONS:
                worst, ref = max(got[action]), max(reference[action])
                print(
                    f"{n:>11,} {action:<28} {np.median(got[action]):>5.0f}ms {worst:>5.0f}ms "
                    f"{ref:>6.0f}ms {worst / ref:>6.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
