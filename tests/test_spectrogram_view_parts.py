"""The spectrogram view and the helpers it is composed of, each built alone.

:class:`SpectrogramView` delegates to helpers that own their state: the
images (:class:`TileDisplay`), the levels (:class:`DisplayLevels`), zoom and
pan (:class:`ViewNavigation`) and the selection (:class:`TimeSelection`).
These tests build the view without a main window, and the helpers without
a view.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest

from audioclass_gui.audio.info import read_info
from audioclass_gui.qt.common.tasks import TaskRunner
from audioclass_gui.qt.spectrogram.spectrogram_levels import DisplayLevels
from audioclass_gui.qt.spectrogram.spectrogram_settings import DisplaySettings
from audioclass_gui.qt.spectrogram.spectrogram_view import SpectrogramView
from audioclass_gui.qt.spectrogram.time_selection import TimeSelection
from audioclass_gui.qt.spectrogram.view_coordinates import ViewCoordinates
from audioclass_gui.qt.spectrogram.view_navigation import ViewNavigation
from audioclass_gui.spectrogram import SpectrogramTile


@pytest.fixture
def view(qtbot):
    runner = TaskRunner()
    view = SpectrogramView(runner)
    view.resize(900, 400)
    view.show()
    yield view
    # Deliver what the pool finished while the view is still open (closing
    # a pyqtgraph view clears its scene), then close it.
    runner.shutdown()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    qtbot.wait(20)
    view.close()
    view.deleteLater()


def _open(qtbot, view: SpectrogramView, path: Path) -> None:
    view.set_recording(read_info(path))
    qtbot.waitUntil(
        lambda: view.painted_range is not None and view.loader.pending == 0,
        timeout=10_000,
    )


def test_view_alone_draws_its_tiles_and_restyles_them(qtbot, view, calls_wav: Path) -> None:
    shown: list[object] = []
    view.levels_changed.connect(shown.append)
    _open(qtbot, view, calls_wav)
    images = view.tiles.images
    assert images and view.painted_range == pytest.approx((0.0, 12.0), abs=0.1)
    auto = view.levels
    assert auto is not None and auto[0] < auto[1] < 0.0  # measured on the tiles, in dB
    assert all(tuple(item.levels) == pytest.approx(auto) for item in images.values())

    fixed = DisplaySettings(auto_levels=False, floor=-90.0, ceiling=-20.0, gain=6.0)
    view.set_display(replace(fixed, colormap="inverted-greyscale"))
    assert view.levels == (-96.0, -26.0)  # the gain shifts the fixed levels
    assert all(tuple(item.levels) == (-96.0, -26.0) for item in view.tiles.images.values())
    assert shown[-1] == ((-96.0, -26.0), "inverted-greyscale")


def test_turning_pcen_off_draws_the_tiles_with_db_levels_again(
    qtbot, view, calls_wav: Path
) -> None:
    _open(qtbot, view, calls_wav)
    db = view.levels
    view.set_params(replace(view.params, pcen=True))
    qtbot.waitUntil(lambda: view.painted_range is not None, timeout=10_000)
    pcen = view.levels
    assert pcen is not None and pcen[0] >= 0.0  # PCEN values, not dB
    view.set_params(replace(view.params, pcen=False))
    assert view.levels == db  # not the PCEN levels, which would paint dB tiles white
    qtbot.waitUntil(lambda: view.painted_range is not None, timeout=10_000)
    assert all(tuple(item.levels) == pytest.approx(db) for item in view.tiles.images.values())


def test_navigation_keeps_the_view_inside_the_recording(qtbot) -> None:
    box = pg.ViewBox()
    nav = ViewNavigation(box)
    nav.set_visible_range(-5.0, 500.0)  # no recording yet: shown as asked
    assert nav.visible_range() == pytest.approx((-5.0, 500.0))
    nav.set_extent(60.0, 8000.0)
    nav.set_band(1000.0, 8000.0)
    nav.set_visible_range(10.0, 30.0)
    nav.page(+1)
    assert nav.visible_range() == pytest.approx((28.0, 48.0))  # 10 % kept
    nav.page(+1)
    assert nav.visible_range() == pytest.approx((40.0, 60.0))  # stops at the end
    nav.pan(-3.0)
    assert nav.visible_range() == pytest.approx((0.0, 20.0))  # and at the start
    nav.zoom_time(2.0, centre=5.0)
    assert nav.visible_range() == pytest.approx((0.0, 10.0))
    nav.ensure_visible(40.0, 42.0)
    assert nav.visible_range() == pytest.approx((36.0, 46.0))  # panned, same zoom
    nav.set_frequency_range(7000.0, 12000.0)
    assert nav.frequency_range() == pytest.approx((3000.0, 8000.0))  # kept under Nyquist
    nav.zoom_to_fit()
    assert nav.visible_range() == pytest.approx((0.0, 60.0))
    assert nav.frequency_range() == pytest.approx((1000.0, 8000.0))  # the band set


def test_display_levels_measure_each_scale_and_follow_the_settings(qtbot) -> None:
    levels = DisplayLevels()
    changes: list[bool] = []
    levels.changed.connect(changes.append)
    assert levels.levels is None and not levels.knows("dB")
    data = np.random.default_rng(0).normal(-60.0, 5.0, (64, 200)).astype(np.float32)
    levels.measure(data, "dB")
    low, high = levels.levels
    assert levels.knows("dB") and low < -60.0 < high and levels.overview_levels == (low, high)
    levels.set_display(replace(levels.display, gain=10.0), sample=data)  # measured again
    assert levels.levels == pytest.approx((low - 10.0, high - 10.0))
    levels.set_display(replace(levels.display, colormap="greyscale"), sample=data)
    assert changes == [False, False, True]  # the last one changed the colours

    levels.set_scale("PCEN")  # nothing measured in PCEN yet: no tile levels
    assert levels.levels is None and levels.overview_levels is not None
    levels.measure(np.linspace(0.1, 2.0, 1000, dtype=np.float32).reshape(10, 100), "PCEN")
    assert 0.0 < levels.levels[0] < levels.levels[1]
    levels.reset()
    assert levels.levels is None and levels.overview_levels is None
    assert not levels.knows("dB") and not levels.knows("PCEN")


def test_time_selection_says_when_it_changes(qtbot) -> None:
    plot = pg.PlotItem()
    selection = TimeSelection(plot)
    seen: list[object] = []
    selection.changed.connect(seen.append)
    assert selection.span() is None
    selection.drag(2.0, 3.0, finished=False)
    assert selection.span() == (2.0, 3.0)
    selection.drag(2.0, 4.0, finished=True)
    assert seen[-1] == (2.0, 4.0) and selection.span() == (2.0, 4.0)
    selection.drag(4.0, 4.0, finished=True)  # a click, no range
    assert seen[-1] is None and selection.span() is None
    selection.set_span(None)
    assert selection.span() is None and seen[-1] is None
    selection.set_span((5.0, 5.0))  # empty: no selection
    assert selection.span() is None


def test_view_coordinates_undo_time_expansion(calls_wav: Path) -> None:
    info = read_info(calls_wav)  # 12 s at 32 kHz
    plain, expanded = ViewCoordinates.of(info), ViewCoordinates(info, 10.0)
    assert plain.expansion == 1.0 and plain.duration == pytest.approx(12.0)
    assert expanded.duration == pytest.approx(1.2) and expanded.nyquist == 160_000.0
    assert expanded.seconds(32_000) == pytest.approx(0.1)
    tile = SpectrogramTile(np.zeros((4, 8), np.float32), 1.0, 3.0, 0.0, 16_000.0)
    rect = expanded.rect(tile)
    assert (rect.left(), rect.width(), rect.height()) == pytest.approx((0.1, 0.2, 160_000.0))
    scaled = expanded.scaled(tile)
    assert (scaled.start, scaled.end, scaled.fmax) == pytest.approx((0.1, 0.3, 160_000.0))
    assert plain.scaled(tile) is tile
