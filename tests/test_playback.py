"""Playback engine: real output through an ALSA file sink, and no PortAudio.

PortAudio reads the ALSA configuration when sounddevice is first imported,
so every test that touches sounddevice runs in a subprocess whose HOME
holds a temporary ``.asoundrc`` (never the user's real home). The main test
process never imports sounddevice.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.audio.playback import PlaybackEngine, PlaybackError
from audioclass_gui.audio.reader import read_window
from tests.conftest import write_calls
from tests.playback_harness import HAVE_PORTAUDIO, run_script, write_asoundrc

# --- through a real PortAudio stream into an ALSA file sink ------------------

SINK_SCRIPT = """
    import json, os, shutil, time
    import numpy as np
    from audioclass_gui.audio.playback import PlaybackEngine, playback_status

    out, sr = "out.raw", 32000
    result = {"status": list(playback_status())}
    engine = PlaybackEngine()
    result["available"], result["reason"] = engine.available, engine.reason
    rng = np.random.default_rng(5)
    t = np.arange(sr) / sr
    one_second = (0.5 * np.sin(2 * np.pi * 440 * t + 0.3)
                  + 0.05 * rng.standard_normal(sr)).astype(np.float32)
    np.save("signal.npy", one_second)

    # 1. One second, played to the end.
    finished = []
    engine.on_finished = lambda: finished.append(True)
    engine.play(one_second, sr, origin=12.5)
    deadline = time.monotonic() + 30
    while engine.is_playing() and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(0.1)
    result["finished_called"] = finished == [True]
    result["after_end"] = [engine.is_playing(), engine.position()]
    shutil.copy(out, "exact.raw")

    # 2. A minute: the position while playing, against the frame counter
    # (long enough for many polls, as this sink is not paced).
    minute = np.tile(one_second, 60)
    engine.play(minute, sr, origin=100.0)
    samples = []
    while engine.is_playing():
        before = engine.frames_sent
        pos = engine.position()
        after = engine.frames_sent
        if pos is not None and (not samples or samples[-1][0] != before):
            samples.append([before, pos, after, engine.latency])
        time.sleep(0)
    result["positions"] = samples

    # 3. Two minutes, stopped as soon as audio flows.
    engine.play(np.tile(one_second, 120), sr, origin=0.0)
    while engine.frames_sent == 0:
        time.sleep(0.0005)
    engine.stop()
    result["after_stop"] = [engine.is_playing(), engine.position(), engine.frames_sent]
    size = os.path.getsize(out)
    time.sleep(0.3)
    result["stopped_sizes"] = [size, os.path.getsize(out)]
    print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def sink_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    if not HAVE_PORTAUDIO:
        pytest.skip("libportaudio2 (the PortAudio library) is not installed")
    home = tmp_path_factory.mktemp("alsa-home")
    write_asoundrc(home, home / "out.raw")
    return run_script(SINK_SCRIPT, home), home


def test_sink_is_reported_available(sink_run: tuple[dict[str, Any], Path]) -> None:
    result, _ = sink_run
    assert result["status"] == [True, "Output: default"]
    assert result["available"] is True and result["reason"] == "Output: default"


def test_played_samples_reach_the_output_exactly(
    sink_run: tuple[dict[str, Any], Path],
) -> None:
    result, home = sink_run
    sent = np.load(home / "signal.npy")
    captured = np.fromfile(home / "exact.raw", dtype=np.float32)
    nonzero = np.flatnonzero(captured)
    assert nonzero.size, "nothing reached the output"
    start = nonzero[0]  # PortAudio primes the device with silence first
    assert start < 32000
    np.testing.assert_array_equal(captured[start : start + sent.size], sent)
    assert not captured[start + sent.size :].any()  # then only the zero fill
    assert result["finished_called"] is True
    assert result["after_end"] == [False, None]


