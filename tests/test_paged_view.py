"""View › Paged view in the real window: pages of rows, paging keys, clicks, selection, settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.review import Status
from audioclass_gui.spectrogram.pages import PageLayout
from tests.conftest import open_main_window, write_birdnet_csv, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DURATION = 120.0
#: A BirdNET-Analyzer table: a 3-s window every 6 s, two species, scores 0.30 to 0.95.
ROWS = [
    (float(t), float(t + 3), *(("Turdus merula", "Eurasian Blackbird") if i % 2 else ("Parus major", "Great Tit")),
     round(0.30 + 0.65 * (i % 6) / 5, 2))
    for i, t in enumerate(range(0, 117, 6))
]  # fmt: skip


def _recording(tmp_path: Path) -> tuple[Path, Path]:
    """A 2-minute recording with a call in each window of :data:`ROWS`, and the table."""
    audio = write_calls(
        tmp_path / "long.wav",
        duration=DURATION,
        calls=tuple((t + 1.0, t + 1.6, 3000.0 + 500 * (i % 5)) for i, (t, *_r) in enumerate(ROWS)),
    )
    return audio, write_birdnet_csv(tmp_path / "out" / "long.BirdNET.results.csv", audio, ROWS)


def _import(qtbot, window: MainWindow, table: Path) -> None:
    with qtbot.waitSignal(window.project_files.imported, timeout=20_000):
        window.project_files.import_predictions(table)


@pytest.fixture
def win(qtbot, tmp_path: Path) -> MainWindow:
    """The window on the 2-minute recording with the table's detections imported, threshold 0.5."""
    audio, table = _recording(tmp_path)
    window = open_main_window(qtbot, audio, threshold=0.5)
    _import(qtbot, window, table)
    return window


def _paged(qtbot, win: MainWindow, layout: PageLayout | None = None):
    """Set the bar's rows, row length and overlap as a user does, then Ctrl+L; wait for the page."""
    view = win.paged.view
    if layout is not None:
        view.overlap_box.setValue(0.0)
        view.rows_box.setValue(layout.rows)
        view.seconds_box.setValue(layout.row_seconds)
        view.overlap_box.setValue(layout.overlap)
    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert win.app.paged.active and view.isVisible() and not win.view.isVisible()
    qtbot.waitUntil(lambda: view.page_painted, timeout=20_000)
    return view


def _spans(view) -> list[tuple[float, float]]:
    return [tuple(round(x, 6) for x in row.viewbox.viewRange()[0]) for row in view.rows]


