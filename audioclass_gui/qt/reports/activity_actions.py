"""The Reports menu's Activity… entry: one activity window per main window.

The window's module (and with it pyarrow, the store's queries and
pyqtgraph's exporters) is imported when the entry is first used, not while
the main window is being built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow, QMenu

if TYPE_CHECKING:
    from audioclass_gui.app import AppModel
    from audioclass_gui.qt.reports.activity_window import ActivityWindow

__all__ = ["ActivityReports", "reports_menu"]


def reports_menu(window: QMainWindow) -> QMenu:
    """The window's "&Reports" menu, made before "&Help" when missing."""
    bar = window.menuBar()
    before = None
    for action in bar.actions():
        if action.menu() is not None and action.text() == "&Reports":
            return action.menu()
        if action.text() == "&Help":
            before = action
    menu = QMenu("&Reports", bar)
    if before is None:
        bar.addMenu(menu)
    else:
        bar.insertMenu(before, menu)
    return menu


class ActivityReports(QObject):
    """Reports › Activity…: opens (or raises) the activity window of the open project.

    Attributes
    ----------
    action : QAction
        The menu entry.
    window : ActivityWindow or None
        The activity window while it is open.
    """

    def __init__(self, app: AppModel, main: QMainWindow) -> None:
        super().__init__(main)
        self.app, self.main = app, main
        self.window: ActivityWindow | None = None
        self.action = reports_menu(main).addAction("&Activity per day and hour…")
        self.action.setStatusTip(
            "Charts of detections or accepted verdicts per day and per hour of day, by species "
            "and site"
        )
        self.action.triggered.connect(self.open)
        main.addAction(self.action)

    def open(self) -> ActivityWindow | None:
        """Show the activity window (None, said, when no project is open)."""
        if self.app.document.session is None:
            self.app.messages.say("Open a project (or a recording) first.", 5000)
            return None
        if self.window is None:
            from audioclass_gui.qt.reports.activity_window import ActivityWindow

            self.window = ActivityWindow(self.app, self.main)
            self.window.destroyed.connect(self._forget)
            self.window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        return self.window

    def _forget(self, *_args) -> None:
        self.window = None
