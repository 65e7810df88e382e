"""The boxes a reviewer drew in a review session, with who drew them and when.

:class:`BoxBook` keeps the boxes (calls the model missed) in drawing order
and their stamps, and the session's recorder for boxes: a change is made
durable before the session announces it, and taken back if that fails.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from audioclass_gui.review.detection import Box, Stamp
from audioclass_gui.review.recording_registry import absolute_path
from audioclass_gui.review.reviewers import Reviewers
from audioclass_gui.review.session_types import Recorder

__all__ = ["BoxBook"]


class BoxBook:
    """Boxes by id, in drawing order, with their stamps.

    Parameters
    ----------
    owner
        The session; handed to the recorder.
    reviewers
        Who stamps the boxes.

    Attributes
    ----------
    recorder : Recorder or None
        Makes every change durable.
    """

    def __init__(self, owner: Any, reviewers: Reviewers) -> None:
        self.recorder: Recorder | None = None
        self._owner = owner
        self._reviewers = reviewers
        self._boxes: dict[str, Box] = {}
        self._stamps: dict[str, tuple[int, float]] = {}

    def boxes(self, recording: str | Path | None = None) -> list[Box]:
        """Boxes (of one recording, if given), in drawing order."""
        if recording is None:
            return list(self._boxes.values())
        path = absolute_path(recording)
        return [b for b in self._boxes.values() if b.recording == path]

    def box(self, box_id: str) -> Box | None:
        """The box with this id, or None (deleted or unknown)."""
        return self._boxes.get(box_id)

    def stamp(self, box_id: str) -> Stamp | None:
        """Who drew or last changed a box, and when."""
        stamp = self._stamps.get(box_id)
        if stamp is None or box_id not in self._boxes:
            return None
        return self._reviewers.stamp(*stamp)

    def put(self, box_id: str, box: Box | None, by: int, at: float) -> None:
        """Put a box in place, stamped (``box=None``: remove it), without recording it."""
        if box is None:
            self._boxes.pop(box_id, None)
            self._stamps.pop(box_id, None)
        else:
            self._boxes[box_id] = box
            self._stamps[box_id] = (by, at)

    def write(self, box_id: str, box: Box | None) -> bool:
        """Put a box in place or delete it (``box=None``), durably.

        Returns False (and does nothing) when the box already is as asked.
        If the :attr:`recorder` raises, the old box is put back and the
        error propagates.
        """
        old = self._boxes.get(box_id)
        if old == box:
            return False
        old_stamp = self._stamps.get(box_id)
        reviewer = self._reviewers.current
        self.put(box_id, box, reviewer, round(time.time(), 3))
        if self.recorder is not None:
            try:
                self.recorder.box_written(self._owner, box_id, box)
            except BaseException:
                self.put(box_id, old, *(old_stamp or (self._reviewers.current, time.time())))
                raise
        return True
