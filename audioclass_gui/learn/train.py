"""From a training set to a classifier file: cross-validate, then fit on everything.

:func:`train_classifier` is what the ``train`` command and the window's
train dialog call once the user has seen the
:class:`~audioclass_gui.learn.training_set.TrainingSummary`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from audioclass_gui.learn.classifier import (
    DEFAULT_C,
    DEFAULT_FOLDS,
    DEFAULT_THRESHOLD,
    cross_validate,
    fit_head,
)
from audioclass_gui.learn.model_file import ClassifierFile
from audioclass_gui.learn.training_set import TrainingSet

__all__ = ["train_classifier"]

#: The base model of classifiers trained here (BirdNET 2.4's embedding).
BIRDNET_BASE: dict[str, Any] = {
    "key": "birdnet",
    "name": "BirdNET",
    "version": "2.4",
    "samplerate": 48_000,
    "input_samples": 144_000,
}


def train_classifier(
    training: TrainingSet,
    *,
    base_model: Mapping[str, Any] | None = None,
    common_names: Mapping[str, str] | None = None,
    folds: int = DEFAULT_FOLDS,
    c: float = DEFAULT_C,
    threshold: float = DEFAULT_THRESHOLD,
    seed: int = 0,
    extra: Mapping[str, Any] | None = None,
) -> ClassifierFile:
    """Cross-validate, fit on all examples, and keep the provenance.

    Parameters
    ----------
    training
        Embeddings and labels (see
        :func:`~audioclass_gui.learn.training_set.join_embeddings`).
    base_model
        ``key``, ``name``, ``version`` of the embeddings' model (default
        BirdNET 2.4).
    common_names
        Scientific -> common names of the species, kept in the file.
    folds, c, threshold, seed
        See :func:`~audioclass_gui.learn.classifier.cross_validate`.
    extra
        More header entries (e.g. ``{"project": ...}``).

    Raises
    ------
    TooFewExamplesError
        If a species has no positive or no negative example.
    """
    head = fit_head(
        training.vectors, training.labels, training.species, c=c, threshold=threshold, seed=seed
    )
    figures = cross_validate(
        training.vectors,
        training.labels,
        training.species,
        groups=training.groups,
        folds=folds,
        c=c,
        threshold=threshold,
        seed=seed,
    )
    names = dict(common_names or {})
    header: dict[str, Any] = {"classifier": {"C": c, "folds_asked": folds, "seed": seed}}
    header.update(extra or {})
    return ClassifierFile(
        head=head,
        base_model=dict(base_model or BIRDNET_BASE),
        common_names={s: names[s] for s in training.species if names.get(s)},
        training=training.summary.to_json(),
        cross_validation=figures,
        header=header,
    )
