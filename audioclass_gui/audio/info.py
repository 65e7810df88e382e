"""Header-only facts about a recording: never reads the whole file.

:func:`read_info` opens the header with libsndfile, then checks the length
it claims by decoding the last frame (a seek and a one-frame read), and
searches for the true end by bisection when that fails, so the duration is
what can actually be decoded, not what a header guessed: truncated FLAC,
MP3 and Ogg files, FLAC streams of unknown length and MP3 files without a
length header all get their real length. It also reads the start time and
place (:mod:`audioclass_gui.audio.metadata`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import soundfile as sf

if TYPE_CHECKING:  # soundevent loads when a Recording is first made
    from soundevent import data

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.headers import declared_frames, problem_from_error
from audioclass_gui.audio.metadata import RecordingMetadata, read_metadata
from audioclass_gui.audio.mp3 import JoinedFile, Mp3Layout, inspect_mp3

__all__ = [
    "AUDIO_EXTENSIONS",
    "RecordingInfo",
    "open_audio",
    "read_info",
    "seeks_need_reopen",
    "to_recording",
]

#: File extensions the app lists when it opens a folder.
AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".w64", ".rf64")

_EXPECTED_FORMATS = {
    ".wav": ("WAV", "WAVEX", "RF64", "W64"),
    ".flac": ("FLAC",),
    ".mp3": ("MP3",),
    ".ogg": ("OGG",),
    ".oga": ("OGG",),
    ".opus": ("OGG",),
    ".w64": ("W64",),
    ".rf64": ("RF64",),
}
# libsndfile's frame count for "unknown length" (a FLAC stream without a total).
_UNKNOWN_LENGTH = 1 << 62


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    """What the header of a recording says, checked against the file.

    Attributes
    ----------
    path
        Absolute path of the file.
    samplerate
        Sample rate in Hz.
    channels
        Number of channels.
    frames
        Number of sample frames that can actually be decoded (checked by
        decoding the last one).
    format, subtype
        Container and sample encoding as libsndfile names them
        (``"WAV"``, ``"PCM_16"``...).
    warnings
        Problems that still leave the readable part usable, such as a
        truncated data chunk. Each names the problem in words.
    metadata
        Start time, site, position, time expansion (see
        :class:`~audioclass_gui.audio.metadata.RecordingMetadata`).
    declared_frames
        The length the header claims, when it claims one.
    mp3
        For an MP3 without a length header: how it is read in full (see
        :mod:`audioclass_gui.audio.mp3`); None otherwise.
    size, mtime
        File size in bytes and modification time when it was opened, to
        notice a file that changes while it is open.
    """

    path: Path
    samplerate: int
    channels: int
    frames: int
    format: str
    subtype: str
    warnings: tuple[str, ...] = field(default=())
    metadata: RecordingMetadata = field(default=RecordingMetadata())
    declared_frames: int | None = None
    mp3: Mp3Layout | None = None
    size: int = 0
    mtime: float = 0.0

    @property
    def duration(self) -> float:
        """Length of the readable audio in seconds."""
        return self.frames / self.samplerate

    @property
    def start_time(self) -> datetime | None:
        """Date and time of the first sample, when the file says."""
        return self.metadata.start

    def clock_time(self, seconds: float) -> datetime | None:
        """Date and time ``seconds`` into the file, or None if the start is unknown."""
        start = self.metadata.start
        return None if start is None else start + timedelta(seconds=seconds)

    @property
    def extension_note(self) -> str | None:
        """Says so when the contents do not match the file's extension."""
        expected = _EXPECTED_FORMATS.get(self.path.suffix.lower())
        if expected is None or self.format in expected:
            return None
        return f"{self.format} audio in a file named {self.path.suffix}"


# ------------------------------------------------------------------- opening
def seeks_need_reopen(info: RecordingInfo) -> bool:
    """Whether a handle must be reopened to seek accurately after reading.

    libsndfile 1.2 seeks MP3 and Ogg Vorbis streams to the wrong sample
    when the handle has already decoded audio; a fresh handle seeks
    exactly. WAV, FLAC and the other formats seek exactly on any handle.
    """
    return info.format in ("MP3", "OGG")


def _vanished(path: Path, exc: BaseException) -> AudioFileError:
    if not path.exists():
        return AudioFileError(
            path, "the file is gone: it was moved or deleted after it was opened"
        )
    if not os.access(path, os.R_OK):
        return AudioFileError(path, "permission denied: the file can no longer be read")
    return AudioFileError(path, f"cannot be read any more ({exc})")


def open_audio(info: RecordingInfo) -> sf.SoundFile:
    """Open a recording for reading, the way :func:`read_info` found it readable.

    Parameters
    ----------
    info
        The header facts from :func:`read_info`.

    Returns
    -------
    soundfile.SoundFile
        Open for reading; close it (or use it in a ``with`` block).

    Raises
    ------
    AudioFileError
        If the file is gone, unreadable, or has become shorter since
        :func:`read_info` looked at it.
    """
    path = info.path
    try:
        if info.mp3 is not None and info.mp3.prefix:
            fh = sf.SoundFile(JoinedFile(path, info.mp3.prefix, info.mp3.first_frame))
        else:
            fh = sf.SoundFile(str(path))
    except (sf.LibsndfileError, RuntimeError, OSError, TypeError) as exc:
        raise _vanished(path, exc) from exc
    if fh.frames < info.frames or fh.channels != info.channels:
        now = fh.frames / fh.samplerate if fh.samplerate else 0.0
        fh.close()
        raise AudioFileError(
            path,
            f"the file has changed since it was opened (it now holds {now:.2f} s "
            f"of audio, not {info.duration:.2f} s); open it again",
        )
    return fh


