"""Playback for the GUI: starts, pauses and seeks spans, polls the playhead.

Everything that talks to the output device (opening, starting, pausing,
stopping a stream, listing and re-initialising devices) runs on one
playback control thread, in the order it was asked for, so the GUI
thread never waits on the device; the engine's feeder thread reads the
disk. The GUI keeps the transport state itself (it changes at once when
the user presses a key) and a precise timer polls the engine's position,
a lock-free read, at display rate.

Times here are real recording times, the times on the app's axes: for a
time-expanded recording (``time_expansion`` other than 1) they are the
file's own seconds divided by the factor.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.playback import PlaybackEngine, PlaybackError, StreamSetup
from audioclass_gui.audio.playback_dsp import PlaybackOptions
from audioclass_gui.qt.common.tasks import TaskRunner
from audioclass_gui.qt.playback.playback_transport import POLL_MS, TransportState
from audioclass_gui.qt.playback.playback_units import follow_range, in_file_units

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo

__all__ = ["POLL_MS", "PlaybackController", "follow_range", "in_file_units"]

log = logging.getLogger(__name__)

#: How long closing the window waits for the stream to be stopped (s).
CLOSE_WAIT = 2.0


class PlaybackController(TransportState):
    """Plays spans of the open recording and reports the playhead.

    Parameters
    ----------
    runner
        The window's task runner (kept for compatibility; device work runs
        on the controller's own control thread).
    engine
        The playback engine (a default one if None).

    Attributes
    ----------
    options
        Speed, filters, gain and loop used by the next play call.

    Notes
    -----
    The signals (``position_changed``, ``state_changed``, ``started``,
    ``finished``, ``message``, ``devices_changed``) and the ``engine``,
    ``setup`` and ``outputs`` attributes are those of the base class,
    :class:`~audioclass_gui.qt.playback.playback_transport.TransportState`, which
    defines and documents them.
    """

    def __init__(
        self, runner: TaskRunner, engine: PlaybackEngine | None = None, parent=None
    ) -> None:
        super().__init__(engine or PlaybackEngine(), parent)
        self._runner = runner
        self.options = PlaybackOptions()

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
        """Play ``[start, end]`` real seconds of the recording; True if asked to start.

        The stream opens on the control thread: :attr:`state` is
        ``"playing"`` at once, :attr:`started` follows when the stream is
        open, and a failure comes back as :attr:`message` (state back to
        ``"stopped"``).

        Parameters
        ----------
        info
            The recording.
        start, end
            Span in real recording time (the app's axis).
        channel
            Zero-based channel, or None for the mix of all channels.
        options
            Overrides :attr:`options` for this playback (e.g. the band of
            the selected box).
        time_expansion
            The recording's time-expansion factor: real times are file
            times divided by it.
        """
        if not self.engine.available:
            self.message.emit(self.engine.reason)
            return False
        expansion = float(time_expansion or 1.0)
        if expansion <= 0:
            expansion = 1.0
        real_duration = info.duration / expansion
        start, end = max(0.0, start), min(real_duration, end)
        if end <= start:
            return False
        opts = in_file_units(options or self.options, expansion)
        self._generation += 1
        generation = self._generation
        self._info, self._span, self._expansion = info, (start, end), expansion
        self._heard = start
        self._play_args = {
            "channel": channel,
            "options": options,
            "time_expansion": expansion,
        }
        self._ending = False
        engine = self.engine

        def job() -> StreamSetup | None:
            return engine.play_file(
                info.path,
                start * expansion,
                end * expansion,
                options=opts,
                channel=channel,
                info=info,
                time_expansion=expansion,
            )

        self._submit(
            job,
            lambda setup: self._on_opened(generation, setup),
            lambda exc: self._on_play_failed(generation, exc),
        )
        self._set_state("playing")
        self._timer.start()
        return True

    def _on_opened(self, generation: int, setup: StreamSetup | None) -> None:
        if generation != self._generation:
            return
        if setup is None:
            self._set_stopped()
            return
        self.setup = setup
        if setup.notice:
            self.message.emit(setup.notice)
        self.started.emit(setup)

    def _on_play_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._set_stopped()
        if isinstance(exc, (PlaybackError, AudioFileError, ValueError)):
            self.message.emit(str(exc))
        else:
            log.warning("playback failed", exc_info=exc)
            self.message.emit(f"Playback failed: {exc}")
        self._after_device_error()

    def seek(self, seconds: float) -> bool:
        """Go on playing from ``seconds``: to the end of the span if inside it, else of the recording."""
        info, span = self._info, self.span
        if info is None or span is None:
            return False
        duration = info.duration / self._expansion
        end = span[1] if span[0] <= seconds < span[1] else duration
        paused = self._state == "paused"
        started = self.play_span(info, seconds, end, **self._play_args)
        if started and paused:
            self.pause()
        return started

    def restart(self, options: PlaybackOptions | None = None, **changes: Any) -> bool:
        """Apply new options to what is playing, going on from where it is heard.

        A loop starts again from the beginning of its span. ``changes``
        may give a new ``channel``.
        """
        info, span, pos = self._info, self.span, self.position()
        if info is None or span is None:
            return False
        if pos is None:
            pos = span[0]
        args = dict(self._play_args)
        args.update(changes)
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
        if self._state != "playing":
            return False
        self._set_state("paused")
        generation = self._generation
        self._submit(self.engine.pause, lambda _ok: self._on_paused(generation))
        return True

    def _on_paused(self, generation: int) -> None:
        if generation == self._generation and self._state == "paused":
            self.position_changed.emit(self.position())

    def resume(self) -> bool:
        """Go on after a pause."""
        if self._state != "paused":
            return False
        generation = self._generation

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._set_stopped()
                self.message.emit(str(exc))
                self._after_device_error()

        self._submit(self.engine.resume, None, failed)
        self._set_state("playing")
        self._timer.start()
        return True

    def toggle_pause(self) -> bool:
        """Pause when playing, resume when paused; False when stopped."""
        if self._state == "playing":
            return self.pause()
        if self._state == "paused":
            return self.resume()
        return False

    def stop(self) -> None:
        """Stop playback and hide the playhead (the stream stops on the control thread)."""
        self._generation += 1
        self._submit(self.engine.stop, lambda _r: self._after_stop())
        self._set_stopped()

    def close(self) -> None:
        """Stop, wait a moment for the stream to be released, end the control thread."""
        self._generation += 1
        self._timer.stop()
        self._control.close(self.engine.stop, CLOSE_WAIT)
        self._set_state("stopped")
