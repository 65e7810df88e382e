"""Streaming through real PortAudio into a paced FIFO sink: long spans, pause, a vanishing device.

The FIFO sink (tests/playback_harness.py) blocks PortAudio when its reader
is behind, as a sound card does, so the engine's feeder has to keep up
with a device that takes audio at a steady pace, and the "device" can be
pulled out mid-stream.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.audio.reader import read_window
from tests.playback_harness import HAVE_PORTAUDIO, run_script, write_asoundrc

pytestmark = pytest.mark.skipif(
    not HAVE_PORTAUDIO, reason="libportaudio2 (the PortAudio library) is not installed"
)

SR = 16000
MINUTES = 10

STREAM_SCRIPT = """
    import json, resource, time
    from pathlib import Path
    from tests.playback_harness import FifoSink

    sink = FifoSink(Path("out.fifo"), Path("."), bytes_per_second=None)
    from audioclass_gui.audio.playback import PlaybackEngine
    from audioclass_gui.audio.playback_dsp import PlaybackOptions

    SR = 16000
    engine = PlaybackEngine()
    result = {}

    def wait(limit=120, idle=True):
        deadline = time.monotonic() + limit
        while (engine.is_playing() or engine.is_paused()) and time.monotonic() < deadline:
            time.sleep(0.005)
        if idle:
            sink.wait_idle()  # the next stream gets a session of its own

    # Warm up PortAudio, soxr and scipy so they do not count as playback memory.
    engine.play_file("long.wav", 0.0, 0.2, options=PlaybackOptions(band=(100.0, 7000.0)))
    wait()

    # 1. The whole long recording, streamed at 80x real time.
    sink.rate = SR * 4 * 80
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    engine.play_file("long.wav", 0.0, %(minutes)d * 60.0)
    underruns = 0
    while engine.is_playing():
        underruns = max(underruns, engine.underrun_frames)
        time.sleep(0.01)
    seconds = time.monotonic() - started
    sink.wait_idle()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["long"] = {"rss_kib": rss1 - rss0, "seconds": seconds, "underruns": underruns,
                      "error": engine.take_error(), "sink": str(sink.opened[-1])}

    # 2. Pause and resume at twice real time.
    sink.rate = SR * 4 * 2
    engine.play_file("long.wav", 10.0, 13.0)
    time.sleep(0.5)
    assert engine.pause()
    paused_at, sent = engine.position(), engine.frames_sent
    time.sleep(0.4)
    result["pause"] = {"position": paused_at, "later": engine.position(), "sent": sent,
                       "latency": engine.latency, "sent_later": engine.frames_sent}
    engine.resume()
    wait()
    result["pause"]["error"] = engine.take_error()
    result["pause"]["sink"] = str(sink.opened[-1])

    # 3. The device is pulled out after 0.5 s of audio, then comes back.
    sink.rate = SR * 4 * 4
    sink.vanish_after = SR * 4 // 2
    engine.play_file("long.wav", 20.0, 30.0)
    wait(30, idle=False)
    result["vanish"] = {"playing": engine.is_playing(), "error": engine.take_error()}
    sink.plugged_in.set()
    engine.play_file("long.wav", 40.0, 40.5)
    wait()
    result["back"] = {"error": engine.take_error(), "sink": str(sink.opened[-1])}
    time.sleep(0.3)
    print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def stream_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    home = tmp_path_factory.mktemp("alsa-fifo")
    write_asoundrc(home, home / "out.fifo")
    # A tone with an offset: no sample is exactly zero, so gaps would show.
    with sf.SoundFile(
        home / "long.wav", "w", samplerate=SR, channels=1, subtype="PCM_16"
    ) as fh:
        for k in range(MINUTES * 60):
            t = (np.arange(SR) + k * SR) / SR
            fh.write((0.3 * np.sin(2 * np.pi * 440 * t) + 0.4).astype(np.float32))
    return run_script(STREAM_SCRIPT % {"minutes": MINUTES}, home, timeout=300), home


@pytest.mark.slow
def test_a_long_selection_streams_from_disk_with_bounded_memory(stream_run) -> None:
    result, home = stream_run
    long = result["long"]
    assert long["error"] is None
    # The span as float32 is 38 MB; the process's peak memory grew by less
    # than a fifth of that while it played.
    assert long["rss_kib"] * 1024 < MINUTES * 60 * SR * 4 / 5
    sent = np.fromfile(long["sink"], dtype=np.float32)
    # The sink takes audio at 80x real time; where the feeder could not keep
    # up the callback sent silence (counted, and not counted as played).
    # The file has no zero sample, so without the silence the output must
    # be the file, sample for sample, in order.
    sent = sent[sent != 0]
    assert sent.size == MINUTES * 60 * SR
    for k in range(0, MINUTES * 60, 60):
        expected = read_window(home / "long.wav", k, k + 60)
        np.testing.assert_array_equal(sent[k * SR : (k + 60) * SR], expected)


@pytest.mark.slow
def test_pause_holds_the_playhead_and_resume_goes_on(stream_run) -> None:
    result, home = stream_run
    pause = result["pause"]
    assert pause["error"] is None
    assert pause["later"] == pause["position"]  # frozen while paused
    assert pause["sent_later"] == pause["sent"]  # nothing sent while paused
    heard_frames = round((pause["position"] - 10.0) * SR)
    assert 0.1 * SR < heard_frames < 2.5 * SR  # 0.5 s at 2x, plus the pipe's buffer
    # The counter stepped back to what was heard: what the device still held
    # was dropped by the pause and will be sent again.
    assert pause["sent"] == heard_frames
    latency = round(pause["latency"] * SR)
    sent = np.fromfile(pause["sink"], dtype=np.float32)
    sent = sent[sent != 0]  # PortAudio primes the device with silence at each start
    expected = read_window(home / "long.wav", 10.0, 13.0)
    # The file sink records what was sent, including what the device still
    # held when the pause dropped it (the latency). Playback goes on from
    # what was heard: exactly the frame the playhead showed.
    k1 = int(np.flatnonzero(sent[: expected.size] != expected)[0])
    assert k1 - heard_frames == latency
    np.testing.assert_array_equal(sent[k1:], expected[heard_frames:])


@pytest.mark.slow
def test_a_device_that_vanishes_ends_playback_with_a_message_and_the_next_one_plays(
    stream_run,
) -> None:
    result, home = stream_run
    assert result["vanish"]["playing"] is False
    assert "stopped working" in result["vanish"]["error"]
    assert result["back"]["error"] is None
    sent = np.fromfile(result["back"]["sink"], dtype=np.float32)
    sent = sent[np.flatnonzero(sent)[0] :]
    expected = read_window(home / "long.wav", 40.0, 40.5)
    np.testing.assert_array_equal(sent[: expected.size], expected)
