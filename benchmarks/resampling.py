"""Resamplers for BirdNET: quality (score error) and speed, measured together.

Quality: BirdNET v2.4 top scores per 3 s window of ../shared/data/birds_10s.wav
(32 kHz) resampled to 48 kHz by each candidate, against the ideal
band-limited interpolation (FFT resampling of the zero-padded signal, so the
3:2 ratio is exact and nothing wraps around). Speed: milliseconds per second
of audio for 60 s of noise at several input rates, and the ratio to the app's
soxr VHQ resampler timed in the same run. (Agreement with BirdNET-Analyzer's
own scores is measured by ``benchmarks/resampler_parity.py``.)

    python benchmarks/resampling.py

birds_10s.wav: opensoundscape 0.13.2 sample data (MIT License, Copyright (c)
2020 University of Pittsburgh).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from scipy import signal

from audioclass_gui.audio.resample import resample as app_resample
from audioclass_gui.models.birdnet import BirdNET

BIRDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "birds_10s.wav"
TARGET = 48_000
Resampler = Callable[[np.ndarray, int], np.ndarray]


def _ratio(rate: int) -> tuple[int, int]:
    g = gcd(rate, TARGET)
    return TARGET // g, rate // g


def _long_sinc(x: np.ndarray, rate: int, half: int = 100) -> np.ndarray:
    up, down = _ratio(rate)
    taps = signal.firwin(
        2 * half * max(up, down) + 1, 1 / max(up, down), window=("kaiser", 8.0)
    )
    return signal.resample_poly(x, up, down, window=taps * up)


CANDIDATES: dict[str, Resampler] = {
    "app (soxr VHQ)": lambda x, r: app_resample(x, r, TARGET, "soxr_vhq"),
    "app kaiser_fast (BirdNET-Analyzer's)": lambda x, r: app_resample(
        x, r, TARGET, "kaiser_fast"
    ),
    "soxr HQ": lambda x, r: soxr.resample(x, r, TARGET, quality="HQ"),
    "scipy resample_poly default (kaiser 5)": lambda x, r: signal.resample_poly(
        x, *_ratio(r)
    ),
    "scipy resample_poly windowed sinc, 200 taps/phase": _long_sinc,
    "scipy FFT resample, whole file": lambda x, r: signal.resample(
        x, x.size * TARGET // r
    ),
}


def _reference(x: np.ndarray, rate: int) -> np.ndarray:
    padded = np.concatenate([x, np.zeros_like(x)])
    up, down = _ratio(rate)
    out = signal.resample(padded, padded.size * up // down)
    return out[: -(-x.size * up // down)]


def _top_scores(
    model: BirdNET, y: np.ndarray, columns: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    n = -(-y.size // model.input_samples)
    frames = np.zeros(n * model.input_samples, np.float32)
    frames[: y.size] = y
    probs = model.process_array(frames.reshape(n, -1)).class_probs
    cols = probs.argmax(axis=1) if columns is None else columns
    return probs[np.arange(n), cols], cols


def quality() -> None:
    if not BIRDS.is_file():
        print(f"skipping quality: {BIRDS} not found")
        return
    x, rate = sf.read(BIRDS, dtype="float32")
    model = BirdNET(num_threads=2, batch_size=4)
    ref, cols = _top_scores(model, _reference(x, rate).astype(np.float32), None)
    print(f"quality on {BIRDS.name} ({rate} Hz -> {TARGET} Hz), top score per window")
    print(f"  {'ideal reference':52s} " + " ".join(f"{v:.3f}" for v in ref))
    for name, fn in CANDIDATES.items():
        got, _ = _top_scores(model, np.asarray(fn(x, rate), np.float32), cols)
        err = np.abs(got - ref).max()
        print(
            f"  {name:52s} "
            + " ".join(f"{v:.3f}" for v in got)
            + f"   max error {err:.3f}"
        )


def speed(seconds: int = 60, repeats: int = 3) -> None:
    print(
        f"speed: ms per second of audio ({seconds} s of noise), ratio to the app's resampler"
    )
    rng = np.random.default_rng(0)
    for rate in (8000, 32000, 44100, 96000, 384000):
        x = rng.standard_normal(rate * seconds).astype(np.float32)
        times = {}
        for name, fn in CANDIDATES.items():
            best = min(_timed(fn, x, rate) for _ in range(repeats))
            times[name] = best / seconds * 1000
        base = times["app (soxr VHQ)"]
        cells = ", ".join(
            f"{n.split(',')[0]} {t:.2f} ({t / base:.1f}x)" for n, t in times.items()
        )
        print(f"  {rate:6d} Hz: {cells}")


def _timed(fn: Resampler, x: np.ndarray, rate: int) -> float:
    t0 = time.perf_counter()
    fn(x, rate)
    return time.perf_counter() - t0


if __name__ == "__main__":
    quality()
    speed()
