"""Playback from the window: transport bar, keys, playhead, follow, autoplay, settings.

In-process tests drive the real engine (feeder, ring, filters, resampler)
with ``FakeDevice`` output streams from test_playback_engine.py, so what
was "heard" can be compared with the recording. The last tests run the
real app in a subprocess against an ALSA file sink and without PortAudio.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from audioclass_gui.audio.playback import OutputDevice, PlaybackEngine
from audioclass_gui.audio.reader import read_window
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.qt.playback.playback import follow_range
from audioclass_gui.qt.playback.playback_bar import PlaybackBar
from audioclass_gui.qt.playback.playback_settings import (
    PlaybackSettings,
    settings_store,
)
from tests.playback_harness import (
    HAVE_PORTAUDIO,
    REPO,
    run_script,
    sandbox_env,
    write_asoundrc,
)
from tests.test_app_review import open_and_run
from tests.test_playback_engine import Factory

#: Every window here keeps its settings in a temporary folder.
pytestmark = pytest.mark.usefixtures("config_dir")


def _window(qtbot, factory: Factory, **settings) -> MainWindow:
    PlaybackSettings(**{"context": 0.0, **settings}).save(settings_store())
    win = MainWindow(playback_engine=PlaybackEngine(factory))
    qtbot.addWidget(win)
    win.show()
    return win


def _heard(factory: Factory, index: int = -1) -> np.ndarray:
    if not factory.opened:  # the stream opens on the control thread
        return np.zeros(0, np.float32)
    return factory.opened[index].output()[:, 0]


def _done(win: MainWindow):
    return lambda: win.playback.state == "stopped"


def _settled(qtbot, win: MainWindow) -> None:
    """Wait until the device work asked for has been done on the control thread."""
    qtbot.waitUntil(lambda: not win.playback.busy, timeout=5_000)


def test_space_plays_the_selected_detection_with_a_moving_playhead(
    qtbot, calls_wav: Path
):
    factory = Factory(pace=2.0)
    win = _window(qtbot, factory)
    open_and_run(qtbot, win, calls_wav)
    detection = win.review.selected
    assert detection is not None
    positions: list[float] = []
    timeline: list[float] = []

    def seen(p):
        if p is not None:
            positions.append(p)
            timeline.append(win.timeline.playhead.value())

    win.playback.position_changed.connect(seen)
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    assert (
        win.playback.state == "playing"
        and win.playback_bar.play_button.text() == "Pause"
    )
    qtbot.waitUntil(_done(win), timeout=10_000)

    expected = read_window(calls_wav, detection.start, detection.end)
    out = _heard(factory)
    np.testing.assert_array_equal(out[: expected.size], expected)
    assert not out[expected.size :].any()
    # The playhead moved forward through the detection on both views, then hid.
    assert len(positions) >= 5 and positions == sorted(positions)
    assert detection.start <= positions[0] and positions[-1] <= detection.end
    assert positions[-1] - positions[0] > 0.5 * (detection.end - detection.start)
    assert timeline == positions
    assert not win.view.playhead.isVisible() and not win.timeline.playhead.isVisible()
    assert win.playback_bar.play_button.text() == "Play"


def test_context_around_the_detection_is_played(qtbot, calls_wav: Path):
    factory = Factory(pace=20.0)
    win = _window(qtbot, factory, context=0.25)
    open_and_run(qtbot, win, calls_wav)
    d = win.review.selected
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.waitUntil(_done(win), timeout=10_000)
    expected = read_window(calls_wav, d.start - 0.25, d.end + 0.25)
    np.testing.assert_array_equal(_heard(factory)[: expected.size], expected)


def test_space_pauses_and_resumes_and_esc_stops(qtbot, calls_wav: Path):
    factory = Factory(pace=1.0)
    win = _window(qtbot, factory)
    open_and_run(qtbot, win, calls_wav)
    d = win.review.selected
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: win.view.playhead.isVisible(), timeout=5_000)
    qtbot.wait(100)
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    assert (
        win.playback.state == "paused"
        and win.playback_bar.play_button.text() == "Resume"
    )
    _settled(qtbot, win)
    paused_at = win.view.playhead.value()
    heard = _heard(factory).size
    assert paused_at == pytest.approx(d.start + heard / 32000)
    qtbot.wait(150)
    assert win.view.playhead.isVisible() and win.view.playhead.value() == paused_at
    assert _heard(factory).size == heard  # silent while paused
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    assert win.playback.state == "playing"
    qtbot.waitUntil(lambda: win.view.playhead.value() > paused_at + 0.05, timeout=5_000)
    qtbot.keyClick(win.table, Qt.Key.Key_Escape)
    assert win.playback.state == "stopped" and not win.view.playhead.isVisible()
    out = _heard(factory)
    expected = read_window(calls_wav, d.start, d.end)
    assert heard < out.size < expected.size
    np.testing.assert_array_equal(
        out, expected[: out.size]
    )  # no gap, no repeat at the pause


def test_transport_buttons(qtbot, calls_wav: Path):
    factory = Factory(pace=1.0)
    win = _window(qtbot, factory)
    open_and_run(qtbot, win, calls_wav)
    bar = win.playback_bar
    assert not bar.stop_button.isEnabled()
    qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    assert win.playback.state == "playing" and bar.stop_button.isEnabled()
    qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    assert win.playback.state == "paused"
    qtbot.mouseClick(bar.stop_button, Qt.MouseButton.LeftButton)
    assert win.playback.state == "stopped"  # at once, on the GUI thread
    _settled(qtbot, win)
    assert factory.opened[-1].closed  # the stream, on the control thread
    assert bar.time_label.text() == ""  # no position while stopped


def test_loop_repeats_the_detection_until_stopped(qtbot, calls_wav: Path):
    factory = Factory(pace=8.0)
    win = _window(qtbot, factory)
    open_and_run(qtbot, win, calls_wav)
    d = win.review.selected
    qtbot.keyClick(win.table, Qt.Key.Key_L)
    assert win.playback_bar.loop_action.isChecked() and win.playback_bar.settings.loop
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    span = read_window(calls_wav, d.start, d.end)
    qtbot.waitUntil(lambda: _heard(factory).size > 2.2 * span.size, timeout=10_000)
    assert win.playback.state == "playing"
    qtbot.keyClick(win.table, Qt.Key.Key_Escape)
    out = _heard(factory)
    np.testing.assert_array_equal(out[: 2 * span.size], np.tile(span, 2))


def test_speed_changes_while_playing_go_on_from_the_same_place(qtbot, calls_wav: Path):
    factory = Factory(pace=1.0)
    win = _window(qtbot, factory, context=1.0)
    open_and_run(qtbot, win, calls_wav)
    bar = win.playback_bar
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.wait(200)
    before = win.playback.position()
    qtbot.keyClick(win.table, Qt.Key.Key_BracketLeft)  # 1 -> 0.75
    assert bar.settings.speed == 0.75 and bar.speed_spin.value() == 0.75
    qtbot.keyClick(win.table, Qt.Key.Key_BracketLeft)  # -> 0.5
    _settled(qtbot, win)
    assert factory.opened[-1].samplerate == 16000  # the same samples at half the rate
    after = win.playback.position()
    assert before <= after < before + 0.3
    assert "0.5×" in bar.info_label.text()
    for _ in range(12):
        qtbot.keyClick(win.table, Qt.Key.Key_BracketLeft)
    assert bar.settings.speed == 0.05
    qtbot.keyClick(win.table, Qt.Key.Key_BracketRight)
    assert bar.settings.speed == 0.1
    win.playback.stop()


def test_custom_band_filters_what_is_heard(qtbot, calls_wav: Path):
    # Calls at 4, 6 and 3 kHz: with a 5-7 kHz band only the 6 kHz one stays.
    factory = Factory(pace=50.0)
    win = _window(qtbot, factory, band_mode="custom", band_low=5000.0, band_high=7000.0)
    open_and_run(qtbot, win, calls_wav)
    levels = []
    for d in sorted(win.review.visible(), key=lambda d: d.start):
        win.review.select(d.id)
        win.play_selected()
        qtbot.waitUntil(_done(win), timeout=10_000)
        heard = _heard(factory)
        plain = read_window(calls_wav, d.start, d.end)
        levels.append(
            np.sqrt(np.mean(heard[: plain.size] ** 2)) / np.sqrt(np.mean(plain**2))
        )
    assert levels[1] > 0.9 and levels[0] < 0.05 and levels[2] < 0.05


def test_selected_box_band_is_used(
    qtbot, calls_wav: Path
):
    factory = Factory(pace=50.0)
    win = _window(qtbot, factory, band_mode="box")
    open_and_run(qtbot, win, calls_wav)
    first = win.review.selected  # the 4 kHz call: a clip detection, no band of its own
    assert win._play_options().band is None
    # A box drawn over the call's time, above its frequency: Space plays the box's band.
    box = win.session.add_box(calls_wav, first.start, first.end, 5000.0, 7000.0, "x").after
    win.boxes.select(box.id)
    assert win.review.selected is None and win.app.review.play_target(win.session) == box
    assert win._play_options().band == (5000.0, 7000.0)
    win.play_selected()
    qtbot.waitUntil(_done(win), timeout=10_000)
    heard = _heard(factory)
    plain = read_window(calls_wav, first.start, first.end)
    assert np.sqrt(np.mean(heard[: plain.size] ** 2)) < 0.05 * np.sqrt(
        np.mean(plain**2)
    )


def test_autoplay_plays_the_next_detection_after_a_verdict(qtbot, calls_wav: Path):
    factory = Factory(pace=50.0)
    win = _window(qtbot, factory)
    open_and_run(qtbot, win, calls_wav)
    first = win.review.selected
    qtbot.keyClick(win.table, Qt.Key.Key_A)  # autoplay off: nothing plays
    assert win.review.selected.id != first.id and not factory.opened
    win.playback_bar.autoplay_check.setChecked(True)
    assert win.playback_bar.settings.autoplay
    second = win.review.selected
    qtbot.keyClick(win.table, Qt.Key.Key_R)
    third = win.review.selected
    assert third.id != second.id and win.playback.state == "playing"
    qtbot.waitUntil(_done(win), timeout=10_000)
    expected = read_window(calls_wav, third.start, third.end)
    np.testing.assert_array_equal(_heard(factory)[: expected.size], expected)
    # At the last detection a verdict does not replay it.
    opened = len(factory.opened)
    qtbot.keyClick(win.table, Qt.Key.Key_U)
    assert win.review.selected.id == third.id and len(factory.opened) == opened


def test_follow_pages_the_view_to_keep_the_playhead_on_screen(qtbot, calls_wav: Path):
    assert follow_range((0.0, 2.0), 1.0, 12.0) is None
    assert follow_range((0.0, 2.0), 2.5, 12.0) == pytest.approx((2.4, 4.4))
    assert follow_range((4.0, 6.0), 1.0, 12.0) == pytest.approx((0.9, 2.9))
    assert follow_range((0.0, 2.0), 11.9, 12.0) == pytest.approx((10.0, 12.0))
    factory = Factory(pace=4.0)
    win = _window(qtbot, factory)
    open_and_run(qtbot, win, calls_wav)
    win.view.set_visible_range(0.0, 2.0)
    win.view.time_clicked.emit(1.8)  # a click sets where Ctrl+Space plays from
    qtbot.keyClick(win.table, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert win.playback.span == pytest.approx((1.8, 12.0))
    qtbot.waitUntil(lambda: (win.playback.position() or 0) > 2.3, timeout=10_000)
    x0, x1 = win.view.visible_range()
    assert (
        x0 > 1.9
        and x1 - x0 == pytest.approx(2.0)
        and x0 <= win.playback.position() <= x1
    )
    # With follow off the view stays put.
    win.playback_bar.follow_check.setChecked(False)
    qtbot.waitUntil(lambda: (win.playback.position() or 0) > x1 + 0.2, timeout=10_000)
    assert win.view.visible_range() == (x0, x1)
    win.playback.stop()


def test_click_while_playing_jumps_and_shift_space_plays_the_view(
    qtbot, calls_wav: Path
):
    factory = Factory(pace=1.0)
    win = _window(qtbot, factory)
    open_and_run(qtbot, win, calls_wav)
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    win.view.time_clicked.emit(8.0)  # outside the detection: on to the end of the file
    assert win.playback.state == "playing" and win.playback.span == pytest.approx(
        (8.0, 12.0)
    )
    qtbot.waitUntil(lambda: (win.playback.position() or 0) > 8.05, timeout=5_000)
    win.playback.stop()
    win.view.set_visible_range(3.0, 7.0)
    qtbot.keyClick(win.table, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    assert win.playback.span == pytest.approx((3.0, 7.0))
    win.playback.stop()


def test_settings_persist_between_sessions(qtbot, config_dir: Path):
    win = MainWindow(playback_engine=PlaybackEngine(Factory()))
    qtbot.addWidget(win)
    bar = win.playback_bar
    assert bar.settings == PlaybackSettings()  # nothing saved yet: the defaults
    bar.speed_spin.setValue(0.25)
    bar.context_spin.setValue(1.5)
    bar.band_combo.setCurrentIndex(bar.band_combo.findData("custom"))
    bar.low_spin.setValue(2.0)
    bar.high_spin.setValue(5.5)
    bar.highpass_spin.setValue(200)
    bar.gain_spin.setValue(-6)
    bar.normalise_check.setChecked(True)
    bar.loop_action.setChecked(True)
    bar.follow_check.setChecked(False)
    bar.autoplay_check.setChecked(True)
    saved = dataclasses.replace(bar.settings)
    assert (config_dir / "settings.ini").exists()
    again = PlaybackBar(
        win.playback,
        QSettings(str(config_dir / "settings.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(again)
    assert again.settings == saved
    assert (
        again.speed_spin.value() == 0.25 and again.band_combo.currentData() == "custom"
    )
    assert again.low_spin.isEnabled() and again.high_spin.value() == 5.5
    assert again.normalise_check.isChecked() and again.loop_action.isChecked()
    assert not again.follow_check.isChecked() and again.autoplay_check.isChecked()
    opts = again.settings.options()
    assert (
        opts.speed,
        opts.band,
        opts.highpass,
        opts.gain_db,
        opts.normalise,
        opts.loop,
    ) == (0.25, (2000.0, 5500.0), 200.0, -6.0, True, True)


def test_unreadable_saved_settings_fall_back_to_sane_values(qtbot, config_dir: Path):
    store = settings_store()
    store.beginGroup("playback")
    for key, value in {
        "speed": "9",
        "band_mode": "sideways",
        "gain_db": "loud",
        "loop": "true",
    }.items():
        store.setValue(key, value)
    store.endGroup()
    store.sync()
    loaded = PlaybackSettings.load(settings_store())
    assert loaded.speed == 2.0 and loaded.band_mode == "full" and loaded.loop is True
    assert loaded.gain_db == 0.0  # "loud" is not a number: the default


def test_device_choice_reaches_the_engine_and_survives_a_missing_device(
    qtbot, calls_wav: Path
):
    devices = [
        OutputDevice("Speakers", 0, 44100.0, "ALSA", True),
        OutputDevice("USB headset", 4, 48000.0, "ALSA"),
    ]
    factory = Factory(devices=devices, pace=50.0)
    win = _window(qtbot, factory)
    bar = win.playback_bar
    qtbot.waitUntil(lambda: bar.device_combo.count() == 3)  # listed off the GUI thread
    assert [bar.device_combo.itemText(i) for i in range(3)] == [
        "System default",
        "Speakers (default)",
        "USB headset",
    ]
    bar.device_combo.setCurrentIndex(2)
    assert (
        win.playback.engine.device == "USB headset"
        and bar.settings.device == "USB headset"
    )
    open_and_run(qtbot, win, calls_wav)
    win.play_selected()
    _settled(qtbot, win)
    assert factory.opened[-1].device == 4
    qtbot.waitUntil(_done(win), timeout=10_000)
    # Next session the headset is gone: it is listed as such, and playback
    # goes to the default output with a message.
    factory.devices = devices[:1]
    win2 = MainWindow(playback_engine=PlaybackEngine(factory))
    qtbot.addWidget(win2)
    qtbot.waitUntil(
        lambda: (
            win2.playback_bar.device_combo.currentText()
            == "USB headset (not connected)"
        )
    )
    open_and_run(qtbot, win2, calls_wav)
    with qtbot.waitSignal(win2.playback.message) as blocker:
        win2.play_selected()
    assert "not connected" in blocker.args[0] and factory.opened[-1].device is None


def test_a_device_failure_is_reported_and_the_app_plays_again(qtbot, calls_wav: Path):
    factory = Factory(fail_after=5, pace=4.0)
    win = _window(qtbot, factory)
    open_and_run(qtbot, win, calls_wav)
    with qtbot.waitSignal(win.playback.message, timeout=10_000) as blocker:
        qtbot.keyClick(win.table, Qt.Key.Key_Space)
    assert "stopped working" in blocker.args[0]
    assert win.playback.state == "stopped" and not win.view.playhead.isVisible()
    assert "stopped working" in win.statusBar().currentMessage()
    factory.kwargs = {"pace": 50.0}
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.waitUntil(_done(win), timeout=10_000)
    d = win.review.selected
    expected = read_window(calls_wav, d.start, d.end)
    np.testing.assert_array_equal(_heard(factory)[: expected.size], expected)


# --- the real app in a subprocess --------------------------------------------

APP_SCRIPT = """
    import json, time
    from audioclass_gui.qt.app import create_application
    from audioclass_gui.qt.main_window import MainWindow
    from audioclass_gui.qt.playback.playback_settings import PlaybackSettings, settings_store

    PlaybackSettings(context=0.0).save(settings_store())
    app = create_application()
    win = MainWindow()
    win.show()

    def until(test, limit=60):
        deadline = time.monotonic() + limit
        while not test() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        assert test(), "timed out"

    win.open_path("calls.wav")
    until(lambda: win.info is not None)
    win.model_panel.set_threshold(0.5)
    done = []
    win.run_finished.connect(done.append)
    win.run_model("energy")
    until(lambda: done)
    d = win.review.selected
    win.play_action.trigger()  # Space
    until(lambda: win.playback.state == "stopped")
    print(json.dumps({"start": d.start, "end": d.end, "reason": win.playback.reason}))
