"""The waveform view in the real window (offscreen): modes, shared time axis, selection, a day at once."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPointF, QSettings, Qt

from audioclass_gui.spectrogram.envelope_cache import cache_folder, entry_folder

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def win(qtbot, config_dir):
    """The real main window with fresh settings (the waveform choice stays in this test)."""
    from audioclass_gui.qt.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def _open(qtbot, win, path: Path) -> None:
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.open_path(path)


def _wait_painted(qtbot, wave, start: float, end: float, timeout: int = 20_000) -> None:
    """Until the waveform has drawn ``[start, end]`` with every column known."""

    def done() -> bool:
        piece = wave.shown
        return (
            piece is not None
            and piece.known
            and abs(piece.start - start) < 1e-3 * max(1.0, end - start)
            and abs(piece.end - end) < 1e-3 * max(1.0, end - start)
        )

    qtbot.waitUntil(done, timeout=timeout)


def _trigger(win, mode: str) -> None:
    win.waveform.actions[mode].trigger()


def test_the_view_menu_switches_modes_and_remembers_the_choice(qtbot, win, calls_wav, config_dir) -> None:
    _open(qtbot, win, calls_wav)
    mode, wave, spectrogram = win.waveform, win.waveform.view, win.view
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    sub = next(a.menu() for a in menu.actions() if a.text() == "&Waveform")
    assert [a.text() for a in sub.actions()] == [
        "&Spectrogram only",
        "Waveform &above spectrogram",
        "&Waveform only",
    ]
    assert not wave.isVisible() and spectrogram.isVisible() and not wave.loader.active
    assert wave.shown is None  # nothing is read for a hidden waveform

    _trigger(win, "above")
    assert wave.isVisible() and spectrogram.isVisible()
    assert wave.geometry().bottom() < spectrogram.geometry().top()  # above it
    _wait_painted(qtbot, wave, *spectrogram.visible_range())
    assert not wave.plot.getAxis("bottom").isVisible()  # the spectrogram's axis serves both

    _trigger(win, "waveform")
    assert wave.isVisible() and not spectrogram.isVisible()
    assert wave.plot.getAxis("bottom").isVisible()
    assert mode.actions["waveform"].isChecked() and not mode.actions["above"].isChecked()
    stored = QSettings(str(config_dir / "settings.ini"), QSettings.Format.IniFormat)
    assert stored.value("view/waveform") == "waveform"

    from audioclass_gui.qt.main_window import MainWindow

    again = MainWindow()  # a new run: the choice is back
    qtbot.addWidget(again)
    again.show()
    assert again.waveform.mode == "waveform" and again.waveform.actions["waveform"].isChecked()
    assert again.waveform.view.isVisible() and not again.view.isVisible()
    again.close()

    _trigger(win, "spectrogram")
    assert not wave.isVisible() and spectrogram.isVisible() and not wave.loader.active


def test_zoom_and_pan_move_both_views(qtbot, win, calls_wav) -> None:
    _open(qtbot, win, calls_wav)
    _trigger(win, "above")
    wave, spectrogram = win.waveform.view, win.view
    qtbot.keyClick(win, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # zoom to fit
    _wait_painted(qtbot, wave, 0.0, 12.0)
    for _ in range(2):
        qtbot.keyClick(win, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)  # zoom in
    qtbot.keyClick(win, Qt.Key.Key_Right)  # pan
    x0, x1 = spectrogram.visible_range()
    assert x1 - x0 == pytest.approx(3.0, rel=0.05) and x0 > 4.0
    np.testing.assert_allclose(wave.visible_range(), (x0, x1), atol=(x1 - x0) / 500)
    _wait_painted(qtbot, wave, x0, x1)
    # the same instant sits at the same pixel in both plots
    t = (x0 + x1) / 2
    assert abs(_screen_x(wave, t) - _screen_x(spectrogram, t)) <= 1

    wave.viewbox.setXRange(1.0, 2.0, padding=0.0)  # moving the waveform moves the spectrogram
    np.testing.assert_allclose(spectrogram.visible_range(), (1.0, 2.0), atol=0.01)
    np.testing.assert_allclose(win.timeline.region.getRegion(), (1.0, 2.0), atol=0.01)

    _trigger(win, "waveform")  # alone, it still follows the window's keys
    qtbot.keyClick(win, Qt.Key.Key_PageDown)
    y0, y1 = spectrogram.visible_range()
    assert y0 > 1.5
    np.testing.assert_allclose(wave.visible_range(), (y0, y1), atol=0.01)
    _wait_painted(qtbot, wave, y0, y1)


def _screen_x(widget, seconds: float) -> int:
    """Where ``seconds`` is drawn in ``widget``'s plot, in screen pixels."""
    scene = widget.viewbox.mapViewToScene(QPointF(seconds, 0.0))
    return widget.mapToGlobal(widget.mapFromScene(scene)).x()


