"""What the window plays: the selected box or detection, the view, from a click.

Joins the spectrogram, the review and the Playback panel to the window's
:class:`~audioclass_gui.qt.playback.playback.PlaybackController`. Space plays the box or
detection chosen last (with the panel's context and the box's band), pauses and
resumes; Shift+Space plays the visible range; Ctrl+Space plays from the time
last clicked. The view follows the playhead when asked, a click seeks while
playing, and a verdict can play the next detection.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from audioclass_gui.qt.playback.playback_units import follow_range

if TYPE_CHECKING:
    from audioclass_gui.app import AppModel
    from audioclass_gui.app.event_review import EventSpan
    from audioclass_gui.app.playback_state import PlayClip
    from audioclass_gui.audio.info import RecordingInfo
    from audioclass_gui.audio.playback_dsp import PlaybackOptions
    from audioclass_gui.qt.playback.playback import PlaybackController
    from audioclass_gui.qt.playback.playback_bar import PlaybackBar
    from audioclass_gui.qt.review.detection_table import DetectionTable
    from audioclass_gui.qt.review.overlays import DetectionOverlay
    from audioclass_gui.qt.review.review_controller import ReviewController
    from audioclass_gui.qt.spectrogram.spectrogram_settings import (
        SpectrogramSettingsPanel,
    )
    from audioclass_gui.qt.spectrogram.spectrogram_view import SpectrogramView
    from audioclass_gui.qt.spectrogram.timeline import TimelineStrip
    from audioclass_gui.review import Detection
    from audioclass_gui.review.detection import Box

__all__ = ["PlaybackGlue", "PlaybackParts"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlaybackParts:
    """What playback is joined to: the views it follows and the controls that drive it."""

    playback: PlaybackController
    bar: PlaybackBar
    view: SpectrogramView
    timeline: TimelineStrip
    overlay: DetectionOverlay
    table: DetectionTable
    spectrogram_settings: SpectrogramSettingsPanel
    review: ReviewController


class PlaybackGlue(QObject):
    """The window's play actions and what follows playback.

    Parameters
    ----------
    app : AppModel
        The app model: the open recording and the review's selection.
    parts : PlaybackParts
        The widgets and controllers the glue joins; it connects their
        signals when made.
    """

    def __init__(self, app: AppModel, parts: PlaybackParts, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.parts = parts
        playback, bar, view = parts.playback, parts.bar, parts.view
        view.time_clicked.connect(self._on_time_clicked)
        parts.overlay.clicked.connect(lambda _id: self.play_selected())
        parts.table.detection_activated.connect(lambda _id: self.play_selected())
        playback.position_changed.connect(self._show_playhead)
        playback.message.connect(lambda msg: app.messages.say(msg, 8000))
        playback.position_changed.connect(self._follow_playhead)
        bar.play_requested.connect(self.toggle_play)
        bar.stop_requested.connect(playback.stop)
        bar.options_changed.connect(
            lambda: playback.restart(self.play_options(), channel=self.play_channel())
        )
        app.recording_opened.connect(lambda _info: app.playback.set_cursor(None))
        parts.spectrogram_settings.params_changed.connect(self._on_display_channel)
        app.recording_opened.connect(lambda info: bar.set_channels(info.channels))
        app.recording_opened.connect(lambda _info: bar.set_time_format(view.time_format))
        parts.review.verdict_given.connect(self._autoplay)
        app.playback.clip_requested.connect(self.play_clip)
        #: The clip of another recording being played (see :meth:`play_clip`), else None.
        self._clip: PlayClip | None = None
        self._clip_info: RecordingInfo | None = None

    # ------------------------------------------------------------- targets
    @property
    def cursor(self) -> float | None:
        """The time last clicked (the app model's playback cursor), else None."""
        return self.app.playback.cursor

    def play_target(self) -> Box | Detection | EventSpan | None:
        """What Space plays (the app model's :meth:`~audioclass_gui.app.model.AppModel.play_target`)."""
        return self.app.play_target()

    def play_options(self) -> PlaybackOptions:
        """Playback options from the bar, with the band of the selected box or detection."""
        d = self._clip or self.play_target()
        band = None if d is None else (d.low_freq, d.high_freq)
        return self.parts.bar.settings.options(band)

    def play_channel(self) -> int | None:
        """The channel to play (what the spectrogram shows unless chosen in the bar)."""
        return self._channel_in(self._clip_info if self._clip is not None else self.app.document.info)

    def _channel_in(self, info: RecordingInfo | None) -> int | None:
        channels = info.channels if info is not None else 1
        displayed = self.parts.spectrogram_settings.params().channel
        return self.parts.bar.settings.channel_for(displayed, channels)

    # --------------------------------------------------------------- play
    def play(self, start: float, end: float) -> None:
        """Play a span of real (axis) time; a failure is reported, never raised."""
        info = self.app.document.info
        if info is None:
            return
        self._clip = None
        self._play_in(info, start, end)

    def _play_in(self, info: RecordingInfo, start: float, end: float) -> None:
        try:
            expansion = float(info.metadata.time_expansion or 1.0)
            self.parts.playback.play_span(
                info,
                start,
                end,
                self._channel_in(info),
                options=self.play_options(),
                time_expansion=expansion,
            )
        except Exception as exc:  # the window outlives any playback problem
            log.exception("playback")
            self.app.messages.say(f"Playback failed: {exc}", 8000)

    def play_selected(self) -> None:
        """Play the selected box or detection with the context set in the Playback panel."""
        d = self.play_target()
        if d is not None:
            context = self.parts.bar.context
            self.play(d.start - context, d.end + context)

    def play_visible(self) -> None:
        """Play the time range the spectrogram shows."""
        self.play(*self.parts.view.visible_range())

    def play_from_cursor(self) -> None:
        """Play from the time last clicked (else the left edge of the view) to the end."""
        view = self.parts.view
        if self.app.document.info is not None:
            start = self.cursor if self.cursor is not None else view.visible_range()[0]
            self.play(start, view.duration)

    def toggle_play(self) -> None:
        """Pause when playing, resume when paused, else play the selected box or detection."""
        if not self.parts.playback.toggle_pause():
            self.play_selected()

    def play_clip(self, clip: PlayClip) -> None:
        """Play a span of any recording (e.g. a reference example) with the panel's context.

        The recording's header is read in the task runner; a file that
        cannot be read is said in the status bar. While a recording other
        than the one shown plays, the playhead is not drawn on the view.
        """
        from audioclass_gui.audio.info import read_info

        context = self.parts.bar.context
        start, end = clip.start - context, clip.end + context

        def play(info: RecordingInfo) -> None:
            shown = self.app.document.info
            same = shown is not None and Path(shown.path).absolute() == Path(info.path).absolute()
            self._clip, self._clip_info = (None, None) if same else (clip, info)
            self._play_in(info, start, end)

        self.app.tasks.submit(
            lambda: read_info(clip.path),
            play,
            lambda exc: self.app.messages.say(
                f"Cannot play {Path(clip.path).name}: {getattr(exc, 'problem', exc)}", 8000
            ),
        )

    # ------------------------------------------------------------ follow
    def _on_display_channel(self, _params: object) -> None:
        playback = self.parts.playback
        if playback.state != "stopped" and self.play_channel() != playback.channel:
            playback.restart(channel=self.play_channel())

    def _on_time_clicked(self, seconds: float) -> None:
        self.app.playback.set_cursor(seconds)
        playback = self.parts.playback
        if self.app.document.info is not None and playback.state != "stopped" and self._clip is None:
            playback.seek(seconds)

    def _show_playhead(self, seconds: float | None) -> None:
        """The playhead on the view and timeline, unless another recording plays."""
        shown = None if self._clip is not None else seconds
        self.parts.view.set_playhead(shown)
        self.parts.timeline.set_playhead(shown)

    def _follow_playhead(self, seconds: float | None) -> None:
        if (
            self._clip is None
            and seconds is not None
            and self.app.document.info is not None
            and self.parts.bar.follow
        ):
            view = self.parts.view
            new = follow_range(view.visible_range(), seconds, view.duration)
            if new is not None:
                view.set_visible_range(*new)

    def _autoplay(self, judged_id: int) -> None:
        d = self.parts.review.selected
        if self.parts.bar.autoplay and d is not None and d.id != judged_id:
            self.play_selected()
