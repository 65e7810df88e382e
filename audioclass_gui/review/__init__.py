"""Review of detections: verdicts, boxes, the review session and its undoable edits.

No Qt here; the session announces changes with psygnal signals. The names
below load their module on first use (:mod:`audioclass_gui.lazy_names`):
``Status`` alone does not bring soundevent in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audioclass_gui.lazy_names import lazy_names

if TYPE_CHECKING:
    from audioclass_gui.review.detection import (
        EMPTY_VERDICT,
        Box,
        Detection,
        Stamp,
        Status,
        Verdict,
        new_box_id,
    )
    from audioclass_gui.review.edits import (
        BoxEdit,
        CompoundEdit,
        Edit,
        StatusEdit,
        VerdictEdit,
    )
    from audioclass_gui.review.query import (
        DetectionFilter,
        DetectionList,
        Order,
        RecordingSummary,
        SpeciesSummary,
    )
    from audioclass_gui.review.session import (
        Columns,
        Recorder,
        ReviewSession,
        default_reviewer,
    )

_WHERE = {
    "Box": "audioclass_gui.review.detection",
    "BoxEdit": "audioclass_gui.review.edits",
    "Columns": "audioclass_gui.review.session",
    "CompoundEdit": "audioclass_gui.review.edits",
    "Detection": "audioclass_gui.review.detection",
    "DetectionFilter": "audioclass_gui.review.query",
    "DetectionList": "audioclass_gui.review.query",
    "EMPTY_VERDICT": "audioclass_gui.review.detection",
    "Edit": "audioclass_gui.review.edits",
    "Order": "audioclass_gui.review.query",
    "Recorder": "audioclass_gui.review.session",
    "RecordingSummary": "audioclass_gui.review.query",
    "ReviewSession": "audioclass_gui.review.session",
    "SpeciesSummary": "audioclass_gui.review.query",
    "Stamp": "audioclass_gui.review.detection",
    "Status": "audioclass_gui.review.detection",
    "StatusEdit": "audioclass_gui.review.edits",
    "Verdict": "audioclass_gui.review.detection",
    "VerdictEdit": "audioclass_gui.review.edits",
    "default_reviewer": "audioclass_gui.review.session",
    "new_box_id": "audioclass_gui.review.detection",
}

__all__ = [
    "EMPTY_VERDICT",
    "Box",
    "BoxEdit",
    "Columns",
    "CompoundEdit",
    "Detection",
    "DetectionFilter",
    "DetectionList",
    "Edit",
    "Order",
    "Recorder",
    "RecordingSummary",
    "ReviewSession",
    "SpeciesSummary",
    "Stamp",
    "Status",
    "StatusEdit",
    "Verdict",
    "VerdictEdit",
    "default_reviewer",
    "new_box_id",
]

__getattr__, __dir__ = lazy_names(globals(), _WHERE)
