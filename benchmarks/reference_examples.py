"""Reference examples against the number of detections: 50 k, 2 M and 20 M in one run.

For each size a folder project is built as :mod:`deployment_reports` builds
one (sparse WAV recordings, 3-s windows, three species per window out of
300, one predictions store file) and one detection in 100 gets a verdict,
half of them accepted. Then, in the same process, it times what the
Reference examples panel costs on the GUI thread:

- ``group``: the first listing of a species (every accepted row read
  from the verdict book, the species' ones sorted);
- ``list``: one species' examples once grouped (the median over 100 species);
- ``step``: selecting another detection with the panel shown: the
  panel's refresh of the examples (the median over 100 steps; the rest of
  the window's work on a selection left out);
- ``verdict``: the panel's part of an accepted verdict (the session's
  change event: the changed rows taken out of the accepted ones and in
  again, the examples listed again; the journal's write is not counted).

Reference, measured in the same run on the same columns: one numpy pass,
detections per species above a threshold
(``np.bincount(species[score >= 0.2])``); each figure is printed with its
ratio to it. The panel's cost follows the number of verdicts, not of
detections.

Usage: python benchmarks/reference_examples.py [--sizes 50000 2000000 20000000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deployment_reports import best, build
from project_scale import SPECIES


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(n: int, workdir: Path) -> dict:
    from audioclass_gui.app import AppModel
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.review import Status
    from audioclass_gui.review.reference_examples import ReferenceFinder

    root = workdir / "deployment"
    n_rec = build(root, n)
    project = ReviewProject.open(root, settings_dir=workdir / "settings")
    s = project.session
    rng = np.random.default_rng(4)
    pick = rng.choice(len(s), max(1, len(s) // 100), replace=False)
    ids = (np.sort(pick) + s.columns().first_id).tolist()
    s.set_status(ids[::2], Status.ACCEPTED)
    s.set_status(ids[1::2], Status.REJECTED)
    cols = s.columns()
    out = {"detections": len(s), "recordings": n_rec, "verdicts": len(ids)}
    repeat = 3 if n <= 2_000_000 else 2
    out["reference"] = best(
        lambda: np.bincount(cols.species[cols.score >= 0.2], minlength=len(SPECIES)), repeat
    )
    finder = ReferenceFinder(s)
    names = rng.choice(SPECIES, 100, replace=False).tolist()

    def group() -> None:
        finder.invalidate()
        finder.examples(names[0])

    out["group"] = best(group, repeat)
    out["list"] = statistics.median(timed(lambda n=name: finder.examples(n)) for name in names)

    app = AppModel()
    app.document.session = s
    app.references.set_active(True)
    steps = rng.choice(len(s), 100, replace=False) + cols.first_id

    def step(detection_id: int) -> None:
        app.review.selected = detection_id  # what a selection sets, then the panel's refresh
        app.references.refresh()

    out["step"] = statistics.median(timed(lambda i=int(i): step(i)) for i in steps)
    # A verdict: the session's change, then (timed) the panel's part of it.
    s.status_changed.disconnect(app.references._on_verdicts)
    verdicts = []
    for i in [int(i) for i in steps if s.status(int(i)) is Status.UNREVIEWED][:5]:
        app.review.selected = i
        changed = s.write_statuses([i], [Status.ACCEPTED])
        verdicts.append(timed(lambda c=changed: app.references._on_verdicts(c)))
    out["verdict"] = statistics.median(verdicts)
    out["examples"] = len(app.references.current.examples)
    project.close()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[50_000, 2_000_000, 20_000_000])
    args = p.parse_args()
    names = ("group", "list", "step", "verdict")
    print(f"{'detections':>11} {'verdicts':>9} {'ref ms':>8} "
          + " ".join(f"{k + ' ms':>16}" for k in names) + "  (ratio to the reference)")
    for n in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="reference-examples-"))
        try:
            r = measure(n, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        ref = r["reference"]
        cells = " ".join(f"{r[k] * 1e3:8.2f} ({r[k] / ref:5.2f}x)" for k in names)
        print(f"{r['detections']:>11,} {r['verdicts']:>9,} {ref * 1e3:8.1f} {cells}   "
              f"[{r['recordings']} recordings, {r['examples']} examples listed]", flush=True)


if __name__ == "__main__":
    main()
