"""The progress panel of a model run over a project's recordings.

Renders a :class:`~audioclass_gui.batch.progress.RunProgress`: recordings
and audio done, speed, time left, the recordings that failed and why, and
Cancel. It owns no state of the run; the run's controller feeds it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.batch.progress import RunProgress

__all__ = ["RunProgressPanel", "audio_span", "time_left"]


def _unit(seconds: float) -> tuple[float, str]:
    if seconds >= 3600:
        return 3600.0, "h"
    if seconds >= 60:
        return 60.0, "min"
    return 1.0, "s"


def audio_span(done: float, total: float) -> str:
    """``"0.4 of 2.5 h"``: seconds of audio done and in all, in the total's unit."""
    scale, unit = _unit(total)
    digits = 0 if unit == "s" else 1
    return f"{done / scale:.{digits}f} of {total / scale:.{digits}f} {unit}"


def time_left(seconds: float | None) -> str:
    """A rough time left for people: "about 3 min", "under a minute"."""
    if seconds is None:
        return "working it out…"
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} h"


class RunProgressPanel(QWidget):
    """Recordings done / total, audio done / total, speed, time left, failures, Cancel.

    Signals
    -------
    cancel_requested()
        Cancel was pressed.
    """

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.recordings = QLabel()
        self.audio = QLabel()
        self.speed = QLabel()
        self.left = QLabel()
        form = QFormLayout()
        form.addRow("Recordings", self.recordings)
        form.addRow("Audio", self.audio)
        form.addRow("Speed", self.speed)
        form.addRow("Time left", self.left)
        self.failures_label = QLabel()
        self.failures = QListWidget()
        self.failures.setMaximumHeight(110)
        self.failures.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(
            "Stop after the current recordings' batch; finished recordings are "
            "kept, and running again resumes with the rest"
        )
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.bar)
        layout.addLayout(form)
        layout.addWidget(self.failures_label)
        layout.addWidget(self.failures)
        layout.addWidget(self.status)
        layout.addWidget(self.cancel_button)
        layout.addStretch(1)
        self.show_progress(RunProgress())

    def begin(self, title: str) -> None:
        """A new run: its title ("Energy detector on 4 recordings"); the list of failures emptied."""
        self.title.setText(title)
        self.failures.clear()
        self.status.setText("Loading the model and reading the recordings…")
        self.cancel_button.setEnabled(True)

    def show_progress(self, p: RunProgress) -> None:
        """Show the run's figures (called a few times a second while it runs)."""
        self.bar.setValue(int(round(p.fraction * 1000)))
        self.bar.setFormat(f"{p.fraction:.0%}")
        text = f"{p.done} of {p.recordings} done"
        if p.skipped:
            text += f" ({p.skipped} by an earlier run)"
        self.recordings.setText(text)
        seconds_total = p.seconds_total + p.seconds_skipped
        self.audio.setText(audio_span(p.seconds_skipped + p.seconds_done, seconds_total))
        speed = p.speed
        self.speed.setText("—" if speed is None else f"{speed:,.0f}× real time")
        self.left.setText(time_left(p.seconds_left) if p.running else "—")
        n = len(p.failures)
        self.failures_label.setText(f"Failed ({n}):" if n else "No recording failed.")
        self.failures.setVisible(bool(n))
        while self.failures.count() < n:
            path, reason = p.failures[self.failures.count()]
            name = Path(path).name if path else "(no recording)"
            item = QListWidgetItem(f"{name}: {reason}")
            item.setToolTip(f"{path}\n{reason}" if path else reason)
            self.failures.addItem(item)

    def end(self, p: RunProgress, message: str) -> None:
        """The run is over: final figures and what happened, in words."""
        self.show_progress(p)
        self.status.setText(message)
        self.cancel_button.setEnabled(False)

    def cancelling(self) -> None:
        """Cancel was pressed: say the run is stopping."""
        self.cancel_button.setEnabled(False)
        self.status.setText("Stopping after the current batch…")
