"""Playback from the window, continued: boxes, time expansion, channels, devices, robustness.

In-process tests drive the real engine (feeder, ring, filters) with the
``FakeDevice`` output streams of test_playback_engine.py, so what was
"heard" can be compared with the recording sample for sample. The same
paths through real PortAudio and an ALSA file sink are in
test_playback_sink_app.py.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from audioclass_gui.audio.playback import OutputDevice
from audioclass_gui.audio.reader import read_window
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.qt.playback.playback_settings import (
    CHANNEL_AS_DISPLAYED,
    CHANNEL_MIX,
    PlaybackSettings,
)
from tests.test_app_playback import _window
from tests.test_app_review import open_and_run
from tests.test_metadata import write_wav
from tests.test_playback_engine import Factory, FakeDevice

pytestmark = pytest.mark.usefixtures("config_dir")


class ThreadFactory(Factory):
    """A Factory whose devices note the thread of every call made to them."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.threads: set[str] = set()
        self.rescans = 0
        self.plugged: list[OutputDevice] | None = None  # seen after a rescan

    def _note(self) -> None:
        self.threads.add(threading.current_thread().name)

    def rescan(self) -> None:
        """PortAudio re-initialised: devices plugged in since are seen now."""
        self._note()
        self.rescans += 1
        if self.plugged is not None:
            self.devices = list(self.plugged)

    def __call__(self, **kwargs) -> FakeDevice:
        self._note()
        device = super().__call__(**kwargs)
        for name in ("start", "abort", "close"):
            method = getattr(device, name)

            def noted(method=method) -> None:
                self._note()
                method()

            setattr(device, name, noted)
        return device


def _open(qtbot, win: MainWindow, path: Path) -> None:
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(path)


def _heard(factory: Factory) -> np.ndarray:
    return factory.opened[-1].output()


def _done(win: MainWindow):
    return lambda: win.playback.state == "stopped" and not win.playback.busy


def _settled(qtbot, win: MainWindow) -> None:
    qtbot.waitUntil(lambda: not win.playback.busy, timeout=5_000)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


# --- the band of a drawn box ---------------------------------------------------


def test_space_plays_the_selected_box_with_context_and_its_band(
    qtbot, calls_wav: Path
) -> None:
    # Calls at 1.2-1.8 s (4 kHz), 5.3-5.9 s (6 kHz) and 9.1-9.6 s (3 kHz).
    factory = Factory(pace=50.0)
    win = _window(qtbot, factory, band_mode="box", context=0.25)
    open_and_run(qtbot, win, calls_wav)
    path = str(calls_wav.absolute())
    win.session.add_box(path, 5.2, 6.0, 5000.0, 7000.0, "Turdus merula")
    inside = win.session.boxes(path)[-1]
    win.boxes.selected = inside.id
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    assert win.playback.span == pytest.approx((4.95, 6.25))  # box and context
    qtbot.waitUntil(_done(win), timeout=10_000)
    heard = _heard(factory)[:, 0]
    plain = read_window(calls_wav, 4.95, 6.25)
    assert heard.size >= plain.size
    assert _rms(heard[: plain.size]) > 0.9 * _rms(plain)  # the 6 kHz call is kept

    # A box over the 4 kHz call with a 5-7 kHz band: the call is filtered out.
    win.session.add_box(path, 1.1, 1.9, 5000.0, 7000.0, "Turdus merula")
    win.boxes.selected = win.session.boxes(path)[-1].id
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.waitUntil(_done(win), timeout=10_000)
    plain = read_window(calls_wav, 0.85, 2.15)
    assert _rms(_heard(factory)[: plain.size, 0]) < 0.05 * _rms(plain)

    # A time interval (no band) plays unfiltered: exactly the samples.
    win.session.add_box(path, 1.1, 1.9, None, None, "Turdus merula")
    win.boxes.selected = win.session.boxes(path)[-1].id
    assert win._play_options().band is None
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.waitUntil(_done(win), timeout=10_000)
    np.testing.assert_array_equal(_heard(factory)[: plain.size, 0], plain)

    # Selecting a box may clear the detection's selection: the box still plays.
    win.boxes.selected = inside.id
    win.review.select(None)
    assert win._play_target() == inside
    # Choosing a detection afterwards makes Space play the detection again.
    detection = win.review.visible()[0]
    win.review.select(detection.id)
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    assert win.playback.span == pytest.approx(
        (detection.start - 0.25, detection.end + 0.25)
    )
    win.playback.stop()


