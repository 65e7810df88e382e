"""Colours and labels shared by the widgets."""

from __future__ import annotations

from PySide6.QtGui import QColor

from audioclass_gui.review import Status

__all__ = ["STATUS_COLORS", "STATUS_TEXT", "status_color"]

#: Colour of a detection by review status (colour-blind-safe Okabe-Ito hues).
STATUS_COLORS: dict[Status, str] = {
    Status.UNREVIEWED: "#f0e442",  # yellow: still to do
    Status.ACCEPTED: "#009e73",  # bluish green
    Status.REJECTED: "#d55e00",  # vermillion
    Status.UNCERTAIN: "#56b4e9",  # sky blue
}

#: How a status reads in the table.
STATUS_TEXT: dict[Status, str] = {
    Status.UNREVIEWED: "—",
    Status.ACCEPTED: "Accepted",
    Status.REJECTED: "Rejected",
    Status.UNCERTAIN: "Uncertain",
}


def status_color(status: Status, alpha: int = 255) -> QColor:
    """The colour for ``status`` with the given opacity."""
    color = QColor(STATUS_COLORS[status])
    color.setAlpha(alpha)
    return color
