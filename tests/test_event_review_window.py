"""Review by events in the real window (offscreen): keys, undo, the span box, the table, the gap."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from soundevent import data, terms

from audioclass_gui.app.event_review import EventSpan, ReviewUnit
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.review import Status
from tests.conftest import open_main_window

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

A, B = "Setophaga castanea", "Leiothlypis peregrina"
NAMES = {A: "Bay-breasted Warbler", B: "Tennessee Warbler", "Setophaga fusca": "Blackburnian Warbler"}
#: (start, species, score): A sings 0-6 s and again at 7-10 s, B at 1.5-4.5 s.
WINDOWS = [(0.0, A, 0.9), (3.0, A, 0.6), (7.0, A, 0.8), (1.5, B, 0.7)]


def predictions(recording: data.Recording) -> list[data.ClipPrediction]:
    return [
        data.ClipPrediction(
            clip=data.Clip(recording=recording, start_time=start, end_time=start + 3.0),
            tags=[data.PredictedTag(tag=data.Tag(term=terms.scientific_name, value=name), score=score)],
        )
        for start, name, score in WINDOWS
    ]


@pytest.fixture
def win(qtbot, calls_wav: Path):
    window = open_main_window(qtbot, calls_wav, timeout=10_000)
    window.model_panel.set_threshold(0.5)
    window.session.set_common_names(NAMES)
    window.session.add_predictions(predictions(window.session.recordings[0]))
    window.review.refresh()
    yield window
    window.close()


def press(qtbot, win: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, key, modifier)


def grouped(qtbot, win: MainWindow) -> None:
    """Wait for the events, grouped in the window's thread pool."""
    qtbot.waitUntil(lambda: win.app.event_review.ready, timeout=10_000)


def window_statuses(win: MainWindow, species: str) -> list[Status]:
    return [win.session.status(d.id) for d in win.review.visible() if d.scientific_name == species]


def rows(win: MainWindow) -> list[tuple[str, ...]]:
    model = win.events.table.source
    return [
        tuple(model.index(r, c).data() for c in range(4)) + (model.index(r, 5).data(),)
        for r in range(model.rowCount())
    ]


