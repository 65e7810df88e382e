"""The models the app can run: built-ins plus plugins from entry points.

A third-party package adds a model by declaring an entry point in the group
``audioclass_gui.models`` whose object is a factory (usually the class)
returning a :class:`~audioclass_gui.models.base.ClipClassificationModel`::

    [project.entry-points."audioclass_gui.models"]
    mymodel = "mypackage.model:MyModel"

The factory may carry ``title`` (or ``name``) and ``description``
attributes for the model picker; otherwise the entry-point name and the
first line of its docstring are used. A plugin that fails to import is
skipped with a logged warning. The factory may also return any object that
merely follows the interface (such as a model of the ``audioclass``
package): :func:`create_model` wraps it with
:func:`~audioclass_gui.models.wrap.wrap_model`.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the interface (and soundevent) load with the first model made
    from audioclass_gui.models.base import ClipClassificationModel
    from audioclass_gui.models.settings import RunSettings

__all__ = [
    "DEFAULT_MODEL",
    "ENTRY_POINT_GROUP",
    "ModelEntry",
    "available_models",
    "create_model",
    "get_entry",
    "model_kwargs",
]

log = logging.getLogger(__name__)

#: Entry-point group through which packages register models.
ENTRY_POINT_GROUP = "audioclass_gui.models"
#: Key of the model the app selects by default.
DEFAULT_MODEL = "birdnet"


@dataclass(frozen=True)
class ModelEntry:
    """A model the app can construct.

    Attributes
    ----------
    key
        Short name: ``"birdnet"``, ``"energy"``, or a plugin's entry-point
        name. Used on the command line (case-insensitive).
    title
        Name shown in the model picker, e.g. ``"BirdNET v2.4"``.
    description
        One or two sentences for a tooltip.
    factory
        Called with keyword arguments (such as ``confidence_threshold``)
        to construct the model; may be slow (loads weights).
    source
        ``"built-in"`` or the distribution name of the plugin.
    """

    key: str
    title: str
    description: str
    factory: Callable[..., ClipClassificationModel]
    source: str


class _ClassRef:
    """Callable stand-in whose signature is that of ``module.attr``."""

    def __init__(self, module: str, attr: str) -> None:
        self.module, self.attr = module, attr

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(
            getattr(importlib.import_module(self.module), self.attr)
        )

    def __call__(self, *args: object, **kwargs: object) -> object:  # pragma: no cover
        return getattr(importlib.import_module(self.module), self.attr)(*args, **kwargs)


def _lazy(module: str, attr: str) -> Callable[..., ClipClassificationModel]:
    """A factory importing its class only when called (keeps listing cheap)."""

    def factory(**kwargs: object) -> ClipClassificationModel:
        cls = getattr(importlib.import_module(module), attr)
        return cls(**kwargs)

    factory.__name__ = attr
    factory.__qualname__ = attr
    # The real signature is the class's; resolved lazily by model_kwargs.
    factory.__wrapped_class__ = _ClassRef(module, attr)  # type: ignore[attr-defined]
    factory.__doc__ = f"Construct {module}.{attr}(**kwargs)."
    return factory


_BUILTINS = (
    ModelEntry(
        key="birdnet",
        title="BirdNET v2.4",
        description=(
            "BirdNET v2.4: 6,522 bird species (and some other sounds) worldwide, "
            "in 3 s windows at 48 kHz."
        ),
        factory=_lazy("audioclass_gui.models.birdnet", "BirdNET"),
        source="built-in",
    ),
    ModelEntry(
        key="energy",
        title="Band energy detector",
        description=(
            "Weight-free detector of sound in a frequency band (1.5-12 kHz by "
            "default) above the running noise floor, in 1 s windows. Fast; no "
            "species identity."
        ),
        factory=_lazy("audioclass_gui.models.energy", "BandEnergyDetector"),
        source="built-in",
    ),
)


def _plugin_entry(ep: EntryPoint) -> ModelEntry:
    factory = ep.load()
    if not callable(factory):
        raise TypeError(f"{ep.value} is not callable")
    title = getattr(factory, "title", None) or getattr(factory, "name", None) or ep.name
    if not isinstance(title, str):
        title = ep.name
    description = getattr(factory, "description", None)
    if not isinstance(description, str):
        doc = inspect.getdoc(factory) or ""
        description = doc.strip().splitlines()[0] if doc.strip() else ""
    source = ep.dist.name if ep.dist is not None else ep.module
    return ModelEntry(
        key=ep.name,
        title=title,
        description=description,
        factory=factory,
        source=source,
    )


def builtin_models() -> list[ModelEntry]:
    """The models that come with the app (BirdNET first), without looking for plugins.

    Cheap: the window lists these at once and adds plugins found later by
    :func:`available_models`, which reads every installed package's
    metadata.
    """
    return list(_BUILTINS)


def available_models() -> list[ModelEntry]:
    """All models the app can run, built-ins first (BirdNET, the default).

    Plugins come from the entry-point group ``audioclass_gui.models``; one
    whose key repeats an earlier entry's is ignored, and one that fails to
    load is skipped with a logged warning.
    """
    entries = list(_BUILTINS)
    seen = {e.key.lower() for e in entries}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name.lower() in seen:
            continue
        try:
            entry = _plugin_entry(ep)
        except Exception as exc:  # a broken plugin must never stop the app
            log.warning(
                "model plugin %r (%s) could not be loaded: %s", ep.name, ep.value, exc
            )
            continue
        seen.add(entry.key.lower())
        entries.append(entry)
    return entries


#: Model files a path may name: suffix -> (module, class), imported when used.
#: Trained classifiers (``.npz``) and BirdNET-Analyzer custom classifiers
#: (``.tflite`` + ``_Labels.txt``) live in ``audioclass_gui.learn``; like
#: plugins, they are found by name, not imported here.
_MODEL_FILES = {
    ".npz": ("audioclass_gui.learn.trained_model", "TrainedClassifier", "Custom classifier"),
    ".tflite": (
        "audioclass_gui.learn.birdnet_analyzer",
        "BirdNETAnalyzerClassifier",
        "BirdNET-Analyzer classifier",
    ),
}


def _file_entry(name: str) -> ModelEntry | None:
    """An entry for a model file (a trained classifier), or None if ``name`` is not one."""
    path = Path(name.strip()).expanduser()
    kind = _MODEL_FILES.get(path.suffix.lower())
    if kind is None or not path.is_file():
        return None
    module, attr, what = kind
    path = path.absolute()
    cls_ref = _ClassRef(module, attr)

    def factory(**kwargs: object) -> ClipClassificationModel:
        return getattr(importlib.import_module(module), attr)(path, **kwargs)

    factory.__name__ = attr
    factory.__wrapped_class__ = cls_ref  # type: ignore[attr-defined]
    return ModelEntry(
        key=str(path),
        title=f"{what}: {path.name}",
        description=f"{what} from {path}",
        factory=factory,
        source="file",
    )


def get_entry(name: str) -> ModelEntry:
    """Find a model by key or title, ignoring case, or a model file by path.

    A path to a trained classifier (``.npz``) or a BirdNET-Analyzer custom
    classifier (``.tflite``) gives an entry whose key is the absolute path.

    Raises
    ------
    KeyError
        If no model matches; the message lists the available keys.
    """
    by_file = _file_entry(name)
    if by_file is not None:
        return by_file
    wanted = name.strip().lower()
    entries = available_models()
    for entry in entries:
        if wanted in (entry.key.lower(), entry.title.lower()):
            return entry
    names = ", ".join(e.key for e in entries)
    if Path(name.strip()).suffix.lower() in _MODEL_FILES:
        raise KeyError(f"{name}: no such model file")
    raise KeyError(
        f"unknown model {name!r}; available models: {names}, "
        "or a classifier file (.npz, .tflite)"
    )


#: RunSettings fields a factory receives as keyword arguments if it takes them.
_CONSTRUCTION_FIELDS = ("num_threads", "batch_size", "sensitivity", "with_features")
#: Values that are not passed: sensitivity 1 is every model's default, and
#: a run without features needs no constructor argument (iter_predictions
#: takes ``with_features`` from the settings, whatever the model's default).
_NEUTRAL: dict[str, object] = {"sensitivity": 1.0, "with_features": False}


def model_kwargs(
    factory: Callable[..., Any], settings: RunSettings | None
) -> dict[str, Any]:
    """Keyword arguments for ``factory`` taken from run settings.

    ``num_threads``, ``batch_size``, ``sensitivity`` and ``with_features``
    are passed when set and when the factory accepts them (by name, or
    through ``**kwargs``); unset ones (None) and neutral ones (sensitivity
    1, no features) are left to the model.
    """
    if settings is None:
        return {}
    target = factory
    if getattr(factory, "__wrapped_class__", None) is not None:
        target = factory.__wrapped_class__  # type: ignore[attr-defined]
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return {}
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    out: dict[str, Any] = {}
    for name in _CONSTRUCTION_FIELDS:
        value = getattr(settings, name)
        if value is None or value == _NEUTRAL.get(name):
            continue
        if name in params or takes_any:
            out[name] = value
    return out


def create_model(
    name: str, settings: RunSettings | None = None, **kwargs: object
) -> ClipClassificationModel:
    """Construct the model called ``name`` (see :func:`get_entry`).

    Parameters
    ----------
    name
        Key or title of the model.
    settings
        Run settings whose construction-time fields (threads, batch size,
        sensitivity, features) the factory accepts are passed to it.
    **kwargs
        Passed to the factory as well (and win over ``settings``), e.g.
        ``create_model("birdnet", confidence_threshold=0.25, num_threads=2)``.

    Returns
    -------
    ClipClassificationModel
        The model; an object that only follows the interface is wrapped
        (:func:`~audioclass_gui.models.wrap.wrap_model`).
    """
    entry = get_entry(name)
    merged = {**model_kwargs(entry.factory, settings), **kwargs}
    from audioclass_gui.models.wrap import wrap_model

    return wrap_model(entry.factory(**merged))
