"""The main window: composes the views, panels and controllers."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui import __version__
from audioclass_gui.audio.info import (
    AUDIO_EXTENSIONS,
    RecordingInfo,
    read_info,
    to_recording,
)
from audioclass_gui.audio.playback import PlaybackEngine
from audioclass_gui.formats import (
    build_annotation_project,
    build_model_runs,
    write_aoef,
)
from audioclass_gui.models import available_models, get_entry
from audioclass_gui.qt.axes import format_clock
from audioclass_gui.qt.boxes import BoxController
from audioclass_gui.qt.detection_table import DetectionTable
from audioclass_gui.qt.export_dialog import ExportController
from audioclass_gui.qt.help_dialogs import AboutDialog, ShortcutsDialog, about_html
from audioclass_gui.qt.inference import InferenceController, ModelInfo
from audioclass_gui.qt.model_panel import THRESHOLD_FLOOR, ModelPanel
from audioclass_gui.qt.overlays import DetectionOverlay
from audioclass_gui.qt.playback import PlaybackController, follow_range
from audioclass_gui.qt.playback_bar import PlaybackBar
from audioclass_gui.qt.project_dock import ProjectController, is_project_path
from audioclass_gui.qt.project_files import ProjectFiles
from audioclass_gui.qt.review_actions import ReviewActions
from audioclass_gui.qt.review_controller import ReviewController
from audioclass_gui.qt.sampling_mode import SamplingController
from audioclass_gui.qt.species_panel import SpeciesPanelController
from audioclass_gui.qt.species_thresholds import SpeciesThresholdsController
from audioclass_gui.qt.spectrogram_settings import SpectrogramSettingsPanel
from audioclass_gui.qt.spectrogram_view import SpectrogramView
from audioclass_gui.qt.style import STATUS_TEXT
from audioclass_gui.qt.tasks import TaskRunner
from audioclass_gui.qt.timeline import TimelineStrip
from audioclass_gui.review import ReviewSession, Status

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

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
        self.runner = TaskRunner(max_workers=2, parent=self)
        self.info: RecordingInfo | None = None
        self.session: ReviewSession | None = None
        self.model_info: ModelInfo | None = None
        self._dialogs: list[QMessageBox] = []

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

        self.model_panel = ModelPanel(available_models())
        self.table = DetectionTable()
        self._dock(self.model_panel, "Model", Qt.DockWidgetArea.RightDockWidgetArea)
        # Side panels take the full height; the table sits under the spectrogram.
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.table.setMinimumHeight(150)
        table_dock = self._dock(self.table, "Detections", Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([table_dock], [260], Qt.Orientation.Vertical)

        # controllers
        self.undo_stack = QUndoStack(self)
        self.overlay = DetectionOverlay(self.view.plot, self)
        self.review = ReviewController(self.table, self.overlay, self.view, self.undo_stack, self)
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
        self._cursor: float | None = None  # last time clicked on the spectrogram

        self.file_label = QLabel("No recording open")
        self.play_label = QLabel()
        self.statusBar().addWidget(self.file_label, 1)
        self.statusBar().addPermanentWidget(self.play_label)
        self.play_label.setText(
            "" if self.playback.available else self.playback.reason
        )
        self.play_label.setToolTip(self.playback.reason)

        self.projects = ProjectController(self)
        self.exports = ExportController(self)
        self._build_actions()
        self._connect()
        self.review_actions = ReviewActions(self)
        self.species_panel = SpeciesPanelController(self)
        self.boxes = BoxController(self)
        self.project_files = ProjectFiles(self)
        self.sampling = SamplingController(self)
        self.species_thresholds = SpeciesThresholdsController(self)

    # ------------------------------------------------------------- layout
    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        if area == Qt.DockWidgetArea.RightDockWidgetArea:
            # Side panels scroll rather than force the window taller than the screen.
            scroll = QScrollArea()
            scroll.setWidget(widget)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setMinimumWidth(widget.sizeHint().width() + 16)
            dock.setWidget(scroll)
        else:
            dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _action(self, menu, text: str, shortcut: str | QKeySequence | None, slot, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.open_action = self._action(file_menu, "&Open recording…", QKeySequence.StandardKey.Open, self._ask_open)
        self.open_project_action = self._action(
            file_menu, "Open &folder as project…", "Ctrl+Shift+O", self._ask_open_project,
            "Review every recording of a folder; verdicts are saved as you go",
        )
        self.export_action = self._action(file_menu, "&Export review (AOEF)…", "Ctrl+E", self._ask_export)
        self.export_any_action = self._action(
            file_menu, "Export in &any format…", "Ctrl+Shift+E", self.exports.ask,
            "AOEF, Raven selection tables, Audacity labels or a verdict CSV",
        )
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        edit_menu = bar.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo])
        for action in (undo, redo):
            edit_menu.addAction(action)
            self.addAction(action)

        review = bar.addMenu("&Review")
        self.accept_action = self._action(review, "&Accept", "A", lambda: self.review.set_status(Status.ACCEPTED), "Accept the selected detection")
        self.reject_action = self._action(review, "&Reject", "R", lambda: self.review.set_status(Status.REJECTED), "Reject the selected detection")
        self.uncertain_action = self._action(review, "Mark &uncertain", "U", lambda: self.review.set_status(Status.UNCERTAIN), "Mark the selected detection uncertain")
        review.addSeparator()
        self.next_action = self._action(review, "&Next detection", "Down", lambda: self.review.step(+1))
        self.prev_action = self._action(review, "Pre&vious detection", "Up", lambda: self.review.step(-1))

        play_menu = bar.addMenu("&Playback")
        self.play_action = self._action(play_menu, "&Play / pause", "Space", self.toggle_play, "Play the selected detection; pause; resume")
        self.stop_action = self._action(play_menu, "&Stop", "Esc", self.playback.stop, "Stop playback")
        self._action(play_menu, "Play &visible range", "Shift+Space", self.play_visible, "Play what the spectrogram shows")
        self._action(play_menu, "Play from &clicked time", "Ctrl+Space", self.play_from_cursor, "Play from the time last clicked on the spectrogram")
        play_menu.addSeparator()
        for action in self.playback_bar.menu_actions():
            play_menu.addAction(action)
            self.addAction(action)

        model_menu = bar.addMenu("&Model")
        self._action(model_menu, "&Run", "Ctrl+R", lambda: self.run_model(self.model_panel.model_key))
        self._action(model_menu, "&Cancel run", None, self.inference.cancel)

        view_menu = bar.addMenu("&View")
        self._action(view_menu, "Zoom to &fit", "Ctrl+0", self.zoom_to_fit)
        self._action(view_menu, "Zoom to &selection", "Z", self.zoom_to_selection, "Show the selected time range (Shift+drag) or detection")
        self._action(view_menu, "Zoom &in", QKeySequence.StandardKey.ZoomIn, lambda: self.view.zoom_time(2.0))
        self._action(view_menu, "Zoom &out", QKeySequence.StandardKey.ZoomOut, lambda: self.view.zoom_time(0.5))
        view_menu.addSeparator()
        self._action(view_menu, "&Next page", "PgDown", lambda: self.view.page(+1), "Page forward, keeping a tenth of the view")
        self._action(view_menu, "&Previous page", "PgUp", lambda: self.view.page(-1), "Page back, keeping a tenth of the view")
        self._action(view_menu, "Pan &right", "Right", lambda: self.view.pan(+0.1))
        self._action(view_menu, "Pan &left", "Left", lambda: self.view.pan(-0.1))
        self._action(view_menu, "Go to s&tart", "Home", lambda: self.view.pan(-1e12))
        self._action(view_menu, "Go to &end", "End", lambda: self.view.pan(1e12))
        view_menu.addSeparator()
        self._action(view_menu, "Frequency zoom i&n", "Ctrl+Up", lambda: self.view.zoom_frequency(1.5))
        self._action(view_menu, "Frequency zoom o&ut", "Ctrl+Down", lambda: self.view.zoom_frequency(1 / 1.5))
        self._action(view_menu, "&Whole frequency band", "Ctrl+Shift+0", self.view.reset_frequency)
        view_menu.addSeparator()
        view_menu.addAction(self.spectrogram_dock.toggleViewAction())

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", "F1", self.show_shortcuts)
        self._action(help_menu, "&About audioclass-gui", None, self.show_about)

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
        self.view.time_clicked.connect(self._on_time_clicked)

        self.model_panel.run_requested.connect(self.run_model)
        self.model_panel.cancel_requested.connect(self.inference.cancel)
        self.model_panel.threshold_changed.connect(self.review.set_threshold)
        self.model_panel.options.problem.connect(lambda msg: self.report_error("Species list", msg))
        self.review.counts_changed.connect(self._show_counts)
        self.overlay.clicked.connect(lambda _id: self.play_selected())
        self.table.detection_activated.connect(lambda _id: self.play_selected())

        self.inference.model_loaded.connect(self._on_model_loaded)
        self.inference.predictions.connect(self._on_predictions)
        self.inference.progress.connect(self.model_panel.set_progress)
        self.inference.finished.connect(self._on_run_finished)
        self.inference.failed.connect(self._on_run_failed)

        self.playback.position_changed.connect(self.view.set_playhead)
        self.playback.position_changed.connect(self.timeline.set_playhead)
        self.playback.message.connect(lambda msg: self.statusBar().showMessage(msg, 8000))
        self.playback.position_changed.connect(self._follow_playhead)
        self.playback_bar.play_requested.connect(self.toggle_play)
        self.playback_bar.stop_requested.connect(self.playback.stop)
        self.playback_bar.options_changed.connect(lambda: self.playback.restart(self._play_options(), channel=self._play_channel()))
        self.review.selection_changed.connect(self._note_detection_selected)
        self.spectrogram_settings.params_changed.connect(self._on_display_channel)
        self.recording_opened.connect(lambda info: self.playback_bar.set_channels(info.channels))
        self.review.verdict_given.connect(self._autoplay)

    # ---------------------------------------------------------- recording
    def open_path(self, path: str | Path) -> None:
        """Open a recording; the header is read off the GUI thread."""
        path = Path(path)
        if is_project_path(path):  # a folder or a project file: review it as a project
            self.projects.open(path)
            return
        self.file_label.setText(f"Opening {path.name}…")
        self.runner.submit(lambda: read_info(path), self._on_info, lambda exc: self._on_open_failed(path, exc))

    def _ask_open(self) -> None:
        start = str(self.info.path.parent) if self.info is not None else ""
        patterns = " ".join(f"*{ext}" for ext in AUDIO_EXTENSIONS)
        path, _ = QFileDialog.getOpenFileName(
            self, "Open recording", start,
            f"Audio ({patterns});;Review project (*.jsonl);;All files (*)",
        )
        if path:
            self.open_path(path)

    def _on_open_failed(self, path: Path, exc: BaseException) -> None:
        self.file_label.setText("No recording open" if self.info is None else self._describe(self.info))
        self.report_error("Cannot open recording", str(exc))

    def _on_info(self, info: RecordingInfo) -> None:
        if self.inference.running:
            self.inference.cancel()
        self.playback.stop()
        self.info = info
        project_session = self.projects.session_for(info.path)
        if project_session is not None:  # one recording of the open project
            self.session = project_session
            self.review.set_session(self.session, recording=str(Path(info.path).absolute()))
        else:
            self.projects.close()
            self.session = ReviewSession(to_recording(info), common_name=self._common_name)
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
        self.table.source.clock = info.duration >= 600
        self.file_label.setText(self._describe(info))
        self.setWindowTitle(f"{info.path.name} — audioclass-gui")
        for warning in info.warnings:
            self.report_error("Recording has a problem", f"{info.path}: {warning}. The readable part is shown.")
        self.recording_opened.emit(info)

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

    # --------------------------------------------------------------- model
    def run_model(self, key: str) -> None:
        """Run a model over the open recording in the worker thread."""
        if self.info is None or self.session is None:
            self.report_error("No recording", "Open a recording before running a model.")
            return
        if self.inference.running:
            return
        entry = get_entry(key)
        try:
            settings = self._run_settings()
        except ValueError as exc:
            self.report_error("Invalid model options", str(exc))
            return
        self.model_panel.set_model(entry.key)
        if not self.projects.active:  # a project keeps every run's detections and verdicts
            self.session.clear()
        self.session.model_name = entry.title
        self.session.provenance = {
            "model_key": entry.key,
            "title": entry.title,
            "source": entry.source,
            "threshold_floor": THRESHOLD_FLOOR,
            "app": f"audioclass-gui {__version__}",
            "settings": settings.as_dict(),
        }
        self.model_panel.show_provenance({})
        self.model_panel.set_running(True)
        self.model_panel.status.setText(f"Running {entry.title} on {self.info.path.name}…")
        self.inference.start(
            entry.key, self.projects.recording_for(self.info.path) or self.session.recording,
            confidence_floor=THRESHOLD_FLOOR, settings=settings
        )

    def _run_settings(self):
        """The model panel's options, limited to the visible part if asked."""
        fields = {"threshold": THRESHOLD_FLOOR}
        if self.model_panel.options.range_check.isChecked() and self.info is not None:
            start, end = self.view.visible_range()
            fields.update(start=max(0.0, start), end=min(self.info.duration, end))
        return self.model_panel.run_settings(**fields)

    def _common_name(self, tag) -> str | None:
        if self.model_info is None:
            return None
        return self.model_info.common_names.get(tag.value)

    def _on_model_loaded(self, info: ModelInfo) -> None:
        self.model_info = info
        if self.session is not None:
            self.session.model_name = f"{info.name} {info.version}".strip()
            self.session.provenance.update(
                {"name": info.name, "version": info.version, "samplerate": info.samplerate,
                 "input_samples": info.input_samples, "num_classes": info.num_classes}
            )
            self.session.provenance.update(info.provenance)
        self.model_panel.show_provenance(info.provenance)

    def _on_predictions(self, predictions: list) -> None:
        if self.session is not None:
            self.session.add_predictions(predictions)

    def _on_run_finished(self, cancelled: bool, seconds: float) -> None:
        self.model_panel.set_running(False)
        self.review.refresh()
        n = len(self.review.visible())
        what = "Cancelled" if cancelled else "Finished"
        self.model_panel.progress.setFormat(f"{what} in {seconds:.1f} s")
        self.model_panel.status.setText(f"{what}: {n} detections at or above {self.review.threshold:.2f}.")
        if not cancelled and self.review.selected is None and n:
            self.review.step(+1)
        self.run_finished.emit(cancelled)

    def _on_run_failed(self, message: str) -> None:
        self.model_panel.set_running(False)
        self.model_panel.progress.setFormat("failed")
        self.model_panel.status.setText(message)
        self.report_error("Model failed", message)
        self.run_finished.emit(True)

    def _show_counts(self, counts: dict) -> None:
        if not counts:
            self.model_panel.counts.setText("")
            return
        parts = [f"{STATUS_TEXT[s] if s != Status.UNREVIEWED else 'To review'}: {n}" for s, n in counts.items()]
        self.model_panel.counts.setText(" · ".join(parts))

    # ------------------------------------------------------------ playback
    def _selected_box(self):
        """The drawn box selected since the detection was (else None): Space plays it."""
        boxes = getattr(self, "boxes", None)
        box_id = boxes.selected if boxes is not None else None
        if box_id is None or box_id == getattr(self, "_box_at_detection", None) or self.session is None:
            return None
        return self.session.box(box_id)

    def _note_detection_selected(self, detection_id) -> None:
        boxes = getattr(self, "boxes", None)
        if detection_id is not None:  # a detection was chosen: it is played from now on
            self._box_at_detection = boxes.selected if boxes is not None else None

    def _play_target(self):
        """What Space plays: the selected box if chosen last, else the selected detection."""
        box = self._selected_box()
        return box if box is not None else self.review.selected

    def _play_options(self):
        """Playback options from the bar, with the band of the selected box or detection."""
        d = self._play_target()
        return self.playback_bar.settings.options(None if d is None else (d.low_freq, d.high_freq))

    def _play_channel(self) -> int | None:
        """The channel to play (what the spectrogram shows unless chosen in the bar)."""
        channels = self.info.channels if self.info is not None else 1
        return self.playback_bar.settings.channel_for(self.spectrogram_settings.params().channel, channels)

    def _on_display_channel(self, _params) -> None:
        if self.playback.state != "stopped" and self._play_channel() != self.playback.channel:
            self.playback.restart(channel=self._play_channel())

    def _play(self, start: float, end: float) -> None:
        """Play a span of real (axis) time; a failure is reported, never raised."""
        if self.info is None:
            return
        try:
            expansion = float(self.info.metadata.time_expansion or 1.0)
            self.playback.play_span(self.info, start, end, self._play_channel(),
                                    options=self._play_options(), time_expansion=expansion)
        except Exception as exc:  # the window outlives any playback problem
            log.exception("playback")
            self.statusBar().showMessage(f"Playback failed: {exc}", 8000)

    def play_selected(self) -> None:
        """Play the selected box or detection with the context set in the Playback panel."""
        d = self._play_target()
        if d is not None:
            context = self.playback_bar.context
            self._play(d.start - context, d.end + context)

    def play_visible(self) -> None:
        """Play the time range the spectrogram shows."""
        self._play(*self.view.visible_range())

    def play_from_cursor(self) -> None:
        """Play from the time last clicked (else the left edge of the view) to the end."""
        if self.info is not None:
            start = self._cursor if self._cursor is not None else self.view.visible_range()[0]
            self._play(start, self.view.duration)

    def toggle_play(self) -> None:
        """Space: pause when playing, resume when paused, else play the selected box or detection."""
        if not self.playback.toggle_pause():
            self.play_selected()

    def _on_time_clicked(self, seconds: float) -> None:
        self._cursor = seconds
        if self.info is not None and self.playback.state != "stopped":
            self.playback.seek(seconds)

    def _follow_playhead(self, seconds: float | None) -> None:
        if seconds is not None and self.info is not None and self.playback_bar.follow:
            new = follow_range(self.view.visible_range(), seconds, self.view.duration)
            if new is not None:
                self.view.set_visible_range(*new)

    def _autoplay(self, judged_id: int) -> None:
        d = self.review.selected
        if self.playback_bar.autoplay and d is not None and d.id != judged_id:
            self.play_selected()

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
        self.statusBar().showMessage(f"Exporting to {path}…")
        # Build on the GUI thread, which owns the session; write in the pool.
        project = build_annotation_project(session)
        model_runs = build_model_runs(session)  # one per run, each with its provenance
        self.runner.submit(
            lambda: write_aoef(project, model_runs, path),
            self._on_exported,
            lambda exc: self.report_error("Export failed", f"{path}: {exc}"),
        )

    def _on_exported(self, result) -> None:
        runs = result.model_run_paths or (result.model_run_path,)
        also = runs[0].name if len(runs) == 1 else f"{len(runs)} model runs"
        self.statusBar().showMessage(f"Exported {result.project_path.name} and {also}", 10000)
        self.exported.emit(result)

    # -------------------------------------------------------------- errors
    def report_error(self, title: str, message: str) -> None:
        """Tell the user without blocking the window (and log to stderr)."""
        print(f"audioclass-gui: {message}", file=sys.stderr)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.finished.connect(lambda _r, b=box: self._dialogs.remove(b) if b in self._dialogs else None)
        self._dialogs.append(box)
        box.show()
        self.error_reported.emit(message)

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help › Keyboard shortcuts (non-modal)."""
        dialog = ShortcutsDialog(self.menuBar(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_about(self) -> AboutDialog:
        """Help › About: versions, the model and its licence (non-modal)."""
        key = self.model_panel.model_key
        provenance = self.session.provenance if self.session is not None else None
        html = about_html(key, self.model_panel.model_combo.currentText(), provenance)
        dialog = AboutDialog(html, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _ask_open_project(self) -> None:
        start = str(self.info.path.parent) if self.info is not None else ""
        folder = QFileDialog.getExistingDirectory(self, "Open folder as project", start)
        if folder:
            self.projects.open(folder)

    def closeEvent(self, event) -> None:
        self.inference.cancel()
        self.playback.close()
        self.inference.wait(5.0)
        self.projects.close()
        self.runner.shutdown()
        super().closeEvent(event)
