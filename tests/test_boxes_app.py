"""Drawn boxes and time intervals through the real window, as a reviewer uses them.

Draw by mouse drag (B, then drag; Shift+drag or I for a time interval), tag
with the species picker, retag with S, note with N, resize with the handles
(undo restores), selection shared exclusively with the detections, export
as BoundingBox / TimeInterval, and a reopened project shows both kinds.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from soundevent import data, io

from audioclass_gui.formats import export_all
from audioclass_gui.formats.raven import read_raven_table
from audioclass_gui.qt.main_window import MainWindow
from tests.conftest import open_main_window, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NAMES = {"Sylvia atricapilla": "Eurasian Blackcap", "Strix aluco": "Tawny Owl"}


@pytest.fixture
def folder(tmp_path: Path, reviewer_settings) -> Path:
    reviewer_settings("Eve")
    root = tmp_path / "site"
    root.mkdir()
    write_calls(root / "a.wav")
    return root


def open_folder(qtbot, folder: Path) -> MainWindow:
    """A new window with the project folder open and painted, its species named."""
    win = open_main_window(qtbot, folder)
    qtbot.waitUntil(lambda: win.view.painted_range is not None, timeout=10_000)
    win.session.set_common_names(NAMES)
    win.activateWindow()
    return win


def point(win: MainWindow, seconds: float, hz: float) -> QPoint:
    """Where a time and frequency are on the spectrogram's viewport."""
    scene = win.view.viewbox.mapViewToScene(QPointF(seconds, hz))
    return win.view.mapFromScene(scene)


def scene_point(win: MainWindow, scene: QPointF) -> QPoint:
    return win.view.mapFromScene(scene)


def drag(
    qtbot,
    win: MainWindow,
    a: QPoint,
    b: QPoint,
    modifiers=Qt.KeyboardModifier.NoModifier,
) -> None:
    """Press at ``a``, move in steps with the left button held, release at ``b``."""
    viewport = win.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, modifiers, a)
    for i in range(1, 6):
        p = QPointF(a + (b - a) * (i / 5))
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            p,
            viewport.mapToGlobal(p),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            modifiers,
        )
        QApplication.sendEvent(viewport, move)
        qtbot.wait(
            25
        )  # pyqtgraph drops mouse moves closer together than a screen refresh
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifiers, b)


def choose(qtbot, picker, text: str) -> None:
    qtbot.keyClicks(picker.search, text)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)


def draw(qtbot, win, t0, f0, t1, f1, species, *, shift=False):
    """B, drag from (t0, f0) to (t1, f1), choose ``species``; return the new box."""
    before = {b.id for b in win.session.boxes()}
    qtbot.keyClick(win, Qt.Key.Key_B)
    assert win.boxes.drawing
    mods = (
        Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    )
    with qtbot.waitSignal(win.boxes.picker_shown, timeout=2_000) as shown:
        drag(qtbot, win, point(win, t0, f0), point(win, t1, f1), mods)
    assert not win.boxes.drawing
    choose(qtbot, shown.args[0], species)
    (box,) = [b for b in win.session.boxes() if b.id not in before]
    qtbot.waitUntil(lambda: box.id in win.boxes.rois, timeout=2_000)
    return box


def click_item(qtbot, win, item, *, double=False) -> None:
    """Click (or double-click) the middle of a graphics item, as a user would."""
    p = scene_point(win, item.mapToScene(item.boundingRect().center()))
    viewport = win.view.viewport()
    if double:  # QTest's double-click lacks the last release pyqtgraph acts on
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=p)
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=p)
    else:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=p)


