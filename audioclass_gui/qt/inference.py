"""Run a model over a recording in a worker thread.

The worker only sees plain, immutable inputs (a model key, a soundevent
``Recording``, keyword arguments) and sends back plain data through queued
signals. Cancelling sets a flag the inference generator checks before
every batch.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal
from soundevent import data

from audioclass_gui.models import create_model, get_entry, iter_predictions

__all__ = ["InferenceController", "ModelInfo"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelInfo:
    """What the GUI learns about a model once the worker has loaded it."""

    key: str
    name: str
    version: str
    samplerate: int
    input_samples: int
    num_classes: int
    common_names: dict[str, str] = field(default_factory=dict)


class InferenceController(QObject):
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
    """

    model_loaded = Signal(object)
    predictions = Signal(list)
    progress = Signal(float, float, float)
    finished = Signal(bool, float)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()

    @property
    def running(self) -> bool:
        """Whether a run is in progress."""
        return self._thread is not None and self._thread.is_alive()

    def start(
        self,
        model_key: str,
        recording: data.Recording,
        *,
        confidence_floor: float,
        model_kwargs: dict[str, Any] | None = None,
    ) -> None:
        """Start a run; raises RuntimeError if one is already going."""
        if self.running:
            raise RuntimeError("a model is already running")
        self._cancel = threading.Event()
        cancel = self._cancel
        kwargs = dict(model_kwargs or {})
        self._thread = threading.Thread(
            target=self._work,
            args=(model_key, recording, confidence_floor, kwargs, cancel),
            name="acg-inference",
            daemon=True,
        )
        self._thread.start()

    def cancel(self) -> None:
        """Ask the running model to stop after its current batch."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker ends (for shutdown and tests only)."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _work(
        self,
        model_key: str,
        recording: data.Recording,
        floor: float,
        kwargs: dict[str, Any],
        cancel: threading.Event,
    ) -> None:
        t0 = time.perf_counter()
        title = model_key
        try:
            title = get_entry(model_key).title
            model = create_model(model_key, **kwargs)
            model.confidence_threshold = floor
            names = {}
            for tag in model.tags:
                name = model.common_name(tag)
                if name:
                    names[tag.value] = name
            self.model_loaded.emit(
                ModelInfo(
                    key=model_key,
                    name=model.name,
                    version=str(getattr(model, "version", "") or ""),
                    samplerate=model.samplerate,
                    input_samples=model.input_samples,
                    num_classes=model.num_classes,
                    common_names=names,
                )
            )
            for step in iter_predictions(model, recording, cancel=cancel):
                if step.predictions:
                    self.predictions.emit(list(step.predictions))
                self.progress.emit(step.fraction, step.seconds_done, step.seconds_total)
        except Exception as exc:  # the window must survive any model error
            log.error("model %s failed:\n%s", model_key, traceback.format_exc())
            self.failed.emit(f"{title} failed on {recording.path.name}: {exc}")
            return
        self.finished.emit(cancel.is_set(), time.perf_counter() - t0)
