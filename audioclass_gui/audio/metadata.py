"""When and where a recording was made: file names, GUANO, AudioMoth comments.

Field recorders write the start time into the file name (AudioMoth
``20240601_210000.WAV``, Song Meter ``SMU01234_20240601_210000.wav``), into
GUANO metadata (a ``guan`` chunk in the WAV file, also written by Song
Meters) or, for AudioMoths, into the WAV comment (``ICMT``: "Recorded at
21:00:00 01/06/2024 (UTC+1) by AudioMoth 24526B065A9C4C3F ..."). This module
reads all three without reading the samples: RIFF chunks are visited by
seeking from header to header, so a ``guan`` chunk after 4 GB of audio costs
a few small reads.

The most precise source wins for the start time: GUANO ``Timestamp``, then
the AudioMoth comment, then the file name. File-name times carry no time
zone, so they are returned naive (the recorder's clock).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from audioclass_gui.audio.headers import read_riff_chunks

__all__ = [
    "RecordingMetadata",
    "format_offset",
    "parse_audiomoth_comment",
    "parse_guano",
    "read_metadata",
    "read_riff_chunks",
    "start_time_from_name",
]

_NAME_TIME = re.compile(
    r"(?<!\d)(?P<date>(?:19|20)\d{6})[_T-]?(?P<time>\d{6})(?!\d)", re.IGNORECASE
)
_AUDIOMOTH_HEX_NAME = re.compile(r"^(?P<hex>[0-9A-F]{8})$", re.IGNORECASE)
_AUDIOMOTH_COMMENT = re.compile(
    r"Recorded at (?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2}) "
    r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<Y>\d{4}) "
    r"\(UTC(?:(?P<sign>[+-])(?P<tzh>\d{1,2})(?::\s*(?P<tzm>\d{1,2}))?)?\)"
)
_AUDIOMOTH_DEVICE = re.compile(r"by (?P<device>AudioMoth [0-9A-F]{16})", re.IGNORECASE)
_ISO = re.compile(
    r"^\s*(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"\s*(?P<tz>Z|[+-]\d{1,2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)
#: GUANO keys that name the site, most specific first.
_SITE_KEYS = (
    "Site",
    "Loc Name",
    "Location",
    "NABat|Site Name",
    "SB|Site",
    "WA|Song Meter|Prefix",
)


@dataclass(frozen=True, slots=True)
class RecordingMetadata:
    """What a recording says about itself, beyond its audio format.

    Attributes
    ----------
    start
        Date and time of the first sample, or None when unknown. Time-zone
        aware when the source gives the zone (GUANO with an offset,
        AudioMoth comments), naive otherwise (file names).
    start_source
        Where ``start`` came from: ``"GUANO"``, ``"AudioMoth comment"`` or
        ``"file name"``; None when unknown.
    site
        Site or recorder prefix, when given.
    latitude, longitude
        WGS84 degrees, when given.
    elevation
        Metres above sea level, when given.
    time_expansion
        Time-expansion factor (1 for direct recordings). A time-expanded
        file plays ``time_expansion`` times slower than real time.
    device
        Recorder make, model and serial number, as far as known.
    comment
        The file's comment text, if any.
    guano
        Every GUANO field as ``(key, value)`` pairs, in file order.
    """

    start: datetime | None = None
    start_source: str | None = None
    site: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    elevation: float | None = None
    time_expansion: float = 1.0
    device: str | None = None
    comment: str | None = None
    guano: tuple[tuple[str, str], ...] = field(default=())

    def describe(self) -> str:
        """A one-line summary for a status bar ('' when nothing is known)."""
        parts = []
        if self.start is not None:
            text = self.start.strftime("%Y-%m-%d %H:%M:%S")
            offset = format_offset(self.start)
            parts.append(f"{text}{' ' + offset if offset else ''}")
        if self.site:
            parts.append(self.site)
        if self.latitude is not None and self.longitude is not None:
            parts.append(f"{self.latitude:.5f}, {self.longitude:.5f}")
        if self.time_expansion != 1.0:
            parts.append(f"time expansion ×{self.time_expansion:g}")
        if self.device:
            parts.append(self.device)
        return " · ".join(parts)


def format_offset(moment: datetime) -> str:
    """A time's UTC offset as ``"UTC+02:00"`` (``""`` for a time without a zone)."""
    offset = moment.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h:02d}:{m:02d}"


