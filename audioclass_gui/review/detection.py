"""A detection: one predicted tag of one frame, and the reviewer's verdict on it.

A classifier scores each frame (a `soundevent.data.Clip`) of a recording and
returns a `soundevent.data.ClipPrediction` whose ``tags`` list the classes it
found with their scores. Each of those predicted tags becomes one
:class:`Detection` that a reviewer accepts, rejects or marks uncertain
(:class:`Status`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from soundevent import data

__all__ = ["Detection", "Status"]


class Status(enum.StrEnum):
    """The reviewer's verdict on a detection."""

    UNREVIEWED = "unreviewed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True)
class Detection:
    """One predicted tag of one clip prediction.

    Parameters
    ----------
    id
        Identifier, unique within a :class:`~audioclass_gui.review.ReviewSession`
        and assigned in arrival order starting at 0. Ids are never reused,
        not even after the session is cleared for a re-run.
    clip_prediction
        The model's prediction for the frame this detection comes from.
    tag
        The predicted tag (usually ``soundevent.terms.scientific_name``).
    scientific_name
        The tag's value, e.g. ``"Leiothlypis peregrina"``.
    common_name
        The English name, e.g. ``"Tennessee Warbler"``; ``""`` when unknown.
    score
        The model's score for this tag in this frame.
    start, end
        The frame's bounds in seconds from the start of the recording.
    low_freq, high_freq
        Frequency bounds in Hz, ``None`` when the detection spans all
        frequencies (the usual case for clip classifiers).
    """

    id: int
    clip_prediction: data.ClipPrediction
    tag: data.Tag
    scientific_name: str
    common_name: str
    score: float
    start: float
    end: float
    low_freq: float | None = None
    high_freq: float | None = None

    @property
    def label(self) -> str:
        """Human-readable name.

        Returns
        -------
        str
            ``"Tennessee Warbler (Leiothlypis peregrina)"``, or just the
            scientific name when the common name is unknown.
        """
        if self.common_name:
            return f"{self.common_name} ({self.scientific_name})"
        return self.scientific_name

    @property
    def key(self) -> tuple[float, float, str]:
        """Identity of this detection across model re-runs.

        Returns
        -------
        tuple of (float, float, str)
            ``(round(start, 3), round(end, 3), scientific_name)``.
        """
        return (round(self.start, 3), round(self.end, 3), self.scientific_name)
