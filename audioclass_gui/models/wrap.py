"""Run models from elsewhere through this package's engine.

:func:`wrap_model` takes any object that follows the clip classification
interface of the ``audioclass`` package (and of this one) by its shape,
without subclassing anything here (such as a subclass of
``audioclass.models.base.ClipClassificationModel``): it must have ``name``,
``samplerate``, ``input_samples``, ``num_classes``, ``tags`` and
``process_array(array)``
returning ``(class_probs, features)`` (a ``ModelOutput`` named tuple or a
plain pair). The wrapped model then gets everything the engine offers:
bounded-block reading of any recording, resampling, overlap, channels,
sub-ranges, species and location filters, top-k, provenance, exports.

For example, with the ``audioclass`` package installed::

    from audioclass.models.birdnet import BirdNET as AudioclassBirdNET
    from audioclass_gui.models import birdnet_files, iter_predictions, wrap_model

    files = birdnet_files()  # local weights: nothing is downloaded
    model = wrap_model(
        AudioclassBirdNET.load(model_path=files.model, labels_path=files.labels)
    )
    for step in iter_predictions(model, recording):
        ...

To offer such a model in the app's picker and the CLI, register a factory
returning it (wrapped or not; the registry wraps what is not ours) under
the entry-point group ``audioclass_gui.models``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from soundevent import data

from audioclass_gui.models.base import ClipClassificationModel, ModelOutput

__all__ = ["REQUIRED_ATTRIBUTES", "WrappedModel", "wrap_model"]

#: What an object needs to be wrapped.
REQUIRED_ATTRIBUTES = (
    "name",
    "samplerate",
    "input_samples",
    "num_classes",
    "tags",
    "process_array",
)
#: Optional attributes read through to the wrapped object when it has them.
_FORWARDED = ("location_scores", "label_file", "feature_names")


class WrappedModel(ClipClassificationModel):
    """A duck-typed clip classification model behind this package's interface.

    Parameters
    ----------
    inner
        The object to wrap (see :data:`REQUIRED_ATTRIBUTES`).

    Attributes
    ----------
    inner
        The wrapped object. ``confidence_threshold``, ``version``,
        ``batch_size`` and ``with_features`` are taken from it where it has
        them (else 0.1, "", 8 and True); ``sensitivity`` is read from and written to it if it has
        one; ``location_scores``, ``label_file`` and ``common_name`` are
        passed through.
    """

    def __init__(self, inner: Any) -> None:
        missing = [a for a in REQUIRED_ATTRIBUTES if not hasattr(inner, a)]
        if missing:
            raise TypeError(
                f"{type(inner).__name__} cannot be used as a model: it lacks "
                + ", ".join(missing)
            )
        if not callable(inner.process_array):
            raise TypeError(f"{type(inner).__name__}.process_array is not callable")
        object.__setattr__(self, "inner", inner)
        self.name = str(inner.name)
        self.samplerate = int(inner.samplerate)
        self.input_samples = int(inner.input_samples)
        self.num_classes = int(inner.num_classes)
        self.tags = list(inner.tags)
        if len(self.tags) != self.num_classes:
            raise TypeError(
                f"{self.name}: {len(self.tags)} tags for {self.num_classes} classes"
            )
        if not all(isinstance(t, data.Tag) for t in self.tags):
            raise TypeError(f"{self.name}: tags must be soundevent.data.Tag objects")
        self.confidence_threshold = float(getattr(inner, "confidence_threshold", 0.1))
        self.version = str(getattr(inner, "version", "") or "")
        self.batch_size = max(1, int(getattr(inner, "batch_size", 8) or 8))
        self.with_features = bool(getattr(inner, "with_features", True))
        for attr in _FORWARDED:
            if hasattr(inner, attr):
                object.__setattr__(self, attr, getattr(inner, attr))

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: expose the inner sensitivity.
        if name == "sensitivity" and "inner" in self.__dict__:
            inner = self.__dict__["inner"]
            if hasattr(inner, "sensitivity"):
                return inner.sensitivity
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "sensitivity" and hasattr(self.__dict__.get("inner"), "sensitivity"):
            self.__dict__["inner"].sensitivity = value
            return
        object.__setattr__(self, name, value)

    def process_array(self, array: np.ndarray) -> ModelOutput:
        """Run the wrapped model; a missing feature array becomes ``(n, 0)``."""
        result = self.inner.process_array(array)
        if hasattr(result, "class_probs"):
            probs, features = result.class_probs, getattr(result, "features", None)
        else:
            probs, features = result
        probs = np.asarray(probs, dtype=np.float32)
        if features is None:
            features = np.zeros((probs.shape[0], 0), np.float32)
        return ModelOutput(probs, np.asarray(features, dtype=np.float32))

    def reset(self) -> None:
        """Reset the wrapped model if it can be."""
        reset = getattr(self.inner, "reset", None)
        if callable(reset):
            reset()

    def common_name(self, tag: data.Tag) -> str | None:
        """The wrapped model's common name for a tag, if it gives one."""
        fn = getattr(self.inner, "common_name", None)
        name = fn(tag) if callable(fn) else None
        return str(name) if name else None


def wrap_model(obj: Any) -> ClipClassificationModel:
    """Make any clip classification model usable by this package.

    Parameters
    ----------
    obj
        A :class:`ClipClassificationModel` (returned unchanged) or any
        object with :data:`REQUIRED_ATTRIBUTES`, such as a model of the
        ``audioclass`` package.

    Returns
    -------
    ClipClassificationModel
        ``obj`` itself, or a :class:`WrappedModel` around it.

    Raises
    ------
    TypeError
        If ``obj`` lacks part of the interface; the message lists what.
    """
    if isinstance(obj, ClipClassificationModel):
        return obj
    return WrappedModel(obj)
