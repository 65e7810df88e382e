"""The playback engine: one span at a time, streamed, with a playhead in recording time.

See :mod:`audioclass_gui.audio.playback` for the PortAudio side and the
contract of a stream factory. Control methods run on the caller's thread
and return quickly: a :class:`~audioclass_gui.audio.feeder.SpanFeeder`
thread reads the span and starts the stream when its first blocks are
ready. Errors after that are reported by :meth:`PlaybackEngine.take_error`.
Pausing, resuming, stopping and the playhead live in
:class:`~audioclass_gui.audio.transport.Transport`; this module sets
playbacks up (spans, buffers, devices).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.playback import (
    OutputDevice,
    PlaybackError,
    StreamSetup,
    default_output_rate,
    list_output_devices,
    playback_status,
    sounddevice_stream,
)
from audioclass_gui.audio.playback_dsp import PlaybackOptions, virtual_rate
from audioclass_gui.audio.ring import Ring
from audioclass_gui.audio.transport import STALL_SECONDS, Transport
from audioclass_gui.audio.voice import Voice, open_stream

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo

__all__ = ["FALLBACK_RATES", "STALL_SECONDS", "PlaybackEngine"]

#: Rates tried, after the device's own, when it refuses the tape rate.
FALLBACK_RATES = (48000, 44100)


class PlaybackEngine(Transport):
    """Plays one span at a time and reports where it is, in recording time.

    Control methods (play, pause, resume, stop, devices) are meant for one
    thread: the app runs them on its playback control thread, never on the
    GUI thread, as they talk to the device. :meth:`position`,
    :meth:`active` and :attr:`frames_sent` may be read from anywhere.

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
        End-of-playback callback; see
        :class:`~audioclass_gui.audio.transport.Transport`, which defines it.
    device
        Name of the chosen output device, or None for the default.
    """

    def __init__(
        self,
        stream_factory: Callable[..., Any] | None = None,
        *,
        device: str | None = None,
    ) -> None:
        super().__init__()
        self._factory = stream_factory or sounddevice_stream
        self._custom = stream_factory is not None
        self._status: tuple[bool, str] | None = None
        self.device = device

    # ---------------------------------------------------------- status
    def _checked_status(self) -> tuple[bool, str]:
        if self._status is None:
            self._status = (
                (True, "Output: custom stream") if self._custom else playback_status()
            )
        return self._status

    @property
    def status_known(self) -> bool:
        """Whether :attr:`available` answers at once (else it loads PortAudio first)."""
        return self._status is not None or self._custom

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
        if rescan:
            self.stop()
            self._status = None
        if self._custom:
            rescanned = getattr(self._factory, "rescan", None)
            if rescan and callable(rescanned):
                rescanned()
            return list(getattr(self._factory, "devices", []))
        if not self.available:
            return []
        return list_output_devices(rescan=rescan)

    def refresh_devices(self) -> list[OutputDevice] | None:
        """Look for outputs plugged in or removed since PortAudio started.

        PortAudio only sees the devices present when it was initialised;
        this re-initialises it, which is only safe while no stream is
        open. It takes a moment (run it off the GUI thread).

        Returns
        -------
        list of OutputDevice or None
            The outputs now, or None when a playback is under way (the
            refresh is not done; ask again once it is over).
        """
        if self._voice is not None:
            if self.active():
                return None
            self.stop()  # an ended playback still holding its stream
        return self.output_devices(rescan=True)

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
            The recording's time-expansion factor. ``start``, ``end`` and
            :meth:`position` stay in the file's own seconds; a time-expanded
            recording plays at its stored rate times ``options.speed``
            (see :func:`virtual_rate`), and the factor is reported in the
            returned setup.

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
        from audioclass_gui.audio.feeder import SpanFeeder, ring_for
        from audioclass_gui.audio.info import read_info

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
        return StreamSetup(
            tape, out_rate, channels, tape / sr, notice, float(time_expansion or 1.0)
        )

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
