"""Compute a project's embeddings on a superqt worker, with progress, cancel and failures.

The work is the app model's generator
(:meth:`~audioclass_gui.app.learning.Learning.embedding_job`): each tick it
yields reaches the GUI thread through the worker's queued ``yielded``
signal and is relayed to ``app.learning.embeddings_progress``; Cancel sets
the job's event, which the computation checks between batches. Recordings
stored stay stored, so computing again resumes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.qt.common.time_format import format_clock
from audioclass_gui.qt.common.worker_thread import ThreadWorker

if TYPE_CHECKING:
    from audioclass_gui.app.learning import Learning
    from audioclass_gui.embeddings.compute import EmbedProgress

__all__ = ["EmbeddingsDialog", "EmbeddingsWorker", "describe_progress"]


def describe_progress(p: EmbedProgress, elapsed: float) -> str:
    """ "3 of 10 recordings, 0:42:10 of 2:05:00 of audio — about 4:10 left"."""
    text = (
        f"{p.recordings_done} of {p.recordings_total} recordings, "
        f"{p.seconds_done / 3600:.2f} of {p.seconds_total / 3600:.2f} hours of audio"
    )
    if p.skipped:
        text += f" ({p.skipped} already done)"
    if p.seconds_done > 0 and p.seconds_total > p.seconds_done and elapsed > 1:
        left = elapsed * (p.seconds_total - p.seconds_done) / p.seconds_done
        text += f" — about {format_clock(left)} left"
    return text


def _run(job, cancel: threading.Event, done: threading.Event) -> Iterator[Any]:
    """The computation (worker thread): yields ticks; returns an error message or None."""
    try:
        yield from job(cancel)
    except Exception as exc:  # the window must survive anything the model raises
        return str(exc) or type(exc).__name__
    finally:
        done.set()
    return None


class EmbeddingsWorker(ThreadWorker):
    """Runs one embeddings computation at a time.

    Signals
    -------
    ended(bool, str)
        Over: cancelled, and an error that stopped it ("" when none).
    """

    ended = Signal(bool, str)

    def __init__(self, learning: Learning, parent=None) -> None:
        super().__init__(parent)
        self.learning = learning
        self.last: EmbedProgress | None = None
        self.started_at = 0.0

    def start(self) -> None:
        """Start computing the open project's missing embeddings."""
        from superqt.utils import GeneratorWorker

        job = self.learning.embedding_job()
        cancel, done = self._new_job()
        self.last, self.started_at = None, time.monotonic()
        worker = GeneratorWorker(_run, job, cancel, done)
        worker.yielded.connect(self._on_tick)
        worker.returned.connect(self._on_end)
        worker.errored.connect(lambda exc: self._on_end(str(exc)))
        self.learning.embeddings_started()
        self._launch(worker)

    def _on_tick(self, progress: EmbedProgress) -> None:
        self.last = progress
        self.learning.embeddings_progress.emit(progress)

    def _on_end(self, error: str | None) -> None:
        cancelled = self._cancel.is_set()
        self._job_over()
        self.learning.embeddings_done(self.last, cancelled)
        self.ended.emit(cancelled, error or "")


class EmbeddingsDialog(QDialog):
    """Non-modal progress of the computation: recordings, hours, time left, failures, Cancel."""

    def __init__(self, worker: EmbeddingsWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compute embeddings")
        self.worker = worker
        self.label = QLabel("Starting…")
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.failures = QListWidget()
        self.failures.hide()
        self.cancel_button = QPushButton("Cancel")
        self.close_button = QPushButton("Close")
        self.close_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.failures, 1)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(worker.cancel)
        self.close_button.clicked.connect(self.close)
        worker.learning.embeddings_progress.connect(self.show_progress)
        worker.ended.connect(self._on_end)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.resize(520, 160)

    def show_progress(self, p: EmbedProgress) -> None:
        """Show one tick."""
        total = p.seconds_total or 1.0
        self.bar.setValue(int(1000 * min(1.0, p.seconds_done / total)))
        self.label.setText(describe_progress(p, time.monotonic() - self.worker.started_at))
        if len(p.failures) != self.failures.count():
            self.failures.clear()
            self.failures.addItems([message for _name, message in p.failures])
            self.failures.setVisible(bool(p.failures))

    def _on_end(self, cancelled: bool, error: str) -> None:
        last = self.worker.last
        if error:
            self.label.setText(f"Stopped: {error}")
        elif cancelled:
            self.label.setText("Cancelled; what was computed is kept: compute again to go on.")
        elif last is not None:
            failed = len(last.failures)
            self.bar.setValue(1000)
            self.label.setText(
                f"Done: {last.recordings_done - failed} recording(s) computed"
                + (f", {last.skipped} had them already" if last.skipped else "")
                + (f"; {failed} failed (listed below)" if failed else "")
            )
        self.cancel_button.setEnabled(False)
        self.close_button.setEnabled(True)
