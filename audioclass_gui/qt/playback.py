"""Playback for the GUI: reads audio off the GUI thread, polls the playhead."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.audio.playback import PlaybackEngine, PlaybackError
from audioclass_gui.audio.reader import read_window
from audioclass_gui.qt.tasks import TaskRunner

__all__ = ["PlaybackController"]

#: Playhead refresh interval (ms): about display rate.
POLL_MS = 30


class PlaybackController(QObject):
    """Plays spans of the open recording and reports the playhead.

    Signals
    -------
    position_changed(object)
        Recording time (float seconds) being heard, or None when stopped.
    message(str)
        Something the user should know (e.g. playback unavailable).
    """

    position_changed = Signal(object)
    message = Signal(str)

    def __init__(self, runner: TaskRunner, engine: PlaybackEngine | None = None, parent=None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.engine = engine or PlaybackEngine()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._request = 0

    @property
    def available(self) -> bool:
        """Whether audio can be played on this machine."""
        return self.engine.available

    @property
    def reason(self) -> str:
        """Why playback is (un)available, in words."""
        return self.engine.reason

    def play_span(self, info: RecordingInfo, start: float, end: float, channel: int | None = None) -> None:
        """Play ``[start, end]`` seconds of the recording."""
        if not self.engine.available:
            self.message.emit(self.engine.reason)
            return
        self.stop()
        self._request += 1
        request = self._request
        start = max(0.0, start)
        end = min(info.duration, end)

        def read():
            return read_window(info.path, start, end, channel=channel, info=info)

        def ready(samples) -> None:
            if request != self._request:
                return  # another play or a stop came first
            try:
                self.engine.play(samples, info.samplerate, origin=start)
            except PlaybackError as exc:
                self.message.emit(str(exc))
                return
            self._timer.start()

        self._runner.submit(read, ready, lambda exc: self.message.emit(str(exc)))

    def stop(self) -> None:
        """Stop playback and hide the playhead."""
        self._request += 1
        self.engine.stop()
        self._timer.stop()
        self.position_changed.emit(None)

    def is_playing(self) -> bool:
        """Whether audio is being played."""
        return self.engine.is_playing()

    def _poll(self) -> None:
        if not self.engine.is_playing():
            self._timer.stop()
            self.position_changed.emit(None)
            return
        self.position_changed.emit(self.engine.position())
