"""Whole-file, low-resolution spectrogram for the timeline and far-out zoom."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.spectrogram.compute import (
    SpectrogramTile,
    _power,
    _row_range,
    _Source,
    _to_db,
)
from audioclass_gui.spectrogram.params import SpectrogramParams, window_array

__all__ = ["OVERVIEW_WINDOW", "SAMPLED_WINDOWS", "compute_overview"]

#: Longest FFT window the overview uses (fewer rows than a tile is fine).
OVERVIEW_WINDOW = 512
#: Windows analysed per column once a column is too long to read whole.
SAMPLED_WINDOWS = 32


def compute_overview(
    path: str | os.PathLike[str],
    params: SpectrogramParams,
    *,
    columns: int = 2000,
    info: RecordingInfo | None = None,
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
) -> SpectrogramTile | None:
    """Compute a coarse spectrogram of the whole recording.

    The file is cut into ``columns`` equal spans (fewer for a short file:
    at least one window per column). Each column is the mean power of
    windows of ``min(params.window_length, OVERVIEW_WINDOW)`` samples in
    its span: every window at half-window hop when the span holds at most
    ``2 * SAMPLED_WINDOWS`` of them, otherwise ``SAMPLED_WINDOWS`` windows
    evenly spread over the span, read by seeking. Memory and reading work
    are therefore bounded per column, independent of the file's length.
    Levels are in dB re full scale, as in
    :func:`~audioclass_gui.spectrogram.compute.compute_tile`.

    Parameters
    ----------
    path
        The recording.
    params
        Window type, frequency range and channel (``window_length`` is
        capped at :data:`OVERVIEW_WINDOW`; ``overlap`` is not used).
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
    if columns < 1:
        raise ValueError(f"columns must be at least 1, not {columns!r}")
    info = info or read_info(path)
    sr, total = info.samplerate, info.frames
    n = min(params.window_length, OVERVIEW_WINDOW)
    n_cols = max(1, min(columns, total // n))
    bounds = [(i * total) // n_cols for i in range(n_cols + 1)]
    k0, k1 = _row_range(sr, n, params.fmin, params.fmax)
    window = window_array(params.window, n)
    hop = n // 2
    out = np.empty((k1 - k0 + 1, n_cols), dtype=np.float32)
    report_every = max(1, n_cols // 100)
    with _Source(path, info, params.channel) as source:
        for i in range(n_cols):
            if cancel is not None and cancel():
                return None
            a, b = bounds[i], bounds[i + 1]
            length = b - a
            if length <= 2 * SAMPLED_WINDOWS * n:
                count = max(1, (length - n) // hop + 1)
                samples = source.read(a, a + (count - 1) * hop + n)
                frames = np.lib.stride_tricks.sliding_window_view(samples, n)[::hop]
            else:
                frames = np.empty((SAMPLED_WINDOWS, n), dtype=np.float32)
                for j in range(SAMPLED_WINDOWS):
                    centre = a + ((2 * j + 1) * length) // (2 * SAMPLED_WINDOWS)
                    source.read_into(frames[j], centre - n // 2)
            power = _power(frames, window, k0, k1).mean(axis=0, dtype=np.float32)
            out[:, i] = _to_db(power)
            if progress is not None and (i + 1) % report_every == 0:
                progress((i + 1) / n_cols)
    if progress is not None and n_cols % report_every:
        progress(1.0)
    out.setflags(write=False)
    df = sr / n
    return SpectrogramTile(
        data=out, start=0.0, end=total / sr, fmin=(k0 - 0.5) * df, fmax=(k1 + 0.5) * df
    )