def test_draw_retag_note_and_undo(qtbot, folder: Path):
    win = open_folder(qtbot, folder)

    box = draw(qtbot, win, 5.2, 5000, 6.0, 7000, "blackcap")
    assert (box.scientific_name, box.is_interval) == ("Sylvia atricapilla", False)
    assert box.low_freq == pytest.approx(5000, abs=150)
    assert box.high_freq == pytest.approx(7000, abs=150)
    assert win.boxes.selected == box.id  # the new box is selected
    assert win.boxes.labels[box.id].toPlainText() == "Eurasian Blackcap"

    # S retags the selected box (not a detection); undoable.
    with qtbot.waitSignal(win.boxes.picker_shown, timeout=2_000) as shown:
        qtbot.keyClick(win, Qt.Key.Key_S)
    assert shown.args[0].first[0] == "Sylvia atricapilla"  # its tag is offered first
    choose(qtbot, shown.args[0], "tawny")
    assert win.session.box(box.id).scientific_name == "Strix aluco"
    qtbot.waitUntil(
        lambda: (
            win.boxes.labels.get(box.id) is not None
            and win.boxes.labels[box.id].toPlainText() == "Tawny Owl"
        ),
        timeout=2_000,
    )

    # N gives it a note.
    with qtbot.waitSignal(win.boxes.dialog_shown, timeout=2_000) as shown:
        qtbot.keyClick(win, Qt.Key.Key_N)
    dialog = shown.args[0]
    dialog.setTextValue("  two birds calling  ")
    dialog.accept()
    assert win.session.box(box.id).note == "two birds calling"
    qtbot.waitUntil(
        lambda: win.boxes.labels[box.id].toPlainText() == "Tawny Owl ✎", timeout=2_000
    )

    # Undo takes back the note, then the retag; redo puts the retag back.
    win.undo_stack.undo()
    assert win.session.box(box.id).note == ""
    win.undo_stack.undo()
    assert win.session.box(box.id).scientific_name == "Sylvia atricapilla"
    win.undo_stack.redo()
    assert win.session.box(box.id).scientific_name == "Strix aluco"

    # A double-click on the box opens the picker too.
    qtbot.waitUntil(lambda: box.id in win.boxes.rois, timeout=2_000)
    with qtbot.waitSignal(win.boxes.picker_shown, timeout=2_000) as shown:
        click_item(qtbot, win, win.boxes.rois[box.id], double=True)
    choose(qtbot, shown.args[0], "blackcap")
    assert win.session.box(box.id).scientific_name == "Sylvia atricapilla"

    # The right-click menu offers the same, for the box under the mouse.
    qtbot.waitUntil(lambda: box.id in win.boxes.rois, timeout=2_000)
    win.boxes.select(None)
    menu = win.boxes.rois[box.id].getMenu()
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Tag with species…",
        "Note…",
        "Delete",
    ]
    assert win.boxes.selected == box.id
    menu.actions()[-1].trigger()
    assert win.session.box(box.id) is None
    win.close()


def test_time_interval_by_shift_drag_and_by_selection(
    qtbot, folder: Path, tmp_path: Path
):
    win = open_folder(qtbot, folder)
    nyquist = win.view.nyquist

    # B, then Shift+drag: a time interval over the whole band, whatever the drag's height.
    interval = draw(qtbot, win, 1.1, 3000, 1.9, 5000, "tawny", shift=True)
    assert interval.is_interval and interval.low_freq is None
    assert (interval.start, interval.end) == (
        pytest.approx(1.1, abs=0.05),
        pytest.approx(1.9, abs=0.05),
    )
    item = win.boxes.rois[interval.id]
    assert item.bounds()[2:] == (0.0, nyquist)  # drawn over the full band
    assert item.pen.style() == Qt.PenStyle.DashLine  # and dashed, unlike a box
    assert "time interval" in win.boxes.labels[interval.id].toPlainText()

    # Dragging an interval moves it in time only; its handles change start and end.
    assert len(item.getHandles()) == 2
    centre = scene_point(win, item.mapToScene(item.boundingRect().center()))
    drag(qtbot, win, centre, point(win, 3.5, 12_000))
    qtbot.waitUntil(lambda: win.session.box(interval.id).start > 2.0, timeout=2_000)
    moved = win.session.box(interval.id)
    assert moved.is_interval and moved.end - moved.start == pytest.approx(
        interval.end - interval.start
    )
    win.undo_stack.undo()
    assert win.session.box(interval.id) == interval
    qtbot.waitUntil(
        lambda: win.boxes.rois.get(interval.id) not in (None, item), timeout=2_000
    )

    # Without B, Shift+drag still selects a time range; I then marks it as an interval.
    drag(
        qtbot,
        win,
        point(win, 9.0, 2000),
        point(win, 9.7, 2000),
        Qt.KeyboardModifier.ShiftModifier,
    )
    assert win.view.selection() == (
        pytest.approx(9.0, abs=0.05),
        pytest.approx(9.7, abs=0.05),
    )
    assert len(win.session.boxes()) == 1
    with qtbot.waitSignal(win.boxes.picker_shown, timeout=2_000) as shown:
        qtbot.keyClick(win, Qt.Key.Key_I)
    choose(qtbot, shown.args[0], "blackcap")
    assert not win.boxes.interval_action.isChecked() and not win.boxes.drawing
    second = [b for b in win.session.boxes() if b.id != interval.id][0]
    assert second.is_interval and second.start == pytest.approx(9.0, abs=0.05)
    assert win.view.selection() is None

    # Exported as TimeInterval geometry, read back by soundevent.
    with qtbot.waitSignal(win.exported, timeout=10_000) as done:
        win.export_to(tmp_path / "review.json")
    project = io.load(done.args[0].project_path, type="annotation_project")
    events = {
        se.uuid.hex: se for ca in project.clip_annotations for se in ca.sound_events
    }
    geometry = events[interval.id].sound_event.geometry
    assert isinstance(geometry, data.TimeInterval)
    assert geometry.coordinates == pytest.approx([interval.start, interval.end])
    assert [t.value for t in events[interval.id].tags] == ["Strix aluco"]
    win.close()