def test_accept_an_event_undo_it_and_step_on(qtbot, win: MainWindow) -> None:
    events = win.events
    press(qtbot, win, Qt.Key.Key_E)  # Review › Review by events
    grouped(qtbot, win)
    assert win.app.event_review.mode is ReviewUnit.EVENTS
    assert events.action.isChecked() and events.panel.unit.currentData() == "events"
    assert events.dock.isVisible()
    assert [r[0] for r in rows(win)] == ["Bay-breasted Warbler", "Tennessee Warbler", "Bay-breasted Warbler"]
    assert [r[3] for r in rows(win)] == ["2", "1", "1"]
    first = win.app.event_review.selected
    assert events.table.currentIndex().row() == 0
    assert events.span.isVisible() and events.span.span() == (0.0, 6.0)
    assert win.review.selected.start == 0.0  # the event's best window is the selected detection

    press(qtbot, win, Qt.Key.Key_A)
    assert window_statuses(win, A)[:2] == [Status.ACCEPTED, Status.ACCEPTED]
    assert window_statuses(win, A)[2] is Status.UNREVIEWED and window_statuses(win, B) == [Status.UNREVIEWED]
    assert rows(win)[0][4] == "Accepted"
    assert win.undo_stack.count() == 1 and "one event of 2 windows" in win.undo_stack.undoText()
    second = win.app.event_review.selected
    assert second != first and events.table.currentIndex().row() == 1  # on to the next event
    assert events.span.span() == (1.5, 4.5)

    press(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo: both windows
    assert window_statuses(win, A)[:2] == [Status.UNREVIEWED, Status.UNREVIEWED]
    assert rows(win)[0][4] == "To review"

    press(qtbot, win, Qt.Key.Key_Down)  # the next event
    assert events.table.currentIndex().row() == 2 and events.span.span() == (7.0, 10.0)
    target = win._play_target()  # Space plays the event's span
    assert isinstance(target, EventSpan) and (target.start, target.end) == (7.0, 10.0)
    press(qtbot, win, Qt.Key.Key_R)
    assert window_statuses(win, A)[2] is Status.REJECTED

    press(qtbot, win, Qt.Key.Key_E)  # back to windows: A judges one window again
    assert not events.span.isVisible()
    assert not isinstance(win._play_target(), EventSpan)


def test_a_partly_reviewed_event_is_mixed_and_relabel_covers_it(qtbot, win: MainWindow) -> None:
    er = win.app.event_review
    win.review.step(+1)  # the first window, in windows mode
    press(qtbot, win, Qt.Key.Key_U)
    events = win.events
    events.panel.unit.setCurrentIndex(events.panel.unit.findData("events"))
    grouped(qtbot, win)
    # U moved on to the next open window (Tennessee Warbler's): its event is selected.
    assert er.active and er.selected == events.table.source.event_at(1)
    assert rows(win)[0][4] == "Mixed: 1 to review, 1 uncertain"
    assert "mixed" in events.panel.summary.text()
    events.table.selectRow(0)  # a click on the first event's row
    assert er.selected == events.table.source.event_at(0)
    assert events.span.isVisible() and events.span.status is None  # dashed white: windows differ

    with qtbot.waitSignal(win.review_actions.dialog_shown, timeout=2_000) as shown:
        press(qtbot, win, Qt.Key.Key_S)  # the species picker, for the event's best window
    shown.args[0].species_chosen.emit("Setophaga fusca")
    labels = [win.session.verdict(d.id).label for d in win.review.visible() if d.scientific_name == A][:2]
    assert labels == ["Setophaga fusca", "Setophaga fusca"]
    assert rows(win)[0][4] == "Accepted · as Setophaga fusca"
    win.undo_stack.undo()
    assert rows(win)[0][4] == "Mixed: 1 to review, 1 uncertain"


def test_the_gap_joins_events_and_is_kept(qtbot, win: MainWindow) -> None:
    events = win.events
    events.panel.unit.setCurrentIndex(events.panel.unit.findData("events"))
    events.panel.gap.setValue(1.0)
    grouped(qtbot, win)
    assert win.app.event_review.gap == 1.0
    assert [(r[0], r[1], r[2], r[3]) for r in rows(win)] == [
        ("Bay-breasted Warbler", "0.00", "10.00", "3"),
        ("Tennessee Warbler", "1.50", "4.50", "1"),
    ]
    project = win.app.document.project
    assert project is not None and project.settings["event_gap"] == 1.0
    # Sorted by max score, lowest first: "next" goes down the table as shown.
    events.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    assert [r[0] for r in rows(win)] == ["Tennessee Warbler", "Bay-breasted Warbler"]
    events.table.selectRow(0)
    press(qtbot, win, Qt.Key.Key_R)
    assert window_statuses(win, B) == [Status.REJECTED]
    assert events.table.currentIndex().row() == 1 and events.span.span() == (0.0, 10.0)
    press(qtbot, win, Qt.Key.Key_A)
    assert window_statuses(win, A) == [Status.ACCEPTED] * 3
    events.panel.gap.setValue(0.0)  # split again: the verdicts stay on every window
    grouped(qtbot, win)
    assert [r[4] for r in rows(win) if r[0] == "Bay-breasted Warbler"] == ["Accepted", "Accepted"]


def test_export_offers_the_events_table(qtbot, win: MainWindow, tmp_path: Path) -> None:
    win.events.panel.unit.setCurrentIndex(win.events.panel.unit.findData("events"))
    grouped(qtbot, win)
    press(qtbot, win, Qt.Key.Key_A)  # the first event (two windows) accepted
    dialog = win.exports.ask()
    dialog.choose("events")
    assert dialog.path.text().endswith("events")
    dialog.choose_rows("accepted")
    dialog.path.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(win.exports.finished, timeout=20_000) as done:
        dialog.ok_button.click()
    assert sorted(p.name for p in done.args[0]["events"]) == ["event_counts.csv", "events.csv"]
    lines = (tmp_path / "out" / "events.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and f",{A}," in lines[1] and ",0.0,6.0,6.0," in lines[1]
