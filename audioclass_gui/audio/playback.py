"""Playback through PortAudio: status, devices, streams, and the engine's public names.

``sounddevice`` is imported lazily, and only here, when a status check, a
device list or a stream needs it, so the app starts (and says why playback
is unavailable) on a machine without the PortAudio library.

The engine itself, :class:`PlaybackEngine`, lives in
:mod:`audioclass_gui.audio.engine` and is importable from here. A playback
is a :class:`~audioclass_gui.audio.ring.Ring` filled by a
:class:`~audioclass_gui.audio.feeder.SpanFeeder` thread (or holding a whole
in-memory buffer) and emptied by the audio callback, which copies frames
and advances a counter: no I/O, no locks, no buffer allocation. The GUI
polls :meth:`PlaybackEngine.position` with a timer to draw the playhead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from audioclass_gui.audio.engine import PlaybackEngine

__all__ = [
    "OutputDevice",
    "PlaybackEngine",
    "PlaybackError",
    "StreamSetup",
    "default_output_rate",
    "explain_stream_error",
    "is_channel_error",
    "is_rate_error",
    "list_output_devices",
    "playback_status",
    "sounddevice_stream",
]

_NO_PORTAUDIO = (
    "Playback unavailable: PortAudio library not found (install libportaudio2)"
)


class PlaybackError(Exception):
    """Playback cannot start; the message says why, in words for the user."""


@dataclass(frozen=True)
class OutputDevice:
    """An audio output PortAudio offers."""

    name: str
    index: int
    default_samplerate: float
    hostapi: str = ""
    is_default: bool = False


@dataclass(frozen=True)
class StreamSetup:
    """How a playback was set up.

    Attributes
    ----------
    tape_rate
        Frames per second the recording's samples play at
        (``samplerate * speed``).
    output_rate
        The device rate; differs from ``tape_rate`` when the device refused
        it and the samples are resampled.
    channels
        Output channels (mono is duplicated when the device wants two).
    speed
        Effective speed, ``tape_rate / samplerate``.
    notice
        Something the user should know (e.g. the chosen device is gone and
        the default output is used), or None.
    time_expansion
        The recording's time-expansion factor (1 for direct recordings).
    """

    tape_rate: int
    output_rate: int
    channels: int
    speed: float
    notice: str | None = None
    time_expansion: float = 1.0

    @property
    def resampled(self) -> bool:
        """Whether the samples are resampled for the device."""
        return self.tape_rate != self.output_rate

    @property
    def real_time_speed(self) -> float:
        """Seconds of real (recording) time heard per second of playback.

        ``speed / time_expansion``: a recording time expanded ten times,
        played at its stored rate, is heard at 0.1x real time.
        """
        return self.speed / (self.time_expansion or 1.0)


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


def list_output_devices(*, rescan: bool = False) -> list[OutputDevice]:
    """The outputs PortAudio offers ([] when playback is unavailable; never raises).

    Parameters
    ----------
    rescan
        Ask PortAudio to look for devices again (plugged in or removed
        since it started). Only when no stream is open.
    """
    try:
        sd = _import_sounddevice()
        if rescan:
            sd._terminate()
            sd._initialize()
        default = sd.default.device[1]
        if default is None or default < 0:
            default = sd.query_devices(kind="output")["index"]
        hostapis = sd.query_hostapis()
        return [
            OutputDevice(
                name=str(d["name"]),
                index=int(d["index"]),
                default_samplerate=float(d["default_samplerate"]),
                hostapi=str(hostapis[d["hostapi"]]["name"]),
                is_default=int(d["index"]) == default,
            )
            for d in sd.query_devices()
            if d["max_output_channels"] > 0
        ]
    except Exception:
        return []


def explain_stream_error(exc: BaseException, doing: str = "opened") -> str:
    """Turn a PortAudio error into a sentence for the user.

    Parameters
    ----------
    exc
        What the stream raised.
    doing
        ``"opened"`` or ``"started"``.
    """
    text = str(exc)
    low = text.lower()
    why = ""
    if "-9985" in text or "device unavailable" in low or "busy" in low:
        why = ": the output device is busy or in use by another program"
    elif "-9996" in text or "invalid device" in low or "no such device" in low:
        why = ": the output device is not connected any more"
    return f"Playback failed: the audio output could not be {doing}{why} ({text})"


def is_rate_error(exc: BaseException) -> bool:
    """Whether opening a stream failed because of its sample rate."""
    text = str(exc).lower()
    return "-9997" in text or "sample rate" in text


def is_channel_error(exc: BaseException) -> bool:
    """Whether opening a stream failed because of its channel count."""
    text = str(exc).lower()
    return "-9998" in text or "number of channels" in text


def default_output_rate(device: int | None = None) -> int | None:
    """The device's own sample rate (Hz), or None when it cannot be asked."""
    try:
        sd = _import_sounddevice()
        return int(sd.query_devices(device, "output")["default_samplerate"])
    except Exception:
        return None


def sounddevice_stream(
    *,
    samplerate: int,
    channels: int,
    fill: Callable[[np.ndarray, int], bool],
    finished: Callable[[], None],
    device: int | None = None,
) -> Any:
    """Open (not start) a ``sounddevice.OutputStream`` driven by ``fill``.

    This is the engine's default stream factory and the only place that
    opens a stream. Any other factory must accept the same keyword
    arguments (``device`` only when one is chosen) and return an object
    with ``start()``, ``abort()`` and ``close()`` (and optionally a
    ``latency`` in seconds), that calls ``fill(outdata, frames)`` for each
    block of float32 ``(frames, channels)`` output and stops once it
    returns True, then calls ``finished()`` (also after ``abort()``, or
    when the device fails). It may have ``default_samplerate`` and
    ``devices`` (a list of :class:`OutputDevice`) attributes, and a
    ``rescan()`` method the engine calls where it would re-initialise
    PortAudio.

    Parameters
    ----------
    samplerate
        Frames per second.
    channels
        Output channels.
    fill
        Writes the next ``frames`` frames into ``outdata``; returns True
        when the playback is over (``outdata`` already zero-filled).
    finished
        Called once the stream has become inactive.
    device
        PortAudio device index, or None for the default output.

    Returns
    -------
    sounddevice.OutputStream
        Float32 output.
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
        device=device,
        callback=callback,
        finished_callback=finished,
    )


def __getattr__(name: str) -> Any:
    """``PlaybackEngine`` is defined in :mod:`audioclass_gui.audio.engine`."""
    if name == "PlaybackEngine":
        from audioclass_gui.audio.engine import PlaybackEngine

        return PlaybackEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
