"""Boxes for calls the model missed: B, drag, tag with the picker; move; Delete; undo; durable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from audioclass_gui.project import ReviewProject
from audioclass_gui.qt.main_window import MainWindow
from tests.conftest import open_main_window, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")



@pytest.fixture
def folder(tmp_path: Path, reviewer_settings) -> Path:
    reviewer_settings("Eve")
    root = tmp_path / "site"
    root.mkdir()
    write_calls(root / "a.wav")
    return root


def screen_point(win: MainWindow, seconds: float, hz: float) -> QPoint:
    """Where a time and frequency are on the spectrogram's viewport."""
    scene = win.view.viewbox.mapViewToScene(QPointF(seconds, hz))
    return win.view.mapFromScene(scene)


def test_draw_tag_move_delete_box(qtbot, folder: Path):
    win = open_main_window(qtbot, folder)
    qtbot.waitUntil(lambda: win.view.painted_range is not None, timeout=10_000)
    win.session.set_common_names({"Sylvia atricapilla": "Eurasian Blackcap"})
    win.activateWindow()

    # B, then drag from (5.2 s, 5 kHz) to (6.0 s, 7 kHz) around the 6 kHz call.
    qtbot.keyClick(win, Qt.Key.Key_B)
    assert win.boxes.drawing
    viewport = win.view.viewport()
    a, b = screen_point(win, 5.2, 5000), screen_point(win, 6.0, 7000)
    with qtbot.waitSignal(win.boxes.picker_shown, timeout=2_000) as shown:
        qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
        qtbot.mouseMove(viewport, b)
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)
    assert not win.boxes.drawing
    picker = shown.args[0]
    qtbot.keyClicks(picker.search, "blackcap")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    (box,) = win.session.boxes()
    assert box.scientific_name == "Sylvia atricapilla"
    assert box.start == pytest.approx(5.2, abs=0.05) and box.end == pytest.approx(
        6.0, abs=0.05
    )
    assert box.low_freq == pytest.approx(
        5000, abs=150
    ) and box.high_freq == pytest.approx(7000, abs=150)
    qtbot.waitUntil(lambda: box.id in win.boxes.rois, timeout=2_000)
    # Durable at once.
    with ReviewProject.open(folder, read_only=True) as disk:
        assert [b.scientific_name for b in disk.session.boxes()] == [
            "Sylvia atricapilla"
        ]

    # Moving the rectangle moves the box (one undoable edit).
    roi = win.boxes.rois[box.id]
    roi.setPos((5.5, box.low_freq), finish=True)
    qtbot.waitUntil(
        lambda: win.session.box(box.id).start == pytest.approx(5.5), timeout=2_000
    )
    assert win.session.box(box.id).end == pytest.approx(5.5 + (box.end - box.start))

    # Select it and press Delete; Ctrl+Z brings it back where it was moved to.
    qtbot.waitUntil(lambda: box.id in win.boxes.rois, timeout=2_000)
    win.boxes.select(box.id)
    qtbot.keyClick(win, Qt.Key.Key_Delete)
    assert win.session.box(box.id) is None
    qtbot.waitUntil(lambda: box.id not in win.boxes.rois, timeout=2_000)
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.session.box(box.id).start == pytest.approx(5.5)
    qtbot.waitUntil(lambda: box.id in win.boxes.rois, timeout=2_000)
    win.close()
