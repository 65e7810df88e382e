"""The generated demo recording: deterministic, audible calls, cached, atomic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import butter, sosfiltfilt, welch

from audioclass_gui.audio import demo
from audioclass_gui.audio.demo import (
    DEMO_DURATION,
    DEMO_EVENTS,
    DEMO_SAMPLERATE,
    DEMO_VERSION,
    DemoEvent,
    demo_recording_path,
    generate_demo,
)
from audioclass_gui.audio.info import read_info


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo(tmp_path_factory.mktemp("demo") / "demo.wav")


def test_generation_is_deterministic(demo_file: Path, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "again.wav")
    assert again.read_bytes() == demo_file.read_bytes()


def test_file_format(demo_file: Path) -> None:
    info = read_info(demo_file)
    assert (info.samplerate, info.channels, info.subtype) == (
        DEMO_SAMPLERATE,
        1,
        "PCM_16",
    )
    assert info.duration == DEMO_DURATION and not info.warnings
    x, _ = sf.read(demo_file)
    assert np.abs(x).max() < 0.95  # no clipping
    assert 0.005 < np.sqrt(np.mean(x**2)) < 0.1  # a quiet background, not silence


def test_events_are_well_separated_and_mostly_in_the_bird_band() -> None:
    assert all(isinstance(e, DemoEvent) for e in DEMO_EVENTS)
    for e in DEMO_EVENTS:
        assert 0 < e.start < e.end <= DEMO_DURATION and 0 < e.low_freq < e.high_freq
    for a, b in zip(DEMO_EVENTS, DEMO_EVENTS[1:], strict=False):
        assert b.start - a.end >= 2.5
    in_band = [e for e in DEMO_EVENTS if e.low_freq >= 1500 and e.high_freq <= 10000]
    assert len(in_band) >= 0.75 * len(DEMO_EVENTS)
    kinds = {e.kind for e in DEMO_EVENTS}
    assert {
        "rising chirp",
        "falling chirp",
        "trill",
        "buzzy call",
        "frog-like pulses",
    } <= kinds


def test_every_event_stands_above_the_background_in_its_band(demo_file: Path) -> None:
    x, sr = sf.read(demo_file)
    for e in DEMO_EVENTS:
        sos = butter(6, [e.low_freq, e.high_freq], "bandpass", fs=sr, output="sos")
        a, b = round(e.start * sr), round(e.end * sr)
        y = sosfiltfilt(sos, x[a - 2 * sr : b + sr])
        event = np.mean(y[2 * sr : 2 * sr + b - a] ** 2)
        before = np.mean(y[sr // 2 : 3 * sr // 2] ** 2)  # 1.5-0.5 s before: a quiet gap
        snr = 10 * np.log10(event / before)
        assert 8.0 < snr < 28.0, (e, snr)
        # The band is where the call's energy is: the power it adds to the
        # spectrum (above the wind, < 1 kHz) lies almost all inside the band.
        f, during = welch(x[a:b], sr, nperseg=1024)
        _, quiet = welch(x[a - 3 * sr // 2 : a - sr // 2], sr, nperseg=1024)
        added = during - quiet
        inside = (f >= e.low_freq) & (f <= e.high_freq)
        assert added[inside].sum() > 0.9 * added[inside | (f >= 1000)].sum(), e


def test_cached_path_is_reused_and_named_by_version(tmp_path: Path) -> None:
    first = demo_recording_path(tmp_path / "cache")
    assert first.parent == (tmp_path / "cache").absolute()
    assert f"v{DEMO_VERSION}" in first.name and first.is_file()
    stamp = first.stat().st_mtime_ns, first.stat().st_ino
    second = demo_recording_path(tmp_path / "cache")
    assert (
        second == first and (second.stat().st_mtime_ns, second.stat().st_ino) == stamp
    )


def test_damaged_cached_file_is_regenerated(tmp_path: Path, demo_file: Path) -> None:
    path = demo_recording_path(tmp_path)
    path.write_bytes(path.read_bytes()[:50_000])  # truncated, as after a crash
    assert demo_recording_path(tmp_path) == path
    assert path.read_bytes() == demo_file.read_bytes()


def test_environment_variable_sets_the_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIOCLASS_GUI_CACHE_DIR", str(tmp_path / "from-env"))
    path = demo_recording_path()
    assert path.parent == tmp_path / "from-env" and path.is_file()


def test_write_is_atomic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_file: Path
) -> None:
    target = tmp_path / "demo.wav"
    target.write_bytes(b"old contents")
    inode = target.stat().st_ino
    generate_demo(target)
    assert target.stat().st_ino != inode  # replaced by a rename, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "demo.wav"
    ]  # no temp file left

    # A failure half-way leaves the old file intact and no temp file behind.
    real_write = sf.write

    def failing_write(file, data, *args, **kwargs):
        real_write(file, data[: len(data) // 2], *args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(demo.sf, "write", failing_write)
    with pytest.raises(OSError, match="disk full"):
        generate_demo(target)
    assert target.read_bytes() == demo_file.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.wav"]
