"""Where playback starts from: the time last clicked, for "play from the cursor".

Also the intent to play a span of any recording of the project
(:meth:`PlaybackState.play_clip`), e.g. a reference example beside the
selection, which may lie in another recording than the one shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from psygnal import Signal

__all__ = ["PlayClip", "PlaybackState"]


@dataclass(frozen=True, slots=True)
class PlayClip:
    """A span of a recording to play, with the band of a box if it has one.

    Attributes
    ----------
    path
        The recording (any file, not only the one shown).
    start, end
        Seconds of the recording (real time, as on the axes).
    low_freq, high_freq
        A box's band in Hz (for the Playback panel's *Selected box* band), or None.
    """

    path: Path
    start: float
    end: float
    low_freq: float | None = None
    high_freq: float | None = None


class PlaybackState:
    """The playback cursor, without Qt.

    What Space plays is the review's selection
    (:meth:`~audioclass_gui.app.review_state.ReviewState.play_target`);
    Ctrl+Space plays from :attr:`cursor`.

    Signals
    -------
    cursor_changed(object)
        The cursor moved (seconds, or None when a recording opened).
    clip_requested(object)
        A :class:`PlayClip` to play now (with the Playback panel's context).
    """

    cursor_changed = Signal(object)
    clip_requested = Signal(object)

    def __init__(self) -> None:
        #: The time last clicked on the spectrogram (seconds), else None.
        self.cursor: float | None = None

    def set_cursor(self, seconds: float | None) -> None:
        """Put the cursor at ``seconds`` (None: no cursor, play from the view's start)."""
        self.cursor = None if seconds is None else float(seconds)
        self.cursor_changed.emit(self.cursor)

    def play_clip(self, clip: PlayClip) -> None:
        """Ask for ``clip`` to be played (the window's playback answers ``clip_requested``)."""
        self.clip_requested.emit(clip)
