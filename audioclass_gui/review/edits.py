"""Invertible edits of a review session, for the undo stack.

Every reviewer action becomes a small :class:`Edit` that holds detection ids
(never widgets) and knows how to apply and revert itself on a
:class:`~audioclass_gui.review.ReviewSession`. The Qt layer wraps them in
``QUndoCommand`` objects; the session itself keeps no history.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audioclass_gui.review.detection import Status

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = ["Edit", "StatusEdit"]

_VERBS: dict[Status, tuple[str, str]] = {
    # status -> (verb before the count, words after it)
    Status.ACCEPTED: ("Accept", ""),
    Status.REJECTED: ("Reject", ""),
    Status.UNCERTAIN: ("Mark", " uncertain"),
    Status.UNREVIEWED: ("Clear verdict of", ""),
}


class Edit(abc.ABC):
    """An invertible change to a review session.

    Subclasses must make ``revert`` undo exactly what ``apply`` did, and both
    must go through public session methods so that the session emits its
    change signals.
    """

    __slots__ = ()

    @property
    @abc.abstractmethod
    def description(self) -> str:
        """Short text for an Undo/Redo menu entry, e.g. "Accept 3 detections"."""

    @abc.abstractmethod
    def apply(self, session: ReviewSession) -> None:
        """Apply (or redo) this edit on ``session``."""

    @abc.abstractmethod
    def revert(self, session: ReviewSession) -> None:
        """Undo this edit on ``session``."""


@dataclass(frozen=True, slots=True)
class StatusEdit(Edit):
    """Set the status of some detections.

    Parameters
    ----------
    ids
        Detection ids, without duplicates.
    before
        The status of each id before the edit (same length as ``ids``).
    after
        The status all ids get.
    """

    ids: tuple[int, ...]
    before: tuple[Status, ...]
    after: Status

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.before):
            raise ValueError(
                f"StatusEdit needs one 'before' status per id "
                f"({len(self.ids)} ids, {len(self.before)} statuses)"
            )

    @property
    def description(self) -> str:
        """Text such as "Accept 3 detections" or "Mark 1 detection uncertain"."""
        verb, tail = _VERBS[self.after]
        n = len(self.ids)
        noun = "detection" if n == 1 else "detections"
        return f"{verb} {n} {noun}{tail}"

    @property
    def is_noop(self) -> bool:
        """True when the edit changes nothing (every id already had ``after``)."""
        return all(status == self.after for status in self.before)

    def apply(self, session: ReviewSession) -> None:
        """Give every id the ``after`` status."""
        session.write_statuses(self.ids, [self.after] * len(self.ids))

    def revert(self, session: ReviewSession) -> None:
        """Give every id back its ``before`` status."""
        session.write_statuses(self.ids, self.before)
