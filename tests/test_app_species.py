"""The species panel: per-species counts, one species across recordings by score, filters."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.review import Status
from tests.conftest import open_main_window, write_birdnet_csv, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# (recording, start, scientific name, common name, confidence)
ROWS = {
    "a": [
        (0, "Turdus merula", "Eurasian Blackbird", 0.62),
        (3, "Turdus merula", "Eurasian Blackbird", 0.91),
        (3, "Parus major", "Great Tit", 0.55),
        (6, "Parus major", "Great Tit", 0.30),
    ],
    "b": [
        (0, "Turdus merula", "Eurasian Blackbird", 0.77),
        (3, "Parus major", "Great Tit", 0.81),
    ],
}



@pytest.fixture
def folder(tmp_path: Path, reviewer_settings) -> Path:
    """Two recordings with BirdNET-Analyzer result tables beside them; a known reviewer."""
    reviewer_settings("Cy")
    root = tmp_path / "site"
    root.mkdir()
    for stem, rows in ROWS.items():
        audio = write_calls(root / f"{stem}.wav", duration=9.0)
        write_birdnet_csv(
            root / f"{stem}.BirdNET.results.csv",
            audio,
            [(s, s + 3, sci, common, conf) for s, sci, common, conf in rows],
        )
    return root


@pytest.fixture
def window(qtbot, folder: Path):
    win = open_main_window(qtbot, folder, threshold=0.25)
    assert win.projects.dialog is None, win.projects.project.problems
    yield win
    win.close()


def counts(win: MainWindow) -> dict[str, tuple[str, ...]]:
    table = win.species_panel.panel.table
    return {
        table.item(r, 0).text(): tuple(table.item(r, c).text() for c in range(1, 5))
        for r in range(table.rowCount())
    }


def test_species_panel_one_pass_review_across_recordings(qtbot, window: MainWindow):
    win = window
    panel = win.species_panel.panel
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5_000)
    # The result tables' common names reach the panel.
    assert counts(win) == {
        "Eurasian Blackbird": ("3", "0", "0", "3"),
        "Great Tit": ("3", "0", "0", "3"),
    }

    # Choosing the great tit lists its detections of both recordings, best first.
    row = next(
        r
        for r in range(2)
        if panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole + 1) == "Parus major"
    )
    qtbot.mouseClick(
        panel.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=panel.table.visualRect(panel.table.model().index(row, 0)).center(),
    )
    listed = win.review.visible()
    assert [(Path(d.recording.path).stem, d.score) for d in listed] == [
        ("b", 0.81),
        ("a", 0.55),
        ("a", 0.30),
    ]
    assert win.table.source.data(win.table.source.index(0, 6)) == "b.wav"

    # Reviewing in one pass: each verdict moves to the next one by score,
    # opening the other recording when needed.
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.review.select(listed[0].id)
    assert win.info.path.name == "b.wav"
    assert all(
        Path(d.recording.path).name == "b.wav"
        for d in map(win.session.get, win.overlay.detection_ids)
    )
    win.activateWindow()
    win.table.setFocus()
    # The verdict is announced (for autoplay) only once the next recording is shown.
    seen = []
    win.review.verdict_given.connect(lambda _i: seen.append(win.info.path.name))
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        qtbot.keyClick(win.table, Qt.Key.Key_A)
    assert seen == ["a.wav"]
    assert win.info.path.name == "a.wav"
    assert win.review.selected.id == listed[1].id
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_R)
    assert win.review.selected.id == listed[2].id
    qtbot.keyClick(win.table, Qt.Key.Key_R)
    assert [win.session.status(d.id) for d in listed] == [
        Status.ACCEPTED,
        Status.REJECTED,
        Status.REJECTED,
    ]
    qtbot.waitUntil(
        lambda: counts(win)["Great Tit"] == ("3", "1", "2", "0"), timeout=5_000
    )

    # Filters: status and score range narrow the list.
    panel.status.setCurrentIndex(panel.status.findText("Rejected"))
    assert [d.score for d in win.review.visible()] == [0.55, 0.30]
    panel.min_score.setValue(0.5)
    assert [d.score for d in win.review.visible()] == [0.55]
    # Show all: back to the open recording's detections, in time order.
    qtbot.mouseClick(panel.reset, Qt.MouseButton.LeftButton)
    assert [(d.start, d.scientific_name) for d in win.review.visible()] == [
        (0.0, "Turdus merula"),
        (3.0, "Turdus merula"),
        (3.0, "Parus major"),
        (6.0, "Parus major"),
    ]
    assert win.table.source.data(win.table.source.index(0, 6)) == ""
