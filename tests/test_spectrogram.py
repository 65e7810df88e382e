"""Spectrogram tiles, overview and tile cache on generated audio."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import read_info
from audioclass_gui.spectrogram import (
    DB_FLOOR,
    OverviewBuilder,
    SpectrogramParams,
    SpectrogramTile,
    TileCache,
    TileSpec,
    compute_grid_tile,
    compute_overview,
    compute_tile,
    grid_key,
    tile_key,
)

SR = 32000
BIRDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "birds_10s.wav"


def _write(path: Path, x: np.ndarray, sr: int = SR, subtype: str = "FLOAT") -> Path:
    sf.write(path, x, sr, subtype=subtype)
    return path


def _tone(freq: float, seconds: float, amp: float = 1.0, sr: int = SR) -> np.ndarray:
    t = np.arange(round(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t + 0.1)).astype(np.float32)


class _ReadCounter:
    """Counts frames read through soundfile (wraps the real method)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.frames = 0
        self.calls = 0
        original = sf.SoundFile.read

        def read(fh, frames=-1, *args, **kwargs):
            out = original(fh, frames, *args, **kwargs)
            self.frames += len(out)
            self.calls += 1
            return out

        monkeypatch.setattr(sf.SoundFile, "read", read)


@pytest.fixture(scope="module")
def long_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10 minutes at 8 kHz: 1 kHz tone for the first half, 2 kHz after, in noise."""
    sr, block = 8000, 8000 * 30
    path = tmp_path_factory.mktemp("long") / "ten_minutes.wav"
    rng = np.random.default_rng(1)
    with sf.SoundFile(path, "w", sr, 1, subtype="PCM_16") as fh:
        for i in range(20):
            t = (np.arange(block) + i * block) / sr
            freq = 1000.0 if i < 10 else 2000.0
            x = 0.5 * np.sin(2 * np.pi * freq * t) + 0.01 * rng.standard_normal(block)
            fh.write(x.astype(np.float32))
    return path


@pytest.fixture(scope="module")
def noisy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 s of noise with sweeps: rich content for seam tests."""
    rng = np.random.default_rng(7)
    t = np.arange(6 * SR) / SR
    x = 0.05 * rng.standard_normal(t.size) + 0.3 * np.sin(
        2 * np.pi * (500 * t + 400 * t**2)
    )
    path = tmp_path_factory.mktemp("noisy") / "noisy.wav"
    return _write(path, x.astype(np.float32))


# --- parameters -----------------------------------------------------------


def test_params_are_frozen_hashable_and_checked() -> None:
    p = SpectrogramParams()
    assert p.min_hop == 256
    assert SpectrogramParams(window_length=512, overlap=0.0).min_hop == 512
    assert hash(p) == hash(SpectrogramParams())
    assert dataclasses.replace(p, fmax=8000.0) != p
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.window_length = 2048  # type: ignore[misc]
    for bad in (
        {"overlap": 1.0},
        {"window": "no-such-window"},
        {"window_length": 4},
        {"fmin": 5000.0, "fmax": 1000.0},
        {"db_range": 0.0},
        {"channel": -1},
    ):
        with pytest.raises(ValueError):
            SpectrogramParams(**bad)


# --- level, frequency and time --------------------------------------------


@pytest.mark.parametrize(
    "name", ["hann", "hamming", "blackman", "blackmanharris", "nuttall", "flattop", "bartlett"]
)
@pytest.mark.parametrize("length", [16, 1023, 1024])
def test_windows_are_scipys_periodic_windows(name: str, length: int) -> None:
    # The common windows are made with numpy (no scipy.signal import at start).
    from scipy.signal import get_window

    from audioclass_gui.spectrogram.params import window_array

    ours = window_array(name, length)
    assert ours.dtype == np.float32 and not ours.flags.writeable
    np.testing.assert_allclose(ours, get_window(name, length, fftbins=True), atol=1e-6)


