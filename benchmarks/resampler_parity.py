"""Our BirdNET scores against BirdNET-Analyzer 2.4.0's, per resampler, and their speed.

Agreement: birds_10s.wav (32 kHz) and its copies at 16, 22.05, 24, 44.1, 48
and 96 kHz (soxr VHQ, 16-bit; made as the fixtures' ``make/make_inputs.py``
makes them) run through our BirdNET with each resampler; the scores are
compared with the ten best species per 3 s window that BirdNET-Analyzer
2.4.0's CLI wrote for the same files (``--top_n 10``, in
``tests/fixtures/birdnet_analyzer/scores/``, four decimals). Printed per
rate and resampler: the largest score difference over those rows, and how
many windows have the same top species.

Speed: milliseconds per second of audio of each resampler (60 s of noise
at each rate) and of BirdNET itself (one thread, batches of 8 windows,
timed in the same run), and the share of a run's time the resampling
takes.

    python benchmarks/resampler_parity.py

birds_10s.wav: opensoundscape 0.13.2 sample data (MIT License, Copyright (c)
2020 University of Pittsburgh).
"""

from __future__ import annotations

import csv
import importlib.util
import tempfile
import time
from pathlib import Path

import numpy as np

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.audio.resample import RESAMPLERS, resample
from audioclass_gui.models.base import iter_outputs
from audioclass_gui.models.birdnet import BirdNET

ROOT = Path(__file__).resolve().parents[1]
BIRDS = ROOT.parent / "shared" / "data" / "birds_10s.wav"
FIXTURES = ROOT / "tests" / "fixtures" / "birdnet_analyzer"
RATES = (16000, 22050, 24000, 32000, 44100, 48000, 96000)


def make_copies(folder: Path) -> None:
    """The copies at every rate, as the fixtures were made."""
    path = FIXTURES / "make" / "make_inputs.py"
    spec = importlib.util.spec_from_file_location("make_inputs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(BIRDS, folder)


def analyzer_rows(rate: int) -> list[tuple[int, str, float]]:
    """BirdNET-Analyzer's ``(window, scientific name, score)`` rows for one copy."""
    path = FIXTURES / "scores" / f"birds_{rate}.BirdNET.results.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            (round(float(r["Start (s)"]) / 3.0), r["Scientific name"], float(r["Confidence"]))
            for r in csv.DictReader(handle)
        ]


def our_scores(model: BirdNET, path: Path, resampler: str) -> np.ndarray:
    """All of BirdNET's scores, windows by classes, for one file."""
    plan = model.plan_frames(to_recording(read_info(path)), resampler=resampler)
    return np.concatenate([out.class_probs for _, out in iter_outputs(model, plan)])


def agreement(model: BirdNET, folder: Path) -> None:
    column = {tag.value: i for i, tag in enumerate(model.tags)}
    print("agreement with BirdNET-Analyzer 2.4.0 (its 10 best species per window):")
    print(f"  {'rate':>6}  " + "  ".join(f"{name:>28}" for name in RESAMPLERS))
    for rate in RATES:
        rows = analyzer_rows(rate)
        cells = []
        for name in RESAMPLERS:
            scores = our_scores(model, folder / f"birds_{rate}.wav", name)
            diff = max(abs(scores[w, column[s]] - v) for w, s, v in rows)
            windows = sorted({w for w, _, _ in rows})
            best = {w: max((v, s) for ww, s, v in rows if ww == w)[1] for w in windows}
            same = sum(model.tags[int(scores[w].argmax())].value == best[w] for w in windows)
            cells.append(f"max diff {diff:.4f}, top {same}/{len(windows)}")
        print(f"  {rate:>6}  " + "  ".join(f"{c:>28}" for c in cells))


def _best_time(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def speed(seconds: int = 60) -> None:
    model = BirdNET(num_threads=1, batch_size=8)
    frames = (0.05 * np.random.default_rng(1).standard_normal((8, 144000))).astype(np.float32)
    model.process_array(frames)
    birdnet_ms = _best_time(lambda: model.process_array(frames)) / 24.0 * 1000
    print(f"speed: BirdNET itself {birdnet_ms:.2f} ms per second of audio (one thread)")
    print("  ms per second of audio, and share of a run's time (resampling + BirdNET)")
    rng = np.random.default_rng(0)
    for rate in RATES:
        if rate == 48000:
            continue
        x = (0.1 * rng.standard_normal(rate * seconds)).astype(np.float32)
        cells = []
        for name in RESAMPLERS:
            ms = _best_time(lambda x=x, r=rate, n=name: resample(x, r, 48000, n)) / seconds * 1000
            cells.append(f"{name} {ms:.2f} ({ms / (ms + birdnet_ms):.0%})")
        print(f"  {rate:>6} Hz: " + ", ".join(cells))


def main() -> None:
    if BIRDS.is_file():
        model = BirdNET(num_threads=2, batch_size=4)
        with tempfile.TemporaryDirectory() as tmp:
            make_copies(Path(tmp))
            agreement(model, Path(tmp))
    else:
        print(f"skipping agreement: {BIRDS} not found")
    speed()


if __name__ == "__main__":
    main()
