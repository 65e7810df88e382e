"""The engine's transport: one voice at a time, started, paused, stopped and polled.

:class:`Transport` holds the current :class:`~audioclass_gui.audio.voice.Voice`
and does everything that happens to it after it has been set up:
starting its stream once the feeder has filled the ring, pausing and
resuming on the sample being heard, stopping, noticing the end (or a
device that stopped taking audio) and reporting the playhead.
:class:`~audioclass_gui.audio.engine.PlaybackEngine` adds opening spans
and devices on top. No Qt, and no direct sounddevice use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from audioclass_gui.audio.playback import PlaybackError, explain_stream_error
from audioclass_gui.audio.voice import Voice

__all__ = ["STALL_SECONDS", "Transport"]

#: A started stream that takes no audio for this long (s) has failed.
STALL_SECONDS = 3.0


class Transport:
    """Start, pause, resume, stop and poll the current voice.

    Control methods are meant for one thread; :meth:`position`,
    :meth:`frames_sent` and :meth:`active` may be read from anywhere.

    Attributes
    ----------
    on_finished
        Called without arguments from the audio thread when a playback
        reaches its end (not after :meth:`stop`, nor after a failure).
        Keep it trivial: set a flag. Exceptions from it are swallowed.
    """

    def __init__(self) -> None:
        self._voice: Voice | None = None
        self._lock = threading.Lock()
        self._error: str | None = None
        self.on_finished: Callable[[], None] | None = None

    def take_error(self) -> str | None:
        """Why the last playback ended early (device gone, file unreadable), once."""
        error, self._error = self._error, None
        return error

    # --------------------------------------------------------- internals
    def _start(self, voice: Voice) -> None:
        """The ring holds its first fill: start the stream (any thread)."""
        with self._lock:
            if self._voice is not voice or voice.cancelled:
                return
            voice.ready = True
            if voice.paused or voice.started:
                return
            self._start_locked(voice)

    def _start_locked(self, voice: Voice) -> None:
        try:
            voice.stream.start()
        except Exception as exc:
            voice.error = explain_stream_error(exc, "started")
            voice.finished = True
            return
        voice.mark_started()

    def _stream_finished(self, voice: Voice) -> None:
        """The stream became inactive (audio thread, or inside abort())."""
        if voice.paused or voice.cancelled:
            return
        ring = voice.ring
        if ring is not None and not ring.reached_end:
            voice.error = (
                "Playback stopped: the output device stopped working "
                "(unplugged, or taken by another program?)"
            )
        voice.finished = True
        callback = self.on_finished
        if voice.error is None and callback is not None:
            try:
                callback()
            except Exception:
                pass

    def _release(self, voice: Voice) -> None:
        """Stop ``voice``'s stream and feeder (not under the lock).

        The feeder is told to stop and left to end on its own at its next
        block: waiting for it could mean waiting on a slow disk.
        """
        voice.cancelled = True
        if voice.feeder is not None:
            voice.feeder.cancelled = True
        stream = voice.stream
        if stream is not None:
            try:
                stream.abort()
            except Exception:
                pass  # a stream whose device has gone cannot be aborted
            try:
                stream.close()
            except Exception:
                pass

    # ------------------------------------------------------------ control
    def stop(self) -> None:
        """Stop playing at once (pending device buffers are dropped). Idempotent."""
        with self._lock:
            voice, self._voice = self._voice, None
        if voice is not None:
            self._release(voice)

    def close(self) -> None:
        """Stop and release the stream (same as :meth:`stop`)."""
        self.stop()

    def pause(self) -> bool:
        """Pause; :meth:`resume` goes on from the sample being heard. Returns True if paused."""
        with self._lock:
            voice = self._voice
            if voice is None or voice.paused or voice.finished:
                return False
            voice.paused = True
            if voice.started:
                try:
                    voice.stream.abort()
                except Exception:
                    pass
                voice.started = False
                ring = voice.ring
                assert ring is not None
                ring.rewind(min(voice.latency_frames, ring.read - voice.resume_mark))
                voice.resume_mark = ring.read
            return True

    def resume(self) -> bool:
        """Go on after :meth:`pause`. Returns True if playing again (or about to).

        Raises
        ------
        PlaybackError
            If the stream cannot be restarted (the playback is then over).
        """
        with self._lock:
            voice = self._voice
            if voice is None or not voice.paused:
                return False
            voice.paused = False
            if voice.ready:
                self._start_locked(voice)
            error = voice.error
        if error is not None:
            self.stop()
            raise PlaybackError(error)
        return True

    # ----------------------------------------------------------- polling
    def _ended(self, voice: Voice) -> bool:
        """Whether ``voice`` has ended (noting a stalled device as a failure)."""
        if not voice.finished and voice.stalled(STALL_SECONDS):
            voice.error = "Playback stopped: the output device stopped taking audio"
            voice.finished = True
        return voice.finished

    def _poll(self) -> Voice | None:
        """The current voice, after releasing it if it has ended."""
        voice = self._voice
        if voice is None:
            return None
        if self._ended(voice):
            error = voice.error or (
                voice.feeder.error if voice.feeder is not None else None
            )
            with self._lock:
                if self._voice is voice:
                    self._voice = None
                else:
                    voice = None
            if voice is not None:
                self._error = error
                self._release(voice)
            return None
        return voice

    def active(self) -> bool:
        """Whether a playback is under way (playing, paused or starting).

        Unlike :meth:`is_playing` it never touches the device (it releases
        nothing), so any thread may ask, as often as it likes. A device
        that stopped taking audio for :data:`STALL_SECONDS` ends it.
        """
        voice = self._voice
        return voice is not None and not self._ended(voice)

    def is_playing(self) -> bool:
        """True from a play call until the end, :meth:`stop` or a failure; False while paused.

        Polling it also releases the stream of a playback that has ended.
        """
        voice = self._poll()
        return voice is not None and not voice.paused

    def is_paused(self) -> bool:
        """Whether a playback is paused."""
        voice = self._poll()
        return voice is not None and voice.paused

    def position(self) -> float | None:
        """Recording time (s) of the sample being heard now, or None when idle.

        The callback's frame counter, less the output latency the stream
        reported when it opened, mapped back to the recording's frames (at
        any speed, through loops and after a pause), so the playhead
        follows the sound rather than the buffer.
        """
        voice = self._voice
        if voice is None or voice.finished or voice.ring is None:
            return None
        return voice.position()

    @property
    def frames_sent(self) -> int:
        """Frames handed to the device by the current playback (0 when idle)."""
        voice = self._voice
        return 0 if voice is None or voice.ring is None else voice.ring.read

    @property
    def underrun_frames(self) -> int:
        """Silent frames inserted because the feeder was late (0 when idle)."""
        voice = self._voice
        return 0 if voice is None or voice.ring is None else voice.ring.underrun_frames

    @property
    def latency(self) -> float:
        """Output latency (s) subtracted by :meth:`position` (0 when idle)."""
        voice = self._voice
        return 0.0 if voice is None else voice.latency_frames / voice.out_rate
