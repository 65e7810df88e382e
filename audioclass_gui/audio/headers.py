"""What container headers say, read directly (for messages and checks).

libsndfile opens a file or refuses it with a terse reason; these helpers
look at the bytes themselves to say *why* in words (which codec a WAV file
holds, whether a FLAC file has any audio after its header) and what length
a WAV, RF64 or Wave64 header declares, so a truncated file can be told
apart from a complete one.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

__all__ = ["declared_frames", "problem_from_error", "read_riff_chunks"]

#: Largest metadata chunk read into memory (GUANO and comments are small).
_MAX_CHUNK = 1 << 20


_WAV_CODECS = {
    0x0001: "PCM",
    0x0002: "Microsoft ADPCM",
    0x0003: "IEEE float",
    0x0006: "A-law",
    0x0007: "µ-law",
    0x0011: "IMA ADPCM",
    0x0031: "GSM 6.10",
    0x0050: "MPEG audio",
    0x0055: "MP3",
    0x00FF: "AAC",
    0x0160: "Windows Media Audio",
    0x0161: "Windows Media Audio",
    0x0162: "Windows Media Audio Pro",
    0x0163: "Windows Media Audio Lossless",
    0x1610: "AAC",
    0x2000: "Dolby AC-3",
    0x2001: "DTS",
    0xF1AC: "FLAC",
}
_LIBSNDFILE_WAV_CODECS = (0x0001, 0x0002, 0x0003, 0x0006, 0x0007, 0x0011, 0x0031)


def _sniff(path: Path) -> str | None:
    """Container named by the first bytes, or None if unknown."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return None
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "WAV"
    if head[:4] == b"riff":
        return "W64"
    if head[:4] == b"fLaC":
        return "FLAC"
    if head[:4] == b"OggS":
        return "OGG"
    if head[:3] == b"ID3" or (
        len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
    ):
        return "MP3"
    if head[4:8] == b"ftyp":
        return "MP4"
    return None


def _wav_format_tag(path: Path) -> int | None:
    """The ``fmt `` chunk's format tag (the sub-format for WAVE_FORMAT_EXTENSIBLE)."""
    try:
        with open(path, "rb") as fh:
            pos = 12
            while True:
                fh.seek(pos)
                header = fh.read(8)
                if len(header) < 8:
                    return None
                cid, size = header[:4], struct.unpack("<I", header[4:])[0]
                if cid == b"fmt ":
                    body = fh.read(min(size, 40))
                    if len(body) < 2:
                        return None
                    tag = struct.unpack("<H", body[:2])[0]
                    if tag == 0xFFFE and len(body) >= 26:
                        tag = struct.unpack("<H", body[24:26])[0]
                    return tag
                if cid == b"data" or size == 0xFFFFFFFF:
                    return None
                pos += 8 + size + (size & 1)
    except OSError:
        return None


def _flac_has_frames(path: Path) -> bool:
    """Whether anything follows a FLAC file's metadata blocks."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            pos = 4
            while pos + 4 <= size:
                fh.seek(pos)
                block = fh.read(4)
                last, length = block[0] & 0x80, int.from_bytes(block[1:4], "big")
                pos += 4 + length
                if last:
                    return pos < size
    except OSError:
        pass
    return False


def problem_from_error(path: Path, error: Exception) -> str:
    """Why libsndfile refused ``path``, in words (for ``AudioFileError``)."""
    text = str(error).split(": ", 1)[-1].strip() if ": " in str(error) else str(error)
    kind = _sniff(path)
    if kind == "WAV":
        tag = _wav_format_tag(path)
        if tag is not None and tag not in _LIBSNDFILE_WAV_CODECS:
            name = _WAV_CODECS.get(tag, "an unknown encoding")
            return (
                f"unsupported audio encoding: the WAV file holds {name} "
                f"(format tag 0x{tag:04X}), which cannot be decoded; "
                "convert it to PCM WAV or FLAC"
            )
        return f"the WAV header is incomplete or damaged ({text or 'libsndfile cannot parse it'})"
    if kind == "FLAC":
        if not _flac_has_frames(path):
            return "contains no audio samples (header only)"
        return f"the FLAC stream is damaged ({text or 'it cannot be decoded'})"
    if kind in ("OGG", "MP3", "W64"):
        return f"the {kind} stream cannot be decoded ({text or 'unknown error'})"
    if kind == "MP4":
        return "unsupported format: MPEG-4 audio (AAC/M4A) cannot be read; convert it to WAV or FLAC"
    if "unsupported" in text.lower() or "unimplemented" in text.lower():
        return f"unsupported audio encoding ({text})"
    return (
        f"not a readable audio file (the contents are not {path.suffix.lstrip('.').upper() or 'audio'} "
        "or any other format libsndfile knows)"
    )


def declared_frames(path: Path) -> int | None:
    """Frames a RIFF, RF64 or Wave64 header declares, or None if not applicable.

    RF64 files over 4 GB give their size in the ``ds64`` chunk, Wave64 files
    in 64-bit chunk sizes; both are read.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if head[:4] == b"riff":
                return _declared_w64_frames(fh)
            if (
                len(head) < 12
                or head[:4] not in (b"RIFF", b"RF64")
                or head[8:12] != b"WAVE"
            ):
                return None
            block_align = None
            data64 = None
            while True:
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return None
                cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if cid == b"ds64":
                    body = fh.read(size)
                    if len(body) >= 16:
                        data64 = struct.unpack("<Q", body[8:16])[0]
                    if size % 2:
                        fh.seek(1, os.SEEK_CUR)
                    continue
                if cid == b"fmt ":
                    fmt = fh.read(size)
                    if len(fmt) >= 14:
                        block_align = struct.unpack("<H", fmt[12:14])[0]
                    if size % 2:
                        fh.seek(1, os.SEEK_CUR)
                    continue
                if cid == b"data":
                    if size == 0xFFFFFFFF:
                        size = data64
                    if not block_align or not size:
                        return None
                    return size // block_align
                fh.seek(size + (size % 2), os.SEEK_CUR)
    except OSError:
        return None