# ----------------------------------------------------------------- file names
def start_time_from_name(
    name: str | os.PathLike[str],
) -> tuple[datetime, str | None] | None:
    """Start time (and prefix) from an AudioMoth or Song Meter file name.

    Recognised: ``YYYYMMDD_HHMMSS`` (AudioMoth), ``PREFIX_YYYYMMDD_HHMMSS``
    (Song Meter, any prefix; also with ``-`` or ``T`` between date and time,
    and with suffixes such as ``_0+1``), and AudioMoth's older eight-digit
    hexadecimal Unix time (``5C8A9D00.WAV``, UTC).

    Parameters
    ----------
    name
        A file name or path (only the last component is used).

    Returns
    -------
    tuple or None
        ``(start, prefix)``: the naive date and time (UTC-aware for the hex
        form) and the text before the date without its separator (None if
        there is none), or None when the name holds no valid date and time.
    """
    stem = Path(os.fspath(name)).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    for match in _NAME_TIME.finditer(stem):
        try:
            start = datetime.strptime(match["date"] + match["time"], "%Y%m%d%H%M%S")
        except ValueError:
            continue
        prefix = stem[: match.start()].rstrip("_-. ") or None
        return start, prefix
    hexed = _AUDIOMOTH_HEX_NAME.match(stem)
    if hexed and re.search(r"[A-F]", stem, re.IGNORECASE):
        seconds = int(hexed["hex"], 16)
        # AudioMoth firmware before 1.2 named files by Unix time: 2015-2035 only.
        if 1_420_070_400 <= seconds <= 2_051_222_400:
            return datetime.fromtimestamp(seconds, tz=UTC), None
    return None


# --------------------------------------------------------------------- GUANO
def parse_guano(text: str) -> dict[str, str]:
    """Parse GUANO metadata text into ``{key: value}``.

    Keys keep their namespace (``"WA|Song Meter|Prefix"``); values are
    trimmed and ``\\n`` escapes become newlines, as the GUANO specification
    says. Lines without a colon are ignored.
    """
    fields: dict[str, str] = {}
    for line in text.replace("\r", "\n").split("\n"):
        key, sep, value = line.partition(":")
        key = key.strip().strip("\x00")
        if not sep or not key:
            continue
        fields[key] = value.strip().strip("\x00").strip().replace("\\n", "\n")
    return fields


def parse_timestamp(text: str) -> datetime | None:
    """Parse a GUANO timestamp, tolerating the variants recorders write.

    Accepts ``T`` or a space between date and time, optional fractions of
    a second, ``Z``, and offsets such as ``+04:00``, ``+0400``, ``+1:00``
    or ``-5``. Returns an aware datetime when an offset is given, naive
    otherwise, or None if the text is not a timestamp.
    """
    match = _ISO.match(text)
    if match is None:
        return None
    clock = match["time"]
    if clock.count(":") == 1:
        clock += ":00"
    hours, rest = clock.split(":", 1)
    try:
        moment = datetime.fromisoformat(f"{match['date']}T{int(hours):02d}:{rest}")
    except ValueError:
        return None
    tz = match["tz"]
    if tz:
        if tz.upper() == "Z":
            return moment.replace(tzinfo=UTC)
        sign = -1 if tz[0] == "-" else 1
        body = tz[1:].replace(":", "")
        if ":" in tz:
            h_text, m_text = tz[1:].split(":", 1)
        elif len(body) > 2:
            h_text, m_text = body[:-2], body[-2:]
        else:
            h_text, m_text = body, "0"
        offset = timedelta(hours=int(h_text), minutes=int(m_text))
        if offset >= timedelta(hours=24):
            return None
        moment = moment.replace(tzinfo=timezone(sign * offset))
    return moment


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip().split()[0])
    except (ValueError, IndexError):
        return None
    return value if value == value and abs(value) != float("inf") else None


