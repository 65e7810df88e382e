"""Convert model outputs to soundevent objects or an xarray ``Dataset``.

The shapes follow the ``audioclass`` package (its ``postprocess`` module),
so code written against audioclass reads ours unchanged:

- a class becomes a ``PredictedTag`` when its score is **above** the
  threshold (a score equal to it is dropped);
- feature ``i`` of model ``NAME`` is a ``Feature`` whose term is
  ``soundevent.data.term_from_key(f"{NAME}_{i}")``;
- the dataset has ``features (time, feature)`` and
  ``probabilities (time, label)``, and the scalar coordinates
  ``recorded_on``, ``latitude`` and ``longitude`` where the recording has
  them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from soundevent import data

if TYPE_CHECKING:
    import xarray as xr

    from audioclass_gui.models.base import ModelOutput

__all__ = [
    "clip_predictions",
    "dataset",
    "feature_terms",
    "recorded_on",
    "recording_coords",
]


def clip_predictions(
    recording: data.Recording,
    spans: Sequence[tuple[float, float]],
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
    recording
        The recording the frames belong to.
    spans
        ``(start, end)`` in seconds of each frame (row of ``output``).
    output
        Probabilities and features of the batch.
    tags
        The tag of each class.
    threshold
        Classes with probability ``> threshold`` become ``PredictedTag``
        objects, sorted by decreasing score (as in audioclass, a score
        equal to the threshold is dropped; BirdNET-Analyzer 2.4 keeps it).
    terms
        The term of each feature; empty to attach no features.
    mask
        bool per class: only classes where it is True may be reported
        (species list, location filter); None allows all.
    top_k
        Keep at most this many of the highest-scoring classes per frame
        (after the threshold and the mask); None keeps all.

    Returns
    -------
    list of soundevent.data.ClipPrediction
        One per row of ``output``, with a new ``Clip`` of the frame's span.
    """
    probs = output.class_probs
    hits = probs > threshold
    if mask is not None:
        hits &= mask
    predictions = []
    for row, (start, end) in enumerate(spans):
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
                clip=data.Clip(recording=recording, start_time=start, end_time=end),
                tags=predicted,
                features=features,
            )
        )
    return predictions


def recorded_on(recording: data.Recording) -> datetime.datetime | None:
    """When the recording started: its date and time (midnight if no time).

    Returns None when the recording has no date, as audioclass does. A
    timezone-aware time is converted to UTC and returned naive (numpy's
    ``datetime64`` has no zone).
    """
    if recording.date is None:
        return None
    when = datetime.datetime.combine(recording.date, recording.time or datetime.time.min)
    if when.tzinfo is not None and when.utcoffset() is not None:
        when = when.astimezone(datetime.UTC).replace(tzinfo=None)
    return when


def recording_coords(recording: data.Recording) -> dict[str, xr.Variable]:
    """The scalar coordinates audioclass adds from a recording.

    ``recorded_on`` (where the recording has a date), ``latitude`` and
    ``longitude`` (where it has them), with audioclass's attributes. The
    units of ``recorded_on`` are kept in its encoding rather than its
    attributes, so the dataset can be written with ``to_netcdf`` (an
    attribute ``units`` on a datetime variable makes xarray refuse to).
    """
    import xarray as xr

    coords: dict[str, xr.Variable] = {}
    when = recorded_on(recording)
    if when is not None:
        attrs = {
            "standard_name": "recorded_on",
            "long_name": "Time of start of recording",
        }
        if recording.time is not None and recording.time.tzinfo is not None:
            attrs["timezone"] = "UTC"
        variable = xr.Variable((), when, attrs=attrs)
        variable.encoding["units"] = "seconds since 1970-01-01T00:00:00"
        coords["recorded_on"] = variable
    if recording.latitude is not None:
        coords["latitude"] = xr.Variable(
            (),
            float(recording.latitude),
            attrs={
                "units": "degrees_north",
                "standard_name": "latitude",
                "long_name": "Latitude of recording location",
            },
        )
    if recording.longitude is not None:
        coords["longitude"] = xr.Variable(
            (),
            float(recording.longitude),
            attrs={
                "units": "degrees_east",
                "standard_name": "longitude",
                "long_name": "Longitude of recording location",
            },
        )
    return coords


def dataset(
    recording: data.Recording,
    times: np.ndarray,
    output: ModelOutput,
    tags: Sequence[data.Tag],
    feature_names: Sequence[str] | None = None,
    attrs: Mapping[str, object] | None = None,
) -> xr.Dataset:
    """All frames as ``features (time, feature)`` and ``probabilities (time, label)``.

    Parameters
    ----------
    recording
        The recording the frames belong to; its date, time and position
        become the scalar coordinates ``recorded_on``, ``latitude`` and
        ``longitude`` (see :func:`recording_coords`).
    times
        Start time in seconds of each frame (row of ``output``).
    output
        Probabilities and features of all frames.
    tags
        The tag of each class; their values are the ``label`` coordinate.
    feature_names
        Names for the ``feature`` coordinate; without them (or when their
        number does not match) it holds the indices 0, 1, ... as in
        audioclass.
    attrs
        Attributes of the dataset.
    """
    import xarray as xr

    n_feat = output.features.shape[1]
    names = feature_names
    time = xr.Variable(
        "time",
        np.asarray(times, dtype=np.float64),
        attrs={
            "units": "s",
            "standard_name": "time",
            "long_name": "Time from start of recording",
        },
    )
    return xr.Dataset(
        {
            "features": (("time", "feature"), output.features),
            "probabilities": (("time", "label"), output.class_probs),
        },
        coords={
            "time": time,
            "feature": list(names)
            if names and len(names) == n_feat
            else np.arange(n_feat),
            "label": [tag.value for tag in tags],
            **recording_coords(recording),
        },
        attrs=dict(attrs or {}),
    )


def feature_terms(
    model_name: str, feature_names: Sequence[str] | None, count: int
) -> list[data.Term]:
    """The term of each of ``count`` features: ``<model name>_<index>``.

    The name is audioclass's (``term_from_key(f"{model_name}_{i}")``). Where
    the model names its features, the term's label and definition say the
    name (``snr_db``...), and the term's name stays ``<model name>_<index>``.
    """
    names = feature_names if feature_names and len(feature_names) == count else None
    out = []
    for i in range(count):
        key = f"{model_name}_{i}"
        if names is None:
            out.append(data.term_from_key(key))
        else:
            out.append(
                data.Term(
                    name=key,
                    label=str(names[i]),
                    definition=f"Feature {i} ({names[i]}) of the {model_name} model.",
                )
            )
    return out
