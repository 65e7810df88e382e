"""The playback engine's logic with an in-process device: pause, speed, fallbacks, failures.

``FakeDevice`` behaves like a sound card as far as the engine can tell: it
pulls blocks on its own thread, holds the last few blocks in a "hardware
buffer" (its latency) that an abort throws away unheard, and can fail or
stall on demand. What it has played is what a listener heard. The real
PortAudio path is tested against ALSA file sinks in test_playback.py and
test_playback_stream.py.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.audio import transport as transport_module
from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import read_info
from audioclass_gui.audio.playback import OutputDevice, PlaybackEngine, PlaybackError
from audioclass_gui.audio.playback_dsp import PlaybackOptions
from audioclass_gui.audio.reader import read_window

SR = 16000


class FakeDevice:
    """An output stream with a hardware buffer of ``queued`` blocks."""

    def __init__(
        self,
        *,
        samplerate,
        channels,
        fill,
        finished,
        device=None,
        block=256,
        queued=4,
        pace=8.0,
        fail_after=None,
        stall_after=None,
    ) -> None:
        self.samplerate, self.channels, self.device = samplerate, channels, device
        self.fill, self.finished = fill, finished
        self.block, self.queued, self.pace = block, queued, pace
        self.fail_after, self.stall_after = fail_after, stall_after
        self.latency = queued * block / samplerate
        self.heard: list[np.ndarray] = []
        self.buffer: deque[np.ndarray] = deque()
        self.blocks = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.closed = False

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.stall_after is not None and self.blocks >= self.stall_after:
                time.sleep(0.01)
                continue
            if self.fail_after is not None and self.blocks >= self.fail_after:
                break  # the device vanished: no more callbacks
            out = np.full((self.block, self.channels), np.nan, np.float32)
            done = self.fill(out, self.block)
            self.blocks += 1
            self.buffer.append(out)
            if len(self.buffer) > self.queued:
                self.heard.append(self.buffer.popleft())
            if done:
                self.heard.extend(self.buffer)
                self.buffer.clear()
                break
            time.sleep(self.block / self.samplerate / self.pace)
        self.finished()

    def abort(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self.buffer.clear()  # queued audio is dropped unheard

    def close(self) -> None:
        self.closed = True

    def output(self) -> np.ndarray:
        return (
            np.concatenate(self.heard)
            if self.heard
            else np.zeros((0, self.channels), np.float32)
        )


class Factory:
    """Opens FakeDevices; refuses some rates or channel counts like PortAudio."""

    default_samplerate = 48000

    def __init__(
        self, *, rates=None, channels=(1, 2), error=None, devices=(), **device_kwargs
    ) -> None:
        self.rates, self.channels, self.error = rates, channels, error
        self.devices = list(devices)
        self.kwargs = device_kwargs
        self.opened: list[FakeDevice] = []
        self.attempts: list[tuple[int, int]] = []

    def __call__(self, **kwargs) -> FakeDevice:
        self.attempts.append((kwargs["samplerate"], kwargs["channels"]))
        if self.error:
            raise RuntimeError(self.error)
        if self.rates is not None and kwargs["samplerate"] not in self.rates:
            raise RuntimeError(
                "Error opening OutputStream: Invalid sample rate [PaErrorCode -9997]"
            )
        if kwargs["channels"] not in self.channels:
            raise RuntimeError(
                "Error opening OutputStream: Invalid number of channels [PaErrorCode -9998]"
            )
        self.opened.append(FakeDevice(**kwargs, **self.kwargs))
        return self.opened[-1]


def wait_until_done(engine: PlaybackEngine, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while (engine.is_playing() or engine.is_paused()) and time.monotonic() < deadline:
        time.sleep(0.002)
    assert not engine.is_playing(), "playback did not end"


@pytest.fixture
def tone_wav(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    t = np.arange(SR * 6) / SR
    x = 0.3 * np.sin(2 * np.pi * 1000 * t) + 0.05 * rng.standard_normal(t.size)
    path = tmp_path / "tone.wav"
    sf.write(path, x.astype(np.float32), SR, subtype="PCM_16")
    return path


def test_play_file_plays_exactly_the_span(tone_wav: Path) -> None:
    factory = Factory()
    engine = PlaybackEngine(factory)
    setup = engine.play_file(tone_wav, 1.25, 3.5)
    assert setup is not None and setup.output_rate == SR and not setup.resampled
    wait_until_done(engine)
    out = factory.opened[-1].output()[:, 0]
    expected = read_window(tone_wav, 1.25, 3.5)
    np.testing.assert_array_equal(out[: expected.size], expected)
    assert not out[expected.size :].any()
    assert engine.take_error() is None and factory.opened[-1].closed


def test_pause_resumes_at_the_sample_that_was_heard(tone_wav: Path) -> None:
    factory = Factory(pace=4.0)
    engine = PlaybackEngine(factory)
    engine.play_file(tone_wav, 0.5, 4.5)
    device = factory.opened[-1]
    for _ in range(3):
        while device.blocks < 40:
            time.sleep(0.001)
        assert engine.pause()
        assert engine.is_paused() and not engine.is_playing()
        heard = device.output().shape[0]
        pos = engine.position()
        # The playhead stops at the last sample heard, not the last sent.
        assert pos == pytest.approx(0.5 + heard / SR, abs=1e-9)
        time.sleep(0.05)
        assert engine.position() == pos
        device.blocks = 0
        assert engine.resume() and engine.is_playing()
    wait_until_done(engine)
    out = device.output()[:, 0]
    expected = read_window(tone_wav, 0.5, 4.5)
    np.testing.assert_array_equal(out[: expected.size], expected)
    assert not out[expected.size :].any()


def test_playhead_stays_in_recording_time_at_half_speed(tone_wav: Path) -> None:
    factory = Factory(pace=2.0)
    engine = PlaybackEngine(factory)
    setup = engine.play_file(tone_wav, 2.0, 4.0, options=PlaybackOptions(speed=0.5))
    assert setup.tape_rate == SR // 2 == setup.output_rate and setup.speed == 0.5
    device = factory.opened[-1]
    assert device.samplerate == SR // 2  # the same samples, played slower
    while device.blocks < 30:
        time.sleep(0.001)
    engine.pause()
    heard = device.output().shape[0]
    assert engine.position() == pytest.approx(
        2.0 + heard / SR
    )  # one output frame = one recording frame
    engine.resume()
    wait_until_done(engine)
    out = device.output()[:, 0]
    expected = read_window(tone_wav, 2.0, 4.0)
    np.testing.assert_array_equal(out[: expected.size], expected)


def test_device_refusing_the_tape_rate_gets_resampled_audio(tone_wav: Path) -> None:
    factory = Factory(rates={48000}, pace=50.0)
    engine = PlaybackEngine(factory)
    setup = engine.play_file(tone_wav, 1.0, 2.0, options=PlaybackOptions(speed=0.25))
    assert (setup.tape_rate, setup.output_rate) == (4000, 48000) and setup.resampled
    assert factory.attempts[0] == (4000, 1)
    device = factory.opened[-1]
    while device.blocks < 100:
        time.sleep(0.001)
    engine.pause()
    heard = device.output().shape[0]
    # 12 output frames per recording frame (4 kHz tape on a 48 kHz device).
    assert engine.position() == pytest.approx(1.0 + heard / 12 / SR)
    engine.resume()
    wait_until_done(engine)
    out = device.output()[:, 0]
    assert abs(np.count_nonzero(out) - SR * 12) <= 12
    spectrum = np.abs(np.fft.rfft(out[: SR * 12]))
    freqs = np.fft.rfftfreq(SR * 12, 1 / 48000)
    assert freqs[np.argmax(spectrum)] == pytest.approx(
        250.0, abs=1
    )  # 1 kHz, two octaves lower


def test_explicit_output_rate_and_stereo_only_devices(tone_wav: Path) -> None:
    factory = Factory(channels=(2,))
    engine = PlaybackEngine(factory)
    setup = engine.play_file(
        tone_wav, 0.0, 0.5, options=PlaybackOptions(output_rate=SR * 2)
    )
    assert (setup.output_rate, setup.channels) == (SR * 2, 2)
    assert factory.attempts == [(SR * 2, 1), (SR * 2, 2)]
    wait_until_done(engine)
    out = factory.opened[-1].output()
    np.testing.assert_array_equal(out[:, 0], out[:, 1])
    assert abs(np.count_nonzero(out[:, 0]) - SR) <= 2


def test_recordings_already_time_expanded_play_at_their_stored_rate(
    tone_wav: Path,
) -> None:
    factory = Factory()
    engine = PlaybackEngine(factory)
    setup = engine.play_file(tone_wav, 0.0, 0.5, time_expansion=10.0)
    assert setup.tape_rate == SR and setup.speed == 1.0
    assert setup.real_time_speed == pytest.approx(0.1)  # heard ten times slower
    engine.stop()
    # Slowing down goes on from the stored rate.
    setup = engine.play_file(
        tone_wav, 0.0, 0.5, options=PlaybackOptions(speed=0.5), time_expansion=10.0
    )
    assert setup.tape_rate == SR // 2 and setup.real_time_speed == pytest.approx(0.05)
    engine.stop()


def test_loop_repeats_the_span_and_the_playhead_wraps(tone_wav: Path) -> None:
    factory = Factory(pace=2.0)
    engine = PlaybackEngine(factory)
    engine.play_file(tone_wav, 1.0, 1.25, options=PlaybackOptions(loop=True))
    positions = []
    deadline = time.monotonic() + 10
    while len(factory.opened[-1].heard) * 256 < SR and time.monotonic() < deadline:
        pos = engine.position()
        positions.append(pos)
        time.sleep(0.002)
    assert engine.is_playing()
    engine.stop()
    out = np.concatenate(factory.opened[-1].heard)[:, 0]
    span = read_window(tone_wav, 1.0, 1.25)
    n = out.size // span.size
    assert n >= 3
    np.testing.assert_array_equal(out[: n * span.size], np.tile(span, n))
    pos = np.array(positions)
    assert pos.min() >= 1.0 and pos.max() <= 1.25
    assert (np.diff(pos) < -0.1).sum() >= 2  # wrapped back to the start at least twice


def test_busy_device_is_reported_in_words(tone_wav: Path) -> None:
    engine = PlaybackEngine(
        Factory(
            error="Error opening OutputStream: Device unavailable [PaErrorCode -9985]"
        )
    )
    with pytest.raises(PlaybackError, match="busy or in use by another program"):
        engine.play_file(tone_wav, 0, 1)
    assert not engine.is_playing() and engine.position() is None


def test_device_vanishing_mid_playback_ends_it_with_a_message(tone_wav: Path) -> None:
    factory = Factory(fail_after=20)
    engine = PlaybackEngine(factory)
    finished = []
    engine.on_finished = lambda: finished.append(True)
    engine.play_file(tone_wav, 0.0, 5.0)
    wait_until_done(engine)
    error = engine.take_error()
    assert error is not None and "stopped working" in error
    assert engine.take_error() is None and not finished
    # The next playback works.
    factory.kwargs = {}
    engine.play_file(tone_wav, 0.0, 0.2)
    wait_until_done(engine)
    assert engine.take_error() is None and finished == [True]


def test_a_stalled_device_is_given_up(
    tone_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport_module, "STALL_SECONDS", 0.2)
    factory = Factory(stall_after=10)
    engine = PlaybackEngine(factory)
    engine.play_file(tone_wav, 0.0, 5.0)
    wait_until_done(engine, timeout=5)
    assert "stopped taking audio" in engine.take_error()


def test_chosen_device_is_used_and_a_missing_one_falls_back(tone_wav: Path) -> None:
    devices = [
        OutputDevice("USB headset", 3, 48000.0),
        OutputDevice("Speakers", 0, 44100.0, is_default=True),
    ]
    factory = Factory(devices=devices)
    engine = PlaybackEngine(factory, device="USB headset")
    assert engine.output_devices() == devices and engine.reason == "Output: USB headset"
    setup = engine.play_file(tone_wav, 0.0, 0.1)
    assert setup.notice is None and factory.opened[-1].device == 3
    engine.device = "Bluetooth speaker"
    setup = engine.play_file(tone_wav, 0.0, 0.1)
    assert "not connected" in setup.notice and factory.opened[-1].device is None
    wait_until_done(engine)


def test_bad_spans_channels_and_files(tone_wav: Path, tmp_path: Path) -> None:
    engine = PlaybackEngine(Factory())
    assert engine.play_file(tone_wav, 7.0, 9.0) is None  # after the end
    assert engine.play_file(tone_wav, 2.0, 2.0) is None
    with pytest.raises(AudioFileError, match="channel 2 does not exist"):
        engine.play_file(tone_wav, 0, 1, channel=1)
    with pytest.raises(AudioFileError, match="file not found"):
        engine.play_file(tmp_path / "missing.wav", 0, 1)
    # A file that disappears after it was opened: the playback ends and says why.
    gone = tmp_path / "gone.wav"
    sf.write(gone, np.zeros(SR, np.float32), SR)
    info = read_info(gone)
    gone.unlink()
    engine.play_file(gone, 0, 1, info=info)
    wait_until_done(engine)
    assert str(gone) in (engine.take_error() or "")
