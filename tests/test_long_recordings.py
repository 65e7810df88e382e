"""Long recordings: reading any format by seeking, true durations, and the view scrolling them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QSettings, Qt

from audioclass_gui.audio.info import read_info
from audioclass_gui.audio.mp3 import inspect_mp3
from audioclass_gui.audio.reader import AudioReader, read_frames
from audioclass_gui.spectrogram import SpectrogramParams

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _signal(frames: int, channels: int, sr: int) -> np.ndarray:
    """Different chirps in every channel, so a wrong sample or channel shows."""
    t = np.arange(frames) / sr
    cols = [
        0.4 * np.sin(2 * np.pi * (100 * (c + 1) + 0.05 * sr * t / t[-1]) * t)
        for c in range(channels)
    ]
    x = np.stack(cols, axis=1).astype(np.float32)
    return x[:, 0] if channels == 1 else x


def _write(path: Path, x: np.ndarray, sr: int, fmt: str, subtype: str) -> Path:
    # Ogg and MP3 encoders crash on very large single writes: write block-wise.
    with sf.SoundFile(
        path, "w", sr, 1 if x.ndim == 1 else x.shape[1], format=fmt, subtype=subtype
    ) as fh:
        for i in range(0, len(x), 8192):
            fh.write(x[i : i + 8192])
    return path


def _decode_all(path: Path) -> np.ndarray:
    """The reference: one sequential decode of the whole file on a fresh handle."""
    with sf.SoundFile(str(path)) as fh:
        return fh.read(dtype="float32", always_2d=True)


def _random_windows(
    info, channel, full: np.ndarray, count: int = 12, length: int = 3000
) -> None:
    """Windows read out of order through one reader equal the full decode."""
    rng = np.random.default_rng(3)
    ref = full.mean(axis=1) if channel is None else full[:, channel]
    with AudioReader(info, channel) as reader:
        for start in rng.integers(-length, info.frames, count):
            got = reader.read(int(start), int(start) + length)
            a, b = max(0, start), min(info.frames, start + length)
            expected = np.zeros(length, np.float32)
            expected[a - start : b - start] = ref[a:b]
            np.testing.assert_allclose(
                got, expected, atol=1e-6, err_msg=f"window at {start}"
            )


# --- formats, encodings, rates, channels -------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "subtype", "sr", "channels"),
    [
        ("WAV", "PCM_U8", 8000, 1),
        ("WAV", "PCM_16", 22050, 2),
        ("WAV", "PCM_24", 96000, 1),
        ("WAV", "PCM_32", 44100, 8),
        ("WAV", "FLOAT", 384000, 1),
        ("WAV", "DOUBLE", 48000, 12),
        ("RF64", "PCM_16", 48000, 2),
        ("W64", "FLOAT", 250000, 1),
        ("FLAC", "PCM_16", 32000, 4),
        ("FLAC", "PCM_24", 192000, 1),
        ("OGG", "VORBIS", 48000, 2),
        ("OGG", "OPUS", 48000, 1),
    ],
)
def test_every_format_reads_windows_by_seeking_exactly(
    tmp_path: Path, fmt: str, subtype: str, sr: int, channels: int
) -> None:
    frames = min(6 * sr, 400_000)
    x = _signal(frames, channels, sr)
    path = _write(tmp_path / f"rec.{fmt.lower()}", x, sr, fmt, subtype)
    info = read_info(path)
    assert (info.samplerate, info.channels, info.format, info.subtype) == (
        sr,
        channels,
        fmt,
        subtype,
    )
    full = _decode_all(path)
    assert info.frames == len(full)  # the length that decodes, not a header's guess
    if fmt != "OGG":
        assert info.frames == frames
        tol = {"PCM_U8": 1 / 64, "PCM_16": 1e-4}.get(subtype, 1e-6)
        np.testing.assert_allclose(full, x.reshape(frames, channels), atol=tol)
    for channel in (None, channels - 1):
        _random_windows(info, channel, full)


def test_mp3_seeks_agree_with_a_full_decode(tmp_path: Path) -> None:
    sr = 44100
    path = _write(
        tmp_path / "rec.mp3", _signal(30 * sr, 2, sr), sr, "MP3", "MPEG_LAYER_III"
    )
    info = read_info(path)
    full = _decode_all(path)
    assert info.format == "MP3" and info.frames == len(full) == 30 * sr
    # libsndfile seeks MP3 inaccurately on a handle that has decoded before; the
    # reader reopens, so windows in any order match the full decode.
    _random_windows(info, None, full, count=25)
    _random_windows(info, 1, full, count=5)


def _strip_length_header(src: Path, dst: Path) -> None:
    """Drop the Xing/Info frame, as in MP3s from encoders that write none."""
    data = src.read_bytes()
    word = int.from_bytes(data[:4], "big")
    rate = (44100, 48000, 32000)[(word >> 10) & 3]
    kbps = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)[
        (word >> 12) & 15
    ]
    length = 144000 * kbps // rate + ((word >> 9) & 1)
    assert data[4 + 17 : 4 + 21] in (
        b"Xing",
        b"Info",
    )  # mono MPEG-1: 17 bytes of side info
    dst.write_bytes(data[length:])


def test_mp3_without_a_length_header_gets_its_decoded_length(tmp_path: Path) -> None:
    sr = 44100
    src = _write(
        tmp_path / "vbr.mp3", _signal(40 * sr, 1, sr), sr, "MP3", "MPEG_LAYER_III"
    )
    bare = tmp_path / "bare.mp3"
    _strip_length_header(src, bare)
    guess = sf.info(str(bare)).frames
    layout = inspect_mp3(bare)
    assert not layout.has_length_header and layout.frames > 0
    info = read_info(bare)
    assert (
        abs(guess - 40 * sr) > sr
    )  # libsndfile alone guesses from the first frame's bit rate...
    assert abs(info.duration - 40.0) < 0.1  # ...the frames counted give the real length
    assert info.frames >= layout.samples - 1152 and info.warnings == ()
    tail = read_frames(bare, info.frames - 44100, 44100, info=info)
    assert (
        tail.size == 44100 and np.abs(tail).max() > 0.1
    )  # the end is there and holds sound
    # The same samples as the original's decode, shifted only by the encoder
    # delay that the original's LAME tag let the decoder trim.
    ref = _decode_all(src)[-60000:, 0]
    windows = np.lib.stride_tricks.sliding_window_view(ref, 2000)
    error = np.abs(windows - tail[:2000]).max(axis=1)
    assert error.min() < 1e-4


def test_truncated_mp3_and_flac_of_unknown_length_get_their_decoded_length(
    tmp_path: Path,
) -> None:
    sr = 44100
    mp3 = _write(
        tmp_path / "full.mp3", _signal(20 * sr, 1, sr), sr, "MP3", "MPEG_LAYER_III"
    )
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(mp3.read_bytes()[: mp3.stat().st_size // 2])
    info = read_info(cut)
    assert info.frames == len(_decode_all(cut)) and 8 < info.duration < 12
    assert info.warnings and "truncated" in info.warnings[0]
    flac = _write(
        tmp_path / "stream.flac", _signal(5 * sr, 1, sr), sr, "FLAC", "PCM_16"
    )
    data = bytearray(flac.read_bytes())
    data[8 + 13] &= (
        0xF0  # STREAMINFO total samples = 0: "unknown", as streaming encoders write
    )
    data[8 + 14 : 8 + 18] = bytes(4)
    unknown = tmp_path / "unknown.flac"
    unknown.write_bytes(bytes(data))
    assert sf.info(str(unknown)).frames > 1 << 60  # libsndfile has no length...
    info = read_info(unknown)
    assert abs(info.frames - 5 * sr) <= 1 and info.warnings == ()  # ...we decode one


def test_rf64_and_w64_headers_beyond_4_gb_are_parsed(tmp_path: Path) -> None:
    """The 64-bit size fields (ds64 chunk, Wave64 GUID chunks) are what > 4 GB files use."""
    x = _signal(48000 * 4, 1, 48000)
    for fmt in ("RF64", "W64"):
        path = _write(tmp_path / f"big.{fmt.lower()}", x, 48000, fmt, "PCM_16")
        head = path.read_bytes()[:40]
        if fmt == "RF64":
            assert (
                head[:4] == b"RF64"
                and head[4:8] == b"\xff\xff\xff\xff"
                and head[12:16] == b"ds64"
            )
        else:
            assert head[:4] == b"riff"
        cut = tmp_path / f"cut.{fmt.lower()}"
        cut.write_bytes(path.read_bytes()[: path.stat().st_size * 3 // 4])
        info = read_info(cut)
        assert info.declared_frames == x.size  # read from the 64-bit size fields
        assert info.warnings and "truncated" in info.warnings[0]


def test_reading_a_window_reads_only_that_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sr = 8000
    path = tmp_path / "ten_minutes.flac"
    with sf.SoundFile(path, "w", sr, 1, subtype="PCM_16") as fh:
        for _ in range(10):
            fh.write(_signal(60 * sr, 1, sr))
    info = read_info(path)
    read_counts: list[int] = []
    real = sf.SoundFile.read

    def counting(self, frames=-1, *args, **kwargs):
        out = real(self, frames, *args, **kwargs)
        read_counts.append(len(out))
        return out

    monkeypatch.setattr(sf.SoundFile, "read", counting)
    window = read_frames(path, 300 * sr, 2 * sr, info=info)
    assert (
        window.size == 2 * sr and sum(read_counts) == 2 * sr
    )  # not the 4.8 M frames of the file


# --- the view -------------------------------------------------------------------------


@pytest.fixture
def window(qtbot, config_dir):
    from audioclass_gui.qt.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    yield win
    win.close()


@pytest.fixture(scope="module")
def long_flac(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twenty minutes at 8 kHz with a call every 7 s."""
    sr = 8000
    path = tmp_path_factory.mktemp("long") / "SITE_20240601_220000.flac"
    rng = np.random.default_rng(1)
    t = np.arange(60 * sr) / sr
    minute = 0.01 * rng.standard_normal(t.size)
    for start in np.arange(0.5, 59, 7.0):
        mask = (t > start) & (t < start + 0.4)
        minute[mask] += 0.3 * np.sin(
            2 * np.pi * (1500 + 2000 * (t[mask] - start)) * t[mask]
        )
    with sf.SoundFile(path, "w", sr, 1, subtype="PCM_16") as fh:
        for _ in range(20):
            fh.write(minute.astype(np.float32))
    return path


