"""Small spectrograms of a call with a little context, for side-by-side comparison.

A thumbnail is a :class:`~audioclass_gui.spectrogram.compute.SpectrogramTile`
of a call's span plus some context (and of its band, for a box), computed
with the window's spectrogram settings and reduced to a few dozen rows, so
hundreds fit in a small cache. A recording that cannot be read (missing,
renamed, damaged) gives a :class:`Thumbnail` with a problem that names the
file instead of raising: a panel of examples shows it in place.

Pure functions of a path and frozen settings: safe in worker threads.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import read_info
from audioclass_gui.spectrogram.compute import SpectrogramTile, compute_tile
from audioclass_gui.spectrogram.params import SpectrogramParams

__all__ = [
    "CONTEXT",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "Thumbnail",
    "ThumbnailRequest",
    "compute_thumbnail",
]

#: Seconds of audio shown before and after a call.
CONTEXT = 0.5
#: Columns of a thumbnail at most (about its width on screen, in pixels).
MAX_COLUMNS = 256
#: Rows of a thumbnail at most: frequency bins are pooled (by their maximum,
#: which keeps thin whistles visible) down to this many.
MAX_ROWS = 96
#: A box's band is shown with this fraction of its height above and below.
BAND_MARGIN = 0.25


@dataclass(frozen=True, slots=True)
class ThumbnailRequest:
    """What to draw: a call's span (and band) in one recording.

    Hashable, so it is also the key of a cache together with the settings.

    Attributes
    ----------
    path
        The recording.
    start, end
        The call, in seconds of the recording.
    low_freq, high_freq
        The call's band in Hz (a box's), or None: the settings' range.
    context
        Seconds shown before and after the call.
    """

    path: str
    start: float
    end: float
    low_freq: float | None = None
    high_freq: float | None = None
    context: float = CONTEXT

    @classmethod
    def of(
        cls,
        path: str | os.PathLike[str],
        start: float,
        end: float,
        low_freq: float | None = None,
        high_freq: float | None = None,
        context: float = CONTEXT,
    ) -> ThumbnailRequest:
        """A request with the path made absolute (as text; nothing is read)."""
        return cls(os.path.abspath(os.fspath(path)), float(start), float(end),
                   low_freq, high_freq, float(context))


@dataclass(frozen=True, slots=True, eq=False)
class Thumbnail:
    """A computed thumbnail, or why there is none.

    Attributes
    ----------
    request
        What was asked for.
    tile
        The spectrogram (dB or PCEN, rows pooled), or None when the
        recording could not be read.
    problem
        Why there is no tile, naming the file ("" when there is one).
    """

    request: ThumbnailRequest
    tile: SpectrogramTile | None = None
    problem: str = ""

    @property
    def nbytes(self) -> int:
        """Memory held, for byte-bounded caches."""
        return 0 if self.tile is None else self.tile.nbytes


def compute_thumbnail(
    request: ThumbnailRequest,
    params: SpectrogramParams,
    *,
    max_columns: int = MAX_COLUMNS,
    max_rows: int = MAX_ROWS,
) -> Thumbnail:
    """The spectrogram of a call with its context, or the reason it cannot be made.

    Parameters
    ----------
    request
        The call.
    params
        The window's spectrogram settings (window, overlap, PCEN, channel,
        frequency range). A box's band replaces the range, with a margin;
        a channel the recording does not have gives the mix.
    max_columns, max_rows
        Pixel budget.

    Returns
    -------
    Thumbnail
        With a tile, or with a problem naming the file (missing, unreadable,
        the call lies beyond its end); never raises for a bad recording.
    """
    name = Path(request.path).name
    try:
        info = read_info(request.path)
    except AudioFileError as exc:
        missing = not Path(request.path).exists()
        problem = f"{name} not found" if missing else f"{name}: {exc.problem}"
        return Thumbnail(request, problem=problem)
    nyquist = info.samplerate / 2.0
    changes: dict = {}
    if params.channel is not None and params.channel >= info.channels:
        changes["channel"] = None
    if request.low_freq is not None and request.high_freq is not None:
        margin = BAND_MARGIN * (request.high_freq - request.low_freq)
        low = max(0.0, request.low_freq - margin)
        high = min(nyquist, request.high_freq + margin)
        if high > low:
            changes.update(fmin=low, fmax=high)
    elif params.fmin >= nyquist:  # a range above this recording's band: show all of it
        changes.update(fmin=0.0, fmax=None)
    if changes:
        params = dataclasses.replace(params, **changes)
    start = max(0.0, request.start - request.context)
    end = min(info.duration, request.end + request.context)
    try:
        tile = compute_tile(request.path, start, end, params, max_columns=max_columns, info=info)
    except (AudioFileError, ValueError) as exc:
        return Thumbnail(request, problem=f"{name}: {exc}")
    return Thumbnail(request, _pooled(tile, max_rows))


def _pooled(tile: SpectrogramTile, max_rows: int) -> SpectrogramTile:
    """The tile with its rows pooled by their maximum down to at most ``max_rows``."""
    n = tile.data.shape[0]
    factor = -(-n // max_rows)
    if factor <= 1:
        return tile
    rows = -(-n // factor)
    padded = np.full((rows * factor, tile.data.shape[1]), -np.inf, np.float32)
    padded[:n] = tile.data
    data = padded.reshape(rows, factor, -1).max(axis=1)
    data.setflags(write=False)
    fmax = tile.fmin + rows * factor * tile.hz_per_row  # the padding's rows count too
    return dataclasses.replace(tile, data=data, fmax=fmax)
