"""Waveform of a 24-hour file: building its envelope once, then showing the whole day at once.

Uses the 24-hour 48 kHz mono FLAC of ``long_recordings.py`` (generated
once into the same cache folder by copying FLAC frames, see
:func:`long_recordings.write_repeated_flac`; 4.1 G samples) and a 10-second
file of the same audio. Measures, in one run:

- ``read``: the reference, one sequential decode of the whole file with
  soundfile in blocks of the builder's size (nothing kept);
- ``build``: the envelope built cold into an empty cache folder
  (:func:`~audioclass_gui.spectrogram.envelope_cache.load_or_build`), with
  the peak of memory allocated while building (tracemalloc) and the size
  of the cache entry; its ratio to ``read``;
- ``show``: opening the cached envelope and cutting the whole day into
  1,920 columns (median of 20, each opening the entry again), against the
  same slice of the 10-second file (read from the file, as the view does
  zoomed in that far);
- ``window``: the real main window (offscreen), waveform above the
  spectrogram, from ``open_path`` to the whole day drawn after zoom to fit,
  warm cache, against the same for the 10-second file (median of 3 fresh
  windows each).

Usage::

    python benchmarks/waveform.py [--cache DIR] [--skip-window]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from long_recordings import (
    BASE_FRAMES,
    BLOCK,
    SR,
    base_block,
    verify,
    write_repeated_flac,
)

from audioclass_gui.audio.info import read_info
from audioclass_gui.audio.reader import AudioReader
from audioclass_gui.spectrogram.envelope import BLOCK_SAMPLES
from audioclass_gui.spectrogram.envelope_cache import (
    entry_folder,
    load_envelope,
    load_or_build,
)
from audioclass_gui.spectrogram.waveform import waveform_slice

COLUMNS = 1920
DAY = 86400.0


def ensure_files(cache: Path) -> tuple[Path, Path]:
    """The 24-hour FLAC (as long_recordings.py makes it) and a 10-second FLAC."""
    cache.mkdir(parents=True, exist_ok=True)
    day, ten = cache / "one_day.flac", cache / "ten_seconds.flac"
    block = base_block(SR, BASE_FRAMES * BLOCK)
    if not (day.exists() and day.with_suffix(".ok").exists()):
        t0 = time.perf_counter()
        write_repeated_flac(day, block, round(DAY * SR), SR)
        verify(day, block)
        day.with_suffix(".ok").write_text("ok\n")
        print(f"generated {day.name}: {day.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - t0:.1f} s")
    if not ten.exists():
        sf.write(ten, base_block(SR, 10 * SR), SR, subtype="PCM_16")
    return day, ten


def reference_read(path: Path) -> float:
    """Seconds to decode the whole file once, in the builder's block size."""
    t0 = time.perf_counter()
    with sf.SoundFile(str(path)) as fh:
        while fh.read(BLOCK_SAMPLES, dtype="float32", always_2d=True).shape[0]:
            pass
    return time.perf_counter() - t0


def cold_build(path: Path, folder: Path) -> tuple[float, float, int, int]:
    """Build the envelope into an empty folder.

    Returns seconds in all, seconds of them spent decoding (the reader's
    calls, timed as they happen), peak bytes allocated and the entry's bytes.
    """
    shutil.rmtree(folder, ignore_errors=True)
    info = read_info(path)
    decoding = [0.0]
    real = AudioReader.read_channels

    def timed(self, start, stop):
        t = time.perf_counter()
        try:
            return real(self, start, stop)
        finally:
            decoding[0] += time.perf_counter() - t

    AudioReader.read_channels = timed
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        envelope = load_or_build(info, folder)
    finally:
        AudioReader.read_channels = real
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert envelope is not None and envelope.complete
    entry = entry_folder(path, folder)
    size = sum(f.stat().st_size for f in entry.iterdir())
    return seconds, decoding[0], peak, size


def show(path: Path, folder: Path | None, runs: int = 20) -> float:
    """Median milliseconds to open the envelope (if any) and cut the whole file into columns."""
    info = read_info(path)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        envelope = load_envelope(info, folder) if folder is not None else None
        piece = waveform_slice(info, 0.0, info.duration, COLUMNS, envelope=envelope)
        times.append((time.perf_counter() - t0) * 1000)
        assert piece.known
    return statistics.median(times)


