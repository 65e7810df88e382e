"""Time to a usable window: a project of N detections against a 10-second file.

Each case starts the real app in a fresh process with ``--screenshot``,
which saves the window once it is ready (table filled, spectrogram painted,
then 600 ms for the last tile) and exits. ``ready`` is the time from the
process start to the "screenshot saved" line, ``exit`` to the end of the
process; peak RSS is the process's own (``wait4``; Linux counts the peak of
the process that started it too, so projects are built in a process of
their own and this one stays small). Projects are built as
``benchmarks/project_scale.py`` builds them (a predictions store file over
sparse WAV files) and opened once beforehand, so each start measured is a
reopen, as a user reopening a project sees it.

Reference, in the same run: a 10-second WAV reviewed on its own (its
review kept in the app's data folder), opened the same way. The machines
these run on are shared and noisy: each case is started ``--repeat`` times,
alternating with the reference, and medians are compared.

With ``--keep DIR`` the projects are built in ``DIR`` and kept; a later run
with the same ``DIR`` reuses them (building 20 M detections takes minutes),
and its "1st open" column is then a reopen too.

Usage: python benchmarks/window_open.py [--sizes 50000 2000000 20000000] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).parent))
import project_scale


@dataclass(frozen=True)
class Start:
    """One start of the app: seconds to the ready window and to exit, peak RSS in GB."""

    ready: float
    exit: float
    rss_gb: float


def start(target: Path, env: dict[str, str], shot: Path) -> Start:
    """Start the app on ``target`` with ``--screenshot`` and time it."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "audioclass_gui", str(target), "--screenshot", str(shot)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready = None
    lines = []
    assert proc.stderr is not None
    for line in proc.stderr:
        lines.append(line)
        if ready is None and "screenshot saved" in line:
            ready = time.perf_counter() - t0
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode or ready is None:
        raise RuntimeError(f"{target}: exit {proc.returncode}: {''.join(lines[-3:]).strip()}")
    return Start(ready, seconds, usage.ru_maxrss / 1e6)  # ru_maxrss: KiB on Linux


def median(starts: list[Start]) -> Start:
    """The median of each figure."""
    return Start(
        statistics.median(s.ready for s in starts),
        statistics.median(s.exit for s in starts),
        statistics.median(s.rss_gb for s in starts),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[50_000, 2_000_000, 20_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="starts per case (medians)")
    parser.add_argument("--keep", type=Path, help="build the projects here, keep and reuse them")
    parser.add_argument("--build", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build is not None:
        n, root = args.build
        print(project_scale.build(Path(root), int(n))[0])
        return
    with project_scale.work_folder(args.keep) as tmp:
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
        print(
            f"{'detections':>11} {'recs':>5} {'build':>7} {'1st open':>8} {'ready':>7} "
            f"{'10-s ref':>8} {'ratio':>6} {'exit':>7} {'peak RSS':>8} {'ref RSS':>8}",
            flush=True,
        )
        for n in args.sizes:
            case = work / f"n{n}"
            done = case / "built"
            t0 = time.perf_counter()
            if done.exists():
                recordings = int(done.read_text())
            else:
                built = subprocess.run(
                    [sys.executable, __file__, "--build", str(n), str(case / "deployment")],
                    capture_output=True, text=True, check=True,
                )
                recordings = int(built.stdout.split()[-1])
                done.write_text(str(recordings))
            built = time.perf_counter() - t0
            first = start(case / "deployment", env, case / "first.png")
            refs, runs = [], []
            for i in range(args.repeat):
                refs.append(start(clip, env, work / f"ref{i}.png"))
                runs.append(start(case / "deployment", env, case / f"shot{i}.png"))
            ref, got = median(refs), median(runs)
            print(
                f"{n:>11,} {recordings:>5} {built:>6.0f}s {first.ready:>7.2f}s {got.ready:>6.2f}s "
                f"{ref.ready:>7.2f}s {got.ready / ref.ready:>6.2f} {got.exit:>6.2f}s "
                f"{got.rss_gb:>7.2f}G {ref.rss_gb:>7.2f}G",
                flush=True,
            )


if __name__ == "__main__":
    main()
