"""Cross-validated precision and recall of a trained classifier on real birdsong.

Not an independent field test: the recordings are the field recording
``../shared/data/birds_10s.wav``'s own real songs mixed into its own
background. That file (opensoundscape's sample, MIT licence, University of
Pittsburgh; see ``../shared/data/README.md``) holds one song each of
Bay-breasted Warbler (0-3 s), Tennessee Warbler (3-6 s) and Blackburnian
Warbler (6-9 s). From it this builds a small deployment, as
``resources/screenshots/activity_shot.py`` does but with the file's own
background instead of generated noise: 30-s recordings whose bed is the
file's quiet stretches (4.5-6.9 s and 9.3-10.1 s, cut in random pieces
and cross-faded), with the three 3-s song clips inserted at known times
(about half of the 3-s windows, start jittered by up to 1.5 s so that a
window may hold part of a song, level 0 to -30 dB relative to the
original).

Then it does what a reviewer would, with the project's own code:

1. ``audioclass-gui predict DEPLOYMENT -o DEPLOYMENT --embeddings`` (BirdNET
   2.4, threshold 0.05), as a user runs it;
2. opens the folder as a review project and gives verdicts from the known
   insertion times: a detection of one of the three species is accepted
   when a song of that species covers at least half of its window, marked
   uncertain when a song of it covers less, and rejected when none does;
   a song whose window got no accepted detection (BirdNET missed it) gets
   a box of its species, as a reviewer marks a missed call;
3. :func:`audioclass_gui.learn.collect_examples`,
   :func:`audioclass_gui.learn.join_embeddings` and
   :func:`audioclass_gui.learn.cross_validate` (logistic regression per
   species, stratified folds that keep a recording's windows together,
   95 % Wilson intervals), exactly what ``audioclass-gui train`` prints;
4. the same cross-validation on the same windows with each species' labels
   shuffled (five fixed seeds, counts pooled), measured in the same run:
   its precision must sit near the share of positives (chance), else the
   folds leak;
5. for comparison, BirdNET 2.4's own precision and recall at 0.5 on the
   same labelled windows.

What the figures mean: with one song per species, every positive of a
species is the same singer's same song under other noise, level and
offset, so they measure how well the classifier picks that song out of
its real background, not how it generalises to other individuals or
sites. BirdNET rarely fires on the background alone, so the negatives are
almost all windows holding one of the other two warblers' songs. The
figures are an upper bound for real use.

Usage: python benchmarks/training_real.py [--recordings 60] [--work DIR]
[--birds ../shared/data/birds_10s.wav]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf

from audioclass_gui.learn import (
    CrossValidation,
    collect_examples,
    cross_validate,
    join_embeddings,
)
from audioclass_gui.learn.examples import UNKNOWN

#: Where each species' song is in the field recording (3-s clips from these starts).
SONGS = {
    "Setophaga castanea": 0.0,  # Bay-breasted Warbler
    "Leiothlypis peregrina": 3.0,  # Tennessee Warbler
    "Setophaga fusca": 6.0,  # Blackburnian Warbler
}
#: Stretches of the field recording without song (0.1-s frame levels at the floor).
QUIET = ((4.5, 6.9), (9.3, 10.1))
SECONDS, WINDOW, JITTER, FADE = 30.0, 3.0, 1.5, 0.01
LEVELS = (-30.0, 0.0)  # dB relative to the song's level in the field recording
SHUFFLES = 5
PREDICT_THRESHOLD = 0.05
DEFAULT_BIRDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "birds_10s.wav"


def background(quiet: list[np.ndarray], n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of the field recording's quiet stretches, random pieces cross-faded."""
    fade = int(FADE * rate)
    ramp = np.sin(np.linspace(0, np.pi / 2, fade, dtype=np.float32)) ** 2
    out = np.zeros(n + rate, np.float32)
    at = 0
    while at < n:
        source = quiet[rng.integers(len(quiet))]
        length = min(len(source), int(rng.uniform(0.3, 0.8) * rate))
        first = rng.integers(0, len(source) - length + 1)
        piece = source[first : first + length].copy()
        piece[:fade] *= ramp
        piece[-fade:] *= ramp[::-1]
        out[at : at + length] += piece
        at += length - fade
    return out[:n]


