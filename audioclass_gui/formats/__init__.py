"""File formats: soundevent AOEF, Raven, Audacity, CSV, BirdNET-Analyzer tables.

Every file is written atomically (temporary file, then rename). No Qt here.
Exports of a review by name: :mod:`audioclass_gui.formats.exports`.
"""

from audioclass_gui.formats.aoef import (
    AoefExport,
    build_annotation_project,
    build_model_run,
    build_model_runs,
    export_aoef,
    model_run_from_predictions,
    model_run_path_for,
    save_aoef,
    verdict_note_message,
    write_aoef,
)
from audioclass_gui.formats.aoef_import import (
    ImportedReview,
    PredictionFile,
    read_predictions,
    read_review,
)
from audioclass_gui.formats.atomic import atomic_write_path, atomic_write_text
from audioclass_gui.formats.birdnet_results import read_birdnet_results, sniff_table
from audioclass_gui.formats.exports import EXPORT_FORMATS, export, export_all
from audioclass_gui.formats.thresholds import read_thresholds_csv, write_thresholds_csv
from audioclass_gui.formats.verdict_tables import (
    verdict_selections,
    write_audacity_labels,
    write_raven_verdicts,
    write_verdict_csv,
)

__all__ = [
    "EXPORT_FORMATS",
    "AoefExport",
    "ImportedReview",
    "PredictionFile",
    "atomic_write_path",
    "atomic_write_text",
    "build_annotation_project",
    "build_model_run",
    "build_model_runs",
    "export",
    "export_all",
    "export_aoef",
    "model_run_from_predictions",
    "model_run_path_for",
    "read_birdnet_results",
    "read_predictions",
    "read_review",
    "read_thresholds_csv",
    "save_aoef",
    "sniff_table",
    "verdict_selections",
    "write_audacity_labels",
    "write_raven_verdicts",
    "write_thresholds_csv",
    "write_verdict_csv",
    "write_aoef",
    "verdict_note_message",
]
