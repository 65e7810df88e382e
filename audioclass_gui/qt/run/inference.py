"""Run a model over a recording in a worker thread.

The work is a generator (:func:`run_steps`) on a superqt ``GeneratorWorker``:
it only sees plain, immutable inputs (a model key, a soundevent
``Recording``, frozen ``RunSettings``, keyword arguments) and yields plain
data, which reaches the GUI thread through the worker's queued signals.
Cancelling sets a flag the inference generator checks before every batch.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal

from audioclass_gui.app.document import ModelInfo
from audioclass_gui.qt.common.worker_thread import ThreadWorker

if TYPE_CHECKING:
    from soundevent import data

    from audioclass_gui.models import (
        RunSettings,
    )

__all__ = ["InferenceController", "ModelInfo", "run_steps"]

log = logging.getLogger(__name__)


class InferenceController(ThreadWorker):
    """Starts, streams and cancels one model run at a time.

    Signals
    -------
    model_loaded(ModelInfo)
        The model is ready; inference starts.
    predictions(list)
        New ``ClipPrediction`` objects from one batch.
    progress(float, float, float)
        Fraction done, seconds done, seconds in all.
    finished(bool, float)
        The run ended; True if it was cancelled; wall seconds taken.
    failed(str)
        The model raised: a message for the user.

    ``running`` is False from the moment the worker has released its model
    and queued ``finished`` or ``failed``, so a slot reacting to them may
    start the next run.
    """

    model_loaded = Signal(object)
    predictions = Signal(list)
    progress = Signal(float, float, float)
    finished = Signal(bool, float)
    failed = Signal(str)

    def start(
        self,
        model_key: str,
        recording: data.Recording,
        *,
        confidence_floor: float,
        model_kwargs: dict[str, Any] | None = None,
        settings: RunSettings | None = None,
        keep_embeddings: tuple[Any, str] | None = None,
    ) -> None:
        """Start a run; raises RuntimeError if one is already going.

        ``settings`` holds the run options; its threshold defaults to
        ``confidence_floor`` (scores below it are never kept).
        ``keep_embeddings`` (an embeddings folder and the recording's name
        there) keeps every window's features in the model's store (see
        :func:`run_steps`).
        """
        from audioclass_gui.models import RunSettings

        if self.running:
            raise RuntimeError("a model is already running")
        from superqt.utils import GeneratorWorker

        kwargs = dict(model_kwargs or {})
        settings = settings or RunSettings()
        if settings.threshold is None:
            settings = settings.replace(threshold=confidence_floor)
        cancel, done = self._new_job()
        if keep_embeddings is not None:
            settings = settings.replace(with_features=True)
        worker = GeneratorWorker(
            run_steps,
            model_key,
            recording,
            confidence_floor,
            kwargs,
            settings,
            cancel,
            done,
            keep_embeddings,
        )
        self._started = time.perf_counter()
        # Bound methods of this QObject: Qt drops the deliveries if it is deleted first.
        worker.yielded.connect(self._on_step)
        worker.returned.connect(self._on_end)
        worker.errored.connect(self._on_error)
        self._launch(worker)

    def _on_step(self, step: tuple[str, Any]) -> None:
        kind, value = step
        if kind == "loaded":
            self.model_loaded.emit(value)
        elif kind == "predictions":
            self.predictions.emit(value)
        else:
            self.progress.emit(*value)

    def _on_end(self, message: str | None) -> None:
        cancelled = self._cancel.is_set()
        self._job_over()  # the model is released: the work has returned
        if message is None:
            self.finished.emit(cancelled, time.perf_counter() - self._started)
        else:
            self.failed.emit(message)

    def _on_error(self, exc: BaseException) -> None:  # run_steps catches what models raise
        self._on_end(f"The model run failed: {exc}")


def run_steps(
    model_key: str,
    recording: data.Recording,
    floor: float,
    kwargs: dict[str, Any],
    settings: RunSettings,
    cancel: threading.Event,
    done: threading.Event,
    keep_embeddings: tuple[Any, str] | None = None,
) -> Generator[tuple[str, Any], None, str | None]:
    """Load and run the model (worker thread); yields what the window shows, returns a failure.

    Yields ``("loaded", ModelInfo)`` once, then ``("predictions", [ClipPrediction])``
    and ``("progress", (fraction, seconds done, seconds in all))`` per batch.
    Returns None on success (also when cancelled), else the message for the
    user. The model is a local here, so it is released when the generator
    returns, before the window hears the run is over.

    With ``keep_embeddings`` (an embeddings folder, the recording's name in
    it) the features are taken off the predictions here, as float16
    arrays, before the window gets them, and a run that finishes appends
    them to the model's store (a recording already stored is left as it is).
    """
    from audioclass_gui.qt.common.tasks import wait_for_preload

    wait_for_preload()  # a run asked for at start (--run): after the preload's imports
    from audioclass_gui.models import (
        common_names,
        create_model,
        get_entry,
        iter_predictions,
    )

    title = model_key
    try:
        title = get_entry(model_key).title
        model = create_model(model_key, settings, **kwargs)
        model.confidence_threshold = floor
        names = common_names(model, settings)
        provenance = settings.to_provenance(model, recording)
        yield (
            "loaded",
            ModelInfo(
                key=model_key,
                name=model.name,
                version=str(getattr(model, "version", "") or ""),
                samplerate=model.samplerate,
                input_samples=model.input_samples,
                num_classes=model.num_classes,
                common_names=names,
                provenance=provenance,
            ),
        )
        kept = _Features() if keep_embeddings is not None else None
        for step in iter_predictions(model, recording, settings, cancel=cancel):
            if step.predictions:
                predictions = list(step.predictions)
                yield ("predictions", kept.take(predictions) if kept is not None else predictions)
            yield ("progress", (step.fraction, step.seconds_done, step.seconds_total))
        if kept is not None and not cancel.is_set():
            kept.store(*keep_embeddings, model_key)
    except Exception as exc:  # the window must survive any model error
        log.error("model %s failed:\n%s", model_key, traceback.format_exc())
        return f"{title} failed on {recording.path.name}: {exc}"
    finally:
        done.set()
    return None


class _Features:
    """The features of a run's windows, taken off its predictions (worker thread)."""

    def __init__(self) -> None:
        self.parts: list[tuple[Any, Any, Any]] = []  # (starts, ends, float16 vectors) per step

    def take(self, predictions: list) -> list:
        """The predictions without their features, which are kept here."""
        import numpy as np

        from audioclass_gui.embeddings.batch_sink import feature_rows

        with_features = [p for p in predictions if p.features]
        if with_features:
            starts, ends, vectors = feature_rows(with_features)
            self.parts.append((starts, ends, vectors.astype(np.float16)))
        return [p.model_copy(update={"features": []}) if p.features else p for p in predictions]

    def store(self, folder: Any, name: str, model_key: str) -> None:
        """Append the windows' features to the model's store (once per recording)."""
        import numpy as np

        from audioclass_gui.embeddings import EmbeddingStore

        if not self.parts:
            return
        starts, ends, vectors = (np.concatenate(column) for column in zip(*self.parts, strict=True))
        store = EmbeddingStore.open(folder, model_key, dim=vectors.shape[1])
        if store.has_recording(name):
            return
        order = np.argsort(starts, kind="stable")
        store.append(name, starts[order], ends[order], vectors[order].astype(np.float32))
