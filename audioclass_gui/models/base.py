"""The clip classification model interface (after the audioclass package).

A model turns frames of ``input_samples`` samples at ``samplerate`` Hz into
class probabilities and features (:meth:`ClipClassificationModel.process_array`).
Everything else, reading audio in bounded blocks, resampling, framing,
batching and converting the results to soundevent objects or an xarray
``Dataset``, is shared here, so a new model only writes ``process_array``.

The interface is audioclass's (0.2.5), so a model written for audioclass
runs here unchanged, and code written against audioclass reads our results:

- a class becomes a ``PredictedTag`` of a frame when its probability is
  **above** ``confidence_threshold`` (a score equal to it is dropped);
- ``fmt="soundevent"`` results carry the features as ``Feature`` objects
  named ``<name>_<i>`` (on by default, see ``with_features``);
- ``fmt="dataset"`` gives ``features (time, feature)`` and
  ``probabilities (time, label)`` with the scalar coordinates
  ``recorded_on``, ``latitude`` and ``longitude`` taken from the recording;
- :meth:`ClipClassificationModel.process_iterable` takes clips or the
  batches of audioclass's iterators (``SimpleIterator``...).

Clip spans: the ``Clip`` of a frame spans
``[start + i * frame_seconds, start + (i + 1) * frame_seconds)``, except the
last frame of a recording, which usually reaches past its end (the model
heard zeros there): its clip ends at the end of the audio, as
BirdNET-Analyzer's last window does (9-10.13 s on a 10.13 s file), so
every clip lies within its recording.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from soundevent import data

from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.models import convert
from audioclass_gui.models.framing import FramePlan
from audioclass_gui.models.framing import plan_frames as _plan_frames
from audioclass_gui.models.output import ModelOutput, check_output
from audioclass_gui.models.running import iter_outputs
from audioclass_gui.models.running import process_iterable as _process_iterable

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "ClipClassificationModel",
    "Format",
    "ModelOutput",
    "check_output",
    "iter_outputs",
]

#: Output formats of the ``process_*`` methods.
Format = Literal["soundevent", "dataset"]


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
        probability is ``>`` this value.
    version : str
        Version of the model (weights), ``""`` when unknown.
    batch_size : int
        Frames per call of :meth:`process_array`.
    with_features : bool
        Whether the ``process_*`` methods' soundevent results carry the
        per-frame features as ``Feature`` objects named ``<name>_<i>``. On
        by default, as in audioclass; turn it off for speed with large
        embeddings. The ``"dataset"`` format always holds the feature
        array, and :func:`~audioclass_gui.models.inference.iter_predictions`
        follows its own ``with_features`` setting (off by default).
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
    with_features: bool = True
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
            ``compute_hash=False``, ``time_expansion=10``, ``latitude=...``).

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
        self, iterable: Iterable[data.Clip] | Iterable[tuple[np.ndarray, ...]]
    ) -> list[data.ClipPrediction]:
        """Process several clips, or the batches of an audioclass iterator.

        Parameters
        ----------
        iterable
            ``Clip`` objects, or ``(array, recordings, frames)`` batches as
            audioclass's iterators (``audioclass.batch.SimpleIterator``...)
            yield them: frames of ``input_samples`` samples at
            ``samplerate``, the recording of each frame and its index in
            that recording. Such an iterator's ``samplerate`` and
            ``input_samples`` must be the model's.

        Returns
        -------
        list of soundevent.data.ClipPrediction
            One per model frame of every clip, or one per frame of every
            batch (frame ``k`` spans ``[k, k + 1) * frame_seconds``), in
            order. A clip exactly one frame long gives one prediction with
            the clip's span (and id).

        Raises
        ------
        TypeError
            If an item is neither a ``Clip`` nor a batch.
        ValueError
            If an iterator's rate or frame length is not the model's.
        """
        return _process_iterable(self, iterable)

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
            Classes scoring above it are reported; defaults to
            ``self.confidence_threshold``.
        mask, top_k
            Classes that may be reported and how many per frame; see
            :func:`audioclass_gui.models.convert.clip_predictions`.
        """
        spans = [plan.frame_span(first + row) for row in range(len(output.class_probs))]
        return self.to_soundevent(
            plan.recording,
            spans,
            output,
            with_features=with_features,
            threshold=threshold,
            mask=mask,
            top_k=top_k,
        )

    def to_soundevent(
        self,
        recording: data.Recording,
        spans: Sequence[tuple[float, float]],
        output: ModelOutput,
        *,
        with_features: bool | None = None,
        threshold: float | None = None,
        mask: np.ndarray | None = None,
        top_k: int | None = None,
    ) -> list[data.ClipPrediction]:
        """Turn outputs for frames of given spans into ``ClipPrediction`` objects.

        As :meth:`to_clip_predictions`, with the ``(start, end)`` of each
        frame given instead of a plan.
        """
        if with_features is None:
            with_features = self.with_features
        if threshold is None:
            threshold = self.confidence_threshold
        terms = self.feature_terms(output.features.shape[1]) if with_features else []
        return convert.clip_predictions(
            recording, spans, output, self.tags, threshold, terms, mask=mask, top_k=top_k
        )

    def to_dataset(self, plan: FramePlan, output: ModelOutput) -> xr.Dataset:
        """Turn the outputs for all frames of ``plan`` into a ``Dataset``.

        See :func:`audioclass_gui.models.convert.dataset`: ``features
        (time, feature)``, ``probabilities (time, label)``, ``time`` the
        frame start times in seconds, ``label`` the tag values, and the
        recording's ``recorded_on``, ``latitude`` and ``longitude``.
        """
        times = plan.start + np.arange(len(output.class_probs)) * plan.hop_seconds
        return convert.dataset(
            plan.recording,
            times,
            output,
            self.tags,
            self.feature_names,
            {
                "model": self.name,
                "model_version": self.version,
                "samplerate": plan.samplerate,
                "input_samples": plan.input_samples,
                "frame_seconds": plan.frame_seconds,
                "hop_seconds": plan.hop_seconds,
                "recording": str(plan.path),
                "start": plan.start,
                "end": plan.end,
            },
        )

    def feature_terms(self, count: int) -> list[data.Term]:
        """The ``Term`` of each of ``count`` features (cached).

        ``<name>_<i>``, as audioclass names them; see
        :func:`audioclass_gui.models.convert.feature_terms`.
        """
        cache = self.__dict__.setdefault("_feature_terms", {})
        key = (self.name, count)
        if key not in cache:
            cache.clear()
            cache[key] = convert.feature_terms(self.name, self.feature_names, count)
        return cache[key]

    # audioclass's conversion helpers, for models that override process_clip.

    def _convert_to_soundevent(
        self, clip: data.Clip, class_probs: np.ndarray, features: np.ndarray
    ) -> list[data.ClipPrediction]:
        """audioclass's helper: frames from ``clip.start_time`` as predictions."""
        hop = self.frame_seconds
        spans = [
            (clip.start_time + i * hop, clip.start_time + (i + 1) * hop)
            for i in range(len(class_probs))
        ]
        output = ModelOutput(np.asarray(class_probs), np.asarray(features))
        return self.to_soundevent(clip.recording, spans, output)

    def _convert_to_dataset(
        self, clip: data.Clip, class_probs: np.ndarray, features: np.ndarray
    ) -> xr.Dataset:
        """audioclass's helper: frames from ``clip.start_time`` as a dataset."""
        times = clip.start_time + np.arange(len(class_probs)) * self.frame_seconds
        output = ModelOutput(np.asarray(class_probs), np.asarray(features))
        return convert.dataset(
            clip.recording,
            times,
            output,
            self.tags,
            self.feature_names,
            {"model": self.name, "model_version": self.version},
        )

    # -- internals -----------------------------------------------------------

    def plan_frames(
        self,
        recording: data.Recording,
        start: float = 0.0,
        end: float | None = None,
        info: RecordingInfo | None = None,
        channel: int | None = None,
        overlap_seconds: float = 0.0,
        resampler: str | None = None,
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
            resampler=resampler,
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

