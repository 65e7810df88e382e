"""BirdNET end to end: our engine against the tools ecologists use today.

Generates one 48 kHz recording (10 minutes by default) and measures, in one
run and interleaved (best of ``--repeat``), seconds of audio per wall second
for:

(a) ``ours``: :func:`audioclass_gui.batch.run_batch`, what ``audioclass-gui
    predict FILE -o OUT.json --raven --csv`` runs: model loading, decoding,
    inference, and writing the ModelRun, a Raven table and a CSV table;
(b) ``birdnet``: the ``birdnet`` PyPI package (1.3.1) loading the same
    weights with ``birdnet.load_custom("acoustic", "2.4", "tf", MODEL,
    LABELS, library="litert")`` and ``model.predict(FILE)`` with its
    defaults (one worker process per physical core, batch 1) and with batch
    8, writing its CSV; it runs in its own interpreter (``--birdnet-python``,
    by default /work/venv-birdnet/bin/python or this one if it has
    ``birdnet``), timed from model loading to the CSV;
(c) ``litert-b1``: a plain LiteRT interpreter as BirdNET-Analyzer configures
    it, batch 1, XNNPACK disabled
    (``OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES``), every core,
    decoding the file with soundfile and writing a CSV of the scores above
    the threshold.

It prints each rate and our ratio to the faster peer (target >= 1.5). With
``--rss`` it also runs our engine on a 1-hour and a 4-hour file in fresh
processes and prints their peak resident memory (target < 500 MB, and
flat in file length).

Usage: python benchmarks/inference.py [--minutes M] [--repeat R] [--wait-idle] [--rss]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import soundfile as sf

THRESHOLD = 0.1


def wait_for_idle_cpu(threshold: float = 0.85, timeout: float = 300.0) -> None:
    """Wait until the CPUs are ``threshold`` idle over 2 s (Linux; else return).

    Other work on a shared machine slows every figure; waiting for a quiet
    moment before each measurement keeps the comparison fair.
    """

    def sample() -> tuple[int, int]:
        fields = [
            int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]
        ]
        return fields[3] + fields[4], sum(fields)

    if not Path("/proc/stat").exists():
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        idle0, total0 = sample()
        time.sleep(2.0)
        idle1, total1 = sample()
        if (idle1 - idle0) >= threshold * max(1, total1 - total0):
            return


def make_recording(path: Path, minutes: float, samplerate: int = 48000) -> None:
    """Noise with a warbling 3 kHz tone, written block by block (any length)."""
    rng = np.random.default_rng(0)
    block = samplerate * 10
    with sf.SoundFile(
        path, "w", samplerate=samplerate, channels=1, subtype="PCM_16"
    ) as fh:
        for i in range(int(round(minutes * 6))):
            t = (np.arange(block) + i * block) / samplerate
            x = 0.01 * rng.standard_normal(block)
            x += (
                0.2
                * np.sin(2 * np.pi * (3000 + 500 * np.sin(t)) * t)
                * (np.sin(t * 2) > 0.7)
            )
            fh.write(x.astype(np.float32))


def ours(path: Path, out: Path) -> float:
    from audioclass_gui.batch import BatchConfig, run_batch
    from audioclass_gui.models.settings import RunSettings

    config = BatchConfig(
        output=out / "ours.json",
        settings=RunSettings(threshold=THRESHOLD),
        raven=True,
        csv=True,
        resume=False,
    )
    t0 = time.perf_counter()
    report = run_batch([path], config)
    wall = time.perf_counter() - t0
    assert report.ok and report.finished, report.problems
    return report.seconds / wall


BIRDNET_SCRIPT = textwrap.dedent(
    """
    import json, sys, time

    if __name__ == "__main__":
        import birdnet
        import soundfile

        model_path, labels_path, audio, out, batch = sys.argv[1:6]
        t0 = time.perf_counter()
        model = birdnet.load_custom("acoustic", "2.4", "tf", model_path, labels_path, library="litert")
        result = model.predict(audio, batch_size=int(batch), default_confidence_threshold=THRESHOLD, top_k=None)
        result.to_csv(out)
        wall = time.perf_counter() - t0
        print(json.dumps({"wall": wall, "seconds": soundfile.info(audio).duration}))
    """.replace("THRESHOLD", repr(THRESHOLD))
)


def birdnet_python(given: str | None) -> str | None:
    candidates = [given] if given else ["/work/venv-birdnet/bin/python", sys.executable]
    for python in candidates:
        if python and Path(python).exists():
            probe = subprocess.run(
                [python, "-c", "import birdnet"], capture_output=True
            )
            if probe.returncode == 0:
                return python
    return None


def peer_birdnet(python: str, path: Path, out: Path, batch: int) -> float:
    from audioclass_gui.models import birdnet_files

    files = birdnet_files()
    script = out / "birdnet_peer.py"
    script.write_text(BIRDNET_SCRIPT)
    result = subprocess.run(
        [
            python,
            str(script),
            str(files.model),
            str(files.labels),
            str(path),
            str(out / "birdnet.csv"),
            str(batch),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"birdnet failed:\n{result.stderr[-2000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return figures["seconds"] / figures["wall"]


def peer_litert(path: Path, out: Path, threads: int) -> float:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    from audioclass_gui.models import birdnet_files
    from audioclass_gui.models.birdnet import read_labels

    files = birdnet_files()
    t0 = time.perf_counter()
    labels = read_labels(files.labels)
    interp = Interpreter(
        model_path=str(files.model),
        num_threads=threads,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]["index"]
    outp = interp.get_output_details()[0]["index"]
    audio, sr = sf.read(path, dtype="float32")
    assert sr == 48000
    n = -(-len(audio) // 144000)
    rows = []
    for i in range(n):
        frame = np.zeros((1, 144000), np.float32)
        chunk = audio[i * 144000 : (i + 1) * 144000]
        frame[0, : chunk.size] = chunk
        interp.set_tensor(inp, frame)
        interp.invoke()
        logits = interp.get_tensor(outp)[0]
        scores = 1 / (1 + np.exp(-np.clip(logits, -15, 15)))
        for c in np.flatnonzero(scores >= THRESHOLD):
            rows.append(
                (i * 3.0, i * 3.0 + 3.0, *labels[c], f"{scores[c]:.4f}", str(path))
            )
    with open(out / "litert.csv", "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return len(audio) / sr / (time.perf_counter() - t0)


RSS_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    from audioclass_gui.batch import BatchConfig, run_batch
    from audioclass_gui.models.settings import RunSettings
    report = run_batch([Path(sys.argv[1])], BatchConfig(output=Path(sys.argv[2]),
                       settings=RunSettings(threshold=0.1), raven=True, csv=True, resume=False))
    assert report.ok, report.problems
    # VmHWM: this process's own peak. ru_maxrss would also count the
    # parent's pages shared before exec (Linux keeps that high-water mark).
    status = Path("/proc/self/status")
    if status.exists():
        line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
        peak_mb = int(line.split()[1]) / 1024
    else:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(peak_mb, report.seconds / report.wall_seconds)
    """
)


