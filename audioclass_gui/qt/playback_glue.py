"""What the window plays: the selected box or detection, the view, from a click.

Joins the spectrogram, the review and the Playback panel to the window's
:class:`~audioclass_gui.qt.playback.PlaybackController`. Space plays the box or
detection chosen last (with the panel's context and the box's band), pauses and
resumes; Shift+Space plays the visible range; Ctrl+Space plays from the time
last clicked. The view follows the playhead when asked, a click seeks while
playing, and a verdict can play the next detection.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from audioclass_gui.qt.playback_units import follow_range

if TYPE_CHECKING:
    from audioclass_gui.audio.playback_dsp import PlaybackOptions
    from audioclass_gui.qt.main_window import MainWindow
    from audioclass_gui.review import Detection
    from audioclass_gui.review.detection import Box

__all__ = ["PlaybackGlue"]

log = logging.getLogger(__name__)


class PlaybackGlue(QObject):
    """The window's play actions and what follows playback.

    Parameters
    ----------
    window : MainWindow
        The window; its views, review, Playback panel and playback controller
        must exist. The glue connects their signals when made.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        #: Last time clicked on the spectrogram (seconds), else None.
        self.cursor: float | None = None
        #: The box selected when a detection was last chosen (Space plays that detection).
        self._box_at_detection: str | None = None
        playback, bar = window.playback, window.playback_bar
        window.view.time_clicked.connect(self._on_time_clicked)
        window.overlay.clicked.connect(lambda _id: self.play_selected())
        window.table.detection_activated.connect(lambda _id: self.play_selected())
        playback.position_changed.connect(window.view.set_playhead)
        playback.position_changed.connect(window.timeline.set_playhead)
        playback.message.connect(lambda msg: window.statusBar().showMessage(msg, 8000))
        playback.position_changed.connect(self._follow_playhead)
        bar.play_requested.connect(self.toggle_play)
        bar.stop_requested.connect(playback.stop)
        bar.options_changed.connect(
            lambda: playback.restart(self.play_options(), channel=self.play_channel())
        )
        window.review.selection_changed.connect(self._note_detection_selected)
        window.spectrogram_settings.params_changed.connect(self._on_display_channel)
        window.app.recording_opened.connect(lambda info: bar.set_channels(info.channels))
        window.app.recording_opened.connect(lambda _info: bar.set_time_format(window.view.time_format))
        window.review.verdict_given.connect(self._autoplay)

    # ------------------------------------------------------------- targets
    def _selected_box(self) -> Box | None:
        """The drawn box selected since the detection was (else None): Space plays it."""
        window = self.window
        boxes = getattr(window, "boxes", None)
        box_id = boxes.selected if boxes is not None else None
        if box_id is None or box_id == self._box_at_detection or window.session is None:
            return None
        return window.session.box(box_id)

    def _note_detection_selected(self, detection_id: object) -> None:
        boxes = getattr(self.window, "boxes", None)
        if detection_id is not None:  # a detection was chosen: it is played from now on
            self._box_at_detection = boxes.selected if boxes is not None else None

    def play_target(self) -> Box | Detection | None:
        """What Space plays: the selected box if chosen last, else the selected detection."""
        box = self._selected_box()
        return box if box is not None else self.window.review.selected

    def play_options(self) -> PlaybackOptions:
        """Playback options from the bar, with the band of the selected box or detection."""
        d = self.play_target()
        band = None if d is None else (d.low_freq, d.high_freq)
        return self.window.playback_bar.settings.options(band)

    def play_channel(self) -> int | None:
        """The channel to play (what the spectrogram shows unless chosen in the bar)."""
        window = self.window
        channels = window.info.channels if window.info is not None else 1
        displayed = window.spectrogram_settings.params().channel
        return window.playback_bar.settings.channel_for(displayed, channels)

    # --------------------------------------------------------------- play
    def play(self, start: float, end: float) -> None:
        """Play a span of real (axis) time; a failure is reported, never raised."""
        window = self.window
        if window.info is None:
            return
        try:
            expansion = float(window.info.metadata.time_expansion or 1.0)
            window.playback.play_span(
                window.info,
                start,
                end,
                self.play_channel(),
                options=self.play_options(),
                time_expansion=expansion,
            )
        except Exception as exc:  # the window outlives any playback problem
            log.exception("playback")
            window.statusBar().showMessage(f"Playback failed: {exc}", 8000)

    def play_selected(self) -> None:
        """Play the selected box or detection with the context set in the Playback panel."""
        d = self.play_target()
        if d is not None:
            context = self.window.playback_bar.context
            self.play(d.start - context, d.end + context)

    def play_visible(self) -> None:
        """Play the time range the spectrogram shows."""
        self.play(*self.window.view.visible_range())

    def play_from_cursor(self) -> None:
        """Play from the time last clicked (else the left edge of the view) to the end."""
        view = self.window.view
        if self.window.info is not None:
            start = self.cursor if self.cursor is not None else view.visible_range()[0]
            self.play(start, view.duration)

    def toggle_play(self) -> None:
        """Pause when playing, resume when paused, else play the selected box or detection."""
        if not self.window.playback.toggle_pause():
            self.play_selected()

    # ------------------------------------------------------------ follow
    def _on_display_channel(self, _params: object) -> None:
        playback = self.window.playback
        if playback.state != "stopped" and self.play_channel() != playback.channel:
            playback.restart(channel=self.play_channel())

    def _on_time_clicked(self, seconds: float) -> None:
        self.cursor = seconds
        if self.window.info is not None and self.window.playback.state != "stopped":
            self.window.playback.seek(seconds)

    def _follow_playhead(self, seconds: float | None) -> None:
        window = self.window
        if (
            seconds is not None
            and window.info is not None
            and window.playback_bar.follow
        ):
            view = window.view
            new = follow_range(view.visible_range(), seconds, view.duration)
            if new is not None:
                view.set_visible_range(*new)

    def _autoplay(self, judged_id: int) -> None:
        d = self.window.review.selected
        if self.window.playback_bar.autoplay and d is not None and d.id != judged_id:
            self.play_selected()
