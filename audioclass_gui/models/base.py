"""The clip classification model interface (after the audioclass package).

A model turns frames of ``input_samples`` samples at ``samplerate`` Hz into
class probabilities and features (:meth:`ClipClassificationModel.process_array`).
Everything else, reading audio in bounded blocks, resampling, framing,
batching and converting the results to soundevent objects or an xarray
``Dataset``, is shared here, so a new model only writes ``process_array``.

Threshold semantics: a class becomes a ``PredictedTag`` of a frame when its
probability is **greater than or equal to** ``confidence_threshold``.

Clip spans: the ``Clip`` of a frame spans the frame's nominal time
``[start + i * frame_seconds, start + (i + 1) * frame_seconds)``. The last
frame of a recording usually reaches past its end (that part was
zero-padded); its clip keeps the nominal span, which soundevent accepts, so
a clip always says exactly what the model saw.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np
from soundevent import data

from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.models import convert
from audioclass_gui.models.framing import FramePlan, iter_batches
from audioclass_gui.models.framing import plan_frames as _plan_frames

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "ClipClassificationModel",
    "Format",
    "ModelOutput",
    "iter_outputs",
]

#: Output formats of the ``process_*`` methods.
Format = Literal["soundevent", "dataset"]


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


class ClipClassificationModel(ABC):
    """A model that classifies fixed-length frames of audio.

    Subclasses set the attributes (as class or instance attributes) and
    implement :meth:`process_array`.

    Attributes
    ----------
    name : str
        Name of the model, e.g. ``"BirdNET"``.
    samplerate : int
        Sample rate the model expects, in Hz.
    input_samples : int
        Samples per input frame.
    num_classes : int
        Number of classes (columns of ``class_probs``).
    tags : list of soundevent.data.Tag
        One tag per class, in output order.
    confidence_threshold : float
        A class is reported as a ``PredictedTag`` of a frame when its
        probability is ``>=`` this value.
    version : str
        Version of the model (weights), ``""`` when unknown.
    batch_size : int
        Frames per call of :meth:`process_array`.
    with_features : bool
        Whether ``fmt="soundevent"`` results carry the per-frame features
        as ``Feature`` objects (costly for large embeddings). The
        ``"dataset"`` format always holds the feature array.
    feature_names : sequence of str or None
        Names of the features, if they have meaningful ones.
    """

    name: str
    samplerate: int
    input_samples: int
    num_classes: int
    tags: list[data.Tag]
    confidence_threshold: float
    version: str = ""
    batch_size: int = 8
    with_features: bool = False
    feature_names: Sequence[str] | None = None

    # -- the model ---------------------------------------------------------

    @abstractmethod
    def process_array(self, array: np.ndarray) -> ModelOutput:
        """Run the model on a batch of frames.

        Parameters
        ----------
        array
            float32 array of shape ``(num_frames, input_samples)``, samples
            in [-1, 1] at ``samplerate``.

        Returns
        -------
        ModelOutput
            Probabilities ``(num_frames, num_classes)`` and features
            ``(num_frames, num_features)``.
        """

    def reset(self) -> None:
        """Forget any state carried from frame to frame.

        Called before the first batch of every recording or clip. The
        default does nothing; stateful models (such as a running noise
        floor) override it.
        """
        return None

    def common_name(self, tag: data.Tag) -> str | None:
        """A readable name for one of the model's tags, if it has one."""
        return None

    @property
    def frame_seconds(self) -> float:
        """Length of one input frame in seconds."""
        return self.input_samples / self.samplerate

    # -- running it ----------------------------------------------------------

    def process_file(
        self, path: str | Path, fmt: Format = "soundevent", **kwargs: object
    ) -> list[data.ClipPrediction] | xr.Dataset:
        """Process a whole audio file.

        Parameters
        ----------
        path
            The audio file.
        fmt
            ``"soundevent"`` for a list of ``ClipPrediction`` (one per
            frame), ``"dataset"`` for an ``xarray.Dataset``.
        **kwargs
            Passed to ``soundevent.data.Recording.from_file`` (e.g.
            ``compute_hash=False``, ``time_expansion=10``).

        Raises
        ------
        AudioFileError
            If the file is missing or is not readable audio.
        """
        read_info(path)  # a clear AudioFileError for bad files
        recording = data.Recording.from_file(path, **kwargs)
        return self.process_recording(recording, fmt=fmt)

    def process_recording(
        self, recording: data.Recording, fmt: Format = "soundevent"
    ) -> list[data.ClipPrediction] | xr.Dataset:
        """Process a whole recording; see :meth:`process_file`."""
        return self._process_span(recording, 0.0, None, fmt)

    def process_clip(
        self, clip: data.Clip, fmt: Format = "soundevent"
    ) -> list[data.ClipPrediction] | xr.Dataset:
        """Process the span of one clip, frame by frame from its start."""
        return self._process_span(clip.recording, clip.start_time, clip.end_time, fmt)

    def process_iterable(
        self, iterable: Iterable[data.Clip]
    ) -> list[data.ClipPrediction]:
        """Process several clips.

        Returns
        -------
        list of soundevent.data.ClipPrediction
            One per model frame of every clip, in order. A clip exactly one
            frame long gives one prediction with the clip's span (and id).
        """
        infos: dict[Path, RecordingInfo] = {}
        out: list[data.ClipPrediction] = []
        for clip in iterable:
            path = Path(clip.recording.path)
            if path not in infos:
                infos[path] = read_info(path)
            plan = self.plan_frames(
                clip.recording, clip.start_time, clip.end_time, info=infos[path]
            )
            for first, output in iter_outputs(self, plan):
                out.extend(self.to_clip_predictions(plan, first, output))
        return out

    # -- conversions -----------------------------------------------------------

    def to_clip_predictions(
        self,
        plan: FramePlan,
        first: int,
        output: ModelOutput,
        *,
        with_features: bool | None = None,
        threshold: float | None = None,
        mask: np.ndarray | None = None,
        top_k: int | None = None,
    ) -> list[data.ClipPrediction]:
        """Turn one batch of outputs into ``ClipPrediction`` objects.

        Parameters
        ----------
        plan
            The frames the batch belongs to.
        first
            Index in ``plan`` of the batch's first frame.
        output
            The model's output for the batch.
        with_features
            Attach the features as ``Feature`` objects; defaults to
            ``self.with_features``.
        threshold
            Minimum score of a reported class; defaults to
            ``self.confidence_threshold``.
        mask, top_k
            Classes that may be reported and how many per frame; see
            :func:`audioclass_gui.models.convert.clip_predictions`.
        """
        if with_features is None:
            with_features = self.with_features
        if threshold is None:
            threshold = self.confidence_threshold
        terms = self.feature_terms(output.features.shape[1]) if with_features else []
        return convert.clip_predictions(
            plan, first, output, self.tags, threshold, terms, mask=mask, top_k=top_k
        )

    def to_dataset(self, plan: FramePlan, output: ModelOutput) -> xr.Dataset:
        """Turn the outputs for all frames of ``plan`` into a ``Dataset``.

        The dataset has ``probabilities (time, label)`` and
        ``features (time, feature)``; ``time`` holds the frame start times
        in seconds and ``label`` the tag values.
        """
        return convert.dataset(
            plan,
            output,
            self.tags,
            self.feature_names,
            {"model": self.name, "model_version": self.version},
        )

    def feature_terms(self, count: int) -> list[data.Term]:
        """The ``Term`` of each of ``count`` features (cached)."""
        cache = self.__dict__.setdefault("_feature_terms", [])
        if len(cache) != count:
            cache[:] = convert.feature_terms(self.name, self.feature_names, count)
        return cache

    # -- internals -----------------------------------------------------------

    def plan_frames(
        self,
        recording: data.Recording,
        start: float = 0.0,
        end: float | None = None,
        info: RecordingInfo | None = None,
        channel: int | None = None,
        overlap_seconds: float = 0.0,
    ) -> FramePlan:
        """Plan this model's frames over ``[start, end)`` of a recording.

        See :func:`audioclass_gui.models.framing.plan_frames`.
        """
        return _plan_frames(
            recording,
            samplerate=self.samplerate,
            input_samples=self.input_samples,
            start=start,
            end=end,
            channel=channel,
            info=info,
            overlap_seconds=overlap_seconds,
        )

    def _process_span(
        self, recording: data.Recording, start: float, end: float | None, fmt: Format
    ) -> list[data.ClipPrediction] | xr.Dataset:
        if fmt not in ("soundevent", "dataset"):
            raise ValueError(f"unknown format {fmt!r}; use 'soundevent' or 'dataset'")
        plan = self.plan_frames(recording, start, end)
        if fmt == "soundevent":
            predictions: list[data.ClipPrediction] = []
            for first, output in iter_outputs(self, plan):
                predictions.extend(self.to_clip_predictions(plan, first, output))
            return predictions
        outputs = [output for _, output in iter_outputs(self, plan)]
        if outputs:
            merged = ModelOutput(
                np.concatenate([o.class_probs for o in outputs]),
                np.concatenate([o.features for o in outputs]),
            )
        else:
            merged = ModelOutput(
                np.zeros((0, self.num_classes), np.float32),
                np.zeros((0, 0), np.float32),
            )
        return self.to_dataset(plan, merged)


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
        output = model.process_array(batch)
        probs = np.asarray(output.class_probs)
        feats = np.asarray(output.features)
        n = batch.shape[0]
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
        yield first, ModelOutput(probs, feats)
