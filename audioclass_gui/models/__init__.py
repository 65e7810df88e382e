"""Audio classification models: the interface, built-in models, registry, runner.

No Qt here. Importing this package is cheap: model weights and LiteRT are
loaded only when a model is constructed.
"""

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
    create_model,
    get_entry,
    model_kwargs,
)
from audioclass_gui.models.settings import RunSettings, read_species_list
from audioclass_gui.models.wrap import WrappedModel, wrap_model

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
