"""The window tells the truth: shortcuts, texts and views that follow what the review holds.

Each test drives the real window (offscreen) the way a reviewer does and
checks what is shown against what the session holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from audioclass_gui.qt.help_dialogs import shortcut_rows
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.review import Status
from tests.conftest import open_main_window

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def run_energy(qtbot, win: MainWindow) -> None:
    win.model_panel.set_model("energy")
    with qtbot.waitSignal(win.run_finished, timeout=60_000):
        win.run_model("energy")
    qtbot.waitUntil(lambda: not win.projects.run_saver.pending, timeout=20_000)


def press(qtbot, win: MainWindow, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, key, modifier)


def test_redo_works_from_its_shortcut_and_is_listed_once(qtbot, calls_wav: Path):
    win = open_main_window(qtbot, calls_wav, threshold=0.5)
    run_energy(qtbot, win)
    judged = win.review.selected
    press(qtbot, win, Qt.Key.Key_A)
    assert win.session.status(judged.id) is Status.ACCEPTED
    press(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.session.status(judged.id) is Status.UNREVIEWED
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    press(qtbot, win, Qt.Key.Key_Z, ctrl_shift)
    assert win.session.status(judged.id) is Status.ACCEPTED  # redone
    redo = [keys for menu, action, keys in shortcut_rows(win.menuBar()) if action == "Redo"]
    assert len(redo) == 1
    listed = redo[0].split(", ")
    assert len(listed) == len(set(listed))
    native = QKeySequence.SequenceFormat.NativeText
    # Ctrl+Shift+Z and every Redo key of the platform, each once (a key set
    # twice is refused by Qt as ambiguous, and listed twice).
    wanted = [QKeySequence("Ctrl+Shift+Z")] + QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    assert set(listed) == {k.toString(native) for k in wanted}
    win.close()


def test_run_from_the_command_line_starts_in_a_normal_window(qtbot, calls_wav: Path):
    from audioclass_gui.qt.app import AppOptions, start_window

    win, driver = start_window(AppOptions(path=calls_wav, model="energy", threshold=0.5, run=True))
    qtbot.addWidget(win)
    assert driver is None  # no screenshot, no export: the window stays open
    with qtbot.waitSignal(win.run_finished, timeout=60_000) as finished:
        pass
    assert finished.args == [False]
    assert win.session.run_names() and len(win.review.visible()) == 3
    win.close()


def test_dialog_labels_with_a_mnemonic_have_a_buddy(qtbot, tmp_path: Path):
    """A label with '&' and no buddy shows the '&' itself ("&To")."""
    from PySide6.QtWidgets import QLabel

    from audioclass_gui.qt.export_dialog import ExportDialog

    dialog = ExportDialog(tmp_path)
    qtbot.addWidget(dialog)
    labels = [lab for lab in dialog.findChildren(QLabel) if "&" in lab.text()]
    assert labels  # Format, To
    assert all(lab.buddy() is not None for lab in labels), [lab.text() for lab in labels]
