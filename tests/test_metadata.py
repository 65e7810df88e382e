"""Start time, place and time expansion from file names, GUANO and AudioMoth comments."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.audio.metadata import (
    parse_audiomoth_comment,
    parse_guano,
    parse_timestamp,
    read_metadata,
    read_riff_chunks,
    start_time_from_name,
)

SR = 8000


def _chunk(cid: bytes, body: bytes) -> bytes:
    return (
        cid + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) % 2 else b"")
    )


def write_wav(
    path: Path,
    seconds: float = 2.0,
    *,
    before: list[tuple[bytes, bytes]] = (),
    after: list[tuple[bytes, bytes]] = (),
) -> Path:
    """A 16-bit mono WAV with extra chunks before and after the data, as recorders write them."""
    rng = np.random.default_rng(0)
    samples = (rng.standard_normal(int(seconds * SR)) * 1000).astype("<i2")
    fmt = struct.pack("<HHIIHH", 1, 1, SR, SR * 2, 2, 16)
    body = b"WAVE" + _chunk(b"fmt ", fmt)
    body += b"".join(_chunk(c, b) for c, b in before)
    body += _chunk(b"data", samples.tobytes())
    body += b"".join(_chunk(c, b) for c, b in after)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def info_list(**fields: str) -> tuple[bytes, bytes]:
    """A LIST/INFO chunk such as AudioMoth writes (NUL-terminated, padded strings)."""
    body = b"INFO" + b"".join(
        _chunk(k.encode(), v.encode() + b"\x00" * 4) for k, v in fields.items()
    )
    return (b"LIST", body)


SONG_METER_GUANO = """GUANO|Version:1.0
Firmware Version:4.6
Make:Wildlife Acoustics, Inc.
Model:Song Meter Mini
Serial:SMA00646
WA|Song Meter|Prefix:SMA00646
WA|Song Meter|Audio settings:[{"rate":24000,"gain":18}]
Length:300.000
Original Filename:SMA00646_20201017_130500.wav
Timestamp:2020-10-17 13:05:00+1:00
Loc Position:54.75656 -1.59106
Loc Elevation: 120.5
Temperature Int:21.25
Samplerate:24000
"""

AUDIOMOTH_COMMENT = (
    "Recorded at 21:00:00 01/06/2024 (UTC+1) by AudioMoth 24526B065A9C4C3F at medium gain "
    "while battery was 4.1V and temperature was 15.2C."
)


# --- file names ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "start", "prefix"),
    [
        ("20240601_210000.WAV", datetime(2024, 6, 1, 21, 0, 0), None),  # AudioMoth
        (
            "SMU01234_20240601_210000.wav",
            datetime(2024, 6, 1, 21, 0, 0),
            "SMU01234",
        ),  # Song Meter
        (
            "S4A12345_20190601_050000_0+1.wav",
            datetime(2019, 6, 1, 5, 0, 0),
            "S4A12345",
        ),  # SM4, channel suffix
        (
            "MYSITE-2_20231231_235959.flac",
            datetime(2023, 12, 31, 23, 59, 59),
            "MYSITE-2",
        ),
        (
            "/data/night/North Marsh_20220410_031500.wav",
            datetime(2022, 4, 10, 3, 15),
            "North Marsh",
        ),
        ("20240601T210000.wav", datetime(2024, 6, 1, 21, 0, 0), None),
        (
            "5C8A9D00.WAV",
            datetime.fromtimestamp(0x5C8A9D00, tz=UTC),
            None,
        ),  # old AudioMoth firmware
    ],
)
def test_start_time_from_recorder_file_names(
    name: str, start: datetime, prefix: str | None
) -> None:
    assert start_time_from_name(name) == (start, prefix)


@pytest.mark.parametrize(
    "name",
    [
        "recording.wav",
        "20241301_210000.wav",
        "20240601_250000.wav",
        "12345678.wav",
        "2024_06_01.wav",
        "120240601_2100000.wav",
    ],
)
def test_names_without_a_valid_time_give_none(name: str) -> None:
    assert start_time_from_name(name) is None


# --- GUANO ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2012-03-29T03:58:01+04:00",
            datetime(2012, 3, 29, 3, 58, 1, tzinfo=timezone(timedelta(hours=4))),
        ),
        (
            "2020-10-17 13:05:00+1:00",
            datetime(2020, 10, 17, 13, 5, tzinfo=timezone(timedelta(hours=1))),
        ),  # Song Meter
        (
            "2015-12-31T23:59:59.123Z",
            datetime(2015, 12, 31, 23, 59, 59, 123000, tzinfo=UTC),
        ),
        (
            "2015-12-31T23:59:59",
            datetime(2015, 12, 31, 23, 59, 59),
        ),  # local time: naive
        ("2015-12-31 23:59", datetime(2015, 12, 31, 23, 59)),
        (
            "2021-07-01T04:30:00-0530",
            datetime(
                2021, 7, 1, 4, 30, tzinfo=timezone(-timedelta(hours=5, minutes=30))
            ),
        ),
        (
            "2021-07-01T04:30:00-5",
            datetime(2021, 7, 1, 4, 30, tzinfo=timezone(-timedelta(hours=5))),
        ),
        ("yesterday evening", None),
        ("2021-13-01T04:30:00", None),
    ],
)
def test_guano_timestamps_in_the_forms_recorders_write(
    text: str, expected: datetime | None
) -> None:
    assert parse_timestamp(text) == expected


def test_parse_guano_keeps_namespaces_trims_and_unescapes() -> None:
    fields = parse_guano(
        "GUANO|Version:  1.0\n\n  Note: two\\nlines  \nPET|Gain: 80\nnot a field\nTE:10\x00\x00  "
    )
    assert fields == {
        "GUANO|Version": "1.0",
        "Note": "two\nlines",
        "PET|Gain": "80",
        "TE": "10",
    }


def test_guano_after_4_gb_style_data_gives_time_place_device_and_expansion(
    tmp_path: Path,
) -> None:
    guano = SONG_METER_GUANO + "TE: 10\n"
    path = write_wav(
        tmp_path / "SMA00646_20201017_130501.wav",
        after=[(b"guan", guano.encode() + b"  ")],
    )
    info = read_info(path)
    assert info.frames == 2 * SR  # libsndfile reads the audio as usual
    meta = info.metadata
    assert meta.start == datetime(
        2020, 10, 17, 13, 5, tzinfo=timezone(timedelta(hours=1))
    )
    assert meta.start_source == "GUANO"  # wins over the file name (13:05:01)
    assert (meta.latitude, meta.longitude, meta.elevation) == (
        54.75656,
        -1.59106,
        120.5,
    )
    assert meta.time_expansion == 10.0
    assert meta.site == "SMA00646"
    assert meta.device == "Wildlife Acoustics, Inc. Song Meter Mini SMA00646"
    assert (
        dict(meta.guano)["WA|Song Meter|Audio settings"] == '[{"rate":24000,"gain":18}]'
    )
    assert info.start_time == meta.start
    assert info.clock_time(90.0) == meta.start + timedelta(seconds=90)
    # soundevent's Recording: date, time, place, and real-time units for time expansion.
    rec = to_recording(info)
    assert rec.date == date(2020, 10, 17) and rec.time == time(
        13, 5, tzinfo=timezone(timedelta(hours=1))
    )
    assert (rec.latitude, rec.longitude) == (54.75656, -1.59106)
    assert rec.time_expansion == 10.0
    assert rec.duration == pytest.approx(0.2) and rec.samplerate == 80_000
    assert to_recording(info, time_expansion=1.0).duration == pytest.approx(2.0)


def test_riff_chunks_are_found_by_seeking_not_reading_the_audio(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_wav(
        tmp_path / "long.wav",
        seconds=60.0,
        after=[(b"guan", b"Timestamp: 2020-01-01T00:00:00Z\n")],
    )
    read_sizes: list[int] = []
    real_open = open

    class Spy:
        def __init__(self, fh):
            self._fh = fh

        def read(self, n=-1):
            read_sizes.append(n)
            return self._fh.read(n)

        def __getattr__(self, name):
            return getattr(self._fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._fh.close()

    monkeypatch.setattr("builtins.open", lambda *a, **k: Spy(real_open(*a, **k)))
    chunks = read_riff_chunks(path, (b"guan",))
    assert chunks[b"guan"].startswith(b"Timestamp")
    assert (
        sum(n for n in read_sizes if n > 0) < 1000
    )  # the 960 kB of audio were skipped


# --- AudioMoth ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "offset"),
    [
        ("UTC", timedelta(0)),
        ("UTC+1", timedelta(hours=1)),
        ("UTC-5", -timedelta(hours=5)),
        ("UTC+5:30", timedelta(hours=5, minutes=30)),
        ("UTC-0:30", -timedelta(minutes=30)),
    ],
)
def test_audiomoth_comment_zones(zone: str, offset: timedelta) -> None:
    text = f"Recorded at 04:05:06 31/12/2023 ({zone}) by AudioMoth 0123456789ABCDEF at low gain while battery was 3.6V."
    start, device = parse_audiomoth_comment(text)
    assert start == datetime(2023, 12, 31, 4, 5, 6, tzinfo=timezone(offset))
    assert device == "AudioMoth 0123456789ABCDEF"
    assert parse_audiomoth_comment("Recorded with love") is None


def test_audiomoth_comment_chunk_gives_the_start_with_its_zone(tmp_path: Path) -> None:
    # AudioMoth names files in UTC by default; the comment carries the local zone.
    path = write_wav(
        tmp_path / "20240601_200000.WAV",
        before=[info_list(ICMT=AUDIOMOTH_COMMENT, IART="AudioMoth 24526B065A9C4C3F")],
    )
    info = read_info(path)
    meta = info.metadata
    assert meta.start == datetime(
        2024, 6, 1, 21, 0, tzinfo=timezone(timedelta(hours=1))
    )
    assert meta.start_source == "AudioMoth comment"
    assert meta.device == "AudioMoth 24526B065A9C4C3F"
    assert meta.comment == AUDIOMOTH_COMMENT
    assert meta.start.astimezone(UTC) == datetime(
        2024, 6, 1, 20, 0, tzinfo=UTC
    )  # agrees with the name
    assert "2024-06-01 21:00:00 UTC+01:00" in meta.describe()


def test_flac_comment_from_a_converted_audiomoth_file(tmp_path: Path) -> None:
    path = tmp_path / "converted.flac"
    with sf.SoundFile(path, "w", SR, 1, subtype="PCM_16") as fh:
        fh.comment = AUDIOMOTH_COMMENT
        fh.write(np.zeros(SR, np.float32) + 0.1)
    meta = read_info(path).metadata
    assert meta.start == datetime(
        2024, 6, 1, 21, 0, tzinfo=timezone(timedelta(hours=1))
    )


def test_file_name_time_when_the_file_says_nothing_and_nothing_otherwise(
    tmp_path: Path,
) -> None:
    named = read_info(write_wav(tmp_path / "NORTH_20220410_031500.wav"))
    assert named.metadata.start == datetime(
        2022, 4, 10, 3, 15
    )  # naive: the recorder's clock
    assert named.metadata.start_source == "file name" and named.metadata.site == "NORTH"
    rec = to_recording(named)
    assert rec.date == date(2022, 4, 10) and rec.time == time(3, 15)
    plain = read_info(write_wav(tmp_path / "plain.wav"))
    assert plain.metadata == read_metadata(plain.path)
    assert (
        plain.metadata.start is None
        and plain.start_time is None
        and plain.clock_time(5.0) is None
    )
    assert plain.metadata.describe() == ""
    rec = to_recording(plain)
    assert (
        rec.date is None
        and rec.time is None
        and rec.latitude is None
        and rec.time_expansion == 1.0
    )


# --- shown in the app -------------------------------------------------------------


def test_clock_time_on_the_axes_and_in_the_status_bar(qtbot, tmp_path: Path) -> None:
    from audioclass_gui.qt.main_window import MainWindow
    from audioclass_gui.qt.spectrogram.axes import clock_tick_values

    path = write_wav(tmp_path / "MARSH_20240601_235950.wav", seconds=30.0)
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(path)
    axis = win.view.time_axis
    assert axis.start == datetime(2024, 6, 1, 23, 59, 50)
    assert "2024-06-01" in axis.labelText and "file name" in axis.labelText
    labels = axis.tickStrings([0.0, 10.0, 20.0], 1.0, 10.0)
    assert labels == ["23:59:50", "Jun 02 00:00:00", "00:00:10"]
    assert axis.tickStrings([0.5], 1.0, 0.5) == ["23:59:50.5"]
    assert win.timeline.time_axis.start == axis.start
    assert (
        "2024-06-01 23:59:50" in win.file_label.text()
        and "MARSH" in win.file_label.text()
    )
    # Ticks fall on round clock times, whatever second the recording began.
    offset = 23 * 3600 + 59 * 60 + 47
    (major, values), (minor, _) = clock_tick_values(0.0, 30.0, 600, offset=offset)
    assert (major, minor) == (10, 5) and values == [3.0, 13.0, 23.0]
    assert all((offset + v) % major == 0 for v in values)
    # A recording without a start time keeps seconds.
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(write_wav(tmp_path / "plain.wav", seconds=3.0))
    assert win.view.time_axis.start is None and win.view.time_axis.tickStrings(
        [1.0], 1.0, 1.0
    ) == ["1"]
    win.close()


def test_time_expanded_recordings_are_shown_in_real_time_and_frequency(
    qtbot, tmp_path: Path
) -> None:
    from audioclass_gui.qt.main_window import MainWindow

    path = write_wav(
        tmp_path / "bat.wav",
        seconds=20.0,
        after=[(b"guan", b"GUANO|Version: 1.0\nTE: 10\n")],
    )
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(path)
    view = win.view
    assert view.duration == pytest.approx(2.0) and view.nyquist == pytest.approx(
        40_000.0
    )
    assert win.session.recordings[0].duration == pytest.approx(2.0)
    qtbot.waitUntil(lambda: view.painted_range is not None, timeout=10_000)
    assert view.painted_range[1] >= 2.0 - 1e-6 and view.painted_range[1] < 2.5
    rect = next(iter(view.tiles.images.values())).mapRectToParent(
        next(iter(view.tiles.images.values())).boundingRect()
    )
    assert (
        rect.top() < 0 < 39_000 < rect.bottom()
    )  # rows span the real band, up to 40 kHz
    assert "time expansion ×10" in win.file_label.text()
    win.close()
