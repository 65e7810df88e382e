"""The real main window, driven like a user: open, run, review by key, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from soundevent import data, io

from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.review import Status
from tests.conftest import write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")




def open_and_run(qtbot, win: MainWindow, path: Path, model: str = "energy", threshold: float = 0.5) -> None:
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(path)
    qtbot.waitUntil(lambda: win.view.painted_range is not None, timeout=10_000)
    win.model_panel.set_threshold(threshold)
    with qtbot.waitSignal(win.run_finished, timeout=60_000) as blocker:
        win.run_model(model)
    assert blocker.args == [False]


def test_review_by_keyboard_and_export(qtbot, window: MainWindow, calls_wav: Path, tmp_path: Path):
    win = window
    open_and_run(qtbot, win, calls_wav)
    visible = win.review.visible()
    # The three tone calls at 1.2, 5.3 and 9.1 s are found, and nothing else.
    assert sorted(int(d.start) for d in visible) == [1, 5, 9]
    assert win.table.model().rowCount() == 3
    assert sorted(win.overlay.detection_ids) == sorted(d.id for d in visible)

    # After the run the first detection is selected; A accepts it and moves on.
    first = win.review.selected
    assert first is not None and int(first.start) == 1
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_A)
    assert win.session.status(first.id) == Status.ACCEPTED
    second = win.review.selected
    assert second is not None and int(second.start) == 5
    qtbot.keyClick(win.table, Qt.Key.Key_R)
    assert win.session.status(second.id) == Status.REJECTED
    third = win.review.selected
    assert int(third.start) == 9
    qtbot.keyClick(win.table, Qt.Key.Key_U)
    assert win.session.status(third.id) == Status.UNCERTAIN
    # Up goes back; Ctrl+Z undoes the last verdict.
    qtbot.keyClick(win.table, Qt.Key.Key_Up)
    assert win.review.selected.id == second.id
    qtbot.keyClick(win.table, Qt.Key.Key_Down)
    assert win.review.selected.id == third.id
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.session.status(third.id) == Status.UNREVIEWED
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert win.session.status(third.id) == Status.UNCERTAIN

    # Export, then load with soundevent and check verdict by verdict.
    out = tmp_path / "review.json"
    with qtbot.waitSignal(win.exported, timeout=10_000) as blocker:
        win.export_to(out)
    result = blocker.args[0]
    project = io.load(result.project_path, type="annotation_project")
    run = io.load(result.model_run_path, type="model_run")
    assert isinstance(project, data.AnnotationProject)
    by_start = {round(a.clip.start_time): a for a in project.clip_annotations}
    accepted_clip = by_start[int(first.start)]
    assert [t.value for t in accepted_clip.tags] == [first.scientific_name]
    rejected_clip = by_start[int(second.start)]
    assert rejected_clip.tags == []
    assert any("Rejected" in n.message for n in rejected_clip.notes)
    assert all(
        any(b.state == data.AnnotationState.completed for b in task.status_badges)
        for task in project.tasks
    )
    assert {p.clip.uuid for p in run.clip_predictions} >= {a.clip.uuid for a in project.clip_annotations}


def test_threshold_moves_table_and_overlays_live(qtbot, window: MainWindow, calls_wav: Path):
    win = window
    open_and_run(qtbot, win, calls_wav, threshold=0.5)
    n_high = win.table.model().rowCount()
    win.model_panel.set_threshold(0.05)
    n_low = win.table.model().rowCount()
    assert n_low >= n_high
    assert len(win.overlay.detection_ids) == n_low
    win.model_panel.set_threshold(0.99)
    assert win.table.model().rowCount() == len([d for d in win.session.detections() if d.score >= 0.99])
    assert len(win.overlay.detection_ids) == win.table.model().rowCount()


def test_clicking_a_row_and_an_overlay_selects_both_ways(qtbot, window: MainWindow, tmp_path: Path):
    win = window
    long = write_calls(tmp_path / "long.wav", duration=90.0, calls=((2.0, 2.6, 4000.0), (80.0, 80.6, 5000.0)))
    open_and_run(qtbot, win, long)
    win.view.set_visible_range(0.0, 10.0)
    late = next(d for d in win.review.visible() if d.start > 70)
    win.table.select_detection(late.id)
    # The spectrogram scrolls to the selected detection.
    x0, x1 = win.view.visible_range()
    assert x0 <= late.start and late.end <= x1
    early = next(d for d in win.review.visible() if d.start < 10)
    win.overlay.label_item(early.id).mouseClickEvent(_LeftClick())
    assert win.table.current_id() == early.id
    assert win.review.selected.id == early.id


class _LeftClick:
    """The parts of pyqtgraph's MouseClickEvent the label reads."""

    def button(self):
        return Qt.MouseButton.LeftButton

    def double(self):
        return False

    def accept(self):
        pass


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "file not found"),
        (b"", "empty"),
        (b"this is not audio at all" * 50, "not a readable audio file"),
    ],
)
def test_bad_files_get_a_message_and_the_window_keeps_working(
    qtbot, window: MainWindow, tmp_path: Path, calls_wav: Path, content, problem
):
    win = window
    bad = tmp_path / "bad.wav"
    if content is not None:
        bad.write_bytes(content)
    with qtbot.waitSignal(win.error_reported, timeout=10_000) as blocker:
        win.open_path(bad)
    message = blocker.args[0]
    assert str(bad) in message and problem in message
    assert win.info is None
    # The app is still usable: a good file opens and runs.
    open_and_run(qtbot, win, calls_wav)
    assert win.review.visible()


