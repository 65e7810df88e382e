"""Review speed with 50,000 detections in a project (domain side, no widgets).

Builds a folder project (10 recordings, one BirdNET-like ``ModelRun`` with
50,000 detections over 60 species) and measures, in one run:

- ``threshold``: changing the score threshold: the filtered, ordered id list
  for the table and overlays, the ``Detection`` objects of the visible rows
  and the status counts (p50/p95 over random thresholds). Reference: the
  same filter and sort done with plain Python lists over (score, id) tuples.
- ``verdict``: a verdict made durable in the project journal (write +
  fsync) and the next unreviewed detection selected (p50/p95). Reference: a
  bare ``os.write`` + ``os.fsync`` of the same bytes to a file opened for
  appending.
- ``export``: every export format (AOEF project + model run, Raven per
  recording + combined, Audacity, CSV, thresholds) with 10,000 judged
  detections. Reference: one ``json.dump`` of the same detections as plain
  dicts, fsynced. Also, in the same run, the export as it was before the
  garbage collector was paused during exports (``gc_paused`` replaced by a
  no-op): the before/after of that change.
- ``reopen``: opening the project again (model run read + journal replay),
  for information.

Targets from issue 5: threshold < 50 ms p95 (table and overlays included;
this is the domain part), verdict < 20 ms p95, export of all formats < 2 s.

Usage: python benchmarks/review_speed.py [--detections N] [--repeats R]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.formats import exports
from audioclass_gui.formats.aoef import model_run_from_predictions, save_aoef
from audioclass_gui.formats.exports import export_all
from audioclass_gui.project import ReviewProject
from audioclass_gui.review import DetectionFilter, Status

warnings.filterwarnings("ignore", category=DeprecationWarning)

SPECIES = [f"Genus species{i:02d}" for i in range(60)]


def build(
    root: Path, detections: int, *, samplerate: int = 100, suffix: str = ".wav"
) -> None:
    """Write 10 recordings and one ``ModelRun`` of ``detections`` over 60 species.

    ``samplerate`` and ``suffix`` (".wav" or ".flac") set the audio files;
    the GUI benchmark uses real rates so the spectrogram has work to do.
    """
    rng = np.random.default_rng(0)
    n_rec, per_frame = 10, 5
    frames = detections // (n_rec * per_frame)
    predictions = []
    for r in range(n_rec):
        path = root / f"site{r // 5}" / f"2024050{r % 5 + 1}_050000{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        seconds = int(frames * 1.5 + 3)
        noise_rng = np.random.default_rng(100 + r)  # apart from the picks below
        noise = noise_rng.integers(-2, 3, seconds * samplerate).astype(np.int16)
        sf.write(path, noise, samplerate, subtype="PCM_16")
        rec = to_recording(read_info(path))
        for f in range(frames):
            clip = data.Clip(recording=rec, start_time=1.5 * f, end_time=1.5 * f + 3)
            picks = rng.choice(len(SPECIES), per_frame, replace=False)
            predictions.append(
                data.ClipPrediction(
                    clip=clip,
                    tags=[
                        data.PredictedTag(
                            tag=data.Tag(term=terms.scientific_name, value=SPECIES[k]),
                            score=float(rng.beta(2, 3)),
                        )
                        for k in picks
                    ],
                )
            )
    save_aoef(
        model_run_from_predictions(
            predictions, name="BirdNET", provenance={"version": "2.4"}
        ),
        root / "runs" / "birdnet.model_run.json",
    )


def pct(values: list[float]) -> tuple[float, float]:
    a = np.asarray(values) * 1e3
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


def bench_threshold(
    project: ReviewProject, repeats: int
) -> tuple[list[float], list[float]]:
    s = project.session
    rng = np.random.default_rng(1)
    cols = s.columns()
    pairs = list(
        zip(
            cols.score.tolist(),
            range(cols.first_id, cols.first_id + len(cols.score)),
            cols.start.tolist(),
            cols.recording.tolist(),
            strict=True,
        )
    )
    ours, ref = [], []
    for t in rng.uniform(0.05, 0.9, repeats):
        t0 = time.perf_counter()
        ids = s.query(DetectionFilter(min_score=float(t)))
        rows = s.get_many(ids.tolist())
        s.counts(float(t))
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        kept = sorted(
            (p for p in pairs if p[0] >= t), key=lambda p: (p[3], p[2], -p[0], p[1])
        )
        [p[1] for p in kept]
        ref.append(time.perf_counter() - t0)
        assert len(rows) == len(kept)
    return ours, ref


def bench_verdict(
    project: ReviewProject, repeats: int, folder: Path
) -> tuple[list[float], list[float]]:
    s = project.session
    f = DetectionFilter(min_score=0.3)
    current = s.next_unreviewed(None, f)
    statuses = [Status.ACCEPTED, Status.REJECTED, Status.UNCERTAIN]
    ours = []
    for i in range(repeats):
        t0 = time.perf_counter()
        s.set_status([current], statuses[i % 3])  # durable when this returns
        current = s.next_unreviewed(current, f)
        project.select(current)
        ours.append(time.perf_counter() - t0)
    line = (
        json.dumps(
            {
                "t": "v",
                "by": str(s.reviewer.uuid),
                "at": time.time(),
                "items": [
                    [
                        "site0/20240501_050000.wav",
                        1.5,
                        4.5,
                        SPECIES[0],
                        "accepted",
                        None,
                        "",
                    ]
                ],
            },
            separators=(",", ":"),
        )
        + "\n"
    ).encode()
    fd = os.open(folder / "bare.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    ref = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        os.write(fd, line)
        os.fsync(fd)
        ref.append(time.perf_counter() - t0)
    os.close(fd)
    return ours, ref


def bench_export(
    project: ReviewProject, folder: Path, repeats: int
) -> tuple[list[float], list[float], list[float]]:
    s = project.session
    ids = s.query().tolist()
    rng = np.random.default_rng(2)
    todo = [
        i
        for i in rng.choice(ids, 10_000, replace=False).tolist()
        if s.status(i) is Status.UNREVIEWED
    ]
    s.set_status(todo[: len(todo) // 2], Status.ACCEPTED)
    s.set_status(todo[len(todo) // 2 :], Status.REJECTED)
    ours, ref, before = [], [], []
    paused = exports.gc_paused
    for r in range(repeats):
        t0 = time.perf_counter()
        export_all(s, folder / f"export{r}")
        ours.append(time.perf_counter() - t0)
        exports.gc_paused = contextlib.nullcontext  # the code before the change
        try:
            t0 = time.perf_counter()
            export_all(s, folder / f"before{r}")
            before.append(time.perf_counter() - t0)
        finally:
            exports.gc_paused = paused
        t0 = time.perf_counter()
        plain = [
            {
                "file": str(d.recording.path),
                "start": d.start,
                "end": d.end,
                "species": d.scientific_name,
                "score": d.score,
                "status": s.status(d.id).value,
            }
            for d in s.detections()
        ]
        with open(folder / f"plain{r}.json", "w") as handle:
            json.dump(plain, handle)
            handle.flush()
            os.fsync(handle.fileno())
        ref.append(time.perf_counter() - t0)
    return ours, ref, before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detections", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        root = Path(tmp) / "deployment"
        t0 = time.perf_counter()
        build(root, args.detections)
        built = time.perf_counter() - t0
        settings = Path(tmp) / "settings"
        t0 = time.perf_counter()
        project = ReviewProject.open(root, settings_dir=settings)
        opened = time.perf_counter() - t0
        project.set_reviewer("Bench Mark", remember=False)
        n = len(project.session)
        print(
            f"project: {n} detections, {len(project.session.recordings)} recordings "
            f"(built in {built:.1f} s, first open {opened:.2f} s)"
        )

        th, th_ref = bench_threshold(project, args.repeats // 4 or 1)
        v, v_ref = bench_verdict(project, args.repeats, Path(tmp))
        ex, ex_ref, ex_before = bench_export(project, Path(tmp), 5)
        project.close()
        t0 = time.perf_counter()
        ReviewProject.open(root, settings_dir=settings).close()
        reopened = time.perf_counter() - t0

    for name, ours, ref, target, what in [
        ("threshold change (domain)", th, th_ref, 50, "plain-Python filter+sort"),
        ("verdict durable + next selected", v, v_ref, 20, "bare append+fsync"),
    ]:
        (p50, p95), (r50, r95) = pct(ours), pct(ref)
        print(
            f"{name:32s} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  (target < {target} ms p95)"
            f"   reference [{what}] p50 {r50:6.2f} ms p95 {r95:6.2f} ms   ratio p95 {p95 / r95:5.2f}"
        )
    best, ref_best = min(ex), min(ex_ref)
    print(
        f"{'export of all formats':32s} best {best:7.2f} s  worst {max(ex):5.2f} s  (target < 2 s)"
        f"   reference [json.dump of the detections] best {ref_best:5.2f} s   ratio {best / ref_best:5.2f}"
    )
    print(
        f"{'  same, gc not paused (before)':32s} best {min(ex_before):7.2f} s  worst {max(ex_before):5.2f} s"
        f"   after/before (best) {best / min(ex_before):5.2f}"
    )
    print(f"{'reopen (read run + replay)':32s} {reopened:7.2f} s")


if __name__ == "__main__":
    main()