def test_position_follows_the_frame_counter(
    sink_run: tuple[dict[str, Any], Path],
) -> None:
    result, _ = sink_run
    rows = np.array(result["positions"], dtype=float)
    assert len(rows) >= 5
    before, pos, after, latency = rows.T
    sr, origin = 32000, 100.0
    lat_frames = np.round(latency * sr)
    low = origin + np.clip(before - lat_frames, 0, 60 * sr) / sr
    high = origin + np.clip(after - lat_frames, 0, 60 * sr) / sr
    assert np.all((pos >= low - 1e-9) & (pos <= high + 1e-9))
    assert np.all(np.diff(pos) >= 0)  # never runs backwards
    assert pos[-1] > origin + 1.0 and pos.max() <= origin + 60.0
    assert np.all(latency < 1.0)


def test_stop_stops_the_output(sink_run: tuple[dict[str, Any], Path]) -> None:
    result, _ = sink_run
    assert result["after_stop"] == [False, None, 0]
    size, later = result["stopped_sizes"]
    assert size == later  # nothing more was written after stop()
    assert size < 60 * 32000 * 4  # far less than the 120 s that were queued


# --- spans of files, through the engine's feeder, into a WAV file sink -------

PLAY_FILE_SCRIPT = """
    import json, shutil, time
    from audioclass_gui.audio.playback import PlaybackEngine
    from audioclass_gui.audio.playback_dsp import PlaybackOptions

    engine = PlaybackEngine()
    result = {}

    def play(name, path, start, end, **options):
        setup = engine.play_file(path, start, end, options=PlaybackOptions(**options))
        rows = []
        while engine.is_playing():
            before = engine.frames_sent
            pos = engine.position()
            after = engine.frames_sent
            if pos is not None and (not rows or rows[-1][0] != before):
                rows.append([before, pos, after, engine.latency])
            time.sleep(0)
        time.sleep(0.1)
        shutil.copy("out.wav", name + ".wav")
        result[name] = {"setup": [setup.tape_rate, setup.output_rate, setup.channels],
                        "error": engine.take_error(), "positions": rows}

    play("detection", "calls.wav", 1.2, 1.8)
    play("half", "calls.wav", 1.2, 1.8, speed=0.5)
    play("half_fixed", "calls.wav", 1.2, 1.8, speed=0.5, output_rate=32000)
    play("fallback", "calls8k.wav", 1.0, 1.5, speed=0.1)
    play("band", "tones.wav", 0.5, 2.5, band=(4000.0, 8000.0))
    play("long_half", "calls.wav", 0.0, 12.0, speed=0.5)
    print(json.dumps(result))
"""


def _captured(path: Path) -> tuple[np.ndarray, int]:
    """Float32 samples PortAudio sent (the WAV header says int32) and the stream's rate."""
    raw, rate = sf.read(path, dtype="int32")
    samples = raw.view(np.float32)
    nonzero = np.flatnonzero(samples)
    assert nonzero.size, f"nothing reached {path.name}"
    return samples[nonzero[0] :], rate  # PortAudio primes the device with silence first


@pytest.fixture(scope="module")
def file_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    if not HAVE_PORTAUDIO:
        pytest.skip("libportaudio2 (the PortAudio library) is not installed")
    home = tmp_path_factory.mktemp("alsa-wav")
    write_asoundrc(home, home / "out.wav", fmt="wav")
    write_calls(home / "calls.wav")
    write_calls(home / "calls8k.wav", samplerate=8000, calls=((1.1, 1.4, 2000.0),))
    t = np.arange(32000 * 3) / 32000
    tones = 0.25 * np.sin(2 * np.pi * 1000 * t) + 0.25 * np.sin(2 * np.pi * 6000 * t)
    sf.write(home / "tones.wav", tones.astype(np.float32), 32000, subtype="PCM_16")
    return run_script(PLAY_FILE_SCRIPT, home), home


def test_playing_a_detection_sends_exactly_its_samples(file_run) -> None:
    result, home = file_run
    assert result["detection"]["setup"] == [32000, 32000, 1]
    assert result["detection"]["error"] is None
    sent, rate = _captured(home / "detection.wav")
    expected = read_window(home / "calls.wav", 1.2, 1.8)
    assert rate == 32000
    np.testing.assert_array_equal(sent[: expected.size], expected)
    assert not sent[expected.size :].any()


