"""The waveform's min/max pyramid, its disk cache and the slices a view draws (no Qt)."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import read_info
from audioclass_gui.audio.reader import AudioReader
from audioclass_gui.spectrogram import envelope, waveform
from audioclass_gui.spectrogram.envelope import (
    BASE,
    FACTOR,
    EnvelopeBuilder,
    bins_per_level,
    level_frames,
)
from audioclass_gui.spectrogram.envelope_cache import (
    cache_folder,
    entry_folder,
    load_envelope,
    load_or_build,
    prune,
    start_build,
)
from audioclass_gui.spectrogram.waveform import column_edges, waveform_slice

SR = 8000


def _audio(frames: int, channels: int, seed: int = 0) -> np.ndarray:
    """Noise with a different loudness per channel and loud spikes at random places."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((frames, channels)) * (0.05 * (1 + np.arange(channels)))
    spikes = rng.integers(0, frames, 40)
    x[spikes, rng.integers(0, channels, 40)] = rng.uniform(-0.99, 0.99, 40)
    return np.clip(x, -1, 1).astype(np.float32)


def _write(path: Path, x: np.ndarray, subtype: str = "FLOAT") -> Path:
    sf.write(path, x, SR, subtype=subtype)
    return path


@pytest.fixture
def recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, np.ndarray]:
    """Three channels, three levels (a lower top than the app's), ending in a partial bin."""
    monkeypatch.setattr(envelope, "TOP_BINS", 64)
    x = _audio(BASE * FACTOR * 300 + 37, 3)
    return _write(tmp_path / "rec.wav", x), x


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The frames of every block the reader is asked for from now on."""
    reads: list[int] = []
    real = AudioReader.read_channels
    monkeypatch.setattr(
        AudioReader,
        "read_channels",
        lambda self, a, b: reads.append(b - a) or real(self, a, b),
    )
    return reads


def _expected(x: np.ndarray, a: int, b: int, channel: int | None) -> tuple[float, float]:
    part = x[a:b] if channel is None else x[a:b, channel]
    return float(part.min()), float(part.max())


def test_every_bin_of_every_level_holds_the_numpy_extremes(recording, tmp_path: Path) -> None:
    path, x = recording
    info = read_info(path)
    env = load_or_build(info, tmp_path / "cache")
    assert [a.shape[2] for a in env.levels] == bins_per_level(info.frames)
    assert len(env.levels) == 3  # 2,401 -> 301 -> 38 bins
    for level, data in enumerate(env.levels):
        size = level_frames(level)
        for i in [0, 1, data.shape[2] // 2, data.shape[2] - 1]:
            for c in range(3):
                lo, hi = _expected(x, i * size, (i + 1) * size, c)
                assert (data[c, 0, i], data[c, 1, i]) == (lo, hi), (level, i, c)


def test_columns_read_the_extremes_of_the_bins_they_touch(recording, tmp_path: Path) -> None:
    path, x = recording
    info = read_info(path)
    env = load_or_build(info, tmp_path / "cache")
    rng = np.random.default_rng(5)
    for columns in (7, 50, 333):
        a = int(rng.integers(0, info.frames // 3))
        b = int(rng.integers(2 * info.frames // 3, info.frames + 1))
        edges = column_edges(a, b, columns)
        for channel in (None, 0, 2):
            low, high, level = env.extremes(edges, channel)
            size = level_frames(level)
            assert size <= np.diff(edges).min() < size * FACTOR or level == len(env.levels) - 1
            for i in range(columns):
                first = edges[i] // size * size
                last = -(-edges[i + 1] // size) * size
                assert (low[i], high[i]) == _expected(x, first, last, channel)


def test_all_channels_span_every_channel_and_a_whole_view_matches_numpy(
    recording, tmp_path: Path
) -> None:
    path, x = recording
    info = read_info(path)
    env = load_or_build(info, tmp_path / "cache")
    for columns in (10, 300, 1400):  # every level and a direct read give the same whole-file extremes
        s = waveform_slice(info, 0.0, info.duration, columns, envelope=env)
        assert (np.min(s.low), np.max(s.high)) == (x.min(), x.max())
    per_channel = [
        waveform_slice(info, 0.0, info.duration, 300, channel=c, envelope=env) for c in range(3)
    ]
    mixed = waveform_slice(info, 0.0, info.duration, 300, envelope=env)
    np.testing.assert_array_equal(mixed.low, np.min([p.low for p in per_channel], axis=0))
    np.testing.assert_array_equal(mixed.high, np.max([p.high for p in per_channel], axis=0))
    assert not np.array_equal(per_channel[0].low, per_channel[2].low)


def test_zoomed_in_the_file_is_read_exactly(recording, tmp_path: Path) -> None:
    path, x = recording
    info = read_info(path)
    env = load_or_build(info, tmp_path / "cache")
    start, end = 100.0, 100.6  # 4,800 frames over 1,000 columns: narrower than a bin
    s = waveform_slice(info, start, end, 1000, channel=1, envelope=env)
    assert s.level is None and not s.samples
    edges = column_edges(round(start * SR), round(end * SR), 1000)
    for i in range(0, 1000, 37):
        assert (s.low[i], s.high[i]) == _expected(x, edges[i], edges[i + 1], 1)
    samples = waveform_slice(info, start, start + 0.05, 1000, channel=1, envelope=env)
    assert samples.samples and samples.times.size == 400
    np.testing.assert_array_equal(samples.low, x[800_000:800_400, 1])
    np.testing.assert_array_equal(samples.high, samples.low)
    np.testing.assert_allclose(samples.times, np.arange(800_000, 800_400) / SR)


def test_the_cache_is_reused_without_reading_the_file(
    recording, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _x = recording
    info = read_info(path)
    folder = tmp_path / "cache"
    first = load_or_build(info, folder)
    reads = _count_reads(monkeypatch)
    again = load_or_build(info, folder)
    assert reads == []
    for old, new in zip(first.levels, again.levels, strict=True):
        np.testing.assert_array_equal(old, new)
        assert isinstance(new, np.memmap)  # mapped, not read
    assert [p.name for p in folder.iterdir()] == [entry_folder(path, folder).name]


def test_a_changed_file_is_summarised_again(recording, tmp_path: Path) -> None:
    path, _x = recording
    info = read_info(path)
    folder = tmp_path / "cache"
    load_or_build(info, folder)
    louder = _audio(BASE * 100, 1, seed=9) * 0 + 0.5
    _write(path, louder)
    os.utime(path, ns=(1, 1))  # even an older time: the stamp differs
    changed = read_info(path)
    assert load_envelope(changed, folder) is None
    env = load_or_build(changed, folder)
    assert env.levels[0].shape == (1, 2, 100)
    assert float(env.levels[0][0, 0].min()) == float(env.levels[0][0, 1].max()) == 0.5
    assert len(list(folder.iterdir())) == 1  # replaced, not added
    assert load_envelope(changed, folder) is not None


def test_building_reads_bounded_blocks_and_keeps_little_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames = SR * 300  # five minutes, two channels: 19 MB as float32
    x = _audio(frames, 2)
    path = _write(tmp_path / "long.wav", x, "PCM_16")
    info = read_info(path)
    reads = _count_reads(monkeypatch)
    tracemalloc.start()
    build = start_build(info, tmp_path / "cache", block_samples=BASE * 64)
    build.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    block_bytes = build.builder.block_frames * 2 * 4
    assert build.builder.block_frames == BASE * 32  # 64 k samples over two channels
    assert max(reads) == build.builder.block_frames and sum(reads) == frames
    assert peak < 4 * block_bytes  # a few blocks, not the 19 MB the file holds
    ref = sf.read(path, dtype="float32")[0]
    assert float(build.envelope.levels[-1][1, 1].max()) == float(ref[:, 1].max())


def test_a_partial_build_shows_what_it_has_read(recording, tmp_path: Path) -> None:
    path, x = recording
    info = read_info(path)
    levels = [np.empty((3, 2, n), np.float32) for n in bins_per_level(info.frames)]
    builder = EnvelopeBuilder(info, levels, block_samples=3 * BASE * 64)
    builder.step(max_blocks=5)
    done = builder.done_frames
    assert done == 5 * 64 * BASE and not builder.complete
    edges = column_edges(0, info.frames, 40)
    low, high, _ = builder.envelope.extremes(edges)
    inside = edges[1:] <= done
    assert inside.any() and not inside.all()
    assert np.isnan(low[~inside]).all() and not np.isnan(low[inside]).any()
    i = int(np.flatnonzero(inside)[-1])
    assert high[i] >= _expected(x, edges[i], edges[i + 1], None)[1]
    builder.step()
    low, high, _ = builder.envelope.extremes(edges)
    assert not np.isnan(low).any() and (low.min(), high.max()) == (x.min(), x.max())


def test_unbuilt_spans_are_read_when_short_and_unknown_when_long(
    recording, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, x = recording
    info = read_info(path)
    monkeypatch.setattr(waveform, "DIRECT_FRAMES", 200_000)
    s = waveform_slice(info, 10.0, 20.0, 100)  # no envelope, a short span: read
    assert s.level is None and s.known
    assert (s.low.min(), s.high.max()) == _expected(x, 10 * SR, 20 * SR, None)
    whole = waveform_slice(info, 0.0, info.duration, 100, envelope=None)
    assert not whole.known and np.isnan(whole.low).all()


def test_cancelled_or_failed_builds_leave_no_entry(recording, tmp_path: Path) -> None:
    path, _x = recording
    info = read_info(path)
    folder = tmp_path / "cache"
    assert load_or_build(info, folder, cancel=lambda: True) is None
    assert list(folder.iterdir()) == []
    build = start_build(info, folder)
    build.builder.step(max_blocks=1)
    path.write_bytes(path.read_bytes()[: 4096])  # truncated while it is read
    with pytest.raises(AudioFileError, match="rec.wav"):
        build.step()
    assert list(folder.iterdir()) == []


def test_nonfinite_samples_count_as_silence(tmp_path: Path) -> None:
    x = np.full((BASE * 4, 1), 0.25, np.float32)
    x[100, 0] = np.nan
    x[BASE * 2 + 5, 0] = -np.inf
    info = read_info(_write(tmp_path / "nan.wav", x))
    build = start_build(info, tmp_path / "cache")
    build.step()
    assert build.builder.nonfinite == 2
    np.testing.assert_array_equal(build.envelope.levels[0][0, 0], [0.0, 0.25, 0.0, 0.25])


def test_prune_drops_the_least_recently_used(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    infos = []
    for i in range(3):
        infos.append(read_info(_write(tmp_path / f"r{i}.wav", _audio(BASE * 50, 1, seed=i))))
        load_or_build(infos[-1], folder)
    entries = [entry_folder(info.path, folder) for info in infos]
    for age, entry in zip((300, 100, 200), entries, strict=True):
        t = entry.stat().st_mtime - age
        os.utime(entry / "envelope.json", (t, t))
    size = sum(f.stat().st_size for f in entries[0].iterdir())
    assert prune(folder, limit=int(size * 1.5)) == 2
    assert [e.exists() for e in entries] == [False, True, False]
    assert load_envelope(infos[1], folder) is not None


def test_the_cache_sits_in_the_apps_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AUDIOCLASS_GUI_CACHE_DIR", str(tmp_path / "c"))
    assert cache_folder() == tmp_path / "c" / "waveform"
    assert entry_folder("a.wav").parent == cache_folder()
    assert entry_folder("a.wav") == entry_folder(Path.cwd() / "a.wav") != entry_folder("b.wav")