def build(birds: Path, site: Path, recordings: int, seed: int) -> list[list[tuple[str, float]]]:
    """Write the deployment; returns each recording's inserted songs (species, start)."""
    audio, rate = sf.read(birds, dtype="float32")
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    clip = int(WINDOW * rate)
    songs = {name: audio[int(at * rate) : int(at * rate) + clip] for name, at in SONGS.items()}
    quiet = [audio[int(a * rate) : int(b * rate)] for a, b in QUIET]
    rng = np.random.default_rng(seed)
    names = list(SONGS)
    truth: list[list[tuple[str, float]]] = []
    site.mkdir(parents=True, exist_ok=True)
    for n in range(recordings):
        signal = background(quiet, int(SECONDS * rate), rate, rng)
        inserted: list[tuple[str, float]] = []
        for slot in range(int(SECONDS / WINDOW)):
            if rng.random() >= 0.5:
                continue
            name = names[rng.integers(len(names))]
            start = float(np.clip(slot * WINDOW + rng.uniform(-JITTER, JITTER), 0, SECONDS - WINDOW))
            first = int(round(start * rate))
            signal[first : first + clip] += 10 ** (rng.uniform(*LEVELS) / 20) * songs[name]
            inserted.append((name, first / rate))
        sf.write(site / f"2024050{n // 24 + 1}_{n % 24:02d}0000.wav", signal, rate)
        truth.append(inserted)
    return truth


def covered(songs: list[tuple[str, float]], species: str, start: float, end: float) -> float:
    """Longest stretch of [start, end) one inserted song of ``species`` covers."""
    best = 0.0
    for name, at in songs:
        if name == species:
            best = max(best, min(end, at + WINDOW) - max(start, at))
    return best


def review(site: Path, truth: list[list[tuple[str, float]]], settings: Path):
    """Give verdicts (and boxes for missed songs) from the known truth; returns the examples."""
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.review import Status

    by_name = {f"2024050{n // 24 + 1}_{n % 24:02d}0000.wav": songs for n, songs in enumerate(truth)}
    scores: dict[tuple[str, str, float], float] = {}  # BirdNET's, per window
    tally = {"accepted": 0, "rejected": 0, "uncertain": 0, "boxes": 0, "songs": 0}
    with ReviewProject.open(site, settings_dir=settings, durable=False) as project:
        project.set_reviewer("known-truth", remember=False)
        session = project.session
        ids: dict[Status, list[int]] = {s: [] for s in (Status.ACCEPTED, Status.REJECTED, Status.UNCERTAIN)}
        found: set[tuple[str, str, float]] = set()  # (recording, species, window start)
        for d in session.detections():
            if d.scientific_name not in SONGS or d.recording is None:
                continue
            name = Path(d.recording.path).name
            key = (name, d.scientific_name, round(d.start, 3))
            scores[key] = max(scores.get(key, 0.0), d.score)
            overlap = covered(by_name[name], d.scientific_name, d.start, d.end)
            if overlap >= 0.5 * (d.end - d.start):
                ids[Status.ACCEPTED].append(d.id)
                found.add((name, d.scientific_name, round(d.start, 3)))
            elif overlap > 0:
                ids[Status.UNCERTAIN].append(d.id)
            else:
                ids[Status.REJECTED].append(d.id)
        for status, chosen in ids.items():
            if chosen:
                session.set_status(chosen, status)
            tally[status.name.lower()] = len(chosen)
        for name, songs in by_name.items():
            for species, at in songs:
                tally["songs"] += 1
                windows = [
                    w * WINDOW
                    for w in range(int(SECONDS / WINDOW))
                    if covered([(species, at)], species, w * WINDOW, (w + 1) * WINDOW) >= WINDOW / 2
                ]
                if not any((name, species, round(w, 3)) in found for w in windows):
                    session.add_box(site / name, at, at + WINDOW, scientific_name=species)
                    tally["boxes"] += 1
        examples = collect_examples(session)
    return examples, tally, scores


def birdnet_figures(training, store, scores: dict[tuple[str, str, float], float]) -> list[str]:
    """BirdNET's own precision and recall at 0.5 on the same labelled windows."""
    from audioclass_gui.review.sample_estimate import wilson_interval

    recording, starts, _ends = store.rows()
    names = [Path(p).name for p in store.recordings()]
    keys = [(names[recording[r]], round(float(starts[r]), 3)) for r in training.rows.tolist()]
    out = []
    for j, species in enumerate(training.species):
        y = training.labels[:, j]
        said = np.array([scores.get((n, species, t), 0.0) > 0.5 for n, t in keys])
        tp = int((said & (y == 1)).sum())
        fp = int((said & (y == 0)).sum())
        fn = int((~said & (y == 1)).sum())
        p = tp / (tp + fp) if tp + fp else float("nan")
        out.append(
            f"{species:24} precision {figure(p, wilson_interval(tp, tp + fp))}, "
            f"recall {figure(tp / max(1, tp + fn), wilson_interval(tp, tp + fn))}"
        )
    return out


