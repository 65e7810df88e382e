"""Running a model over the open recording, from the window's side.

Starts the :class:`~audioclass_gui.qt.inference.InferenceController` with the
model panel's options (limited to the visible part when asked), records the
run's provenance in the review session, adds the predictions as they arrive,
and shows the outcome, the failure and the verdict counts in the model panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from audioclass_gui import __version__
from audioclass_gui.models import get_entry
from audioclass_gui.qt.model_panel import THRESHOLD_FLOOR
from audioclass_gui.qt.style import STATUS_TEXT
from audioclass_gui.review import Status

if TYPE_CHECKING:
    from soundevent import data

    from audioclass_gui.models.settings import RunSettings
    from audioclass_gui.qt.inference import ModelInfo
    from audioclass_gui.qt.main_window import MainWindow

__all__ = ["RunGlue"]


class RunGlue(QObject):
    """The window's model runs: start one, follow it, show what it found.

    The loaded model's description is kept as ``window.model_info``.

    Parameters
    ----------
    window : MainWindow
        The window; its model panel, review and inference controller must
        exist. The glue connects their signals when made.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        panel, inference = window.model_panel, window.inference
        panel.run_requested.connect(self.run_model)
        window.review.counts_changed.connect(self._show_counts)
        inference.model_loaded.connect(self._on_model_loaded)
        inference.predictions.connect(self._on_predictions)
        inference.progress.connect(panel.set_progress)
        inference.finished.connect(self._on_run_finished)
        inference.failed.connect(self._on_run_failed)
        window.recording_opened.connect(lambda _info: self.describe_loaded())

    def describe_loaded(self) -> None:
        """Say in the model panel which runs the open review already holds."""
        window = self.window
        if window.inference.running or window.session is None:
            return
        names = sorted(set(window.session.run_names()))
        if not names:
            text = "No detections yet: pick a model and press Run."
        else:
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            text = f"Detections of {shown} are loaded. Run adds the chosen model's."
        window.model_panel.status.setText(text)

    def run_model(self, key: str) -> None:
        """Run a model over the open recording in the worker thread.

        Parameters
        ----------
        key : str
            The model's key in the registry.
        """
        window = self.window
        panel, session = window.model_panel, window.session
        if window.info is None or session is None:
            window.report_error(
                "No recording", "Open a recording before running a model."
            )
            return
        if window.inference.running:
            return
        entry = get_entry(key)
        try:
            settings = self._run_settings()
        except ValueError as exc:
            window.report_error("Invalid model options", str(exc))
            return
        panel.set_model(entry.key)
        # A project keeps every run's detections; a recording on its own shows
        # the latest run only (verdicts come back on the detections found again).
        if not window.projects.active or window.projects.implicit:
            if not window.projects.forget_runs():
                return
            session.clear()
        session.model_name = entry.title
        session.provenance = {
            "model_key": entry.key,
            "title": entry.title,
            "source": entry.source,
            "threshold_floor": THRESHOLD_FLOOR,
            "app": f"audioclass-gui {__version__}",
            "settings": settings.as_dict(),
        }
        panel.show_provenance({})
        panel.set_running(True)
        window.projects.run_started()
        panel.status.setText(f"Running {entry.title} on {window.info.path.name}…")
        window.inference.start(
            entry.key,
            window.projects.recording_for(window.info.path) or session.recording,
            confidence_floor=THRESHOLD_FLOOR,
            settings=settings,
        )

    def _run_settings(self) -> RunSettings:
        """The model panel's options, limited to the visible part if asked."""
        window = self.window
        fields: dict[str, object] = {"threshold": THRESHOLD_FLOOR}
        if (
            window.model_panel.options.range_check.isChecked()
            and window.info is not None
        ):
            start, end = window.view.visible_range()
            fields.update(start=max(0.0, start), end=min(window.info.duration, end))
        return window.model_panel.run_settings(**fields)

    def common_name(self, tag: data.Tag) -> str | None:
        """The loaded model's common name for a species tag (None if unknown)."""
        if self.window.model_info is None:
            return None
        return self.window.model_info.common_names.get(tag.value)

    # ------------------------------------------------------------ outcome
    def _on_model_loaded(self, info: ModelInfo) -> None:
        window = self.window
        window.model_info = info
        session = window.session
        if session is not None:
            session.model_name = f"{info.name} {info.version}".strip()
            session.provenance.update(
                {
                    "name": info.name,
                    "version": info.version,
                    "samplerate": info.samplerate,
                    "input_samples": info.input_samples,
                    "num_classes": info.num_classes,
                }
            )
            session.provenance.update(info.provenance)
        window.model_panel.show_provenance(info.provenance)

    def _on_predictions(self, predictions: list) -> None:
        if self.window.session is not None:
            self.window.session.add_predictions(predictions)

    def _on_run_finished(self, cancelled: bool, seconds: float) -> None:
        window = self.window
        panel, review = window.model_panel, window.review
        panel.set_running(False)
        review.refresh()
        n = len(review.visible())
        what = "Cancelled" if cancelled else "Finished"
        panel.progress.setFormat(f"{what} in {seconds:.1f} s")
        panel.status.setText(
            f"{what}: {n} detections at or above {review.threshold:.2f}."
        )
        if not cancelled and review.selected is None and n:
            review.step(+1)
        window.run_finished.emit(cancelled)

    def _on_run_failed(self, message: str) -> None:
        panel = self.window.model_panel
        panel.set_running(False)
        panel.progress.setFormat("failed")
        panel.status.setText(message)
        self.window.report_error("Model failed", message)
        self.window.run_finished.emit(True)

    def _show_counts(self, counts: dict) -> None:
        panel = self.window.model_panel
        if not counts:
            panel.counts.setText("")
            return
        parts = [
            f"{STATUS_TEXT[s] if s != Status.UNREVIEWED else 'To review'}: {n}"
            for s, n in counts.items()
        ]
        panel.counts.setText(" · ".join(parts))