def test_full_scale_tone_lands_in_its_row_at_0_dbfs(tmp_path: Path) -> None:
    freq = 31 * SR / 1024  # a bin centre: 968.75 Hz
    path = _write(tmp_path / "tone.wav", _tone(freq, 2.0))
    tile = compute_tile(path, 0.0, 2.0, SpectrogramParams())
    assert isinstance(tile, SpectrogramTile)
    assert tile.data.dtype == np.float32 and tile.data.shape[0] == 513
    assert not tile.data.flags.writeable
    inner = tile.data[:, 5:-5]  # away from the zero padding at the file's edges
    assert np.all(inner.argmax(axis=0) == 31)
    assert np.allclose(inner[31], 0.0, atol=0.02)
    assert inner[40].max() < -60  # well away from the tone: leakage only
    # Row geometry: row k is centred on its bin frequency.
    assert tile.fmin == pytest.approx(-0.5 * SR / 1024)
    assert tile.fmax == pytest.approx(SR / 2 + 0.5 * SR / 1024)
    assert tile.fmin + 31.5 * tile.hz_per_row == pytest.approx(freq)


def test_off_bin_tone_level_and_frequency_crop(tmp_path: Path) -> None:
    path = _write(tmp_path / "tone.wav", _tone(1000.0, 2.0, amp=0.5))
    params = SpectrogramParams(fmin=500.0, fmax=2000.0)
    tile = compute_tile(path, 0.5, 1.5, params)
    df = SR / 1024
    assert tile.data.shape[0] == 64 - 16 + 1  # bins 16 (500 Hz) .. 64 (2000 Hz)
    assert tile.fmin == pytest.approx(15.5 * df) and tile.fmax == pytest.approx(
        64.5 * df
    )
    row = tile.data.max(axis=1).argmax()
    centre = tile.fmin + (row + 0.5) * tile.hz_per_row
    assert abs(centre - 1000.0) <= df / 2
    # -6.02 dB for amplitude 0.5, less at most the Hann scalloping loss (1.42 dB).
    assert -6.02 - 1.5 < tile.data[row].mean() < -6.02 + 0.05


def test_tone_burst_lands_in_the_right_columns(tmp_path: Path) -> None:
    x = np.zeros(5 * SR, dtype=np.float32)
    a, b = 2 * SR, int(2.5 * SR)
    x[a:b] = _tone(3000.0, 0.5, amp=0.5)
    path = _write(tmp_path / "burst.wav", x)
    tile = compute_tile(path, 0.0, 5.0, SpectrogramParams(), max_columns=500)
    dt = tile.seconds_per_column
    assert tile.data.shape[1] == 500 and dt == pytest.approx(0.01)
    centres = tile.start + (np.arange(500) + 0.5) * dt
    row = round(3000.0 / (SR / 1024))
    level = tile.data[row]
    half_window = 512 / SR
    inside = (centres - half_window > 2.0) & (centres + half_window < 2.5)
    outside = (centres + half_window < 2.0) | (centres - half_window > 2.5)
    assert inside.sum() > 40 and np.all(level[inside] > -8.0)
    assert np.all(level[outside] == DB_FLOOR)  # windows that miss the burst see silence
    # The burst's energy is centred where it is: a half-column shift would move it 5 ms.
    power = 10.0 ** (level / 10.0)
    assert np.sum(power * centres) / np.sum(power) == pytest.approx(2.25, abs=0.001)


def test_channel_selection(tmp_path: Path) -> None:
    stereo = np.stack([_tone(1000.0, 1.0, 0.5), _tone(3000.0, 1.0, 0.5)], axis=1)
    path = _write(tmp_path / "stereo.wav", stereo)
    df = SR / 1024
    right = compute_tile(path, 0.2, 0.8, SpectrogramParams(channel=1))
    assert abs(right.data.mean(axis=1).argmax() * df - 3000.0) < df
    mix = compute_tile(path, 0.2, 0.8, SpectrogramParams())
    levels = mix.data.mean(axis=1)
    # The mix averages the channels: each tone at half amplitude (-6 dB more).
    assert levels[round(1000 / df)] == pytest.approx(levels[round(3000 / df)], abs=1.5)
    assert levels.max() < -11.0
    with pytest.raises(AudioFileError, match="channel 3 does not exist"):
        compute_tile(path, 0.0, 1.0, SpectrogramParams(channel=2))


def test_span_is_clipped_to_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "tone.wav", _tone(1000.0, 1.0))
    tile = compute_tile(path, -3.0, 9.0, SpectrogramParams(), max_columns=100)
    assert tile.start == 0.0 and tile.data.shape[1] <= 100
    assert 1.0 <= tile.end < 1.0 + tile.seconds_per_column
    with pytest.raises(ValueError, match="holds no audio"):
        compute_tile(path, 2.0, 3.0, SpectrogramParams())


# --- seams and pixel budget -----------------------------------------------


