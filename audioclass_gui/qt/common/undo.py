"""Qt's undo stack over the review session's invertible edits."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from audioclass_gui.review import Edit

if TYPE_CHECKING:
    from audioclass_gui.review import ReviewSession

__all__ = ["EditCommand"]


class EditCommand(QUndoCommand):
    """Wraps one already-applied session edit so Ctrl+Z / Ctrl+Shift+Z work.

    The edit holds detection ids, never widgets, so undo stays valid while
    the table is re-sorted or filtered.
    """

    def __init__(
        self,
        session: ReviewSession,
        edit: Edit,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(edit.description)
        self._session = session
        self._edit = edit
        self._on_error = on_error
        self._applied = True  # the session applied it before it was pushed

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._guard("redo", self._session.apply)

    def undo(self) -> None:
        self._guard("undo", self._session.revert)

    def _guard(self, what: str, step: Callable[[Edit], None]) -> None:
        # A project opened read-only, a full disk or a closed journal must be
        # reported, never crash the window from inside Qt's undo stack.
        try:
            step(self._edit)
        except (OSError, ValueError, KeyError) as exc:
            # Qt then drops this command, so the stack never claims a change
            # that did not happen.
            self.setObsolete(True)
            if self._on_error is not None:
                self._on_error(f"Could not {what} '{self._edit.description}': {exc}")
