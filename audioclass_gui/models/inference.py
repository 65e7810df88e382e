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

__all__ = ["InferenceStep", "iter_predictions"]


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


def iter_predictions(
    model: ClipClassificationModel,
    recording: data.Recording,
    *,
    start: float = 0.0,
    end: float | None = None,
    batch_size: int | None = None,
    channel: int | None = None,
    with_features: bool = False,
    cancel: Callable[[], bool] | threading.Event | None = None,
) -> Iterator[InferenceStep]:
    """Run ``model`` over ``recording``, yielding after every batch.

    Parameters
    ----------
    model
        The model, already constructed (construct it in the worker thread).
    recording
        The recording; its file is read in bounded blocks, never whole.
    start, end
        Span to process in real seconds; ``end=None`` means to the end.
    batch_size
        Frames per batch; defaults to ``model.batch_size``.
    channel
        Zero-based channel, or None to average all channels.
    with_features
        Attach per-frame ``Feature`` objects to the predictions.
    cancel
        A callable returning True, or a ``threading.Event`` that is set,
        to stop the run. It is checked before each batch; the generator
        then returns without an exception.

    Yields
    ------
    InferenceStep
        The predictions of the batch and the progress so far. Frame ``i``
        spans ``[start + i * frame_seconds, start + (i + 1) * frame_seconds)``;
        the last may reach past the end of the recording (zero-padded).

    Raises
    ------
    AudioFileError
        If the recording cannot be read (also in the middle of a run).
    Exception
        Whatever the model raises propagates unchanged.
    """
    plan = model.plan_frames(recording, start, end, channel=channel)
    check = _as_check(cancel)
    done = 0
    for first, output in iter_outputs(model, plan, batch_size=batch_size, cancel=check):
        predictions = model.to_clip_predictions(
            plan, first, output, with_features=with_features
        )
        done = first + len(predictions)
        yield InferenceStep(
            predictions=predictions,
            frames_done=done,
            frames_total=plan.num_frames,
            seconds_done=min(plan.duration, done * plan.frame_seconds),
            seconds_total=plan.duration,
        )
