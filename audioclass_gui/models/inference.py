"""Run a model over a recording as a generator: one step per batch.

The GUI worker (and the CLI) drive :func:`iter_predictions`: every
``yield`` carries the new predictions and the progress, and is a point where
the run can be cancelled. It reads the audio through the same framing code
as :meth:`ClipClassificationModel.process_recording`, so both give the same
predictions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from soundevent import data

from audioclass_gui.models.base import ClipClassificationModel, iter_outputs
from audioclass_gui.models.filters import build_class_filter
from audioclass_gui.models.settings import RunSettings
from audioclass_gui.models.wrap import wrap_model

__all__ = ["InferenceStep", "RunSettings", "iter_predictions"]


@dataclass(frozen=True)
class InferenceStep:
    """Progress after one batch of a model run.

    Attributes
    ----------
    predictions
        The ``ClipPrediction`` objects of this batch only, one per frame.
    frames_done, frames_total
        Frames processed so far, and in the whole run.
    seconds_done, seconds_total
        Audio processed so far, and the length of the span, in seconds.
    """

    predictions: list[data.ClipPrediction]
    frames_done: int
    frames_total: int
    seconds_done: float
    seconds_total: float

    @property
    def fraction(self) -> float:
        """Share of the run done, from 0 to 1."""
        if self.frames_total <= 0:
            return 1.0
        return min(1.0, self.frames_done / self.frames_total)


def _as_check(
    cancel: Callable[[], bool] | threading.Event | None,
) -> Callable[[], bool] | None:
    if cancel is None:
        return None
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return cancel


def _merge(settings: RunSettings | None, **legacy: object) -> RunSettings:
    """Settings with the keyword arguments that were given laid over them."""
    changes = {k: v for k, v in legacy.items() if v is not None}
    base = settings if settings is not None else RunSettings()
    return base.replace(**changes) if changes else base


def iter_predictions(
    model: ClipClassificationModel,
    recording: data.Recording,
    settings: RunSettings | None = None,
    *,
    start: float | None = None,
    end: float | None = None,
    batch_size: int | None = None,
    channel: int | None = None,
    with_features: bool | None = None,
    cancel: Callable[[], bool] | threading.Event | None = None,
) -> Iterator[InferenceStep]:
    """Run ``model`` over ``recording``, yielding after every batch.

    Parameters
    ----------
    model
        The model, already constructed (construct it in the worker thread):
        one of ours, or any object following the interface, such as a
        model of the ``audioclass`` package, which is wrapped
        (:func:`~audioclass_gui.models.wrap.wrap_model`).
    recording
        The recording; its file is read in bounded blocks, never whole.
        Its ``time_expansion`` is honoured (times are real times), and its
        ``latitude``, ``longitude`` and ``date`` feed the location filter.
    settings
        Every option of the run (:class:`RunSettings`): threshold, top-k,
        sensitivity, overlap, channel, sub-range, species list, location
        filter, batch size. None runs with the defaults and the model's
        own threshold and sensitivity. When given, ``settings.sensitivity``
        is set on models that have a ``sensitivity`` attribute (BirdNET).
    start, end, batch_size, channel, with_features
        Shortcuts overriding the same fields of ``settings`` when given
        (``start``/``end`` in real seconds, ``channel`` zero-based).
    cancel
        A callable returning True, or a ``threading.Event`` that is set,
        to stop the run. It is checked before each batch; the generator
        then returns without an exception.

    Yields
    ------
    InferenceStep
        The predictions of the batch and the progress so far. Frame ``i``
        spans ``[start + i * hop, start + i * hop + frame_seconds)`` with
        ``hop = frame_seconds - overlap``; a frame reaching past the end of
        the span (zero-padded) ends where the span does.

    Raises
    ------
    AudioFileError
        If the recording cannot be read (also in the middle of a run).
    TypeError
        If ``model`` lacks part of the interface.
    ValueError
        If a setting does not fit the model or recording (overlap not
        shorter than the window, no species of the list is a class of the
        model).
    Exception
        Whatever the model raises propagates unchanged.
    """
    model = wrap_model(model)
    explicit = settings is not None
    settings = _merge(
        settings,
        start=start,
        end=end,
        batch_size=batch_size,
        channel=channel,
        with_features=with_features,
    )
    if explicit and hasattr(model, "sensitivity"):
        model.sensitivity = settings.sensitivity  # type: ignore[attr-defined]
    class_filter = build_class_filter(model, settings, recording)
    plan = model.plan_frames(
        recording,
        settings.start,
        settings.end,
        channel=settings.channel,
        overlap_seconds=settings.overlap_seconds,
        resampler=settings.resampler,
    )
    check = _as_check(cancel)
    for first, output in iter_outputs(
        model, plan, batch_size=settings.batch_size, cancel=check
    ):
        predictions = model.to_clip_predictions(
            plan,
            first,
            output,
            with_features=settings.with_features,
            threshold=settings.threshold,
            mask=class_filter.mask,
            top_k=settings.top_k,
        )
        done = first + len(predictions)
        seconds = 0.0
        if done:
            seconds = (done - 1) * plan.hop_seconds + plan.frame_seconds
        yield InferenceStep(
            predictions=predictions,
            frames_done=done,
            frames_total=plan.num_frames,
            seconds_done=min(plan.duration, seconds),
            seconds_total=plan.duration,
        )
