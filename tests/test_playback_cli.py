"""``audioclass-gui play``: the engine from the command line, into an ALSA file sink."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.audio.reader import read_window
from tests.playback_harness import HAVE_PORTAUDIO, REPO, sandbox_env, write_asoundrc

needs_portaudio = pytest.mark.skipif(
    not HAVE_PORTAUDIO, reason="libportaudio2 (the PortAudio library) is not installed"
)


def play(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audioclass_gui", "play", *args],
        env=sandbox_env(home, **env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def stereo_wav(tmp_path: Path) -> Path:
    sr = 32000
    t = np.arange(sr * 4) / sr
    rng = np.random.default_rng(11)
    left = 0.25 * np.sin(2 * np.pi * 1000 * t) + 0.25 * np.sin(2 * np.pi * 4000 * t)
    right = 0.1 * rng.standard_normal(t.size)
    path = tmp_path / "stereo.wav"
    sf.write(
        path, np.stack([left, right], axis=1).astype(np.float32), sr, subtype="PCM_16"
    )
    return path


def _sent(path: Path, wav: bool = False) -> tuple[np.ndarray, int | None]:
    if wav:
        raw, rate = sf.read(path, dtype="int32")
        samples = raw.view(np.float32)
    else:
        samples, rate = np.fromfile(path, dtype=np.float32), None
    return samples[np.flatnonzero(samples)[0] :], rate


@needs_portaudio
def test_play_sends_exactly_the_span(tmp_path: Path, stereo_wav: Path) -> None:
    write_asoundrc(tmp_path, tmp_path / "out.raw")
    proc = play(tmp_path, str(stereo_wav), "--start", "1.25", "--end", "2.5")
    assert proc.returncode == 0, proc.stderr
    assert "Playing stereo.wav 1.250-2.500 s at 1x, 32000 Hz" in proc.stderr
    sent, _ = _sent(tmp_path / "out.raw")
    expected = read_window(stereo_wav, 1.25, 2.5)  # channels mixed, as in the app
    np.testing.assert_array_equal(sent[: expected.size], expected)
    assert not sent[expected.size :].any()
    proc = play(tmp_path, str(stereo_wav), "--start", "3", "--channel", "2", "-q")
    assert proc.returncode == 0 and proc.stderr == ""
    sent, _ = _sent(tmp_path / "out.raw")
    expected = read_window(stereo_wav, 3.0, 4.0, channel=1)
    np.testing.assert_array_equal(sent[: expected.size], expected)


@needs_portaudio
def test_play_slowed_down_and_band_passed(tmp_path: Path, stereo_wav: Path) -> None:
    write_asoundrc(tmp_path, tmp_path / "out.wav", fmt="wav")
    # 1.2 s: short enough to be in the ring before the stream starts, as
    # this file sink takes audio far faster than real time.
    args = [
        "--start",
        "0.5",
        "--end",
        "1.7",
        "--speed",
        "0.5",
        "--band",
        "3000",
        "5000",
    ]
    proc = play(tmp_path, str(stereo_wav), *args, "--channel", "1")
    assert proc.returncode == 0, proc.stderr
    assert "at 0.5x, 16000 Hz" in proc.stderr
    sent, rate = _sent(tmp_path / "out.wav", wav=True)
    assert rate == 16000  # the tape rate: slower and an octave lower
    assert np.count_nonzero(sent) == pytest.approx(1.2 * 32000, abs=2)
    middle = sent[8000 : 8000 + 16000]  # the recording's frames 0.75-1.25 s
    spectrum = np.abs(np.fft.rfft(middle)) / middle.size * 2
    freqs = np.fft.rfftfreq(middle.size, 1 / 32000)  # in the recording's Hz
    assert spectrum[freqs == 4000][0] == pytest.approx(0.25, rel=0.02)  # kept
    assert spectrum[freqs == 1000][0] < 0.25e-3  # removed


@needs_portaudio
def test_list_devices(tmp_path: Path) -> None:
    write_asoundrc(tmp_path, tmp_path / "out.raw")
    proc = play(tmp_path, "--list-devices")
    assert proc.returncode == 0 and proc.stdout.startswith("* default")


def test_play_reports_bad_input_in_words(tmp_path: Path, stereo_wav: Path) -> None:
    write_asoundrc(tmp_path, tmp_path / "out.raw")
    proc = play(tmp_path, str(tmp_path / "missing.wav"))
    assert proc.returncode == 1 and "missing.wav: file not found" in proc.stderr
    proc = play(tmp_path, str(stereo_wav), "--start", "5")
    assert proc.returncode == 1 and "nothing to play between 5 s and 4 s" in proc.stderr
    proc = play(tmp_path, str(stereo_wav), "--channel", "3")
    assert proc.returncode == 1 and "channel 3 does not exist" in proc.stderr
    proc = play(tmp_path, str(stereo_wav), "--speed", "3")
    assert proc.returncode == 2 and "the speed is between 0.05 and 2" in proc.stderr
    proc = play(tmp_path, str(stereo_wav), "--band", "5000", "3000")
    assert proc.returncode == 2 and "band must be" in proc.stderr


def test_play_without_portaudio_says_why(tmp_path: Path, stereo_wav: Path) -> None:
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "sounddevice.py").write_text(
        "raise OSError('PortAudio library not found')\n"
    )
    proc = play(tmp_path, str(stereo_wav), PYTHONPATH=str(fake))
    assert proc.returncode == 2
    assert (
        f"{stereo_wav}: Playback unavailable: PortAudio library not found "
        "(install libportaudio2)" in proc.stderr
    )
    # A missing file is named first, whatever the sound device.
    proc = play(tmp_path, str(tmp_path / "missing.wav"), PYTHONPATH=str(fake))
    assert proc.returncode == 1
    assert "missing.wav: file not found" in proc.stderr
    assert "Playback unavailable" not in proc.stderr
