"""The playback engine: one span at a time, streamed, with a playhead in recording time.

See :mod:`audioclass_gui.audio.playback` for the PortAudio side and the
contract of a stream factory. Control methods run on the caller's thread
and return at once: a :class:`~audioclass_gui.audio.feeder.SpanFeeder`
thread reads the span and starts the stream when its first blocks are
ready. Errors after that are reported by :meth:`PlaybackEngine.take_error`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.feeder import SpanFeeder, ring_for
from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.audio.playback import (
    OutputDevice,
    PlaybackError,
    StreamSetup,
    default_output_rate,
    explain_stream_error,
    list_output_devices,
    playback_status,
    sounddevice_stream,
)
from audioclass_gui.audio.playback_dsp import PlaybackOptions, virtual_rate
from audioclass_gui.audio.ring import Ring
from audioclass_gui.audio.voice import Voice, open_stream

__all__ = ["FALLBACK_RATES", "STALL_SECONDS", "PlaybackEngine"]

#: Rates tried, after the device's own, when it refuses the tape rate.
FALLBACK_RATES = (48000, 44100)
#: A started stream that takes no audio for this long (s) has failed.
STALL_SECONDS = 3.0


class PlaybackEngine:
    """Plays one span at a time and reports where it is, in recording time.

    Control methods are meant for one thread (the GUI thread);
    :meth:`position` and :meth:`is_playing` may be polled from anywhere.

    Parameters
    ----------
    stream_factory
        Opens an output stream; see :func:`sounddevice_stream` (the
        default) for the contract. A seam for other back ends and tests.
    device
        Name of the output device to use (see :meth:`output_devices`), or
        None for the system default.

    Attributes
    ----------
    on_finished
        Called without arguments from the audio thread when a playback
        reaches its end (not after :meth:`stop`, nor after a failure).
        Keep it trivial: set a flag. Exceptions from it are swallowed.
    device
        Name of the chosen output device, or None for the default.
    """

    def __init__(
        self,
        stream_factory: Callable[..., Any] | None = None,
        *,
        device: str | None = None,
    ) -> None:
        self._factory = stream_factory or sounddevice_stream
        self._custom = stream_factory is not None
        self._status: tuple[bool, str] | None = None
        self._voice: Voice | None = None
        self._lock = threading.Lock()
        self._error: str | None = None
        self.device = device
        self.on_finished: Callable[[], None] | None = None

    # ---------------------------------------------------------- status
    def _checked_status(self) -> tuple[bool, str]:
        if self._status is None:
            self._status = (
                (True, "Output: custom stream") if self._custom else playback_status()
            )
        return self._status

    @property
    def available(self) -> bool:
        """Whether playback can work here (checked once, then cached; never raises)."""
        return self._checked_status()[0]

    @property
    def reason(self) -> str:
        """``"Output: <device>"`` when available, else why playback is unavailable."""
        ok, text = self._checked_status()
        return f"Output: {self.device}" if ok and self.device else text

    def output_devices(self, *, rescan: bool = False) -> list[OutputDevice]:
        """Outputs to choose from ([] when playback is unavailable).

        ``rescan`` stops playback and asks PortAudio to look again.
        """
        if self._custom:
            return list(getattr(self._factory, "devices", []))
        if not self.available:
            return []
        if rescan:
            self.stop()
            self._status = None
        return list_output_devices(rescan=rescan)

    def take_error(self) -> str | None:
        """Why the last playback ended early (device gone, file unreadable), once."""
        error, self._error = self._error, None
        return error

    # ------------------------------------------------------------ play
    def play(
        self, samples: np.ndarray, samplerate: int, *, origin: float = 0.0
    ) -> None:
        """Stop any current playback and play an in-memory buffer.

        Parameters
        ----------
        samples
            1-D (mono) or 2-D ``(frames, channels)`` samples in [-1, 1];
            copied as float32. An empty array plays nothing.
        samplerate
            Frames per second.
        origin
            Recording time in seconds of the first sample.

        Raises
        ------
        PlaybackError
            If playback is unavailable or the stream cannot be opened or started.
        ValueError
            If ``samples`` has more than 2 dimensions or the rate is not positive.
        """
        buffer = np.array(samples, dtype=np.float32, order="C", copy=True)
        if buffer.ndim == 1:
            buffer = buffer[:, np.newaxis]
        if buffer.ndim != 2:
            raise ValueError(
                f"samples must be 1-D or (frames, channels), not shape {buffer.shape}"
            )
        if int(samplerate) != samplerate or samplerate <= 0:
            raise ValueError(
                f"samplerate must be a positive integer, not {samplerate!r}"
            )
        self.stop()
        if not self.available:
            raise PlaybackError(self.reason)
        if buffer.shape[0] == 0 or buffer.shape[1] == 0:
            return
        voice = Voice(int(samplerate), float(origin), buffer.shape[0], 1.0)
        voice.ring = Ring.from_array(buffer)
        voice.marks.add(0, 0)
        counts = (1, 2) if buffer.shape[1] == 1 else (buffer.shape[1],)
        open_stream(
            self._factory,
            voice,
            (int(samplerate),),
            counts,
            lambda: self._stream_finished(voice),
        )
        self._voice = voice
        self._start(voice)
        if voice.error is not None:
            self.stop()
            self._error = None
            raise PlaybackError(voice.error)

    def play_file(
        self,
        path: str | Path,
        start: float,
        end: float,
        *,
        options: PlaybackOptions | None = None,
        channel: int | None = None,
        info: RecordingInfo | None = None,
        time_expansion: float = 1.0,
    ) -> StreamSetup | None:
        """Stop any current playback and stream ``[start, end]`` s of a recording.

        Returns at once: a feeder thread reads the span block by block and
        the stream starts when the first blocks are ready. Errors after
        that (device gone, file unreadable) end the playback and are
        reported by :meth:`take_error`.

        Parameters
        ----------
        path
            The recording.
        start, end
            Span in seconds of recording time; clipped to the file.
        options
            Speed, band, high-pass, gain, normalisation, loop, output rate.
        channel
            Zero-based channel, or None to average all channels.
        info
            Header facts if already known (otherwise read here).
        time_expansion
            The recording's time-expansion factor; recordings already time
            expanded play at their stored rate whatever ``options.speed``.

        Returns
        -------
        StreamSetup or None
            Rates and channels used; None when the span is empty.

        Raises
        ------
        PlaybackError
            If playback is unavailable or no stream could be opened.
        AudioFileError
            If the recording cannot be read or has no such channel.
        """
        options = options or PlaybackOptions()
        self.stop()
        if not self.available:
            raise PlaybackError(self.reason)
        info = info or read_info(path)
        if channel is not None and not 0 <= channel < info.channels:
            raise AudioFileError(
                info.path,
                f"has {info.channels} channel(s); channel {channel + 1} does not exist",
            )
        sr = info.samplerate
        first = max(0, round(start * sr))
        last = min(info.frames, round(end * sr))
        if last <= first:
            return None
        tape = virtual_rate(sr, options.speed, time_expansion)
        notice, device = self._resolve_device()
        if options.output_rate:
            rates: tuple[int, ...] = (int(options.output_rate),)
        else:
            rates = (tape, self._default_rate(device), *FALLBACK_RATES)
        voice = Voice(sr, first / sr, last - first, 1.0)
        out_rate, channels = open_stream(
            self._factory,
            voice,
            rates,
            (1, 2),
            lambda: self._stream_finished(voice),
            device,
        )
        voice.src_per_out = tape / out_rate  # recording frames per output frame
        voice.ring = ring_for(out_rate)
        voice.feeder = SpanFeeder(
            info,
            start_frame=first,
            end_frame=last,
            channel=channel,
            options=options,
            tape_rate=tape,
            out_rate=out_rate,
            ring=voice.ring,
            marks=voice.marks,
            on_ready=lambda: self._start(voice),
        )
        self._voice = voice
        voice.feeder.start()
        return StreamSetup(tape, out_rate, channels, tape / sr, notice)

    # --------------------------------------------------------- internals
    def _resolve_device(self) -> tuple[str | None, int | None]:
        if not self.device:
            return None, None
        for dev in self.output_devices():
            if dev.name == self.device:
                return None, dev.index
        return (
            f"Output device '{self.device}' is not connected; playing on the default output",
            None,
        )

    def _default_rate(self, device: int | None) -> int:
        if self._custom:
            return int(getattr(self._factory, "default_samplerate", FALLBACK_RATES[0]))
        return default_output_rate(device) or FALLBACK_RATES[0]

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
        """Stop ``voice``'s stream and feeder (not under the lock)."""
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
        if (
            voice.feeder is not None
            and voice.feeder.is_alive()
            and voice.feeder is not threading.current_thread()
        ):
            voice.feeder.join(timeout=2.0)

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
    def _poll(self) -> Voice | None:
        """The current voice, after releasing it if it has ended."""
        voice = self._voice
        if voice is None:
            return None
        if not voice.finished and voice.stalled(STALL_SECONDS):
            voice.error = "Playback stopped: the output device stopped taking audio"
            voice.finished = True
        if voice.finished:
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