def test_half_speed_plays_the_same_samples_at_half_the_rate(file_run) -> None:
    result, home = file_run
    assert result["half"]["setup"] == [16000, 16000, 1]
    sent, rate = _captured(home / "half.wav")
    expected = read_window(home / "calls.wav", 1.2, 1.8)
    assert rate == 16000  # the device took the tape rate: no resampling
    np.testing.assert_array_equal(sent[: expected.size], expected)


def test_half_speed_on_a_fixed_rate_device_sends_twice_the_samples(file_run) -> None:
    result, home = file_run
    assert result["half_fixed"]["setup"] == [16000, 32000, 1]
    sent, rate = _captured(home / "half_fixed.wav")
    expected = read_window(home / "calls.wav", 1.2, 1.8)
    assert rate == 32000
    n = 2 * expected.size
    assert np.count_nonzero(sent) == pytest.approx(n, abs=8)
    # The same waveform, stretched: the whole span resampled in one go (soxr
    # VHQ, as the engine), and every other sample close to the original one.
    import soxr

    whole = soxr.resample(expected, 16000, 32000, quality="VHQ")
    np.testing.assert_allclose(sent[200 : n - 200], whole[200 : n - 200], atol=1e-4)
    assert np.corrcoef(sent[200 : n - 200 : 2], expected[100:-100])[0, 1] > 0.999
    spectrum = np.abs(np.fft.rfft(sent[:n]))
    assert np.fft.rfftfreq(n, 1 / 32000)[np.argmax(spectrum)] == pytest.approx(
        2000, abs=5
    )


def test_a_rate_the_device_refuses_is_resampled_to_its_own(file_run) -> None:
    result, home = file_run
    # 8 kHz at 0.1x is an 800 Hz tape: below what the device takes.
    assert result["fallback"]["setup"] == [800, 44100, 1]
    assert result["fallback"]["error"] is None
    sent, rate = _captured(home / "fallback.wav")
    assert rate == 44100
    assert np.count_nonzero(sent) == pytest.approx(4000 * 44100 / 800, rel=0.001)


def test_band_pass_keeps_a_tone_inside_the_band_and_removes_one_outside(
    file_run,
) -> None:
    _, home = file_run
    sent, _ = _captured(home / "band.wav")
    sent = sent[6400 : 6400 + 32000]  # 1 s well inside the 2 s span
    spectrum = np.abs(np.fft.rfft(sent)) / sent.size * 2
    assert spectrum[6000] == pytest.approx(0.25, rel=0.03)  # 1 Hz bins
    assert spectrum[1000] < 0.25 * 10 ** (-60 / 20)


def test_playhead_matches_the_sample_counter_at_half_speed(file_run) -> None:
    result, _ = file_run
    rows = np.array(result["long_half"]["positions"], dtype=float)
    assert len(rows) >= 5
    before, pos, after, latency = rows.T
    lat = np.round(latency * 16000)
    # One output frame is one recording frame: recording time = frames / 32 kHz.
    low = np.clip(before - lat, 0, None) / 32000
    high = np.clip(after - lat, 0, None) / 32000
    assert np.all((pos >= low - 1e-9) & (pos <= high + 1e-9))
    assert np.all(np.diff(pos) >= 0) and pos[-1] > 1.0 and pos.max() <= 12.0


# --- without PortAudio ---------------------------------------------------------

NO_PORTAUDIO_SCRIPT = """
    import json
    import numpy as np
    from audioclass_gui.audio.playback import PlaybackEngine, PlaybackError, playback_status

    status = playback_status()
    engine = PlaybackEngine()
    try:
        engine.play(np.zeros(1000, np.float32), 32000)
        error = None
    except PlaybackError as exc:
        error = str(exc)
    print(json.dumps({"status": list(status), "available": engine.available,
                      "reason": engine.reason, "error": error,
                      "playing": engine.is_playing(), "position": engine.position()}))
"""


