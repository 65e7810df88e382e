"""Playback engine: plays a prepared buffer through PortAudio, without Qt.

``sounddevice`` is imported lazily, only when a status check or a stream
needs it, so the app starts (and says why playback is unavailable) on a
machine without the PortAudio library.

The audio callback copies from the prepared buffer into the device buffer
and advances an integer frame counter: no I/O, no locks, no buffer
allocation. The GUI polls :meth:`PlaybackEngine.position` (with a timer)
to draw the playhead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

__all__ = [
    "PlaybackEngine",
    "PlaybackError",
    "playback_status",
    "sounddevice_stream",
]

_NO_PORTAUDIO = (
    "Playback unavailable: PortAudio library not found (install libportaudio2)"
)


class PlaybackError(Exception):
    """Playback cannot start; the message says why, in words for the user."""


def _import_sounddevice() -> ModuleType:
    """Import sounddevice on demand (it loads PortAudio when imported)."""
    import sounddevice

    return sounddevice


def playback_status() -> tuple[bool, str]:
    """Whether audio can be played here, and a sentence saying so.

    Returns
    -------
    tuple of (bool, str)
        ``(True, "Output: <device name>")``, or ``(False, reason)`` where
        the reason starts with ``"Playback unavailable: "`` and names the
        missing piece (PortAudio library, sounddevice package, output
        device). Never raises.
    """
    try:
        sd = _import_sounddevice()
    except ImportError:
        return False, "Playback unavailable: the sounddevice package is not installed"
    except OSError as exc:
        if "PortAudio library not found" in str(exc):
            return False, _NO_PORTAUDIO
        return (
            False,
            f"Playback unavailable: the PortAudio library could not be loaded ({exc})",
        )
    except Exception as exc:  # a broken install must not stop the app
        return False, f"Playback unavailable: sounddevice could not be loaded ({exc})"
    try:
        device = sd.query_devices(kind="output")
    except Exception:
        return False, "Playback unavailable: no audio output device"
    return True, f"Output: {device['name']}"


def sounddevice_stream(
    *,
    samplerate: int,
    channels: int,
    fill: Callable[[np.ndarray, int], bool],
    finished: Callable[[], None],
) -> Any:
    """Open (not start) a ``sounddevice.OutputStream`` driven by ``fill``.

    This is the engine's default stream factory and the only place that
    opens a stream. Any other factory must accept the same keyword
    arguments and return an object with ``start()``, ``abort()`` and
    ``close()`` (and optionally a ``latency`` in seconds), that calls
    ``fill(outdata, frames)`` for each block of float32
    ``(frames, channels)`` output and stops once it returns True, then
    calls ``finished()``.

    Parameters
    ----------
    samplerate
        Frames per second.
    channels
        Output channels.
    fill
        Writes the next ``frames`` frames into ``outdata``; returns True
        when the buffer is exhausted (``outdata`` already zero-filled past
        the end).
    finished
        Called once the stream has become inactive.

    Returns
    -------
    sounddevice.OutputStream
        Float32 output on the default device.
    """
    sd = _import_sounddevice()
    stop = sd.CallbackStop

    def callback(outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if fill(outdata, frames):
            raise stop

    return sd.OutputStream(
        samplerate=samplerate,
        channels=channels,
        dtype="float32",
        callback=callback,
        finished_callback=finished,
    )


class _Voice:
    """One playback: the prepared buffer and the counter the callback advances."""

    __slots__ = (
        "buffer",
        "finished",
        "latency_frames",
        "origin",
        "reached_end",
        "samplerate",
        "sent",
        "total",
    )

    def __init__(self, buffer: np.ndarray, samplerate: int, origin: float) -> None:
        self.buffer = buffer
        self.total = buffer.shape[0]
        self.samplerate = samplerate
        self.origin = origin
        self.sent = 0  # frames handed to the device so far
        self.latency_frames = 0
        self.reached_end = False
        self.finished = False

    def fill(self, outdata: np.ndarray, frames: int) -> bool:
        """The audio callback's work: copy, advance the counter, zero-fill at the end."""
        pos = self.sent
        n = self.total - pos
        if n > frames:
            n = frames
        outdata[:n] = self.buffer[pos : pos + n]
        self.sent = pos + n
        if n < frames:
            outdata[n:] = 0.0
            self.reached_end = True
            return True
        return False


