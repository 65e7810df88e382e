"""Audio classification models: the interface, built-in models, registry, runner.

No Qt here. Importing this package is cheap: model weights and LiteRT are
loaded only when a model is constructed.
"""

from audioclass_gui.models.base import ClipClassificationModel, Format, ModelOutput
from audioclass_gui.models.birdnet import BirdNET, BirdNETFiles, birdnet_files
from audioclass_gui.models.energy import SOUND_EVENT_TERM, BandEnergyDetector
from audioclass_gui.models.framing import FramePlan
from audioclass_gui.models.inference import InferenceStep, iter_predictions
from audioclass_gui.models.registry import (
    DEFAULT_MODEL,
    ENTRY_POINT_GROUP,
    ModelEntry,
    available_models,
    create_model,
    get_entry,
)

__all__ = [
    "DEFAULT_MODEL",
    "ENTRY_POINT_GROUP",
    "SOUND_EVENT_TERM",
    "BandEnergyDetector",
    "BirdNET",
    "BirdNETFiles",
    "ClipClassificationModel",
    "FramePlan",
    "Format",
    "InferenceStep",
    "ModelEntry",
    "ModelOutput",
    "available_models",
    "birdnet_files",
    "create_model",
    "get_entry",
    "iter_predictions",
]
