"""Run a model over a recording in a worker thread.

The worker only sees plain, immutable inputs (a model key, a soundevent
``Recording``, frozen ``RunSettings``, keyword arguments) and sends back
plain data through queued signals. Cancelling sets a flag the inference generator checks before
every batch.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import Any

from PySide6.QtCore import Signal
from soundevent import data

from audioclass_gui.app.document import ModelInfo
from audioclass_gui.models import (
    RunSettings,
    common_names,
    create_model,
    get_entry,
    iter_predictions,
)
from audioclass_gui.qt.worker_thread import ThreadWorker

__all__ = ["InferenceController", "ModelInfo"]

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
    ) -> None:
        """Start a run; raises RuntimeError if one is already going.

        ``settings`` holds the run options; its threshold defaults to
        ``confidence_floor`` (scores below it are never kept).
        """
        if self.running:
            raise RuntimeError("a model is already running")
        kwargs = dict(model_kwargs or {})
        settings = settings or RunSettings()
        if settings.threshold is None:
            settings = settings.replace(threshold=confidence_floor)
        self._launch(
            self._work,
            (model_key, recording, confidence_floor, kwargs, settings),
            "acg-inference",
        )

    def _work(
        self,
        model_key: str,
        recording: data.Recording,
        floor: float,
        kwargs: dict[str, Any],
        settings: RunSettings,
        cancel: threading.Event,
    ) -> None:
        t0 = time.perf_counter()
        try:
            message = self._run(model_key, recording, floor, kwargs, settings, cancel)
        finally:
            self._job_over()
        if message is None:
            self.finished.emit(cancel.is_set(), time.perf_counter() - t0)
        else:
            self.failed.emit(message)

    def _run(
        self,
        model_key: str,
        recording: data.Recording,
        floor: float,
        kwargs: dict[str, Any],
        settings: RunSettings,
        cancel: threading.Event,
    ) -> str | None:
        """Load and run the model; the failure message, or None on success.

        The model is a local here, so it is released before the caller
        reports the end of the run.
        """
        title = model_key
        try:
            title = get_entry(model_key).title
            model = create_model(model_key, settings, **kwargs)
            model.confidence_threshold = floor
            names = common_names(model, settings)
            provenance = settings.to_provenance(model, recording)
            self.model_loaded.emit(
                ModelInfo(
                    key=model_key,
                    name=model.name,
                    version=str(getattr(model, "version", "") or ""),
                    samplerate=model.samplerate,
                    input_samples=model.input_samples,
                    num_classes=model.num_classes,
                    common_names=names,
                    provenance=provenance,
                )
            )
            for step in iter_predictions(model, recording, settings, cancel=cancel):
                if step.predictions:
                    self.predictions.emit(list(step.predictions))
                self.progress.emit(step.fraction, step.seconds_done, step.seconds_total)
        except Exception as exc:  # the window must survive any model error
            log.error("model %s failed:\n%s", model_key, traceback.format_exc())
            return f"{title} failed on {recording.path.name}: {exc}"
        return None