class PlaybackEngine:
    """Plays one buffer of samples at a time and reports where it is.

    Control methods (:meth:`play`, :meth:`stop`) are meant for one thread
    (the GUI thread); :meth:`position` and :meth:`is_playing` may be polled
    from anywhere.

    Parameters
    ----------
    stream_factory
        Opens an output stream; see :func:`sounddevice_stream` (the
        default) for the contract. Mainly a seam for other back ends and
        for tests.

    Attributes
    ----------
    on_finished
        Called without arguments from the audio thread when a playback
        reaches its end (not after :meth:`stop`). Keep it trivial: set a
        flag. Exceptions from it are swallowed.
    """

    def __init__(self, stream_factory: Callable[..., Any] | None = None) -> None:
        self._factory = stream_factory or sounddevice_stream
        self._custom = stream_factory is not None
        self._status: tuple[bool, str] | None = None
        self._stream: Any = None
        self._voice: _Voice | None = None
        self._lock = threading.Lock()
        self.on_finished: Callable[[], None] | None = None

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
        return self._checked_status()[1]

    def play(
        self, samples: np.ndarray, samplerate: int, *, origin: float = 0.0
    ) -> None:
        """Stop any current playback and play ``samples``.

        Parameters
        ----------
        samples
            1-D (mono) or 2-D ``(frames, channels)`` samples in [-1, 1];
            copied as float32, so the caller may reuse its array. An empty
            array plays nothing.
        samplerate
            Frames per second.
        origin
            Recording time in seconds of the first sample, so
            :meth:`position` reports recording time.

        Raises
        ------
        PlaybackError
            If playback is unavailable (the message is :attr:`reason`) or
            the output stream cannot be opened or started.
        ValueError
            If ``samples`` has more than 2 dimensions or the rate is not
            positive.
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
        with self._lock:
            self._stop_locked()
            if not self.available:
                raise PlaybackError(self.reason)
            if buffer.shape[0] == 0 or buffer.shape[1] == 0:
                return
            voice = _Voice(buffer, int(samplerate), float(origin))
            try:
                stream = self._factory(
                    samplerate=voice.samplerate,
                    channels=buffer.shape[1],
                    fill=voice.fill,
                    finished=lambda: self._finished(voice),
                )
            except Exception as exc:
                raise PlaybackError(
                    f"Playback failed: the audio output could not be opened ({exc})"
                ) from exc
            latency = getattr(stream, "latency", 0.0)
            voice.latency_frames = (
                round(float(latency) * voice.samplerate) if latency else 0
            )
            self._stream, self._voice = stream, voice
            try:
                stream.start()
            except Exception as exc:
                self._stop_locked()
                raise PlaybackError(
                    f"Playback failed: the audio output could not be started ({exc})"
                ) from exc

    def _finished(self, voice: _Voice) -> None:
        """Stream became inactive (audio thread)."""
        voice.finished = True
        callback = self.on_finished
        if voice.reached_end and callback is not None:
            try:
                callback()
            except Exception:
                pass

    def _stop_locked(self) -> None:
        stream, self._stream, self._voice = self._stream, None, None
        if stream is not None:
            try:
                stream.abort()
            finally:
                stream.close()

    def stop(self) -> None:
        """Stop playing at once (pending device buffers are dropped). Idempotent."""
        with self._lock:
            self._stop_locked()

    def close(self) -> None:
        """Stop and release the stream (same as :meth:`stop`)."""
        self.stop()

    def is_playing(self) -> bool:
        """True from :meth:`play` until the last frame has been played or :meth:`stop`.

        Polling it also releases the stream of a playback that has finished.
        """
        voice = self._voice
        if voice is None:
            return False
        if voice.finished:
            with self._lock:
                if self._voice is voice:
                    self._stop_locked()
            return False
        return True

    def position(self) -> float | None:
        """Recording time (s) of the sample being heard now, or None when idle.

        ``origin + max(0, frames_sent - latency_frames) / samplerate``: the
        callback's frame counter less the output latency the stream
        reported when it opened, so the playhead follows the sound rather
        than the buffer. Once the whole buffer has been handed over the
        counter stops, so the position holds there (at most the latency
        before the end) until the stream finishes.
        """
        voice = self._voice
        if voice is None or voice.finished:
            return None
        played = min(voice.total, max(0, voice.sent - voice.latency_frames))
        return voice.origin + played / voice.samplerate

    @property
    def frames_sent(self) -> int:
        """Frames handed to the device by the current playback (0 when idle)."""
        voice = self._voice
        return 0 if voice is None else voice.sent

    @property
    def latency(self) -> float:
        """Output latency (s) subtracted by :meth:`position` (0 when idle)."""
        voice = self._voice
        return 0.0 if voice is None else voice.latency_frames / voice.samplerate
