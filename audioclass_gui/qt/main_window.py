"""The main window: composes the views, panels and controllers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.app import AppModel, ModelInfo
from audioclass_gui.audio.playback import PlaybackEngine
from audioclass_gui.models import available_models, builtin_models
from audioclass_gui.qt.common.docks import add_dock
from audioclass_gui.qt.common.tasks import TaskRunner
from audioclass_gui.qt.common.time_format import format_clock
from audioclass_gui.qt.export_dialog import ExportController
from audioclass_gui.qt.learn.learn_controller import LearningController
from audioclass_gui.qt.menus import add_action, build_menus
from audioclass_gui.qt.paged_mode import PagedMode
from audioclass_gui.qt.playback.playback import PlaybackController
from audioclass_gui.qt.playback.playback_bar import PlaybackBar
from audioclass_gui.qt.playback.playback_glue import PlaybackGlue, PlaybackParts
from audioclass_gui.qt.project.open_folders import (
    open_dialog_start,
    remember_open_folder,
)
from audioclass_gui.qt.project.project_dock import (
    ProjectController,
    ProjectParts,
    is_project_path,
)
from audioclass_gui.qt.project.project_files import ProjectFiles
from audioclass_gui.qt.project.project_problems import ProblemWatch
from audioclass_gui.qt.project.recent_menu import RecentMenu
from audioclass_gui.qt.project.recording_states import RecordingStates
from audioclass_gui.qt.project.single_review import SingleReview
from audioclass_gui.qt.reports.activity_actions import ActivityReports
from audioclass_gui.qt.reports.checklist_dialog import ChecklistReports
from audioclass_gui.qt.reports.sampling_mode import SamplingController
from audioclass_gui.qt.reports.species_thresholds import SpeciesThresholdsController
from audioclass_gui.qt.review.boxes import BoxController
from audioclass_gui.qt.review.detection_table import DetectionTable
from audioclass_gui.qt.review.event_controller import EventController
from audioclass_gui.qt.review.measurements_panel import MeasurementsController
from audioclass_gui.qt.review.overlays import DetectionOverlay
from audioclass_gui.qt.review.reference_dock import ReferenceController
from audioclass_gui.qt.review.review_actions import ReviewActions, ReviewParts
from audioclass_gui.qt.review.review_controller import ReviewController
from audioclass_gui.qt.review.species_panel import SpeciesPanel, SpeciesPanelController
from audioclass_gui.qt.run.inference import InferenceController
from audioclass_gui.qt.run.model_panel import ModelPanel
from audioclass_gui.qt.run.run_all import RunAllController
from audioclass_gui.qt.run.run_glue import RunGlue, RunParts
from audioclass_gui.qt.spectrogram.spectrogram_settings import SpectrogramSettingsPanel
from audioclass_gui.qt.spectrogram.spectrogram_view import SpectrogramView
from audioclass_gui.qt.spectrogram.timeline import TimelineStrip
from audioclass_gui.qt.spectrogram.waveform_mode import WaveformMode

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo
    from audioclass_gui.qt.help_dialogs import AboutDialog, ShortcutsDialog
    from audioclass_gui.qt.reports.precision_dialog import PrecisionDialog
    from audioclass_gui.review import ReviewSession

__all__ = ["MainWindow"]


class MainWindow(QMainWindow):
    """audioclass-gui's main window.

    Signals
    -------
    recording_opened(object)
        The ``RecordingInfo`` of a recording now shown.
    run_finished(bool)
        A model run ended (True if cancelled).
    error_reported(str)
        A message shown to the user about something that went wrong.
    exported(object)
        Paths written by an export.
    """

    recording_opened = Signal(object)
    run_finished = Signal(bool)
    error_reported = Signal(str)
    exported = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, playback_engine: PlaybackEngine | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("audioclass-gui")
        self.resize(1400, 900)
        #: The Qt-free state the window renders (see :mod:`audioclass_gui.app`).
        self.runner = TaskRunner(max_workers=2, parent=self)
        self.app = AppModel(self.runner)
        self._dialogs: list[QMessageBox] = []
        self.app.messages.error.connect(self._show_error)
        self.app.open_requested.connect(self.open_path)

        # views
        self.view = SpectrogramView(self.runner)
        self.timeline = TimelineStrip()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.timeline)
        self.setCentralWidget(central)

        self.model_panel = ModelPanel(builtin_models())
        # Plugins are looked for in every installed package's metadata: off the GUI thread.
        self.runner.submit(available_models, self.model_panel.add_entries)
        self.table = DetectionTable()
        self._dock(self.model_panel, "Model", Qt.DockWidgetArea.RightDockWidgetArea)
        # Side panels take the full height; the table sits under the spectrogram.
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.table.setMinimumHeight(150)
        table_dock = self._dock(self.table, "Detections", Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([table_dock], [260], Qt.Orientation.Vertical)

        # controllers
        self.undo_stack = QUndoStack(self)
        self.overlay = DetectionOverlay(self.view.plot, self, density=self.app.density)
        self.review = ReviewController(
            self.table, self.overlay, self.view, self.undo_stack, self, state=self.app.review
        )
        self.review.threshold = self.model_panel.threshold
        self.inference = InferenceController(self)
        self.playback = PlaybackController(self.runner, playback_engine, parent=self)
        self.playback_bar = PlaybackBar(self.playback, parent=self)
        self._dock(self.playback_bar, "Playback", Qt.DockWidgetArea.RightDockWidgetArea)
        self.spectrogram_settings = SpectrogramSettingsPanel()
        self.spectrogram_dock = self._dock(self.spectrogram_settings, "Spectrogram", Qt.DockWidgetArea.RightDockWidgetArea)
        playback_dock = self.findChild(QDockWidget, "dock-playback")
        if playback_dock is not None:
            self.tabifyDockWidget(playback_dock, self.spectrogram_dock)
            playback_dock.raise_()
        self.view.set_params(self.spectrogram_settings.params())
        self.view.set_display(self.spectrogram_settings.display())

        self.file_label = QLabel("No recording open")
        self.play_label = QLabel()
        self.statusBar().addWidget(self.file_label, 1)
        self.statusBar().addPermanentWidget(self.play_label)
        self.app.messages.status.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        # Whether sound can play is found out after the window shows (PortAudio may be slow).
        self.playback.check_output(self._show_playback_status)

        self.projects = ProjectController(
            self.app, ProjectParts(self.review, self.table, self.inference), self
        )
        self.projects.opening.connect(self.file_label.setText)
        self.single = SingleReview(self.app, self.projects, self.inference, self)
        self.single.opening.connect(self.file_label.setText)
        self.single.opened.connect(self._on_info)
        self.single.failed.connect(self._on_open_failed)
        self.exports = ExportController(self.app.exports, self)
        build_menus(self)
        self._connect()
        species = SpeciesPanel()
        self.species_dock = self._dock(species, "Species", Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.spectrogram_dock, self.species_dock)
        self.references = ReferenceController(self.app, self.review, self, self.spectrogram_settings, self.species_dock)
        if playback_dock is not None:
            playback_dock.raise_()
        self.species_panel = SpeciesPanelController(self.app, species, self.table, self)
        self.boxes = BoxController(self.app, self.review, self.table, self.view, self, self.stop_action)
        self.review_actions = ReviewActions(
            self.app,
            ReviewParts(
                self.review, self.table, self.boxes, self.view,
                open_precision=self._open_precision,
            ),
            self,
        )
        self.boxes.add_actions()  # after the review's actions in the Review menu
        self.measurements = MeasurementsController(
            self.app, self, self.boxes.select, self.view, self.spectrogram_settings
        )
        self.events = EventController(self.app, self.review, self)
        self.project_files = ProjectFiles(self.app, self.projects, self, self.export_action)
        self.app.imports.imported.connect(lambda _message: self._project_changed())
        self.sampling = SamplingController(self.app, self.review, self.table, self, self.species_panel)
        self.learning = LearningController(self.app, self.review, self.table, self)
        self.app.learning.classifiers_changed.connect(self.model_panel.add_models)
        self.app.learning.run_added.connect(lambda _run: self._project_changed())
        self.species_thresholds = self.app.species_thresholds
        self.species_thresholds_row = SpeciesThresholdsController(self.app, self.model_panel, self)
        self.recent = RecentMenu(self.app, self, self.open_project_action)
        self.activity_reports = ActivityReports(self.app, self)
        self.checklist_reports = ChecklistReports(self.app, self)
        self.problem_watch = ProblemWatch(self.app, self.review, self.undo_stack, self)
        states = RecordingStates(self.app, self.projects.recordings, self)
        self.run_all = RunAllController(self.app, self.model_panel, self.projects, self, states)
        self.run_all.results_added.connect(self._project_changed)
        self.paged = PagedMode(self)  # View › Paged view: pages of rows, as Raven's lines per page
        self.waveform = WaveformMode(self)  # View › Waveform: above or instead of the spectrogram
        # The window's own signals relay the app model's, for scripts and tests.
        self.app.recording_opened.connect(self.recording_opened.emit)
        self.app.run.finished.connect(self.run_finished.emit)

    # ------------------------------------------------------- the document
    @property
    def info(self) -> RecordingInfo | None:
        """The recording shown (``app.document.info``)."""
        return self.app.document.info

    @info.setter
    def info(self, info: RecordingInfo | None) -> None:
        self.app.document.info = info

    @property
    def session(self) -> ReviewSession | None:
        """The review session the window lists (``app.document.session``)."""
        return self.app.document.session

    @session.setter
    def session(self, session: ReviewSession | None) -> None:
        self.app.document.session = session

    @property
    def model_info(self) -> ModelInfo | None:
        """The model last loaded for a run (``app.document.model_info``)."""
        return self.app.document.model_info

    @model_info.setter
    def model_info(self, info: ModelInfo | None) -> None:
        self.app.document.model_info = info

    # ------------------------------------------------------------- layout
    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        return add_dock(self, widget, title, area)

    def _action(self, menu, text: str, shortcut: str | QKeySequence | None, slot, tip: str = "") -> QAction:
        return add_action(self, menu, text, shortcut, slot, tip)

    def _connect(self) -> None:
        self.view.view_changed.connect(self.timeline.set_visible)
        self.view.view_changed.connect(lambda *_: self.overlay.fit_labels())
        self.view.overview_progress.connect(lambda tile: self.timeline.set_overview(tile, self.view.overview_levels))
        self.view.levels_changed.connect(lambda appearance: self.timeline.set_appearance(*appearance))
        self.view.failed.connect(lambda msg: self.report_error("Spectrogram", msg))
        self.view.problem.connect(lambda msg: self.report_error("Recording has a problem", msg))
        self.spectrogram_settings.params_changed.connect(self.view.set_params)
        self.spectrogram_settings.display_changed.connect(self.view.set_display)
        self.timeline.range_requested.connect(self.view.set_visible_range)
        self.timeline.show_density(self.app.density)

        panel = self.model_panel
        self.app.run.choose(panel.model_key)
        panel.model_combo.currentIndexChanged.connect(lambda _i: self.app.run.choose(panel.model_key))
        self.model_panel.cancel_requested.connect(self.inference.cancel)
        self.model_panel.threshold_changed.connect(self.review.set_threshold)
        self.model_panel.options.problem.connect(lambda msg: self.report_error("Species list", msg))
        self.runs = RunGlue(
            self.app,
            RunParts(self.model_panel, self.inference, self.review, self.view, self.table, self.projects),
            self,
        )
        self.playback_glue = PlaybackGlue(
            self.app,
            PlaybackParts(
                playback=self.playback,
                bar=self.playback_bar,
                view=self.view,
                timeline=self.timeline,
                overlay=self.overlay,
                table=self.table,
                spectrogram_settings=self.spectrogram_settings,
                review=self.review,
            ),
            self,
        )

    # ---------------------------------------------------------- recording
    def _show_playback_status(self) -> None:
        self.play_label.setText("" if self.playback.available else self.playback.reason)
        self.play_label.setToolTip(self.playback.reason)

    def open_path(self, path: str | Path) -> None:
        """Open a recording, a folder or a project file; the disk is read off the GUI thread.

        A folder or a ``.jsonl`` file is reviewed as a project; a recording
        of the open project is shown in it; any other recording is reviewed
        in its own implicit project (see :mod:`audioclass_gui.qt.project.single_review`).
        """
        from audioclass_gui.audio.info import read_info

        path = Path(path)
        if is_project_path(path):  # a folder or a project file: review it as a project
            self.projects.open(path)
            return
        if self.projects.session_for(path) is None:
            self.single.open(path)
            return
        self.file_label.setText(f"Opening {path.name}…")
        self.runner.submit(lambda: read_info(path), self._on_info, lambda exc: self._on_open_failed(path, exc))

    def _ask_open(self) -> None:
        from audioclass_gui.audio.info import AUDIO_EXTENSIONS

        start = open_dialog_start(self.info.path if self.info is not None else self.projects.folder)
        patterns = " ".join(f"*{ext}" for ext in AUDIO_EXTENSIONS)
        path, _ = QFileDialog.getOpenFileName(
            self, "Open recording", start,
            f"Audio ({patterns});;Review project (*.jsonl);;All files (*)",
        )
        if path:
            remember_open_folder(path)
            self.open_path(path)

    def _on_open_failed(self, path: Path, exc: BaseException) -> None:
        self.file_label.setText("No recording open" if self.info is None else self._describe(self.info))
        self.report_error("Cannot open recording", str(exc))

    def _on_info(self, info: RecordingInfo) -> None:
        from audioclass_gui.audio.info import to_recording
        from audioclass_gui.review import ReviewSession

        if self.app.run.running:
            self.inference.cancel()
        self.playback.stop()
        self.info = info
        project_session = self.projects.session_for(info.path)
        if project_session is not None:  # one recording of the open project
            self.session = project_session
            self.review.set_session(self.session, recording=str(Path(info.path).absolute()))
        else:
            self.projects.close()
            self.session = ReviewSession(to_recording(info), common_name=self.runs.common_name)
            self.review.set_session(self.session)
        self.spectrogram_settings.set_recording(info.samplerate, info.channels)
        self.view.set_params(self.spectrogram_settings.params())
        self.view.set_recording(info)
        self.timeline.set_duration(
            self.view.duration, self.view.nyquist,
            start=info.metadata.start, start_source=info.metadata.start_source,
        )
        self.model_panel.options.set_channels(info.channels)
        self.overlay.set_band(0.0, self.view.nyquist)
        self.table.set_time_format(self.view.time_format, self.view.duration)  # as the axis
        self.file_label.setText(self._describe(info))
        self.file_label.setToolTip(self._kept_where())
        self.setWindowTitle(f"{info.path.name} — audioclass-gui")
        for warning in info.warnings:
            self.report_error("Recording has a problem", f"{info.path}: {warning}. The readable part is shown.")
        self.app.recording_opened.emit(info)

    def _kept_where(self) -> str:
        """Where the verdicts go, for the file label's tooltip."""
        project = self.projects.project
        if project is None:
            return "This review is kept in memory only: export it (File › Export review) before closing."
        where = project.journal_path.parent if self.projects.implicit else project.journal_path
        return f"Verdicts are saved as you make them, in {where}"

    @staticmethod
    def _describe(info: RecordingInfo) -> str:
        ch = "mono" if info.channels == 1 else f"{info.channels} channels"
        length = f"{info.duration:.2f} s" if info.duration < 600 else format_clock(info.duration)
        text = (
            f"{info.path.name} — {length}, {info.samplerate / 1000:g} kHz, "
            f"{ch}, {info.format} {info.subtype}"
        )
        if info.extension_note:
            text += f" ({info.extension_note})"
        about = info.metadata.describe()
        return f"{text} — {about}" if about else text

    def zoom_to_fit(self) -> None:
        """Show the whole recording and its whole frequency band."""
        self.view.zoom_to_fit()

    def zoom_to_selection(self) -> None:
        """Show the selected time range, else the selected detection."""
        if self.view.zoom_to_selection():
            return
        d = self.review.selected
        if d is not None:
            self.view.zoom_to_selection((d.start, d.end), margin=0.25)

    # ------------------------------------------------ model run, playback
    def run_model(self, key: str) -> None:
        """Run a model over the open recording in the worker thread."""
        self.runs.run_model(key)

    def play_selected(self) -> None:
        """Play the selected box or detection with the context set in the Playback panel."""
        self.playback_glue.play_selected()

    def play_visible(self) -> None:
        """Play the time range the spectrogram shows."""
        self.playback_glue.play_visible()

    def play_from_cursor(self) -> None:
        """Play from the time last clicked (else the left edge of the view) to the end."""
        self.playback_glue.play_from_cursor()

    def toggle_play(self) -> None:
        """Space: pause when playing, resume when paused, else play the selected box or detection."""
        self.playback_glue.toggle_play()

    def _play_target(self):
        """What Space plays (see :meth:`PlaybackGlue.play_target`)."""
        return self.playback_glue.play_target()

    def _play_options(self):
        """Options of what Space plays (see :meth:`PlaybackGlue.play_options`)."""
        return self.playback_glue.play_options()

    # -------------------------------------------------------------- export
    def _ask_export(self) -> None:
        if self.session is None or self.info is None:
            self.report_error("Nothing to export", "Open a recording and run a model first.")
            return
        default = self.info.path.with_suffix(".review.json")
        path, _ = QFileDialog.getSaveFileName(self, "Export review", str(default), "AOEF JSON (*.json)")
        if path:
            self.export_to(path)

    def export_to(self, path: str | Path) -> None:
        """Export the review as soundevent AOEF, writing in the background."""
        session = self.session
        if session is None:
            return
        from audioclass_gui.formats.aoef import prepare_aoef

        self.statusBar().showMessage(f"Exporting to {path}…")
        write = prepare_aoef(session)  # built on the GUI thread, which owns the session
        self.runner.submit(
            lambda: write(path),
            self._on_exported,
            lambda exc: self.report_error("Export failed", f"{path}: {exc}"),
        )

    def _on_exported(self, result) -> None:
        runs = result.model_run_paths or (result.model_run_path,)
        also = runs[0].name if len(runs) == 1 else f"{len(runs)} model runs"
        self.statusBar().showMessage(f"Exported {result.project_path.name} and {also}", 10000)
        self.exported.emit(result)

    def _project_changed(self) -> None:
        """Results were added to the project (an import, a run over recordings): every view shows them."""
        self.review.refresh()
        self.projects.refresh_recordings()
        self.species_panel.refresh()
        self.boxes.redraw()
        self.runs.describe_loaded()

    # -------------------------------------------------------------- errors
    def report_error(self, title: str, message: str) -> None:
        """Tell the user without blocking the window (and log to stderr)."""
        self.app.messages.report(title, message)

    def _show_error(self, title: str, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.finished.connect(lambda _r, b=box: self._dialogs.remove(b) if b in self._dialogs else None)
        self._dialogs.append(box)
        box.show()
        self.error_reported.emit(message)

    def _open_precision(self) -> PrecisionDialog | None:
        """Reports › Precision by species (its module loads on first use)."""
        from audioclass_gui.qt.reports.precision_window import open_precision_dialog

        return open_precision_dialog(self.app, self.review, self)

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help › Keyboard shortcuts (non-modal)."""
        from audioclass_gui.qt.help_dialogs import ShortcutsDialog

        dialog = ShortcutsDialog(self.menuBar(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_about(self) -> AboutDialog:
        """Help › About: versions, the model and its licence (non-modal)."""
        from audioclass_gui.qt.help_dialogs import AboutDialog, about_html

        key = self.model_panel.model_key
        provenance = self.session.provenance if self.session is not None else None
        html = about_html(key, self.model_panel.model_combo.currentText(), provenance)
        dialog = AboutDialog(html, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _ask_open_project(self) -> None:
        start = open_dialog_start(self.info.path if self.info is not None else self.projects.folder)
        folder = QFileDialog.getExistingDirectory(self, "Open folder as project", start)
        if folder:
            remember_open_folder(folder)
            self.projects.open(folder)

    def closeEvent(self, event) -> None:
        self.inference.cancel()
        self.run_all.worker.cancel()
        self.playback.close()
        self.inference.wait(5.0)
        self.run_all.close()
        self.learning.close()
        self.projects.close()
        self.recent.close()
        self.runner.shutdown()
        super().closeEvent(event)
