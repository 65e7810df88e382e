"""A small project for reference-example tests: three recordings, two runs, verdicts by two people."""

from __future__ import annotations

from pathlib import Path

from soundevent import data, terms

from audioclass_gui.project.identity import make_reviewer
from audioclass_gui.review import ReviewSession, Status
from tests.conftest import write_calls

TENNESSEE = "Leiothlypis peregrina"
BAY = "Setophaga castanea"
COMMON = {TENNESSEE: "Tennessee Warbler", BAY: "Bay-breasted Warbler"}
#: (recording, start, species, score, run); windows 3 s long.
ROWS = [
    ("a", 0, TENNESSEE, 0.97, ""),
    ("a", 3, TENNESSEE, 0.95, ""),
    ("a", 6, TENNESSEE, 0.93, ""),
    ("a", 9, TENNESSEE, 0.40, ""),
    ("b", 0, TENNESSEE, 0.61, ""),
    ("b", 3, BAY, 0.88, ""),
    ("b", 6, TENNESSEE, 0.99, ""),  # rejected: never an example
    ("c", 0, BAY, 0.77, ""),  # relabelled to Tennessee Warbler
    ("c", 3, TENNESSEE, 0.90, ""),  # still to review
    ("c", 6, TENNESSEE, 0.55, "other"),  # the same window in two runs
    ("c", 6, TENNESSEE, 0.58, ""),
]


def write_recordings(folder: Path) -> dict[str, Path]:
    """Three 12-s recordings with tone calls (a 6 kHz call in every 3-s window)."""
    folder.mkdir(parents=True, exist_ok=True)
    calls = tuple((s + 1.0, s + 1.6, 6000.0) for s in (0.0, 3.0, 6.0, 9.0))
    return {
        stem: write_calls(folder / f"{stem}.wav", duration=12.0, samplerate=24000, calls=calls)
        for stem in "abc"
    }


def build_session(folder: Path) -> tuple[ReviewSession, dict[tuple[str, float, str], int]]:
    """The session with its verdicts; ids by (recording, start, run)."""
    paths = write_recordings(folder)
    recordings = {k: data.Recording.from_file(p, compute_hash=False) for k, p in paths.items()}
    session = ReviewSession(reviewer=make_reviewer("Ana"))
    session.set_common_names(COMMON)
    session.set_run("other", name="Other model")
    ids: dict[tuple[str, float, str], int] = {}
    for stem, start, species, score, run in ROWS:
        clip = data.Clip(recording=recordings[stem], start_time=float(start), end_time=start + 3.0)
        tag = data.Tag(term=terms.scientific_name, value=species)
        (made,) = session.add_predictions(
            [data.ClipPrediction(clip=clip, tags=[data.PredictedTag(tag=tag, score=score)])], run=run
        )
        ids[(stem, start, run)] = made.id
    accept = [("a", 0), ("a", 3), ("a", 6), ("a", 9), ("b", 0), ("b", 3), ("c", 6)]
    session.set_status([ids[(s, t, "")] for s, t in accept], Status.ACCEPTED)
    session.set_status([ids[("b", 6, "")]], Status.REJECTED)
    session.reviewer = make_reviewer("Ben")
    session.relabel([ids[("c", 0, "")]], TENNESSEE)
    return session, ids