def test_truncated_wav_opens_with_a_warning(qtbot, window: MainWindow, calls_wav: Path, tmp_path: Path):
    win = window
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(calls_wav.read_bytes()[: 44 + 2 * 32000 * 6])
    with qtbot.waitSignal(win.error_reported, timeout=10_000) as blocker:
        win.open_path(truncated)
    assert str(truncated) in blocker.args[0] and "truncated" in blocker.args[0]
    qtbot.waitUntil(lambda: win.info is not None, timeout=10_000)
    assert win.info.duration == pytest.approx(6.0, abs=0.01)


def test_labels_that_would_overlap_take_lanes_then_are_shortened(qtbot, window: MainWindow, tmp_path: Path):
    win = window
    # Energy-detector windows are 1 s long; calls in neighbouring windows.
    rec = write_calls(tmp_path / "dense.wav", duration=60.0,
                      calls=tuple((float(s) + 0.2, float(s) + 0.8, 4000.0) for s in range(10, 20)))
    open_and_run(qtbot, win, rec)
    ids = [d.id for d in win.review.visible()]
    assert len(ids) >= 10
    win.view.set_visible_range(9.0, 12.0)  # ~300 px per second: full labels fit, in one lane
    qtbot.waitUntil(lambda: all(win.overlay.label_item(i).isVisible() for i in ids[:2]), timeout=2_000)
    label = win.overlay.label_item(ids[0])
    assert label.toPlainText() == label.full_text and "Sound" in label.full_text
    assert label.anchor[1] == win.overlay.label_item(ids[1]).anchor[1] == 0
    win.view.set_visible_range(8.0, 24.0)  # ~60 px per second: neighbours take other lanes
    qtbot.waitUntil(lambda: win.overlay.label_item(ids[1]).anchor[1] != 0, timeout=2_000)
    first = win.overlay.label_item(ids[0])
    assert first.isVisible() and first.toPlainText().startswith("Sound")  # the name, maybe elided
    win.view.set_visible_range(0.0, 60.0)  # ~16 px per second: the score alone
    qtbot.waitUntil(
        lambda: win.overlay.label_item(ids[0]).toPlainText() == win.overlay.label_item(ids[0]).short_text,
        timeout=2_000,
    )
    assert win.overlay.label_item(ids[0]).isVisible()
    # The last label of its lane has free space after it: it keeps its full text.
    last = win.overlay.label_item(ids[-1])
    assert last.isVisible() and last.toPlainText() == last.full_text


def test_typing_in_the_table_does_not_search_its_rows(qtbot, window: MainWindow, calls_wav: Path):
    # Qt's item views jump to the row whose first column starts with the keys
    # typed, reading every row; here keys are review keys and rows are times.
    win = window
    open_and_run(qtbot, win, calls_wav)
    first = win.review.selected
    assert int(first.start) == 1
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_9)  # the 9.1 s row's Start begins with "9"
    assert win.review.selected.id == first.id
    assert win.table.current_id() == first.id
    qtbot.keyClick(win.table, Qt.Key.Key_A)  # still a verdict, and the next row
    assert win.session.status(first.id) == Status.ACCEPTED
    assert int(win.review.selected.start) == 5
