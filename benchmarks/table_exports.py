"""Raven, CSV and Audacity verdict tables: rows per second, and how close to the disk's floor.

For each size a deployment is built as in ``benchmarks/project_scale.py``
(``N / 10,000`` recordings, 3-s windows, one predictions store file) and
opened as a project; one detection in a hundred gets a verdict (half
accepted, half rejected), as a season's review. Then, several times in
turn, each format is exported as the Export menu does it (rows taken from
the session, then written; the median counts):

- ``rows/s``: table rows (verdicts) per second (target: 1,000,000);
- ``floor``: the same files (same count, folders and sizes) written by
  plain ``os.open``/``os.write`` calls and flushed with one ``syncfs``, in
  the same run: what creating and flushing that much data costs on this
  disk now, whatever the load;
- ``ratio``: export time / floor time (1.0 would be no cost but the files').

``raven`` writes a table per recording and the combined one (the default);
``raven-one`` the combined table alone (``export --raven-combined-only``).
Per-recording tables are bound by creating and flushing one file per
recording (about 2,000 at 20 M detections): compare them with their floor.

Usage: python benchmarks/table_exports.py [--sizes 2000000 20000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore", category=DeprecationWarning)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from project_scale import build  # noqa: E402  (the same deployment as project_scale)

#: Name shown -> (format, export options).
FORMATS = {
    "raven": ("raven", {}),
    "raven-one": ("raven", {"raven_per_recording": False}),
    "csv": ("csv", {}),
    "audacity": ("audacity", {}),
}


def _syncfs(folder: Path) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        if getattr(libc, "syncfs", None) is not None:
            libc.syncfs(fd)
        else:
            os.sync()
    finally:
        os.close(fd)


def floor(written: list[Path], out: Path) -> float:
    """Seconds to write files of the same sizes into a fresh folder and flush them."""
    sizes = [(p, p.stat().st_size) for p in written]
    root = out.with_name(out.name + ".floor")
    chunk = b"x" * max((s for _p, s in sizes), default=0)
    t0 = time.perf_counter()
    for path, size in sizes:
        target = root / path.relative_to(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            os.write(fd, chunk[:size])
        finally:
            os.close(fd)
    _syncfs(root)
    seconds = time.perf_counter() - t0
    shutil.rmtree(root, ignore_errors=True)
    return seconds


def measure(n: int, workdir: Path, repeat: int) -> None:
    from audioclass_gui.formats.exports import export
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.review import DetectionFilter, Status

    root = workdir / "deployment"
    t0 = time.perf_counter()
    recordings, _ = build(root, n)
    built = time.perf_counter() - t0
    project = ReviewProject.open(root, settings_dir=workdir / "settings")
    project.set_reviewer("Bench Mark", remember=False)
    s = project.session
    ids = s.query(DetectionFilter(min_score=0.3))
    pick = np.random.default_rng(4).choice(
        len(ids), min(len(ids), max(10_000, len(s) // 100)), replace=False
    )
    chosen = np.sort(ids[pick]).tolist()
    s.set_status(chosen[::2], Status.ACCEPTED)
    s.set_status(chosen[1::2], Status.REJECTED)
    rows = s.judged_count()
    print(
        f"{len(s):,} detections, {recordings} recordings (built in {built:.0f} s), "
        f"{rows:,} table rows; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    times: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    floors: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    files: dict[str, int] = {}
    for attempt in range(repeat):
        for fmt, (kind, options) in FORMATS.items():
            out = workdir / "export" / f"{fmt}{attempt}"
            target = out / "review.verdicts.csv" if kind == "csv" else out
            t0 = time.perf_counter()
            written = export(s, kind, target, **options)
            times[fmt].append(time.perf_counter() - t0)
            floors[fmt].append(floor(written, out))
            files[fmt] = len(written)
            shutil.rmtree(out, ignore_errors=True)
    for fmt in FORMATS:
        t, f = float(np.median(times[fmt])), float(np.median(floors[fmt]))
        print(
            f"  {fmt:9s} {rows / t:>11,.0f} rows/s ({t * 1e3:6.0f} ms, {files[fmt]:>5} files); "
            f"floor {f * 1e3:5.0f} ms; ratio {t / f:4.1f}; target >= 1,000,000 rows/s",
            flush=True,
        )
    project.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[2_000_000, 20_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for n in args.sizes:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            measure(n, Path(tmp), args.repeat)


if __name__ == "__main__":
    main()