def _handle(item, where: tuple[float, float]):
    for h in item.handles:
        if tuple(h["pos"]) == where:
            return h["item"]
    raise AssertionError(f"no handle at {where}")


def test_resize_with_handles_move_and_undo(qtbot, folder: Path):
    win = open_folder(qtbot, folder)
    box = draw(qtbot, win, 5.2, 5000, 6.0, 7000, "blackcap")
    item = win.boxes.rois[box.id]
    assert len(item.getHandles()) == 8  # four corners, four edges
    assert all(h.isVisible() for h in item.getHandles())  # selected: handles shown

    # Drag the top-right corner up and right: end and high frequency change.
    h = _handle(item, (1.0, 1.0))
    start = scene_point(win, h.mapToScene(QPointF(0, 0)))
    drag(qtbot, win, start, point(win, 6.5, 9000))
    qtbot.waitUntil(lambda: win.session.box(box.id).end > box.end + 0.3, timeout=2_000)
    grown = win.session.box(box.id)
    assert grown.start == pytest.approx(box.start, abs=1e-6)
    assert grown.low_freq == pytest.approx(box.low_freq, abs=1e-6)
    assert grown.end == pytest.approx(
        6.5, abs=0.05
    ) and grown.high_freq == pytest.approx(9000, abs=200)

    # Then the bottom-left corner (the other edges).
    qtbot.waitUntil(
        lambda: box.id in win.boxes.rois and win.boxes.rois[box.id] is not item,
        timeout=2_000,
    )
    item = win.boxes.rois[box.id]
    h = _handle(item, (0.0, 0.0))
    drag(
        qtbot, win, scene_point(win, h.mapToScene(QPointF(0, 0))), point(win, 4.8, 3000)
    )
    qtbot.waitUntil(lambda: win.session.box(box.id).start < 5.0, timeout=2_000)
    both = win.session.box(box.id)
    assert both.start == pytest.approx(
        4.8, abs=0.05
    ) and both.low_freq == pytest.approx(3000, abs=200)
    assert both.end == pytest.approx(grown.end) and both.high_freq == pytest.approx(
        grown.high_freq
    )

    # Dragging the box moves it, keeping its length and band; it stops at the
    # end of the recording and at the Nyquist frequency.
    qtbot.waitUntil(
        lambda: win.boxes.rois.get(box.id) not in (None, item), timeout=2_000
    )
    item = win.boxes.rois[box.id]
    centre = scene_point(win, item.mapToScene(item.boundingRect().center()))
    drag(qtbot, win, centre, point(win, 11.9, 15_900))
    qtbot.waitUntil(lambda: win.session.box(box.id).start != both.start, timeout=2_000)
    moved = win.session.box(box.id)
    assert moved.end == pytest.approx(win.view.duration, abs=1e-6)
    assert moved.end - moved.start == pytest.approx(both.end - both.start, abs=1e-6)
    assert moved.high_freq == pytest.approx(win.view.nyquist, abs=1e-3)
    assert moved.high_freq - moved.low_freq == pytest.approx(
        both.high_freq - both.low_freq, abs=1e-3
    )

    # A move set in code beyond the edges is shifted back inside, too.
    qtbot.waitUntil(
        lambda: win.boxes.rois.get(box.id) not in (None, item), timeout=2_000
    )
    win.boxes.rois[box.id].setPos((-3.0, -500.0), finish=True)
    qtbot.waitUntil(lambda: win.session.box(box.id).start == 0.0, timeout=2_000)
    assert win.session.box(box.id).low_freq == 0.0
    assert win.session.box(box.id).end == pytest.approx(both.end - both.start, abs=1e-6)

    # Undo restores each step, in order.
    win.undo_stack.undo()
    assert win.session.box(box.id) == moved
    win.undo_stack.undo()
    assert win.session.box(box.id) == both
    win.undo_stack.undo()
    assert win.session.box(box.id) == grown
    win.undo_stack.undo()
    assert win.session.box(box.id) == box
    qtbot.waitUntil(
        lambda: (
            win.boxes.rois.get(box.id) is not None
            and win.boxes.rois[box.id].bounds()[0] == pytest.approx(box.start)
        ),
        timeout=2_000,
    )
    win.close()


