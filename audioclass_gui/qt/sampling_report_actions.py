"""The verification sample's report: precision per species, shown live and exported.

:class:`SampleReporting` is mixed into
:class:`~audioclass_gui.qt.sampling_mode.SamplingController`: it computes
the sample's precision per species and overall with its 95 % interval,
shows it (Review › Sample report…, non-modal and live) and writes it as
CSV off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from audioclass_gui.formats.sample_report import SampleReport, write_sample_report
from audioclass_gui.qt.sampling_banner import describe
from audioclass_gui.qt.sampling_report import SampleReportDialog
from audioclass_gui.review.sampling import sample_precision

__all__ = ["SampleReporting"]


class SampleReporting:
    """Report for a controller with ``window``, ``queue``, ``settings``,
    ``_session``, ``report_dialog`` and the signals ``dialog_shown`` and
    ``report_exported``."""

    def report(self) -> SampleReport | None:
        """The sample's precision per species and overall (None without a sample)."""
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
        if self.queue is None or self._session is None:
            self.window.statusBar().showMessage(
                "Build a verification sample first (Ctrl+Shift+V).", 5000
            )
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
        report = self.report()
        if report is None:
            return
        target = Path(path)
        self.window.statusBar().showMessage(f"Exporting the sample report to {target}…")
        self.window.runner.submit(
            lambda: write_sample_report(target, report),
            self._on_exported,
            lambda exc: self.window.report_error("Export failed", f"{target}: {exc}"),
        )

    def _on_exported(self, path: Path) -> None:
        self.window.statusBar().showMessage(
            f"Wrote the sample report {path.name}", 8000
        )
        self.report_exported.emit(path)

    def _default_report_path(self) -> Path:
        folder = self.window.projects.folder
        if folder is not None and not self.window.projects.implicit:
            return folder / "verification-sample.csv"
        info = self.window.info
        return (
            Path("verification-sample.csv")
            if info is None
            else info.path.with_suffix(".sample.csv")
        )
