"""Per-recording and per-species counts from score indexes, as thresholds change and verdicts come."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audioclass_gui.project import ReviewProject
from audioclass_gui.review import DetectionFilter, Status
from tests.deployment_project import build_deployment

SPECIES = ["Turdus merula", "Parus major", "Erithacus rubecula"]


def _brute(session, f: DetectionFilter) -> list[tuple[int, int]]:
    """(detections passing, reviewed among them) per recording, from a plain mask."""
    cols = session.columns()
    mask = f.mask(session)
    k = len(session.recordings)
    total = np.bincount(cols.recording[mask], minlength=k)
    judged = mask & (cols.status != 0)
    reviewed = np.bincount(cols.recording[judged], minlength=k)
    return list(zip(total.tolist(), reviewed.tolist(), strict=True))


def test_counts_follow_thresholds_and_verdicts(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    rows = [
        (r, SPECIES[int(rng.integers(3))], w * 3.0, w * 3.0 + 3.0, float(rng.random()))
        for r in range(4)
        for w in range(200)
    ]
    build_deployment(tmp_path, [(f"site/{r}.wav", 601.0) for r in range(4)], rows)
    project = ReviewProject.open(tmp_path, settings_dir=tmp_path / "cfg")
    s = project.session
    assert s.table.indexed  # counted from the score index, the path under test
    filters = [
        DetectionFilter(min_score=0.5),
        DetectionFilter(min_score=0.5, thresholds=(("Parus major", 0.9),)),
        DetectionFilter(min_score=0.2, thresholds=(("Parus major", 0.1),)),
        DetectionFilter(min_score=0.5),  # asked again: the kept answer
    ]
    for step, f in enumerate(filters * 2):
        got = [(r.detections, r.reviewed) for r in s.recording_summary(f)]
        assert got == _brute(s, f), step
        passing = np.bincount(s.columns().species[f.mask(s)], minlength=len(s.species_list()))
        by_species = {x.scientific_name: x.detections for x in s.species_summary(f)}
        names = s.species_list()
        assert by_species == {names[k]: int(n) for k, n in enumerate(passing) if n}, step
        got_again = s.recording_summary(f)
        assert [(r.detections, r.reviewed) for r in got_again] == got
        ids = s.query(f)
        s.set_status(ids[step::7].tolist(), Status.ACCEPTED if step % 2 else Status.REJECTED)
    project.close()
