"""Start the application: window, optional file, optional run and screenshot."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from audioclass_gui import __version__
from audioclass_gui.audio.demo import demo_recording_path
from audioclass_gui.qt.common.resources import app_icon

__all__ = ["AppOptions", "RunWhenShown", "create_application", "run_app", "start_window"]

#: Longest a --screenshot run may take before giving up (ms).
SCREENSHOT_TIMEOUT_MS = 30 * 60 * 1000


@dataclass(frozen=True)
class AppOptions:
    """What the command line asked the window to do."""

    path: Path | None = None
    model: str | None = None
    threshold: float | None = None
    run: bool = False
    screenshot: Path | None = None
    export: Path | None = None
    size: tuple[int, int] = (1400, 900)
    show: str | None = None
    thresholds: Path | None = None


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, with pyqtgraph configured."""
    import pyqtgraph as pg

    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [sys.argv[0]])
    app.setApplicationName("audioclass-gui")
    app.setOrganizationName("audioclass-gui")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    app.setDesktopFileName("audioclass-gui")
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    return app  # type: ignore[return-value]


class RunWhenShown(QObject):
    """Starts the chosen model once the window first shows a recording (``--run``).

    Signals
    -------
    started()
        The run was started.
    """

    started = Signal()

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        window.view.detail_painted.connect(self._on_painted)

    def _on_painted(self) -> None:
        window = self.window
        window.view.detail_painted.disconnect(self._on_painted)
        window.run_model(window.model_panel.model_key)
        self.started.emit()


class _ScreenshotDriver:
    """Waits until the window shows what was asked, saves it, and quits."""

    def __init__(self, window, options: AppOptions, app: QApplication) -> None:
        self.window = window
        self.options = options
        self.app = app
        self.exit_code = 0
        self._painted = False
        self._run_done = not options.run
        self._started = False
        self._export_state = "wanted" if options.export is not None else "none"
        self._target = window  # what the screenshot grabs
        if options.run:
            RunWhenShown(window).started.connect(self._on_run_started)
        window.view.detail_painted.connect(self._on_painted)
        window.app.run.finished.connect(self._on_run_done)
        window.error_reported.connect(self._on_error)
        window.exported.connect(self._on_exported)
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, self._timeout)

    def _on_run_started(self) -> None:
        self._started = True

    def _on_painted(self) -> None:
        self._painted = True
        self._maybe_finish()

    def _on_run_done(self, cancelled: bool) -> None:
        self._run_done = True
        if cancelled:
            self.exit_code = 1
        self._maybe_finish()

    def _on_error(self, message: str) -> None:
        self.exit_code = 1
        if self.window.info is None or not self._run_done or self._export_state == "running":
            # Nothing useful to show: the file did not open, the model or the export failed.
            self._save_and_quit()

    def _on_exported(self, _result) -> None:
        self._export_state = "done"
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        if not (self._painted and self._run_done):
            return
        if self._export_state == "wanted":
            self._export_state = "running"
            assert self.options.export is not None
            self.window.export_to(self.options.export)
            return
        if self._export_state != "running":
            self._show_asked()
            # Let the last tile, the overlays and any panel be painted before grabbing.
            QTimer.singleShot(600, self._save_and_quit)

    def _show_asked(self) -> None:
        """Bring forward what ``--show`` names; dialogs are grabbed on their own."""
        window, show = self.window, self.options.show
        if show == "species":
            _show_busiest_species(window)
        elif show == "precision":
            dialog = window.review_actions.show_precision()
            if dialog is not None:
                dialog.resize(1280, 660)
                # Plot the species with the most verdicts (one reaching the target first).
                best = max(dialog.species_rows, default=None,
                           key=lambda t: (t.threshold is not None, t.reviewed))
                if best is not None:
                    dialog.select_species(best.scientific_name)
                self._target = dialog
        elif show == "shortcuts":
            self._target = window.show_shortcuts()
        elif show == "about":
            self._target = window.show_about()

    def _save_and_quit(self) -> None:
        out = self.options.screenshot
        if out is None:
            self.app.exit(self.exit_code)
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        if not self._target.grab().save(str(out)):
            print(f"audioclass-gui: {out}: could not save the screenshot", file=sys.stderr)
            self.exit_code = 1
        else:
            print(f"audioclass-gui: screenshot saved to {out}", file=sys.stderr)
        self.app.exit(self.exit_code)

    def _timeout(self) -> None:
        print("audioclass-gui: timed out waiting for the window before the screenshot", file=sys.stderr)
        self.exit_code = 1
        self._save_and_quit()


