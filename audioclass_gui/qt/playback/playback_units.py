"""Playback arithmetic the window needs: paging after the playhead, real and file units."""

from __future__ import annotations

import dataclasses

from audioclass_gui.audio.playback_dsp import PlaybackOptions

__all__ = ["follow_range", "in_file_units"]


def follow_range(
    visible: tuple[float, float],
    position: float,
    duration: float,
    *,
    lead: float = 0.05,
) -> tuple[float, float] | None:
    """The range to show so a playhead that left the view is back in it.

    Pages rather than scrolls (fewer spectrogram tiles to compute): the new
    view starts ``lead`` of its width before the playhead.

    Parameters
    ----------
    visible
        The visible ``(start, end)`` in seconds.
    position
        The playhead in seconds.
    duration
        Length of the recording; the range is kept inside it.

    Returns
    -------
    tuple of (float, float) or None
        The new range, or None while the playhead is inside the view.
    """
    x0, x1 = visible
    if x0 <= position <= x1:
        return None
    span = x1 - x0
    start = position - lead * span
    start = max(0.0, min(start, duration - span))
    return start, start + span


def in_file_units(options: PlaybackOptions, time_expansion: float) -> PlaybackOptions:
    """``options`` with its frequencies in the file's own Hz.

    The app shows a time-expanded recording's real frequencies (the file's
    times the factor), so a band or a high-pass chosen on screen is divided
    by the factor before it filters the file's samples.
    """
    if time_expansion == 1.0:
        return options
    band = options.band
    if band is not None:
        band = (band[0] / time_expansion, band[1] / time_expansion)
    highpass = options.highpass / time_expansion if options.highpass else None
    return dataclasses.replace(options, band=band, highpass=highpass)
