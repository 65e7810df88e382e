"""The real app through real PortAudio into an ALSA file sink: channels, time expansion, devices.

Each test runs the app's window in a subprocess whose HOME holds an
``.asoundrc`` that makes ALSA's default device write every sample sent to
``out.raw`` (see tests/playback_harness.py); the sink is not paced, so a
span "plays" in a fraction of its length.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.audio.reader import read_window
from tests.playback_harness import HAVE_PORTAUDIO, run_script, write_asoundrc
from tests.test_metadata import write_wav

pytestmark = pytest.mark.skipif(
    not HAVE_PORTAUDIO, reason="libportaudio2 (the PortAudio library) is not installed"
)

TE_RATE, TE = 8000, 10.0

SCRIPT = """
    import json, os, shutil, time
    from audioclass_gui.qt.app import create_application
    from audioclass_gui.qt.main_window import MainWindow
    from audioclass_gui.qt.playback.playback_settings import PlaybackSettings, settings_store

    PlaybackSettings(context=0.0).save(settings_store())
    app = create_application()
    win = MainWindow()
    win.show()
    ctl = win.playback
    result = {}

    def until(test, limit=60):
        deadline = time.monotonic() + limit
        while not test() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.002)
        assert test(), "timed out"

    def idle():
        until(lambda: ctl.state == "stopped" and not ctl.busy)
        time.sleep(0.1)

    def open_(name):
        win.open_path(name)
        until(lambda: win.info is not None and win.info.path.name == name)

    # 1. Two channels, the spectrogram showing channel 2: channel 2 is heard.
    open_("stereo.wav")
    channel = win.spectrogram_settings.channel
    channel.setCurrentIndex(channel.findData(1))
    win.view.set_visible_range(1.0, 2.0)
    win.play_visible()
    result["channel2"] = {"span": ctl.span}
    idle()
    shutil.copy("out.raw", "channel2.raw")
    channel.setCurrentIndex(channel.findData(0))
    win.play_visible()
    result["channel1"] = {"span": ctl.span}
    idle()
    shutil.copy("out.raw", "channel1.raw")

    # 2. A recording time expanded x10: the playhead against the frame counter.
    open_("bat.wav")
    for speed in (1.0, 0.1):
        win.playback_bar.speed_spin.setValue(speed)
        idle()
        win.view.set_visible_range(0.5, 5.5)
        win.play_visible()
        until(lambda: ctl.setup is not None or ctl.state == "stopped")
        setup = ctl.setup
        engine = ctl.engine
        samples = []
        while ctl.state != "stopped":
            app.processEvents()
            if ctl.busy:
                continue
            live = engine.active()
            before = engine.frames_sent
            pos = ctl.position()
            after = engine.frames_sent
            live = live and engine.active()
            if live and pos is not None and before == after and before > 0:
                if not samples or samples[-1][0] != before:
                    samples.append([before, pos, engine.latency])
            time.sleep(0.0005)
        idle()
        result[f"te{speed:g}"] = {
            "tape": setup.tape_rate, "out": setup.output_rate,
            "te": setup.time_expansion, "samples": samples,
        }

    # 3. Devices: refreshed (PortAudio re-initialised) when the list is
    # opened while idle; deferred while a stream plays; playback works after.
    lists, messages = [], []
    ctl.message.connect(messages.append)
    ctl.devices_changed.connect(lambda devices: lists.append([d.name for d in devices]))
    combo = win.playback_bar.device_combo
    combo.showPopup(); combo.hidePopup()
    until(lambda: lists)
    result["idle_refresh"] = lists[-1]
    win.view.set_visible_range(0.0, 6.0)
    win.playback_bar.speed_spin.setValue(0.05)  # an hour of sound: caught playing
    win.play_visible()
    until(lambda: ctl.setup is not None)
    combo.showPopup(); combo.hidePopup()
    for _ in range(50):
        app.processEvents()
        time.sleep(0.002)
    result["during_play"] = {"lists": len(lists), "state": ctl.state,
                             "messages": messages}
    open_("stereo.wav")
    channel.setCurrentIndex(channel.findData(None))
    ctl.stop()
    until(lambda: len(lists) == 2)
    idle()
    win.playback_bar.speed_spin.setValue(1.0)
    win.view.set_visible_range(2.0, 3.0)
    win.play_visible()
    result["after_refresh"] = {"span": ctl.span}
    idle()
    print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def sink_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    home = tmp_path_factory.mktemp("alsa-app")
    write_asoundrc(home, home / "out.raw")
    t = np.arange(4 * 16000) / 16000
    stereo = np.stack(
        [0.3 * np.sin(2 * np.pi * 1000 * t), 0.3 * np.sin(2 * np.pi * 3000 * t + 0.2)],
        axis=1,
    )
    sf.write(home / "stereo.wav", stereo.astype(np.float32), 16000, subtype="FLOAT")
    write_wav(
        home / "bat.wav",
        seconds=60.0,
        after=[(b"guan", b"GUANO|Version: 1.0\nTE: 10\n")],
    )
    return run_script(SCRIPT, home, timeout=240), home


def _sent(path: Path) -> np.ndarray:
    sent = np.fromfile(path, dtype=np.float32)
    return sent[np.flatnonzero(sent)[0] :]


@pytest.mark.parametrize("channel", [0, 1])
def test_what_you_see_is_what_you_hear_channel_by_channel(sink_run, channel) -> None:
    result, home = sink_run
    span = result[f"channel{channel + 1}"]["span"]
    assert span == pytest.approx([1.0, 2.0], abs=0.01)
    expected = read_window(home / "stereo.wav", *span, channel=channel)
    sent = _sent(home / f"channel{channel + 1}.raw")
    np.testing.assert_array_equal(sent[: expected.size], expected)
    assert not sent[expected.size :].any()


@pytest.mark.parametrize("speed", [1.0, 0.1])
def test_time_expanded_playhead_is_real_time_at_the_frame_counter(
    sink_run, speed
) -> None:
    result, _home = sink_run
    run = result[f"te{speed:g}"]
    assert run["te"] == TE and run["tape"] == round(TE_RATE * speed)
    samples = run["samples"]
    assert len(samples) >= 5
    tape, out = run["tape"], run["out"]
    for sent, position, latency in samples:
        heard = max(0, sent - round(latency * out))
        file_seconds = 5.0 + min(heard * tape / out, 50.0 * TE_RATE) / TE_RATE
        # The app's playhead is the counter's time in the file, divided by
        # the expansion: real recording time, at every speed.
        assert position == pytest.approx(file_seconds / TE, abs=1 / (TE_RATE * TE))
        assert 0.5 <= position <= 5.5
    positions = [p for _s, p, _l in samples]
    assert positions == sorted(positions) and positions[-1] > positions[0]


def test_the_device_list_refreshes_with_real_portaudio_and_waits_for_playback(
    sink_run,
) -> None:
    result, home = sink_run
    assert "default" in result["idle_refresh"]
    # Opened while playing: nothing re-initialised under the stream.
    assert result["during_play"] == {"lists": 1, "state": "playing", "messages": []}
    # After the deferred refresh, playback still works, sample for sample.
    span = result["after_refresh"]["span"]
    expected = read_window(home / "stereo.wav", *span)
    sent = _sent(home / "out.raw")
    np.testing.assert_array_equal(sent[: expected.size], expected)
