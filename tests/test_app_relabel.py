"""Relabel with the species picker (S, 1–9, search), notes (N) and bulk verdicts, by key."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from soundevent import data, terms

from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.review import Status
from tests.conftest import open_main_window

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NAMES = {
    "Turdus merula": "Eurasian Blackbird",
    "Erithacus rubecula": "European Robin",
    "Parus major": "Great Tit",
    "Fringilla coelebs": "Common Chaffinch",
}



def predictions(recording: data.Recording) -> list[data.ClipPrediction]:
    """What a classifier says about three 3 s windows: several species per window."""

    def tag(name: str, score: float) -> data.PredictedTag:
        return data.PredictedTag(
            tag=data.Tag(term=terms.scientific_name, value=name), score=score
        )

    out = []
    for start, tags in (
        (
            0.0,
            [
                tag("Turdus merula", 0.9),
                tag("Erithacus rubecula", 0.4),
                tag("Parus major", 0.3),
            ],
        ),
        (3.0, [tag("Turdus merula", 0.8), tag("Parus major", 0.35)]),
        (6.0, [tag("Turdus merula", 0.7), tag("Fringilla coelebs", 0.2)]),
    ):
        clip = data.Clip(recording=recording, start_time=start, end_time=start + 3.0)
        out.append(data.ClipPrediction(clip=clip, tags=tags))
    return out


@pytest.fixture
def window(qtbot, calls_wav: Path):
    win = open_main_window(qtbot, calls_wav, timeout=10_000)
    win.model_panel.set_threshold(0.5)
    win.session.set_common_names(NAMES)
    win.session.add_predictions(predictions(win.session.recordings[0]))
    win.review.refresh()
    win.review.step(+1)
    yield win
    win.close()


def blackbirds(win: MainWindow) -> list:
    return [d for d in win.review.visible() if d.scientific_name == "Turdus merula"]


def press_for_dialog(
    qtbot, win: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier
):
    win.activateWindow()
    win.table.setFocus()
    with qtbot.waitSignal(win.review_actions.dialog_shown, timeout=2_000) as shown:
        qtbot.keyClick(win.table, key, modifier)
    return shown.args[0]


def test_relabel_by_one_key_and_by_search(qtbot, window: MainWindow):
    win = window
    first, second, third = blackbirds(win)
    assert win.review.selected.id == first.id
    # S offers the window's other predictions first: 1 = robin, 2 = great tit.
    picker = press_for_dialog(qtbot, win, Qt.Key.Key_S)
    assert picker.results()[:2] == ["Erithacus rubecula", "Parus major"]
    assert picker.list.item(0).text().startswith("1")
    qtbot.keyClick(picker.search, Qt.Key.Key_2)
    verdict = win.session.verdict(first.id)
    assert verdict.label == "Parus major" and verdict.status == Status.ACCEPTED
    assert not picker.isVisible()
    # The selection moved on to the next unreviewed detection.
    assert win.review.selected.id == second.id

    # Typing searches common names too; Enter picks the highlighted one.
    picker = press_for_dialog(qtbot, win, Qt.Key.Key_S)
    qtbot.keyClicks(picker.search, "chaff")
    assert picker.results() == ["Fringilla coelebs"]
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert win.session.verdict(second.id).label == "Fringilla coelebs"
    assert win.review.selected.id == third.id

    # A digit with no offered species does nothing; Esc cancels.
    picker = press_for_dialog(qtbot, win, Qt.Key.Key_S)
    qtbot.keyClick(picker.search, Qt.Key.Key_9)
    assert picker.isVisible() and picker.search.text() == ""
    qtbot.keyClick(picker.search, Qt.Key.Key_Escape)
    assert not picker.isVisible()
    assert win.session.verdict(third.id).label is None

    # Undo removes the relabel.
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.session.verdict(second.id).label is None
    assert win.session.status(second.id) == Status.UNREVIEWED


def test_note_by_key(qtbot, window: MainWindow):
    win = window
    first = win.review.selected
    dialog = press_for_dialog(qtbot, win, Qt.Key.Key_N)
    edit = dialog.findChild(QLineEdit)
    qtbot.keyClicks(edit, "two birds overlap")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert win.session.verdict(first.id).note == "two birds overlap"
    assert win.session.status(first.id) == Status.UNREVIEWED  # a note is no verdict
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.session.verdict(first.id).note == ""


def test_bulk_accept_selected_rows_and_reject_below(qtbot, window: MainWindow):
    win = window
    win.model_panel.set_threshold(0.1)
    rows = win.review.visible()
    assert len(rows) == 7
    # Ctrl+click two rows, Shift+A accepts both in one undoable edit.
    table = win.table
    for row in (1, 3):
        rect = table.visualRect(table.proxy.index(row, 0))
        qtbot.mouseClick(
            table.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ControlModifier,
            rect.center(),
        )
    chosen = table.selected_ids()
    assert len(chosen) == 2
    qtbot.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert [win.session.status(i) for i in chosen] == [Status.ACCEPTED] * 2
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [win.session.status(i) for i in chosen] == [Status.UNREVIEWED] * 2
    qtbot.keyClick(
        win,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert [win.session.status(i) for i in chosen] == [Status.ACCEPTED] * 2

    # Reject every open great tit below 0.34: only the 0.30 one.
    tit = next(d for d in rows if d.scientific_name == "Parus major" and d.score < 0.34)
    other = next(
        d for d in rows if d.scientific_name == "Parus major" and d.score > 0.34
    )
    win.review.select(tit.id)
    dialog = press_for_dialog(
        qtbot, win, Qt.Key.Key_B, Qt.KeyboardModifier.ShiftModifier
    )
    dialog.setDoubleValue(0.34)
    dialog.accept()
    assert win.session.status(tit.id) == Status.REJECTED
    assert win.session.status(other.id) == Status.UNREVIEWED
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.session.status(tit.id) == Status.UNREVIEWED


def test_precision_table_follows_verdicts(qtbot, window: MainWindow):
    win = window
    first, second, third = blackbirds(win)  # scores 0.9, 0.8, 0.7
    dialog = press_for_dialog(
        qtbot,
        win,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert dialog.rows() == []  # nothing reviewed yet
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_A)  # 0.9 right
    win.review.select(second.id)
    qtbot.keyClick(win.table, Qt.Key.Key_A)  # 0.8 right
    win.review.select(third.id)
    qtbot.keyClick(win.table, Qt.Key.Key_R)  # 0.7 wrong
    # Blackbird: 3 reviewed, 2 correct, precision 0.67; 0.9 is reached from 0.8 up.
    qtbot.waitUntil(lambda: len(dialog.rows()) == 1, timeout=5_000)
    assert dialog.rows()[0] == (
        "Eurasian Blackbird",
        "3",
        "2",
        "1",
        "0.67",
        "0.800",
        "1.00",
        "2",
    )
    dialog.target.setValue(0.6)
    assert dialog.rows()[0][5] == "0.700"
    dialog.close()
