"""Running a model over the open recording, from the window's side.

Starts the :class:`~audioclass_gui.qt.run.inference.InferenceController` with the
model panel's options (limited to the visible part when asked), records the
run's provenance in the review session, adds the predictions as they arrive,
and shows the outcome, the failure and the verdict counts in the model panel.

The panel's texts about a run are derived, not left behind: :meth:`RunGlue.show_state`
recomputes them (see :mod:`~audioclass_gui.qt.run.run_texts`) whenever a recording
opens, the thresholds move or detections come and go, so they always describe
the recording shown and the thresholds in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject

from audioclass_gui import __version__
from audioclass_gui.app.run_state import THRESHOLD_FLOOR
from audioclass_gui.models import get_entry
from audioclass_gui.qt.common.style import STATUS_TEXT
from audioclass_gui.qt.run.run_texts import (
    RunOutcome,
    describe_loaded,
    outcome_status,
    progress_text,
)
from audioclass_gui.review import Status

if TYPE_CHECKING:
    from soundevent import data

    from audioclass_gui.app import AppModel, ModelInfo
    from audioclass_gui.models.settings import RunSettings
    from audioclass_gui.qt.project.project_dock import ProjectController
    from audioclass_gui.qt.review.detection_table import DetectionTable
    from audioclass_gui.qt.review.review_controller import ReviewController
    from audioclass_gui.qt.run.inference import InferenceController
    from audioclass_gui.qt.run.model_panel import ModelPanel
    from audioclass_gui.qt.spectrogram.spectrogram_view import SpectrogramView

__all__ = ["RunGlue", "RunParts"]


@dataclass(frozen=True)
class RunParts:
    """What a run in the window drives and follows."""

    panel: ModelPanel
    inference: InferenceController
    review: ReviewController
    view: SpectrogramView
    table: DetectionTable
    projects: ProjectController


class RunGlue(QObject):
    """The window's model runs: start one, follow it, show what it found.

    The loaded model's description is kept as ``app.document.model_info``;
    how the last run ended as :attr:`outcome`.

    Parameters
    ----------
    app : AppModel
        The app model: the open recording and session, run state, messages.
    parts : RunParts
        The model panel, inference worker and views the glue joins; it
        connects their signals when made.
    """

    def __init__(self, app: AppModel, parts: RunParts, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.parts = parts
        #: How the last run ended (None before the first one ends).
        self.outcome: RunOutcome | None = None
        self._started: tuple[str, str] | None = None  # (recording, model) of the run going
        self._provenance: dict = {}  # the running or last run's, as the model reported it
        self._counted: tuple | None = None  # what the shown count was made from
        self._provenance_shown: tuple | None = None  # (provenance, time format) shown
        self._count = 0
        panel, inference = parts.panel, parts.inference
        panel.run_requested.connect(self.run_model)
        parts.review.counts_changed.connect(self._show_counts)
        parts.review.counts_changed.connect(lambda _counts: self.show_state())
        app.review.thresholds_changed.connect(self.show_state)
        inference.model_loaded.connect(self._on_model_loaded)
        inference.predictions.connect(self._on_predictions)
        inference.progress.connect(panel.set_progress)
        inference.finished.connect(self._on_run_finished)
        inference.failed.connect(self._on_run_failed)
        app.recording_opened.connect(lambda _info: self.show_state())

    def describe_loaded(self) -> None:
        """Say in the model panel what the open review holds (see :meth:`show_state`)."""
        self.show_state()

    def show_state(self) -> None:
        """Make the panel's run texts describe the recording shown and the thresholds now.

        On the recording the last run was made on: how that run ended and how
        many detections pass the thresholds in force. On any other: the runs
        its review holds, with no progress shown. A run going keeps its own
        progress texts.
        """
        panel, session, info = self.parts.panel, self.app.document.session, self.app.document.info
        if self.app.run.running or session is None or info is None:
            return
        panel.time_format = self.parts.view.time_format
        outcome = self.outcome
        if outcome is not None and outcome.recording == str(info.path):
            review = self.parts.review
            panel.progress.setFormat(progress_text(outcome))
            panel.status.setText(
                outcome_status(
                    outcome, self._listed_count(), review.threshold, len(review.species_thresholds)
                )
            )
            self._show_provenance(self._provenance if outcome.failure is None else {})
            return
        panel.progress.setValue(0)
        panel.progress.setFormat("")
        infos = session.run_infos()
        panel.status.setText(describe_loaded([name for _key, name, _prov in infos]))
        # One run loaded: how it was made; several: the status line names them.
        provenances = [prov for _key, _name, prov in infos if prov]
        self._show_provenance(provenances[0] if len(infos) == 1 and provenances else {})

    def _show_provenance(self, provenance: dict) -> None:
        """Show a provenance, unless the panel shows it already (in the same time format)."""
        panel = self.parts.panel
        shown = (provenance, panel.time_format)
        if shown != self._provenance_shown:
            self._provenance_shown = shown
            panel.show_provenance(provenance)

    def _listed_count(self) -> int:
        """Detections of the open recording at the thresholds in force (not the filter bar's)."""
        review, session = self.parts.review, self.app.document.session
        cols = session.columns()
        key = (
            id(session), len(cols.score), review.recording, review.threshold,
            tuple(sorted(review.species_thresholds.items())),
        )  # fmt: skip
        if key != self._counted:
            f = review.threshold_filter()
            if review.recording is not None:
                f = f.replace(recordings={review.recording})
            self._counted, self._count = key, int(np.count_nonzero(f.mask(session)))
        return self._count

    def run_model(self, key: str) -> None:
        """Run a model over the open recording in the worker thread.

        Parameters
        ----------
        key : str
            The model's key in the registry.
        """
        panel, session = self.parts.panel, self.app.document.session
        if self.app.document.info is None or session is None:
            self.app.messages.report(
                "No recording", "Open a recording before running a model."
            )
            return
        if self.app.run.running:
            return
        entry = get_entry(key)
        try:
            settings = self._run_settings()
        except ValueError as exc:
            self.app.messages.report("Invalid model options", str(exc))
            return
        panel.set_model(entry.key)
        # A project keeps every run's detections; a recording on its own shows
        # the latest run only (verdicts come back on the detections found again).
        if not self.parts.projects.active or self.parts.projects.implicit:
            if not self.parts.projects.forget_runs():
                return
            session.clear()
        session.model_name = entry.title
        session.provenance = {
            "model_key": entry.key,
            "title": entry.title,
            "source": entry.source,
            "threshold_floor": THRESHOLD_FLOOR,
            "app": f"audioclass-gui {__version__}",
            "created_on": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "settings": settings.as_dict(),
        }
        panel.show_provenance({})
        self._provenance, self._provenance_shown = {}, None
        self._started = (str(self.app.document.info.path), entry.title)
        panel.set_running(True)
        self.parts.projects.run_started()
        self.app.run.start(entry.key)
        panel.status.setText(f"Running {entry.title} on {self.app.document.info.path.name}…")
        self.parts.inference.start(
            entry.key,
            self.parts.projects.recording_for(self.app.document.info.path) or session.recording,
            confidence_floor=THRESHOLD_FLOOR,
            settings=settings,
            keep_embeddings=self._embeddings_target(settings),
        )

    def _embeddings_target(self, settings: RunSettings) -> tuple[Any, str] | None:
        """Where the run keeps its embeddings: the open project's store, if asked and whole."""
        project, info = self.app.document.project, self.app.document.info
        if not self.parts.panel.options.keep_embeddings or project is None or info is None:
            return None
        if (settings.start or 0.0) > 0.0 or (
            settings.end is not None and settings.end < info.duration
        ):
            return None  # part of a recording: the store keeps whole recordings
        from audioclass_gui.app.learning import embeddings_place

        place = embeddings_place(project)
        return place.folder, place.name(info.path)

    def _run_settings(self) -> RunSettings:
        """The model panel's options, limited to the visible part if asked."""
        fields: dict[str, object] = {"threshold": THRESHOLD_FLOOR}
        if (
            self.parts.panel.options.range_check.isChecked()
            and self.app.document.info is not None
        ):
            start, end = self.parts.view.visible_range()
            fields.update(start=max(0.0, start), end=min(self.app.document.info.duration, end))
        return self.parts.panel.run_settings(**fields)

    def common_name(self, tag: data.Tag) -> str | None:
        """The loaded model's common name for a species tag (None if unknown)."""
        if self.app.document.model_info is None:
            return None
        return self.app.document.model_info.common_names.get(tag.value)

    # ------------------------------------------------------------ outcome
    def _on_model_loaded(self, info: ModelInfo) -> None:
        self.app.document.model_info = info
        session = self.app.document.session
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
        self._provenance, self._provenance_shown = dict(info.provenance), None
        self.parts.panel.show_provenance(info.provenance)

    def _on_predictions(self, predictions: list) -> None:
        if self.app.document.session is not None:
            self.app.document.session.add_predictions(predictions)

    def _on_run_finished(self, cancelled: bool, seconds: float) -> None:
        panel, review = self.parts.panel, self.parts.review
        panel.set_running(False)
        self.app.run.finish(cancelled)  # not running from here on: the texts below say so
        review.refresh()
        self._end(RunOutcome(*self._run_names(), cancelled=cancelled, seconds=seconds))
        if not cancelled and review.selected is None:
            self._select_first_in_view()

    def _on_run_failed(self, message: str) -> None:
        panel = self.parts.panel
        panel.set_running(False)
        self.app.run.finish(True)
        self._end(RunOutcome(*self._run_names(), failure=message))
        self.app.messages.report("Model failed", message)

    def _run_names(self) -> tuple[str, str]:
        """The recording and model of the run that just ended."""
        if self._started is not None:
            return self._started
        info = self.app.document.info
        return (str(info.path) if info is not None else "", self.parts.panel.model_key)

    def _end(self, outcome: RunOutcome) -> None:
        self.outcome, self._started = outcome, None
        self._counted = None  # the run changed the detections: count again
        self.show_state()

    def _select_first_in_view(self) -> None:
        """Select the first listed detection the view shows, leaving the view where it is.

        The reviewer may have paged away while the model ran: the view stays
        there (selecting the list's first detection would page back to it).
        """
        review, session = self.parts.review, self.app.document.session
        if session is None:
            return
        start, end = self.parts.view.visible_range()
        ids = self.parts.table.source.ids()
        cols = session.columns()
        local = ids - cols.first_id
        shown = ids[(cols.end[local] > start) & (cols.start[local] < end)]
        for det_id in shown.tolist():
            d = session.get(det_id)
            if review.recording is None or str(d.recording.path) == review.recording:
                review.select(det_id)
                return

    def _show_counts(self, counts: dict) -> None:
        panel = self.parts.panel
        if not counts:
            panel.counts.setText("")
            return
        parts = [
            f"{STATUS_TEXT[s] if s != Status.UNREVIEWED else 'To review'}: {n}"
            for s, n in counts.items()
        ]
        panel.counts.setText(" · ".join(parts))
