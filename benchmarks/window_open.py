"""Time to a usable window: a project of N detections against a 10-second file.

Each case starts the real app in a fresh process with ``--screenshot``,
which exits once the window is ready (table filled, spectrogram painted),
and is timed from process start to exit; the app is started twice per case
and the second (warm) start is reported, as a user reopening a project sees
it. Projects are built as ``benchmarks/project_scale.py`` builds them (a
predictions store file over sparse WAV files) and opened once beforehand.

Reference, in the same run: a 10-second WAV reviewed on its own (its
review kept in the app's data folder), opened the same way.

Usage: python benchmarks/window_open.py [--sizes 50000 2000000 20000000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).parent))
import project_scale


def start(target: Path, env: dict[str, str], shot: Path) -> float:
    """Seconds from start to exit of the app on ``target``."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "audioclass_gui", str(target), "--screenshot", str(shot)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if done.returncode:
        raise RuntimeError(done.stderr.strip().splitlines()[-1:])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[50_000, 2_000_000, 20_000_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "AUDIOCLASS_GUI_DATA_DIR": str(work / "data"),
            "AUDIOCLASS_GUI_CONFIG_DIR": str(work / "settings"),
            "AUDIOCLASS_GUI_CACHE_DIR": str(work / "cache"),
        }
        clip = work / "ten_seconds.wav"
        rng = np.random.default_rng(0)
        sf.write(clip, (rng.standard_normal(320_000) * 0.01).astype(np.float32), 32_000)
        start(clip, env, work / "ref0.png")
        reference = start(clip, env, work / "ref.png")
        print(f"reference: a 10-s recording on its own, warm start to a ready window: {reference:.2f} s")
        print(f"{'detections':>11} {'window ready':>12} {'ratio':>6}")
        for n in args.sizes:
            case = work / f"n{n}"
            case.mkdir()
            project_scale.build(case / "deployment", n)
            start(case / "deployment", env, case / "first.png")
            seconds = start(case / "deployment", env, case / "shot.png")
            print(f"{n:>11,} {seconds:>11.2f}s {seconds / reference:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