def _position(text: str | None) -> tuple[float, float] | None:
    if not text:
        return None
    parts = re.split(r"[\s,;]+", text.strip())
    if len(parts) < 2:
        return None
    lat, lon = _float(parts[0]), _float(parts[1])
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


# ------------------------------------------------------------------ AudioMoth
def parse_audiomoth_comment(text: str) -> tuple[datetime, str | None] | None:
    """Start time and device from an AudioMoth WAV comment.

    Parameters
    ----------
    text
        A comment such as ``"Recorded at 21:00:00 01/06/2024 (UTC+1) by
        AudioMoth 24526B065A9C4C3F at medium gain while battery was 4.1V and
        temperature was 15.2C."`` (day before month; the zone may carry
        minutes, ``(UTC+5:30)``).

    Returns
    -------
    tuple or None
        ``(start, device)`` with ``start`` time-zone aware, or None when
        the text is not an AudioMoth comment.
    """
    match = _AUDIOMOTH_COMMENT.search(text)
    if match is None:
        return None
    try:
        start = datetime(
            int(match["Y"]),
            int(match["m"]),
            int(match["d"]),
            int(match["H"]),
            int(match["M"]),
            int(match["S"]),
        )
    except ValueError:
        return None
    offset = timedelta(0)
    if match["sign"]:
        offset = timedelta(hours=int(match["tzh"]), minutes=int(match["tzm"] or 0))
        if match["sign"] == "-":
            offset = -offset
    device = _AUDIOMOTH_DEVICE.search(text)
    return start.replace(tzinfo=timezone(offset)), device["device"] if device else None


def _text(raw: bytes | None) -> str | None:
    """Chunk bytes as text: UTF-8 (Latin-1 if not), NUL padding removed."""
    if not raw:
        return None
    raw = raw.replace(b"\x00", b" ")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = raw.decode("latin-1")
    return decoded.strip() or None


# ----------------------------------------------------------------- together
def read_metadata(
    path: str | os.PathLike[str], *, comment: str | None = None
) -> RecordingMetadata:
    """Everything known about when and where a recording was made.

    Parameters
    ----------
    path
        The recording.
    comment
        The file's comment as another reader found it (for formats whose
        comments live outside RIFF chunks, such as FLAC's Vorbis comments).

    Returns
    -------
    RecordingMetadata
        Empty (all None) when nothing is known; never raises for a file
        that exists.
    """
    chunks = read_riff_chunks(path, (b"guan", b"ICMT", b"IART"))
    guano_text = _text(chunks.get(b"guan"))
    guano = parse_guano(guano_text) if guano_text else {}
    comment = (
        _text(chunks.get(b"ICMT")) or (comment.strip() if comment else None) or None
    )
    artist = _text(chunks.get(b"IART"))

    start: datetime | None = None
    source: str | None = None
    device: str | None = None
    site: str | None = None
    if guano.get("Timestamp"):
        start = parse_timestamp(guano["Timestamp"])
        source = "GUANO" if start is not None else None
    moth = parse_audiomoth_comment(comment) if comment else None
    if moth is not None:
        device = moth[1]
        if start is None:
            start, source = moth[0], "AudioMoth comment"
    named = start_time_from_name(path)
    if named is not None:
        if start is None:
            start, source = named[0], "file name"
        site = named[1]
    for key in _SITE_KEYS:
        if guano.get(key):
            site = guano[key]
            break
    if guano:
        make_model = " ".join(v for v in (guano.get("Make"), guano.get("Model")) if v)
        serial = guano.get("Serial")
        device = " ".join(v for v in (make_model, serial) if v) or device
    device = device or (
        artist if artist and artist.lower().startswith("audiomoth") else None
    )
    position = _position(guano.get("Loc Position"))
    te = _float(guano.get("TE"))
    return RecordingMetadata(
        start=start,
        start_source=source,
        site=site,
        latitude=position[0] if position else None,
        longitude=position[1] if position else None,
        elevation=_float(guano.get("Loc Elevation")),
        time_expansion=te if te is not None and te > 0 else 1.0,
        device=device,
        comment=comment,
        guano=tuple(guano.items()),
    )