# ----------------------------------------------------------------- the end
def _can_read(info: RecordingInfo, frame: int) -> bool:
    """Whether frame ``frame`` decodes (fresh handle: exact for every format)."""
    try:
        with open_audio(info) as fh:
            fh.seek(frame)
            return fh.read(1, dtype="float32", always_2d=True).shape[0] == 1
    except (sf.LibsndfileError, RuntimeError, OSError, AudioFileError, ValueError):
        return False


def _readable_frames(info: RecordingInfo) -> int:
    """The number of frames that decode, found by bisection if the last does not."""
    frames = info.frames
    if frames <= 0 or _can_read(info, frames - 1):
        return frames
    lo, hi = -1, frames - 1  # frame lo decodes (or -1), frame hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _can_read(info, mid):
            lo = mid
        else:
            hi = mid
    return lo + 1


def read_info(path: str | os.PathLike[str]) -> RecordingInfo:
    """Read and check the header of a recording.

    Parameters
    ----------
    path
        The audio file (WAV, RF64, Wave64, FLAC, MP3, Ogg...).

    Returns
    -------
    RecordingInfo
        The facts about the file, with warnings for problems that leave a
        readable part.

    Raises
    ------
    AudioFileError
        If the file is missing, empty, holds no audio, is not audio, or uses
        an encoding that cannot be decoded.
    """
    p = Path(path).expanduser().absolute()
    if not p.exists():
        raise AudioFileError(p, "file not found")
    if p.is_dir():
        raise AudioFileError(p, "is a folder, not an audio file")
    try:
        stat = p.stat()
    except OSError as exc:
        raise AudioFileError(p, f"cannot be read ({exc.strerror})") from exc
    if stat.st_size == 0:
        raise AudioFileError(p, "the file is empty (0 bytes)")
    if not os.access(p, os.R_OK):
        raise AudioFileError(p, "permission denied: the file cannot be read")
    try:
        with sf.SoundFile(str(p)) as fh:
            samplerate, channels, frames = fh.samplerate, fh.channels, fh.frames
            fmt, subtype = str(fh.format), str(fh.subtype)
            comment = (
                None if fmt in ("WAV", "WAVEX", "RF64", "W64") else (fh.comment or None)
            )
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioFileError(p, problem_from_error(p, exc)) from exc
    except OSError as exc:
        raise AudioFileError(p, f"cannot be read ({exc})") from exc
    if samplerate <= 0 or channels <= 0:
        raise AudioFileError(
            p, "the header gives no valid sample rate or channel count"
        )
    mp3 = None
    if fmt == "MP3":
        layout = inspect_mp3(p)
        if layout is not None and not layout.has_length_header:
            # Without a length header libsndfile stops at a guessed length.
            if abs(layout.samples - frames) > 1152:
                mp3 = layout
                try:
                    with sf.SoundFile(
                        JoinedFile(p, layout.prefix, layout.first_frame)
                    ) as fh:
                        frames = fh.frames
                except (sf.LibsndfileError, RuntimeError, OSError) as exc:
                    raise AudioFileError(p, problem_from_error(p, exc)) from exc
    declared = None if frames >= _UNKNOWN_LENGTH else frames
    if fmt in ("WAV", "WAVEX", "RF64", "W64"):
        declared = declared_frames(p) or declared
    info = RecordingInfo(
        path=p,
        samplerate=int(samplerate),
        channels=int(channels),
        frames=int(frames),
        format=fmt,
        subtype=subtype,
        mp3=mp3,
        size=int(stat.st_size),
        mtime=float(stat.st_mtime),
    )
    readable = _readable_frames(info)
    if readable <= 0:
        raise AudioFileError(p, "contains no audio samples (header only)")
    warnings: list[str] = []
    if declared is not None and declared > readable:
        warnings.append(
            f"truncated: the header declares {declared / samplerate:.2f} s "
            f"but only {readable / samplerate:.2f} s of audio is in the file"
        )
    return RecordingInfo(
        path=p,
        samplerate=int(samplerate),
        channels=int(channels),
        frames=int(readable),
        format=fmt,
        subtype=subtype,
        warnings=tuple(warnings),
        metadata=read_metadata(p, comment=comment),
        declared_frames=declared,
        mp3=mp3,
        size=int(stat.st_size),
        mtime=float(stat.st_mtime),
    )


def to_recording(
    info: RecordingInfo, *, time_expansion: float | None = None
) -> data.Recording:
    """Make a soundevent ``Recording`` from checked header facts.

    Unlike ``Recording.from_file`` this neither hashes nor re-reads the file,
    so it is instant for a 24-hour recording. Date, time, latitude and
    longitude come from the file's metadata where present.

    Parameters
    ----------
    info
        From :func:`read_info`.
    time_expansion
        Time-expansion factor; None takes it from the metadata (GUANO
        ``TE``), 1 when absent. As in ``soundevent.data.Recording.from_file``
        a time-expanded recording's ``duration`` and ``samplerate`` are in
        real time: the file's divided and multiplied by the factor.
    """
    from soundevent import data

    meta = info.metadata
    te = float(meta.time_expansion if time_expansion is None else time_expansion) or 1.0
    start = meta.start
    return data.Recording(
        path=info.path,
        duration=info.duration / te,
        channels=info.channels,
        samplerate=int(round(info.samplerate * te)),
        time_expansion=te,
        date=start.date() if start is not None else None,
        time=start.timetz() if start is not None else None,
        latitude=meta.latitude,
        longitude=meta.longitude,
    )
