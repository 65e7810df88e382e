"""Playback engine: real output through an ALSA file sink, and no PortAudio.

PortAudio reads the ALSA configuration when sounddevice is first imported,
so every test that touches sounddevice runs in a subprocess whose HOME
holds a temporary ``.asoundrc`` (never the user's real home). The main test
process never imports sounddevice.
"""

from __future__ import annotations

import ctypes.util
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audioclass_gui.audio.playback import PlaybackEngine, PlaybackError

REPO = Path(__file__).resolve().parents[1]
HAVE_PORTAUDIO = ctypes.util.find_library("portaudio") is not None


def _run(script: str, env: dict[str, str], cwd: Path) -> dict[str, Any]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ALSA")}
    full_env.update(env)
    full_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (env.get("PYTHONPATH"), str(REPO)) if p
    )
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"subprocess failed:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


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

    # 2. Ten seconds: the position while playing, against the frame counter.
    ten = np.tile(one_second, 10)
    engine.play(ten, sr, origin=100.0)
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
    (home / ".asoundrc").write_text(
        textwrap.dedent(
            f"""
            pcm.!default {{
                type file
                slave.pcm "null"
                file "{home / "out.raw"}"
                format "raw"
            }}
            """
        )
    )
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    return _run(SINK_SCRIPT, env, cwd=home), home


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
    low = origin + np.clip(before - lat_frames, 0, 10 * sr) / sr
    high = origin + np.clip(after - lat_frames, 0, 10 * sr) / sr
    assert np.all((pos >= low - 1e-9) & (pos <= high + 1e-9))
    assert np.all(np.diff(pos) >= 0)  # never runs backwards
    assert pos[-1] > origin + 1.0 and pos.max() <= origin + 10.0
    assert np.all(latency < 1.0)


def test_stop_stops_the_output(sink_run: tuple[dict[str, Any], Path]) -> None:
    result, _ = sink_run
    assert result["after_stop"] == [False, None, 0]
    size, later = result["stopped_sizes"]
    assert size == later  # nothing more was written after stop()
    assert size < 60 * 32000 * 4  # far less than the 120 s that were queued


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
    result = _run(NO_PORTAUDIO_SCRIPT, {"PYTHONPATH": str(fake)}, cwd=tmp_path)
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
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config")}
    result = _run(NO_PORTAUDIO_SCRIPT, env, cwd=tmp_path)
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
