"""Docks of the main window, made one way."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QWidget

__all__ = ["add_dock"]


def add_dock(window: QMainWindow, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
    """Dock ``widget`` in ``window`` under ``title``; side panels scroll, docks move but stay.

    The dock's object name is ``dock-<title in lower case>`` (for finding it again).
    """
    dock = QDockWidget(title, window)
    dock.setObjectName(f"dock-{title.lower()}")
    if area == Qt.DockWidgetArea.RightDockWidgetArea:
        # Side panels scroll rather than force the window taller than the screen.
        scroll = QScrollArea()
        scroll.setWidget(widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(widget.sizeHint().width() + 16)
        dock.setWidget(scroll)
    else:
        dock.setWidget(widget)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
    )
    window.addDockWidget(area, dock)
    return dock
