"""Playback feeder: how much faster than real time it fills the ring, and its memory.

Generates a 32 kHz recording (10 minutes by default) and measures, in one run:

- ``read``: a plain sequential ``soundfile`` read of the whole file in
  0.05 s blocks (the reference: the disk and decoder alone);
- the feeder (read, mix, filter, gain, resample, write into the ring),
  drained by this thread as fast as it can, for several option sets,
  including the tape speeds a device may refuse (resampled to 48 kHz);
- the resampler alone at soxr's HQ (used) and VHQ qualities, per second
  of output;
- time from ``play_file`` to the first frame handed to a device that
  pulls 256-frame blocks;
- peak Python/numpy memory (tracemalloc) while streaming the whole file,
  against the size of the span as float32.

Each throughput is printed as seconds of recording per wall second
("x real time", at least 1 is needed to play without gaps) and as a ratio
to ``read``.

Usage: python benchmarks/playback_feeder.py [--minutes M]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from audioclass_gui.audio.engine import PlaybackEngine
from audioclass_gui.audio.feeder import SpanFeeder, ring_for
from audioclass_gui.audio.info import read_info
from audioclass_gui.audio.playback_dsp import PlaybackOptions, virtual_rate
from audioclass_gui.audio.ring import Marks

SR = 32000


def make_recording(path: Path, minutes: float) -> None:
    rng = np.random.default_rng(0)
    with sf.SoundFile(path, "w", samplerate=SR, channels=1, subtype="PCM_16") as fh:
        for k in range(int(minutes * 60)):
            t = (np.arange(SR) + k * SR) / SR
            fh.write(
                (
                    0.2 * np.sin(2 * np.pi * 3000 * t) + 0.02 * rng.standard_normal(SR)
                ).astype(np.float32)
            )


def plain_read(path: Path) -> float:
    started = time.perf_counter()
    with sf.SoundFile(path) as fh:
        while fh.read(int(0.05 * SR), dtype="float32").size:
            pass
    return time.perf_counter() - started


def feed(
    path: Path, options: PlaybackOptions, out_rate: int | None = None
) -> tuple[float, int]:
    """Seconds to stream the whole file through the feeder; output frames."""
    info = read_info(path)
    tape = virtual_rate(SR, options.speed)
    out = out_rate or tape
    ring = ring_for(out)
    feeder = SpanFeeder(
        info,
        start_frame=0,
        end_frame=info.frames,
        channel=None,
        options=options,
        tape_rate=tape,
        out_rate=out,
        ring=ring,
        marks=Marks(),
        on_ready=lambda: None,
    )
    block = np.zeros((4096, 1), np.float32)
    started = time.perf_counter()
    feeder.start()
    while not ring.fill(block, 4096):
        if ring.read == ring.written:
            time.sleep(0)
    feeder.join()
    return time.perf_counter() - started, ring.read


class PullingDevice:
    """Pulls 256-frame blocks on its own thread; notes when the first frame came."""

    def __init__(self, *, samplerate, channels, fill, finished, **_):
        self.fill, self.finished, self.channels = fill, finished, channels
        self.first: float | None = None
        self.stop = threading.Event()

    def start(self):
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        out = np.zeros((256, self.channels), np.float32)
        while not self.stop.is_set():
            before = out.copy()
            done = self.fill(out, 256)
            if self.first is None and not np.array_equal(before, out):
                self.first = time.perf_counter()
            if done:
                break
            time.sleep(0.001)
        self.finished()

    def abort(self):
        self.stop.set()

    def close(self):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    seconds = args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.wav"
        make_recording(path, args.minutes)
        plain_read(path)  # warm the page cache
        ref = plain_read(path)
        print(f"read (reference)              {seconds / ref:8.0f} x real time")
        cases = [
            ("feeder, as recorded", PlaybackOptions(), None),
            (
                "feeder, band 2-5 kHz + hp 200",
                PlaybackOptions(band=(2000.0, 5000.0), highpass=200.0),
                None,
            ),
            (
                "feeder, band + normalise",
                PlaybackOptions(band=(2000.0, 5000.0), normalise=True),
                None,
            ),
            ("feeder, 0.5x resampled 48k", PlaybackOptions(speed=0.5), 48000),
            ("feeder, 0.05x resampled 48k", PlaybackOptions(speed=0.05), 48000),
        ]
        for name, options, out_rate in cases:
            took, frames = feed(path, options, out_rate)
            print(
                f"{name:30s}{seconds / took:8.0f} x real time  ({ref / took:5.2f} of read, {frames} frames out)"
            )

        x = sf.read(path, dtype="float32", frames=SR * 60)[0]
        for quality in ("HQ", "VHQ"):
            for tape in (16000, 1600):
                stream = soxr.ResampleStream(
                    tape, 48000, 1, dtype="float32", quality=quality
                )
                started = time.perf_counter()
                n = sum(
                    stream.resample_chunk(x[i : i + 800]).size
                    for i in range(0, x.size, 800)
                )
                took = time.perf_counter() - started
                print(
                    f"soxr {quality:3s} {tape:5d} -> 48000 Hz      {took / (n / 48000) * 1e3:8.3f} ms per second of output"
                )

        starts = []
        devices: list[PullingDevice] = []

        def factory(**kwargs) -> PullingDevice:
            devices.append(PullingDevice(**kwargs))
            return devices[-1]

        engine = PlaybackEngine(factory)
        for _ in range(5):
            asked = time.perf_counter()
            engine.play_file(
                path, 30.0, 33.0, options=PlaybackOptions(band=(2000.0, 5000.0))
            )
            while devices[-1].first is None:
                time.sleep(0.0005)
            starts.append(devices[-1].first - asked)
            engine.stop()
        print(
            f"play_file to first frame      {np.median(starts) * 1e3:8.1f} ms (median of 5, band-pass on)"
        )

        tracemalloc.start()
        feed(path, PlaybackOptions(band=(2000.0, 5000.0)))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        whole = seconds * SR * 4
        print(
            f"peak memory streaming         {peak / 1e6:8.2f} MB for a {whole / 1e6:.0f} MB span ({peak / whole:.2%})"
        )


if __name__ == "__main__":
    main()
