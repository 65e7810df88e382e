"""Drawn boxes in the paged view, through the real window: shown in the rows, drawn there with B / I."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.spectrogram.pages import PageLayout
from tests import test_paged_view
from tests.test_paged_view import _paged

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: The fixture of the paged view's tests: the window on a 2-minute recording,
#: BirdNET's detections imported, threshold 0.5.
win = test_paged_view.win

#: Seconds and Hz a drag may miss by: a pixel of a row (about 0.02 s and 60 Hz here).
DT, DF = 0.1, 200.0


def _at(view, row: int, seconds: float, hz: float) -> QPoint:
    """The viewport point of (seconds, Hz) in row ``row``'s coordinates (it may lie outside the row)."""
    scene = view.rows[row].viewbox.mapViewToScene(QPointF(seconds, hz))
    return view.graphics.mapFromScene(scene)


def _press(qtbot, view, a: QPoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.mousePress(view.graphics.viewport(), Qt.MouseButton.LeftButton, modifiers, a)


def _move(qtbot, view, a: QPoint, b: QPoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """Move from ``a`` to ``b`` in steps with the left button held."""
    viewport = view.graphics.viewport()
    for i in range(1, 6):
        p = QPointF(a + (b - a) * (i / 5))
        move = QMouseEvent(
            QEvent.Type.MouseMove, p, viewport.mapToGlobal(p),
            Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton, modifiers,
        )  # fmt: skip
        QApplication.sendEvent(viewport, move)
        qtbot.wait(20)


def _drag(qtbot, win: MainWindow, a: QPoint, b: QPoint, modifiers=Qt.KeyboardModifier.NoModifier):
    """Press at ``a``, move, release at ``b`` in the rows: the species picker that opens."""
    view = win.paged.view
    with qtbot.waitSignal(win.boxes.picker_shown, timeout=2_000) as shown:
        _press(qtbot, view, a, modifiers)
        _move(qtbot, view, a, b, modifiers)
        qtbot.mouseRelease(view.graphics.viewport(), Qt.MouseButton.LeftButton, modifiers, b)
    return shown.args[0]


def _choose(qtbot, picker, text: str) -> None:
    qtbot.keyClicks(picker.search, text)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)


def _draw(qtbot, win: MainWindow, a: QPoint, b: QPoint, species: str, key=Qt.Key.Key_B):
    """B (or I), drag from ``a`` to ``b``, tag with ``species``: the new box."""
    before = {b.id for b in win.session.boxes()}
    qtbot.keyClick(win, key)
    assert win.boxes.drawing
    picker = _drag(qtbot, win, a, b)
    assert not win.boxes.drawing
    _choose(qtbot, picker, species)
    (box,) = [x for x in win.session.boxes() if x.id not in before]
    return box


def _drawn_in(win: MainWindow) -> list[set[str]]:
    """Ids of the boxes drawn in each row of the page, top to bottom."""
    layers = win.paged.boxes.layers
    return [set(layers[r].rois) if r in layers else set() for r in win.paged.view.rows]


def _selected_in(win: MainWindow) -> list[set[str]]:
    layers = win.paged.boxes.layers
    return [{b for b, item in layers[r].rois.items() if item.selected} for r in win.paged.view.rows]


def test_a_drag_in_a_row_draws_a_box_there_tagged_and_undoable(qtbot, win: MainWindow):
    view = _paged(qtbot, win, PageLayout(4, 15.0, 3.0))  # rows 0-15, 12-27, 24-39, 36-51
    assert _drawn_in(win) == [set(), set(), set(), set()]
    cursor = win.app.playback.cursor

    qtbot.keyClick(win, Qt.Key.Key_B)
    a, b = _at(view, 1, 20.0, 6000.0), _at(view, 1, 22.5, 3000.0)
    picker = None
    with qtbot.waitSignal(win.boxes.picker_shown, timeout=2_000) as shown:
        _press(qtbot, view, a)
        _move(qtbot, view, a, b)
        # The rubber band shows in the row dragged in, over the time and band dragged.
        rubber = win.boxes.drawer.rubber_band
        assert rubber is not None and rubber in view.rows[1].plot.items
        (x, y), (w, h) = rubber.pos(), rubber.size()
        assert (x, x + w) == (pytest.approx(20.0, abs=DT), pytest.approx(22.5, abs=DT))
        assert (y, y + h) == (pytest.approx(3000.0, abs=DF), pytest.approx(6000.0, abs=DF))
        qtbot.mouseRelease(view.graphics.viewport(), Qt.MouseButton.LeftButton, pos=b)
    picker = shown.args[0]
    assert win.boxes.drawer.rubber_band is None and rubber not in view.rows[1].plot.items
    # The detections the model found there are offered first, as on the single view.
    found = {d.scientific_name for d in win.review.visible() if d.start < 22.5 and d.end > 20.0}
    assert set(picker.first[: len(found)]) == found
    before = {x.id for x in win.session.boxes()}
    _choose(qtbot, picker, "Parus major")
    (box,) = [x for x in win.session.boxes() if x.id not in before]
    assert (box.scientific_name, box.is_interval) == ("Parus major", False)
    assert (box.start, box.end) == (pytest.approx(20.0, abs=DT), pytest.approx(22.5, abs=DT))
    assert (box.low_freq, box.high_freq) == (pytest.approx(3000.0, abs=DF), pytest.approx(6000.0, abs=DF))
    # The drag drew: it did not move the playback cursor nor select a detection.
    assert win.app.playback.cursor == cursor and win.app.review.selected is None
    # It is selected (the play target), drawn in the one row that shows it, highlighted.
    assert win.boxes.selected == box.id and win._play_target() == box
    qtbot.waitUntil(lambda: _drawn_in(win) == [set(), {box.id}, set(), set()], timeout=2_000)
    assert _selected_in(win) == [set(), {box.id}, set(), set()]
    row_item = win.paged.boxes.layers[view.rows[1]].rois[box.id]
    assert row_item.pen.widthF() == 3.0 and row_item.bounds() == pytest.approx(
        (box.start, box.end, box.low_freq, box.high_freq)
    )
    assert not row_item.getHandles() and not row_item.translatable  # moved on the single view
    assert win.paged.boxes.layers[view.rows[1]].labels[box.id].toPlainText() == "Great Tit"
    # The single spectrogram has it too.
    assert box.id in win.boxes.rois

    # Undo takes it away from the rows, redo brings it back.
    win.undo_stack.undo()
    assert win.session.box(box.id) is None
    qtbot.waitUntil(lambda: _drawn_in(win) == [set(), set(), set(), set()], timeout=2_000)
    win.undo_stack.redo()
    qtbot.waitUntil(lambda: _drawn_in(win) == [set(), {box.id}, set(), set()], timeout=2_000)
    win.close()


def test_boxes_show_in_overlapping_rows_follow_moves_and_deletes_and_a_click_selects(
    qtbot, win: MainWindow
):
    view = _paged(qtbot, win, PageLayout(4, 15.0, 3.0))
    # A box from 10 s to 13.5 s: in row 0 and in row 1 (12-27), which repeats 12-15 s.
    box = _draw(qtbot, win, _at(view, 0, 10.0, 7000.0), _at(view, 0, 13.5, 4000.0), "Turdus merula")
    qtbot.waitUntil(lambda: _drawn_in(win) == [{box.id}, {box.id}, set(), set()], timeout=2_000)
    labels = [win.paged.boxes.layers[view.rows[i]].labels[box.id] for i in (0, 1)]
    assert labels[0].pos().x() == pytest.approx(box.start)
    assert labels[1].pos().x() == pytest.approx(12.0)  # begun in the row above: at this row's start

    # A click on empty spectrogram deselects it, as on the single view.
    win.boxes.select(box.id)
    qtbot.mouseClick(
        view.graphics.viewport(), Qt.MouseButton.LeftButton,
        pos=_at(view, 2, 36.5, 200.0),
    )  # fmt: skip
    assert win.boxes.selected is None and _selected_in(win) == [set()] * 4

    # A click on the box in a row selects it: the play target, highlighted in both rows.
    inside = _at(view, 1, 13.0, 4500.0)  # in the part row 1 shows, under the labels
    qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton, pos=inside)
    assert win.boxes.selected == box.id == win.app.review.selected_box
    assert win.app.review.selected is None and win._play_target() == win.session.box(box.id)
    assert _selected_in(win) == [{box.id}, {box.id}, set(), set()]
    # S retags it there; the row's right-click menu is the single view's.
    with qtbot.waitSignal(win.boxes.picker_shown, timeout=2_000) as shown:
        qtbot.keyClick(win, Qt.Key.Key_S)
    _choose(qtbot, shown.args[0], "Parus major")
    qtbot.waitUntil(
        lambda: win.paged.boxes.layers[view.rows[1]].labels[box.id].toPlainText() == "Great Tit",
        timeout=2_000,
    )
    menu = win.paged.boxes.layers[view.rows[0]].rois[box.id].getMenu()
    assert [a.text() for a in menu.actions() if a.text()] == ["Tag with species…", "Note…", "Delete"]

    # Moved (here by the session, as the single view's handles do), it moves between rows.
    win.session.move_box(box.id, 30.0, 31.0, 2000.0, 3000.0)
    qtbot.waitUntil(lambda: _drawn_in(win) == [set(), set(), {box.id}, set()], timeout=2_000)
    assert win.paged.boxes.layers[view.rows[2]].rois[box.id].bounds() == pytest.approx(
        (30.0, 31.0, 2000.0, 3000.0)
    )
    assert _selected_in(win) == [set(), set(), {box.id}, set()]
    # Delete deletes it from every row; undo puts it back.
    qtbot.keyClick(win, Qt.Key.Key_Delete)
    assert win.session.box(box.id) is None
    qtbot.waitUntil(lambda: _drawn_in(win) == [set()] * 4, timeout=2_000)
    win.undo_stack.undo()
    qtbot.waitUntil(lambda: _drawn_in(win) == [set(), set(), {box.id}, set()], timeout=2_000)

    # Selected elsewhere while on another page, the page turns to show it.
    qtbot.keyClick(win, Qt.Key.Key_End)
    assert win.app.paged.page > 0 and _drawn_in(win) == [set()] * 4
    win.boxes.select(box.id)
    assert win.app.paged.page == 0
    assert _selected_in(win) == [set(), set(), {box.id}, set()]
    win.close()


