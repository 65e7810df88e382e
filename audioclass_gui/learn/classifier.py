"""A classifier per species on embeddings, and its cross-validated precision and recall.

Choice: one logistic regression per species (one-vs-rest), on standardised
embeddings, with balanced class weights. Why not a small MLP:

- the reviewer gives tens to a few hundred examples per species; a linear
  probe on BirdNET's 1,024-d embedding is what BirdNET-Analyzer's "train"
  does by default (no hidden layer) and what Perch's agile-modelling tools
  use, because more capacity overfits such small sets;
- it is convex: the same verdicts give the same model, and retraining after
  a few more verdicts takes well under a second (see
  ``benchmarks/training.py``);
- its weights are one matrix and one bias vector, saved without pickle and
  applied with one matrix product (:class:`LinearHead`).

Balanced class weights keep a species with 20 positives among 500
negatives from collapsing to "never". Each species is fitted only on the
windows labelled for it (see :mod:`audioclass_gui.learn.training_set`).

Cross-validation (:func:`cross_validate`) estimates precision and recall at
the decision threshold from out-of-fold scores: stratified k-fold, grouped
by recording when there are enough recordings with both classes (windows
of one recording are alike, so keeping them in one fold avoids an
optimistic estimate), with ``k`` reduced to the smaller class count when
that is below it. Intervals are Wilson 95 % intervals on the pooled
out-of-fold counts.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from audioclass_gui.review.sample_estimate import wilson_interval

__all__ = [
    "DEFAULT_C",
    "DEFAULT_FOLDS",
    "DEFAULT_THRESHOLD",
    "CrossValidation",
    "LinearHead",
    "TooFewExamplesError",
    "cross_validate",
    "fit_head",
]

#: Decision threshold: with balanced class weights 0.5 is the point where
#: both classes weigh the same.
DEFAULT_THRESHOLD = 0.5
#: Folds of the cross-validation, fewer when a species has fewer examples.
DEFAULT_FOLDS = 5
#: Inverse regularisation strength of the logistic regressions.
DEFAULT_C = 1.0


class TooFewExamplesError(ValueError):
    """A species has no positive or no negative example to learn from."""


@dataclass(frozen=True)
class LinearHead:
    """Standardisation then one logistic regression per species.

    ``score = sigmoid(((x - mean) / scale) @ weights.T + bias)``.

    Attributes
    ----------
    species : tuple of str
    mean, scale : numpy.ndarray
        float32 ``(dim,)``: the standardisation.
    weights : numpy.ndarray
        float32 ``(len(species), dim)``.
    bias : numpy.ndarray
        float32 ``(len(species),)``.
    threshold : float
        The decision threshold the figures were measured at.
    """

    species: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    threshold: float = DEFAULT_THRESHOLD

    @property
    def dim(self) -> int:
        """Length of the embeddings it takes."""
        return int(self.mean.shape[0])

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        """Scores before the sigmoid, float32 ``(n, len(species))``."""
        x = np.asarray(vectors, np.float32)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected embeddings of shape (n, {self.dim}), got {x.shape}")
        # Folding the standardisation into the weights saves a pass over x.
        w = (self.weights / self.scale).astype(np.float32)
        b = (self.bias - w @ self.mean).astype(np.float32)
        return x @ w.T + b

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        """Probabilities, float32 ``(n, len(species))``."""
        z = np.clip(self.logits(vectors), -30.0, 30.0)
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


def _logistic(c: float, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=c, class_weight="balanced", max_iter=2000, random_state=seed
    )


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0, dtype=np.float64)
    scale = x.std(axis=0, dtype=np.float64)
    scale[scale < 1e-8] = 1.0  # constant features: leave them as they are
    return mean, scale


def _check_classes(species: Sequence[str], labels: np.ndarray) -> None:
    for j, name in enumerate(species):
        y = labels[:, j]
        pos, neg = int((y == 1).sum()), int((y == 0).sum())
        if pos == 0 or neg == 0:
            which = "positive (accepted)" if pos == 0 else "negative (rejected or other species)"
            raise TooFewExamplesError(
                f"{name}: no {which} example with an embedding "
                f"({pos} positive, {neg} negative); review more of its detections"
            )


def _fit_one(x: np.ndarray, y: np.ndarray, c: float, seed: int) -> tuple[np.ndarray, float]:
    model = _logistic(c, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        model.fit(x, y)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def fit_head(
    vectors: np.ndarray,
    labels: np.ndarray,
    species: Sequence[str],
    *,
    c: float = DEFAULT_C,
    threshold: float = DEFAULT_THRESHOLD,
    seed: int = 0,
) -> LinearHead:
    """Fit one logistic regression per species.

    Parameters
    ----------
    vectors
        ``(n, dim)`` embeddings.
    labels
        int8 ``(n, len(species))``: 1 positive, 0 negative, -1 unknown (the
        window is not used for that species).
    species
        Names of the label columns.
    c
        Inverse regularisation strength.
    threshold
        Decision threshold kept with the head.
    seed
        Random state of the solver.

    Raises
    ------
    TooFewExamplesError
        If a species has no positive or no negative example.
    """
    x = np.asarray(vectors, np.float32)
    labels = np.asarray(labels)
    _check_classes(species, labels)
    mean, scale = _standardise(x)
    z = ((x - mean) / scale).astype(np.float32)
    weights = np.zeros((len(species), x.shape[1]), np.float32)
    bias = np.zeros(len(species), np.float32)
    for j in range(len(species)):
        known = labels[:, j] >= 0
        weights[j], bias[j] = _fit_one(z[known], labels[known, j] == 1, c, seed)
    return LinearHead(
        species=tuple(species),
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        weights=weights,
        bias=bias,
        threshold=float(threshold),
    )


@dataclass(frozen=True)
class CrossValidation:
    """Held-out precision and recall of one species at the decision threshold.

    Attributes
    ----------
    species : str
    folds : int
        Folds used (0: too few examples to estimate).
    by_recording : bool
        Folds kept each recording's windows together.
    true_positives, false_positives, false_negatives, true_negatives : int
        Out-of-fold counts at the threshold.
    threshold : float
    """

    species: str
    folds: int
    by_recording: bool
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    threshold: float

    @property
    def precision(self) -> float:
        """TP / (TP + FP); nan when nothing scored above the threshold."""
        n = self.true_positives + self.false_positives
        return self.true_positives / n if n else math.nan

    @property
    def recall(self) -> float:
        """TP / (TP + FN); nan without positives."""
        n = self.true_positives + self.false_negatives
        return self.true_positives / n if n else math.nan

    @property
    def precision_interval(self) -> tuple[float, float]:
        """Wilson 95 % interval of the precision."""
        return wilson_interval(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall_interval(self) -> tuple[float, float]:
        """Wilson 95 % interval of the recall."""
        return wilson_interval(self.true_positives, self.true_positives + self.false_negatives)

    def describe(self) -> str:
        """One line: ``precision 0.92 (0.85-0.96), recall ...``."""
        if self.folds == 0:
            return f"{self.species}: too few examples to cross-validate"

        def fig(value: float, ci: tuple[float, float]) -> str:
            if math.isnan(value):
                return "n/a"
            return f"{value:.2f} ({ci[0]:.2f}-{ci[1]:.2f})"

        how = "by recording" if self.by_recording else "by window"
        return (
            f"{self.species}: precision {fig(self.precision, self.precision_interval)}, "
            f"recall {fig(self.recall, self.recall_interval)} at threshold "
            f"{self.threshold:g} ({self.folds}-fold, {how}; "
            f"TP {self.true_positives}, FP {self.false_positives}, "
            f"FN {self.false_negatives}, TN {self.true_negatives})"
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-able figures (kept in a saved classifier's header)."""

        def num(value: float) -> float | None:
            return None if math.isnan(value) else round(value, 4)

        return {
            "folds": self.folds,
            "by_recording": self.by_recording,
            "threshold": self.threshold,
            "tp": self.true_positives,
            "fp": self.false_positives,
            "fn": self.false_negatives,
            "tn": self.true_negatives,
            "precision": num(self.precision),
            "precision_ci95": [num(v) for v in self.precision_interval],
            "recall": num(self.recall),
            "recall_ci95": [num(v) for v in self.recall_interval],
        }

    @classmethod
    def from_json(cls, species: str, raw: dict[str, Any]) -> CrossValidation:
        """Read back :meth:`to_json`."""
        return cls(
            species=species,
            folds=int(raw["folds"]),
            by_recording=bool(raw["by_recording"]),
            true_positives=int(raw["tp"]),
            false_positives=int(raw["fp"]),
            false_negatives=int(raw["fn"]),
            true_negatives=int(raw["tn"]),
            threshold=float(raw["threshold"]),
        )