def _click(qtbot, view, row_index: int, seconds: float, hz: float) -> None:
    row = view.rows[row_index]
    scene = row.viewbox.mapViewToScene(QPointF(seconds, hz))
    point: QPoint = view.graphics.mapFromScene(scene)
    qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_pages_cover_the_recording_and_page_down_turns_them(qtbot, win: MainWindow):
    view = _paged(qtbot, win, PageLayout(3, 20.0, 2.0))
    assert win.app.paged.layout == PageLayout(3, 20.0, 2.0)
    assert len(view.rows) == 3
    pages, seen = [], []
    while True:
        qtbot.waitUntil(lambda: view.page_painted, timeout=20_000)
        spans = _spans(view)
        assert spans == [(r.start, r.end) for r in win.app.paged.rows()]
        pages.append(spans)
        seen.append(view.page_label.text())
        before = win.app.paged.page
        qtbot.keyClick(win, Qt.Key.Key_PageDown)
        if win.app.paged.page == before:
            break
    # 18-s steps: rows 0-20, 18-38, ... ; 7 rows reach 120 s, so 3 pages.
    assert len(pages) == 3 == win.app.paged.page_count
    rows = [span for page in pages for span in page]
    assert all(b[0] == pytest.approx(a[1] - 2.0) for a, b in zip(rows, rows[1:], strict=False))
    assert rows[0][0] == 0.0 and rows[-1][1] >= DURATION
    assert pages[0] != pages[1] != pages[2]
    assert seen[0].startswith("Page 1 of 3") and seen[-1].startswith("Page 3 of 3")
    # The last page: its first row holds the end, the two after it are blank.
    last = view.rows
    assert last[0].end_shade.isVisible() and last[2].end_shade.isVisible()
    # Every row of every page drew its own tiles, from the one shared loader.
    assert all(row.painted for row in view.rows)
    assert win.paged.view.tiles.loader.computed > 0
    # PgUp turns back; Home and End go to the first and last pages.
    qtbot.keyClick(win, Qt.Key.Key_PageUp)
    assert win.app.paged.page == 1
    qtbot.keyClick(win, Qt.Key.Key_Home)
    assert win.app.paged.page == 0 and _spans(view) == pages[0]
    qtbot.keyClick(win, Qt.Key.Key_End)
    assert win.app.paged.page == 2
    # The timeline strip shows the page.
    region = win.timeline.region.getRegion()
    assert region[0] == pytest.approx(pages[2][0][0], abs=0.01)

    # Back to the single spectrogram: it shows the page paged to, and PgDn pages it again.
    qtbot.keyClick(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert win.view.isVisible() and not view.isVisible()
    # Put away, the paged view lets go of its images and tiles.
    assert not any(row.tiles.images for row in view.rows)
    assert len(view.tiles.loader.cache) <= view.tiles.loader.max_in_flight  # those on their way at most
    start, end = win.view.visible_range()
    assert start == pytest.approx(pages[2][0][0], abs=0.01)
    qtbot.keyClick(win, Qt.Key.Key_Home)
    assert win.view.visible_range()[0] == pytest.approx(0.0)
    qtbot.keyClick(win, Qt.Key.Key_PageDown)
    assert win.view.visible_range()[0] > 0.0 and win.app.paged.page == 2


def test_rows_draw_the_listed_detections_and_a_click_selects_one(qtbot, win: MainWindow):
    view = _paged(qtbot, win, PageLayout(4, 15.0, 0.0))
    listed = {d.id: d for d in win.review.visible()}
    assert listed and all(d.score >= 0.5 for d in listed.values())
    page_start, page_end = win.app.paged.span()
    for row in view.rows:
        drawn = set(row.overlay.detection_ids)
        # Only what the list shows at its threshold, and everything of it in the row.
        assert drawn <= set(listed)
        for d in listed.values():
            if d.end > row.span.start and d.start < row.span.end:
                assert d.id in drawn
    # Raising the threshold takes boxes away from the rows, as from the table.
    win.model_panel.set_threshold(0.9)
    qtbot.waitUntil(
        lambda: all(win.session.get(i).score >= 0.9 for r in view.rows for i in r.overlay.detection_ids),
        timeout=5_000,
    )
    win.model_panel.set_threshold(0.5)

    # A click in a box (low in the band, away from its label) selects it; the table follows.
    target = next(d for d in win.review.visible() if 15.0 <= d.start and d.end <= 30.0)
    qtbot.waitUntil(lambda: target.id in view.rows[1].overlay.detection_ids, timeout=5_000)
    _click(qtbot, view, 1, (target.start + target.end) / 2, 1000.0)
    assert win.app.review.selected == target.id
    assert win.table.current_id() == target.id
    box = view.rows[1].overlay.box_item(target.id)
    assert box.pen().widthF() == 3.0  # drawn as the selected one
    assert win.app.paged.page == 0  # it was on the page shown

    # A click between boxes puts the playback cursor there, drawn in that row only.
    empty = next(
        t + 0.5 for t in range(int(page_start), int(page_end))
        if not any(d.start <= t + 0.5 <= d.end for d in win.review.visible())
        and 30.0 < t + 0.5 < 45.0
    )  # fmt: skip
    _click(qtbot, view, 2, empty, 1000.0)
    assert win.app.review.selected == target.id
    assert win.app.playback.cursor == pytest.approx(empty, abs=0.1)
    assert [row.cursor.isVisible() for row in view.rows] == [False, False, True, False]


def test_selecting_elsewhere_turns_to_its_page_and_the_playhead_shows_in_its_row(qtbot, win: MainWindow):
    view = _paged(qtbot, win, PageLayout(2, 20.0, 3.0))
    later = next(d for d in win.review.visible() if d.start > 80.0)
    expected = win.app.paged.layout.page_for_span(later.start, later.end, DURATION, 0)
    assert expected > 0
    win.table.select_detection(later.id)  # as a click in the table
    assert win.app.review.selected == later.id
    assert win.app.paged.page == expected
    assert any(r.span.holds(later.start) and r.span.holds(later.end) for r in view.rows)
    qtbot.waitUntil(lambda: view.page_painted, timeout=20_000)
    holder = next(i for i, r in enumerate(view.rows) if r.span.holds(later.start))
    assert view.rows[holder].overlay.box_item(later.id).pen().widthF() == 3.0
    # R rejects it: its box turns dashed in place, the next one is selected, on the page shown.
    qtbot.keyClick(win, Qt.Key.Key_R)
    assert win.session.status(later.id) == Status.REJECTED
    assert view.rows[holder].overlay.box_item(later.id).pen().style() == Qt.PenStyle.DashLine
    after = win.review.selected
    assert after.id != later.id and any(r.span.holds(after.start) for r in view.rows)
    # Down in the table goes on through the detections, turning pages as needed.
    for _ in range(3):
        win.review.step(+1)
        d = win.review.selected
        assert any(r.span.holds(d.start) for r in view.rows)

    # The playhead is drawn in the row that shows its time, not in the others.
    row = view.rows[1]
    t = (row.span.start + row.span.end) / 2
    win.playback.position_changed.emit(t)
    assert [r.playhead.isVisible() for r in view.rows] == [r.span.holds(t) for r in view.rows]
    assert row.playhead.isVisible() and row.playhead.value() == pytest.approx(t)
    # Following playback, the page turns when the playhead leaves it.
    assert win.playback_bar.follow
    far = DURATION - 1.0
    win.playback.position_changed.emit(far)
    assert win.app.paged.page == win.app.paged.page_count - 1
    assert any(r.playhead.isVisible() and r.span.holds(far) for r in view.rows)
    win.playback.position_changed.emit(None)
    assert not any(r.playhead.isVisible() for r in view.rows)


def test_rows_row_length_and_overlap_are_kept(qtbot, tmp_path: Path, config_dir: Path):
    audio = write_calls(tmp_path / "a.wav", duration=30.0)
    first = open_main_window(qtbot, audio)
    _paged(qtbot, first, PageLayout(6, 4.0, 0.5))
    assert [len(first.paged.view.rows), first.app.paged.page_count] == [6, 2]
    first.close()

    second = open_main_window(qtbot, audio)
    assert second.app.paged.layout == PageLayout(6, 4.0, 0.5)
    view = second.paged.view
    assert (view.rows_box.value(), view.seconds_box.value(), view.overlap_box.value()) == (6, 4.0, 0.5)
    assert not second.app.paged.active  # the single spectrogram shows first
    _paged(qtbot, second)
    assert len(view.rows) == 6
    second.close()


def test_detections_that_arrive_while_paged_are_drawn(qtbot, tmp_path: Path):
    audio, table = _recording(tmp_path)
    window = open_main_window(qtbot, audio, threshold=0.5)
    view = _paged(qtbot, window, PageLayout(4, 15.0, 0.0))
    assert not any(row.overlay.detection_ids for row in view.rows)
    _import(qtbot, window, table)
    expected = {d.id for d in window.review.visible()}
    assert expected
    qtbot.waitUntil(lambda: all(set(row.overlay.detection_ids) == expected for row in view.rows), timeout=5_000)
    window.close()
