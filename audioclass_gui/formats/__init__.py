"""File formats: soundevent AOEF, Raven, Audacity, CSV, BirdNET-Analyzer tables.

Every file is written atomically (temporary file, then rename). No Qt here.
Exports of a review by name: :mod:`audioclass_gui.formats.exports`.

The names below load their module on first use (PEP 562), so importing one
format (say the thresholds CSV) does not load soundevent and every writer:
the app's start stays short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audioclass_gui.lazy_names import lazy_names

if TYPE_CHECKING:
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
    from audioclass_gui.formats.thresholds import (
        read_thresholds_csv,
        write_thresholds_csv,
    )
    from audioclass_gui.formats.verdict_tables import (
        verdict_selections,
        write_audacity_labels,
        write_raven_verdicts,
        write_verdict_csv,
    )

_WHERE = {
    "AoefExport": "audioclass_gui.formats.aoef",
    "EXPORT_FORMATS": "audioclass_gui.formats.exports",
    "ImportedReview": "audioclass_gui.formats.aoef_import",
    "PredictionFile": "audioclass_gui.formats.aoef_import",
    "atomic_write_path": "audioclass_gui.formats.atomic",
    "atomic_write_text": "audioclass_gui.formats.atomic",
    "build_annotation_project": "audioclass_gui.formats.aoef",
    "build_model_run": "audioclass_gui.formats.aoef",
    "build_model_runs": "audioclass_gui.formats.aoef",
    "export": "audioclass_gui.formats.exports",
    "export_all": "audioclass_gui.formats.exports",
    "export_aoef": "audioclass_gui.formats.aoef",
    "model_run_from_predictions": "audioclass_gui.formats.aoef",
    "model_run_path_for": "audioclass_gui.formats.aoef",
    "read_birdnet_results": "audioclass_gui.formats.birdnet_results",
    "read_predictions": "audioclass_gui.formats.aoef_import",
    "read_review": "audioclass_gui.formats.aoef_import",
    "read_thresholds_csv": "audioclass_gui.formats.thresholds",
    "save_aoef": "audioclass_gui.formats.aoef",
    "sniff_table": "audioclass_gui.formats.birdnet_results",
    "verdict_note_message": "audioclass_gui.formats.aoef",
    "verdict_selections": "audioclass_gui.formats.verdict_tables",
    "write_aoef": "audioclass_gui.formats.aoef",
    "write_audacity_labels": "audioclass_gui.formats.verdict_tables",
    "write_raven_verdicts": "audioclass_gui.formats.verdict_tables",
    "write_thresholds_csv": "audioclass_gui.formats.thresholds",
    "write_verdict_csv": "audioclass_gui.formats.verdict_tables",
}

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


__getattr__, __dir__ = lazy_names(globals(), _WHERE)
