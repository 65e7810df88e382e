"""Problems a project reports while it is open, shown as they appear.

A project's :attr:`~audioclass_gui.project.ReviewProject.problems` are shown
when it opens (by :class:`~audioclass_gui.qt.project.project_dock.ProjectController`).
The list may grow afterwards: the journal adds a message when it had to
recreate its file or state folder deleted while the project was open. Those
are news, not failures (nothing was lost; a failed write is reported as
"Not saved" instead), so they go to the status bar, without a dialog that
would take the keyboard from a reviewer in mid-flow.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoStack

    from audioclass_gui.app import AppModel
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.qt.review.review_controller import ReviewController

__all__ = ["SHOW_MS", "ProblemWatch"]

#: How long a new problem stays in the status bar (ms).
SHOW_MS = 60_000


class ProblemWatch(QObject):
    """Looks for new problems of the open project after each change that writes it.

    Checked after every edit (a verdict, its undo, a box...), every move of
    the selection (its position is journaled), every failed edit and every
    saved run; :meth:`check` may be called after any other write.

    Signals
    -------
    problem_found(str)
        A problem the project added since the last look (one per problem).
    """

    problem_found = Signal(str)

    def __init__(
        self,
        app: AppModel,
        review: ReviewController,
        undo_stack: QUndoStack,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self._project: ReviewProject | None = None
        self._seen = 0
        app.document.events.project.connect(self._on_opened)
        undo_stack.indexChanged.connect(self.check)
        # After ProjectController's own slots (connected first): the selection
        # is journaled there, and a failed edit is reported there.
        review.selection_changed.connect(self.check)
        review.failed.connect(self.check)
        app.run.finished.connect(self.check)

    def _on_opened(self, project: ReviewProject | None) -> None:
        self._project = project
        self._seen = len(project.problems) if project is not None else 0  # shown at open

    def check(self, *_args: object) -> list[str]:
        """Show the problems the open project added since the last look.

        Returns
        -------
        list of str
            The new problems (empty when there are none).
        """
        project = self.app.document.project
        if project is None or project is not self._project:
            return []
        new = project.problems[self._seen :]
        self._seen = len(project.problems)
        for problem in new:
            print(f"audioclass-gui: {problem}", file=sys.stderr)
            self.app.messages.say(self._short(project, problem), SHOW_MS)
            self.problem_found.emit(problem)
        return list(new)

    def _short(self, project: ReviewProject, problem: str) -> str:
        """The problem for the status bar: the journal named briefly (the log has the path)."""
        prefix = f"{project.journal_path}: "
        if not problem.startswith(prefix):
            return problem
        if self.app.document.implicit and project.session.recordings:
            name = f"The review of {Path(project.session.recordings[0].path).name}"
        else:
            name = project.journal_path.name
        return f"{name}: {problem[len(prefix):]}"
