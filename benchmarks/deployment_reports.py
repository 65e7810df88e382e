"""Deployment reports against the number of detections: 50 k, 2 M and 20 M in one run.

For each size a folder project is built as :mod:`project_scale` builds one
(``max(10, N / 10,000)`` sparse WAV recordings, 3-s windows, three species
per window out of 300, one predictions store file), except that the
recordings are named by start time (``siteNN/2024MMDD_210000.wav``, 50 per
site, one a night, so each crosses midnight), and one detection in 100
gets a verdict. Then, in the same process, it times:

- ``activity``: :func:`~audioclass_gui.review.activity.activity` at a
  threshold of 0.2 (the charts' data: per species, site, day and hour;
  target under 1 s at 20 M);
- ``presence``: every species' site x day table from it;
- ``hours``: :func:`~audioclass_gui.review.activity_series.recorded_per_hour`
  (made beside ``activity`` off the GUI thread by Reports › Activity);
- ``chart``: the two slices a change of species, site or count makes on the
  GUI thread in Reports › Activity (all species at all sites, and one
  species at one site: :func:`~audioclass_gui.review.activity_series.activity_series`);
- ``review``: :func:`~audioclass_gui.review.deployment.species_review`;
- ``events``: :func:`~audioclass_gui.review.events.group_events` (gap 1 s);
- ``write``: every table written by
  :func:`~audioclass_gui.formats.deployment_reports.write_reports` (which
  computes activity and events again).

Reference, measured in the same run on the same columns: one numpy pass,
detections per species above the threshold
(``np.bincount(species[score >= 0.2])``); each figure is printed with its
ratio to it.

Usage: python benchmarks/deployment_reports.py [--sizes 50000 2000000 20000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from project_scale import SPECIES, sparse_wav  # the tests' sparse WAV writer


def build(root: Path, n: int) -> int:
    """Recordings named by start time and one store file; returns the number of recordings."""
    from audioclass_gui.formats.prediction_store import StoredRun, write_stored_run

    rng = np.random.default_rng(0)
    n_rec = max(10, n // 10_000)
    windows = -(-n // (n_rec * 3))
    paths = []
    for r in range(n_rec):
        night = dt.date(2024, 5, 1) + dt.timedelta(days=r % 50)
        path = root / f"site{r // 50:02d}" / f"{night:%Y%m%d}_210000.wav"
        sparse_wav(path, windows * 3.0 + 1.0)
        paths.append(str(path))
    total = n_rec * windows * 3
    window = np.arange(total) // 3
    rec = (window // windows).astype(np.int32)
    start = (window % windows).astype(np.float64) * 3.0
    base = np.repeat(rng.integers(0, len(SPECIES), total // 3 + 1), 3)[:total]
    spc = ((base + (np.arange(total) % 3) * 101) % len(SPECIES)).astype(np.int32)
    score = np.round(rng.beta(1.2, 6.0, total) * 0.95 + 0.05, 4)
    run = StoredRun(paths, SPECIES, rec[:n], spc[:n], start[:n], start[:n] + 3.0, score[:n],
                    model_name="BirdNET")
    runs = root / "runs"
    write_stored_run(runs / "birdnet.arrow", run, encode=lambda p: os.path.relpath(p, runs),
                     stamp=None)
    return n_rec


def best(fn, repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(n: int, workdir: Path) -> dict:
    from audioclass_gui.formats.deployment_reports import write_reports
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.review import DetectionFilter, Status
    from audioclass_gui.review.activity import activity
    from audioclass_gui.review.activity_series import activity_series, recorded_per_hour
    from audioclass_gui.review.deployment import species_review
    from audioclass_gui.review.events import group_events

    root = workdir / "deployment"
    n_rec = build(root, n)
    project = ReviewProject.open(root, settings_dir=workdir / "settings")
    s = project.session
    pick = np.random.default_rng(4).choice(len(s), max(1, len(s) // 100), replace=False)
    ids = (np.sort(pick) + s.columns().first_id).tolist()
    s.set_status(ids[::2], Status.ACCEPTED)
    s.set_status(ids[1::2], Status.REJECTED)
    cols = s.columns()
    f = DetectionFilter(min_score=0.2)
    repeat = 3 if n <= 2_000_000 else 2
    out = {"detections": len(s), "recordings": n_rec, "verdicts": len(ids)}
    out["reference"] = best(
        lambda: np.bincount(cols.species[cols.score >= 0.2], minlength=len(SPECIES)), repeat
    )
    holder = {}
    out["activity"] = best(lambda: holder.update(act=activity(s, f, root=root)), repeat)
    act = holder["act"]
    out["presence"] = best(lambda: [act.presence(i) for i in range(len(SPECIES))], repeat)
    out["hours"] = best(lambda: holder.update(hours=recorded_per_hour(act)), repeat)
    out["chart"] = best(lambda: (
        activity_series(act, hour_seconds=holder["hours"]),
        activity_series(act, 1, 0, accepted=True, hour_seconds=holder["hours"]),
    ), repeat)
    out["review"] = best(lambda: species_review(s, f, act.species_detections), repeat)
    out["events"] = best(lambda: holder.update(ev=group_events(s, 1.0, f)), repeat)
    out["events_n"] = len(holder["ev"])
    out["write"] = best(
        lambda: write_reports(s, workdir / "tables", root=root, gap=1.0, threshold=0.2), 1
    )
    project.close()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[50_000, 2_000_000, 20_000_000])
    args = p.parse_args()
    names = ("activity", "presence", "hours", "chart", "review", "events", "write")
    print(f"{'detections':>11} {'ref ms':>8} " + " ".join(f"{k + ' s':>12}" for k in names)
          + "  (ratio to the reference)")
    for n in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="deployment-reports-"))
        try:
            r = measure(n, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        ref = r["reference"]
        cells = " ".join(f"{r[k]:6.3f} ({r[k] / ref:3.0f}x)" for k in names)
        print(f"{r['detections']:>11,} {ref * 1e3:8.1f} {cells}   "
              f"[{r['recordings']} recordings, {r['events_n']:,} events]", flush=True)


if __name__ == "__main__":
    main()
