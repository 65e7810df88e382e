"""Sample mode: the detection list becomes a verification sample's review queue.

Review › Verification sample… (Ctrl+Shift+V) asks how to draw the sample
(:class:`~audioclass_gui.qt.reports.sampling_dialog.SamplingDialog`) and builds the
queue. In sample mode the table and the overlays list exactly the queue's
detections in queue order (species by name, random order within a species),
a banner above the table says how far the review of the sample is, and
after each verdict the selection moves to the next unreviewed detection of
the queue, opening its recording when it is in another one of the project.
"Leave sample" (or choosing a filter in the Species panel) restores the
list. In a project the sample is kept with the project, so reopening it
resumes the sample and its progress. Review › Sample report… shows the
precision per species with its 95 % interval, live, and exports it as CSV
(:class:`~audioclass_gui.qt.reports.sampling_report_actions.SampleReporting`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QVBoxLayout, QWidget

from audioclass_gui.qt.menus import add_action, find_menu
from audioclass_gui.qt.reports.sampling_banner import SampleBanner, describe
from audioclass_gui.qt.reports.sampling_report_actions import SampleReporter
from audioclass_gui.review import Status

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from audioclass_gui.app import AppModel
    from audioclass_gui.formats.sample_report import SampleReport
    from audioclass_gui.qt.reports.sampling_dialog import SamplingDialog
    from audioclass_gui.qt.reports.sampling_report import SampleReportDialog
    from audioclass_gui.qt.review.detection_table import DetectionTable
    from audioclass_gui.qt.review.review_controller import ReviewController
    from audioclass_gui.qt.review.species_panel import SpeciesPanelController
    from audioclass_gui.review import ReviewSession
    from audioclass_gui.review.sample_plan import SampleSettings
    from audioclass_gui.review.sampling import ReviewQueue

__all__ = ["SamplingController"]


class SamplingController(QObject):
    """Builds verification samples and runs the list's sample mode.

    Attributes
    ----------
    queue : ReviewQueue or None
        The current sample (shown or not).
    settings : SampleSettings or None
        How it was drawn.

    Signals
    -------
    mode_changed(bool)
        Sample mode was entered (True) or left (False).
    dialog_shown(object)
        The settings dialog or the report was opened (non-modal).
    report_exported(object)
        Path of a report CSV written.
    """

    mode_changed = Signal(bool)
    dialog_shown = Signal(object)
    report_exported = Signal(object)

    def __init__(
        self,
        app: AppModel,
        review: ReviewController,
        table: DetectionTable,
        window: QMainWindow,
        species: SpeciesPanelController | None = None,
    ) -> None:
        super().__init__(window)
        self.app = app
        self.window = window  # menus, dialogs and the Detections dock live there
        self.review = review
        self._table = table
        self._species = species
        self.queue: ReviewQueue | None = None
        self.settings: SampleSettings | None = None
        self.dialog: SamplingDialog | None = None
        self.reporter = SampleReporter(app, window, lambda: (self.queue, self.settings, self._session))
        self.reporter.dialog_shown.connect(self.dialog_shown.emit)
        self.reporter.report_exported.connect(self.report_exported.emit)
        self._session: ReviewSession | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._resume_on_open = False

        # Another list put in its place (Find similar's matches): the sample steps aside.
        app.review.listing_changed.connect(self._on_listing)
        self.banner = SampleBanner()
        dock = window.findChild(QDockWidget, "dock-detections")
        if dock is not None and dock.widget() is table:
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.setSpacing(2)
            layout.addWidget(self.banner)
            layout.addWidget(table, 1)
            dock.setWidget(box)
        self.banner.leave_requested.connect(self.leave)
        self.banner.report_requested.connect(self.show_report)

        menu = find_menu(window, "&Review")
        menu.addSeparator()
        self.sample_action = add_action(
            window,
            menu,
            "Verification &sample…",
            "Ctrl+Shift+V",
            self.ask,
            "Review N detections per species spread over score bins; precision with a confidence interval",
        )
        self.report_action = add_action(
            window,
            menu,
            "Sample &report…",
            None,
            self.show_report,
            "Precision per species from the verification sample, with its 95 % interval",
        )
        self.leave_action = add_action(
            window,
            menu,
            "&Leave verification sample",
            None,
            self.leave,
            "List the detections as before the sample",
        )
        self.leave_action.setEnabled(False)

        app.recording_opened.connect(self._on_recording_opened)
        app.document.events.project.connect(self._on_project_opened)
        if species is not None:
            species.panel.filter_changed.connect(self._on_filter_changed)

    # ------------------------------------------------------------ report
    def report(self) -> SampleReport | None:
        """The sample's precision per species and overall (see :class:`SampleReporter`)."""
        return self.reporter.report()

    def show_report(self) -> SampleReportDialog | None:
        """Review › Sample report…: precision from the sample (non-modal, live)."""
        return self.reporter.show_report()

    def export_report(self, path: str | Path) -> None:
        """Write the report CSV off the GUI thread."""
        self.reporter.export_report(path)

    # ------------------------------------------------------------ state
    @property
    def active(self) -> bool:
        """True while the list shows the sample (not another list, such as Find similar's)."""
        return self.queue is not None and self.review.queue is self.queue

    def progress(self) -> tuple[int, int]:
        """(reviewed, total) detections of the sample."""
        if self.queue is None or self._session is None:
            return 0, 0
        rows = self.queue.detections(self._session)
        done = sum(self._session.status(d.id) is not Status.UNREVIEWED for d in rows)
        return done, len(rows)

    # ------------------------------------------------------------ dialog
    def ask(self) -> SamplingDialog | None:
        """Review › Verification sample…: the settings dialog (non-modal)."""
        from audioclass_gui.qt.reports.sampling_dialog import SamplingDialog

        session = self.app.document.session
        if session is None or not len(session):
            self.app.messages.say("Run a model or open a project with detections first.", 5000)
            return None
        panel = self._species
        chosen = panel.panel.species.currentData() if panel is not None else None
        resume = None
        if self.queue is not None and self._session is session and not self.active:
            done, total = self.progress()
            resume = f"Resume sample ({done} of {total} reviewed)"
        dialog = SamplingDialog(
            session,
            threshold=self.review.threshold,
            panel_species=chosen,
            names=session.species_names(),
            resume_text=resume,
            parent=self.window,
        )
        if self.settings is not None and self._session is session:
            dialog.per_species.setValue(self.settings.per_species)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sample_requested.connect(self.build)
        dialog.resume_requested.connect(self.resume)
        dialog.destroyed.connect(lambda *_: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.show()
        self.dialog_shown.emit(dialog)
        return dialog

    def build(self, settings: SampleSettings) -> ReviewQueue | None:
        """Draw a sample with ``settings`` and review it (kept with a project)."""
        from audioclass_gui.project.sample_store import save_sample

        session = self.app.document.session
        if session is None:
            return None
        queue = settings.draw(session)
        if not len(queue):
            self.app.messages.say("The sample is empty: no detections match.", 8000)
            return None
        self.queue, self.settings, self._session = queue, settings, session
        self._persist(
            lambda project: save_sample(project, queue, settings, active=True)
        )
        self.enter()
        self.window.activateWindow()
        return queue

    def resume(self) -> None:
        """Show the current sample again."""
        from audioclass_gui.project.sample_store import set_sample_active

        if self.queue is not None and self._session is self.app.document.session:
            self._persist(lambda project: set_sample_active(project, True))
            self.enter()
            self.window.activateWindow()

    # ------------------------------------------------------------ mode
    def enter(self, *, select: bool = True) -> None:
        """List the sample; select its next unreviewed detection."""
        if (
            self.queue is None
            or self._session is None
            or self._session is not self.review.session
        ):
            return
        was_active = self.active
        if not was_active:
            header = self._table.horizontalHeader()
            self._sort = (header.sortIndicatorSection(), header.sortIndicatorOrder())
            self._session.status_changed.connect(self._on_status)
            self._session.cleared.connect(self._on_cleared)
        self.app.review.set_queue(self.queue)  # said: another list (Find similar's) steps aside
        self._unsort()  # the queue's order
        self.banner.setToolTip(describe(self.queue, self.settings))
        self.banner.show()
        self.leave_action.setEnabled(True)
        self._update_banner()
        if select:
            current = self.review.selected
            in_queue = current is not None and current.id in set(self.queue.ids)
            if (
                not in_queue
                or self._session.status(current.id) is not Status.UNREVIEWED
            ):
                target = self.queue.next_unreviewed(self._session)
                if target is None and self.queue.ids:
                    target = self.queue.ids[0]
                if target is not None and (not in_queue or target != current.id):
                    self.review.select(target)
        if not was_active:
            self.mode_changed.emit(True)

    def _unsort(self) -> None:
        """Show the rows in the order given (the queue's), not sorted by a column."""
        self._table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)

    def leave(self, *, remember: bool = True) -> None:
        """Back to the list as it was before the sample (the sample is kept)."""
        from audioclass_gui.project.sample_store import set_sample_active

        if not self.active and not self.banner.isVisible():
            return
        self._stop_watching()
        self.review.queue = None
        if self._sort is not None:
            self._table.sortByColumn(*self._sort)
            self._sort = None
        self.banner.hide()
        self.leave_action.setEnabled(False)
        if self.review.session is not None:
            self.review.refresh()
        if remember:
            self._persist(lambda project: set_sample_active(project, False))
        self.mode_changed.emit(False)

    def _on_listing(self) -> None:
        """The list changed: if another queue replaced the sample's, the sample is no longer shown."""
        from audioclass_gui.project.sample_store import set_sample_active

        if not self.banner.isVisible() or self.app.review.queue is self.queue:
            return
        self._stop_watching()
        self._sort = None  # the other list keeps the table's order; leaving it restores it
        self.banner.hide()
        self.leave_action.setEnabled(False)
        self._persist(lambda project: set_sample_active(project, False))
        self.mode_changed.emit(False)

    def _stop_watching(self) -> None:
        if self._session is not None:
            self._session.status_changed.disconnect(self._on_status)
            self._session.cleared.disconnect(self._on_cleared)

    def _update_banner(self) -> None:
        done, total = self.progress()
        remaining = total - done
        self.banner.set_progress(
            done,
            total,
            "all reviewed: see the report"
            if total and not remaining
            else f"{remaining} to go",
        )

    # ------------------------------------------------------------ events
    def _persist(self, write) -> None:
        project = self.app.document.project
        if project is None or project.session is not self._session or project.read_only:
            return
        try:
            write(project)
        except (OSError, ValueError, PermissionError) as exc:
            self.app.messages.report(
                "Sample not saved", f"The verification sample was not saved: {exc}"
            )

    def _on_status(self, _ids) -> None:
        self._update_banner()

    def _on_cleared(self) -> None:
        # A new run replaced the detections (outside a project): the sample is gone.
        self.leave(remember=False)
        self.queue, self.settings, self._session = None, None, None
        self.app.messages.say("The detections changed: the verification sample was closed.", 8000)

    def _on_filter_changed(self) -> None:
        if self.active:
            self.leave()
            self.app.messages.say("Left the verification sample (Ctrl+Shift+V resumes it).", 8000)

    def _on_project_opened(self, project) -> None:
        from audioclass_gui.project.sample_store import load_sample

        self._resume_on_open = False
        if project is None:
            return
        saved = load_sample(project)
        if saved is None:
            return
        self.leave(remember=False)
        self.queue, self.settings, self._session = (
            saved.queue,
            saved.settings,
            project.session,
        )
        self._resume_on_open = saved.active

    def _on_recording_opened(self, _info) -> None:
        session = self.app.document.session
        if self._session is not None and session is not self._session:
            # Another review (a recording outside the project, another project).
            self.leave(remember=False)
            self.queue, self.settings, self._session = None, None, None
            return
        if self._resume_on_open:
            self._resume_on_open = False
            self.enter()
        elif self.active:
            self._update_banner()
        elif self.banner.isVisible():  # set_session dropped the queue
            self.leave(remember=False)
