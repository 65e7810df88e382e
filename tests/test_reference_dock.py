"""The Reference examples dock in the real window: examples, thumbnails, play, open."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from audioclass_gui.audio.playback import PlaybackEngine
from audioclass_gui.audio.reader import read_window
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.qt.menus import find_menu
from audioclass_gui.qt.playback.playback_settings import (
    PlaybackSettings,
    settings_store,
)
from audioclass_gui.review import Status
from tests.conftest import write_birdnet_csv
from tests.reference_project import COMMON, ROWS, TENNESSEE, write_recordings
from tests.test_playback_engine import Factory

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ACCEPTED = [("a", 0), ("a", 3), ("a", 6), ("a", 9), ("b", 0), ("b", 3), ("c", 6)]


@pytest.fixture
def folder(tmp_path: Path, reviewer_settings) -> Path:
    """Three recordings with BirdNET-Analyzer tables beside them; a known reviewer."""
    reviewer_settings("Ana")
    PlaybackSettings(context=0.0).save(settings_store())
    root = tmp_path / "site"
    paths = write_recordings(root)
    for stem, path in paths.items():
        rows = [(s, s + 3, sp, COMMON[sp], sc) for r, s, sp, sc, run in ROWS if r == stem and not run]
        write_birdnet_csv(root / f"{stem}.BirdNET.results.csv", path, rows)
    return root


@pytest.fixture
def factory() -> Factory:
    return Factory(pace=20.0)


@pytest.fixture
def window(qtbot, folder: Path, factory: Factory):
    win = MainWindow(playback_engine=PlaybackEngine(factory))
    qtbot.addWidget(win)
    win.show()
    win.model_panel.set_threshold(0.25)
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.open_path(folder)
    assert win.projects.dialog is None, win.projects.project.problems
    session = win.session
    ids = {(Path(d.recording.path).stem, d.start): d.id for d in session.detections()}
    session.set_status([ids[k] for k in ACCEPTED], Status.ACCEPTED)
    session.set_status([ids[("b", 6)]], Status.REJECTED)
    session.relabel([ids[("c", 0)]], TENNESSEE)
    win.ids = ids
    yield win
    win.close()


def shown(win: MainWindow) -> list[tuple[str, str]]:
    return [(c.example.recording.stem, c.caption.text()) for c in win.references.panel.cards]


def open_dock(qtbot, win: MainWindow) -> None:
    dock = win.references.dock
    assert dock.toggleViewAction() in find_menu(win, "&View").actions()
    # Tabbed beside the Species panel, behind it: it takes no room until chosen.
    assert dock in win.tabifiedDockWidgets(win.findChild(QDockWidget, "dock-species"))
    assert not win.app.references.active
    dock.raise_()
    qtbot.waitUntil(lambda: win.app.references.active, timeout=5_000)


def select(qtbot, win: MainWindow, key: tuple[str, float]) -> None:
    detection_id = win.ids[key]
    if win.info.path.stem == key[0]:
        win.review.select(detection_id)
    else:
        with qtbot.waitSignal(win.recording_opened, timeout=20_000):
            win.review.select(detection_id)
    assert win.review.selected.id == detection_id


def test_dock_lists_the_best_accepted_calls_with_thumbnails(qtbot, window: MainWindow):
    win = window
    open_dock(qtbot, win)
    select(qtbot, win, ("a", 3))
    panel = win.references.panel
    assert panel.title.text() == "<b>Tennessee Warbler</b>: accepted calls in this project"
    assert [(stem, text.splitlines()[0]) for stem, text in shown(win)] == [
        ("a", "a.wav · 0.0 s"),
        ("a", "a.wav · 6.0 s"),
        ("b", "b.wav · 0.0 s"),
        ("c", "c.wav · 6.0 s"),
        ("a", "a.wav · 9.0 s"),
        ("c", "c.wav · 0.0 s"),
    ]
    assert [text.splitlines()[1] for _stem, text in shown(win)] == [
        "score 0.97 · Ana",
        "score 0.93 · Ana",
        "score 0.61 · Ana",
        "score 0.58 · Ana",
        "score 0.40 · Ana",
        "relabelled from Bay-breasted Warbler · Ana",
    ]
    qtbot.waitUntil(lambda: all(c.has_picture for c in panel.cards), timeout=20_000)
    picture = panel.cards[0].picture.pixmap().toImage()
    assert picture.height() == 80 and picture.width() == panel.cards[0].picture.width() >= 240
    # Not blank: the colour map spans dark background and bright call.
    greys = {picture.pixelColor(x, y).lightness() for x in range(0, 240, 7) for y in range(0, 80, 5)}
    assert max(greys) - min(greys) > 100

    # Stepping to the next detection of the species: the list follows, from the cache.
    before = {c.example for c in panel.cards}
    cached = win.app.references.cached_thumbnails
    select(qtbot, win, ("a", 6))
    assert [stem for stem, _ in shown(win)][:2] == ["a", "a"]
    assert "a.wav · 3.0 s" in shown(win)[1][1]
    # The calls listed before are drawn at once from the cache; only a 3-6 s may be new
    # (it was computed already if the panel showed it for the detection selected on opening).
    assert all(c.has_picture for c in panel.cards if c.example in before)
    qtbot.waitUntil(lambda: all(c.has_picture for c in panel.cards), timeout=20_000)
    assert win.app.references.cached_thumbnails <= cached + 1

    # Another species, whose only accepted call is the one selected.
    select(qtbot, win, ("b", 3))
    assert panel.cards == []
    assert panel.empty.isVisible()
    assert panel.empty.text() == "No accepted Bay-breasted Warbler yet in this project."


def test_missing_recording_gives_a_placeholder_naming_it(qtbot, window: MainWindow, folder: Path):
    win = window
    (folder / "c.wav").rename(folder / "c-renamed.wav")
    open_dock(qtbot, win)
    select(qtbot, win, ("a", 3))
    panel = win.references.panel
    qtbot.waitUntil(
        lambda: all(c.has_picture or c.problem for c in panel.cards), timeout=20_000
    )
    problems = {c.example.recording.name: c.problem for c in panel.cards if c.problem}
    assert problems == {"c.wav": "c.wav not found"}
    assert all(c.picture.text() == "c.wav not found" for c in panel.cards if c.problem)
    assert sum(c.has_picture for c in panel.cards) == 4


def test_click_plays_the_example_from_its_recording_and_double_click_opens_it(
    qtbot, window: MainWindow, factory: Factory, folder: Path
):
    win = window
    open_dock(qtbot, win)
    select(qtbot, win, ("a", 3))
    card = win.references.panel.cards[2]
    assert card.example.recording.name == "b.wav" and win.info.path.name == "a.wav"
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(factory.opened), timeout=10_000)
    qtbot.waitUntil(lambda: win.playback.state == "stopped", timeout=10_000)
    heard = factory.opened[-1].output()[:, 0]
    expected = read_window(folder / "b.wav", 0.0, 3.0)
    np.testing.assert_array_equal(heard[: expected.size], expected)
    assert not heard[expected.size :].any()
    # The playhead of another recording is not drawn over the one shown.
    assert not win.view.playhead.isVisible()
    # Space plays the selection of the recording shown again.
    selected = win.review.selected
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(factory.opened) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: win.playback.state == "stopped", timeout=10_000)
    again = read_window(folder / "a.wav", selected.start, selected.end)
    np.testing.assert_array_equal(factory.opened[-1].output()[: again.size, 0], again)

    # Double-click: its recording opens, the example is selected and in view.
    example = card.example
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        qtbot.mouseDClick(card, Qt.MouseButton.LeftButton)
    assert win.info.path.name == "b.wav"
    qtbot.waitUntil(lambda: win.review.selected is not None, timeout=5_000)
    assert win.review.selected.id == example.key
    x0, x1 = win.view.visible_range()
    assert x0 <= example.start and example.end <= x1
