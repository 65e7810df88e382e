"""Review projects in the window: open a folder, ask the reviewer once, list recordings.

:class:`ProjectController` glues a :class:`~audioclass_gui.project.ReviewProject`
to the main window: the window reviews the project's (multi-recording)
session, so every verdict is written to the project's journal the moment it
is made; the recording list dock shows each file's duration, start time,
detections and progress, and choosing one opens it in the spectrogram.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.project import ReviewProject
from audioclass_gui.qt.axes import format_clock
from audioclass_gui.qt.table_items import fill_row, read_only_rows
from audioclass_gui.qt.tasks import debounce
from audioclass_gui.review import RecordingSummary

if TYPE_CHECKING:
    from audioclass_gui.qt.main_window import MainWindow

__all__ = ["ProjectController", "RecordingList", "ReviewerDialog", "is_project_path"]

RECORDING_COLUMNS = ("Recording", "Duration", "Start", "Detections", "Reviewed")
PATH_ROLE = Qt.ItemDataRole.UserRole + 1


def is_project_path(path: str | Path) -> bool:
    """True for a folder or a ``.jsonl`` project file (opened as a project)."""
    p = Path(path)
    return p.is_dir() or p.suffix == ".jsonl"


class ReviewerDialog(QDialog):
    """Asks who reviews (name, optional email); asked once per user.

    Signals
    -------
    reviewer_given(str, str)
        Name and email ("" when not given) when OK is pressed.
    """

    reviewer_given = Signal(str, str)

    def __init__(self, parent: QWidget | None = None, name: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is reviewing?")
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("Your name")
        self.email = QLineEdit()
        self.email.setPlaceholderText("optional")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b")
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Email", self.email)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Every verdict is stamped with your name and the time.")
        )
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def show_problem(self, text: str) -> None:
        """Say why the answer was not accepted (the dialog stays open)."""
        self.problem.setText(text)

    def _ok(self) -> None:
        if not self.name.text().strip():
            self.show_problem("Give a name.")
            return
        self.reviewer_given.emit(self.name.text().strip(), self.email.text().strip())


class RecordingList(QTableWidget):
    """The project's recordings: duration, start time, detections, progress.

    Signals
    -------
    recording_chosen(str)
        The path of a recording clicked (or chosen with Enter).
    """

    recording_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(RECORDING_COLUMNS), parent)
        self.setHorizontalHeaderLabels(RECORDING_COLUMNS)
        read_only_rows(self, stretch_last=True)
        self.setMinimumWidth(420)
        self.setTabKeyNavigation(False)
        self.cellActivated.connect(self._chosen)
        self.cellClicked.connect(self._chosen)
        self._current: str | None = None

    def set_summaries(self, summaries: list[RecordingSummary]) -> None:
        """Show one row per recording.

        Rows already showing the same recording keep their items and only
        change the texts that changed: recounting after each verdict stays
        cheap in a project of thousands of recordings.
        """
        self.setUpdatesEnabled(False)
        try:
            self.setRowCount(len(summaries))
            for row, s in enumerate(summaries):
                length = (
                    f"{s.duration:.1f} s" if s.duration < 600 else format_clock(s.duration)
                )
                start = "" if s.start is None else s.start.strftime("%Y-%m-%d %H:%M:%S")
                done = f"{s.reviewed}/{s.detections}" if s.detections else "—"
                texts = (s.path.name, length, start, str(s.detections), done)
                first = self.item(row, 0)
                if first is not None and first.data(PATH_ROLE) == str(s.path):
                    for col, text in enumerate(texts):
                        item = self.item(row, col)
                        if item.text() != text:
                            item.setText(text)
                    continue
                fill_row(
                    self,
                    row,
                    texts,
                    tooltip=str(s.path),
                    row_data={PATH_ROLE: str(s.path)},
                    left=(0, 2),
                )
        finally:
            self.setUpdatesEnabled(True)
        self.mark_current(self._current)

    def paths(self) -> list[str]:
        """Recording paths in list order."""
        return [self.item(r, 0).data(PATH_ROLE) for r in range(self.rowCount())]

    def mark_current(self, path: str | None) -> None:
        """Highlight the open recording."""
        self._current = path
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            font = item.font()
            bold = item.data(PATH_ROLE) == path
            if font.bold() != bold:
                font.setBold(bold)
                item.setFont(font)

    def choose_row(self, row: int) -> None:
        """Choose a recording as a click would."""
        self._chosen(row, 0)

    def _chosen(self, row: int, _col: int) -> None:
        item = self.item(row, 0)
        if item is not None:
            self.recording_chosen.emit(item.data(PATH_ROLE))


class ProjectController(QObject):
    """The open review project of a window.

    Signals
    -------
    project_opened(object)
        The :class:`ReviewProject` now reviewed.
    reviewer_needed(object)
        The :class:`ReviewerDialog` shown to ask who reviews.
    """

    project_opened = Signal(object)
    reviewer_needed = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.project: ReviewProject | None = None
        self.dialog: ReviewerDialog | None = None
        self.recordings = RecordingList()
        self.dock = window._dock(
            self.recordings, "Recordings", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.dock.hide()
        self._pending_select: int | None = None
        self._run: list = []
        self._summary_timer = debounce(self, 200, self.refresh_recordings)
        self.recordings.recording_chosen.connect(self.open_recording)
        window.review.failed.connect(lambda msg: window.report_error("Not saved", msg))
        window.review.selection_changed.connect(self._remember_selection)
        window.recording_opened.connect(self._on_recording_opened)
        window.review.recording_needed.connect(self._show_recording_of_selection)
        window.inference.model_loaded.connect(self._on_model_loaded)
        window.inference.predictions.connect(self._on_predictions)
        window.run_finished.connect(self._on_run_finished)
        window.review.thresholds_changed.connect(self._schedule_summary)

    # ------------------------------------------------------------ opening
    @property
    def active(self) -> bool:
        """True while a project is open."""
        return self.project is not None

    def open(self, path: str | Path, *, settings_dir: str | Path | None = None) -> None:
        """Open a folder (or ``.jsonl`` project file) as a project, off the GUI thread."""
        path = Path(path)
        self.open_built(path, lambda: ReviewProject.open(path, settings_dir=settings_dir))

    def open_built(self, path: Path, build: Callable[[], ReviewProject]) -> None:
        """Review the project ``build`` makes in the task runner (``path`` names it in messages)."""
        self.window.file_label.setText(f"Opening project {path.name}…")
        self.window.runner.submit(build, self._on_opened, lambda exc: self._failed(path, exc))

    def _failed(self, path: Path, exc: BaseException) -> None:
        self.window.file_label.setText("No project open")
        self.window.report_error("Cannot open project", f"{path}: {exc}")

    def _on_opened(self, project: ReviewProject) -> None:
        self.close()
        self.project = project
        session = project.session
        session.status_changed.connect(self._schedule_summary)
        session.detections_added.connect(self._schedule_summary)
        for problem in project.problems:
            self.window.report_error("Project has a problem", problem)
        if self.window.model_info is not None:
            project.set_common_names(self.window.model_info.common_names)
        self.dock.show()
        self.dock.raise_()
        self.refresh_recordings()
        self.window.setWindowTitle(f"{project.root.name} (project) — audioclass-gui")
        if project.needs_reviewer:
            self.ask_reviewer()
        self.project_opened.emit(project)
        self.resume()

    def ask_reviewer(self) -> ReviewerDialog:
        """Ask who reviews (non-modal); the answer is stamped on every verdict."""
        dialog = ReviewerDialog(self.window, "")
        dialog.reviewer_given.connect(self._set_reviewer)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.show()
        self.reviewer_needed.emit(dialog)
        return dialog

    def _set_reviewer(self, name: str, email: str) -> None:
        if self.project is None or self.dialog is None:
            return
        try:
            self.project.set_reviewer(name, email or None)
        except (OSError, ValueError) as exc:
            self.dialog.show_problem(str(exc))
            return
        self.dialog.accept()
        self.dialog = None
        self.window.activateWindow()  # review keys go to the window again
        self.window.statusBar().showMessage(f"Reviewing as {name}", 5000)

    def resume(self) -> None:
        """Open the recording of the detection the reviewer was on (else the first)."""
        project = self.project
        if project is None:
            return
        target = project.resume(self.window.review.threshold_filter())
        if target is not None:
            self._pending_select = target
            self.open_recording(str(project.session.get(target).recording.path))
        elif project.session.recordings:
            self.open_recording(str(project.session.recordings[0].path))
        else:
            self.window.report_error(
                "Empty project",
                f"{project.root}: no recordings (WAV, FLAC, MP3, OGG) found.",
            )

    def open_recording(self, path: str) -> None:
        """Show a recording of the project."""
        current = self.window.info
        if current is not None and str(Path(current.path).absolute()) == path:
            self._select_pending()
            return
        self.window.open_path(path)

    def session_for(self, path: str | Path):
        """The project's session if ``path`` is one of its recordings, else None."""
        if (
            self.project is None
            or self.project.session.recording_index(Path(path).absolute()) is None
        ):
            return None
        return self.project.session

    def recording_for(self, path: str | Path):
        """The project's ``soundevent`` recording of ``path`` (None outside a project)."""
        session = self.session_for(path)
        if session is None:
            return None
        return session.recordings[session.recording_index(Path(path).absolute())]

    def close(self) -> None:
        """Close the open project (its journal lock is released)."""
        if self.project is None:
            return
        session = self.project.session
        session.status_changed.disconnect(self._schedule_summary)
        session.detections_added.disconnect(self._schedule_summary)
        self.project.close()
        self.project = None
        self.recordings.setRowCount(0)
        self.dock.hide()

    # ----------------------------------------------------------- updating
    def refresh_recordings(self) -> None:
        """Recompute the recording list's counts."""
        if self.project is not None:
            self.recordings.set_summaries(self.project.recordings(self.window.review.threshold_filter()))

    def _schedule_summary(self, *_args) -> None:
        if not self._summary_timer.isActive():
            self._summary_timer.start()

    def _on_recording_opened(self, info) -> None:
        if self.project is None:
            return
        self.recordings.mark_current(str(Path(info.path).absolute()))
        self._select_pending()
        review = self.window.review
        judged, review.deferred_verdict = review.deferred_verdict, None
        if judged is not None:  # e.g. autoplay the next detection, now in view
            review.verdict_given.emit(judged)

    def _show_recording_of_selection(self, path: str) -> None:
        """The reviewer moved to a detection of another recording: open it there."""
        if self.project is None:
            return
        self._pending_select = self.window.review._selected
        self.open_recording(path)

    def _select_pending(self) -> None:
        target, self._pending_select = self._pending_select, None
        if target is not None and self.window.table.source.row_of(target) is not None:
            self.window.review.select(target)

    def _remember_selection(self, detection_id) -> None:
        if (
            self.project is not None
            and not self.project.closed
            and detection_id is not None
        ):
            try:
                self.project.select(detection_id)
            except (OSError, ValueError, KeyError):
                pass  # only the position to resume at; a verdict's failure is reported

    def _on_model_loaded(self, info) -> None:
        self._run = []
        if self.project is not None:
            self.project.set_common_names(info.common_names)

    def _on_predictions(self, predictions: list) -> None:
        if self.project is not None:
            self._run.extend(predictions)

    def _on_run_finished(self, cancelled: bool) -> None:
        run, self._run = self._run, []
        if self.project is None or cancelled or not run:
            return
        session = self.project.session
        try:
            target = self.project.save_run(
                run, name=session.model_name or "model", provenance=session.provenance
            )
        except (OSError, ValueError) as exc:
            self.window.report_error(
                "Run not saved", f"The model run was not saved in the project: {exc}"
            )
            return
        self.window.statusBar().showMessage(f"Saved the run in {target}", 8000)
        self.refresh_recordings()
