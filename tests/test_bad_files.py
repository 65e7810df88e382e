"""Bad files: each gives a message naming the file and the problem; the app keeps running."""

from __future__ import annotations

import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QElapsedTimer, QTimer

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import read_info
from audioclass_gui.audio.reader import AudioReader, read_frames
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.spectrogram import SpectrogramParams, TileSpec, compute_grid_tile
from tests.conftest import write_calls

SR = 16000

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _noise(seconds: float, sr: int = SR) -> np.ndarray:
    return (0.1 * np.random.default_rng(5).standard_normal(int(seconds * sr))).astype(
        np.float32
    )



def _open_expecting_error(qtbot, win: MainWindow, path: Path) -> str:
    with qtbot.waitSignal(win.error_reported, timeout=15_000) as blocker:
        win.open_path(path)
    return blocker.args[0]


def _still_works(qtbot, win: MainWindow, tmp_path: Path) -> None:
    good = write_calls(tmp_path / "good.wav", duration=4.0)
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(good)
    qtbot.waitUntil(lambda: win.view.painted_range is not None, timeout=10_000)
    assert win.info is not None and win.info.path == good


# --- files that cannot be opened ------------------------------------------------------


def _header_only_flac(path: Path) -> Path:
    """A FLAC stream cut after its metadata blocks (what a recorder leaves when it dies at once)."""
    whole = path.with_suffix(".tmp.flac")
    sf.write(whole, _noise(1.0), SR, subtype="PCM_16")
    data = whole.read_bytes()
    pos = 4
    while True:
        last, length = data[pos] & 0x80, int.from_bytes(data[pos + 1 : pos + 4], "big")
        pos += 4 + length
        if last:
            break
    path.write_bytes(data[:pos])
    return path


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _wav_with_codec(path: Path, tag: int) -> Path:
    fmt = struct.pack("<HHIIHH", tag, 1, SR, SR * 2, 2, 16)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", 4000)
        + bytes(4000)
    )
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: _bytes(p, b""), "empty (0 bytes)"),
        (lambda p: sf.write(p, np.zeros(0, np.float32), SR) or p, "header only"),
        (lambda p: _header_only_flac(p.with_suffix(".flac")), "header only"),
        (
            lambda p: _bytes(p, b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00"),
            "WAV header is incomplete or damaged",
        ),
        (
            lambda p: _wav_with_codec(p, 0x0055),
            "unsupported audio encoding: the WAV file holds MP3 (format tag 0x0055)",
        ),
        (lambda p: _wav_with_codec(p, 0x0161), "Windows Media Audio"),
        (
            lambda p: _bytes(p, b"\x00\x00\x00\x20ftypM4A " + bytes(64)),
            "MPEG-4 audio (AAC/M4A) cannot be read",
        ),
        (lambda p: _bytes(p, b"certainly not audio" * 40), "not a readable audio file"),
    ],
    ids=[
        "empty",
        "header-only-wav",
        "header-only-flac",
        "broken-header",
        "mp3-in-wav",
        "wma-in-wav",
        "m4a",
        "garbage",
    ],
)
def test_unopenable_files_name_the_file_and_the_problem(
    qtbot, window, tmp_path: Path, make, problem: str
) -> None:
    path = make(tmp_path / "bad.wav")
    with pytest.raises(AudioFileError) as caught:
        read_info(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and problem in message
    shown = _open_expecting_error(qtbot, window, path)
    assert str(path) in shown and problem in shown
    assert window.info is None
    _still_works(qtbot, window, tmp_path)


# --- files that open with a warning, or quietly -----------------------------------------


@pytest.mark.parametrize("fmt", ["WAV", "RF64", "W64", "FLAC"])
def test_truncated_files_open_up_to_where_the_audio_ends(
    tmp_path: Path, fmt: str
) -> None:
    x = _noise(20.0)
    whole = tmp_path / f"whole.{fmt.lower()}"
    sf.write(whole, x, SR, format=fmt, subtype="PCM_16")
    cut = tmp_path / f"cut.{fmt.lower()}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    info = read_info(cut)
    assert len(info.warnings) == 1 and info.warnings[0].startswith(
        "truncated: the header declares 20.00 s"
    )
    assert 9.0 < info.duration < 10.5 and info.declared_frames == x.size
    # Every frame it reports can be read, up to the last one, and holds the right samples.
    tail = read_frames(cut, info.frames - 2000, 5000, info=info)
    assert tail.size == 2000
    np.testing.assert_allclose(tail, x[info.frames - 2000 : info.frames], atol=1e-4)


def test_truncated_flac_opens_in_the_app_with_a_warning(
    qtbot, window, tmp_path: Path
) -> None:
    whole = tmp_path / "whole.flac"
    sf.write(whole, _noise(20.0), SR, subtype="PCM_16")
    cut = tmp_path / "cut.flac"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    message = _open_expecting_error(qtbot, window, cut)
    assert str(cut) in message and "truncated" in message
    qtbot.waitUntil(lambda: window.view.painted_range is not None, timeout=10_000)
    window.view.set_visible_range(
        0.0, window.info.duration
    )  # all of it, to the last frame
    qtbot.waitUntil(lambda: window.view.painted_range is not None, timeout=10_000)
    assert window.view.message.isHidden()


def test_wrong_extension_opens_and_says_what_it_is(
    qtbot, window, tmp_path: Path
) -> None:
    path = tmp_path / "actually_flac.wav"
    sf.write(path, _noise(3.0), SR, format="FLAC", subtype="PCM_16")
    info = read_info(path)
    assert info.format == "FLAC" and info.frames == 3 * SR and info.warnings == ()
    assert info.extension_note == "FLAC audio in a file named .wav"
    with qtbot.waitSignal(window.recording_opened, timeout=10_000):
        window.open_path(path)
    assert "FLAC audio in a file named .wav" in window.file_label.text()


def test_non_finite_samples_are_silenced_counted_and_reported(
    qtbot, window, tmp_path: Path
) -> None:
    x = _noise(6.0)
    x[2 * SR + 100 : 2 * SR + 120] = np.nan
    x[4 * SR] = np.inf
    path = tmp_path / "float.wav"
    sf.write(path, x, SR, subtype="FLOAT")
    info = read_info(path)
    with AudioReader(info) as reader:
        got = reader.read(0, info.frames)
    assert (
        np.isfinite(got).all()
        and reader.nonfinite == 21
        and reader.first_nonfinite == 2 * SR + 100
    )
    assert np.all(got[2 * SR + 100 : 2 * SR + 120] == 0) and got[4 * SR] == 0
    tile = compute_grid_tile(
        path, TileSpec(64, 0), SpectrogramParams(window_length=256), info=info
    )
    assert tile.nonfinite > 0 and np.isfinite(tile.data).all()
    message = _open_expecting_error(qtbot, window, path)
    assert str(path) in message and "non-finite samples (NaN or infinity)" in message
    assert window.info is not None  # the picture is shown anyway
    qtbot.waitUntil(lambda: window.view.painted_range is not None, timeout=10_000)


# --- files that go bad while open -----------------------------------------------------------


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (lambda p: p.unlink(), "the file is gone"),
        (
            lambda p: p.write_bytes(b"overwritten by something else" * 10),
            "cannot be read any more",
        ),
        (
            lambda p: sf.write(p, _noise(1.0), SR),
            "the file has changed since it was opened",
        ),
    ],
    ids=["deleted", "overwritten", "shortened"],
)
def test_a_file_going_bad_while_open_raises_audio_file_error(
    tmp_path: Path, spoil, problem: str
) -> None:
    path = tmp_path / "rec.wav"
    sf.write(path, _noise(10.0), SR)
    info = read_info(path)
    spoil(path)
    for read in (
        lambda: read_frames(path, 0, 1000, info=info),
        lambda: compute_grid_tile(
            path, TileSpec(128, 1), SpectrogramParams(), info=info
        ),
    ):
        with pytest.raises(AudioFileError) as caught:
            read()
        assert str(caught.value).startswith(f"{path}: ") and problem in str(
            caught.value
        )


