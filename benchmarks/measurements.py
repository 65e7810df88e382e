"""Raven's measurements of 3-s detection windows: windows a second, against the STFT alone.

A recording of noise (``--minutes`` long, at each ``--rates``) is cut into
3-s windows, as BirdNET's detections; each window is measured over
0-15 kHz (``measure_many``: one open file, the spectrogram at the finest
hop of the default settings, Hann 1024, 75 % overlap). The reference, in the
same run: the same spectrogram columns computed by the view's own STFT
(``compute_tile`` of each window at the same hop), which every measurement
needs. Printed: windows a second for both and ``ratio`` = measuring time /
STFT time (1.0: the measurements cost nothing beyond the spectrogram).
The median of ``--repeat`` runs counts.

What it tells: ``export --measure`` measures accepted detections at about
the printed rate per core; the detection rows of a table export are not
measured by default (a million rows a second would become a few hundred).

Usage: python benchmarks/measurements.py [--minutes 10] [--rates 32000 48000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from audioclass_gui.audio.info import read_info
from audioclass_gui.spectrogram import SpectrogramParams, compute_tile
from audioclass_gui.spectrogram.measurements import measure_many


def _run(path: Path, windows: int, repeat: int) -> tuple[float, float]:
    info = read_info(path)
    params = SpectrogramParams()
    spans = [(3.0 * i, 3.0 * i + 3.0, 0.0, 15000.0) for i in range(windows)]
    columns = -(-round(3.0 * info.samplerate) // params.min_hop)
    list(measure_many(info, spans[:3], params))  # imports, caches
    measured, stft = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        for result in measure_many(info, spans, params):
            assert not isinstance(result, ValueError)
        measured.append(time.perf_counter() - t)
        t = time.perf_counter()
        for start, end, _lo, _hi in spans:
            compute_tile(path, start, end, params, max_columns=columns, info=info)
        stft.append(time.perf_counter() - t)
    return statistics.median(measured), statistics.median(stft)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--rates", type=int, nargs="+", default=[32000, 48000])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'rate':>6} {'windows':>8} {'measure/s':>10} {'stft/s':>8} {'ratio':>6}")
        for rate in args.rates:
            path = Path(tmp) / f"noise{rate}.wav"
            seconds = int(args.minutes * 60)
            sf.write(path, (0.1 * rng.standard_normal(seconds * rate)).astype(np.float32), rate)
            windows = seconds // 3
            m, s = _run(path, windows, args.repeat)
            print(f"{rate:>6} {windows:>8} {windows / m:>10.0f} {windows / s:>8.0f} {m / s:>6.2f}")


if __name__ == "__main__":
    main()
