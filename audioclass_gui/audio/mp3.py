"""MP3 length without guessing: count the frames, and give libsndfile the count.

libsndfile (through mpg123) takes an MP3's length from its Xing/Info or
VBRI header. Without one it estimates the length from the file size and
the first frame's bit rate, which for a variable bit rate file can be wrong
by minutes, and it never reads past that estimate. This module walks the
frame headers (a few bytes per frame, no decoding) to count the frames,
and, when the file has no length header, builds an Info frame holding the
true count. :class:`JoinedFile` serves that frame followed by the file's
audio frames as one seekable file, so libsndfile reads (and seeks in) the
whole stream.
"""

from __future__ import annotations

import io
import os
import struct
from dataclasses import dataclass

__all__ = ["JoinedFile", "Mp3Layout", "inspect_mp3"]

# Bit rates in kbit/s by [MPEG-1?][layer 1..3][index].
_BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class _Header:
    version: int  # 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    layer: int  # 1, 2 or 3
    crc: bool
    samplerate: int
    length: int  # bytes, header included
    samples: int  # per channel
    mono: bool

    @property
    def side_info(self) -> int:
        if self.version == 3:
            return 17 if self.mono else 32
        return 9 if self.mono else 17


def _parse(word: int) -> _Header | None:
    if (word >> 21) & 0x7FF != 0x7FF:
        return None
    version, layer_bits = (word >> 19) & 3, (word >> 17) & 3
    bitrate_index, rate_index = (word >> 12) & 15, (word >> 10) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None  # reserved values, or "free format" (no frame length)
    layer = 4 - layer_bits
    mpeg1 = version == 3
    bitrate = _BITRATES[(mpeg1, layer)][bitrate_index] * 1000
    samplerate = _RATES[version][rate_index]
    padding = (word >> 9) & 1
    if layer == 1:
        length, samples = (12 * bitrate // samplerate + padding) * 4, 384
    elif layer == 2 or mpeg1:
        length, samples = 144 * bitrate // samplerate + padding, 1152
    else:
        length, samples = 72 * bitrate // samplerate + padding, 576
    return _Header(
        version=version,
        layer=layer,
        crc=not (word >> 16) & 1,
        samplerate=samplerate,
        length=length,
        samples=samples,
        mono=(word >> 6) & 3 == 3,
    )


@dataclass(frozen=True, slots=True)
class Mp3Layout:
    """What walking an MP3's frames found.

    Attributes
    ----------
    first_frame
        Byte offset of the first audio frame (after any ID3v2 tag).
    frames
        Number of MPEG audio frames; counted only for a file without a
        length header (0 otherwise).
    samples
        ``frames`` times the samples per frame (before the decoder's delay
        and the encoder's padding are removed); 0 when not counted.
    has_length_header
        Whether the first frame is a Xing, Info or VBRI header.
    prefix
        An Info frame holding the frame count, to serve before the audio
        frames when the file has no length header; empty otherwise.
    """

    first_frame: int
    frames: int
    samples: int
    has_length_header: bool
    prefix: bytes = b""


def _id3v2_size(head: bytes) -> int:
    if len(head) < 10 or head[:3] != b"ID3":
        return 0
    size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
    return 10 + size + (10 if head[5] & 0x10 else 0)


def _has_length_header(frame: bytes, header: _Header) -> bool:
    offset = 4 + (2 if header.crc else 0) + header.side_info
    return frame[offset : offset + 4] in (b"Xing", b"Info") or frame[36:40] == b"VBRI"


def _info_frame(first: bytes, header: _Header, frames: int, stream_bytes: int) -> bytes:
    """An Info frame like the stream's first frame, declaring ``frames`` frames."""
    word = struct.unpack(">I", first[:4])[0]
    word |= 1 << 16  # no CRC
    word &= ~(1 << 9)  # no padding
    frame = bytearray(_parse(word).length)  # type: ignore[union-attr]
    frame[:4] = struct.pack(">I", word)
    at = 4 + header.side_info
    frame[at : at + 16] = b"Info" + struct.pack(
        ">III", 3, frames, stream_bytes + len(frame)
    )
    return bytes(frame)


def inspect_mp3(path: str | os.PathLike[str]) -> Mp3Layout | None:
    """Walk the frame headers of an MP3 file.

    Stops at the first frame if it is a length header (Xing, Info, VBRI).
    Otherwise reads the file sequentially in 1 MiB blocks and looks at four
    bytes per frame; nothing is decoded. Junk between frames is skipped by searching
    for the next valid header; an ID3v1 or APE tag at the end ends the walk.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    Mp3Layout or None
        None if no MPEG audio frame is found.
    """
    with open(path, "rb") as fh:
        start = _id3v2_size(fh.read(10))
        fh.seek(start)
        buf = fh.read(_CHUNK)
        base = start
        pos = 0
        first: tuple[int, bytes, _Header] | None = None
        frames = samples = 0
        while True:
            if pos + 4 > len(buf):
                more = fh.read(_CHUNK)
                if not more:
                    break
                buf, base, pos = buf[pos:] + more, base + pos, 0
                continue
            word = int.from_bytes(buf[pos : pos + 4], "big")
            header = _parse(word)
            if header is None or (
                first is not None and header.samplerate != first[2].samplerate
            ):
                if buf[pos : pos + 3] == b"TAG" or buf[pos : pos + 8] == b"APETAGEX":
                    break
                nxt = buf.find(b"\xff", pos + 1)
                pos = nxt if nxt >= 0 else len(buf)
                continue
            if first is None:
                if pos + header.length + 4 > len(buf):
                    more = fh.read(_CHUNK)
                    if more:
                        buf, base, pos = buf[pos:] + more, base + pos, 0
                        continue
                else:
                    # A real first frame is followed by another frame header.
                    follow = _parse(
                        int.from_bytes(
                            buf[pos + header.length : pos + header.length + 4], "big"
                        )
                    )
                    if follow is None:
                        pos += 1
                        continue
                first = (
                    base + pos,
                    bytes(buf[pos : pos + max(64, header.length)]),
                    header,
                )
                if _has_length_header(first[1], header):
                    # libsndfile reads the length from it: no need to count.
                    return Mp3Layout(first[0], 0, 0, has_length_header=True)
            frames += 1
            samples += header.samples
            pos += header.length
        end = base + pos
    if first is None:
        return None
    offset, frame, header = first
    return Mp3Layout(
        first_frame=offset,
        frames=frames,
        samples=samples,
        has_length_header=False,
        prefix=_info_frame(frame, header, frames, end - offset),
    )


class JoinedFile(io.RawIOBase):
    """A read-only, seekable file: ``prefix`` bytes, then a file from ``offset``.

    Parameters
    ----------
    path
        The underlying file.
    prefix
        Bytes served first.
    offset
        Where in the underlying file the rest starts.
    """

    def __init__(
        self, path: str | os.PathLike[str], prefix: bytes, offset: int
    ) -> None:
        super().__init__()
        self._fh = open(path, "rb")
        self._prefix = prefix
        self._offset = offset
        self._size = len(prefix) + max(0, os.fstat(self._fh.fileno()).st_size - offset)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self._size:
            if self._pos < len(self._prefix):
                part = self._prefix[self._pos : self._pos + len(view) - done]
                view[done : done + len(part)] = part
                n = len(part)
            else:
                self._fh.seek(self._offset + self._pos - len(self._prefix))
                n = self._fh.readinto(view[done:]) or 0
                if n == 0:
                    break
            done += n
            self._pos += n
        return done

    def close(self) -> None:
        if not self.closed:
            self._fh.close()
        super().close()