def test_the_view_shows_a_message_when_the_file_goes_while_open(
    qtbot, window, tmp_path: Path
) -> None:
    path = tmp_path / "going.wav"
    sf.write(path, _noise(300.0, 8000), 8000, subtype="PCM_16")
    with qtbot.waitSignal(window.recording_opened, timeout=10_000):
        window.open_path(path)
    qtbot.waitUntil(lambda: window.view.painted_range is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.view.loader.pending == 0, timeout=10_000)
    path.unlink()
    errors: list[str] = []
    window.error_reported.connect(errors.append)
    window.view.set_visible_range(200.0, 220.0)  # tiles not computed yet
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    for _ in range(5):  # more navigation: no second dialog, no crash
        window.view.page(+1)
        qtbot.wait(30)
    assert len(errors) == 1 and str(path) in errors[0] and "gone" in errors[0]
    assert window.view.message.isVisible() and "gone" in window.view.message.text()
    _still_works(qtbot, window, tmp_path)
    assert window.view.message.isHidden()


def test_a_slow_disk_never_blocks_the_window(
    qtbot, window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every read sleeps 0.3 s: the event loop must keep turning while tiles load."""
    path = write_calls(tmp_path / "slow.wav", duration=60.0)
    real_read = sf.SoundFile.read
    slept = []

    def slow_read(self, *args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            raise AssertionError("audio read on the GUI thread")
        time.sleep(0.3)
        slept.append(1)
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(sf.SoundFile, "read", slow_read)
    gaps: list[int] = []
    clock = QElapsedTimer()
    clock.start()

    def tick() -> None:
        gaps.append(clock.restart())

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(path)
    qtbot.waitUntil(lambda: window.view.painted_range is not None, timeout=30_000)
    window.view.page(+1)
    qtbot.waitUntil(
        lambda: (
            window.view.painted_range is not None and window.view.painted_range[0] > 10
        ),
        timeout=30_000,
    )
    timer.stop()
    assert len(slept) >= 3  # the reads really were slow...
    assert max(gaps[2:]) < 250  # ...and the window never froze for a read (0.3 s each)
