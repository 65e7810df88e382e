"""The recording list's Analysis column: what the chosen model did with each recording.

The states are read from the project's files (the model's resume journal
and failure list, see :mod:`audioclass_gui.project.analysis`) in the task
runner, when a project opens, when another model is chosen and when a run
ends; while a run goes, its events update them one recording at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from audioclass_gui.app.run_state import THRESHOLD_FLOOR
from audioclass_gui.models import get_entry
from audioclass_gui.project.analysis import (
    FailureLog,
    RecordingAnalysis,
    analysis_states,
    runs_folder,
)

if TYPE_CHECKING:
    from audioclass_gui.app import AppModel
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.qt.project.project_widgets import RecordingList

__all__ = ["RecordingStates", "read_states"]


def read_states(folder: Path, recordings: list[str]) -> dict[str, RecordingAnalysis]:
    """Each recording's state from a model's runs folder (disk: call in the task runner)."""
    from audioclass_gui.batch.journal import JOURNAL_NAME, Journal

    journal = Journal(folder / JOURNAL_NAME)
    return analysis_states(recordings, journal.entries.values(), FailureLog.read(folder))


class RecordingStates(QObject):
    """Keeps the recording list's Analysis column in step with the project's files.

    Signals
    -------
    shown(str)
        The states of this model key were read from disk and shown.
    """

    shown = Signal(str)

    def __init__(self, app: AppModel, recordings: RecordingList, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.list = recordings
        app.document.events.project.connect(lambda _p: self.refresh())
        app.run.model_chosen.connect(lambda _key: self.refresh())

    def _project(self) -> ReviewProject | None:
        document = self.app.document
        return None if document.implicit else document.project

    def refresh(self) -> None:
        """Read the chosen model's states of the open project's recordings, off the GUI thread."""
        project = self._project()
        if project is None:
            return
        key = self.app.run.model_key
        folder = runs_folder(project, key)
        paths = [str(r.path) for r in project.session.recordings]
        self.app.tasks.submit(
            lambda: read_states(folder, paths),
            lambda states: self._show(project, key, states, clear=True),
        )

    def update(self, project: ReviewProject, key: str, path: str, state: RecordingAnalysis) -> None:
        """One recording's new state (from a running batch)."""
        self._show(project, key, {path: state}, clear=False)

    def _show(
        self,
        project: ReviewProject,
        key: str,
        states: dict[str, RecordingAnalysis],
        *,
        clear: bool,
    ) -> None:
        if project is not self._project() or key != self.app.run.model_key:
            return  # another project or model since
        title = get_entry(key).title
        texts = {}
        for path, state in states.items():
            tip = f"{title}: {state.text}"
            if state.detections:
                tip += (
                    f"\n(every detection the model kept, scores from {THRESHOLD_FLOOR:g}; "
                    "the Detections column counts those at or above the threshold)"
                )
            if state.finished:
                tip += f"\n(analysed {state.finished})"
            texts[path] = (state.text, tip)
        if clear:
            self.list.clear_analysis()
        self.list.set_analysis(texts)
        if clear:
            self.shown.emit(key)
