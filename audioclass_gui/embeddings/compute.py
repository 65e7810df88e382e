"""Compute the embeddings of recordings that have none, as a generator.

:func:`compute_embeddings` runs a model over recordings on every core with
the batch engine's parts (:class:`~audioclass_gui.batch.work.ModelSpec`,
one model per worker thread, long recordings split into segments with
:func:`~audioclass_gui.batch.plan.split_span`) and appends each
recording's features to an :class:`EmbeddingStore` as soon as all its
segments are in. It reads the model's raw outputs
(:func:`~audioclass_gui.models.running.iter_outputs`), never building
``ClipPrediction`` objects it would throw away. Each ``yield`` is a
progress tick and a place to stop: closing the generator or setting
``cancel`` stops the workers between batches. Recordings already in the
store are skipped, so running it again resumes; a recording that cannot be
read, or that the model fails on, is reported and the others go on.
"""

from __future__ import annotations

import concurrent.futures as cf
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import RecordingInfo, read_info, to_recording
from audioclass_gui.batch.executors import cpu_count
from audioclass_gui.batch.plan import Segment, split_span
from audioclass_gui.batch.work import ModelSpec, discard_spares, get_model, seed_model
from audioclass_gui.embeddings.store import EmbeddingStore
from audioclass_gui.models import ClipClassificationModel
from audioclass_gui.models.running import iter_outputs
from audioclass_gui.models.settings import RunSettings

__all__ = ["EmbedProgress", "NoFeaturesError", "compute_embeddings", "embed_file"]

#: Seconds of audio per task for long recordings (as ``predict`` splits them).
SEGMENT_SECONDS = 300.0


class NoFeaturesError(ValueError):
    """The model gives no features (the energy detector), so nothing can be stored."""


@dataclass(frozen=True)
class EmbedProgress:
    """Progress of :func:`compute_embeddings`, sent at every tick.

    Attributes
    ----------
    recordings_done, recordings_total
        Recordings stored (or failed) so far in this run, and to do in it
        (those already stored are not counted).
    seconds_done, seconds_total
        Audio processed so far, and in all recordings to do.
    skipped
        Recordings found already stored.
    failures
        ``(recording, message)`` of every recording that failed so far.
    """

    recordings_done: int
    recordings_total: int
    seconds_done: float
    seconds_total: float
    skipped: int = 0
    failures: tuple[tuple[str, str], ...] = ()


@dataclass
class _Pending:
    name: str
    info: RecordingInfo
    segments: list[Segment]
    parts: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    failed: bool = False


