"""Where playback starts from: the time last clicked, for "play from the cursor"."""

from __future__ import annotations

from psygnal import Signal

__all__ = ["PlaybackState"]


class PlaybackState:
    """The playback cursor, without Qt.

    What Space plays is the review's selection
    (:meth:`~audioclass_gui.app.review_state.ReviewState.play_target`);
    Ctrl+Space plays from :attr:`cursor`.

    Signals
    -------
    cursor_changed(object)
        The cursor moved (seconds, or None when a recording opened).
    """

    cursor_changed = Signal(object)

    def __init__(self) -> None:
        #: The time last clicked on the spectrogram (seconds), else None.
        self.cursor: float | None = None

    def set_cursor(self, seconds: float | None) -> None:
        """Put the cursor at ``seconds`` (None: no cursor, play from the view's start)."""
        self.cursor = None if seconds is None else float(seconds)
        self.cursor_changed.emit(self.cursor)
