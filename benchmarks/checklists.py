"""eBird checklists and iNaturalist observations against the number of detections.

The deployment of :mod:`deployment_reports` (``siteNN/2024MMDD_210000.wav``,
one recording a night per site, each across midnight; three species per
3-s window out of 300; one detection in 100 with a verdict, half of them
accepted) at 50 k, 2 M and 20 M detections. In the same process it times:

- ``accepted``: :func:`~audioclass_gui.formats.checklists.plan_checklists`
  from accepted verdicts (the default: checklists, locations, the clip
  plan and names of the best examples);
- ``detections``: the same from detections at a threshold of 0.2;
- ``write``: :func:`~audioclass_gui.formats.checklists.write_checklists`
  of the accepted plan (the two CSV files, no clips).

Reference, measured in the same run on the same columns: one numpy pass,
detections per species above the threshold
(``np.bincount(species[score >= 0.2])``); each figure is printed with its
ratio to it.

Usage: python benchmarks/checklists.py [--sizes 50000 2000000 20000000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deployment_reports import best, build
from project_scale import SPECIES


def measure(n: int, workdir: Path) -> dict:
    from audioclass_gui.formats.checklists import (
        ChecklistOptions,
        plan_checklists,
        write_checklists,
    )
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.review import Status

    root = workdir / "deployment"
    n_rec = build(root, n)
    project = ReviewProject.open(root, settings_dir=workdir / "settings")
    s = project.session
    pick = np.random.default_rng(4).choice(len(s), max(1, len(s) // 100), replace=False)
    ids = (np.sort(pick) + s.columns().first_id).tolist()
    s.set_status(ids[::2], Status.ACCEPTED)
    s.set_status(ids[1::2], Status.REJECTED)
    cols = s.columns()
    repeat = 3 if n <= 2_000_000 else 2
    out = {"n": len(s), "recordings": n_rec}
    out["reference"] = best(
        lambda: np.bincount(cols.species[cols.score >= 0.2], minlength=len(SPECIES)), repeat
    )
    holder = {}
    out["accepted"] = best(lambda: holder.update(plan=plan_checklists(s, root=root)), repeat)
    detections = ChecklistOptions(source="detections", threshold=0.2)
    out["detections"] = best(lambda: plan_checklists(s, detections, root=root), repeat)
    plan = holder["plan"]
    out["write"] = best(lambda: write_checklists(plan, workdir / "out"), 1)
    out["rows"] = (len(plan.checklists.species), len(plan.checklists.best))
    project.close()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[50_000, 2_000_000, 20_000_000])
    args = p.parse_args()
    names = ("accepted", "detections", "write")
    print(f"{'detections':>11} {'ref ms':>8} " + " ".join(f"{k + ' s':>14}" for k in names)
          + "  (ratio to the reference)")
    for n in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="checklists-"))
        try:
            r = measure(n, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        ref = r["reference"]
        cells = " ".join(f"{r[k]:7.3f} ({r[k] / ref:3.0f}x)" for k in names)
        species, best_rows = r["rows"]
        print(f"{r['n']:>11,} {ref * 1e3:8.1f} {cells}   [{r['recordings']} recordings, "
              f"{species:,} species rows, {best_rows:,} observations]", flush=True)


if __name__ == "__main__":
    main()