def _press(qtbot, win, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(win, key, modifier)


def test_paging_through_a_long_recording_paints_every_page(
    qtbot, window, long_flac: Path
) -> None:
    win, view = window, window.view
    painted: list[tuple[float, float]] = []
    view.detail_painted.connect(lambda: painted.append(view.painted_range))
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(long_flac)
    qtbot.waitUntil(lambda: bool(painted), timeout=10_000)
    x0, x1 = view.visible_range()
    assert (x0, x1) == pytest.approx((0.0, 20.0))
    span, pages = x1 - x0, 0
    while view.visible_range()[1] < view.duration - 1e-6:
        before, count = view.visible_range(), len(painted)
        _press(qtbot, win, Qt.Key.Key_PageDown)
        after = view.visible_range()
        # A page forward keeps a tenth of the view (less at the very end).
        assert after[0] - before[0] == pytest.approx(
            min(0.9 * span, view.duration - before[1]), abs=1e-6
        )
        qtbot.waitUntil(lambda count=count: len(painted) > count, timeout=10_000)
        covered = painted[-1]
        assert (
            covered[0] <= max(0.0, after[0]) + 1e-6
            and covered[1] >= min(after[1], view.duration) - 1e-6
        )
        pages += 1
    assert pages == 66  # (1200 s - 20 s) / 18 s, the last page shorter
    loader = view.loader
    assert loader.cache.nbytes <= loader.cache.max_bytes
    assert (
        len(view.tiles.images) <= 4
    )  # only the visible tiles (and no stale backdrop) stay on screen
    # Back, to the start and the end, and panning.
    _press(qtbot, win, Qt.Key.Key_PageUp)
    assert view.visible_range()[1] == pytest.approx(view.duration - 0.9 * span)
    _press(qtbot, win, Qt.Key.Key_Home)
    assert view.visible_range() == pytest.approx((0.0, span))
    _press(qtbot, win, Qt.Key.Key_Right)
    assert view.visible_range() == pytest.approx((0.1 * span, 1.1 * span))
    _press(qtbot, win, Qt.Key.Key_Left)
    assert view.visible_range() == pytest.approx((0.0, span))
    _press(qtbot, win, Qt.Key.Key_End)
    assert view.visible_range()[1] == pytest.approx(view.duration)


def test_zooming_out_uses_the_progressive_overview(
    qtbot, window, long_flac: Path
) -> None:
    win, view = window, window.view
    progress: list[float] = []
    view.overview_progress.connect(lambda tile: progress.append(tile.end))
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(long_flac)
    qtbot.waitUntil(lambda: view.painted_range is not None, timeout=10_000)
    qtbot.waitUntil(
        lambda: bool(progress) and progress[-1] == pytest.approx(view.duration),
        timeout=30_000,
    )
    assert view.loader.overview.complete and progress == sorted(progress)
    assert len(progress) >= 2  # it filled in step by step...
    assert win.timeline.filled == pytest.approx(
        view.duration
    )  # ...in the timeline strip too
    computed = view.loader.computed
    _press(qtbot, win, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # zoom to fit
    assert view.visible_range() == pytest.approx((0.0, view.duration))
    qtbot.waitUntil(
        lambda: view.painted_range == pytest.approx((0.0, view.duration)), timeout=5_000
    )
    assert view.tiles.plan.use_overview and not view.tiles.images
    assert view.loader.computed == computed  # the whole file needed no tile
    # Zoom to a selection (Shift+drag makes one), then the frequency axis alone.
    view.set_selection((600.0, 606.0))
    _press(qtbot, win, Qt.Key.Key_Z)
    assert view.visible_range() == pytest.approx((599.4, 606.6))
    qtbot.waitUntil(
        lambda: view.painted_range is not None and not view.tiles.plan.use_overview,
        timeout=10_000,
    )
    y0, y1 = view.frequency_range()
    _press(qtbot, win, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    f0, f1 = view.frequency_range()
    assert (f1 - f0) == pytest.approx(
        (y1 - y0) / 1.5
    ) and view.visible_range() == pytest.approx((599.4, 606.6))
    _press(
        qtbot,
        win,
        Qt.Key.Key_0,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert view.frequency_range() == pytest.approx((0.0, 4000.0))


def test_new_settings_drop_stale_tiles_and_persist(
    qtbot, window, long_flac: Path, config_dir: Path
) -> None:
    from audioclass_gui.qt.spectrogram.spectrogram_settings import (
        SpectrogramSettingsPanel,
        open_settings,
    )

    win, view = window, window.view
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(long_flac)
    qtbot.waitUntil(lambda: view.painted_range is not None, timeout=10_000)
    old_generation = view.loader.generation
    panel = win.spectrogram_settings
    panel.window_length.setCurrentIndex(
        panel.window_length.findData(2048)
    )  # tiles in flight now are stale
    assert view.params.window_length == 2048 and view.loader.generation > old_generation
    assert all(key[1].window_length == 2048 for key in list(view.loader.cache._items))
    qtbot.waitUntil(lambda: view.painted_range is not None, timeout=10_000)
    assert all(
        item.image.shape[0] == 1025 for item in view.tiles.images.values()
    )  # 2048-point FFT rows
    assert all(key[1].window_length == 2048 for key in list(view.loader.cache._items))
    panel.pcen.setChecked(True)
    qtbot.waitUntil(lambda: view.painted_range is not None, timeout=10_000)
    panel.colormap.setCurrentIndex(panel.colormap.findData("inverted-greyscale"))
    panel.auto_levels.setChecked(False)
    panel.pcen.setChecked(False)
    panel.floor.setValue(-90.0)
    panel.gain.setValue(6.0)
    assert view.levels == (-96.0, -26.0)  # manual levels, shifted by the gain
    assert (config_dir / "settings.ini").exists()
    # A new panel (the next run) reads the same settings back.
    again = SpectrogramSettingsPanel(open_settings())
    assert again.params().window_length == 2048 and not again.params().pcen
    assert (
        again.display().colormap == "inverted-greyscale" and again.display().gain == 6.0
    )
    assert not again.display().auto_levels and again.display().floor == -90.0
    assert (
        QSettings().fileName() != open_settings().fileName()
    )  # never the user's own settings
    assert (
        str(config_dir) in open_settings().fileName()
        and os.environ["AUDIOCLASS_GUI_CONFIG_DIR"]
    )


def test_channel_setting_shows_one_channel(qtbot, window, tmp_path: Path) -> None:
    sr = 8000
    t = np.arange(10 * sr) / sr
    stereo = np.stack(
        [0.5 * np.sin(2 * np.pi * 1000 * t), 0.5 * np.sin(2 * np.pi * 3000 * t)], axis=1
    )
    path = tmp_path / "stereo.wav"
    sf.write(path, stereo.astype(np.float32), sr)
    win, view = window, window.view
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(path)
    panel = win.spectrogram_settings
    assert panel.channel.count() == 3 and panel.channel.isEnabled()
    panel.channel.setCurrentIndex(panel.channel.findData(1))
    assert view.params == SpectrogramParams(channel=1)
    qtbot.waitUntil(lambda: view.painted_range is not None, timeout=10_000)
    item = next(iter(view.tiles.images.values()))
    peak_row = int(np.argmax(item.image.mean(axis=1)))
    assert abs(peak_row * sr / 1024 - 3000) < 10  # only the right channel's tone