@pytest.mark.parametrize(
    ("params", "t0", "width", "columns"),
    [
        (SpectrogramParams(), 0.0, 2.048, 256),  # hop 256 < window: overlapping frames
        (
            SpectrogramParams(),
            1.024,
            2.048,
            256,
        ),  # starts inside the file: real padding
        (
            SpectrogramParams(window_length=512),
            0.5,
            2.5,
            20,
        ),  # hop 4000 > window: seeking
    ],
)
def test_adjacent_tiles_join_without_seams(
    noisy_file: Path, params: SpectrogramParams, t0: float, width: float, columns: int
) -> None:
    left = compute_tile(noisy_file, t0, t0 + width, params, max_columns=columns)
    right = compute_tile(
        noisy_file, t0 + width, t0 + 2 * width, params, max_columns=columns
    )
    union = compute_tile(
        noisy_file, t0, t0 + 2 * width, params, max_columns=2 * columns
    )
    assert left.seconds_per_column == pytest.approx(union.seconds_per_column)
    assert left.end == pytest.approx(right.start) and right.end == pytest.approx(
        union.end
    )
    joined = np.concatenate([left.data, right.data], axis=1)
    assert joined.shape == union.data.shape
    np.testing.assert_allclose(joined, union.data, atol=1e-3)


def test_tile_at_the_end_of_the_file_is_zero_padded(noisy_file: Path) -> None:
    """The last tile reads past the end as zeros, and agrees with a wider tile."""
    params = SpectrogramParams()
    last = compute_tile(noisy_file, 5.0, 6.0, params, max_columns=125)
    wide = compute_tile(noisy_file, 4.0, 6.0, params, max_columns=250)
    np.testing.assert_allclose(last.data, wide.data[:, 125:], atol=1e-3)


def test_pixel_budget_holds_and_reading_is_bounded_for_a_long_span(
    long_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = read_info(long_file)
    assert info.duration == 600.0
    counter = _ReadCounter(monkeypatch)
    params = SpectrogramParams()  # window 1024 samples
    tile = compute_tile(long_file, 0.0, 600.0, params, max_columns=1000, info=info)
    assert tile.data.shape[1] <= 1000
    assert tile.end == pytest.approx(600.0, abs=tile.seconds_per_column)
    # One window per column by seeking, not the 4.8 M frames of the span.
    assert counter.frames <= 1000 * 1024
    df = 8000 / 1024
    peak_hz = tile.data.argmax(axis=0) * df
    centres = (
        tile.start + (np.arange(tile.data.shape[1]) + 0.5) * tile.seconds_per_column
    )
    assert np.all(np.abs(peak_hz[centres < 299.0] - 1000.0) < df)
    assert np.all(np.abs(peak_hz[centres > 301.0] - 2000.0) < df)


def test_concurrent_tiles_equal_serial_ones(noisy_file: Path) -> None:
    params = SpectrogramParams(window_length=512, overlap=0.5)
    spans = [(i * 0.5, i * 0.5 + 1.0) for i in range(8)]
    serial = [
        compute_tile(noisy_file, a, b, params, max_columns=300).data for a, b in spans
    ]
    results: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        for _ in range(3):
            a, b = spans[i]
            results[i] = compute_tile(noisy_file, a, b, params, max_columns=300).data

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(spans))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, expected in enumerate(serial):
        np.testing.assert_array_equal(results[i], expected)


# --- overview ---------------------------------------------------------------


def test_overview_matches_coarse_energy_in_time(tmp_path: Path) -> None:
    sr = 16000
    rng = np.random.default_rng(3)
    x = 0.002 * rng.standard_normal(20 * sr)
    loud = [(5.0, 7.0), (12.0, 13.0)]
    for a, b in loud:
        x[int(a * sr) : int(b * sr)] += 0.3 * rng.standard_normal(int((b - a) * sr))
    path = _write(tmp_path / "bursts.wav", x.astype(np.float32), sr)
    fractions: list[float] = []
    ov = compute_overview(
        path, SpectrogramParams(), columns=200, progress=fractions.append
    )
    assert ov is not None
    assert ov.data.shape == (257, 200) and (ov.start, ov.end) == (0.0, 20.0)
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    # Total power per column, against the mean square of the same samples.
    energy_db = 10 * np.log10((10.0 ** (ov.data / 10.0)).sum(axis=0))
    truth_db = 10 * np.log10((x.reshape(200, -1) ** 2).mean(axis=1))
    offset = np.median(energy_db - truth_db)  # window gain: a constant
    assert np.max(np.abs(energy_db - truth_db - offset)) < 1.0
    centres = (np.arange(200) + 0.5) * 0.1
    is_loud = np.zeros(200, bool)
    for a, b in loud:
        is_loud |= (centres > a) & (centres < b)
    assert energy_db[is_loud].min() > energy_db[~is_loud].max() + 30.0


