"""Header-only facts about a recording: never reads the samples."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

import soundfile as sf
from soundevent import data

from audioclass_gui.audio.errors import AudioFileError

__all__ = ["AUDIO_EXTENSIONS", "RecordingInfo", "read_info", "to_recording"]

#: File extensions the app lists when it opens a folder.
AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".w64", ".rf64")


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
        Number of sample frames that can actually be read.
    format, subtype
        Container and sample encoding as libsndfile names them
        (``"WAV"``, ``"PCM_16"``...).
    warnings
        Problems that still leave the readable part usable, such as a
        truncated data chunk. Each names the problem in words.
    """

    path: Path
    samplerate: int
    channels: int
    frames: int
    format: str
    subtype: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def duration(self) -> float:
        """Length of the readable audio in seconds."""
        return self.frames / self.samplerate


def _problem_from_libsndfile(path: Path, error: Exception) -> str:
    text = str(error)
    if "Format not recognised" in text or "format not recognised" in text.lower():
        return (
            f"not a readable audio file (the contents are not {path.suffix.lstrip('.').upper() or 'audio'} "
            "or any other format libsndfile knows)"
        )
    if "Unsupported" in text or "unsupported" in text:
        return f"unsupported audio encoding ({text})"
    return f"cannot be opened as audio ({text})"


def _declared_wav_frames(path: Path) -> int | None:
    """Frames a RIFF/WAVE header declares, or None if not applicable."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            block_align = None
            while True:
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return None
                cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if cid == b"fmt ":
                    fmt = fh.read(size)
                    if len(fmt) >= 14:
                        block_align = struct.unpack("<H", fmt[12:14])[0]
                    if size % 2:
                        fh.seek(1, os.SEEK_CUR)
                    continue
                if cid == b"data":
                    if not block_align or size == 0xFFFFFFFF:
                        return None
                    return size // block_align
                fh.seek(size + (size % 2), os.SEEK_CUR)
    except OSError:
        return None


def read_info(path: str | os.PathLike[str]) -> RecordingInfo:
    """Read and check the header of a recording.

    Parameters
    ----------
    path
        The audio file (WAV, FLAC, MP3, OGG...).

    Returns
    -------
    RecordingInfo
        The facts about the file, with warnings for problems that leave a
        readable part.

    Raises
    ------
    AudioFileError
        If the file is missing, empty, holds no audio, or is not audio.
    """
    p = Path(path).expanduser().absolute()
    if not p.exists():
        raise AudioFileError(p, "file not found")
    if p.is_dir():
        raise AudioFileError(p, "is a folder, not an audio file")
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise AudioFileError(p, f"cannot be read ({exc.strerror})") from exc
    if size == 0:
        raise AudioFileError(p, "the file is empty (0 bytes)")
    if not os.access(p, os.R_OK):
        raise AudioFileError(p, "permission denied: the file cannot be read")
    try:
        info = sf.info(str(p))
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioFileError(p, _problem_from_libsndfile(p, exc)) from exc
    if info.samplerate <= 0 or info.channels <= 0:
        raise AudioFileError(p, "the header gives no valid sample rate or channel count")
    if info.frames <= 0:
        raise AudioFileError(p, "contains no audio samples (header only)")
    warnings: list[str] = []
    declared = _declared_wav_frames(p) if info.format in ("WAV", "WAVEX") else None
    if declared is not None and declared > info.frames:
        warnings.append(
            f"truncated: the header declares {declared / info.samplerate:.2f} s "
            f"but only {info.frames / info.samplerate:.2f} s of audio is in the file"
        )
    return RecordingInfo(
        path=p,
        samplerate=int(info.samplerate),
        channels=int(info.channels),
        frames=int(info.frames),
        format=str(info.format),
        subtype=str(info.subtype),
        warnings=tuple(warnings),
    )


def to_recording(info: RecordingInfo, *, time_expansion: float = 1.0) -> data.Recording:
    """Make a soundevent ``Recording`` from checked header facts.

    Unlike ``Recording.from_file`` this neither hashes nor re-reads the file,
    so it is instant for a 24-hour recording.
    """
    return data.Recording(
        path=info.path,
        duration=info.duration,
        channels=info.channels,
        samplerate=info.samplerate,
        time_expansion=time_expansion,
    )