def test_a_drag_is_kept_in_its_row_and_the_recording_and_esc_cancels(qtbot, win: MainWindow):
    view = _paged(qtbot, win, PageLayout(4, 25.0, 0.0))  # rows 0-25, 25-50, 50-75, 75-100
    # Dragged from row 1 down into row 2, right of row 1's end: kept to row 1's end and 0 Hz.
    below = QPoint(_at(view, 1, 55.0, 0.0).x(), _at(view, 2, 60.0, 1000.0).y())
    box = _draw(qtbot, win, _at(view, 1, 40.0, 5000.0), below, "Parus major")
    assert box.start == pytest.approx(40.0, abs=DT) and box.end == pytest.approx(50.0)
    assert box.low_freq == 0.0 and box.high_freq == pytest.approx(5000.0, abs=DF)
    qtbot.waitUntil(lambda: _drawn_in(win) == [set(), {box.id}, set(), set()], timeout=2_000)

    # On the last page (100-125, 125-150...), past the end of the recording is left out;
    # I draws a time interval over the whole band.
    qtbot.keyClick(win, Qt.Key.Key_End)
    assert [r.span.start for r in view.rows] == [100.0, 125.0, 150.0, 175.0]
    interval = _draw(
        qtbot, win, _at(view, 0, 117.0, 3000.0), _at(view, 0, 124.0, 3000.0), "Turdus merula",
        key=Qt.Key.Key_I,
    )  # fmt: skip
    assert interval.is_interval and interval.start == pytest.approx(117.0, abs=DT)
    assert interval.end == pytest.approx(win.view.duration)
    qtbot.waitUntil(lambda: _drawn_in(win) == [{interval.id}, set(), set(), set()], timeout=2_000)
    # A row wholly past the end draws nothing: the press goes on as a plain click.
    qtbot.keyClick(win, Qt.Key.Key_B)
    assert win.paged.boxes.surface_at(QPointF(_at(view, 2, 160.0, 3000.0))) is None

    # Esc during a drag: no rubber band, no drawing mode, nothing drawn on release.
    count = len(win.session.boxes())
    a, b = _at(view, 0, 101.0, 6000.0), _at(view, 0, 104.0, 2000.0)
    _press(qtbot, view, a)
    _move(qtbot, view, a, b)
    rubber = win.boxes.drawer.rubber_band
    assert rubber in view.rows[0].plot.items
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert not win.boxes.drawing and win.boxes.drawer.rubber_band is None
    assert rubber not in view.rows[0].plot.items
    shown: list[object] = []
    win.boxes.picker_shown.connect(shown.append)
    qtbot.mouseRelease(view.graphics.viewport(), Qt.MouseButton.LeftButton, pos=b)
    qtbot.wait(50)
    assert not shown and len(win.session.boxes()) == count
    win.close()


