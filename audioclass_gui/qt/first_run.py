"""A short guide shown the first time the app starts, and from Help › Getting started.

Four steps (open, run a model, review from the keyboard, export) in a small
non-modal window that does not take the keyboard focus, so the keys it
teaches work at once in the main window. Whether it has been seen is kept
in the app's settings (:data:`SEEN_KEY`, see
:func:`audioclass_gui.qt.common.settings.open_settings`); its "Don't
show this again" box is ticked by default, so closing it once is enough.

The app shows it only when a person is at the window: never in a
``--screenshot`` or ``--export`` run (see :func:`audioclass_gui.qt.app.start_window`),
and the test suite marks it seen in its settings folder unless a test asks
for a fresh one.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QVBoxLayout,
)

from audioclass_gui.qt.common.settings import open_settings

__all__ = [
    "SEEN_KEY",
    "FirstRunGuide",
    "guide_seen",
    "guide_steps",
    "set_guide_seen",
    "show_guide",
    "show_guide_if_first_run",
]

#: Settings key: True once the guide was closed with "Don't show this again".
SEEN_KEY = "first_run/guide_seen"


def guide_seen(settings: QSettings | None = None) -> bool:
    """True if the guide should no longer open by itself at start."""
    store = settings if settings is not None else open_settings()
    return str(store.value(SEEN_KEY, "false")).lower() in ("true", "1")


def set_guide_seen(seen: bool, settings: QSettings | None = None) -> None:
    """Keep whether the guide opens by itself at the next start (``seen=False``: it does)."""
    store = settings if settings is not None else open_settings()
    store.setValue(SEEN_KEY, bool(seen))
    store.sync()


def _keys(rows: list[tuple[str, str, str]], action: str, fallback: str = "") -> str:
    """The first key of the menu action named ``action``, read from the live menus."""
    for _menu, name, keys in rows:
        if name == action:
            return keys.split(", ")[0]
    return fallback


def guide_steps(window: QMainWindow) -> list[tuple[str, str]]:
    """The guide's steps as (title, HTML text), with the keys the window really has.

    Parameters
    ----------
    window
        The main window; its menus give the shortcuts, so a changed key
        changes the guide.
    """
    from audioclass_gui.qt.help_dialogs import shortcut_rows

    rows = shortcut_rows(window.menuBar())

    def key(action: str) -> str:
        found = _keys(rows, action)
        return f" (<b>{html.escape(found)}</b>)" if found else ""

    review_keys = " ".join(
        f"<b>{html.escape(_keys(rows, name, letter))}</b> {word}"
        for name, letter, word in (
            ("Accept", "A", "accept,"),
            ("Reject", "R", "reject,"),
            ("Mark uncertain", "U", "uncertain,"),
            ("Relabel (species)", "S", "another species."),
        )
    )
    return [
        ("Open a recording or a folder",
         f"<i>File › Open recording…</i>{key('Open recording')} or <i>Open folder as "
         f"project…</i>{key('Open folder as project')}. Started without a file, the app shows its "
         "demo: a real 10-second field recording with three warblers."),
        ("Run a model",
         f"In the <i>Model</i> panel pick BirdNET v2.4 and press <i>Run</i>{key('Run')}. "
         "Detections appear as boxes on the spectrogram and rows in the table; the "
         "threshold slider hides the weak ones."),
        ("Review from the keyboard",
         f"Select a detection (click its label to hear it), then press {review_keys} "
         "The next detection is selected, and every verdict is saved at once."),
        ("Export",
         f"<i>File › Export review (AOEF)…</i>{key('Export review (AOEF)')} or <i>Export in "
         f"any format…</i>{key('Export in any format')}: AOEF, Raven, Audacity or CSV. "
         f"All the keys: <i>Help › Keyboard shortcuts</i>{key('Keyboard shortcuts')}."),
    ]


class FirstRunGuide(QDialog):
    """The getting-started guide: a few numbered steps and a "Don't show again" box.

    Non-modal, and shown without taking the keyboard focus from the window.

    Parameters
    ----------
    window
        The main window the steps are read from (and the guide's parent).
    settings
        Where "seen" is kept; default the app's settings.
    """

    def __init__(self, window: QMainWindow, settings: QSettings | None = None) -> None:
        super().__init__(window)
        self._settings = settings
        self.setObjectName("first-run-guide")
        self.setWindowTitle("Getting started")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        intro = QLabel("<b>Welcome to audioclass-gui.</b> Four steps to review what a model found.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.steps: list[QLabel] = []
        for number, (title, text) in enumerate(guide_steps(window), start=1):
            label = QLabel(f"<b>{number}. {html.escape(title)}</b><br>{text}")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(label)
            self.steps.append(label)
        self.dont_show = QCheckBox("Don't show this again when the app starts")
        self.dont_show.setChecked(True)
        self.dont_show.setToolTip("Help › Getting started opens this guide at any time")
        layout.addWidget(self.dont_show)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.finished.connect(self._remember)
        self.setFixedWidth(420)

    def _remember(self, _result: int) -> None:
        set_guide_seen(self.dont_show.isChecked(), self._settings)

    def place(self) -> None:
        """Put the guide low on the right of the window's central area.

        There it covers the (still empty) right part of the detection table
        and the low frequencies, not the calls, the Model panel or the menus.
        """
        parent = self.parentWidget()
        central = parent.centralWidget() if isinstance(parent, QMainWindow) else None
        if central is None:
            return
        self.resize(self.width(), max(self.heightForWidth(self.width()), 120))  # no blank rows
        right = central.mapTo(parent, central.rect().topRight()).x()
        bottom = parent.statusBar().geometry().top() if parent.statusBar().isVisible() else parent.height()
        title_bar = 32  # move() places the frame: leave room for the window manager's title
        corner = parent.mapToGlobal(QPoint(right - self.width() - 16, bottom - self.height() - title_bar - 8))
        self.move(max(0, corner.x()), max(0, corner.y()))


def show_guide(window: QMainWindow, settings: QSettings | None = None) -> FirstRunGuide:
    """Show the guide over ``window`` (Help › Getting started); raise it if already open.

    Returns
    -------
    FirstRunGuide
        The guide, shown, non-modal.
    """
    # A closed guide is deleted when the event loop next runs: only reuse an open one.
    shown = [g for g in window.findChildren(FirstRunGuide) if g.isVisible()]
    guide = shown[0] if shown else FirstRunGuide(window, settings)
    if not shown:
        guide.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        guide.place()
    guide.show()
    guide.raise_()
    return guide


def show_guide_if_first_run(
    window: QMainWindow, settings: QSettings | None = None
) -> FirstRunGuide | None:
    """Show the guide if it was never closed with "Don't show this again".

    Returns
    -------
    FirstRunGuide or None
        The guide, or None if it was seen already.
    """
    if guide_seen(settings):
        return None
    return show_guide(window, settings)
