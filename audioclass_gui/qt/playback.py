"""Playback for the GUI: starts, pauses and seeks spans, polls the playhead.

The engine streams from disk in its own feeder thread and the stream runs
in PortAudio's thread, so nothing here blocks the GUI thread for long: a
play call opens a stream and returns. A precise timer polls the engine's
position at display rate.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.audio.playback import PlaybackEngine, PlaybackError, StreamSetup
from audioclass_gui.audio.playback_dsp import PlaybackOptions
from audioclass_gui.qt.tasks import TaskRunner

__all__ = ["POLL_MS", "PlaybackController", "follow_range"]

#: Playhead refresh interval (ms): display rate.
POLL_MS = 16


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


class PlaybackController(QObject):
    """Plays spans of the open recording and reports the playhead.

    Parameters
    ----------
    runner
        The window's task runner (kept for blocking work; the engine does
        its own reading).
    engine
        The playback engine (a default one if None).

    Attributes
    ----------
    options
        Speed, filters, gain and loop used by the next play call.

    Signals
    -------
    position_changed(object)
        Recording time (float seconds) being heard, or None when stopped.
    state_changed(str)
        ``"playing"``, ``"paused"`` or ``"stopped"``.
    started(object)
        The :class:`StreamSetup` of a playback that has just started.
    finished()
        A playback reached its end (not after stop, nor after a failure).
    message(str)
        Something the user should know (playback unavailable, device gone).
    """

    position_changed = Signal(object)
    state_changed = Signal(str)
    started = Signal(object)
    finished = Signal()
    message = Signal(str)

    def __init__(
        self, runner: TaskRunner, engine: PlaybackEngine | None = None, parent=None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.engine = engine or PlaybackEngine()
        self.options = PlaybackOptions()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._state = "stopped"
        self._info: RecordingInfo | None = None
        self._span: tuple[float, float] | None = None
        self._play_args: dict = {}
        self.setup: StreamSetup | None = None

    # ------------------------------------------------------------ facts
    @property
    def available(self) -> bool:
        """Whether audio can be played on this machine."""
        return self.engine.available

    @property
    def reason(self) -> str:
        """Why playback is (un)available, in words."""
        return self.engine.reason

    @property
    def state(self) -> str:
        """``"playing"``, ``"paused"`` or ``"stopped"``."""
        return self._state

    @property
    def span(self) -> tuple[float, float] | None:
        """The span being played (seconds), or None."""
        return self._span if self._state != "stopped" else None

    def is_playing(self) -> bool:
        """Whether audio is being played (False while paused)."""
        return self.engine.is_playing()

    def position(self) -> float | None:
        """Recording time being heard, or None."""
        return self.engine.position()

    # ---------------------------------------------------------- control
    def play_span(
        self,
        info: RecordingInfo,
        start: float,
        end: float,
        channel: int | None = None,
        *,
        options: PlaybackOptions | None = None,
        time_expansion: float = 1.0,
    ) -> bool:
        """Play ``[start, end]`` seconds of the recording; True if it started.

        ``options`` overrides :attr:`options` for this playback (e.g. the
        band of the selected box).
        """
        if not self.engine.available:
            self.message.emit(self.engine.reason)
            return False
        start, end = max(0.0, start), min(info.duration, end)
        opts = options or self.options
        try:
            setup = self.engine.play_file(
                info.path,
                start,
                end,
                options=opts,
                channel=channel,
                info=info,
                time_expansion=time_expansion,
            )
        except (PlaybackError, AudioFileError, ValueError) as exc:
            self._set_stopped()
            self.message.emit(str(exc))
            return False
        if setup is None:
            self._set_stopped()
            return False
        self._info, self._span, self.setup = info, (start, end), setup
        self._play_args = {
            "channel": channel,
            "options": options,
            "time_expansion": time_expansion,
        }
        if setup.notice:
            self.message.emit(setup.notice)
        self._timer.start()
        self._set_state("playing")
        self.started.emit(setup)
        return True

    def seek(self, seconds: float) -> bool:
        """Go on playing from ``seconds``: to the end of the span if inside it, else of the recording."""
        info, span = self._info, self.span
        if info is None or span is None:
            return False
        end = span[1] if span[0] <= seconds < span[1] else info.duration
        paused = self._state == "paused"
        started = self.play_span(info, seconds, end, **self._play_args)
        if started and paused:
            self.pause()
        return started

    def restart(self, options: PlaybackOptions | None = None) -> bool:
        """Apply new options to what is playing, going on from where it is heard.

        A loop starts again from the beginning of its span.
        """
        info, span, pos = self._info, self.span, self.engine.position()
        if info is None or span is None or pos is None:
            return False
        args = dict(self._play_args)
        if options is not None:
            args["options"] = options
        opts = args.get("options") or self.options
        start = span[0] if opts.loop else pos
        paused = self._state == "paused"
        ok = self.play_span(info, start, span[1], **args)
        if ok:
            self._span = span  # keep the whole span for seeks and loops
            if paused:
                self.pause()
        return ok

    def pause(self) -> bool:
        """Pause (the playhead stays where the sound stopped)."""
        if self.engine.pause():
            self._set_state("paused")
            self.position_changed.emit(self.engine.position())
            return True
        return False

    def resume(self) -> bool:
        """Go on after a pause."""
        try:
            ok = self.engine.resume()
        except PlaybackError as exc:
            self._set_stopped()
            self.message.emit(str(exc))
            return False
        if ok:
            self._set_state("playing")
            self._timer.start()
        return ok

    def toggle_pause(self) -> bool:
        """Pause when playing, resume when paused; False when stopped."""
        if self._state == "playing" and self.engine.is_playing():
            return self.pause()
        if self._state == "paused":
            return self.resume()
        return False

    def stop(self) -> None:
        """Stop playback and hide the playhead."""
        self.engine.stop()
        self._set_stopped()

    # ---------------------------------------------------------- internal
    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    def _set_stopped(self) -> None:
        self._timer.stop()
        self.setup = None
        self.position_changed.emit(None)
        self._set_state("stopped")

    def _poll(self) -> None:
        if self.engine.is_paused():
            return
        if not self.engine.is_playing():
            error = self.engine.take_error()
            self._set_stopped()
            if error:
                self.message.emit(error)
            else:
                self.finished.emit()
            return
        self.position_changed.emit(self.engine.position())
