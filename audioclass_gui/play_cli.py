"""``audioclass-gui play``: listen to a span of a recording from the command line.

Plays through the same engine as the app (same feeder, filters, speed and
device fallback), so it doubles as a scripted check of playback::

    audioclass-gui play NIGHT.wav --start 61.5 --end 64 --speed 0.1 --band 15000 60000

No Qt is imported.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "parser"]


def _speed(text: str) -> float:
    from audioclass_gui.audio.playback_dsp import SPEED_MAX, SPEED_MIN

    value = float(text)
    if not SPEED_MIN <= value <= SPEED_MAX:
        raise argparse.ArgumentTypeError(
            f"the speed is between {SPEED_MIN} and {SPEED_MAX}"
        )
    return value


def _hertz(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("a frequency is 0 Hz or more")
    return value


def parser() -> argparse.ArgumentParser:
    """The ``play`` subcommand's argument parser."""
    p = argparse.ArgumentParser(
        prog="audioclass-gui play",
        description="Play a span of a recording through the app's playback engine: "
        "at a tape speed (slower is lower, like time expansion), band-passed, "
        "high-passed, with gain or normalisation.",
    )
    p.add_argument("file", nargs="?", type=Path, help="recording (WAV, FLAC, MP3, OGG)")
    p.add_argument(
        "--start",
        type=float,
        default=0.0,
        metavar="S",
        help="start, seconds (default 0)",
    )
    p.add_argument(
        "--end", type=float, metavar="E", help="end, seconds (default: end of the file)"
    )
    p.add_argument(
        "--speed",
        type=_speed,
        default=1.0,
        metavar="X",
        help="tape speed, 0.05 to 2 (default 1): 0.1 plays ten times slower and lower",
    )
    p.add_argument(
        "--band",
        type=_hertz,
        nargs=2,
        metavar=("LO", "HI"),
        help="play only LO to HI Hz",
    )
    p.add_argument(
        "--highpass", type=_hertz, metavar="HZ", help="high-pass against wind and hum"
    )
    p.add_argument(
        "--gain", type=float, default=0.0, metavar="DB", help="gain in dB (default 0)"
    )
    p.add_argument(
        "--normalise",
        "--normalize",
        action="store_true",
        help="bring the loudest sample to -1 dBFS",
    )
    p.add_argument(
        "--channel",
        type=int,
        metavar="N",
        help="play channel N (1 = first); default: mix",
    )
    p.add_argument(
        "--device",
        metavar="NAME",
        help="output device (see --list-devices); default: system default",
    )
    p.add_argument(
        "--output-rate",
        type=int,
        metavar="HZ",
        help="device rate to resample to (default: the tape rate if the device accepts it)",
    )
    p.add_argument(
        "--time-expansion",
        type=float,
        default=1.0,
        metavar="F",
        help="the recording is time expanded by F: it plays at its stored rate",
    )
    p.add_argument(
        "--list-devices", action="store_true", help="list output devices and exit"
    )
    p.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors"
    )
    return p


def _fail(message: str, code: int = 1) -> int:
    print(f"audioclass-gui: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str]) -> int:
    """Run ``audioclass-gui play``; returns the exit code.

    0 when the span was played to its end, 1 when the file or the output
    failed, 2 when playback is unavailable here, 130 when interrupted.
    """
    p = parser()
    args = p.parse_args(list(argv))
    from audioclass_gui.audio.errors import AudioFileError
    from audioclass_gui.audio.info import read_info
    from audioclass_gui.audio.playback import PlaybackEngine, PlaybackError
    from audioclass_gui.audio.playback_dsp import PlaybackOptions

    engine = PlaybackEngine(device=args.device)
    if args.list_devices:
        if not engine.available:
            return _fail(engine.reason, 2)
        for dev in engine.output_devices():
            mark = "*" if dev.is_default else " "
            print(f"{mark} {dev.name}  ({dev.hostapi}, {dev.default_samplerate:g} Hz)")
        return 0
    if args.file is None:
        p.error("FILE is required (or --list-devices)")
    try:
        options = PlaybackOptions(
            speed=args.speed,
            band=tuple(args.band) if args.band else None,
            highpass=args.highpass,
            gain_db=args.gain,
            normalise=args.normalise,
            output_rate=args.output_rate,
        )
    except ValueError as exc:
        p.error(str(exc))
    try:  # the file first: a missing or unreadable file is said whatever the device
        info = read_info(args.file)
    except AudioFileError as exc:
        return _fail(str(exc))
    if not engine.available:
        return _fail(f"{info.path}: {engine.reason}", 2)
    try:
        end = info.duration if args.end is None else min(args.end, info.duration)
        start = max(0.0, args.start)
        if end <= start:
            return _fail(
                f"{info.path}: nothing to play between {start:g} s and {end:g} s "
                f"(the recording lasts {info.duration:.2f} s)"
            )
        channel = None if args.channel is None else args.channel - 1
        setup = engine.play_file(
            info.path,
            start,
            end,
            options=options,
            channel=channel,
            info=info,
            time_expansion=args.time_expansion,
        )
    except (AudioFileError, PlaybackError) as exc:
        return _fail(str(exc))
    if setup is None:
        return _fail(f"{info.path}: nothing to play")
    if setup.notice:
        print(f"audioclass-gui: {setup.notice}", file=sys.stderr)
    if not args.quiet:
        rate = f"{setup.output_rate} Hz" + (
            f" (resampled from {setup.tape_rate} Hz)" if setup.resampled else ""
        )
        print(
            f"Playing {info.path.name} {start:.3f}-{end:.3f} s at {setup.speed:g}x, {rate}",
            file=sys.stderr,
        )
    try:
        while engine.is_playing():
            time.sleep(0.02)
    except KeyboardInterrupt:
        engine.stop()
        return 130
    error = engine.take_error()
    if error:
        return _fail(error)
    return 0
