"""How long training a classifier from verdicts takes, and what a small MLP would give.

Synthetic 1,024-d embeddings (BirdNET's size), three species, ~15 % of
windows positive for each, positives shifted along a few random
directions with noise (a hard-ish but learnable problem). For 1,000 and
10,000 labelled windows it times:

- ``fit``: :func:`audioclass_gui.learn.fit_head` (standardise + one
  logistic regression per species), what "retrain" costs;
- ``cv``: :func:`audioclass_gui.learn.cross_validate` (5 folds, by
  recording), what the figures shown before use cost;
- ``score``: the trained head over 100,000 stored embeddings
  (``predict_from_embeddings``), per million windows;

each with its ratio to a reference measured in the same run: one numpy
pass over the same data (column means and standard deviations of the
training matrix). With ``--mlp`` it also cross-validates scikit-learn's
``MLPClassifier`` (one hidden layer of 64) at 1,000 examples, for the
choice of model.

Usage: python benchmarks/training.py [--sizes 1000 10000] [--mlp]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from audioclass_gui.learn import cross_validate, fit_head

DIM = 1024
SPECIES = ["a", "b", "c"]


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, DIM)).astype(np.float32)
    labels = (rng.random((n, len(SPECIES))) < 0.15).astype(np.int8)
    directions = rng.normal(size=(len(SPECIES), DIM)).astype(np.float32)
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    x += 1.2 * labels.astype(np.float32) @ directions
    groups = rng.integers(0, max(10, n // 50), n)  # ~50 windows per recording
    return x, labels, groups


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mlp", action="store_true")
    args = parser.parse_args()
    stored = np.random.default_rng(9).normal(size=(100_000, DIM)).astype(np.float32)
    print(f"{len(SPECIES)} species, {DIM}-d embeddings; best of {args.repeat}")
    for n in args.sizes:
        x, labels, groups = synthetic(n)
        ref = best_of(lambda x=x: (x.mean(axis=0), x.std(axis=0)), args.repeat)
        fit = best_of(lambda x=x, labels=labels: fit_head(x, labels, SPECIES), args.repeat)
        t = time.perf_counter()
        figures = cross_validate(x, labels, SPECIES, groups=groups, folds=5)
        cv = time.perf_counter() - t
        head = fit_head(x, labels, SPECIES)
        score = best_of(lambda head=head: head.predict(stored), args.repeat)
        print(f"\n{n:,} examples x {DIM}: reference (one numpy pass) {1e3 * ref:.1f} ms")
        print(f"  fit   {fit:7.2f} s  ({fit / ref:,.0f} x reference)")
        print(f"  cv    {cv:7.2f} s  ({cv / ref:,.0f} x reference)")
        print(
            f"  score {1e3 * score:7.1f} ms per 100k stored windows "
            f"({10 * score:.2f} s per million; {score / ref * n / len(stored):,.1f} x reference per row)"
        )
        for fig in figures:
            print(f"    {fig.describe()}")
        if args.mlp and n <= 2000:
            mlp_figures(x, labels, groups)


def mlp_figures(x: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> None:
    """The same cross-validation with a one-hidden-layer MLP instead of the linear head."""
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    from audioclass_gui.review.sample_estimate import wilson_interval

    t = time.perf_counter()
    for j, name in enumerate(SPECIES):
        y = labels[:, j] == 1
        said = np.zeros(len(y), bool)
        for train, test in StratifiedGroupKFold(5, shuffle=True, random_state=0).split(x, y, groups):
            scaler = StandardScaler().fit(x[train])
            mlp = MLPClassifier((64,), max_iter=300, random_state=0, early_stopping=True)
            mlp.fit(scaler.transform(x[train]), y[train])
            said[test] = mlp.predict_proba(scaler.transform(x[test]))[:, 1] > 0.5
        tp, fp, fn = int((said & y).sum()), int((said & ~y).sum()), int((~said & y).sum())
        p_lo, p_hi = wilson_interval(tp, tp + fp)
        r_lo, r_hi = wilson_interval(tp, tp + fn)
        print(
            f"    MLP {name}: precision {tp / max(1, tp + fp):.2f} ({p_lo:.2f}-{p_hi:.2f}), "
            f"recall {tp / max(1, tp + fn):.2f} ({r_lo:.2f}-{r_hi:.2f})"
        )
    print(f"  MLP cv {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