def test_selection_playhead_and_clicks_are_shared(qtbot, win, calls_wav) -> None:
    _open(qtbot, win, calls_wav)
    _trigger(win, "above")
    wave, spectrogram = win.waveform.view, win.view
    spectrogram.set_selection((5.3, 5.9))
    assert wave.selection.isVisible()
    assert wave.selection.getRegion() == pytest.approx((5.3, 5.9))
    spectrogram.set_selection(None)
    assert not wave.selection.isVisible()

    wave.viewbox.selection_dragged.emit(1.0, 1.5, False)  # Shift+drag on the waveform
    assert wave.selection.getRegion() == pytest.approx((1.0, 1.5))
    with qtbot.waitSignal(spectrogram.selection_changed) as blocker:
        wave.viewbox.selection_dragged.emit(1.0, 1.8, True)
    assert blocker.args == [pytest.approx((1.0, 1.8))]
    assert spectrogram.selection() == pytest.approx((1.0, 1.8))

    win.playback.position_changed.emit(3.25)
    assert wave.playhead.isVisible() and wave.playhead.value() == pytest.approx(3.25)
    win.playback.position_changed.emit(None)
    assert not wave.playhead.isVisible()

    with qtbot.waitSignal(spectrogram.time_clicked) as clicked:
        wave.time_clicked.emit(7.5)
    assert clicked.args == [7.5]


def test_the_selected_detection_and_box_are_edged_on_the_waveform(qtbot, win, calls_wav) -> None:
    from tests.test_app_review import open_and_run

    open_and_run(qtbot, win, calls_wav)
    _trigger(win, "above")
    wave = win.waveform.view
    first = win.review.selected
    assert first is not None and int(first.start) == 1  # the run selects the first
    assert wave.target.isVisible()
    assert wave.target.getRegion() == pytest.approx((first.start, first.end))
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_Down)
    second = win.review.selected
    assert int(second.start) == 5
    assert wave.target.getRegion() == pytest.approx((second.start, second.end))

    # A drawn box selected instead; moving it moves its edges on the waveform.
    session = win.session
    box_id = session.add_box(calls_wav, 7.0, 7.8, 500.0, 2000.0, "Turdus merula").box_id
    win.app.review.select_box(box_id)
    assert wave.target.getRegion() == pytest.approx((7.0, 7.8))
    session.move_box(box_id, 7.2, 8.4)  # the boxes are drawn again on the next turn

    def moved() -> None:
        assert wave.target.getRegion() == pytest.approx((7.2, 8.4))

    qtbot.waitUntil(moved, timeout=5_000)
    win.app.review.select_box(None)
    assert not wave.target.isVisible()
    win.app.review.select(first.id)
    assert wave.target.isVisible()
    assert wave.target.getRegion() == pytest.approx((first.start, first.end))
    win.app.review.select(None)
    assert not wave.target.isVisible()

    # Reviewing by events: the selected event's span (what Space plays).
    events = win.app.event_review
    events.set_mode("events")
    qtbot.waitUntil(lambda: events.ready, timeout=10_000)
    events.select(len(events) - 1)
    span = events.span(len(events) - 1)
    assert wave.target.isVisible()
    assert wave.target.getRegion() == pytest.approx((span.start, span.end))


