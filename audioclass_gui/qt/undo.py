"""Qt's undo stack over the review session's invertible edits."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from audioclass_gui.review import Edit, ReviewSession

__all__ = ["EditCommand"]


class EditCommand(QUndoCommand):
    """Wraps one already-applied session edit so Ctrl+Z / Ctrl+Shift+Z work.

    The edit holds detection ids, never widgets, so undo stays valid while
    the table is re-sorted or filtered.
    """

    def __init__(self, session: ReviewSession, edit: Edit) -> None:
        super().__init__(edit.description)
        self._session = session
        self._edit = edit
        self._applied = True  # the session applied it before it was pushed

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._session.apply(self._edit)

    def undo(self) -> None:
        self._session.revert(self._edit)
