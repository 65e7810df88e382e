"""What a worker does: run the model over one segment of one recording.

These functions run in whatever executes the tasks, a thread of this
process, a worker process or a dask worker on another machine, so they take
plain picklable values and return plain data. Each thread keeps its own
model (built once, on its first task): LiteRT interpreters are not
thread-safe, and building one per task would cost more than the task.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from soundevent import data

from audioclass_gui.batch.plan import Segment
from audioclass_gui.models import (
    ClipClassificationModel,
    create_model,
    iter_predictions,
)
from audioclass_gui.models.settings import RunSettings

__all__ = [
    "ModelSpec",
    "discard_spares",
    "SegmentResult",
    "SegmentTask",
    "get_model",
    "run_segment",
    "seed_model",
]


@dataclass(frozen=True)
class ModelSpec:
    """How to build a model, in a form that can travel to another process.

    Attributes
    ----------
    key
        Registry key (``"birdnet"``, ``"energy"``, a plugin's name).
    kwargs
        Keyword arguments for the model's factory, as ``(name, value)``
        pairs (hashable, so a worker can cache its model per spec).
    factory
        Optional callable used instead of the registry (it must be
        picklable to reach worker processes: a module-level function or
        class). Called as ``factory(**kwargs)``.
    """

    key: str
    kwargs: tuple[tuple[str, Any], ...] = ()
    factory: Callable[..., ClipClassificationModel] | None = field(
        default=None, compare=True
    )

    @classmethod
    def create(
        cls,
        key: str,
        kwargs: Mapping[str, Any] | None = None,
        *,
        factory: Callable[..., ClipClassificationModel] | None = None,
    ) -> ModelSpec:
        """A spec from a key, keyword arguments and an optional factory."""
        return cls(
            key=key, kwargs=tuple(sorted(dict(kwargs or {}).items())), factory=factory
        )

    def with_kwargs(self, **changes: Any) -> ModelSpec:
        """A copy with some keyword arguments changed."""
        args = dict(self.kwargs)
        args.update(changes)
        return ModelSpec(
            key=self.key, kwargs=tuple(sorted(args.items())), factory=self.factory
        )

    def build(self) -> ClipClassificationModel:
        """Construct the model (slow: loads weights)."""
        if self.factory is not None:
            return self.factory(**dict(self.kwargs))
        return create_model(self.key, **dict(self.kwargs))


_local = threading.local()
_spares: dict[ModelSpec, list[ClipClassificationModel]] = {}
_spares_lock = threading.Lock()


def seed_model(spec: ModelSpec, model: ClipClassificationModel) -> None:
    """Offer an already built model to the first thread of this process that needs one."""
    with _spares_lock:
        _spares.setdefault(spec, []).append(model)


def discard_spares(spec: ModelSpec) -> None:
    """Forget models offered with :func:`seed_model` that no thread took."""
    with _spares_lock:
        _spares.pop(spec, None)


def get_model(spec: ModelSpec) -> ClipClassificationModel:
    """This thread's model for ``spec``, built on first use."""
    cache: dict[ModelSpec, ClipClassificationModel] | None = getattr(
        _local, "models", None
    )
    if cache is None:
        cache = _local.models = {}
    model = cache.get(spec)
    if model is None:
        with _spares_lock:
            spare = _spares.get(spec)
            model = spare.pop() if spare else None
        if model is None:
            model = spec.build()
        cache[spec] = model
    return model


@dataclass(frozen=True)
class SegmentTask:
    """One segment of one recording to run.

    Attributes
    ----------
    key
        The job's key (see :class:`~audioclass_gui.batch.plan.Job`).
    recording
        The recording (one object per job, so all its clips share it).
    settings
        The run's settings; ``start`` and ``end`` are replaced by the
        segment's.
    segment
        The part to run.
    """

    key: str
    recording: data.Recording
    settings: RunSettings
    segment: Segment


@dataclass
class SegmentResult:
    """What a segment task returns.

    Attributes
    ----------
    key, index
        The job and the segment's index.
    predictions
        The clip predictions of the windows the segment owns, in order.
    seconds
        Seconds of audio the segment covered.
    """

    key: str
    index: int
    predictions: list[data.ClipPrediction]
    seconds: float


def run_segment(
    spec: ModelSpec,
    task: SegmentTask,
    progress: Callable[[str, float], None] | None = None,
    cancel: Callable[[], bool] | threading.Event | None = None,
) -> SegmentResult:
    """Run the model over one segment.

    Parameters
    ----------
    spec
        The model to use (this thread's instance is reused).
    task
        The segment.
    progress
        Called as ``progress(key, seconds)`` with the seconds of audio done
        since the last call, after every batch.
    cancel
        Stops the run between batches; the result is then partial (the
        caller discards it).

    Raises
    ------
    AudioFileError
        If the recording cannot be read.
    """
    model = get_model(spec)
    seg = task.segment
    settings = task.settings.replace(start=seg.start, end=seg.end)
    predictions: list[data.ClipPrediction] = []
    reported = 0.0
    seconds = 0.0
    for step in iter_predictions(model, task.recording, settings, cancel=cancel):
        predictions.extend(step.predictions)
        seconds = step.seconds_done
        if progress is not None and seconds > reported:
            progress(task.key, seconds - reported)
            reported = seconds
    if seg.keep_before is not None:
        limit = seg.keep_before - 1e-6
        predictions = [p for p in predictions if p.clip.start_time < limit]
        seconds = min(seconds, seg.keep_before - seg.start)
    return SegmentResult(
        key=task.key, index=seg.index, predictions=predictions, seconds=seconds
    )
