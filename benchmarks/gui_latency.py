"""Does the window stay responsive while BirdNET runs?

Opens the real main window (Qt's offscreen platform unless a display is
set) on a generated 48 kHz recording (10 minutes by default) and runs a
10 ms precise ``QTimer`` throughout. Its lateness (time between two ticks
minus 10 ms) measures how long the event loop was kept from running. The
script records it

- while the window sits idle with the recording shown (the reference), and
- while BirdNET runs over the whole recording from the model panel's worker
  (predictions streaming into the detection table and overlay),

and prints the 50th and 99th percentiles and the maximum of each, in
milliseconds, and the p99 during the run (target < 50 ms).

Usage: python benchmarks/gui_latency.py [--minutes M] [--model birdnet]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inference import make_recording


class LatencyProbe:
    """Records the lateness of a 10 ms precise timer, in seconds."""

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000
        self.samples: list[float] = []
        self._last = None
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.samples.append(max(0.0, now - self._last - self.interval))
        self._last = now

    def start(self) -> None:
        self.samples = []
        self._last = None
        self.timer.start()

    def stop(self) -> np.ndarray:
        self.timer.stop()
        return np.asarray(self.samples) * 1000


def wait_until(app, condition, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.002)


def describe(name: str, ms: np.ndarray) -> str:
    if ms.size == 0:
        return f"{name}: no samples"
    return (
        f"{name:28s} ticks {ms.size:6d}   p50 {np.percentile(ms, 50):6.2f} ms   "
        f"p99 {np.percentile(ms, 99):6.2f} ms   max {ms.max():7.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--model", default="birdnet")
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from audioclass_gui.qt.app import create_application
    from audioclass_gui.qt.main_window import MainWindow

    app = create_application()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gui-bench.wav"
        make_recording(path, args.minutes)
        window = MainWindow()
        window.resize(1400, 900)
        window.show()
        opened: list[object] = []
        window.recording_opened.connect(opened.append)
        window.open_path(path)
        wait_until(app, lambda: bool(opened), 60)
        probe = LatencyProbe()

        # Reference: the window idle, recording shown (tiles settle first).
        settle = time.perf_counter() + 1.0
        wait_until(app, lambda: time.perf_counter() > settle, 10)
        probe.start()
        until = time.perf_counter() + args.idle_seconds
        wait_until(app, lambda: time.perf_counter() > until, args.idle_seconds + 5)
        idle = probe.stop()

        finished: list[bool] = []
        window.run_finished.connect(finished.append)
        probe.start()
        t0 = time.perf_counter()
        window.run_model(args.model)
        wait_until(app, lambda: bool(finished), 1800)
        wall = time.perf_counter() - t0
        running = probe.stop()
        detections = len(window.session) if window.session is not None else 0
        window.close()
        window.deleteLater()
        app.processEvents()

    print(
        f"main window ({os.environ.get('QT_QPA_PLATFORM', 'display')}), {args.model} over "
        f"{args.minutes:g} min of 48 kHz audio in {wall:.1f} s ({args.minutes * 60 / wall:.0f}x realtime, "
        f"{detections} detections), 10 ms timer lateness:"
    )
    print("  " + describe("idle (reference)", idle))
    print("  " + describe(f"while {args.model} runs", running))
    p99 = float(np.percentile(running, 99)) if running.size else float("nan")
    print(f"p99 lateness while running: {p99:.1f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()
    # Skip interpreter teardown: PySide6 objects finalized in arbitrary order
    # can crash it, which would only hide the figures above.
    sys.stdout.flush()
    os._exit(0)