def _splits(y: np.ndarray, groups: np.ndarray | None, folds: int, seed: int) -> tuple[list, bool]:
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    k = min(folds, int(y.sum()), int((~y).sum()))
    if k < 2:
        return [], False
    if groups is not None:
        # Folds by recording need at least k recordings holding each class.
        if min(len(np.unique(groups[y])), len(np.unique(groups[~y]))) >= k:
            cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
            return list(cv.split(np.zeros(len(y)), y, groups)), True
    cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(len(y)), y)), False


def cross_validate(
    vectors: np.ndarray,
    labels: np.ndarray,
    species: Sequence[str],
    *,
    groups: np.ndarray | None = None,
    folds: int = DEFAULT_FOLDS,
    c: float = DEFAULT_C,
    threshold: float = DEFAULT_THRESHOLD,
    seed: int = 0,
) -> list[CrossValidation]:
    """Cross-validated precision and recall per species.

    Each fold standardises and fits on its training part only, then scores
    the held-out part; the counts at ``threshold`` are pooled over folds.

    Parameters
    ----------
    vectors, labels, species
        As for :func:`fit_head`.
    groups
        Recording of each window: folds keep a recording together when
        each class spans at least ``folds`` recordings.
    folds
        Wanted number of folds (at most the smaller class count; a species
        with fewer than 2 of either class gets ``folds=0``, no figures).
    c, threshold, seed
        As for :func:`fit_head`.
    """
    x = np.asarray(vectors, np.float32)
    labels = np.asarray(labels)
    out: list[CrossValidation] = []
    for j, name in enumerate(species):
        known = np.flatnonzero(labels[:, j] >= 0)
        xs, y = x[known], labels[known, j] == 1
        g = None if groups is None else np.asarray(groups)[known]
        splits, by_recording = _splits(y, g, folds, seed)
        scores = np.full(len(y), np.nan)
        for train, test in splits:
            mean, scale = _standardise(xs[train])
            w, b = _fit_one(((xs[train] - mean) / scale).astype(np.float32), y[train], c, seed)
            z = ((xs[test] - mean) / scale).astype(np.float32) @ w + b
            scores[test] = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        said = scores > threshold  # a class is reported above the threshold
        tp = int((said & y).sum()) if splits else 0
        fp = int((said & ~y).sum()) if splits else 0
        fn = int((~said & y).sum()) if splits else 0
        tn = int((~said & ~y).sum()) if splits else 0
        out.append(
            CrossValidation(
                species=name,
                folds=len(splits),
                by_recording=by_recording,
                true_positives=tp,
                false_positives=fp,
                false_negatives=fn,
                true_negatives=tn,
                threshold=float(threshold),
            )
        )
    return out
