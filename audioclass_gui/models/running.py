"""Run a model over planned frames, over clips, or over audioclass batches.

:func:`iter_outputs` is the engine's loop over the frames of a
:class:`~audioclass_gui.models.framing.FramePlan`. :func:`process_iterable`
backs :meth:`ClipClassificationModel.process_iterable
<audioclass_gui.models.base.ClipClassificationModel.process_iterable>`: it
takes ``Clip`` objects (read through the engine) as well as the
``(array, recordings, frames)`` batches that the ``audioclass`` package's
iterators (``SimpleIterator``, ``TFDatasetIterator``...) yield, so code
written for audioclass runs unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from soundevent import data

from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.models.framing import FramePlan, iter_batches
from audioclass_gui.models.output import ModelOutput, check_output

if TYPE_CHECKING:
    from audioclass_gui.models.base import ClipClassificationModel

__all__ = ["iter_outputs", "process_iterable"]


def iter_outputs(
    model: ClipClassificationModel,
    plan: FramePlan,
    *,
    batch_size: int | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Iterator[tuple[int, ModelOutput]]:
    """Run a model over the frames of a plan, one batch at a time.

    Calls ``model.reset()`` first, then reads each batch in bounded blocks
    and runs ``model.process_array`` on it.

    Parameters
    ----------
    model
        The model.
    plan
        The frames, from :func:`~audioclass_gui.models.framing.plan_frames`
        with the model's rate and frame length.
    batch_size
        Frames per batch; defaults to ``model.batch_size``.
    cancel
        Checked before each batch; when it returns True the generator
        stops without reading more audio.

    Yields
    ------
    first : int
        Index of the batch's first frame.
    output : ModelOutput
        The model's output for the batch, checked for shape.

    Raises
    ------
    AudioFileError
        If reading the audio fails.
    ValueError
        If the model returns arrays of the wrong shape.
    """
    model.reset()
    batches = iter_batches(plan, batch_size or model.batch_size)
    while True:
        if cancel is not None and cancel():
            return
        item = next(batches, None)
        if item is None:
            return
        first, batch = item
        yield first, check_output(model, model.process_array(batch), batch.shape[0])


def _frame_seconds(model: ClipClassificationModel, iterable: object) -> float:
    """Seconds per frame of an audioclass iterator, checked against the model."""
    rate = getattr(iterable, "samplerate", None)
    length = getattr(iterable, "input_samples", None)
    if rate is None or length is None:
        return model.input_samples / model.samplerate
    if (int(rate), int(length)) != (int(model.samplerate), int(model.input_samples)):
        raise ValueError(
            f"the iterator gives frames of {length} samples at {rate} Hz; "
            f"{model.name} takes {model.input_samples} samples at "
            f"{model.samplerate} Hz (build the iterator with the model's "
            "samplerate and input_samples)"
        )
    return int(length) / int(rate)


def _stateful(model: ClipClassificationModel) -> bool:
    from audioclass_gui.models.base import ClipClassificationModel

    return getattr(type(model), "reset", None) is not ClipClassificationModel.reset


class _Batches:
    """Turns audioclass batches into predictions, resetting per recording."""

    def __init__(self, model: ClipClassificationModel, hop: float) -> None:
        self.model = model
        self.hop = hop
        self.stateful = _stateful(model)
        self.last: tuple[object, int] | None = None  # (recording id, frame)

    def runs(
        self, recordings: Sequence[data.Recording], frames: np.ndarray
    ) -> list[tuple[int, int]]:
        """``[start, stop)`` rows of consecutive frames of one recording."""
        out = []
        start = 0
        for row in range(1, len(frames) + 1):
            if row < len(frames):
                a, b = recordings[row - 1], recordings[row]
                same = a is b or a.uuid == b.uuid
                if same and frames[row] == frames[row - 1] + 1:
                    continue
            out.append((start, row))
            start = row
        return out

    def __call__(
        self, array: Any, recordings: Sequence[data.Recording], frames: Any
    ) -> list[data.ClipPrediction]:
        model = self.model
        x = np.asarray(array, dtype=np.float32)
        if x.ndim == 1:
            x = x[np.newaxis]
        frames = np.asarray(frames).reshape(-1).astype(np.int64)
        recordings = list(recordings)
        n = x.shape[0]
        if x.ndim != 2 or x.shape[1] != model.input_samples:
            raise ValueError(
                f"{model.name} takes frames of {model.input_samples} samples; "
                f"the batch has shape {x.shape}"
            )
        if len(recordings) != n or len(frames) != n:
            raise ValueError(
                f"a batch of {n} frames came with {len(recordings)} recordings "
                f"and {len(frames)} frame indices"
            )
        if n == 0:
            return []
        runs = self.runs(recordings, frames)
        if self.stateful:
            outputs = [self._run(x, recordings, frames, a, b) for a, b in runs]
        else:
            whole = check_output(model, model.process_array(x), n)
            outputs = [
                ModelOutput(whole.class_probs[a:b], whole.features[a:b])
                for a, b in runs
            ]
        predictions: list[data.ClipPrediction] = []
        for (a, b), output in zip(runs, outputs, strict=True):
            # A frame reaching past the recording's end ends with it (as
            # the framing's frames do; audioclass keeps the nominal span).
            end = float(recordings[a].duration or np.inf)
            spans = [
                (k * self.hop, max(k * self.hop, min((k + 1) * self.hop, end)))
                for k in frames[a:b].tolist()
            ]
            predictions.extend(model.to_soundevent(recordings[a], spans, output))
        return predictions

    def _run(
        self,
        x: np.ndarray,
        recordings: list[data.Recording],
        frames: np.ndarray,
        a: int,
        b: int,
    ) -> ModelOutput:
        """Run a stateful model on rows ``a:b``, resetting where a recording starts."""
        here = (recordings[a].uuid, int(frames[a]))
        if self.last is None or self.last != (here[0], here[1] - 1):
            self.model.reset()
        self.last = (here[0], int(frames[b - 1]))
        return check_output(self.model, self.model.process_array(x[a:b]), b - a)


def process_iterable(
    model: ClipClassificationModel,
    iterable: Iterable[data.Clip] | Iterable[tuple[Any, Sequence[data.Recording], Any]],
) -> list[data.ClipPrediction]:
    """Run a model over clips or over audioclass batches.

    Parameters
    ----------
    model
        The model.
    iterable
        ``Clip`` objects, each read through the engine (bounded blocks,
        resampling, zero padding after the clip's end); or batches
        ``(array, recordings, frames)`` as audioclass's iterators yield
        them: ``array`` of shape ``(n, input_samples)`` at the model's
        rate, the ``Recording`` of each row, and the index of each row's
        frame in its recording. Frame ``k`` spans
        ``[k * frame_seconds, (k + 1) * frame_seconds)``, as in audioclass,
        except that a frame reaching past the end of its recording ends
        there (audioclass keeps the nominal span).
        A model with state (one that overrides ``reset``) is run on each
        recording's frames separately and reset where a recording starts.

    Returns
    -------
    list of soundevent.data.ClipPrediction
        One per frame, in order; the features are attached when
        ``model.with_features`` is set (the default, as in audioclass).

    Raises
    ------
    TypeError
        If an item is neither a ``Clip`` nor a 3-item batch.
    ValueError
        If an iterator's ``samplerate`` or ``input_samples`` is not the
        model's, or a batch is malformed.
    """
    hop = _frame_seconds(model, iterable)
    batches = _Batches(model, hop)
    infos: dict[Path, RecordingInfo] = {}
    out: list[data.ClipPrediction] = []
    for item in iterable:
        if isinstance(item, data.Clip):
            path = Path(item.recording.path)
            if path not in infos:
                infos[path] = read_info(path)
            plan = model.plan_frames(
                item.recording, item.start_time, item.end_time, info=infos[path]
            )
            for first, output in iter_outputs(model, plan):
                out.extend(model.to_clip_predictions(plan, first, output))
        elif isinstance(item, tuple | list) and len(item) == 3:
            out.extend(batches(*item))
        else:
            raise TypeError(
                "process_iterable takes soundevent Clip objects or "
                "(array, recordings, frames) batches, not "
                f"{type(item).__name__}"
            )
    return out