def test_without_portaudio_playback_is_unavailable_and_says_why(tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    fake.mkdir()
    # What sounddevice raises on import when libportaudio2 is missing.
    (fake / "sounddevice.py").write_text(
        "raise OSError('PortAudio library not found')\n"
    )
    result = run_script(NO_PORTAUDIO_SCRIPT, tmp_path, PYTHONPATH=str(fake))
    ok, reason = result["status"]
    assert ok is False and "PortAudio" in reason and "libportaudio2" in reason
    assert result["available"] is False and result["reason"] == reason
    assert result["error"] == reason
    assert result["playing"] is False and result["position"] is None


def test_without_an_output_device_playback_is_unavailable(tmp_path: Path) -> None:
    if not HAVE_PORTAUDIO:
        pytest.skip("libportaudio2 (the PortAudio library) is not installed")
    # An ALSA configuration whose default device cannot exist.
    (tmp_path / ".asoundrc").write_text(
        "pcm.!default { type hw card 97 }\nctl.!default { type hw card 97 }\n"
    )
    result = run_script(NO_PORTAUDIO_SCRIPT, tmp_path)
    ok, reason = result["status"]
    if ok:
        pytest.skip(f"PortAudio still found an output device here ({reason})")
    assert reason == "Playback unavailable: no audio output device"
    assert result["error"] == reason


# --- the callback logic, driven by a stream thread of our own ----------------


class _ThreadStream:
    """An output stream that pulls blocks of uneven size on its own thread."""

    def __init__(self, *, samplerate: int, channels: int, fill, finished) -> None:
        self.channels, self.fill, self.finished = channels, fill, finished
        self.blocks: list[np.ndarray] = []
        self.latency = 0.01
        self.aborted = threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.gate = threading.Event()

    def _run(self) -> None:
        sizes = [1, 7, 256, 1000, 333]
        i = 0
        while not self.aborted.is_set():
            self.gate.wait()
            if self.aborted.is_set():
                break
            out = np.full((sizes[i % len(sizes)], self.channels), np.nan, np.float32)
            done = self.fill(out, out.shape[0])
            self.blocks.append(out)
            i += 1
            if done:
                break
        self.finished()

    def start(self) -> None:
        self.thread.start()

    def abort(self) -> None:
        self.aborted.set()
        self.gate.set()
        self.thread.join()

    def close(self) -> None:
        pass


def test_callback_copies_the_buffer_then_zero_fills_and_finishes() -> None:
    streams: list[_ThreadStream] = []

    def factory(**kwargs) -> _ThreadStream:
        streams.append(_ThreadStream(**kwargs))
        return streams[-1]

    engine = PlaybackEngine(stream_factory=factory)
    assert engine.available and engine.reason == "Output: custom stream"
    rng = np.random.default_rng(0)
    stereo = rng.uniform(-1, 1, (5000, 2)).astype(np.float32)
    finished = threading.Event()
    engine.on_finished = finished.set
    engine.play(stereo, 8000, origin=3.0)
    stream = streams[0]
    assert engine.is_playing() and engine.position() == 3.0  # latency not yet covered
    stream.gate.set()
    assert finished.wait(5)
    out = np.concatenate(stream.blocks)
    np.testing.assert_array_equal(out[:5000], stereo)
    assert not out[5000:].any() and out.shape[0] > 5000  # zeros after the end
    assert not engine.is_playing() and engine.position() is None

    # Stopped half-way: the counter freezes, on_finished is not called.
    finished.clear()
    engine.play(stereo[:, 0], 8000, origin=0.0)
    stream = streams[1]
    assert engine.frames_sent == 0
    engine.stop()
    assert (
        not finished.is_set() and not engine.is_playing() and engine.position() is None
    )


def test_play_rejects_bad_input_and_reports_open_failures() -> None:
    def broken(**kwargs):
        raise RuntimeError("device busy")

    engine = PlaybackEngine(stream_factory=broken)
    with pytest.raises(PlaybackError, match="could not be opened.*device busy"):
        engine.play(np.zeros(100, np.float32), 32000)
    assert not engine.is_playing()
    with pytest.raises(ValueError):
        engine.play(np.zeros((2, 2, 2), np.float32), 32000)
    with pytest.raises(ValueError):
        engine.play(np.zeros(10, np.float32), 0)
    engine.play(np.zeros(0, np.float32), 32000)  # nothing to play: no stream opened
    assert not engine.is_playing()