def test_box_and_detection_selection_exclude_each_other(qtbot, folder: Path):
    win = open_folder(qtbot, folder)
    with qtbot.waitSignal(win.run_finished, timeout=30_000):
        win.run_model("energy")
    assert (
        win.review.selected is not None
    )  # the first detection is selected after a run
    box = draw(qtbot, win, 5.2, 9000, 6.0, 11000, "blackcap")
    assert win.boxes.selected == box.id and win.review.selected is None

    # Down selects a detection again, which deselects the box.
    qtbot.keyClick(win, Qt.Key.Key_Down)
    assert win.review.selected is not None and win.boxes.selected is None
    assert not win.boxes.rois[box.id].selected

    # Clicking the box selects it and deselects the detection; A then judges nothing.
    click_item(qtbot, win, win.boxes.rois[box.id])
    assert win.boxes.selected == box.id and win.review.selected is None
    assert (
        win.boxes.rois[box.id].selected
        and win.boxes.labels[box.id].border.style() != Qt.PenStyle.NoPen
    )
    before = win.session.counts(0.0)
    qtbot.keyClick(win, Qt.Key.Key_A)
    assert win.session.counts(0.0) == before

    # Clicking a detection's label selects it and deselects the box.
    det_id = win.overlay.detection_ids[0]
    click_item(qtbot, win, win.overlay.label_item(det_id).textItem)
    assert win.review.selected.id == det_id and win.boxes.selected is None

    # Esc and a click on empty spectrogram deselect a box.
    win.boxes.select(box.id)
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert win.boxes.selected is None
    win.boxes.select(box.id)
    qtbot.mouseClick(
        win.view.viewport(), Qt.MouseButton.LeftButton, pos=point(win, 3.0, 14_000)
    )
    assert win.boxes.selected is None
    win.close()


def test_reopened_project_restores_both_kinds_and_exports_them(
    qtbot, folder: Path, tmp_path: Path
):
    win = open_folder(qtbot, folder)
    box = draw(qtbot, win, 5.2, 5000, 6.0, 7000, "blackcap")
    interval = draw(qtbot, win, 1.1, 3000, 1.9, 5000, "tawny", shift=True)
    win.close()

    again = open_folder(qtbot, folder)
    qtbot.waitUntil(
        lambda: set(again.boxes.rois) == {box.id, interval.id}, timeout=5_000
    )
    assert (
        again.session.box(box.id) == box and again.session.box(interval.id) == interval
    )
    assert (
        again.boxes.rois[interval.id].interval and not again.boxes.rois[box.id].interval
    )
    assert again.boxes.rois[interval.id].bounds()[2:] == (0.0, again.view.nyquist)

    # Every export format carries both, the interval over the whole band.
    out = tmp_path / "out"
    written = export_all(again.session, out, ("aoef", "raven", "audacity", "csv"))
    aoef = written["aoef"][-1]  # the annotation project comes last
    project = io.load(aoef, type="annotation_project")
    kinds = {
        se.uuid.hex: type(se.sound_event.geometry)
        for ca in project.clip_annotations
        for se in ca.sound_events
    }
    assert kinds == {box.id: data.BoundingBox, interval.id: data.TimeInterval}
    table = next(
        p for p in written["raven"] if p.name == "a.review.selection.table.txt"
    )
    rows = {r["Scientific Name"]: r for r in read_raven_table(table)}
    assert float(rows["Strix aluco"]["High Freq (Hz)"]) == again.view.nyquist
    assert float(rows["Strix aluco"]["Low Freq (Hz)"]) == 0.0
    assert float(rows["Sylvia atricapilla"]["Low Freq (Hz)"]) == pytest.approx(
        box.low_freq, abs=0.5
    )
    labels = written["audacity"][0].read_text().splitlines()
    assert labels[0].endswith("Strix aluco [drawn]") and labels[2].endswith(
        "Sylvia atricapilla [drawn]"
    )
    # Every label has a frequency line: the interval the whole band, the box its own.
    assert labels[1].startswith("\\\t0.000000\t") and labels[3].startswith("\\\t")
    with open(written["csv"][0], newline="", encoding="utf-8") as handle:
        assert sorted(r["Scientific name"] for r in csv.DictReader(handle)) == [
            "Strix aluco",
            "Sylvia atricapilla",
        ]
    again.close()