def _run_segment(
    spec: ModelSpec,
    info: RecordingInfo,
    segment: Segment,
    settings: RunSettings,
    ticks: queue.SimpleQueue,
    stop: threading.Event,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features of the windows a segment owns: ``(starts, ends, vectors)``."""
    model = get_model(spec)
    plan = model.plan_frames(
        to_recording(info),
        segment.start,
        segment.end,
        channel=settings.channel,
        overlap_seconds=settings.overlap_seconds,
        resampler=settings.resampler,
    )
    spans, feats = [], []
    reported = 0.0
    for first, output in iter_outputs(model, plan, batch_size=settings.batch_size, cancel=stop.is_set):
        spans.extend(plan.frame_span(first + i) for i in range(len(output.features)))
        feats.append(np.asarray(output.features, np.float32))
        done = min(plan.duration, (first + len(output.features) - 1) * plan.hop_seconds + plan.frame_seconds)
        ticks.put(done - reported)
        reported = done
    times = np.asarray(spans, np.float64).reshape(-1, 2)
    vectors = np.concatenate(feats) if feats else np.zeros((0, 0), np.float32)
    if segment.keep_before is not None:
        keep = times[:, 0] < segment.keep_before - 1e-6
        times, vectors = times[keep], vectors[keep]
    return times[:, 0], times[:, 1], vectors


def _model_spec(
    model_key: str,
    model_kwargs: dict[str, Any] | None,
    factory: Callable[..., ClipClassificationModel] | None,
    workers: int,
) -> tuple[ModelSpec, ClipClassificationModel]:
    """As ``predict`` builds them: one one-thread model per worker when there are several."""
    spec = ModelSpec.create(model_key, model_kwargs, factory=factory)
    if workers > 1 and "num_threads" not in dict(spec.kwargs):
        threaded = spec.with_kwargs(num_threads=max(1, cpu_count() // workers))
        try:
            return threaded, threaded.build()
        except TypeError as exc:
            if "num_threads" not in str(exc):
                raise
    return spec, spec.build()


def compute_embeddings(
    recordings: Sequence[str | Path],
    folder: str | Path,
    model_key: str = "birdnet",
    *,
    names: Callable[[Path], str] = str,
    settings: RunSettings | None = None,
    workers: int | None = None,
    model_kwargs: dict[str, Any] | None = None,
    factory: Callable[..., ClipClassificationModel] | None = None,
    cancel: threading.Event | None = None,
    segment_seconds: float = SEGMENT_SECONDS,
) -> Iterator[EmbedProgress]:
    """Store the features of every recording not yet in the model's store.

    Parameters
    ----------
    recordings
        Audio files.
    folder
        The embeddings folder (see
        :func:`~audioclass_gui.embeddings.store.embeddings_folder`); the
        model's store inside it is created on the first recording done.
    model_key
        Registry key of the model (``"birdnet"``), also the store's key.
    names
        How a recording is named in the store (a project passes its
        paths relative to its folder); default: the path as given.
    settings
        Channel, overlap, resampler and batch size of the windows
        (the default: BirdNET's 3-s windows, no overlap, channels mixed).
    workers
        Worker threads, each with its own model (default: one per core).
    model_kwargs, factory
        Passed to the model's factory; ``factory`` replaces the registry
        (tests).
    cancel
        Set it (from any thread) to stop at the next batch; the generator
        then returns. Recordings stored stay stored.
    segment_seconds
        Long recordings are split into tasks of about this much audio.

    Yields
    ------
    EmbedProgress
        After every batch of some worker (at most every 0.25 s) and after
        every recording stored or failed; the last one is the summary.

    Raises
    ------
    NoFeaturesError
        If the model gives no features.
    EmbeddingStoreError
        If the store holds vectors of another length.
    """
    settings = settings or RunSettings()
    stop = threading.Event()
    workers = workers or cpu_count()
    failures: list[tuple[str, str]] = []
    store: EmbeddingStore | None = None
    if EmbeddingStore.exists(folder, model_key):
        store = EmbeddingStore.open(folder, model_key)
    todo: list[_Pending] = []
    skipped = 0
    for path in (Path(p) for p in recordings):
        name = names(path)
        if store is not None and store.has_recording(name):
            skipped += 1
            continue
        try:
            info = read_info(path)
        except AudioFileError as exc:
            failures.append((name, str(exc)))
            continue
        todo.append(_Pending(name, info, []))
    total = len(todo) + len(failures)
    seconds_total = sum(p.info.duration for p in todo)
    done = len(failures)
    seconds = 0.0

    def tick() -> EmbedProgress:
        return EmbedProgress(done, total, min(seconds, seconds_total), seconds_total, skipped, tuple(failures))

    yield tick()
    if not todo:
        return
    spec, model = _model_spec(model_key, model_kwargs, factory, workers)
    dim = int(getattr(model, "num_features", 0) or 0)
    if store is None and dim:
        store = EmbeddingStore.open(folder, model_key, dim=dim)
    stateless = type(model).reset is ClipClassificationModel.reset
    for pending in todo:
        pending.segments = split_span(
            pending.info.duration,
            start=0.0,
            end=None,
            frame_seconds=model.frame_seconds,
            overlap=settings.overlap_seconds,
            segment_seconds=segment_seconds if stateless else 0.0,
        )
    tasks = [(p, s) for p in todo for s in p.segments]
    tasks.reverse()
    ticks: queue.SimpleQueue = queue.SimpleQueue()
    seed_model(spec, model)
    pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="embed")
    running: dict[cf.Future, tuple[_Pending, Segment]] = {}
    try:
        while tasks or running:
            if cancel is not None and cancel.is_set():
                return
            while tasks and len(running) < 2 * workers:
                pending, segment = tasks.pop()
                if not pending.failed:
                    future = pool.submit(_run_segment, spec, pending.info, segment, settings, ticks, stop)
                    running[future] = (pending, segment)
            finished, _ = cf.wait(list(running), timeout=0.25, return_when=cf.FIRST_COMPLETED)
            while not ticks.empty():
                seconds += ticks.get()
            for future in finished:
                pending, segment = running.pop(future)
                if pending.failed:
                    continue
                try:
                    pending.parts[segment.index] = future.result()
                except Exception as exc:  # reported; the others go on
                    reason = str(exc) if isinstance(exc, AudioFileError) else (
                        f"{pending.info.path}: {model.name} failed: {type(exc).__name__}: {exc}"
                    )
                    pending.failed = True
                    failures.append((pending.name, reason))
                    done += 1
                    continue
                if len(pending.parts) == len(pending.segments):
                    store = _store(store, folder, model_key, model, pending)
                    done += 1
            yield tick()
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        discard_spares(spec)


def _store(
    store: EmbeddingStore | None,
    folder: str | Path,
    model_key: str,
    model: ClipClassificationModel,
    pending: _Pending,
) -> EmbeddingStore:
    parts = [pending.parts[i] for i in range(len(pending.segments))]
    starts = np.concatenate([p[0] for p in parts])
    ends = np.concatenate([p[1] for p in parts])
    vectors = [p[2] for p in parts if len(p[2])]
    dim = vectors[0].shape[1] if vectors else (store.dim if store is not None else 0)
    if not dim:
        raise NoFeaturesError(f"{model.name} gives no features: there is nothing to search")
    if store is None:
        store = EmbeddingStore.open(folder, model_key, dim=dim)
    store.append(
        pending.name,
        starts,
        ends,
        np.concatenate(vectors) if vectors else np.zeros((0, dim), np.float32),
    )
    return store


def embed_file(
    path: str | Path,
    model: ClipClassificationModel,
    start: float = 0.0,
    end: float | None = None,
    settings: RunSettings | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The model's features for the windows of ``[start, end)`` of an audio file.

    For a query from outside the store. Returns ``(starts, vectors)``; a
    span shorter than one window gives the one window starting at
    ``start`` (padded with silence past the end of the file).

    Raises
    ------
    AudioFileError
        If the file cannot be read.
    NoFeaturesError
        If the model gives no features.
    """
    settings = settings or RunSettings()
    info = read_info(Path(path))
    plan = model.plan_frames(
        to_recording(info),
        start,
        end,
        channel=settings.channel,
        overlap_seconds=settings.overlap_seconds,
        resampler=settings.resampler,
    )
    starts, feats = [], []
    for first, output in iter_outputs(model, plan, batch_size=settings.batch_size):
        starts.extend(plan.frame_span(first + i)[0] for i in range(len(output.features)))
        feats.append(np.asarray(output.features, np.float32))
    vectors = np.concatenate(feats) if feats else np.zeros((0, 0), np.float32)
    if not vectors.size:
        raise NoFeaturesError(f"{path}: {model.name} gave no features for [{start}, {end or 'end'})")
    return np.asarray(starts, np.float64), vectors
