"""Review of detections: verdicts, boxes, the review session and its undoable edits.

No Qt here; the session announces changes with psygnal signals.
"""

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
