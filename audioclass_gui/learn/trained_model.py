"""A classifier trained from verdicts, as a model like any other.

:class:`TrainedClassifier` runs BirdNET for its embeddings and applies the
trained head (:class:`~audioclass_gui.learn.classifier.LinearHead`): its
``class_probs`` are the head's scores per species, its ``features`` BirdNET's
embeddings, so it runs wherever a
:class:`~audioclass_gui.models.base.ClipClassificationModel` does
(``predict --model FILE.npz``, ``create_model(FILE)``, the app's runs).
:meth:`TrainedClassifier.predict_from_embeddings` scores stored embeddings
without audio (a whole project in seconds).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from soundevent import data, terms

from audioclass_gui.learn.model_file import (
    ClassifierFile,
    ModelFileError,
    read_classifier,
)
from audioclass_gui.models.base import ClipClassificationModel, ModelOutput
from audioclass_gui.models.birdnet import INPUT_SAMPLES, SAMPLERATE

__all__ = ["SUPPORTED_BASES", "TrainedClassifier", "base_model_info"]

#: Base models whose embeddings a classifier can be trained on.
SUPPORTED_BASES = ("birdnet",)


def base_model_info(model: ClipClassificationModel, key: str = "birdnet") -> dict[str, Any]:
    """The ``base_model`` header entry for a model's embeddings."""
    return {
        "key": key,
        "name": model.name,
        "version": model.version,
        "samplerate": int(model.samplerate),
        "input_samples": int(model.input_samples),
    }


class TrainedClassifier(ClipClassificationModel):
    """BirdNET's embeddings through a classifier trained in audioclass-gui.

    Parameters
    ----------
    path
        The classifier file (see :mod:`audioclass_gui.learn.model_file`).
    confidence_threshold
        Species scoring above it become predicted tags; defaults to the
        file's decision threshold (the one its figures were measured at).
    num_threads, batch_size, with_features
        Passed to BirdNET (see :class:`~audioclass_gui.models.birdnet.BirdNET`).
    base
        An already loaded BirdNET to share (it is loaded on first use
        otherwise, so :meth:`predict_from_embeddings` needs no weights).

    Attributes
    ----------
    file : ClassifierFile
        The weights and their provenance.
    """

    samplerate = SAMPLERATE
    input_samples = INPUT_SAMPLES

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        confidence_threshold: float | None = None,
        num_threads: int | None = None,
        batch_size: int = 8,
        with_features: bool = True,
        base: ClipClassificationModel | None = None,
    ) -> None:
        self.path = Path(path)
        self.file: ClassifierFile = read_classifier(self.path)
        key = str(self.file.base_model.get("key", ""))
        if key not in SUPPORTED_BASES:
            raise ModelFileError(
                f"{self.path}: trained on the embeddings of {key!r}; this version "
                f"reads classifiers on {', '.join(SUPPORTED_BASES)} only"
            )
        head = self.file.head
        stem = self.path.name.removesuffix(".npz")
        self.name = f"Custom: {stem}"
        base_version = self.file.base_model.get("version", "")
        self.version = f"{self.file.created or 'undated'} on BirdNET {base_version}".strip()
        self.num_classes = len(head.species)
        self.tags = [data.Tag(term=terms.scientific_name, value=s) for s in head.species]
        self.confidence_threshold = (
            head.threshold if confidence_threshold is None else float(confidence_threshold)
        )
        self.batch_size = max(1, int(batch_size))
        self.with_features = bool(with_features)
        self.num_threads = num_threads
        self._base = base
        if base is not None:
            self._check_base(base)

    @property
    def head(self) -> Any:
        """The trained :class:`~audioclass_gui.learn.classifier.LinearHead`."""
        return self.file.head

    @property
    def provenance(self) -> dict[str, Any]:
        """Where the classifier came from, for a run's provenance.

        Species, training examples and reviewers, date, cross-validated
        figures, base model and the file.
        """
        header = self.file.make_header()
        return {
            "classifier_file": str(self.path),
            "species": header["species"],
            "base_model": header["base_model"],
            "threshold": header["threshold"],
            "training": header["training"],
            "cross_validation": header["cross_validation"],
            "created": self.file.created,
        }

    def _check_base(self, base: ClipClassificationModel) -> None:
        dim = getattr(base, "num_features", None)
        if dim is not None and int(dim) != self.file.head.dim:
            raise ModelFileError(
                f"{self.path}: trained on {self.file.head.dim}-d embeddings, but "
                f"{base.name} gives {dim}-d ones"
            )

    @property
    def base_model(self) -> ClipClassificationModel:
        """BirdNET, loaded on first use."""
        if self._base is None:
            from audioclass_gui.models.birdnet import BirdNET

            self._base = BirdNET(
                num_threads=self.num_threads,
                batch_size=self.batch_size,
                with_features=True,
            )
            self._check_base(self._base)
        return self._base

    def common_name(self, tag: data.Tag) -> str | None:
        """The common name saved with the classifier, if any."""
        return self.file.common_names.get(str(tag.value)) or None

    def predict_from_embeddings(self, vectors: np.ndarray) -> np.ndarray:
        """Scores of stored embeddings, float32 ``(n, num_classes)``; no audio, no BirdNET."""
        return self.file.head.predict(vectors)

    def process_array(self, array: np.ndarray) -> ModelOutput:
        """BirdNET's embeddings of a batch of frames, through the trained head."""
        features = self.base_model.process_array(array).features
        return ModelOutput(self.predict_from_embeddings(features), features)