"""


def test_the_app_plays_a_detection_to_a_real_output(tmp_path: Path):
    if not HAVE_PORTAUDIO:
        pytest.skip("libportaudio2 (the PortAudio library) is not installed")
    from tests.conftest import write_calls

    write_asoundrc(tmp_path, tmp_path / "out.raw")
    write_calls(tmp_path / "calls.wav")
    result = run_script(APP_SCRIPT, tmp_path)
    assert result["reason"] == "Output: default"
    sent = np.fromfile(tmp_path / "out.raw", dtype=np.float32)
    sent = sent[np.flatnonzero(sent)[0] :]
    expected = read_window(tmp_path / "calls.wav", result["start"], result["end"])
    np.testing.assert_array_equal(sent[: expected.size], expected)
    assert not sent[expected.size :].any()


def test_without_portaudio_the_app_starts_and_says_playback_is_unavailable(
    tmp_path: Path, calls_wav: Path
):
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "sounddevice.py").write_text(
        "raise OSError('PortAudio library not found')\n"
    )
    shot = tmp_path / "shot.png"
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "audioclass_gui",
            str(calls_wav),
            "--screenshot",
            str(shot),
        ],
        env=sandbox_env(tmp_path, PYTHONPATH=str(fake)),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        "Playback unavailable: PortAudio library not found (install libportaudio2)"
        in proc.stderr
    )
    assert shot.exists() and time.monotonic() - started < 120


def test_the_sound_output_is_looked_for_after_the_bar_shows(qtbot, tmp_path: Path):
    """PortAudio loads on the control thread: the bar first says it is looking."""
    from audioclass_gui.qt.common.tasks import TaskRunner
    from audioclass_gui.qt.playback.playback import PlaybackController

    loaded = threading.Event()

    class SlowStatus(PlaybackEngine):
        def _checked_status(self):
            if self._status is None:
                loaded.wait(10)  # PortAudio taking its time
            return super()._checked_status()

    runner = TaskRunner()
    controller = PlaybackController(runner, SlowStatus())
    bar = PlaybackBar(controller, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(bar)
    # Built at once, without waiting for the output.
    assert bar.info_label.text() == "Looking for the sound output…"
    assert not bar.play_button.isEnabled() and not controller.engine.status_known
    loaded.set()
    qtbot.waitUntil(lambda: controller.engine.status_known, timeout=10_000)
    qtbot.waitUntil(lambda: bar.info_label.text() != "Looking for the sound output…", timeout=10_000)
    if controller.available:
        assert bar.play_button.isEnabled()
    else:  # this machine: no sound card
        assert bar.info_label.text() == controller.reason
        assert not bar.play_button.isEnabled()
    controller.close()
    runner.shutdown()
