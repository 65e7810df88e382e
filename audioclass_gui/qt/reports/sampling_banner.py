"""The banner above the detection list in sample mode, and a sample described in words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

if TYPE_CHECKING:
    from audioclass_gui.review.sample_plan import SampleSettings
    from audioclass_gui.review.sampling import ReviewQueue

__all__ = ["SampleBanner", "describe"]


class SampleBanner(QFrame):
    """The line above the detection list in sample mode.

    Signals
    -------
    leave_requested(), report_requested()
    """

    leave_requested = Signal()
    report_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sample-banner")
        self.setStyleSheet(
            "#sample-banner { background: #fff3c4; border: 1px solid #d9b600; border-radius: 3px; }"
            " #sample-banner QLabel { color: #3d3200; }"
        )
        self.label = QLabel()
        font = self.label.font()
        font.setBold(True)
        self.label.setFont(font)
        self.detail = QLabel()
        self.report_button = QPushButton("Report")
        self.leave_button = QPushButton("Leave sample")
        for button in (self.report_button, self.leave_button):
            button.setFocusPolicy(
                Qt.FocusPolicy.NoFocus
            )  # review keys stay with the window
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 4, 3)
        layout.addWidget(self.label)
        layout.addWidget(self.detail, 1)
        layout.addWidget(self.report_button)
        layout.addWidget(self.leave_button)
        self.report_button.clicked.connect(self.report_requested)
        self.leave_button.clicked.connect(self.leave_requested)
        self.hide()

    def set_progress(self, reviewed: int, total: int, detail: str = "") -> None:
        """ "Verification sample: 37 of 120 reviewed"."""
        self.label.setText(f"Verification sample: {reviewed} of {total} reviewed")
        self.detail.setText(detail)

    def text(self) -> str:
        """The banner as one line (label, detail and the Leave button)."""
        parts = [self.label.text(), self.detail.text(), self.leave_button.text()]
        return " — ".join(p for p in parts if p)


def describe(queue: ReviewQueue, settings: SampleSettings | None) -> str:
    """How a sample was drawn, in words (for the banner's tooltip and the report)."""
    edges = ", ".join(f"{e:.3g}" for e in queue.edges)
    text = f"{queue.per_species} per species, score bins {edges}, seed {queue.seed}"
    if settings is not None:
        text += f"; detections scoring ≥ {settings.min_score:.3g}"
        if not settings.include_reviewed:
            text += " not yet reviewed when drawn"
    return text
