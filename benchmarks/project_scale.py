"""Project cost against the number of detections: 50 k, 500 k, 2 M and 20 M in one run.

For each size a process builds a folder project the way a deployment looks
after ``predict`` (and another, fresh one measures it): ``max(10, N / 10,000)`` recordings (sparse WAV files
of the right length, 3-s windows, three species per window out of 300) and
one predictions store file (``runs/birdnet.arrow``), then measures:

- ``first open``: the project opened for the first time (recordings' headers
  read and fingerprinted, journal created, store mapped), in the process
  that built it;
- ``reopen``: opened again in a fresh process (the figure users wait for);
- ``peak RSS`` of that process after the queries below;
- ``threshold p95``: a threshold change for the open recording (filtered,
  ordered ids, the first 50 rows made, status counts), and the same for a
  species across all recordings ordered by score;
- ``verdict p95``: a verdict made durable (journal append + fsync) and the
  next unreviewed detection of the recording selected;
- ``summaries``: the species panel's and recording list's counts after a
  verdict.

Reference, measured in the same run: a project of one 10-s recording with
30 detections, opened the same way (``reopen ratio``), and its peak RSS.

With ``--aoef N`` the first open of the same project as an AOEF ``ModelRun``
file (converted into the store once) is timed too, for sizes up to N, with
its peak RSS (measured in a process that only opens the project); ``--sizes
N --aoef N --aoef-only`` measures that alone.

With ``--exports`` each size is exported too (:func:`measure_exports`): the
Raven, CSV and Audacity tables of a season's verdicts (one per 100
detections), in rows per second with the number of rows and files (target:
1,000,000 rows/s each), up to 2 M detections the same tables of every
detection, and the whole project as AOEF (annotation project, dataset,
evaluation set and model run): its time and peak RSS in the measuring
process, measured from where it starts (the set-up that makes the verdicts
is measured apart), and again in a process that only opens the project
and exports (:func:`export_fresh`; target: peak RSS under 1.5 GB).

Usage: python benchmarks/project_scale.py [--sizes 50000 500000 2000000 20000000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore", category=DeprecationWarning)
# The recordings are the tests' sparse WAV files (silence that takes no disk space).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.deployment_project import sparse_wav  # noqa: E402

SPECIES = [f"Genus species{i:03d}" for i in range(300)]


def work_folder(keep: Path | None) -> contextlib.AbstractContextManager[str]:
    """Where a benchmark builds its projects: ``keep`` (made, kept, reused), else a temporary folder."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        return contextlib.nullcontext(str(keep))
    return tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP"))


