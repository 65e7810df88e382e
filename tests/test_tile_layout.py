"""Tile layout: a pure function of zoom, position and file length; seam-free tiles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import stft

from audioclass_gui.audio.info import read_info
from audioclass_gui.spectrogram import (
    TILE_COLUMNS,
    SpectrogramParams,
    TileSpec,
    compute_grid_tile,
    level_hop,
    prefetch_tiles,
    read_span,
    tiles_covering,
)
from audioclass_gui.spectrogram.layout import (
    MAX_WINDOWS_PER_COLUMN,
    column_windows,
    plan_view,
    tile_count,
)

SR = 16000


@pytest.fixture(scope="module")
def rich_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 s of noise, sweeps and clicks at 16 kHz: every column differs."""
    rng = np.random.default_rng(11)
    t = np.arange(40 * SR) / SR
    x = 0.02 * rng.standard_normal(t.size)
    x += (
        0.3
        * np.sin(2 * np.pi * (300 * t + 40 * t**2))
        * (np.sin(2 * np.pi * 0.3 * t) > 0)
    )
    x[rng.integers(0, t.size, 200)] += 0.9
    path = tmp_path_factory.mktemp("layout") / "rich.wav"
    sf.write(path, x.astype(np.float32), SR, subtype="FLOAT")
    return path


# --- pure layout --------------------------------------------------------------