def test_the_waveform_draws_the_settings_channel(qtbot, win, tmp_path: Path) -> None:
    sr = 16000
    t = np.arange(4 * sr) / sr
    quiet = 0.01 * np.sin(2 * np.pi * 440 * t)
    loud = 0.6 * np.sin(2 * np.pi * 220 * t) * (t > 2)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.column_stack([quiet, loud]).astype(np.float32), sr, subtype="FLOAT")
    _open(qtbot, win, path)
    _trigger(win, "above")
    wave = win.waveform.view
    qtbot.keyClick(win, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    _wait_painted(qtbot, wave, 0.0, 4.0)
    assert wave.channel is None  # the mix: extremes of both channels
    assert np.nanmax(wave.shown.high) == pytest.approx(0.6, abs=1e-3)
    combo = win.spectrogram_settings.channel
    combo.setCurrentIndex(combo.findData(0))
    qtbot.waitUntil(lambda: wave.channel == 0 and np.nanmax(wave.shown.high) < 0.02, timeout=10_000)
    assert np.nanmax(wave.shown.high) == pytest.approx(0.01, abs=1e-4)
    top = wave.viewbox.viewRange()[1][1]
    assert top == pytest.approx(0.011, rel=0.05)  # the axis fits the loudest sample


def _sparse_day_wav(path: Path, sr: int, bursts: dict[float, float]) -> Path:
    """A 24-hour 16-bit WAV of silence (holes on disk) with loud seconds at ``bursts``."""
    frames = 24 * 3600 * sr
    nbytes = frames * 2
    with open(path, "wb") as out:
        out.write(b"RIFF" + struct.pack("<I", 36 + nbytes) + b"WAVE")
        out.write(b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, sr, sr * 2, 2, 16))
        out.write(b"data" + struct.pack("<I", nbytes))
        for at, level in bursts.items():
            tone = level * np.sin(2 * np.pi * 100 * np.arange(sr) / sr)
            out.seek(44 + int(at * sr) * 2)
            out.write(np.round(tone * 32767).astype("<i2").tobytes())
        out.truncate(44 + nbytes)
    return path


def test_a_whole_day_shows_at_once_and_again_from_the_cache(qtbot, win, tmp_path: Path) -> None:
    sr = 2000
    loudest, other = 3600.0 * 13 + 5, 3600.0 * 2
    bursts = {loudest: 0.9, other: 0.3}
    path = _sparse_day_wav(tmp_path / "day.wav", sr, bursts)
    _open(qtbot, win, path)
    _trigger(win, "above")
    wave = win.waveform.view
    qtbot.keyClick(win, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # the whole day
    _wait_painted(qtbot, wave, 0.0, 86400.0, timeout=60_000)
    piece = wave.shown
    assert piece.level is not None and piece.times.size == wave._columns()
    loud = int(np.argmax(piece.high))
    assert piece.high[loud] == pytest.approx(0.9, abs=1e-3)
    column = 86400.0 / piece.times.size
    assert abs(piece.times[loud] - loudest) < 2 * column
    second = np.abs(piece.times - other) < 2 * column
    assert piece.high[second].max() == pytest.approx(0.3, abs=1e-3)
    quiet = np.abs(piece.times - 6 * 3600) < 3600
    assert np.all(piece.high[quiet] == 0) and np.all(piece.low[quiet] == 0)
    assert (entry_folder(path, cache_folder()) / "envelope.json").exists()

    from audioclass_gui.qt.main_window import MainWindow

    again = MainWindow()  # another window: the day comes from the cache, nothing is read again
    qtbot.addWidget(again)
    again.show()
    _open(qtbot, again, path)
    again.view.zoom_to_fit()  # (its keys reach the active window, the first)
    _wait_painted(qtbot, again.waveform.view, 0.0, 86400.0, timeout=10_000)
    assert again.waveform.view.loader.steps == 0 and again.waveform.view.loader.complete
    np.testing.assert_array_equal(again.waveform.view.shown.high, piece.high)
    again.close()



def test_the_paged_view_takes_the_place_of_both(qtbot, win, calls_wav) -> None:
    _open(qtbot, win, calls_wav)
    _trigger(win, "waveform")
    wave, spectrogram = win.waveform.view, win.view
    win.paged.set_active(True)
    assert win.paged.view.isVisible()
    assert not wave.isVisible() and not wave.loader.active and not spectrogram.isVisible()
    win.paged.set_active(False)
    assert wave.isVisible() and wave.loader.active and not spectrogram.isVisible()
    _trigger(win, "above")
    win.paged.set_active(True)
    win.paged.set_active(False)
    assert wave.isVisible() and spectrogram.isVisible()


def test_an_unfinished_build_leaves_nothing_behind(qtbot, win, tmp_path: Path) -> None:
    path = _sparse_day_wav(tmp_path / "day.wav", 2000, {50.0: 0.5})
    _open(qtbot, win, path)
    _trigger(win, "above")
    loader = win.waveform.view.loader
    qtbot.waitUntil(lambda: loader.steps >= 1, timeout=20_000)
    assert not loader.complete  # a day takes many steps
    entry = entry_folder(path, cache_folder())

    def parts() -> list[Path]:
        return list(entry.parent.glob(entry.name + ".part-*"))

    assert len(parts()) == 1
    win.close()  # mid-build: the unfinished files go
    qtbot.waitUntil(lambda: not parts(), timeout=10_000)
    assert not entry.exists()
