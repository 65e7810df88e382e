"""An AOEF file's predictions as columns, and their recordings mapped onto a project's.

:func:`~audioclass_gui.formats.aoef_stream_read.read_aoef_columns` reads a
file into a :class:`RawRun` (streaming, or through the object reader:
:func:`raw_from_predictions`); :func:`map_recordings` then does what a
project did with clip prediction objects: ask for each recording, drop the
predictions of those it does not have (saying so), and number recordings
and species as :func:`~audioclass_gui.formats.prediction_store.run_from_predictions`
numbers them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from soundevent import data

from audioclass_gui.formats.aoef_import import PredictionFile
from audioclass_gui.formats.prediction_store import StoredRun

__all__ = ["RawRun", "map_recordings", "raw_from_predictions"]


@dataclass
class RawRun:
    """An AOEF file's predictions as columns, before recordings are mapped to a project's.

    Attributes
    ----------
    path : pathlib.Path
    kind : str
        "model_run" or "prediction_set".
    recordings : list of str
        Recording paths as the file gives them (relative ones joined to the
        file's folder), each once.
    species : list of str
        Tag values; ``species_index`` indexes this list.
    recording, species_index : numpy.ndarray of int
    start, end, score : numpy.ndarray of float64
        One row per predicted tag, in the file's order.
    windows : numpy.ndarray of int64
        Clip predictions per recording (those without tags too).
    first_seen : list of int
        Recordings in the order their first clip prediction comes.
    model_name : str
    provenance : dict
    """

    path: Path
    kind: str
    recordings: list[str]
    species: list[str]
    recording: np.ndarray
    species_index: np.ndarray
    start: np.ndarray
    end: np.ndarray
    score: np.ndarray
    windows: np.ndarray
    first_seen: list[int]
    model_name: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)


def raw_from_predictions(result: PredictionFile) -> RawRun:
    """The columns of predictions read by the object reader."""
    paths: dict[str, int] = {}
    species: dict[str, int] = {}
    pred_rec: list[int] = []
    rec: list[int] = []
    spc: list[int] = []
    start: list[float] = []
    end: list[float] = []
    score: list[float] = []
    for prediction in result.predictions:
        clip = prediction.clip
        r = paths.setdefault(str(clip.recording.path), len(paths))
        pred_rec.append(r)
        s, e = float(clip.start_time), float(clip.end_time)
        for predicted in prediction.tags:
            rec.append(r)
            spc.append(species.setdefault(str(predicted.tag.value), len(species)))
            start.append(s)
            end.append(e)
            score.append(float(predicted.score))
    per_prediction = np.asarray(pred_rec, np.int64)
    return RawRun(
        result.path,
        result.kind,
        list(paths),
        list(species),
        np.asarray(rec, np.int32),
        np.asarray(spc, np.int32),
        np.asarray(start, np.float64),
        np.asarray(end, np.float64),
        np.asarray(score, np.float64),
        np.bincount(per_prediction, minlength=len(paths)).astype(np.int64),
        list(dict.fromkeys(pred_rec)),
        result.model_name,
        result.provenance,
    )


def map_recordings(
    raw: RawRun, resolve: Callable[[str], data.Recording | None]
) -> StoredRun:
    """Map a file's recordings onto a project's; predictions of unknown ones are dropped.

    ``resolve`` is asked once per recording, in the order their first clip
    prediction comes; each dropped recording is said in ``problems``. The
    rows are what :func:`~audioclass_gui.formats.prediction_store.run_from_predictions`
    makes of the mapped clip predictions (recordings and species numbered
    in the order they first come).
    """
    problems: list[str] = []
    lut = np.full(len(raw.recordings), -1, np.int32)
    targets: dict[str, int] = {}
    for i in raw.first_seen:
        found = resolve(raw.recordings[i])
        if found is None:
            problems.append(
                f"{raw.path}: {int(raw.windows[i])} clip predictions of "
                f"{raw.recordings[i]}: recording not found"
            )
            continue
        lut[i] = targets.setdefault(str(found.path), len(targets))
    rec = lut[raw.recording] if len(raw.recording) else np.empty(0, np.int32)
    keep = rec >= 0
    spc = raw.species_index[keep]
    values, first = np.unique(spc, return_index=True)
    order = values[np.argsort(first, kind="stable")]
    renumber = np.full(len(raw.species), -1, np.int32)
    renumber[order] = np.arange(len(order), dtype=np.int32)
    return StoredRun(
        list(targets),
        [raw.species[i] for i in order.tolist()],
        rec[keep].astype(np.int32),
        renumber[spc] if len(spc) else np.empty(0, np.int32),
        raw.start[keep],
        raw.end[keep],
        raw.score[keep],
        model_name=raw.model_name,
        provenance=raw.provenance,
        problems=problems,
    )
