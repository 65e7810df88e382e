"""``predict --embeddings``: the batch run's features into a store beside its outputs.

The batch engine (:class:`~audioclass_gui.batch.outputs.OutputWriter`)
hands each finished recording's predictions (one per window, with the
model's features attached) to :class:`StoreSink` after writing its
predictions file and before its journal marks it finished, so a killed
run redoes a recording whose features were not stored. The store is
``<output>/embeddings/<model>/`` (see :mod:`audioclass_gui.embeddings.locate`),
recordings named relative to the output folder like the predictions files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from soundevent import data

from audioclass_gui.batch.plan import Job
from audioclass_gui.embeddings.compute import NoFeaturesError
from audioclass_gui.embeddings.locate import recording_name
from audioclass_gui.embeddings.store import EmbeddingStore, embeddings_folder

__all__ = ["StoreSink", "feature_rows"]


def feature_rows(
    predictions: Sequence[data.ClipPrediction],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each window's start, end and features (one float32 row each), in the order given.

    Raises
    ------
    NoFeaturesError
        If the predictions carry no features (a model without them).
    """
    vectors = np.asarray([[f.value for f in p.features] for p in predictions], np.float32)
    if predictions and (vectors.ndim != 2 or vectors.shape[1] == 0):
        raise NoFeaturesError("the model gave no features to store")
    starts = np.asarray([p.clip.start_time for p in predictions], np.float64)
    ends = np.asarray([p.clip.end_time for p in predictions], np.float64)
    return starts, ends, vectors.reshape(len(starts), -1)


class StoreSink:
    """Appends each recording's features to the model's store in an output folder.

    Parameters
    ----------
    output
        The run's output folder (for a ``.json`` output file: its folder).
    model_key
        The model, naming the store.
    folder, root
        Another embeddings folder and the folder recordings are named
        relative to (a project's, see
        :func:`~audioclass_gui.embeddings.locate.locate`); default: the
        output's.
    """

    def __init__(
        self,
        output: str | Path,
        model_key: str,
        *,
        folder: str | Path | None = None,
        root: str | Path | None = None,
    ) -> None:
        out = Path(output).expanduser().absolute()
        self.root = out.parent if out.suffix.lower() == ".json" else out
        self.folder = embeddings_folder(self.root)
        if folder is not None:  # a project's store (Run on all recordings)
            self.folder = Path(folder)
        if root is not None:  # recordings named relative to the project's folder
            self.root = Path(root)
        self.model_key = model_key
        self._store: EmbeddingStore | None = None

    def _open(self, dim: int | None = None) -> EmbeddingStore | None:
        if self._store is None and (dim or EmbeddingStore.exists(self.folder, self.model_key)):
            self._store = EmbeddingStore.open(self.folder, self.model_key, dim=dim)
        return self._store

    def has(self, job: Job) -> bool:
        """Whether the recording's features are stored."""
        store = self._open()
        return store is not None and store.has_recording(recording_name(job.path, self.root))

    def write(self, job: Job, predictions: Sequence[data.ClipPrediction]) -> None:
        """Store the features of every window (the predictions of one recording, in order).

        Raises
        ------
        NoFeaturesError
            If the predictions carry no features (a model without them).
        """
        try:
            starts, ends, vectors = feature_rows(predictions)
        except NoFeaturesError as exc:
            raise NoFeaturesError(f"{job.path}: {exc}") from None
        store = self._open(vectors.shape[1] if predictions else None)
        if store is None:  # no windows and no store yet: nothing to keep
            return
        store.append(recording_name(job.path, self.root), starts, ends, vectors.reshape(len(starts), store.dim))
