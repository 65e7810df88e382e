"""The line above the detection list while it shows a learning list (matches, least-sure windows)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

__all__ = ["SimilarBanner"]


class SimilarBanner(QFrame):
    """ "Similar to Song Thrush at rec.wav 0:12 — 100 matches: 3 reviewed  [Matches 100] [Back to the list]".

    Signals
    -------
    back_requested()
        "Back to the list" was pressed.
    """

    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("similar-banner")
        self.setStyleSheet(
            "#similar-banner { background: #dceeff; border: 1px solid #5b9bd5; border-radius: 3px; }"
            " #similar-banner QLabel { color: #10304f; }"
        )
        self.label = QLabel()
        font = self.label.font()
        font.setBold(True)
        self.label.setFont(font)
        self.detail = QLabel()
        self.k = QSpinBox()
        self.k.setRange(1, 10_000)
        self.k.setValue(100)
        self.k.setPrefix("Find similar lists ")
        self.k.setSuffix(" matches")
        self.k.setToolTip("How many of the most similar windows Find similar (F) lists")
        self.back_button = QPushButton("Back to the list")
        for w in (self.k, self.back_button):
            w.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # review keys stay with the window
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 4, 3)
        layout.addWidget(self.label)
        layout.addWidget(self.detail, 1)
        layout.addWidget(self.k)
        layout.addWidget(self.back_button)
        self.back_button.clicked.connect(self.back_requested)
        self.hide()

    def show_list(self, description: str, reviewed: int, total: int) -> None:
        """Say what is listed and how far its review is."""
        self.label.setText(description)
        self.detail.setText(f"{reviewed} of {total} reviewed")
        self.show()

    def text(self) -> str:
        """The banner as one line."""
        return " — ".join(t for t in (self.label.text(), self.detail.text()) if t)
