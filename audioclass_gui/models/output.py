"""What a model returns for a batch of frames, and its shape check."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from audioclass_gui.models.base import ClipClassificationModel

__all__ = ["ModelOutput", "check_output"]


class ModelOutput(NamedTuple):
    """What a model returns for a batch of frames.

    Attributes
    ----------
    class_probs
        Probabilities, shape ``(num_frames, num_classes)``.
    features
        Per-frame features (an embedding), shape
        ``(num_frames, num_features)``; ``num_features`` may be 0.
    """

    class_probs: np.ndarray
    features: np.ndarray


def check_output(
    model: ClipClassificationModel, output: tuple[np.ndarray, np.ndarray], n: int
) -> ModelOutput:
    """A model's output for ``n`` frames as arrays, checked for shape.

    Parameters
    ----------
    model
        The model (its ``name`` and ``num_classes`` are used).
    output
        What its ``process_array`` returned: a ``ModelOutput`` or any
        ``(class_probs, features)`` pair.
    n
        Number of frames it was given.

    Returns
    -------
    ModelOutput
        The same arrays as numpy arrays.

    Raises
    ------
    ValueError
        If the probabilities are not ``(n, num_classes)`` or the features
        not ``(n, num_features)``.
    """
    probs, feats = output
    probs, feats = np.asarray(probs), np.asarray(feats)
    if probs.shape != (n, model.num_classes):
        raise ValueError(
            f"{model.name}: process_array returned probabilities of shape "
            f"{probs.shape}, expected {(n, model.num_classes)}"
        )
    if feats.ndim != 2 or feats.shape[0] != n:
        raise ValueError(
            f"{model.name}: process_array returned features of shape "
            f"{feats.shape}, expected ({n}, num_features)"
        )
    return ModelOutput(probs, feats)
