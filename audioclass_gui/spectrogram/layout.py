"""Where spectrogram tiles lie: a pure function of zoom, position and file length.

The view never asks for "the spectrogram of what is visible"; it asks for
tiles on a fixed grid. Each zoom level has a hop (samples per column)
``min_hop * 2**k``, chosen so the visible range needs about as many columns
as the screen has pixels. A tile holds :data:`TILE_COLUMNS` columns, and tile
``i`` of a level starts at frame ``i * TILE_COLUMNS * hop``. So

* tiles are reusable: panning asks for the same tiles again (cache hits),
  and zooming by less than a factor of two keeps the level;
* tiles join without seams: the starts of two tiles of a level differ by a
  whole number of hops, so their columns lie on one grid, and each column is
  computed from a window centred on it, reading into the neighbouring
  tiles' audio (the STFT padding, see :func:`read_span`) rather than zeros.

Everything here is arithmetic on integers: no I/O, no state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "MAX_WINDOWS_PER_COLUMN",
    "TILE_COLUMNS",
    "TileSpec",
    "ViewPlan",
    "column_windows",
    "level_hop",
    "plan_view",
    "prefetch_tiles",
    "read_span",
    "tile_count",
    "tiles_covering",
]

#: Columns per tile: the pixel budget of one tile in time.
TILE_COLUMNS = 512
#: Most windows averaged into one column when zoomed out.
MAX_WINDOWS_PER_COLUMN = 8


@dataclass(frozen=True, slots=True, order=True)
class TileSpec:
    """One tile of the grid.

    Attributes
    ----------
    hop
        Samples per column (the zoom level).
    index
        Position on the level's grid: the tile starts at frame
        ``index * columns * hop``.
    columns
        Columns of a full tile; the last tile of a file is cut at the end of
        the file (see :meth:`columns_in`).
    """

    hop: int
    index: int
    columns: int = TILE_COLUMNS

    @property
    def first_frame(self) -> int:
        """First frame of the tile's first column."""
        return self.index * self.columns * self.hop

    @property
    def end_frame(self) -> int:
        """Frame where a full tile's last column ends."""
        return (self.index + 1) * self.columns * self.hop

    def columns_in(self, total_frames: int) -> int:
        """Columns of this tile in a file of ``total_frames`` frames (0 if past the end)."""
        span = min(self.end_frame, total_frames) - self.first_frame
        return max(0, -(-span // self.hop))

    def seconds(self, samplerate: int) -> tuple[float, float]:
        """Start and end of a full tile in seconds."""
        return self.first_frame / samplerate, self.end_frame / samplerate


def level_hop(
    span_frames: float, width_px: int, min_hop: int, *, oversample: float = 1.0
) -> int:
    """The hop of the zoom level that shows ``span_frames`` on ``width_px`` pixels.

    The smallest ``min_hop * 2**k`` (``k >= 0``) giving at most
    ``width_px * oversample`` columns over the span.

    Parameters
    ----------
    span_frames
        Visible span in frames.
    width_px
        Width of the plot in pixels.
    min_hop
        The finest hop (from the window length and overlap).
    oversample
        Columns per pixel wanted (1 means one column per pixel).

    Returns
    -------
    int
        The hop in samples.
    """
    if min_hop < 1:
        raise ValueError(f"min_hop must be at least 1, not {min_hop!r}")
    columns = max(1.0, width_px * oversample)
    ideal = max(1.0, float(span_frames)) / columns
    if ideal <= min_hop:
        return int(min_hop)
    return int(min_hop) << math.ceil(math.log2(ideal / min_hop) - 1e-9)


def tile_count(total_frames: int, hop: int, columns: int = TILE_COLUMNS) -> int:
    """Number of tiles of a level covering a file of ``total_frames`` frames."""
    return max(0, -(-int(total_frames) // (hop * columns)))


def tiles_covering(
    start_frame: float,
    end_frame: float,
    hop: int,
    total_frames: int,
    columns: int = TILE_COLUMNS,
) -> list[TileSpec]:
    """The tiles of one level that cover ``[start_frame, end_frame)``, in order.

    The range is clipped to the file; an empty list means nothing of the
    file is in range.
    """
    width = hop * columns
    last = tile_count(total_frames, hop, columns) - 1
    if start_frame >= total_frames or end_frame <= 0:
        return []
    first_index = max(0, math.floor(max(0.0, start_frame) / width))
    last_index = min(last, math.ceil(min(float(total_frames), end_frame) / width) - 1)
    return [TileSpec(hop, i, columns) for i in range(first_index, last_index + 1)]


def prefetch_tiles(
    visible: list[TileSpec],
    total_frames: int,
    *,
    ahead: int | None = None,
    behind: int | None = None,
) -> list[TileSpec]:
    """Neighbours of the visible tiles worth computing next, nearest first.

    By default one page (as many tiles as are visible) ahead and one
    behind, interleaved ahead first, since reviewers mostly page forward.
    """
    if not visible:
        return []
    hop, columns = visible[0].hop, visible[0].columns
    last = tile_count(total_frames, hop, columns) - 1
    ahead = len(visible) if ahead is None else ahead
    behind = len(visible) if behind is None else behind
    lo, hi = visible[0].index, visible[-1].index
    out: list[TileSpec] = []
    for step in range(1, max(ahead, behind) + 1):
        if step <= ahead and hi + step <= last:
            out.append(TileSpec(hop, hi + step, columns))
        if step <= behind and lo - step >= 0:
            out.append(TileSpec(hop, lo - step, columns))
    return out


def column_windows(
    hop: int, window_length: int, *, average: bool = True
) -> tuple[int, int, int]:
    """How a column of a given hop is analysed: ``(count, step, offset)``.

    Up to the window length, a column is one window centred on it (the
    plain STFT). Zoomed out further, with ``average``, a column is the mean
    power of ``count`` windows side by side (``step = window_length``),
    centred on the column: every sample of the column is analysed while
    ``count * step >= hop`` (up to :data:`MAX_WINDOWS_PER_COLUMN` windows),
    a contiguous sample from its middle beyond that. Without ``average``
    it stays one window per column.

    Returns
    -------
    tuple of int
        Windows per column, samples between their starts, and the start of
        the first window relative to the column's first frame (negative: it
        reaches into the previous column).
    """
    n = int(window_length)
    if not average or hop <= n:
        return 1, hop, hop // 2 - n // 2
    step = n
    count = min(MAX_WINDOWS_PER_COLUMN, max(1, hop // step))
    return count, step, (hop - (count - 1) * step) // 2 - n // 2


def read_span(
    spec: TileSpec, window_length: int, total_frames: int, *, average: bool = True
) -> tuple[int, int]:
    """Frames a tile's STFT reads: its audio plus padding, clipped to the file.

    Each column is computed from windows placed by :func:`column_windows`
    around its own position on the grid, so a tile reads up to half a window
    into each neighbour (the STFT padding) instead of assuming silence
    there, which is what makes adjacent tiles join without seams. Frames
    outside the file read as zeros.

    Returns
    -------
    tuple of int
        ``(first, stop)``: the frames read, ``first`` inclusive, ``stop``
        exclusive, within ``[0, total_frames]``; ``(0, 0)`` for a tile past
        the end of the file.
    """
    n_cols = spec.columns_in(total_frames)
    if n_cols == 0:
        return (0, 0)
    count, step, offset = column_windows(spec.hop, window_length, average=average)
    first = spec.first_frame + offset
    stop = (
        spec.first_frame
        + (n_cols - 1) * spec.hop
        + offset
        + (count - 1) * step
        + window_length
    )
    return max(0, first), min(total_frames, stop)


@dataclass(frozen=True, slots=True)
class ViewPlan:
    """What a view of a given range and width should show.

    Attributes
    ----------
    use_overview
        True when the whole-file overview has at least the detail the
        screen can show: no tiles are needed.
    hop
        The zoom level's hop (also set when ``use_overview``).
    visible
        Tiles covering the visible range, in order (empty with the overview).
    prefetch
        Neighbouring tiles to compute next, nearest first.
    """

    use_overview: bool
    hop: int
    visible: tuple[TileSpec, ...] = ()
    prefetch: tuple[TileSpec, ...] = ()


def plan_view(
    start_frame: float,
    end_frame: float,
    width_px: int,
    min_hop: int,
    total_frames: int,
    *,
    overview_frames_per_column: float | None = None,
    oversample: float = 1.0,
    columns: int = TILE_COLUMNS,
) -> ViewPlan:
    """Decide between the overview and tiles, and which tiles, for a view.

    Parameters
    ----------
    start_frame, end_frame
        The visible range in frames.
    width_px
        Plot width in pixels.
    min_hop
        Finest hop of the spectrogram settings.
    total_frames
        Length of the recording.
    overview_frames_per_column
        Resolution of the overview, if there is one: when the level's hop
        is at least this coarse, the overview is used instead of tiles.
    oversample
        Columns per pixel wanted.
    columns
        Columns per tile.
    """
    hop = level_hop(end_frame - start_frame, width_px, min_hop, oversample=oversample)
    if overview_frames_per_column is not None and hop >= overview_frames_per_column:
        return ViewPlan(use_overview=True, hop=hop)
    visible = tiles_covering(start_frame, end_frame, hop, total_frames, columns)
    return ViewPlan(
        use_overview=False,
        hop=hop,
        visible=tuple(visible),
        prefetch=tuple(prefetch_tiles(visible, total_frames)),
    )
