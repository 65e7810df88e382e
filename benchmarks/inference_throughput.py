"""BirdNET throughput: our whole pipeline against a bare LiteRT interpreter.

Generates a 48 kHz recording (10 minutes by default), then measures in one
run:

- ``pipeline``: ``iter_predictions`` with the BirdNET model: decoding,
  framing, inference and building ``ClipPrediction`` objects;
- ``bare``: a plain ``ai_edge_litert`` interpreter on the unmodified model
  file at the same batch size over the same, already decoded, frames.

It prints seconds of audio per wall second for each and the ratio
pipeline / bare (1.0 means the pipeline adds no overhead).

Usage: python benchmarks/inference_throughput.py [--minutes M] [--batch-size B]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.models import BirdNET, birdnet_files, iter_predictions


def make_recording(path: Path, minutes: float, samplerate: int = 48000) -> None:
    rng = np.random.default_rng(0)
    block = samplerate * 10
    with sf.SoundFile(path, "w", samplerate=samplerate, channels=1, subtype="PCM_16") as fh:
        for i in range(int(minutes * 6)):
            t = (np.arange(block) + i * block) / samplerate
            x = 0.01 * rng.standard_normal(block)
            x += 0.2 * np.sin(2 * np.pi * (3000 + 500 * np.sin(t)) * t) * (np.sin(t * 2) > 0.7)
            fh.write(x.astype(np.float32))


def bare_interpreter(path: Path, batch: int, threads: int) -> float:
    from ai_edge_litert.interpreter import Interpreter

    audio, sr = sf.read(path, dtype="float32")
    assert sr == 48000
    n = len(audio) // 144000
    frames = audio[: n * 144000].reshape(n, 144000)
    interp = Interpreter(model_path=str(birdnet_files().model), num_threads=threads)
    inp = interp.get_input_details()[0]["index"]
    out = interp.get_output_details()[0]["index"]
    interp.resize_tensor_input(inp, [batch, 144000])
    interp.allocate_tensors()
    t0 = time.perf_counter()
    for i in range(0, n - batch + 1, batch):
        interp.set_tensor(inp, frames[i : i + batch])
        interp.invoke()
        interp.get_tensor(out)
    seconds = (n - n % batch) * 3.0
    return seconds / (time.perf_counter() - t0)


def pipeline(path: Path, batch: int, threads: int) -> float:
    model = BirdNET(batch_size=batch, num_threads=threads, confidence_threshold=0.1)
    info = read_info(path)
    recording = to_recording(info)
    t0 = time.perf_counter()
    for _step in iter_predictions(model, recording):
        pass
    return info.duration / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.wav"
        make_recording(path, args.minutes)
        ours = pipeline(path, args.batch_size, args.threads)
        bare = bare_interpreter(path, args.batch_size, args.threads)
    print(f"audio: {args.minutes:g} min at 48 kHz, batch {args.batch_size}, {args.threads} threads")
    print(f"pipeline (decode + frames + model + predictions): {ours:7.1f} x realtime")
    print(f"bare LiteRT interpreter (model only):              {bare:7.1f} x realtime")
    print(f"ratio pipeline / bare: {ours / bare:.2f}")


if __name__ == "__main__":
    main()
