"""Convert model outputs to soundevent objects or an xarray ``Dataset``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from soundevent import data

if TYPE_CHECKING:
    import xarray as xr

    from audioclass_gui.models.base import ModelOutput
    from audioclass_gui.models.framing import FramePlan

__all__ = ["clip_predictions", "dataset", "feature_terms"]


def clip_predictions(
    plan: FramePlan,
    first: int,
    output: ModelOutput,
    tags: Sequence[data.Tag],
    threshold: float,
    terms: Sequence[data.Term] = (),
    *,
    mask: np.ndarray | None = None,
    top_k: int | None = None,
) -> list[data.ClipPrediction]:
    """One ``ClipPrediction`` per frame of a batch.

    Parameters
    ----------
    plan
        The frames the batch belongs to.
    first
        Index in ``plan`` of the batch's first frame.
    output
        Probabilities and features of the batch.
    tags
        The tag of each class.
    threshold
        Classes with probability ``>= threshold`` become ``PredictedTag``
        objects, sorted by decreasing score.
    terms
        The term of each feature; empty to attach no features.
    mask
        bool per class: only classes where it is True may be reported
        (species list, location filter); None allows all.
    top_k
        Keep at most this many of the highest-scoring classes per frame
        (after the threshold and the mask); None keeps all.
    """
    probs = output.class_probs
    hits = probs >= threshold
    if mask is not None:
        hits &= mask
    predictions = []
    for row in range(probs.shape[0]):
        start, end = plan.frame_span(first + row)
        cols = np.flatnonzero(hits[row])
        cols = cols[np.argsort(-probs[row, cols], kind="stable")]
        if top_k is not None:
            cols = cols[:top_k]
        predicted = [
            data.PredictedTag(
                tag=tags[c], score=min(1.0, max(0.0, float(probs[row, c])))
            )
            for c in cols
        ]
        # Features are built without validation: their types are known, and
        # validating 1,024 of them per frame would cost ~40 s per hour.
        features = [
            data.Feature.model_construct(term=term, value=float(value))
            for term, value in zip(terms, output.features[row], strict=False)
        ]
        predictions.append(
            data.ClipPrediction(
                clip=data.Clip(
                    recording=plan.recording, start_time=start, end_time=end
                ),
                tags=predicted,
                features=features,
            )
        )
    return predictions


def dataset(
    plan: FramePlan,
    output: ModelOutput,
    tags: Sequence[data.Tag],
    feature_names: Sequence[str] | None = None,
    attrs: Mapping[str, object] | None = None,
) -> xr.Dataset:
    """All frames of a plan as ``probabilities (time, label)``, ``features (time, feature)``.

    ``time`` holds frame start times in seconds, ``label`` the tag values,
    ``feature`` the feature names where given, else their indices.
    """
    import xarray as xr

    n = output.class_probs.shape[0]
    n_feat = output.features.shape[1]
    names = feature_names
    return xr.Dataset(
        {
            "probabilities": (("time", "label"), output.class_probs),
            "features": (("time", "feature"), output.features),
        },
        coords={
            "time": (
                "time",
                plan.start + np.arange(n) * plan.hop_seconds,
                {"units": "s", "long_name": "Frame start from start of recording"},
            ),
            "label": [tag.value for tag in tags],
            "feature": list(names)
            if names and len(names) == n_feat
            else np.arange(n_feat),
        },
        attrs={
            **(attrs or {}),
            "samplerate": plan.samplerate,
            "input_samples": plan.input_samples,
            "frame_seconds": plan.frame_seconds,
            "hop_seconds": plan.hop_seconds,
            "recording": str(plan.path),
            "start": plan.start,
            "end": plan.end,
        },
    )


def feature_terms(
    model_name: str, feature_names: Sequence[str] | None, count: int
) -> list[data.Term]:
    """Terms ``<model>:<feature name>`` (or ``<model>:feature_<i>``) for features."""
    key = re.sub(r"[^a-z0-9]+", "_", model_name.lower()).strip("_") or "model"
    names = feature_names
    if not names or len(names) != count:
        names = [f"feature_{i}" for i in range(count)]
    return [
        data.Term(
            name=f"{key}:{feature}",
            label=f"{model_name} {feature.replace('_', ' ')}",
            definition=f"Feature {i} of the output of the {model_name} model.",
        )
        for i, feature in enumerate(names)
    ]
