"""The disk and number work behind the window's learning actions, safe off the GUI thread.

Each function here takes plain, immutable inputs (paths, names, arrays,
``data.Recording`` objects, which are frozen) and returns plain data, so
that :class:`~audioclass_gui.app.learning.Learning` can hand it to the
app's tasks (the window's thread pool) and apply the result on the GUI
thread, which owns the review session. Nothing here touches a session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from soundevent import data, terms

from audioclass_gui.embeddings.locate import EmbeddingsPlace
from audioclass_gui.embeddings.store import EmbeddingStore

__all__ = [
    "EmbeddingsStatus",
    "Window",
    "WindowsRun",
    "embeddings_status",
    "query_rows",
    "score_store",
    "write_windows_run",
]

#: Rows scored at a time when a classifier runs over a store.
SCORE_BLOCK = 65_536


@dataclass(frozen=True)
class EmbeddingsStatus:
    """Which recordings of a project have embeddings of one model.

    Attributes
    ----------
    model_key : str
    folder : pathlib.Path
        The embeddings folder (the model's store is a sub-folder).
    recordings : int
        Recordings in the project.
    with_embeddings : int
        Of them, those with stored windows.
    windows : int
        Rows in the store.
    missing : tuple of str
        Recordings (paths) without embeddings.
    """

    model_key: str
    folder: Path
    recordings: int
    with_embeddings: int
    windows: int
    missing: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        """True when some windows can be searched or trained on."""
        return self.windows > 0

    def describe(self) -> str:
        """One line for the user: what is there and what is missing."""
        if not self.recordings:
            return "The project has no recordings."
        if not self.with_embeddings:
            return (
                f"No {self.model_key} embeddings yet for the {self.recordings} recording(s): "
                "compute them (Model › Compute embeddings for the project)."
            )
        text = (
            f"{self.model_key} embeddings: {self.with_embeddings} of {self.recordings} "
            f"recording(s), {self.windows:,} windows"
        )
        if self.missing:
            text += f"; {len(self.missing)} recording(s) have none yet"
        return text


def embeddings_status(
    place: EmbeddingsPlace, model_key: str, recordings: Sequence[str]
) -> EmbeddingsStatus:
    """Read the store's manifest and compare it with the project's recordings (disk).

    The store's vectors are also read ahead into memory where the system
    allows it (:func:`~audioclass_gui.embeddings.search.read_ahead`).
    """
    store = (
        EmbeddingStore.open(place.folder, model_key)
        if EmbeddingStore.exists(place.folder, model_key)
        else None
    )
    stored = set(store.recordings()) if store is not None else set()
    if store is not None:  # the first Find similar then reads from memory, not disk
        from audioclass_gui.embeddings.search import read_ahead

        read_ahead(store)
    missing = tuple(p for p in recordings if place.name(p) not in stored)
    return EmbeddingsStatus(
        model_key,
        place.folder,
        len(recordings),
        len(recordings) - len(missing),
        len(store) if store is not None else 0,
        missing,
    )


def query_rows(
    store: EmbeddingStore, recording: str, start: float, end: float, *, own_window: bool
) -> np.ndarray:
    """Rows of ``recording``'s windows a query stands for.

    ``own_window``: the window starting at ``start`` (a detection's own
    window), else the one containing ``start``; otherwise every window
    overlapping ``[start, end)`` (a drawn box).
    """
    if recording not in store.recordings():
        return np.zeros(0, np.int64)
    if own_window:
        exact = store.lookup(recording, [start])
        if exact[0] >= 0:
            return exact
        end = start + 1e-6
    rid = store.recordings().index(recording)
    rec, starts, ends = store.rows()
    return np.flatnonzero((rec == rid) & (starts < end) & (ends > start)).astype(np.int64)


def score_store(store: EmbeddingStore, predict: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """A classifier's scores of every stored window, block by block: ``(rows, species)``."""
    parts = [
        np.asarray(predict(store.vectors(slice(s, min(len(store), s + SCORE_BLOCK)))), np.float32)
        for s in range(0, len(store), SCORE_BLOCK)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)


@dataclass(frozen=True)
class Window:
    """One window to list as a detection: where, which species, its score."""

    recording: data.Recording
    start: float
    end: float
    species: str
    score: float


@dataclass(frozen=True)
class WindowsRun:
    """A run written from windows (matches, a classifier's scores, picks).

    Attributes
    ----------
    target : pathlib.Path
        The predictions store file written.
    name : str
        The run's name.
    provenance : dict
        How it was made.
    predictions : list of soundevent ClipPrediction
        To add to the session (in the order of :attr:`windows`).
    windows : list of Window
        What was listed, in list order.
    detections : int
        Detections written.
    extra : dict
        Anything the caller wants back (the search's figures...).
    """

    target: Path
    name: str
    provenance: dict[str, Any]
    predictions: list[data.ClipPrediction]
    windows: list[Window]
    detections: int
    extra: dict[str, Any] = field(default_factory=dict)


def _predictions(windows: Sequence[Window], names: Mapping[str, str]) -> list[data.ClipPrediction]:
    out = []
    for w in windows:
        tag = data.Tag(term=terms.scientific_name, value=w.species)
        out.append(
            data.ClipPrediction(
                clip=data.Clip(recording=w.recording, start_time=w.start, end_time=w.end),
                tags=[data.PredictedTag(tag=tag, score=float(min(1.0, max(0.0, w.score))))],
            )
        )
    return out


def write_windows_run(
    runs_folder: Path,
    windows: Sequence[Window],
    *,
    name: str,
    provenance: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> WindowsRun:
    """Write windows as a run in a project's runs folder (disk; any thread).

    Scores are clipped to [0, 1] (a cosine similarity may be negative).
    """
    from audioclass_gui.project.run_files import run_file, write_run_file

    provenance = {**provenance, "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    predictions = _predictions(windows, names or {})
    target = run_file(runs_folder, name)
    count = write_run_file(target, predictions, name=name, provenance=provenance)
    return WindowsRun(target, name, dict(provenance), predictions, list(windows), count, dict(extra or {}))
