"""Logistic regression per species on synthetic embeddings, and its cross-validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from audioclass_gui.learn import TooFewExamplesError, cross_validate, fit_head

DIM = 64


def clusters(n: int, *, shift: float, seed: int = 0, prevalence: float = 0.3):
    """Noise embeddings; species 0's positives shifted along a few dimensions."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < prevalence
    x = rng.normal(size=(n, DIM)).astype(np.float32)
    x[y, :8] += shift
    groups = rng.integers(0, 12, n)  # 12 recordings
    return x, y, groups


def test_separable_classes_are_learnt() -> None:
    x, y, groups = clusters(300, shift=2.0)
    other = ~y  # a second species: the complement
    labels = np.stack([y, other], axis=1).astype(np.int8)
    figures = cross_validate(x, labels, ["a", "b"], groups=groups, folds=5)
    for cv in figures:
        assert cv.folds == 5 and cv.by_recording
        assert cv.precision > 0.9 and cv.recall > 0.9, cv.describe()
        assert cv.precision_interval[0] > 0.8 and cv.recall_interval[0] > 0.8
        assert cv.true_positives + cv.false_negatives == int(labels[:, 0 if cv.species == "a" else 1].sum())
    head = fit_head(x, labels, ["a", "b"])
    said = head.predict(x) > head.threshold
    assert (said[:, 0] == y).mean() > 0.97


def test_shuffled_labels_are_not_learnt() -> None:
    x, y, groups = clusters(400, shift=2.0, seed=1)
    shuffled = np.random.default_rng(2).permutation(y)
    (cv,) = cross_validate(x, shuffled[:, None].astype(np.int8), ["a"], groups=groups)
    prevalence = shuffled.mean()
    # Chance: precision near the share of positives, recall near the share said positive.
    low, high = cv.precision_interval
    assert low <= prevalence <= high, cv.describe()
    said = (cv.true_positives + cv.false_positives) / len(y)
    balanced = 0.5 * (cv.recall + cv.true_negatives / (cv.true_negatives + cv.false_positives))
    assert 0.4 < balanced < 0.6, (said, cv.describe())


def test_unknown_labels_are_left_out_of_a_species() -> None:
    x, y, _ = clusters(200, shift=2.0, seed=3)
    labels = y.astype(np.int8)[:, None].copy()
    labels[:100, 0] = -1  # unknown: the first half says nothing
    (cv,) = cross_validate(x, labels, ["a"])
    assert cv.true_positives + cv.false_positives + cv.false_negatives + cv.true_negatives == 100


def test_folds_adapt_to_few_examples() -> None:
    x, _, _ = clusters(40, shift=3.0)
    y = np.zeros(40, np.int8)
    y[:3] = 1
    x[:3, :8] += 3.0
    (cv,) = cross_validate(x, y[:, None], ["a"], folds=5)
    assert cv.folds == 3 and not cv.by_recording  # no groups given
    y[1:3] = 0
    (cv,) = cross_validate(x, y[:, None], ["a"], folds=5)
    assert cv.folds == 0 and math.isnan(cv.precision)
    assert "too few examples" in cv.describe()


def test_a_species_without_negatives_is_refused() -> None:
    x, _, _ = clusters(10, shift=1.0)
    with pytest.raises(TooFewExamplesError, match="b: no negative"):
        fit_head(x, np.stack([np.r_[np.ones(5), np.zeros(5)], np.ones(10)], 1), ["a", "b"])


def test_head_matches_scikit_learn() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x, y, _ = clusters(120, shift=1.0, seed=4)
    head = fit_head(x, y[:, None].astype(np.int8), ["a"])
    z = StandardScaler().fit_transform(x)
    ref = LogisticRegression(class_weight="balanced", max_iter=2000, random_state=0).fit(z, y)
    np.testing.assert_allclose(head.predict(x)[:, 0], ref.predict_proba(z)[:, 1], atol=2e-3)