def _show_busiest_species(window) -> None:
    """Raise the species panel and list the species with the most detections."""
    species = window.species_panel
    window.species_dock.raise_()
    species.refresh()
    if window.session is None:
        return
    summaries = window.session.species_summary(window.review.threshold_filter())
    busiest = max(summaries, key=lambda s: s.detections, default=None)
    if busiest is not None and busiest.detections:
        species.panel.choose_species(busiest.scientific_name)  # applies the filter


def run_app(options: AppOptions) -> int:
    """Show the main window and run the event loop.

    Returns
    -------
    int
        The process exit code.
    """

    headless = (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )
    if headless and (options.screenshot is not None or options.export is not None):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif headless and not os.environ.get("QT_QPA_PLATFORM"):
        print(
            "audioclass-gui: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). "
            "Start it from a desktop session, under 'xvfb-run', or use --screenshot OUT.png "
            "to render the window without a screen.",
            file=sys.stderr,
        )
        return 2
    app = create_application()
    started = start_window(options)
    if isinstance(started, int):
        return started
    window, driver = started
    code = app.exec()
    _tear_down(window, app)
    return driver.exit_code if driver is not None else code


def start_window(options: AppOptions):
    """Show the main window as ``options`` ask: a file, a model, a run, a screenshot.

    Returns
    -------
    (MainWindow, driver or None) or int
        The window and the screenshot/export driver; an exit code if an
        option is wrong.
    """
    from audioclass_gui.qt.common.tasks import preload
    from audioclass_gui.qt.main_window import MainWindow

    # superqt, soundevent, pyarrow: imported in one thread once the window has
    # painted; background jobs asked for before then wait for it.
    preload(after_events=True)
    app = QApplication.instance()
    window = MainWindow()
    window.resize(*options.size)
    if options.model is not None and not window.model_panel.set_model(options.model):
        from audioclass_gui.models import available_models

        window.model_panel.add_entries(available_models())  # a plugin, asked for by name
    if options.model is not None and not window.model_panel.set_model(options.model):
        print(f"audioclass-gui: unknown model {options.model!r}", file=sys.stderr)
        return 2
    if options.threshold is not None:
        window.model_panel.set_threshold(options.threshold)
    if options.thresholds is not None:  # read in the task runner; a bad file is reported
        window.species_thresholds.load(options.thresholds)
    playback = window.playback

    def say_playback() -> None:  # once PortAudio has been looked at, after the window shows
        if not playback.available:
            print(f"audioclass-gui: {playback.reason}", file=sys.stderr)

    playback.check_output(say_playback)
    driver = None
    if options.screenshot or options.export:
        driver = _ScreenshotDriver(window, options, app)
    elif options.run:
        RunWhenShown(window)
    window.show()
    if options.path is not None:
        window.open_path(options.path)
    else:
        window.file_label.setText("Preparing the demo recording…")
        window.runner.submit(demo_recording_path, window.open_path,
                             lambda exc: window.report_error("Demo recording", str(exc)))
    if driver is None:  # a person is at the window (no --screenshot/--export): greet them once
        from audioclass_gui.qt.first_run import show_guide_if_first_run

        show_guide_if_first_run(window)
    return window, driver


def _tear_down(window, app: QApplication) -> None:
    """Destroy the window while Python and Qt are both still alive.

    Left to interpreter shutdown, the window's C++ side was destroyed after
    parts of Python it calls back into, and the process crashed on exit
    (SIGSEGV in about 4 of 10 runs).
    """
    import shiboken6

    window.close()  # stops the inference worker, playback and thread pools
    app.processEvents()
    if shiboken6.isValid(window):
        shiboken6.delete(window)
    app.processEvents()
