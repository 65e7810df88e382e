"""The main window's menu bar: File, Edit, Review, Playback, Model, View, Help.

Other controllers add their entries to these menus afterwards (found by title
with :func:`~audioclass_gui.qt.review.review_actions.find_menu`), so the menus are
built before them. Every action is also added to the window, so its shortcut
works wherever the focus is in the window.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from audioclass_gui.qt.first_run import show_guide
from audioclass_gui.review import Status

if TYPE_CHECKING:
    from audioclass_gui.qt.main_window import MainWindow

__all__ = ["add_action", "build_menus", "find_menu"]



def unique_keys(*keys: QKeySequence | QKeySequence.StandardKey) -> list[QKeySequence]:
    """Key sequences in order, each once; a standard key gives all of its bindings.

    A sequence given twice (e.g. Ctrl+Shift+Z, which is also one of the
    platform's Redo keys) would make Qt refuse it as ambiguous.
    """
    out: list[QKeySequence] = []
    for key in keys:
        found = (
            QKeySequence.keyBindings(key)
            if isinstance(key, QKeySequence.StandardKey)
            else [key]
        )
        for seq in found:
            if not seq.isEmpty() and all(seq != known for known in out):
                out.append(seq)
    return out

def find_menu(window: QMainWindow, title: str) -> QMenu:
    """The window's menu titled ``title`` (e.g. "&Review")."""
    for action in window.menuBar().actions():
        if action.text() == title and action.menu() is not None:
            return action.menu()
    return window.menuBar().addMenu(title)


def add_action(
    window: MainWindow,
    menu: QMenu,
    text: str,
    shortcut: str | QKeySequence | QKeySequence.StandardKey | None,
    slot: Callable[..., object],
    tip: str = "",
) -> QAction:
    """Add an action to ``menu`` and to ``window`` (for its shortcut).

    Parameters
    ----------
    window : MainWindow
        The window that owns the action and hears its shortcut.
    menu : QMenu
        The menu to show it in.
    text : str
        Its text, with ``&`` before the mnemonic.
    shortcut : str or QKeySequence or None
        Its key (window-wide), or None for none.
    slot : callable
        Called when the action is triggered.
    tip : str, optional
        The status-bar tip.

    Returns
    -------
    QAction
        The new action.
    """
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    menu.addAction(action)
    window.addAction(action)
    return action


def build_menus(window: MainWindow) -> None:
    """Build the window's menus; keep the actions others use as its attributes.

    Sets ``open_action``, ``open_project_action``, ``export_action``,
    ``export_any_action``, ``accept_action``, ``reject_action``,
    ``uncertain_action``, ``next_action``, ``prev_action``, ``play_action`` and
    ``stop_action`` on ``window``.

    Parameters
    ----------
    window : MainWindow
        The window, with its views, panels and controllers made.
    """
    w, act = window, partial(add_action, window)
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    w.open_action = act(
        file_menu, "&Open recording…", QKeySequence.StandardKey.Open, w._ask_open
    )
    w.open_project_action = act(
        file_menu,
        "Open &folder as project…",
        "Ctrl+Shift+O",
        w._ask_open_project,
        "Review every recording of a folder; verdicts are saved as you go",
    )
    w.export_action = act(file_menu, "&Export review (AOEF)…", "Ctrl+E", w._ask_export)
    w.export_any_action = act(
        file_menu,
        "Export in &any format…",
        "Ctrl+Shift+E",
        w.exports.ask,
        "AOEF, Raven selection tables, Audacity labels or a verdict CSV",
    )
    file_menu.addSeparator()
    act(file_menu, "&Quit", QKeySequence.StandardKey.Quit, w.close)

    edit_menu = bar.addMenu("&Edit")
    undo = w.undo_stack.createUndoAction(w, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = w.undo_stack.createRedoAction(w, "&Redo")
    redo.setShortcuts(unique_keys(QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo))
    for action in (undo, redo):
        edit_menu.addAction(action)
        w.addAction(action)

    review, rc = bar.addMenu("&Review"), w.review
    w.accept_action = act(
        review,
        "&Accept",
        "A",
        lambda: rc.set_status(Status.ACCEPTED),
        "Accept the selected detection",
    )
    w.reject_action = act(
        review,
        "&Reject",
        "R",
        lambda: rc.set_status(Status.REJECTED),
        "Reject the selected detection",
    )
    w.uncertain_action = act(
        review,
        "Mark &uncertain",
        "U",
        lambda: rc.set_status(Status.UNCERTAIN),
        "Mark the selected detection uncertain",
    )
    review.addSeparator()
    w.next_action = act(review, "&Next detection", "Down", lambda: rc.step(+1))
    w.prev_action = act(review, "Pre&vious detection", "Up", lambda: rc.step(-1))

    play_menu = bar.addMenu("&Playback")
    w.play_action = act(
        play_menu,
        "&Play / pause",
        "Space",
        w.toggle_play,
        "Play the selected detection; pause; resume",
    )
    w.stop_action = act(play_menu, "&Stop", "Esc", w.playback.stop, "Stop playback")
    act(
        play_menu,
        "Play &visible range",
        "Shift+Space",
        w.play_visible,
        "Play what the spectrogram shows",
    )
    act(
        play_menu,
        "Play from &clicked time",
        "Ctrl+Space",
        w.play_from_cursor,
        "Play from the time last clicked on the spectrogram",
    )
    play_menu.addSeparator()
    for action in w.playback_bar.menu_actions():
        play_menu.addAction(action)
        w.addAction(action)

    model_menu = bar.addMenu("&Model")
    act(model_menu, "&Run", "Ctrl+R", lambda: w.run_model(w.model_panel.model_key))
    act(model_menu, "&Cancel run", None, w.inference.cancel)

    view_menu, view = bar.addMenu("&View"), w.view
    act(view_menu, "Zoom to &fit", "Ctrl+0", w.zoom_to_fit)
    act(
        view_menu,
        "Zoom to &selection",
        "Z",
        w.zoom_to_selection,
        "Show the selected time range (Shift+drag) or detection",
    )
    act(
        view_menu,
        "Zoom &in",
        QKeySequence.StandardKey.ZoomIn,
        lambda: view.zoom_time(2.0),
    )
    act(
        view_menu,
        "Zoom &out",
        QKeySequence.StandardKey.ZoomOut,
        lambda: view.zoom_time(0.5),
    )
    view_menu.addSeparator()
    act(
        view_menu,
        "&Next page",
        "PgDown",
        lambda: view.page(+1),
        "Page forward, keeping a tenth of the view",
    )
    act(
        view_menu,
        "&Previous page",
        "PgUp",
        lambda: view.page(-1),
        "Page back, keeping a tenth of the view",
    )
    act(view_menu, "Pan &right", "Right", lambda: view.pan(+0.1))
    act(view_menu, "Pan &left", "Left", lambda: view.pan(-0.1))
    act(view_menu, "Go to s&tart", "Home", lambda: view.pan(-1e12))
    act(view_menu, "Go to &end", "End", lambda: view.pan(1e12))
    view_menu.addSeparator()
    act(view_menu, "Frequency zoom i&n", "Ctrl+Up", lambda: view.zoom_frequency(1.5))
    act(
        view_menu,
        "Frequency zoom o&ut",
        "Ctrl+Down",
        lambda: view.zoom_frequency(1 / 1.5),
    )
    act(view_menu, "&Whole frequency band", "Ctrl+Shift+0", view.reset_frequency)
    view_menu.addSeparator()
    view_menu.addAction(w.spectrogram_dock.toggleViewAction())

    help_menu = bar.addMenu("&Help")
    act(help_menu, "&Getting started", None, lambda: show_guide(w))
    act(help_menu, "&Keyboard shortcuts", "F1", w.show_shortcuts)
    act(help_menu, "&Licences", None, lambda: _show_licences(w))
    act(help_menu, "&About audioclass-gui", None, w.show_about)


def _show_licences(window: QMainWindow) -> None:
    """Help › Licences (the dialog's module loads on first use)."""
    from audioclass_gui.qt.help_dialogs import show_licences

    show_licences(window)
