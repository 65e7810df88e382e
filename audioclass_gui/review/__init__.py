"""Review of detections: verdicts, the review session and its undoable edits.

No Qt here; the session announces changes with psygnal signals.
"""

from audioclass_gui.review.detection import Detection, Status
from audioclass_gui.review.edits import Edit, StatusEdit
from audioclass_gui.review.session import ReviewSession, default_reviewer

__all__ = [
    "Detection",
    "Edit",
    "ReviewSession",
    "Status",
    "StatusEdit",
    "default_reviewer",
]