def _declared_w64_frames(fh) -> int | None:
    """Frames a Wave64 header declares (chunk ids are GUIDs, sizes 64-bit)."""
    pos = 40  # riff GUID, 64-bit size, wave GUID
    block_align = None
    while True:
        fh.seek(pos)
        header = fh.read(24)
        if len(header) < 24:
            return None
        cid, size = header[:4], struct.unpack("<Q", header[16:])[0]
        if size < 24:
            return None
        if cid == b"fmt ":
            body = fh.read(min(size - 24, 40))
            if len(body) >= 14:
                block_align = struct.unpack("<H", body[12:14])[0]
        elif cid == b"data":
            return (size - 24) // block_align if block_align else None
        pos += (size + 7) & ~7


def read_riff_chunks(
    path: str | os.PathLike[str], wanted: tuple[bytes, ...]
) -> dict[bytes, bytes]:
    """Contents of the wanted chunks of a RIFF/RF64 WAVE or Wave64 file.

    Chunks are visited by seeking from header to header, so the audio is
    never read. ``LIST`` chunks of type ``INFO`` are opened and their
    sub-chunks (``ICMT``, ``IART``...) reported like top-level chunks.
    Files that are not WAVE files, or are damaged, give what could be read
    up to the damage (possibly nothing); no error is raised.

    Parameters
    ----------
    path
        The file.
    wanted
        Four-byte chunk ids, such as ``(b"guan", b"ICMT")``.

    Returns
    -------
    dict
        ``{chunk id: contents}`` for the wanted chunks found (the first of
        each id; contents over 1 MiB are skipped).
    """
    found: dict[bytes, bytes] = {}
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            size = os.fstat(fh.fileno()).st_size
            if (
                len(head) >= 12
                and head[:4] in (b"RIFF", b"RF64")
                and head[8:12] == b"WAVE"
            ):
                _walk_riff(fh, 12, size, wanted, found)
            elif head[:4] == b"riff" and size >= 40:
                _walk_w64(fh, size, wanted, found)
    except OSError:
        pass
    return found


def _walk_riff(
    fh, pos: int, end: int, wanted: tuple[bytes, ...], found: dict[bytes, bytes]
) -> None:
    data_size64: int | None = None
    while pos + 8 <= end:
        fh.seek(pos)
        header = fh.read(8)
        if len(header) < 8:
            return
        cid, size = header[:4], struct.unpack("<I", header[4:])[0]
        if cid == b"ds64":
            body = fh.read(min(size, 28))
            if len(body) >= 16:
                data_size64 = struct.unpack("<Q", body[8:16])[0]
        elif cid == b"data" and size == 0xFFFFFFFF:
            size = data_size64 if data_size64 is not None else end - pos - 8
        elif cid == b"LIST":
            kind = fh.read(4)
            if kind == b"INFO":
                _walk_riff(fh, pos + 12, min(end, pos + 8 + size), wanted, found)
        elif cid in wanted and cid not in found and size <= _MAX_CHUNK:
            found[cid] = fh.read(size)
        pos += 8 + size + (size & 1)


def _walk_w64(
    fh, end: int, wanted: tuple[bytes, ...], found: dict[bytes, bytes]
) -> None:
    pos = 40  # riff GUID (16) + size (8) + wave GUID (16)
    while pos + 24 <= end:
        fh.seek(pos)
        header = fh.read(24)
        if len(header) < 24:
            return
        guid, size = header[:16], struct.unpack("<Q", header[16:])[0]
        if size < 24:
            return
        cid = guid[:4]  # Wave64 GUIDs begin with the RIFF chunk id
        if cid in wanted and cid not in found and size - 24 <= _MAX_CHUNK:
            found[cid] = fh.read(size - 24)
        pos += (size + 7) & ~7
