"""Min/max envelope of a whole recording at a few resolutions: the waveform's pyramid.

Level 0 holds, for every channel, the lowest and highest sample of each
bin of :data:`BASE` frames; each level above holds the extremes of
:data:`FACTOR` bins of the level below, up to a level of at most
:data:`TOP_BINS` bins. A view of any span then reads at most about
``FACTOR`` bins per pixel column from the coarsest level whose bins are no
wider than a column, so a 24-hour file shows at once once its pyramid is
built (see :mod:`audioclass_gui.spectrogram.envelope_cache` for where it is
kept between runs).

An :class:`EnvelopeBuilder` reads the file once, in blocks of bounded size
(:data:`BLOCK_SAMPLES` samples), and updates every level after each block,
so the envelope built so far can be shown while the rest is read.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.audio.reader import AudioReader

__all__ = [
    "BASE",
    "BLOCK_SAMPLES",
    "FACTOR",
    "TOP_BINS",
    "Envelope",
    "EnvelopeBuilder",
    "bins_per_level",
    "level_frames",
]

#: Frames per bin at level 0.
BASE = 1024
#: Bins of one level summarised by one bin of the level above.
FACTOR = 8
#: Levels are added until the top one has at most this many bins.
TOP_BINS = 2048
#: Samples (frames times channels) read at once while building.
BLOCK_SAMPLES = 1 << 21


def level_frames(level: int) -> int:
    """Frames summarised by one bin of ``level``."""
    return BASE * FACTOR**level


def bins_per_level(frames: int) -> list[int]:
    """Bins of each level for a recording of ``frames`` frames (at least one level)."""
    sizes = [max(1, -(-frames // BASE))]
    while sizes[-1] > TOP_BINS:
        sizes.append(-(-sizes[-1] // FACTOR))
    return sizes


class Envelope:
    """The extremes of a recording, level by level, as far as they are known.

    Parameters
    ----------
    info
        The recording.
    levels
        One array per level, shape ``(channels, 2, bins)``: minimum (row 0)
        and maximum (row 1) of every bin, float32 (memory-mapped from the
        cache or being filled by a builder).
    done_frames
        Frames summarised so far (``info.frames`` when complete); bins
        beyond are not read.
    """

    def __init__(
        self, info: RecordingInfo, levels: Sequence[np.ndarray], done_frames: int
    ) -> None:
        self.info = info
        self.levels = list(levels)
        self.done_frames = int(done_frames)

    @property
    def complete(self) -> bool:
        """Whether the whole file is summarised."""
        return self.done_frames >= self.info.frames

    @property
    def nbytes(self) -> int:
        """Bytes of all levels."""
        return sum(int(a.nbytes) for a in self.levels)

    def peak(self, channel: int | None = None) -> float:
        """The largest absolute sample summarised so far (of one channel, or of all)."""
        top = len(self.levels) - 1
        known = -(-min(self.done_frames, self.info.frames) // level_frames(top))
        if known == 0:
            return 0.0
        data = self.levels[top]
        part = np.asarray(data[:, :, :known] if channel is None else data[channel, :, :known])
        return float(np.abs(part).max())

    def pick_level(self, frames_per_column: float) -> int | None:
        """The coarsest level whose bins are no wider than a column, or None if none is.

        None means columns narrower than :data:`BASE` frames: read the
        samples themselves.
        """
        best = None
        for level in range(len(self.levels)):
            if level_frames(level) <= frames_per_column:
                best = level
        return best

    def extremes(
        self, edges: np.ndarray, channel: int | None = None, level: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """Lowest and highest sample of every column between consecutive ``edges``.

        Parameters
        ----------
        edges
            Increasing frame numbers, one more than there are columns; every
            column at least :data:`BASE` frames wide.
        channel
            Zero-based channel, or None for the extremes of all channels.
        level
            The level to read (default: :meth:`pick_level` of the narrowest
            column).

        Returns
        -------
        low, high : numpy.ndarray
            float32 per column; NaN where the column is not summarised yet.
            A column's extremes cover the bins it touches, so they may
            include up to a bin's worth of frames beside it.
        level : int
            The level read.

        Raises
        ------
        ValueError
            If a column is narrower than a bin of the level.
        """
        edges = np.asarray(edges, dtype=np.int64)
        columns = edges.size - 1
        low = np.full(columns, np.nan, dtype=np.float32)
        high = np.full(columns, np.nan, dtype=np.float32)
        if columns < 1:
            return low, high, 0
        narrowest = int(np.diff(edges).min())
        if level is None:
            level = self.pick_level(narrowest)
        if level is None or level_frames(level) > narrowest:
            raise ValueError(
                f"columns of {narrowest} frames are narrower than a bin of level {level}"
            )
        size = level_frames(level)
        known = min(self.done_frames, self.info.frames)
        valid = int(np.searchsorted(edges[1:], known, side="right"))
        if valid == 0:
            return low, high, level
        first = edges[:valid] // size
        last = (edges[1 : valid + 1] - 1) // size
        a, b = int(first[0]), int(last[-1]) + 1
        data = self.levels[level]
        if channel is None:
            seg_low = np.asarray(data[:, 0, a:b]).min(axis=0)
            seg_high = np.asarray(data[:, 1, a:b]).max(axis=0)
        else:
            seg_low = np.asarray(data[channel, 0, a:b])
            seg_high = np.asarray(data[channel, 1, a:b])
        starts = first - a
        low[:valid] = np.minimum(np.minimum.reduceat(seg_low, starts), seg_low[last - a])
        high[:valid] = np.maximum(np.maximum.reduceat(seg_high, starts), seg_high[last - a])
        return low, high, level


class EnvelopeBuilder:
    """Builds an :class:`Envelope` step by step, reading the file once in blocks.

    Not thread-safe for two steps at once; the envelope it has built so far
    (:attr:`envelope`) may be read by another thread meanwhile: steps only
    write bins beyond what it reports done, or rewrite a partly filled
    coarse bin with extremes of more of its frames.

    Parameters
    ----------
    info
        The recording.
    levels
        Writable arrays of shape ``(channels, 2, bins)`` for every level of
        :func:`bins_per_level` (``np.empty`` or memory maps).
    block_samples
        Samples read per block (frames times channels, rounded to whole
        level-0 bins): bounds the memory a step uses.

    Raises
    ------
    ValueError
        If the arrays do not have the shapes the recording needs.
    """

    def __init__(
        self,
        info: RecordingInfo,
        levels: Sequence[np.ndarray],
        *,
        block_samples: int = BLOCK_SAMPLES,
    ) -> None:
        wanted = [(info.channels, 2, n) for n in bins_per_level(info.frames)]
        got = [tuple(a.shape) for a in levels]
        if got != wanted:
            raise ValueError(f"{info.path}: envelope arrays of shapes {got}, not {wanted}")
        self.info = info
        self.levels = list(levels)
        per_block = max(1, block_samples // (BASE * info.channels))
        self.block_frames = per_block * BASE
        self.done_frames = 0
        self.nonfinite = 0
        self.envelope = Envelope(info, self.levels, 0)

    @property
    def complete(self) -> bool:
        """Whether the whole file has been read."""
        return self.done_frames >= self.info.frames

    def step(
        self,
        *,
        max_blocks: int | None = None,
        max_seconds: float | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> bool:
        """Read more blocks; True once the whole file is summarised.

        Parameters
        ----------
        max_blocks
            Most blocks to read in this step (None: no limit).
        max_seconds
            End the step once it has taken this long (at least one block is
            read).
        cancel
            Polled before every block; returning True ends the step early.

        Raises
        ------
        AudioFileError
            If the file cannot be read (changed, gone...).
        """
        deadline = None if max_seconds is None else time.perf_counter() + max_seconds
        blocks = 0
        with AudioReader(self.info) as reader:
            while not self.complete:
                if max_blocks is not None and blocks >= max_blocks:
                    break
                if blocks and deadline is not None and time.perf_counter() > deadline:
                    break
                if cancel is not None and cancel():
                    break
                self._read_block(reader)
                blocks += 1
            self.nonfinite += reader.nonfinite
        return self.complete

    def _read_block(self, reader: AudioReader) -> None:
        a = self.done_frames
        b = min(self.info.frames, a + self.block_frames)
        x = reader.read_channels(a, b)  # (frames, channels)
        full = x.shape[0] // BASE
        lows, highs = [], []
        if full:
            bins = x[: full * BASE].reshape(full, BASE, -1)
            lows.append(bins.min(axis=1))
            highs.append(bins.max(axis=1))
        if x.shape[0] % BASE:  # the last, shorter bin of the file
            tail = x[full * BASE :]
            lows.append(tail.min(axis=0, keepdims=True))
            highs.append(tail.max(axis=0, keepdims=True))
        first = a // BASE
        low, high = np.concatenate(lows), np.concatenate(highs)
        end = first + low.shape[0]
        base = self.levels[0]
        base[:, 0, first:end] = low.T
        base[:, 1, first:end] = high.T
        for level in range(1, len(self.levels)):
            first, end = self._summarise(level, first, end)
        self.done_frames = b
        self.envelope.done_frames = b

    def _summarise(self, level: int, first: int, end: int) -> tuple[int, int]:
        """Recompute the bins of ``level`` over bins ``[first, end)`` of the level below."""
        fine, coarse = self.levels[level - 1], self.levels[level]
        c0, c1 = first // FACTOR, math.ceil(end / FACTOR)
        seg = np.asarray(fine[:, :, c0 * FACTOR : end])
        starts = np.arange(0, seg.shape[2], FACTOR)
        coarse[:, 0, c0:c1] = np.minimum.reduceat(seg[:, 0], starts, axis=1)
        coarse[:, 1, c0:c1] = np.maximum.reduceat(seg[:, 1], starts, axis=1)
        return c0, c1