def shuffled(labels: np.ndarray, seed: int) -> np.ndarray:
    """Each species' labels permuted among its labelled windows."""
    rng = np.random.default_rng(seed)
    out = labels.copy()
    for j in range(labels.shape[1]):
        known = np.flatnonzero(labels[:, j] != UNKNOWN)
        out[known, j] = rng.permutation(labels[known, j])
    return out


def pooled(runs: list[list[CrossValidation]]) -> list[CrossValidation]:
    """Out-of-fold counts of several shuffles summed, per species."""
    out = []
    for per_species in zip(*runs, strict=True):
        out.append(
            replace(
                per_species[0],
                true_positives=sum(c.true_positives for c in per_species),
                false_positives=sum(c.false_positives for c in per_species),
                false_negatives=sum(c.false_negatives for c in per_species),
                true_negatives=sum(c.true_negatives for c in per_species),
            )
        )
    return out


def figure(value: float, interval: tuple[float, float]) -> str:
    return f"{value:.2f} ({interval[0]:.2f}-{interval[1]:.2f})"


def table(real: list[CrossValidation], chance: list[CrossValidation], labels: np.ndarray) -> None:
    head = (
        f"{'species':24} {'pos':>4} {'neg':>4} {'folds':>5}  {'precision (95% CI)':>18}  "
        f"{'recall (95% CI)':>18}  |  {'shuffled precision':>18}  {'shuffled recall':>18}  {'chance P':>8}"
    )
    print(head)
    print("-" * len(head))
    for j, (cv, ref) in enumerate(zip(real, chance, strict=True)):
        pos = int((labels[:, j] == 1).sum())
        neg = int((labels[:, j] == 0).sum())
        print(
            f"{cv.species:24} {pos:4d} {neg:4d} {cv.folds:5d}  "
            f"{figure(cv.precision, cv.precision_interval):>18}  {figure(cv.recall, cv.recall_interval):>18}  |  "
            f"{figure(ref.precision, ref.precision_interval):>18}  {figure(ref.recall, ref.recall_interval):>18}  "
            f"{pos / max(1, pos + neg):8.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--birds", type=Path, default=DEFAULT_BIRDS)
    parser.add_argument("--recordings", type=int, default=60)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, help="folder to build in (default: a temporary one)")
    args = parser.parse_args()
    if not args.birds.is_file():
        sys.exit(f"{args.birds}: the field recording is missing (see ../shared/data/README.md)")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        site = work / "deployment"
        t0 = time.perf_counter()
        truth = build(args.birds, site, args.recordings, args.seed)
        print(
            "Recordings: the field recording's real songs (Bay-breasted, Tennessee, Blackburnian "
            "Warbler, one song each) mixed into its own background; NOT independent field recordings."
        )
        print(
            f"{args.recordings} x {SECONDS:.0f} s recordings, {sum(map(len, truth))} songs inserted "
            f"({time.perf_counter() - t0:.1f} s)"
        )
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "audioclass_gui", "predict", str(site), "-o", str(site),
             "--model", "birdnet", "--embeddings", "--threshold", str(PREDICT_THRESHOLD), "-q"],
            check=True,
        )
        print(f"predict --embeddings (BirdNET 2.4): {time.perf_counter() - t0:.1f} s")
        from audioclass_gui.embeddings import EmbeddingStore

        examples, tally, scores = review(site, truth, work / "settings")
        print(
            f"verdicts from the known truth: {tally['accepted']} accepted, {tally['rejected']} "
            f"rejected, {tally['uncertain']} uncertain (song covers < half the window); "
            f"{tally['boxes']} of {tally['songs']} songs had no accepted detection and got a box"
        )
        store = EmbeddingStore.open(site / "embeddings", "birdnet")
        species = list(SONGS)
        training = join_embeddings(examples, store, species, roots=[site])
        for line in training.summary.lines():
            print(f"  {line}")
        t0 = time.perf_counter()
        real = cross_validate(
            training.vectors, training.labels, species, groups=training.groups, folds=args.folds
        )
        chance = pooled(
            [
                cross_validate(
                    training.vectors,
                    shuffled(training.labels, args.seed + k),
                    species,
                    groups=training.groups,
                    folds=args.folds,
                )
                for k in range(SHUFFLES)
            ]
        )
        print(f"cross-validation, real and shuffled labels: {time.perf_counter() - t0:.1f} s")
        print(
            "\nHeld-out figures at threshold 0.5 (folds keep a recording's windows together); "
            f"reference: the same CV on shuffled labels ({SHUFFLES} shuffles, counts pooled), "
            "whose precision should be near chance P (the share of positives)\n"
        )
        table(real, chance, training.labels)
        print("\nFor comparison, BirdNET 2.4's own scores at 0.5 on the same labelled windows:")
        for line in birdnet_figures(training, store, scores):
            print(f"  {line}")


if __name__ == "__main__":
    main()
