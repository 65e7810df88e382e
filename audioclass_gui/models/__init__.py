"""Audio classification models: the interface, built-in models, registry, runner.

No Qt here. Importing this package is cheap: its names load their module on first use
(:mod:`audioclass_gui.lazy_names`); model weights and LiteRT load only when
a model is constructed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audioclass_gui.lazy_names import lazy_names

if TYPE_CHECKING:
    from audioclass_gui.models.base import ClipClassificationModel, Format, ModelOutput
    from audioclass_gui.models.birdnet import BirdNET, BirdNETFiles, birdnet_files
    from audioclass_gui.models.energy import SOUND_EVENT_TERM, BandEnergyDetector
    from audioclass_gui.models.filters import ClassFilter, build_class_filter
    from audioclass_gui.models.framing import FramePlan
    from audioclass_gui.models.inference import InferenceStep, iter_predictions
    from audioclass_gui.models.labels import common_names, read_common_names
    from audioclass_gui.models.registry import (
        DEFAULT_MODEL,
        ENTRY_POINT_GROUP,
        ModelEntry,
        available_models,
        builtin_models,
        create_model,
        get_entry,
        model_kwargs,
    )
    from audioclass_gui.models.settings import RunSettings, read_species_list
    from audioclass_gui.models.wrap import WrappedModel, wrap_model

_WHERE = {
    "BandEnergyDetector": "audioclass_gui.models.energy",
    "BirdNET": "audioclass_gui.models.birdnet",
    "BirdNETFiles": "audioclass_gui.models.birdnet",
    "ClassFilter": "audioclass_gui.models.filters",
    "ClipClassificationModel": "audioclass_gui.models.base",
    "DEFAULT_MODEL": "audioclass_gui.models.registry",
    "ENTRY_POINT_GROUP": "audioclass_gui.models.registry",
    "Format": "audioclass_gui.models.base",
    "FramePlan": "audioclass_gui.models.framing",
    "InferenceStep": "audioclass_gui.models.inference",
    "ModelEntry": "audioclass_gui.models.registry",
    "ModelOutput": "audioclass_gui.models.base",
    "RunSettings": "audioclass_gui.models.settings",
    "SOUND_EVENT_TERM": "audioclass_gui.models.energy",
    "WrappedModel": "audioclass_gui.models.wrap",
    "available_models": "audioclass_gui.models.registry",
    "builtin_models": "audioclass_gui.models.registry",
    "birdnet_files": "audioclass_gui.models.birdnet",
    "build_class_filter": "audioclass_gui.models.filters",
    "common_names": "audioclass_gui.models.labels",
    "create_model": "audioclass_gui.models.registry",
    "get_entry": "audioclass_gui.models.registry",
    "iter_predictions": "audioclass_gui.models.inference",
    "model_kwargs": "audioclass_gui.models.registry",
    "read_common_names": "audioclass_gui.models.labels",
    "read_species_list": "audioclass_gui.models.settings",
    "wrap_model": "audioclass_gui.models.wrap",
}

__all__ = [
    "DEFAULT_MODEL",
    "ENTRY_POINT_GROUP",
    "SOUND_EVENT_TERM",
    "BandEnergyDetector",
    "BirdNET",
    "BirdNETFiles",
    "ClassFilter",
    "ClipClassificationModel",
    "FramePlan",
    "Format",
    "InferenceStep",
    "ModelEntry",
    "ModelOutput",
    "RunSettings",
    "WrappedModel",
    "available_models",
    "builtin_models",
    "birdnet_files",
    "build_class_filter",
    "common_names",
    "create_model",
    "get_entry",
    "iter_predictions",
    "model_kwargs",
    "read_common_names",
    "read_species_list",
    "wrap_model",
]

__getattr__, __dir__ = lazy_names(globals(), _WHERE)
