"""File formats: soundevent AOEF export, written atomically.

No Qt here.
"""

from audioclass_gui.formats.aoef import (
    AoefExport,
    build_annotation_project,
    build_model_run,
    export_aoef,
    model_run_from_predictions,
    model_run_path_for,
    save_aoef,
    verdict_note_message,
    write_aoef,
)
from audioclass_gui.formats.atomic import atomic_write_path, atomic_write_text

__all__ = [
    "AoefExport",
    "atomic_write_path",
    "atomic_write_text",
    "build_annotation_project",
    "build_model_run",
    "export_aoef",
    "model_run_from_predictions",
    "model_run_path_for",
    "save_aoef",
    "write_aoef",
    "verdict_note_message",
]