@pytest.mark.parametrize("min_hop", [64, 256, 300])
def test_level_hop_is_a_power_of_two_of_min_hop_within_the_pixel_budget(
    min_hop: int,
) -> None:
    for span in (1_000, 48_000, 1_234_567, 48_000 * 3600, 48_000 * 86400):
        for width in (200, 1000, 2560):
            hop = level_hop(span, width, min_hop)
            ratio = hop // min_hop
            assert hop % min_hop == 0 and ratio & (ratio - 1) == 0  # min_hop * 2**k
            assert span / hop <= width  # never more columns than pixels...
            if hop > min_hop:
                assert span / (hop // 2) > width  # ...and the finest level that fits
    assert level_hop(100, 1000, 256) == 256  # zoomed far in: the finest hop
    assert level_hop(48_000, 1000, 256, oversample=2.0) == level_hop(48_000, 2000, 256)


@pytest.mark.parametrize(
    ("start", "end", "hop", "total"),
    [
        (0, 10_000, 256, 1_000_000),
        (123_456, 987_654, 1024, 1_000_000),
        (999_000, 2_000_000, 64, 1_000_000),  # runs past the end: clipped
        (-5_000, 3_000, 512, 1_000_000),  # starts before 0: clipped
        (0, 48_000 * 86400, 1 << 20, 48_000 * 86400),
    ],
)
def test_tiles_cover_the_range_on_a_grid(
    start: int, end: int, hop: int, total: int
) -> None:
    tiles = tiles_covering(start, end, hop, total)
    width = hop * TILE_COLUMNS
    assert tiles, "something of the file is in range"
    # Coverage: the union of the tiles contains the clipped range...
    assert tiles[0].first_frame <= max(0, start)
    assert min(tiles[-1].end_frame, total) >= min(end, total)
    # ...with no gaps or overlaps between consecutive tiles, on the level's grid.
    for a, b in zip(tiles, tiles[1:], strict=False):
        assert a.end_frame == b.first_frame and b.index == a.index + 1
    for tile in tiles:
        assert tile.first_frame % width == 0 and tile.hop == hop
        assert tile.first_frame < total and tile.columns_in(total) >= 1
    # No tile is wasted: the first and last ones touch the range.
    assert tiles[0].end_frame > max(0, start) and tiles[-1].first_frame < min(
        end, total
    )
    # Starts differ by whole hops, so column grids of different tiles coincide.
    assert all(
        (b.first_frame - a.first_frame) % hop == 0
        for a, b in zip(tiles, tiles[1:], strict=False)
    )


def test_tiles_are_reused_when_panning_and_the_last_one_is_cut_at_the_end() -> None:
    total, hop = 10_000_000, 512
    a = tiles_covering(1_000_000, 1_700_000, hop, total)
    b = tiles_covering(1_100_000, 1_800_000, hop, total)
    assert len(set(a) & set(b)) >= len(a) - 1  # a small pan reuses tiles
    last = tiles_covering(total - 10, total, hop, total)[-1]
    assert last.index == tile_count(total, hop) - 1
    assert (
        last.columns_in(total) == -(-(total - last.first_frame) // hop) < TILE_COLUMNS
    )
    assert TileSpec(hop, last.index + 1).columns_in(total) == 0
    assert tiles_covering(total + 5, total + 50, hop, total) == []


def test_prefetch_is_the_neighbours_ahead_first_and_stays_in_the_file() -> None:
    total, hop = 50 * 512 * 100, 100
    visible = tiles_covering(10 * 51200, 13 * 51200 - 1, hop, total)
    assert [t.index for t in visible] == [10, 11, 12]
    assert [t.index for t in prefetch_tiles(visible, total)] == [13, 9, 14, 8, 15, 7]
    at_end = tiles_covering(48 * 51200, total, hop, total)
    assert [t.index for t in prefetch_tiles(at_end, total)] == [47, 46]
    assert prefetch_tiles([], total) == []


def test_read_span_adds_stft_padding_and_is_clipped() -> None:
    n, hop, total = 1024, 256, 10_000_000
    spec = TileSpec(hop, 7)
    first, stop = read_span(spec, n, total)
    # Column 0's window starts half a window before its centre...
    assert first == spec.first_frame + hop // 2 - n // 2
    # ...and the last column's window ends half a window after its centre.
    assert stop == spec.first_frame + (TILE_COLUMNS - 1) * hop + hop // 2 + n // 2
    assert read_span(TileSpec(hop, 0), n, total)[0] == 0  # clipped at the start
    last = TileSpec(hop, tile_count(total, hop) - 1)
    assert read_span(last, n, total)[1] == total  # and at the end
    assert read_span(TileSpec(hop, 10**9), n, total) == (0, 0)


def test_column_windows_cover_columns_until_the_budget() -> None:
    n = 1024
    assert column_windows(256, n) == (1, 256, 256 // 2 - n // 2)  # plain STFT
    assert column_windows(4096, n, average=False) == (1, 4096, 2048 - 512)
    for hop in (2048, 4096, 8192):  # every sample of the column is analysed
        count, step, offset = column_windows(hop, n)
        assert step == n and count * step >= hop
        assert offset <= 0 and offset + (count - 1) * step + n >= hop
    count, step, offset = column_windows(1 << 20, n)  # far out: a sample in the middle
    assert count == MAX_WINDOWS_PER_COLUMN
    centre = offset + ((count - 1) * step + n) / 2
    assert centre == pytest.approx((1 << 20) / 2, abs=1)


def test_plan_view_switches_to_the_overview_when_it_has_the_detail() -> None:
    total = 48_000 * 86400
    near = plan_view(
        0, 48_000 * 30, 1200, 256, total, overview_frames_per_column=total / 8192
    )
    assert not near.use_overview and near.visible and near.prefetch
    far = plan_view(0, total, 1200, 256, total, overview_frames_per_column=total / 8192)
    assert far.use_overview and far.visible == () and far.prefetch == ()
    without = plan_view(0, total, 1200, 256, total, overview_frames_per_column=None)
    assert not without.use_overview  # no overview yet: tiles, bounded in number
    assert len(without.visible) <= -(-1200 // TILE_COLUMNS) + 1


# --- seam-free joins against one STFT ----------------------------------------------


def _reference_stft_db(
    x: np.ndarray, n: int, hop: int, first_column: int, columns: int
) -> np.ndarray:
    """scipy's STFT of the whole signal on the tile grid, in dB re full scale."""
    lead = n // 2 - hop // 2  # column g is centred on g*hop + hop//2
    padded = np.concatenate(
        [np.zeros(lead, np.float64), x.astype(np.float64), np.zeros(n, np.float64)]
    )
    _, _, z = stft(
        padded,
        nperseg=n,
        noverlap=n - hop,
        window="hann",
        boundary=None,
        padded=False,
        scaling="spectrum",
    )
    power = (
        2 * np.abs(z[:, first_column : first_column + columns])
    ) ** 2  # full-scale sine -> 1
    return 10 * np.log10(np.maximum(power, 1e-20))


@pytest.mark.parametrize("hop", [128, 256, 512])
def test_adjacent_grid_tiles_equal_one_stft_of_their_span(
    rich_file: Path, hop: int
) -> None:
    info = read_info(rich_file)
    x, _ = sf.read(rich_file, dtype="float32")
    params = SpectrogramParams(window_length=512, overlap=0.75 if hop == 128 else 0.5)
    tiles = [
        compute_grid_tile(rich_file, TileSpec(hop, i, 64), params, info=info)
        for i in range(3, 7)
    ]
    for a, b in zip(tiles, tiles[1:], strict=False):
        assert a.end == pytest.approx(b.start)
    joined = np.concatenate([t.data for t in tiles], axis=1)
    reference = _reference_stft_db(x, 512, hop, 3 * 64, 4 * 64)
    keep = reference > -150  # ignore exact silence (the tiles floor it at -200 dB)
    assert keep.mean() > 0.99
    np.testing.assert_allclose(joined[keep], reference[keep], atol=0.01)


def test_grid_tiles_at_the_start_and_end_of_the_file_join_the_zero_padded_stft(
    rich_file: Path,
) -> None:
    info = read_info(rich_file)
    x, _ = sf.read(rich_file, dtype="float32")
    params = SpectrogramParams(window_length=512, overlap=0.5)
    hop = 256
    first = compute_grid_tile(rich_file, TileSpec(hop, 0, 64), params, info=info)
    np.testing.assert_allclose(
        first.data, _reference_stft_db(x, 512, hop, 0, 64), atol=0.01
    )
    last_index = tile_count(info.frames, hop, 64) - 1
    last = compute_grid_tile(
        rich_file, TileSpec(hop, last_index, 64), params, info=info
    )
    cols = last.data.shape[1]
    reference = _reference_stft_db(x, 512, hop, last_index * 64, cols)
    np.testing.assert_allclose(last.data, reference, atol=0.01)
    assert last.end >= info.duration > last.end - hop / SR


@pytest.mark.parametrize("hop", [2048, 1 << 16])
def test_zoomed_out_tiles_join_and_average_the_windows_of_each_column(
    rich_file: Path, hop: int
) -> None:
    info = read_info(rich_file)
    x, _ = sf.read(rich_file, dtype="float64")
    params = SpectrogramParams(window_length=512)
    cols = 8 if hop == 2048 else 2  # the file holds 640,000 frames
    a = compute_grid_tile(rich_file, TileSpec(hop, 1, cols), params, info=info)
    b = compute_grid_tile(rich_file, TileSpec(hop, 2, cols), params, info=info)
    union = compute_grid_tile(rich_file, TileSpec(hop, 0, 4 * cols), params, info=info)
    np.testing.assert_allclose(
        np.concatenate([a.data, b.data], axis=1),
        union.data[:, cols : 3 * cols],
        atol=1e-3,
    )
    # Each column is the mean power of its windows (computed here by hand).
    count, step, offset = column_windows(hop, 512)
    window = np.hanning(513)[:-1]  # periodic Hann
    padded = np.concatenate([x, np.zeros(hop * 4 * cols)])
    for c in range(min(union.data.shape[1], 3)):
        starts = c * hop + offset + np.arange(count) * step
        frames = np.stack(
            [
                padded[s : s + 512]
                if s >= 0
                else np.r_[np.zeros(-s), padded[: 512 + s]]
                for s in starts
            ]
        )
        power = (np.abs(np.fft.rfft(frames * window, axis=1)) * 2 / window.sum()) ** 2
        expected = 10 * np.log10(np.maximum(power.mean(axis=0), 1e-20))
        np.testing.assert_allclose(union.data[:, c], expected, atol=0.01)


def test_pcen_tiles_join_within_a_percent(rich_file: Path) -> None:
    info = read_info(rich_file)
    params = SpectrogramParams(window_length=512, overlap=0.5, pcen=True)
    hop = 256
    a = compute_grid_tile(rich_file, TileSpec(hop, 6, 128), params, info=info)
    b = compute_grid_tile(rich_file, TileSpec(hop, 7, 128), params, info=info)
    union = compute_grid_tile(
        rich_file, TileSpec(hop, 1, 512), params, info=info
    )  # columns 512..1023
    assert a.scale == b.scale == "PCEN"
    joined = np.concatenate([a.data, b.data], axis=1)  # columns 768..1023
    part = union.data[:, 256:512]
    assert np.max(np.abs(joined - part)) <= 0.01 * np.max(part)
    # PCEN flattens steady noise: its rows sit near (1 + 2) ** 0.5 - 2 ** 0.5.
    assert 0.2 < float(np.median(union.data)) < 0.6