def test_i_in_the_paged_view_draws_rather_than_marking_the_hidden_selection(qtbot, win: MainWindow):
    win.view.set_selection((5.0, 8.0))  # a time range selected on the single spectrogram
    view = _paged(qtbot, win, PageLayout(2, 20.0, 0.0))
    qtbot.keyClick(win, Qt.Key.Key_I)
    assert win.boxes.drawing  # it waits for a drag in a row instead
    picker = _drag(qtbot, win, _at(view, 1, 30.0, 4000.0), _at(view, 1, 33.0, 4000.0))
    before = {x.id for x in win.session.boxes()}
    _choose(qtbot, picker, "Parus major")
    (box,) = [x for x in win.session.boxes() if x.id not in before]
    assert box.is_interval and (box.start, box.end) == (
        pytest.approx(30.0, abs=DT), pytest.approx(33.0, abs=DT)
    )
    win.close()


def test_a_row_keeps_what_is_drawn_in_its_span(win: MainWindow):
    clamp = win.boxes.drawer.clamp
    end, nyquist = win.view.duration, win.view.nyquist
    assert clamp(10.0, 30.0, 1000.0, 3000.0, span=(12.0, 27.0)) == (12.0, 27.0, 1000.0, 3000.0)
    assert clamp(110.0, 130.0, -5.0, 2 * nyquist, span=(100.0, 125.0)) == (110.0, end, 0.0, nyquist)
    assert clamp(5.0, 11.0, interval=True, span=(12.0, 27.0)) is None  # wholly outside the row
    assert clamp(5.0, 11.0, interval=True) == (5.0, 11.0, None, None)  # the single view: the recording