def window_show(path: Path, cache: Path, runs: int = 3) -> tuple[float, float]:
    """Median milliseconds to the whole file drawn in the waveform (real window).

    From ``open_path``, and from the window having the recording open (its
    header read, the spectrogram set up).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["AUDIOCLASS_GUI_CACHE_DIR"] = str(cache)
    os.environ["AUDIOCLASS_GUI_CONFIG_DIR"] = tempfile.mkdtemp(prefix="acg-bench-config-")
    os.environ["AUDIOCLASS_GUI_DATA_DIR"] = tempfile.mkdtemp(prefix="acg-bench-data-")
    from PySide6.QtWidgets import QApplication

    from audioclass_gui.qt.app import create_application
    from audioclass_gui.qt.main_window import MainWindow

    app = QApplication.instance() or create_application()
    duration = read_info(path).duration
    times, after = [], []
    for _ in range(runs):
        win = MainWindow()
        win.show()
        win.waveform.set_mode("above")
        wave = win.waveform.view
        opened: list[float] = []
        win.recording_opened.connect(
            lambda _info, w=win, o=opened: (o.append(time.perf_counter()), w.view.zoom_to_fit())
        )
        t0 = time.perf_counter()
        win.open_path(path)
        deadline = t0 + 60
        while time.perf_counter() < deadline:
            app.processEvents()
            piece = wave.shown
            if opened and piece is not None and piece.known and abs(piece.end - duration) < 1e-3 * duration and piece.start == 0:
                break
            time.sleep(0.001)
        else:
            raise RuntimeError(f"{path.name}: the waveform was not drawn within a minute")
        now = time.perf_counter()
        times.append((now - t0) * 1000)
        after.append((now - opened[0]) * 1000)
        win.close()
        win.deleteLater()
        app.processEvents()
    return statistics.median(times), statistics.median(after)


def build(day: Path, folder: Path, duration: float) -> None:
    """Print the cold build against one decode of the file."""
    read_s = reference_read(day)
    build_s, decode_s, peak, size = cold_build(day, folder)
    print("\nenvelope built cold (one pass over the file):")
    print(f"  reference: one sequential decode  {read_s:7.1f} s  ({duration / read_s:,.0f}x real time)")
    print(f"  build (decode + min/max + write)  {build_s:7.1f} s  ratio to the decode {build_s / read_s:.2f}")
    print(f"    of which decoding (timed inside) {decode_s:6.1f} s: the envelope's own work adds "
          f"{(build_s - decode_s) / decode_s * 100:.0f} % to its decode")
    print(f"  memory allocated at peak {peak / 2**20:.1f} MB (blocks of {BLOCK_SAMPLES:,} samples); "
          f"cache entry {size / 2**20:.1f} MB ({size / day.stat().st_size * 100:.2f} % of the file)")


def show_and_window(day: Path, ten: Path, folder: Path, skip_window: bool) -> None:
    """Print the whole file shown from the cache against a 10-s file, alone and in the window."""
    ten_ms = show(ten, None)
    day_ms = show(day, folder)
    print(f"\nwhole file in {COLUMNS} columns, median of 20:")
    print(f"  10 s file (read from the file)       {ten_ms:7.2f} ms")
    print(f"  24 h file (envelope from the cache)  {day_ms:7.2f} ms  ratio to the 10 s file {day_ms / ten_ms:.2f}")

    if not skip_window:
        cache_root = folder.parent
        ten_w, ten_a = window_show(ten, cache_root)
        day_w, day_a = window_show(day, cache_root)
        print("\nreal window, the whole file drawn in the waveform (median of 3 fresh windows):")
        print("             from open_path      from the recording open")
        print(f"  10 s file  {ten_w:7.1f} ms          {ten_a:7.1f} ms")
        print(f"  24 h file  {day_w:7.1f} ms          {day_a:7.1f} ms")
        print(f"  ratio      {day_w / ten_w:7.2f}             {day_a / ten_a:7.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "audioclass-gui-bench")
    parser.add_argument("--skip-window", action="store_true", help="leave out the real-window figure")
    parser.add_argument(
        "--skip-build", action="store_true", help="keep the envelope built by an earlier run (no cold build)"
    )
    args = parser.parse_args()
    day, ten = ensure_files(args.cache)
    folder = args.cache / "app-cache" / "waveform"
    info = read_info(day)
    print(f"{day.name}: {info.duration / 3600:.1f} h, {info.samplerate} Hz, {info.frames:,} samples, "
          f"{day.stat().st_size / 1e6:,.0f} MB")

    if args.skip_build and load_envelope(info, folder) is not None:
        print("\n(--skip-build: the envelope of an earlier run is used)")
    else:
        build(day, folder, info.duration)
    show_and_window(day, ten, folder, args.skip_window)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