def test_overview_of_a_long_file_reads_a_bounded_sample(
    long_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = _ReadCounter(monkeypatch)
    ov = compute_overview(long_file, SpectrogramParams(), columns=100)
    assert ov is not None and ov.data.shape == (257, 100)
    assert counter.frames <= 100 * 32 * 512  # 32 windows per column, not 4.8 M frames
    peak_hz = ov.data.argmax(axis=0) * 8000 / 512
    assert np.all(np.abs(peak_hz[:50] - 1000.0) < 16) and np.all(
        np.abs(peak_hz[50:] - 2000.0) < 16
    )
    assert ov.data.max() == pytest.approx(-6.0, abs=1.5)


def test_overview_can_be_cancelled(long_file: Path) -> None:
    polls = []

    def cancel() -> bool:
        polls.append(1)
        return len(polls) > 10

    assert (
        compute_overview(long_file, SpectrogramParams(), columns=500, cancel=cancel)
        is None
    )
    assert len(polls) == 11


# --- cache ------------------------------------------------------------------


def _tile(n_bytes: int) -> SpectrogramTile:
    return SpectrogramTile(np.zeros((1, n_bytes // 4), np.float32), 0.0, 1.0, 0.0, 1.0)


def test_cache_evicts_least_recently_used_by_bytes() -> None:
    cache: TileCache[SpectrogramTile] = TileCache(max_bytes=1000)
    for key in "abc":
        cache.put(key, _tile(300))
    assert len(cache) == 3 and cache.nbytes == 900
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("d", _tile(300))  # 1200 > 1000: evicts b, the least recently used
    assert "b" not in cache and cache.get("b") is None
    assert {k for k in "acd" if k in cache} == {"a", "c", "d"} and cache.nbytes == 900
    cache.put("e", _tile(800))  # needs 800: evicts c, then a, then d
    assert len(cache) == 1 and cache.nbytes == 800 and "e" in cache
    cache.put("e", _tile(400))  # replacing a key frees its old bytes
    assert cache.nbytes == 400
    cache.put("huge", _tile(2000))  # larger than the bound: not stored, nothing evicted
    assert "huge" not in cache and cache.nbytes == 400
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0


def test_cache_is_consistent_under_concurrent_use() -> None:
    cache: TileCache[SpectrogramTile] = TileCache(max_bytes=50_000)
    tiles = [_tile(400 * (1 + i % 7)) for i in range(64)]
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        rng = np.random.default_rng(seed)
        try:
            for _ in range(3000):
                i = int(rng.integers(64))
                if rng.random() < 0.5:
                    cache.put(i, tiles[i])
                else:
                    got = cache.get(i)
                    assert got is None or got is tiles[i]
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    held = [i for i in range(64) if i in cache]
    assert cache.nbytes == sum(tiles[i].nbytes for i in held) <= 50_000
    assert len(cache) == len(held)


def test_tile_key_is_pure_and_distinguishes_inputs(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    p = SpectrogramParams()
    key = tile_key("rec.wav", 0, 2.5, p, 2048)
    assert key == tile_key(tmp_path / "rec.wav", 0.0, 2.5, SpectrogramParams(), 2048)
    assert hash(key) == hash(tile_key(str(tmp_path / "rec.wav"), 0.0, 2.5, p, 2048))
    assert key != tile_key(
        "rec.wav", 0, 2.5, dataclasses.replace(p, window="hamming"), 2048
    )
    assert key != tile_key("rec.wav", 0, 2.5, p, 1024)
    assert not (tmp_path / "rec.wav").exists()  # never looked at the disk


@pytest.mark.skipif(not BIRDS.exists(), reason=f"shared test recording absent: {BIRDS}")
def test_real_recording_tiles_join_and_overview_covers_it() -> None:
    params = SpectrogramParams()
    a = compute_tile(BIRDS, 0.0, 4.096, params, max_columns=512)
    b = compute_tile(BIRDS, 4.096, 8.192, params, max_columns=512)
    u = compute_tile(BIRDS, 0.0, 8.192, params, max_columns=1024)
    np.testing.assert_allclose(
        np.concatenate([a.data, b.data], axis=1), u.data, atol=1e-3
    )
    ov = compute_overview(BIRDS, params)
    assert ov is not None and ov.end == pytest.approx(10.13, abs=0.01)
    assert np.isfinite(ov.data).all() and ov.data.max() < 0.0
    # Warbler songs (3-9 kHz) stand well above that band's background in time.
    df = ov.hz_per_row
    band = ov.data[round(3000 / df) : round(9000 / df)].mean(axis=0)
    assert band.max() > np.median(band) + 6.0


# --- generations: stale tiles are dropped ----------------------------------------------


def test_cache_refuses_stale_results_and_drops_tiles_of_old_settings(
    tmp_path: Path,
) -> None:
    cache: TileCache[SpectrogramTile] = TileCache(max_bytes=10_000)
    old, new = SpectrogramParams(), SpectrogramParams(window_length=2048)
    gen = cache.new_generation()
    assert cache.put(
        grid_key("a.wav", old, TileSpec(256, 0)), _tile(400), generation=gen
    )
    assert cache.put(
        grid_key("a.wav", old, TileSpec(256, 1)), _tile(400), generation=gen
    )
    assert cache.put(
        grid_key("b.wav", new, TileSpec(256, 0)), _tile(400), generation=gen
    )
    # New settings: a new generation; a tile of the old one arriving late is refused...
    gen2 = cache.new_generation()
    assert gen2 == gen + 1 and cache.generation == gen2
    assert not cache.put(
        grid_key("a.wav", old, TileSpec(256, 2)), _tile(400), generation=gen
    )
    assert grid_key("a.wav", old, TileSpec(256, 2)) not in cache
    # ...and the tiles the new settings cannot use are freed at once.
    path = grid_key("b.wav", new, TileSpec(1, 0))[0]
    assert cache.retain(lambda key: key[0] == path and key[1] == new) == 2
    assert len(cache) == 1 and cache.nbytes == 400
    assert cache.put(
        grid_key("b.wav", new, TileSpec(256, 1)), _tile(400), generation=gen2
    )
    assert cache.put("untagged", _tile(400))  # no generation: always stored
    # Bounds still hold across generations.
    for i in range(40):
        cache.put(grid_key("b.wav", new, TileSpec(512, i)), _tile(400), generation=gen2)
    assert cache.nbytes <= cache.max_bytes and len(cache) == 25


def test_overview_builds_step_by_step_to_the_same_result(long_file: Path) -> None:
    params = SpectrogramParams()
    whole = compute_overview(long_file, params, columns=300)
    builder = OverviewBuilder(long_file, params, columns=300)
    assert builder.tile().data.shape == (257, 0) and not builder.complete
    ends = []
    while not builder.step(64):
        part = builder.tile()
        ends.append(part.end)
        assert part.data.shape[1] == builder.done and not part.data.flags.writeable
        np.testing.assert_array_equal(part.data, whole.data[:, : builder.done])
    assert builder.done == 300 and ends == sorted(ends) and len(ends) == 4
    np.testing.assert_array_equal(builder.tile().data, whole.data)
    assert builder.tile().end == whole.end == 600.0


def test_overview_step_stops_at_its_time_budget(long_file: Path) -> None:
    builder = OverviewBuilder(long_file, SpectrogramParams(), columns=2000)
    builder.step(2000, max_seconds=0.0)
    assert builder.done == 1  # at least one column, then the budget ends the step


def test_grid_tile_cost_is_bounded_far_out(
    long_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = read_info(long_file)
    counter = _ReadCounter(monkeypatch)
    hop = 1 << 16  # 8.2 s per column at 8 kHz: ten minutes in 74 columns
    tile = compute_grid_tile(
        long_file, TileSpec(hop, 0), SpectrogramParams(), info=info
    )
    assert tile.data.shape[1] == -(-info.frames // hop)
    assert counter.frames <= tile.data.shape[1] * 8 * 1024  # eight windows per column
    peak_hz = tile.data.argmax(axis=0) * 8000 / 1024
    assert np.all(np.abs(peak_hz[:4] - 1000) < 10) and np.all(
        np.abs(peak_hz[-4:] - 2000) < 10
    )
