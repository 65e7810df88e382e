"""Invertible edits of a review session, for the undo stack.

Every reviewer action becomes a small :class:`Edit` that holds detection ids
and box ids (never widgets) and knows how to apply and revert itself on a
:class:`~audioclass_gui.review.ReviewSession`. The Qt layer wraps them in
``QUndoCommand`` objects; the session itself keeps no history.

Edits are made by the session's action methods (``set_status``,
``relabel``, ``set_note``, ``add_box``...), which apply them at once and
return them; pushing them on an undo stack is the caller's business. Both
``apply`` and ``revert`` go through the session's write primitives, so every
redo and undo is as durable as the first application when the session has a
recorder (a project journal).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audioclass_gui.review.detection import Box, Status, Verdict

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = ["BoxEdit", "CompoundEdit", "Edit", "StatusEdit", "VerdictEdit"]

_VERBS: dict[Status, tuple[str, str]] = {
    # status -> (verb before the count, words after it)
    Status.ACCEPTED: ("Accept", ""),
    Status.REJECTED: ("Reject", ""),
    Status.UNCERTAIN: ("Mark", " uncertain"),
    Status.UNREVIEWED: ("Clear verdict of", ""),
}


def _count(n: int) -> str:
    return f"{n} detection" if n == 1 else f"{n} detections"


class Edit(abc.ABC):
    """An invertible change to a review session.

    Subclasses must make ``revert`` undo exactly what ``apply`` did, and both
    must go through public session methods so that the session emits its
    change signals (and records the change when it has a recorder).
    """

    __slots__ = ()

    @property
    @abc.abstractmethod
    def description(self) -> str:
        """Short text for an Undo/Redo menu entry, e.g. "Accept 3 detections"."""

    @property
    def is_noop(self) -> bool:
        """True when applying the edit changes nothing (callers may drop it)."""
        return False

    @abc.abstractmethod
    def apply(self, session: ReviewSession) -> None:
        """Apply (or redo) this edit on ``session``."""

    @abc.abstractmethod
    def revert(self, session: ReviewSession) -> None:
        """Undo this edit on ``session``."""


@dataclass(frozen=True, slots=True)
class StatusEdit(Edit):
    """Set the status of some detections (their labels and notes stay).

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
        return f"{verb} {_count(len(self.ids))}{tail}"

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


@dataclass(frozen=True, slots=True)
class VerdictEdit(Edit):
    """Replace whole verdicts (status, relabel and note) of some detections.

    Parameters
    ----------
    ids
        Detection ids, without duplicates.
    before, after
        One :class:`Verdict` per id, before and after the edit.
    text
        The description shown in the Undo menu.
    fields
        The verdict fields the edit is about (``"status"``, ``"label"``,
        ``"note"``); apply and revert touch only these, so undoing a note
        keeps a status given since.
    """

    ids: tuple[int, ...]
    before: tuple[Verdict, ...]
    after: tuple[Verdict, ...]
    text: str
    fields: tuple[str, ...] = ("status", "label", "note")

    def __post_init__(self) -> None:
        if not len(self.ids) == len(self.before) == len(self.after):
            raise ValueError(
                f"VerdictEdit needs one verdict before and after per id ({len(self.ids)} "
                f"ids, {len(self.before)} before, {len(self.after)} after)"
            )

    @property
    def description(self) -> str:
        """The text given when the edit was made, e.g. "Relabel 2 detections"."""
        return self.text

    @property
    def is_noop(self) -> bool:
        """True when every verdict stays as it was."""
        return self.before == self.after

    def _write(self, session: ReviewSession, verdicts: tuple[Verdict, ...]) -> None:
        ids, merged = [], []
        for det_id, target in zip(self.ids, verdicts, strict=True):
            try:
                current = session.verdict(det_id)
            except KeyError:
                continue  # from before a clear
            ids.append(det_id)
            merged.append(current.with_(**{f: getattr(target, f) for f in self.fields}))
        session.write_verdicts(ids, merged)

    def apply(self, session: ReviewSession) -> None:
        """Give every id the ``after`` values of :attr:`fields`."""
        self._write(session, self.after)

    def revert(self, session: ReviewSession) -> None:
        """Give every id back the ``before`` values of :attr:`fields`."""
        self._write(session, self.before)


@dataclass(frozen=True, slots=True)
class BoxEdit(Edit):
    """Add, change (move, resize, retag, note) or delete one drawn box.

    Parameters
    ----------
    box_id
        The box.
    before, after
        The box before and after; ``before=None`` adds it, ``after=None``
        deletes it.
    text
        The description shown in the Undo menu.
    """

    box_id: str
    before: Box | None
    after: Box | None
    text: str

    def __post_init__(self) -> None:
        for box in (self.before, self.after):
            if box is not None and box.id != self.box_id:
                raise ValueError(f"box {box.id} given for an edit of box {self.box_id}")

    @property
    def description(self) -> str:
        """E.g. "Draw box", "Move box", "Delete box"."""
        return self.text

    @property
    def is_noop(self) -> bool:
        """True when the box stays as it was."""
        return self.before == self.after

    def apply(self, session: ReviewSession) -> None:
        """Put the ``after`` box in place (or delete it)."""
        session.write_box(self.box_id, self.after)

    def revert(self, session: ReviewSession) -> None:
        """Put the ``before`` box back (or delete the added one)."""
        session.write_box(self.box_id, self.before)


@dataclass(frozen=True, slots=True)
class CompoundEdit(Edit):
    """Several edits undone and redone as one.

    Parameters
    ----------
    edits
        Already applied edits, in the order they were applied.
    text
        The description shown in the Undo menu.

    Notes
    -----
    Each part is recorded durably on its own: a crash in the middle of
    applying a compound edit keeps the parts applied before it.
    """

    edits: tuple[Edit, ...]
    text: str

    @classmethod
    def of(cls, edits: Sequence[Edit], text: str) -> CompoundEdit:
        """Make a compound edit, dropping parts that change nothing."""
        return cls(tuple(e for e in edits if not e.is_noop), text)

    @property
    def description(self) -> str:
        """The text given when the edit was made."""
        return self.text

    @property
    def is_noop(self) -> bool:
        """True when every part is a no-op."""
        return all(e.is_noop for e in self.edits)

    def apply(self, session: ReviewSession) -> None:
        """Apply the parts in order."""
        for edit in self.edits:
            edit.apply(session)

    def revert(self, session: ReviewSession) -> None:
        """Revert the parts in reverse order."""
        for edit in reversed(self.edits):
            edit.revert(session)
