"""The verification sample's report: precision per species, shown live and exported.

:class:`SampleReporter` belongs to
:class:`~audioclass_gui.qt.reports.sampling_mode.SamplingController`: it computes
the sample's precision per species and overall with its 95 % interval,
shows it (Review › Sample report…, non-modal and live) and writes it as
CSV off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from audioclass_gui.qt.reports.sampling_banner import describe

if TYPE_CHECKING:
    from audioclass_gui.app import AppModel
    from audioclass_gui.formats.sample_report import SampleReport
    from audioclass_gui.qt.reports.sampling_report import SampleReportDialog
    from audioclass_gui.review import ReviewSession
    from audioclass_gui.review.sample_plan import SampleSettings
    from audioclass_gui.review.sampling import ReviewQueue

__all__ = ["SampleReporter"]


class SampleReporter(QObject):
    """The report of the sample that ``current()`` gives.

    Signals
    -------
    dialog_shown(object)
        The report dialog now shown.
    report_exported(object)
        Path of a report CSV written.
    """

    dialog_shown = Signal(object)
    report_exported = Signal(object)

    def __init__(
        self,
        app: AppModel,
        window: QWidget,
        current: Callable[[], tuple[ReviewQueue | None, SampleSettings | None, ReviewSession | None]],
    ) -> None:
        super().__init__(window)
        self.app = app
        self.window = window  # the dialogs' parent
        self._current = current
        self.report_dialog: SampleReportDialog | None = None

    @property
    def queue(self) -> ReviewQueue | None:
        """The sample reported on (None before one is drawn)."""
        return self._current()[0]

    @property
    def settings(self) -> SampleSettings | None:
        """How the sample was drawn."""
        return self._current()[1]

    @property
    def _session(self) -> ReviewSession | None:
        return self._current()[2]

    def report(self) -> SampleReport | None:
        """The sample's precision per species and overall (None without a sample)."""
        from audioclass_gui.formats.sample_report import SampleReport
        from audioclass_gui.review.sampling import sample_precision

        if self.queue is None or self._session is None:
            return None
        rows = sample_precision(self._session, self.queue, overall=True)
        return SampleReport(
            tuple(rows),
            self.queue.seed,
            self.queue.per_species,
            self.queue.edges,
            self._session.species_names(),
        )

    def show_report(self) -> SampleReportDialog | None:
        """Review › Sample report…: precision from the sample (non-modal, live)."""
        from audioclass_gui.qt.reports.sampling_report import SampleReportDialog

        if self.queue is None or self._session is None:
            self.app.messages.say("Build a verification sample first (Ctrl+Shift+V).", 5000)
            return None
        if self.report_dialog is not None:
            self.report_dialog.refresh()
            self.report_dialog.raise_()
            return self.report_dialog
        dialog = SampleReportDialog(
            self._session,
            self.report,
            describe(self.queue, self.settings),
            self.ask_export,
            self.window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_: setattr(self, "report_dialog", None))
        self.report_dialog = dialog
        dialog.show()
        self.dialog_shown.emit(dialog)
        return dialog

    def ask_export(self) -> None:
        """Ask where to write the report CSV, then write it."""
        start = self._default_report_path()
        path, _ = QFileDialog.getSaveFileName(
            self.report_dialog or self.window,
            "Export sample report",
            str(start),
            "CSV (*.csv)",
        )
        if path:
            self.export_report(path)

    def export_report(self, path: str | Path) -> None:
        """Write the report CSV (built here, written atomically off the GUI thread)."""
        from audioclass_gui.formats.sample_report import write_sample_report

        report = self.report()
        if report is None:
            return
        target = Path(path)
        self.app.messages.say(f"Exporting the sample report to {target}…")
        self.app.tasks.submit(
            lambda: write_sample_report(target, report),
            self._on_exported,
            lambda exc: self.app.messages.report("Export failed", f"{target}: {exc}"),
        )

    def _on_exported(self, path: Path) -> None:
        self.app.messages.say(f"Wrote the sample report {path.name}", 8000)
        self.report_exported.emit(path)

    def _default_report_path(self) -> Path:
        document = self.app.document
        if document.folder is not None and not document.implicit:
            return document.folder / "verification-sample.csv"
        info = document.info
        return (
            Path("verification-sample.csv")
            if info is None
            else info.path.with_suffix(".sample.csv")
        )
