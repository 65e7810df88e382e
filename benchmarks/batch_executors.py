"""Threads or processes? How ``audioclass-gui predict`` should use the cores.

Runs BirdNET end to end through :func:`audioclass_gui.batch.run_batch`
(decoding, inference, writing the ModelRun) over the same 10 minutes of
generated 48 kHz audio, once as one 10-minute file and once as eight
75-second files, with:

- ``threads x1, 2 interp threads``: one worker, one interpreter using
  every core (XNNPACK's own threading);
- ``threads xN``: N worker threads, each with a one-thread interpreter
  (LiteRT releases the GIL while it runs), long files split in segments;
- ``processes xN``: the same in N spawned worker processes;
- ``threads xN, no split``: as above but one task per file.

Each configuration runs ``--repeat`` times, interleaved; the best is
printed as seconds of audio per wall second, with its ratio to the first
configuration.

Usage: python benchmarks/batch_executors.py [--minutes M] [--repeat R] [--wait-idle]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from audioclass_gui.batch import BatchConfig, cpu_count, run_batch
from audioclass_gui.models.settings import RunSettings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inference import wait_for_idle_cpu  # benchmarks share helpers


def write_audio(path: Path, seconds: float, seed: int, samplerate: int = 48000) -> None:
    rng = np.random.default_rng(seed)
    block = samplerate * 10
    with sf.SoundFile(
        path, "w", samplerate=samplerate, channels=1, subtype="PCM_16"
    ) as fh:
        done = 0
        while done < seconds * samplerate:
            n = min(block, int(seconds * samplerate) - done)
            t = (np.arange(n) + done) / samplerate
            x = 0.01 * rng.standard_normal(n)
            x += (
                0.2
                * np.sin(2 * np.pi * (3000 + 500 * np.sin(t)) * t)
                * (np.sin(t * 2) > 0.7)
            )
            fh.write(x.astype(np.float32))
            done += n


def run(inputs: list[Path], out: Path, **kwargs: object) -> float:
    config = BatchConfig(
        output=out, settings=RunSettings(threshold=0.1), resume=False, **kwargs
    )
    t0 = time.perf_counter()
    report = run_batch(inputs, config)
    wall = time.perf_counter() - t0
    assert report.ok and len(report.finished) == len(inputs), report.problems
    return report.seconds / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument(
        "--files", type=int, default=8, help="files in the many-files case"
    )
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--wait-idle",
        action="store_true",
        help="before each measurement, wait until other work leaves the CPUs idle",
    )
    args = parser.parse_args()
    n = cpu_count()
    configs = {
        "threads x1, 2 interp threads": {"executor": "threads", "workers": 1},
        f"threads x{n}": {"executor": "threads", "workers": n},
        f"processes x{n}": {"executor": "processes", "workers": n},
        f"threads x{n}, no split": {
            "executor": "threads",
            "workers": n,
            "segment_seconds": 0,
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        one = root / "one"
        many = root / "many"
        one.mkdir()
        many.mkdir()
        write_audio(one / "long.wav", args.minutes * 60, 0)
        for i in range(args.files):
            write_audio(many / f"f{i}.wav", args.minutes * 60 / args.files, i + 1)
        cases = {
            f"one {args.minutes:g}-min file": sorted(one.iterdir()),
            f"{args.files} files of {args.minutes * 60 / args.files:g} s": sorted(
                many.iterdir()
            ),
        }
        print(
            f"BirdNET end to end, {args.minutes:g} min of 48 kHz audio, {n} cores, best of {args.repeat}"
        )
        print(
            f"(load average {os.getloadavg()[0]:.2f}: other work on this machine slows every figure)"
        )
        for case, inputs in cases.items():
            best = dict.fromkeys(configs, 0.0)
            for r in range(args.repeat):
                for name, kwargs in configs.items():
                    if args.wait_idle:
                        wait_for_idle_cpu()
                    best[name] = max(
                        best[name],
                        run(inputs, root / f"out-{r}-{len(inputs)}", **kwargs),
                    )
            reference = next(iter(best.values()))
            print(f"\n{case}:")
            for name, value in best.items():
                print(
                    f"  {name:32s} {value:7.1f} x realtime   ratio {value / reference:4.2f}"
                )


if __name__ == "__main__":
    main()