def build(root: Path, n: int) -> tuple[int, float]:
    """Write the recordings and the store file; returns (recordings, seconds)."""
    from audioclass_gui.formats.prediction_store import StoredRun, write_stored_run

    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    n_rec = max(10, n // 10_000) if n > 100 else 1
    per_window = 3
    windows = -(-n // (n_rec * per_window))
    paths = []
    for r in range(n_rec):
        path = root / f"site{r // 50:02d}" / f"2024{5 + r % 3:02d}{1 + r % 28:02d}_{r:04d}.wav"
        sparse_wav(path, windows * 3.0 + 1.0)
        paths.append(str(path))
    total = n_rec * windows * per_window
    window = np.arange(total) // per_window
    rec = (window // windows).astype(np.int32)
    start = (window % windows).astype(np.float64) * 3.0
    # Three different species per window.
    base = np.repeat(rng.integers(0, len(SPECIES), total // per_window + 1), per_window)[:total]
    spc = ((base + (np.arange(total) % per_window) * 101) % len(SPECIES)).astype(np.int32)
    score = np.round(rng.beta(1.2, 6.0, total) * 0.95 + 0.05, 4)
    run = StoredRun(
        paths, SPECIES, rec[:n], spc[:n], start[:n], start[:n] + 3.0, score[:n],
        model_name="BirdNET", provenance={"version": "2.4"},
    )
    runs = root / "runs"
    write_stored_run(
        runs / "birdnet.arrow",
        run,
        encode=lambda p: os.path.relpath(p, runs),
        stamp=None,
    )
    return n_rec, time.perf_counter() - t0


def build_aoef(root: Path, n: int) -> None:
    """The same kind of project with an AOEF ModelRun instead of the store file.

    Written from columns (:class:`StreamedModelRun`, the app's own exporter),
    so that building 20 million predictions takes neither minutes nor the
    memory the first open is measured for.
    """
    from audioclass_gui.audio.info import read_info, to_recording
    from audioclass_gui.formats.aoef_stream import StreamedModelRun

    rng = np.random.default_rng(0)
    n_rec = max(10, n // 10_000)
    windows = -(-n // (n_rec * 3))
    recordings = []
    for r in range(n_rec):
        path = root / f"site{r:04d}.wav"
        sparse_wav(path, windows * 3.0 + 1.0)
        recordings.append(to_recording(read_info(path)))
    total = n_rec * windows * 3
    window = np.arange(total) // 3
    start = (window % windows) * 3.0
    columns = {
        "recording": (window // windows).astype(np.int32),
        "species": rng.integers(0, len(SPECIES), total).astype(np.int32),
        "start": start,
        "end": start + 3.0,
        "score": rng.beta(1.2, 6.0, total),
    }
    StreamedModelRun(
        name="BirdNET",
        description=json.dumps({"version": "2.4"}),
        version="2.4",
        recordings=recordings,
        species=SPECIES,
        columns=columns,
    ).write(root / "runs" / "birdnet.model_run.json")


def pct(values: list[float]) -> tuple[float, float]:
    a = np.asarray(values) * 1e3
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


def measure(n: int, workdir: Path, aoef: bool, exports: bool = False) -> dict:
    """Everything for one size, in this process."""
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.review import DetectionFilter, Order, Status

    root = workdir / "deployment"
    settings = workdir / "settings"
    out: dict = json.loads((workdir / "built.json").read_text())
    t0 = time.perf_counter()
    project = ReviewProject.open(root, settings_dir=settings)
    out["reopen_s"] = time.perf_counter() - t0
    s = project.session
    out["detections"] = len(s)
    if aoef:
        project.close()
        out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        return out
    rng = np.random.default_rng(1)
    recording = str(s.recordings[len(s.recordings) // 2].path)
    species = SPECIES[7]
    times: dict[str, list[float]] = {"threshold": [], "species": [], "verdict": [], "summaries": []}
    for t in rng.uniform(0.05, 0.6, 20):
        t0 = time.perf_counter()
        ids = s.query(DetectionFilter(min_score=float(t), recordings={recording}))
        s.get_many(ids[:50].tolist())
        s.counts(float(t))
        times["threshold"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ids = s.query(DetectionFilter(min_score=float(t), species={species}), Order.SCORE)
        s.get_many(ids[:50].tolist())
        times["species"].append(time.perf_counter() - t0)
    f = DetectionFilter(min_score=0.2, recordings={recording})
    current = s.next_unreviewed(None, f)
    for i in range(50):
        if current is None:
            break
        t0 = time.perf_counter()
        s.set_status([current], (Status.ACCEPTED, Status.REJECTED)[i % 2])
        current = s.next_unreviewed(current, f)
        project.select(current)
        times["verdict"].append(time.perf_counter() - t0)
        if i % 10 == 0:
            t0 = time.perf_counter()
            s.species_summary(DetectionFilter(min_score=0.2))
            project.recordings(DetectionFilter(min_score=0.2))
            times["summaries"].append(time.perf_counter() - t0)
    for name, values in times.items():
        out[f"{name}_p50_ms"], out[f"{name}_p95_ms"] = pct(values)
    out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    if exports:
        measure_exports(project, workdir, out)
    project.close()
    return out


def rss_gb(field: str = "VmHWM") -> float:
    """This process's resident memory (``VmRSS``) or its peak (``VmHWM``) in GB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024 / 1e9
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def reset_peak() -> None:
    """Start a new peak RSS (``VmHWM``) from the current RSS (Linux >= 4.0; else no-op)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def measure_exports(project, workdir: Path, out: dict) -> None:
    """Verdict tables (rows/s) and the whole project as AOEF (time, peak RSS).

    Each table format is exported three times (fresh folders, left for the
    temporary folder's removal; the median counts), as the Export menu does
    it: rows taken from the session, then written. Up to 2 M detections the
    tables of every detection (``include_unreviewed``) are timed too, once.

    The verdicts are made first (the set-up, its own peak RSS); the AOEF
    export's peak RSS is measured from the RSS it starts at (the peak is
    reset, Linux), so that the set-up's peak does not hide it. The same
    export in a process that only opens the project and exports is
    :func:`export_fresh`.
    """
    from audioclass_gui.formats.exports import export
    from audioclass_gui.review import DetectionFilter, Status

    s = project.session
    # A reviewer's season: 1 verdict per 100 detections (at least 10,000).
    ids = s.query(DetectionFilter(min_score=0.3))
    pick = np.random.default_rng(4).choice(
        len(ids), min(len(ids), max(10_000, len(s) // 100)), replace=False
    )
    chosen = np.sort(ids[pick]).tolist()
    reset_peak()
    before = rss_gb("VmRSS")
    t0 = time.perf_counter()
    s.set_status(chosen[::2], Status.ACCEPTED)
    s.set_status(chosen[1::2], Status.REJECTED)
    out["setup_s"] = time.perf_counter() - t0
    out["setup_rss_gb"] = (before, rss_gb())
    out["verdicts"] = len(chosen)
    out["table_rows"] = rows = s.judged_count() + len(s.boxes())
    for fmt in ("raven", "csv", "audacity"):
        times = []
        for attempt in range(3):
            target = workdir / "export" / f"{fmt}{attempt}"
            t0 = time.perf_counter()
            written = export(s, fmt, target)
            times.append(time.perf_counter() - t0)
        out[f"{fmt}_s"] = float(np.median(times))
        out[f"{fmt}_rows_per_s"] = rows / out[f"{fmt}_s"]
        out[f"{fmt}_files"] = len(written)
    if len(s) <= 2_000_000:
        for fmt in ("raven", "csv", "audacity"):
            target = workdir / "export" / f"all-{fmt}"
            t0 = time.perf_counter()
            export(s, fmt, target, include_unreviewed=True)
            out[f"all_{fmt}_rows_per_s"] = len(s) / (time.perf_counter() - t0)
    reset_peak()
    out["export_start_rss_gb"] = rss_gb("VmRSS")
    t0 = time.perf_counter()
    export(s, "aoef", workdir / "export" / "aoef" / "review.json")
    out["aoef_s"] = time.perf_counter() - t0
    out["aoef_gb"] = sum(
        p.stat().st_size for p in (workdir / "export" / "aoef").iterdir()
    ) / 1e9
    out["export_peak_rss_gb"] = rss_gb()


def export_fresh(workdir: Path) -> dict:
    """Open the project (its verdicts read from the journal) and export it as AOEF, alone.

    What a user waits for and the memory it takes: time to open, time to
    export, and the process's peak RSS.
    """
    from audioclass_gui.formats.exports import export
    from audioclass_gui.project import ReviewProject

    t0 = time.perf_counter()
    project = ReviewProject.open(workdir / "deployment", settings_dir=workdir / "settings")
    out = {"open_s": time.perf_counter() - t0, "verdicts": project.session.judged_count()}
    out["open_rss_gb"] = rss_gb()
    target = workdir / "export" / "fresh" / "review.json"
    t0 = time.perf_counter()
    written = export(project.session, "aoef", target)
    out["aoef_s"] = time.perf_counter() - t0
    out["files"] = {p.name: p.stat().st_size for p in written}
    out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    project.close()
    return out


def build_project(n: int, workdir: Path, aoef: bool) -> None:
    """Write the project (in its own process, so its memory is not measured).

    A store-file project is opened once here (``first open``); an AOEF one
    is opened first by :func:`first_open`, in a process of its own, so that
    the peak RSS of the conversion is measured alone.
    """
    out: dict = {"n": n}
    root = workdir / "deployment"
    if aoef:
        t0 = time.perf_counter()
        build_aoef(root, n)
        out["aoef_build_s"] = time.perf_counter() - t0
        (workdir / "built.json").write_text(json.dumps(out))
        return
    out["recordings"], out["build_s"] = build(root, n)
    from audioclass_gui.project import ReviewProject

    t0 = time.perf_counter()
    project = ReviewProject.open(root, settings_dir=workdir / "settings")
    out["first_open_s"] = time.perf_counter() - t0
    project.set_reviewer("Bench Mark", remember=False)
    project.close()
    (workdir / "built.json").write_text(json.dumps(out))


def first_open(workdir: Path) -> None:
    """Open a built AOEF project for the first time: time and peak RSS of the import."""
    from audioclass_gui.project import ReviewProject

    out: dict = json.loads((workdir / "built.json").read_text())
    t0 = time.perf_counter()
    project = ReviewProject.open(workdir / "deployment", settings_dir=workdir / "settings")
    out["first_open_s"] = time.perf_counter() - t0
    out["first_open_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    out["first_open_problems"] = project.problems[:3]
    project.set_reviewer("Bench Mark", remember=False)
    project.close()
    (workdir / "built.json").write_text(json.dumps(out))


def run_child(n: int, aoef: bool, exports: bool = False) -> dict:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        for step in ("--build", "--first", "--one") if aoef else ("--build", "--one"):
            args = [sys.executable, __file__, step, str(n), "--dir", tmp]
            if aoef:
                args.append("--as-aoef")
            if exports and step == "--one":
                args.append("--exports")
            done = subprocess.run(args, capture_output=True, text=True, check=False)
            if done.returncode:
                return {"n": n, "error": done.stderr.strip().splitlines()[-1:]}
        out = json.loads(done.stdout.strip().splitlines()[-1])
        if exports and not aoef:
            args = [sys.executable, __file__, "--export-fresh", str(n), "--dir", tmp]
            done = subprocess.run(args, capture_output=True, text=True, check=False)
            if done.returncode:
                out["fresh"] = {"error": done.stderr.strip().splitlines()[-1:]}
            else:
                out["fresh"] = json.loads(done.stdout.strip().splitlines()[-1])
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[50_000, 500_000, 2_000_000, 20_000_000])
    parser.add_argument("--aoef", type=int, default=0, help="also time AOEF first opens up to this size")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--export-fresh", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--as-aoef", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--exports", action="store_true",
        help="also export every size: verdict tables (rows/s) and AOEF (time, peak RSS)",
    )
    parser.add_argument(
        "--aoef-only", action="store_true", help="only the AOEF first opens (see --aoef)"
    )
    args = parser.parse_args()
    if args.build is not None:
        build_project(args.build, args.dir, args.as_aoef)
        return
    if args.first is not None:
        first_open(args.dir)
        return
    if args.export_fresh is not None:
        print(json.dumps(export_fresh(args.dir)))
        return
    if args.one is not None:
        print(json.dumps(measure(args.one, args.dir, args.as_aoef, args.exports)))
        return
    if args.aoef_only:
        args.sizes, aoef_sizes = [], [n for n in args.sizes if n <= args.aoef]
    else:
        aoef_sizes = [n for n in args.sizes if n <= args.aoef]
    reference = run_child(30, False)
    print(
        f"reference: one 10-s recording, {reference.get('detections')} detections: "
        f"reopen {reference['reopen_s'] * 1e3:.0f} ms, peak RSS {reference['peak_rss_gb']:.2f} GB"
    )
    header = (
        f"{'detections':>11} {'recs':>5} {'first open':>10} {'reopen':>8} {'ratio':>6} "
        f"{'peak RSS':>8} {'thr p95':>8} {'species p95':>11} {'verdict p95':>11} {'summaries p95':>13}"
    )
    print(header)
    rows = []
    for n in args.sizes:
        r = run_child(n, False, args.exports)
        rows.append(r)
        if "error" in r:
            print(f"{n:>11,}  failed: {r['error']}")
            continue
        print(
            f"{r['detections']:>11,} {r['recordings']:>5} {r['first_open_s']:>9.2f}s {r['reopen_s']:>7.2f}s "
            f"{r['reopen_s'] / reference['reopen_s']:>6.1f} {r['peak_rss_gb']:>7.2f}G "
            f"{r['threshold_p95_ms']:>6.1f}ms {r['species_p95_ms']:>9.1f}ms "
            f"{r['verdict_p95_ms']:>9.1f}ms {r['summaries_p95_ms']:>11.1f}ms",
            flush=True,
        )
    for r in rows:
        if "aoef_s" in r:
            tables = ", ".join(
                f"{name} {r[f'{fmt}_rows_per_s']:,.0f} rows/s ({r[f'{fmt}_s'] * 1e3:.0f} ms, "
                f"{r[f'{fmt}_files']} files)"
                for fmt, name in (("raven", "Raven"), ("csv", "CSV"), ("audacity", "Audacity"))
            )
            print(
                f"exports at {r['n']:,} ({r['verdicts']:,} verdicts, {r['table_rows']:,} table "
                f"rows): {tables}; target >= 1,000,000 rows/s"
            )
            if "all_csv_rows_per_s" in r:
                print(
                    f"  every detection ({r['detections']:,} rows): Raven "
                    f"{r['all_raven_rows_per_s']:,.0f} rows/s, CSV {r['all_csv_rows_per_s']:,.0f} "
                    f"rows/s, Audacity {r['all_audacity_rows_per_s']:,.0f} rows/s"
                )
            before, peak = r["setup_rss_gb"]
            print(
                f"  set-up: {r['verdicts']:,} verdicts made in {r['setup_s']:.1f} s, RSS "
                f"{before:.2f} -> peak {peak:.2f} GB"
            )
            print(
                f"  AOEF of every prediction {r['aoef_s']:.1f} s ({r['aoef_gb']:.2f} GB written), "
                f"RSS {r['export_start_rss_gb']:.2f} GB at start, peak {r['export_peak_rss_gb']:.2f} GB"
            )
            fresh = r.get("fresh", {})
            if "error" in fresh:
                print(f"  AOEF in a fresh process: failed: {fresh['error']}")
            elif fresh:
                sizes = ", ".join(f"{k} {v / 1e9:.2f} GB" for k, v in fresh["files"].items())
                print(
                    f"  AOEF in a fresh process (open {fresh['open_s']:.1f} s, "
                    f"{fresh['verdicts']:,} verdicts, RSS {fresh['open_rss_gb']:.2f} GB; export "
                    f"{fresh['aoef_s']:.1f} s): peak RSS {fresh['peak_rss_gb']:.2f} GB (target < 1.5 GB); "
                    f"{sizes}"
                )
    ok = [r for r in rows if "error" not in r]
    if len(ok) > 1:
        low, high = ok[0], ok[-1]
        print(
            f"peak RSS {high['n']:,} / {low['n']:,}: {high['peak_rss_gb'] / low['peak_rss_gb']:.2f}x "
            "(target <= 1.3x, and under 1.5 GB)"
        )
    for n in aoef_sizes:
        r = run_child(n, True)
        if "error" in r:
            print(f"AOEF {n:,}: failed: {r['error']}")
            continue
        print(
            f"AOEF ModelRun of {r['detections']:,}: first open (parse + store) {r['first_open_s']:.2f} s, "
            f"peak RSS {r['first_open_rss_gb']:.2f} GB; reopen (store) {r['reopen_s']:.2f} s, "
            f"peak RSS {r['peak_rss_gb']:.2f} GB"
        )


if __name__ == "__main__":
    main()
