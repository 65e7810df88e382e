"""A recording with many detections: lazy table, sorting, overlays of the visible range."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.qt.review.overlays import DRAW_ALL_UP_TO
from audioclass_gui.review import DetectionList, Status
from tests.conftest import write_birdnet_csv

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SPECIES = (("Turdus merula", "Eurasian Blackbird"), ("Parus major", "Great Tit"))
DURATION = 300.0


@pytest.fixture
def win(qtbot, tmp_path: Path, reviewer_settings):
    reviewer_settings("Em")
    root = tmp_path / "site"
    root.mkdir()
    audio = root / "long.wav"
    rng = np.random.default_rng(3)
    sf.write(
        audio, (rng.standard_normal(int(DURATION * 8000)) * 300).astype(np.int16), 8000
    )
    rows = []
    for k, start in enumerate(np.arange(0.0, DURATION - 3.0, 1.5)):
        for j, (sci, common) in enumerate(SPECIES):
            score = 0.1 + 0.8 * ((k * 7 + j * 3) % 97) / 96
            rows.append((start, start + 3, sci, common, f"{score:.4f}"))
    write_birdnet_csv(root / "long.BirdNET.results.csv", audio, rows)
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    window.model_panel.set_threshold(0.1)
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(root)
    yield window
    window.close()


def drawn_starts(win: MainWindow) -> list[float]:
    return sorted(win.session.get(i).start for i in win.overlay.detection_ids)


def test_many_detections_table_and_overlays(qtbot, win: MainWindow):
    n = len(win.session)
    assert n > DRAW_ALL_UP_TO
    # The table lists every detection above the threshold, lazily.
    rows = win.review.visible(lazy=True)
    assert isinstance(rows, DetectionList)
    assert win.table.model().rowCount() == len(rows) == n
    assert rows == win.review.visible()  # the same detections as the plain list

    # The overlays draw only what is around the visible range.
    x0, x1 = win.view.visible_range()
    starts = drawn_starts(win)
    assert 0 < len(starts) < n
    span = x1 - x0
    assert all(s < x1 + span and s + 3 > x0 - span for s in starts)
    in_view = [d for d in win.review.visible() if d.end > x0 and d.start < x1]
    assert {d.id for d in in_view} <= set(win.overlay.detection_ids)

    # Scrolling the view draws the new range.
    win.view.set_visible_range(200.0, 220.0)
    qtbot.waitUntil(
        lambda: all(190 <= s <= 225 for s in drawn_starts(win)), timeout=2_000
    )
    assert any(200 <= s <= 217 for s in drawn_starts(win))

    # The threshold moves table and overlays together.
    win.model_panel.set_threshold(0.8)
    high = [d for d in win.session.detections() if d.score >= 0.8]
    assert win.table.model().rowCount() == len(high)
    assert all(win.session.get(i).score >= 0.8 for i in win.overlay.detection_ids)

    # Sorting by a column is done in the model: best score first, then back.
    win.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    scores = [win.session.get(i).score for i in win.table.ordered_ids()]
    assert scores == sorted(scores, reverse=True)
    win.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    starts_in_table = [win.session.get(i).start for i in win.table.ordered_ids()]
    assert starts_in_table == sorted(starts_in_table)

    # Selecting a detection far away scrolls there, draws and highlights it.
    far = max(high, key=lambda d: d.start)
    win.table.select_detection(far.id)
    assert win.review.selected.id == far.id
    assert far.id in win.overlay.detection_ids
    x0, x1 = win.view.visible_range()
    assert x0 <= far.start and far.end <= x1
    assert win.overlay._styles[far.id][1] is True  # drawn as selected

    # A verdict by key recolours the row and moves on to the next one.
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_R)
    assert win.session.status(far.id) is Status.REJECTED
    row = win.table.source.row_of(far.id)
    assert win.table.model().index(row, 5).data() == "Rejected"
    assert win.review.selected.id != far.id