def test_with_the_full_band_setting_a_box_plays_unfiltered(
    qtbot, calls_wav: Path
) -> None:
    factory = Factory(pace=50.0)
    win = _window(qtbot, factory, band_mode="full")
    open_and_run(qtbot, win, calls_wav)
    path = str(calls_wav.absolute())
    win.session.add_box(path, 1.1, 1.9, 5000.0, 7000.0, "Turdus merula")
    win.boxes.selected = win.session.boxes(path)[-1].id
    win.play_selected()
    qtbot.waitUntil(_done(win), timeout=10_000)
    np.testing.assert_array_equal(
        _heard(factory)[:, 0][: round(0.8 * 32000)], read_window(calls_wav, 1.1, 1.9)
    )


# --- time-expanded recordings ---------------------------------------------------

TE_RATE, TE = 8000, 10.0


@pytest.fixture
def bat_wav(tmp_path: Path) -> Path:
    """20 s stored at 8 kHz, time expanded ×10: 2 s of real time up to 40 kHz."""
    return write_wav(
        tmp_path / "bat.wav",
        seconds=20.0,
        after=[(b"guan", b"GUANO|Version: 1.0\nTE: 10\n")],
    )


@pytest.mark.parametrize("speed", [1.0, 0.1])
def test_time_expanded_playhead_stays_in_real_time(
    qtbot, bat_wav: Path, speed: float
) -> None:
    # Blocks of about 30 ms; the device's latency (4 blocks) stays short.
    factory = Factory(pace=1.0, block=256 if speed == 1.0 else 32)
    win = _window(qtbot, factory, speed=speed)
    _open(qtbot, win, bat_wav)
    assert win.view.duration == pytest.approx(2.0)  # the axis is real time
    win.view.set_visible_range(0.5, 1.5)
    qtbot.keyClick(win.table, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    assert win.playback.span == pytest.approx((0.5, 1.5))
    _settled(qtbot, win)
    device = factory.opened[-1]
    assert device.samplerate == round(TE_RATE * speed)  # the stored rate × speed
    setup = win.playback.setup
    assert setup.time_expansion == TE
    assert setup.real_time_speed == pytest.approx(speed / TE)
    assert "time expanded ×10" in win.playback_bar.info_label.text()
    positions: list[float] = []
    win.playback.position_changed.connect(
        lambda p: positions.append(p) if p is not None else None
    )
    qtbot.waitUntil(lambda: len(device.heard) * device.block > 400, timeout=10_000)
    win.playback.pause()
    _settled(qtbot, win)
    heard = device.output()[:, 0]
    # The playhead is where the sound stopped, in real time: the samples
    # heard over the real rate (the stored rate × the expansion).
    assert win.playback.position() == pytest.approx(0.5 + heard.size / (TE_RATE * TE))
    assert win.view.playhead.value() == win.playback.position()
    assert positions and all(0.5 <= p <= 1.5 for p in positions)
    assert positions == sorted(positions)
    # What was heard is the file's own samples from 5 s (0.5 s real) on.
    np.testing.assert_array_equal(heard, read_window(bat_wav, 5.0, 15.0)[: heard.size])
    win.playback.stop()


def test_time_expanded_follow_and_band_are_in_real_units(qtbot, bat_wav: Path) -> None:
    factory = Factory(pace=8.0)
    win = _window(
        qtbot, factory, band_mode="custom", band_low=10_000.0, band_high=20_000.0
    )
    _open(qtbot, win, bat_wav)
    win.view.set_visible_range(0.0, 0.4)
    win.view.time_clicked.emit(0.3)
    qtbot.keyClick(win.table, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    _settled(qtbot, win)
    # The band chosen on the real-frequency axis filters the file at 1-2 kHz.
    assert factory.opened[-1].samplerate == TE_RATE
    assert win.playback.span == pytest.approx((0.3, 2.0))
    qtbot.waitUntil(lambda: (win.playback.position() or 0) > 0.45, timeout=10_000)
    x0, x1 = win.view.visible_range()
    assert x0 > 0.35 and x0 <= win.playback.position() <= x1  # paged in real time
    win.playback.stop()
    heard = _heard(factory)[:, 0]
    plain = read_window(bat_wav, 3.0, 3.5 + heard.size / TE_RATE)[: heard.size]
    freqs = np.fft.rfftfreq(heard.size, 1 / TE_RATE)
    band = (freqs > 1200) & (freqs < 1800)
    low = (freqs > 100) & (freqs < 500)
    spectrum = np.abs(np.fft.rfft(heard))
    assert spectrum[band].mean() > 0.5 * np.abs(np.fft.rfft(plain))[band].mean()
    assert spectrum[low].mean() < 0.05 * spectrum[band].mean()


# --- channels -------------------------------------------------------------------


@pytest.fixture
def stereo_wav(tmp_path: Path) -> Path:
    """1 kHz on the left channel, 3 kHz on the right, 4 s at 16 kHz."""
    t = np.arange(4 * 16000) / 16000
    x = np.stack(
        [0.3 * np.sin(2 * np.pi * 1000 * t), 0.3 * np.sin(2 * np.pi * 3000 * t)],
        axis=1,
    ).astype(np.float32)
    path = tmp_path / "stereo.wav"
    sf.write(path, x, 16000, subtype="FLOAT")
    return path


def test_playback_follows_the_displayed_channel_or_the_chosen_one(
    qtbot, stereo_wav: Path
) -> None:
    factory = Factory(pace=50.0)
    win = _window(qtbot, factory)
    _open(qtbot, win, stereo_wav)
    bar = win.playback_bar
    assert bar.channel_combo.isEnabled()
    assert [
        bar.channel_combo.itemText(i) for i in range(bar.channel_combo.count())
    ] == [
        "As displayed",
        "Mix of all channels",
        "Channel 1",
        "Channel 2",
    ]
    spectro = win.spectrogram_settings.channel

    def play(channel: int | None) -> tuple[np.ndarray, np.ndarray]:
        win.view.set_visible_range(1.0, 2.0)
        win.play_visible()
        span = win.playback.span
        qtbot.waitUntil(_done(win), timeout=10_000)
        expected = read_window(stereo_wav, *span, channel=channel)
        assert expected.size > 15000
        return _heard(factory)[: expected.size, 0], expected

    # As displayed: the spectrogram shows the mix, then channel 2.
    np.testing.assert_array_equal(*play(None))
    spectro.setCurrentIndex(spectro.findData(1))
    np.testing.assert_array_equal(*play(1))
    # Chosen in the Playback panel, whatever the spectrogram shows.
    bar.channel_combo.setCurrentIndex(bar.channel_combo.findData(1))
    assert bar.settings.channel == 1
    np.testing.assert_array_equal(*play(0))
    bar.channel_combo.setCurrentIndex(bar.channel_combo.findData(CHANNEL_MIX))
    np.testing.assert_array_equal(*play(None))
    bar.channel_combo.setCurrentIndex(bar.channel_combo.findData(CHANNEL_AS_DISPLAYED))
    # Switching the displayed channel while playing switches what is heard.
    factory.kwargs = {"pace": 1.0}
    win.view.set_visible_range(0.0, 4.0)
    win.play_visible()
    _settled(qtbot, win)
    assert win.playback.channel == 1
    spectro.setCurrentIndex(spectro.findData(0))
    assert win.playback.channel == 0 and win.playback.state == "playing"
    win.playback.stop()


def test_channel_choice_for_a_mono_recording_plays_the_only_channel() -> None:
    settings = PlaybackSettings(channel=2)
    assert settings.channel_for(None, 1) is None  # mono: no channel 2
    assert settings.channel_for(0, 2) == 1
    assert PlaybackSettings(channel=CHANNEL_MIX).channel_for(1, 2) is None
    assert PlaybackSettings().channel_for(1, 2) == 1
    assert PlaybackSettings().channel_for(None, 2) is None


# --- devices --------------------------------------------------------------------


def test_the_output_list_refreshes_itself_when_opened_and_after_a_failure(
    qtbot, calls_wav: Path
) -> None:
    speakers = OutputDevice("Speakers", 0, 44100.0, "ALSA", True)
    headset = OutputDevice("USB headset", 4, 48000.0, "ALSA")
    factory = ThreadFactory(devices=[speakers], pace=2.0)
    win = _window(qtbot, factory)
    combo = win.playback_bar.device_combo
    qtbot.waitUntil(lambda: combo.count() == 2)
    # The headset is plugged in; PortAudio sees it only once re-initialised,
    # which opening the list does (off the GUI thread).
    factory.plugged = [speakers, headset]
    combo.showPopup()
    qtbot.waitUntil(lambda: combo.count() == 3, timeout=5_000)
    combo.hidePopup()
    assert combo.itemText(2) == "USB headset" and factory.rescans == 1
    # While a stream is open the refresh waits for the playback to end.
    open_and_run(qtbot, win, calls_wav)
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    _settled(qtbot, win)
    factory.plugged = [speakers]  # the headset is pulled out
    combo.showPopup()
    combo.hidePopup()
    _settled(qtbot, win)
    assert factory.rescans == 1 and win.playback.state == "playing"
    win.playback.stop()
    qtbot.waitUntil(lambda: factory.rescans == 2 and combo.count() == 2, timeout=5_000)
    # After a device failure the list is refreshed by itself.
    factory.kwargs = {"fail_after": 3, "pace": 2.0}
    win.play_action.trigger()  # Space
    qtbot.waitUntil(lambda: factory.rescans == 3, timeout=10_000)
    assert "stopped working" in win.statusBar().currentMessage()
    # Rescan still works (and stops playback first).
    factory.kwargs = {"pace": 1.0}
    win.play_action.trigger()
    qtbot.mouseClick(win.playback_bar.rescan_button, Qt.MouseButton.LeftButton)
    assert win.playback.state == "stopped"
    qtbot.waitUntil(lambda: factory.rescans == 4, timeout=5_000)
    assert "1 output device(s) found" in win.playback_bar.info_label.text()
    # Every call to the device and to PortAudio ran off the GUI thread.
    assert factory.threads
    assert threading.main_thread().name not in factory.threads


# --- robustness -----------------------------------------------------------------


def test_the_gui_thread_never_calls_the_device(qtbot, calls_wav: Path) -> None:
    factory = ThreadFactory(pace=4.0)
    win = _window(qtbot, factory)
    open_and_run(qtbot, win, calls_wav)
    qtbot.keyClick(win.table, Qt.Key.Key_Space)  # open + start
    qtbot.waitUntil(lambda: win.view.playhead.isVisible(), timeout=5_000)
    qtbot.keyClick(win.table, Qt.Key.Key_Space)  # pause: abort
    qtbot.keyClick(win.table, Qt.Key.Key_Space)  # resume: start
    win.view.time_clicked.emit(6.0)  # seek: close, open
    qtbot.keyClick(win.table, Qt.Key.Key_BracketLeft)  # new speed: reopen
    qtbot.keyClick(win.table, Qt.Key.Key_Escape)  # stop: abort, close
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.waitUntil(_done(win), timeout=10_000)  # to the end
    assert len(factory.opened) >= 4
    assert "acg-playback-control_0" in factory.threads
    assert threading.main_thread().name not in factory.threads


def test_an_exception_in_the_playback_path_never_takes_the_window_down(
    qtbot, calls_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = Factory(pace=2.0)
    win = _window(qtbot, factory)
    open_and_run(qtbot, win, calls_wav)
    engine = win.playback.engine

    def broken(*_a, **_k):
        raise ZeroDivisionError("a bug in the engine")

    # 1. Opening the span fails with an unexpected error.
    monkeypatch.setattr(engine, "play_file", broken)
    with qtbot.waitSignal(win.playback.message, timeout=5_000) as blocker:
        qtbot.keyClick(win.table, Qt.Key.Key_Space)
    assert "a bug in the engine" in blocker.args[0]
    qtbot.waitUntil(_done(win))
    monkeypatch.undo()
    # 2. The playhead poll fails while playing.
    factory.kwargs = {"pace": 1.0}
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: win.view.playhead.isVisible(), timeout=5_000)
    monkeypatch.setattr(engine, "active", broken)
    with qtbot.waitSignal(win.playback.message, timeout=5_000) as blocker:
        pass
    assert "Playback failed" in blocker.args[0]
    qtbot.waitUntil(_done(win))
    assert not win.view.playhead.isVisible()
    monkeypatch.undo()
    qtbot.waitUntil(lambda: factory.opened[-1].closed, timeout=5_000)  # released
    # 3. A settings slot that raises: caught, the window goes on.
    monkeypatch.setattr(win.playback, "play_span", broken)
    win.play_selected()
    assert "a bug in the engine" in win.statusBar().currentMessage()
    monkeypatch.undo()
    # The window still plays.
    factory.kwargs = {"pace": 50.0}
    win.play_selected()
    qtbot.waitUntil(_done(win), timeout=10_000)
    d = win.review.selected
    expected = read_window(calls_wav, d.start, d.end)
    np.testing.assert_array_equal(_heard(factory)[: expected.size, 0], expected)