def peak_rss(hours: float, folder: Path) -> tuple[float, float]:
    path = folder / f"rss-{hours:g}h.wav"
    make_recording(path, hours * 60)
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                RSS_SCRIPT,
                str(path),
                str(folder / f"rss-{hours:g}h.json"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        path.unlink()
    mb, rate = result.stdout.split()
    return float(mb), float(rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--birdnet-python", help="interpreter with the birdnet package installed"
    )
    parser.add_argument(
        "--wait-idle",
        action="store_true",
        help="before each measurement, wait until other work leaves the CPUs idle",
    )
    parser.add_argument(
        "--rss",
        action="store_true",
        help="also measure peak RSS on 1-hour and 4-hour files",
    )
    args = parser.parse_args()
    from audioclass_gui.batch import cpu_count

    threads = cpu_count()
    python = birdnet_python(args.birdnet_python)
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "bench.wav"
        make_recording(path, args.minutes)
        engines = {
            "ours (run_batch: decode, BirdNET, ModelRun + Raven + CSV)": lambda: ours(
                path, folder
            ),
            f"litert-b1 (plain LiteRT, batch 1, no XNNPACK, {threads} threads)": lambda: (
                peer_litert(path, folder, threads)
            ),
        }
        if python:
            engines["birdnet 1.3.1 (litert, defaults: batch 1)"] = lambda: peer_birdnet(
                python, path, folder, 1
            )
            engines["birdnet 1.3.1 (litert, batch 8)"] = lambda: peer_birdnet(
                python, path, folder, 8
            )
        for _ in range(args.repeat):
            for name, run in engines.items():
                if args.wait_idle:
                    wait_for_idle_cpu()
                best[name] = max(best.get(name, 0.0), run())
        print(
            f"BirdNET over {args.minutes:g} min of 48 kHz audio, {threads} cores, best of {args.repeat}:"
        )
        print(
            f"(load average {os.getloadavg()[0]:.2f}: other work on this machine slows every figure)"
        )
        for name, rate in best.items():
            print(f"  {name:66s} {rate:7.1f} x realtime")
        if not python:
            print(
                "  (birdnet package not found: pip install birdnet==1.3.1 in its own venv, "
                "pass --birdnet-python)"
            )
        name_ours = next(iter(best))
        peers = {k: v for k, v in best.items() if k != name_ours}
        fastest = max(peers, key=peers.get)
        ratio = best[name_ours] / peers[fastest]
        print(
            f"ratio ours / fastest peer ({fastest.split(' (')[0]}): {ratio:.2f}  (target >= 1.5)"
        )
        if args.rss:
            print("peak RSS of ours (fresh process each):")
            for hours in (1.0, 4.0):
                mb, rate = peak_rss(hours, folder)
                print(f"  {hours:g} h file: {mb:6.0f} MB  ({rate:.0f}x realtime)")


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    main()
