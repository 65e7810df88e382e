"""Custom classifiers trained by BirdNET-Analyzer, as models of this app.

BirdNET-Analyzer's "train" writes ``<name>.tflite`` and
``<name>_Labels.txt`` (one label per output, ``Genus species_Common name``
or any class name; its training folders' names, sorted, without the
non-event ones such as ``Noise``). Since October 2023 (every tagged
release, 1.0.2 to 2.4.0) it saves BirdNET's graph with the new classifier
on its embedding: the input is 3 s of 48 kHz audio, the output logits (its
last sigmoid is removed before saving; "append" mode puts BirdNET's 6,522
classes first). From April to October 2023 its main branch saved the
classifier alone, whose input is BirdNET's 1,024-d embedding: BirdNET-Analyzer
(2.4.0 too) then runs BirdNET for the embedding first. Either way it applies
the flat sigmoid (with its sensitivity) to the output, and so does
:class:`BirdNETAnalyzerClassifier`; a classifier of the second kind written
by BirdNET-Analyzer's own "train" gives its scores (tests/fixtures/
birdnet_analyzer_classifier/).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from audioclass_gui.models.base import ClipClassificationModel, ModelOutput
from audioclass_gui.models.birdnet import (
    EMBEDDING_TENSOR,
    INPUT_SAMPLES,
    SAMPLERATE,
    flat_sigmoid,
    read_labels,
)
from audioclass_gui.models.native_log import runtime_info_hidden

__all__ = ["BirdNETAnalyzerClassifier", "labels_beside"]


def labels_beside(model_path: str | os.PathLike[str]) -> Path:
    """The label file BirdNET-Analyzer writes beside a classifier.

    ``<name>_Labels.txt``; for a renamed BirdNET model
    (``..._Model_FP32.tflite``) also ``..._Labels.txt``, as
    BirdNET-Analyzer looks for it.

    Raises
    ------
    FileNotFoundError
        Naming the files looked for.
    """
    model = Path(model_path)
    candidates = [model.with_name(model.stem + "_Labels.txt")]
    if model.name.endswith("Model_FP32.tflite"):
        candidates.append(model.with_name(model.name.replace("Model_FP32.tflite", "Labels.txt")))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{model}: no label file beside it (looked for "
        f"{' or '.join(c.name for c in candidates)}); pass labels_path"
    )


class BirdNETAnalyzerClassifier(ClipClassificationModel):
    """A BirdNET-Analyzer custom classifier (``.tflite`` + labels) on LiteRT.

    Parameters
    ----------
    model_path
        The ``.tflite`` file BirdNET-Analyzer's "train" wrote.
    labels_path
        Its labels; default ``<name>_Labels.txt`` beside it.
    confidence_threshold
        Classes scoring above it become predicted tags.
    num_threads, batch_size, with_features, sensitivity
        As for :class:`~audioclass_gui.models.birdnet.BirdNET` (BirdNET also
        computes the embedding for a classifier that takes embeddings).

    Raises
    ------
    FileNotFoundError
        If the model or its label file is missing.
    ValueError
        If the file is not a LiteRT model, its input is neither 3 s of
        audio nor an embedding, the labels are not UTF-8 text or do not
        match its outputs (the message names the files).
    """

    samplerate = SAMPLERATE
    input_samples = INPUT_SAMPLES

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        labels_path: str | os.PathLike[str] | None = None,
        *,
        confidence_threshold: float = 0.1,
        num_threads: int | None = None,
        batch_size: int = 8,
        with_features: bool = True,
        sensitivity: float = 1.0,
    ) -> None:
        self.path = Path(model_path)
        if not self.path.is_file():
            raise FileNotFoundError(f"{self.path}: BirdNET-Analyzer classifier not found")
        self.labels_path = Path(labels_path) if labels_path else labels_beside(self.path)
        try:
            labels = read_labels(self.labels_path)
        except UnicodeDecodeError as exc:
            # BirdNET-Analyzer of 2023 wrote labels in the system's encoding
            # (Windows-1252 on Windows); its 2.x versions read UTF-8 only, as we do.
            raise ValueError(
                f"{self.labels_path}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                "save it as UTF-8"
            ) from None
        self.name = f"BirdNET-Analyzer: {self.path.stem}"
        self.version = ""
        self.num_classes = len(labels)
        from soundevent import data, terms

        self.tags = [data.Tag(term=terms.scientific_name, value=s) for s, _ in labels]
        self._common = {s: c for s, c in labels if c and c != s}
        self.confidence_threshold = float(confidence_threshold)
        self.batch_size = max(1, int(batch_size))
        self.with_features = bool(with_features)
        self.sensitivity = float(sensitivity)
        self.num_threads = num_threads
        self._base: ClipClassificationModel | None = None
        self._rows = 0
        self._load()

    def _load(self) -> None:
        from ai_edge_litert.interpreter import Interpreter

        from audioclass_gui.models.litert_graph import add_graph_outputs, tensor_names

        content = self.path.read_bytes()
        try:
            names = tensor_names(content)
        except Exception as exc:
            raise ValueError(f"{self.path}: not a LiteRT (TFLite) model ({exc})") from None
        # In a 2.x classifier BirdNET's graph is inside: keep its embedding too.
        self._has_embedding = EMBEDDING_TENSOR in names
        if self._has_embedding:
            content = add_graph_outputs(content, [EMBEDDING_TENSOR])
        try:
            threads = self.num_threads or os.cpu_count() or 1
            self._interpreter = Interpreter(model_content=content, num_threads=int(threads))
        except (ValueError, RuntimeError) as exc:
            raise ValueError(f"{self.path}: LiteRT cannot load it ({exc})") from None
        inputs = self._interpreter.get_input_details()
        outputs = self._interpreter.get_output_details()
        self._input_index = inputs[0]["index"]
        self.input_size = int(inputs[0]["shape"][-1])
        self._output_index = outputs[0]["index"]
        self._embedding_index = (
            next(d["index"] for d in outputs if d["name"] == EMBEDDING_TENSOR)
            if self._has_embedding
            else None
        )
        n_out = int(outputs[0]["shape"][-1])
        if n_out != self.num_classes:
            raise ValueError(
                f"{self.labels_path}: {self.num_classes} labels, but the classifier "
                f"{self.path.name} has {n_out} outputs"
            )
        if self.input_size != INPUT_SAMPLES:
            self._check_base_dim()

    @property
    def takes_audio(self) -> bool:
        """True when the classifier's input is audio (BirdNET-Analyzer 2.x)."""
        return self.input_size == INPUT_SAMPLES

    @property
    def base_model(self) -> ClipClassificationModel:
        """BirdNET, for a classifier that takes embeddings (loaded on first use)."""
        if self._base is None:
            from audioclass_gui.models.birdnet import BirdNET

            self._base = BirdNET(
                num_threads=self.num_threads, batch_size=self.batch_size, with_features=True
            )
        return self._base

    def _check_base_dim(self) -> None:
        from audioclass_gui.models.birdnet import BirdNET

        if self.input_size != BirdNET.num_features:
            raise ValueError(
                f"{self.path}: input of {self.input_size} values is neither 3 s of "
                f"48 kHz audio ({INPUT_SAMPLES}) nor a BirdNET embedding "
                f"({BirdNET.num_features})"
            )

    def common_name(self, tag: object) -> str | None:
        """The common name from the label file, if it has one."""
        return self._common.get(str(getattr(tag, "value", "")))

    def _invoke(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        n = x.shape[0]
        if n != self._rows:
            self._interpreter.resize_tensor_input(self._input_index, [n, x.shape[1]])
            with runtime_info_hidden():
                self._interpreter.allocate_tensors()
            self._rows = n
        self._interpreter.set_tensor(self._input_index, x)
        self._interpreter.invoke()
        logits = np.array(self._interpreter.get_tensor(self._output_index))
        emb = None
        if self._embedding_index is not None:
            emb = np.array(self._interpreter.get_tensor(self._embedding_index))
        return logits, emb

    def predict_from_embeddings(self, vectors: np.ndarray) -> np.ndarray:
        """Scores of BirdNET embeddings, for a classifier that takes them.

        Raises
        ------
        ValueError
            If the classifier takes audio (BirdNET-Analyzer 2.x saves the
            whole graph; run it on audio instead).
        """
        if self.takes_audio:
            raise ValueError(f"{self.path}: this classifier takes audio, not embeddings")
        x = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(x) == 0:
            return np.zeros((0, self.num_classes), np.float32)
        logits, _ = self._invoke(x)
        return flat_sigmoid(logits, self.sensitivity)

    def process_array(self, array: np.ndarray) -> ModelOutput:
        """Class probabilities (flat sigmoid of the outputs) and embeddings."""
        x = np.ascontiguousarray(array, dtype=np.float32)
        if x.ndim == 1:
            x = x[np.newaxis]
        if len(x) == 0:
            return ModelOutput(
                np.zeros((0, self.num_classes), np.float32), np.zeros((0, 0), np.float32)
            )
        if not self.takes_audio:
            features = self.base_model.process_array(x).features
            return ModelOutput(self.predict_from_embeddings(features), features)
        logits, emb = self._invoke(x)
        features = emb if emb is not None else np.zeros((len(x), 0), np.float32)
        return ModelOutput(flat_sigmoid(logits, self.sensitivity), features)
