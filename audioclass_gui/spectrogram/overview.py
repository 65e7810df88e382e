"""Whole-file, low-resolution spectrogram for the timeline and far-out zoom.

An :class:`OverviewBuilder` computes the overview a few columns at a time,
so the view can run it in the background at low priority (a step between
tile computations) and show it as it fills in.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.audio.reader import AudioReader
from audioclass_gui.spectrogram.compute import (
    DB_FLOOR,
    SpectrogramTile,
    _power,
    _row_range,
    _to_db,
)
from audioclass_gui.spectrogram.params import SpectrogramParams, window_array

__all__ = [
    "OVERVIEW_COLUMNS",
    "OVERVIEW_WINDOW",
    "SAMPLED_WINDOWS",
    "OverviewBuilder",
    "compute_overview",
]

#: Longest FFT window the overview uses (fewer rows than a tile is fine).
OVERVIEW_WINDOW = 512
#: Windows analysed per column once a column is too long to read whole.
SAMPLED_WINDOWS = 32
#: Groups those windows come in (each group is read in one piece).
SAMPLED_GROUPS = 4
#: Columns of the overview the view computes for a recording.
OVERVIEW_COLUMNS = 8192


class OverviewBuilder:
    """Computes a whole-file overview step by step.

    The file is cut into ``columns`` equal spans (fewer for a short file:
    at least one window per column). Each column is the mean power of
    windows of ``min(params.window_length, OVERVIEW_WINDOW)`` samples in
    its span: every window at half-window hop when the span holds at most
    ``2 * SAMPLED_WINDOWS`` of them; otherwise :data:`SAMPLED_WINDOWS`
    windows in :data:`SAMPLED_GROUPS` evenly spread groups of consecutive
    windows, each group read by one seek. Work and memory per column are
    bounded whatever the file's length. Levels are in dB re full scale, as
    in :func:`~audioclass_gui.spectrogram.compute.compute_tile`.

    Not thread-safe: drive one builder from one thread at a time (the view
    runs its steps one after another in its pool).

    Parameters
    ----------
    path
        The recording.
    params
        Window type, frequency range and channel (``window_length`` is
        capped at :data:`OVERVIEW_WINDOW`; ``overlap`` and ``pcen`` are not
        used).
    columns
        Number of columns wanted.
    info
        Header facts if already known.

    Raises
    ------
    ValueError
        If ``columns < 1``.
    AudioFileError
        If the file cannot be read, or the channel does not exist.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        params: SpectrogramParams,
        *,
        columns: int = OVERVIEW_COLUMNS,
        info: RecordingInfo | None = None,
    ) -> None:
        if columns < 1:
            raise ValueError(f"columns must be at least 1, not {columns!r}")
        self.info = info or read_info(path)
        self.params = params
        sr, total = self.info.samplerate, self.info.frames
        self._n = n = min(params.window_length, OVERVIEW_WINDOW)
        self.columns = max(1, min(columns, total // n))
        self._bounds = [(i * total) // self.columns for i in range(self.columns + 1)]
        self._k0, self._k1 = _row_range(sr, n, params.fmin, params.fmax)
        self._window = window_array(params.window, n)
        self.data = np.full(
            (self._k1 - self._k0 + 1, self.columns), DB_FLOOR, dtype=np.float32
        )
        self.done = 0
        self.nonfinite = 0

    @property
    def complete(self) -> bool:
        """Whether every column has been computed."""
        return self.done >= self.columns

    @property
    def seconds_per_column(self) -> float:
        """Duration of one column."""
        return self.info.duration / self.columns

    @property
    def frames_per_column(self) -> float:
        """Frames of audio per column."""
        return self.info.frames / self.columns

    def step(
        self,
        max_columns: int = 256,
        *,
        cancel: Callable[[], bool] | None = None,
        on_column: Callable[[int], None] | None = None,
        max_seconds: float | None = None,
    ) -> bool:
        """Compute up to ``max_columns`` more columns; True once complete.

        Parameters
        ----------
        max_columns
            Most columns to compute in this step.
        cancel
            Polled before every column; returning True ends the step early.
        on_column
            Called with the number of columns done after each one.
        max_seconds
            End the step once it has taken this long (at least one column
            is always computed).
        """
        stop = min(self.columns, self.done + max(1, max_columns))
        if self.done >= stop:
            return True
        n, hop = self._n, self._n // 2
        deadline = None if max_seconds is None else time.perf_counter() + max_seconds
        first = self.done
        with AudioReader(self.info, self.params.channel) as reader:
            for i in range(first, stop):
                if cancel is not None and cancel():
                    break
                if (
                    deadline is not None
                    and i > first
                    and time.perf_counter() > deadline
                ):
                    break
                a, b = self._bounds[i], self._bounds[i + 1]
                length = b - a
                if length <= 2 * SAMPLED_WINDOWS * n:
                    count = max(1, (length - n) // hop + 1)
                    samples = reader.read(a, a + (count - 1) * hop + n)
                    frames = sliding_window_view(samples, n)[::hop]
                else:
                    per_group = SAMPLED_WINDOWS // SAMPLED_GROUPS
                    span = (per_group - 1) * hop + n
                    frames = np.empty((SAMPLED_WINDOWS, n), dtype=np.float32)
                    group = np.empty(span, dtype=np.float32)
                    for g in range(SAMPLED_GROUPS):
                        centre = a + ((2 * g + 1) * length) // (2 * SAMPLED_GROUPS)
                        reader.read_into(group, centre - span // 2)
                        frames[g * per_group : (g + 1) * per_group] = (
                            sliding_window_view(group, n)[::hop]
                        )
                power = _power(frames, self._window, self._k0, self._k1).mean(
                    axis=0, dtype=np.float32
                )
                self.data[:, i] = _to_db(power)
                self.done = i + 1
                if on_column is not None:
                    on_column(self.done)
            self.nonfinite += reader.nonfinite
        return self.complete

    def tile(self) -> SpectrogramTile:
        """The columns computed so far as a tile (empty before the first step).

        Its data is a read-only view, not a copy: later steps only write
        columns beyond it, so it may be handed to another thread.
        """
        sr, n = self.info.samplerate, self._n
        done = self.done
        data = self.data[:, :done]
        data.setflags(write=False)
        end = self._bounds[done] / sr
        df = sr / n
        return SpectrogramTile(
            data=data,
            start=0.0,
            end=end,
            fmin=(self._k0 - 0.5) * df,
            fmax=(self._k1 + 0.5) * df,
            nonfinite=self.nonfinite,
        )


def compute_overview(
    path: str | os.PathLike[str],
    params: SpectrogramParams,
    *,
    columns: int = 2000,
    info: RecordingInfo | None = None,
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
) -> SpectrogramTile | None:
    """Compute a coarse spectrogram of the whole recording in one go.

    See :class:`OverviewBuilder` for what each column holds.

    Parameters
    ----------
    path
        The recording.
    params
        Window type, frequency range and channel.
    columns
        Number of columns wanted.
    info
        Header facts if already known.
    cancel
        Polled before every column; returning True stops the work.
    progress
        Called with the fraction done (0 to 1), about a hundred times.

    Returns
    -------
    SpectrogramTile or None
        Spanning exactly ``0`` to the recording's duration, or None if
        cancelled.

    Raises
    ------
    ValueError
        If ``columns < 1``.
    AudioFileError
        If the file cannot be read, or the channel does not exist.
    """
    builder = OverviewBuilder(path, params, columns=columns, info=info)
    report_every = max(1, builder.columns // 100)

    def report(done: int) -> None:
        if progress is not None and (
            done % report_every == 0 or done == builder.columns
        ):
            progress(done / builder.columns)

    builder.step(builder.columns, cancel=cancel, on_column=report)
    return builder.tile() if builder.complete else None
