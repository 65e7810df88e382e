"""``audioclass-gui export``: write a review's exports without opening the window.

::

    audioclass-gui export PROJECT --format aoef|raven|audacity|csv|thresholds|clips|all -o OUT

PROJECT is the folder the app reviewed (its state is in
``PROJECT/.audioclass-gui/``), a ``.jsonl`` project file, or a recording
reviewed on its own (its review is kept in the app's data folder, see
:mod:`audioclass_gui.project.implicit`). The project is
opened read-only, so this works while the app has it open. ``--format``
may be repeated or comma-separated; with several formats, or ``all``, OUT
is a folder that receives each under the names of
:data:`audioclass_gui.formats.exports.FOLDER_NAMES`. ``all`` is every
format but ``clips`` (audio clips of the verified detections, boxes and
events, :mod:`audioclass_gui.formats.clips`), which can take gigabytes and
is written only when named; its ``--clip-*`` options say which clips and how.

Raven tables carry Raven Pro's measurement columns (Delta Time, Peak Freq,
Peak Power Density, Center Freq, Freq 5% / 95%, BW 90%, Dur 90%:
:mod:`audioclass_gui.formats.raven_measurements`) for the drawn boxes;
``--measure`` measures the accepted detections too (with a progress bar),
``--no-measure`` nothing (no audio is read). Measurements use the app's
default spectrogram settings (Hann, 1024 samples, 75 % overlap, the mix of
all channels) unless ``--measure-window``, ``--measure-size``,
``--measure-overlap`` and ``--measure-channel`` say otherwise (as Raven's
spectrogram settings would: its measurements depend on them).

Verdicts that cannot be exported (their recording is missing, or its file
changed since they were made) are listed on stderr with their counts, and
the command exits with :data:`EXIT_LEFT_OUT` without writing anything,
unless ``--allow-missing`` is given: then it exports what it can and writes
the verdicts left out to ``left_out.verdicts.csv`` (in OUT when OUT is a
folder, else beside it as ``<OUT stem>.left_out.csv``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["EXIT_LEFT_OUT", "main"]

#: Exit status when verdicts would be left out and ``--allow-missing`` was not given.
EXIT_LEFT_OUT = 3

_FORMATS = ("aoef", "raven", "audacity", "csv", "thresholds")
_CLIPS = "clips"


def _formats(text: str) -> list[str]:
    out = []
    for part in text.split(","):
        part = part.strip().lower()
        if part == "all":
            out.extend(_FORMATS)
        elif part in (*_FORMATS, _CLIPS):
            out.append(part)
        else:
            raise argparse.ArgumentTypeError(
                f"unknown format {part!r} (choose from {', '.join(_FORMATS)}, {_CLIPS}, all)"
            )
    return out


def _precision(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError("the target precision is between 0 and 1")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="audioclass-gui export",
        description="Export a review (verdicts, boxes and the model runs) without opening the "
        "window. Files are written atomically: a crash never leaves a half-written file.",
    )
    p.add_argument(
        "project",
        type=Path,
        help="the reviewed folder, a .jsonl project file, or a recording reviewed on its own",
    )
    p.add_argument(
        "-f",
        "--format",
        dest="formats",
        type=_formats,
        action="append",
        required=True,
        metavar="FORMAT",
        help="aoef, raven, audacity, csv, thresholds, clips, or all (every one but clips; "
        "repeat or comma-separate)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="file (aoef: .json; csv, thresholds: .csv) or folder (raven, audacity, "
        "clips, several formats)",
    )
    p.add_argument(
        "--include-unreviewed",
        action="store_true",
        help="raven, audacity, csv: also list detections without a verdict",
    )
    p.add_argument(
        "--only-accepted",
        action="store_true",
        help="raven, audacity, csv: list only accepted detections (a relabel under its new "
        "species) and drawn boxes, not rejected or uncertain ones: the rows tools that read "
        "only the species column count as present",
    )
    p.add_argument(
        "--audacity-no-bands",
        dest="audacity_bands",
        action="store_false",
        help="audacity: plain label tracks, no frequency line under each label "
        "(crowsetta reads these as 'aud-seq'; the default as 'aud-bbox')",
    )
    p.add_argument(
        "--raven-combined-only",
        dest="raven_per_recording",
        action="store_false",
        help="raven: write only the combined table (one file for the whole project, "
        "opened in Raven with its sound files through Begin Path), not one per recording",
    )
    measure = p.add_mutually_exclusive_group()
    measure.add_argument(
        "--measure",
        dest="measure",
        action="store_const",
        const="accepted",
        default="boxes",
        help="raven: measure the accepted detections too (Raven's Peak Freq, Freq 5%%, "
        "BW 90%%... columns; the spectrogram of every window: some hundred a second), not only "
        "the drawn boxes",
    )
    measure.add_argument(
        "--no-measure",
        dest="measure",
        action="store_const",
        const="none",
        help="raven: no measurement columns, not even for drawn boxes (the audio is not read)",
    )
    settings = p.add_argument_group(
        "measurements", "the spectrogram Raven's measurement columns are taken from"
    )
    settings.add_argument(
        "--measure-window",
        default="hann",
        metavar="NAME",
        help="raven: analysis window (hann, hamming, blackman, ...; default hann)",
    )
    settings.add_argument(
        "--measure-size",
        type=_rate,
        default=1024,
        metavar="SAMPLES",
        help="raven: window size in samples (default 1024)",
    )
    settings.add_argument(
        "--measure-overlap",
        type=float,
        default=75.0,
        metavar="PERCENT",
        help="raven: overlap of successive windows, 0 to 99 %% (default 75)",
    )
    settings.add_argument(
        "--measure-channel",
        type=_rate,
        default=None,
        metavar="N",
        help="raven: measure channel N (1 = first) where a recording has it "
        "(default: the mix of all channels)",
    )
    p.add_argument(
        "--target-precision",
        type=_precision,
        default=0.9,
        help="thresholds: precision each species' threshold must reach (default 0.9)",
    )
    p.add_argument(
        "--min-reviewed",
        type=int,
        default=1,
        help="thresholds: fewest reviewed detections a threshold may rest on (default 1)",
    )
    p.add_argument("--name", help="aoef: name of the annotation project")
    _clip_arguments(p)
    p.add_argument(
        "--summary",
        action="store_true",
        help="print a JSON summary of the review on stdout",
    )
    p.add_argument(
        "--allow-missing",
        action="store_true",
        help="export even if verdicts of missing or changed recordings cannot be "
        "(they go to a left_out table); without it the export stops with status "
        f"{EXIT_LEFT_OUT}",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on stderr")
    return p


def _clip_arguments(p: argparse.ArgumentParser) -> None:
    clips = p.add_argument_group(
        "clips", "audio clips of verified detections, boxes and events"
    )
    clips.add_argument(
        "--clip-format",
        choices=("wav", "flac"),
        default="wav",
        help="clips: WAV (default) or FLAC",
    )
    clips.add_argument(
        "--context",
        type=_seconds,
        default=0.0,
        metavar="S",
        help="clips: seconds of audio before and after each clip, clamped to "
        "the recording (default 0)",
    )
    clips.add_argument(
        "--clip-rate",
        type=_rate,
        default=None,
        metavar="HZ",
        help="clips: resample to this rate (default: each recording's own)",
    )
    clips.add_argument(
        "--clip-status",
        type=_words,
        default="accepted",
        metavar="accepted[,rejected,uncertain]",
        help="clips: verdicts of the detections and events to clip (rejected "
        "and uncertain ones as negatives, below rejected/ and uncertain/)",
    )
    clips.add_argument(
        "--clip-what",
        type=_words,
        default="detections,boxes",
        metavar="detections[,boxes,events]",
        help="clips: of detections, drawn boxes and/or vocal events "
        "(default detections,boxes)",
    )
    clips.add_argument(
        "--event-gap",
        type=_seconds,
        default=0.0,
        metavar="S",
        help="clips of events: seconds that may separate two detections "
        "of one event (default 0: they touch or overlap)",
    )
    clips.add_argument(
        "--clip-band",
        action="store_true",
        help="clips: band-pass a box's clip to the box's frequency band",
    )
    clips.add_argument(
        "--clip-channel",
        type=_rate,
        default=None,
        metavar="N",
        help="clips: take channel N (1 = first) instead of the mono mix",
    )


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0.0:
        raise argparse.ArgumentTypeError(f"{text} s: give 0 or more seconds")
    return value


def _rate(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text}: give a positive whole number")
    return value


def _words(text: str) -> frozenset[str]:
    return frozenset(w.strip().lower() for w in text.split(",") if w.strip())


def _clip_options(args: argparse.Namespace):
    """The ``--clip-*`` options as ClipOptions (ValueError names a bad one)."""
    from audioclass_gui.formats.clip_plan import ClipOptions

    return ClipOptions(
        fmt=args.clip_format,
        context=args.context,
        samplerate=args.clip_rate,
        statuses=args.clip_status,
        kinds=args.clip_what,
        band=args.clip_band,
        channel=None if args.clip_channel is None else args.clip_channel - 1,
        event_gap=args.event_gap,
    )


def _locate(path: Path) -> tuple[Path, Path | None]:
    """The project to open for PROJECT, and the folder exports start from (None: its root).

    A recording stands for the review the app keeps for it; the exports'
    paths then start from the recording's folder.

    Raises
    ------
    FileNotFoundError
        If the recording was never reviewed on its own.
    """
    from audioclass_gui.audio.info import AUDIO_EXTENSIONS

    if path.suffix.lower() not in AUDIO_EXTENSIONS or path.is_dir():
        return path, None
    from audioclass_gui.project.implicit import find_implicit_project

    found = find_implicit_project(path)
    if found is None:
        raise FileNotFoundError(
            f"{path}: no review of this recording is kept; open it in the app "
            f"(audioclass-gui {path}) and review it first"
        )
    return found, path.expanduser().absolute().parent


def _measured_rows(session, args: argparse.Namespace):
    """The tables' rows with Raven's measurements of the boxes (``--measure``: and accepted
    detections), with a progress bar and the rows left unmeasured on stderr."""
    from audioclass_gui.formats.exports import table_rows
    from audioclass_gui.formats.raven_measurements import measure_rows

    rows = table_rows(
        session, include_unreviewed=args.include_unreviewed, only_accepted=args.only_accepted
    )
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if args.quiet or total < 200:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="rows", desc="measuring", file=sys.stderr, mininterval=0.5)
        bar.update(done - bar.n)

    measured = measure_rows(rows, args.measure, _measure_params(args), progress=progress)
    if bar is not None:
        bar.close()
    for problem in measured.problems if not args.quiet else ():
        print(f"audioclass-gui: measurements: {problem}", file=sys.stderr)
    return measured.rows


def _measure_params(args: argparse.Namespace):
    """The ``--measure-*`` options as SpectrogramParams (ValueError names a bad one)."""
    from audioclass_gui.spectrogram import SpectrogramParams

    if not 0.0 <= args.measure_overlap < 100.0:
        raise ValueError(
            f"--measure-overlap {args.measure_overlap:g}: give 0 to 99 percent"
        )
    try:
        return SpectrogramParams(
            window_length=args.measure_size,
            window=args.measure_window,
            overlap=args.measure_overlap / 100.0,
            channel=None if args.measure_channel is None else args.measure_channel - 1,
        )
    except ValueError as exc:
        raise ValueError(f"--measure-window/--measure-size: {exc}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``audioclass-gui export``; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    formats = list(dict.fromkeys(f for group in args.formats for f in group))
    try:
        _measure_params(args)  # a bad setting is said before anything is read
    except ValueError as exc:
        parser.error(str(exc))
    from audioclass_gui.formats.exports import (
        FOLDER_NAMES,
        LeftOutError,
        check_left_out,
        export,
        left_out_target,
        write_left_out,
    )
    from audioclass_gui.project import ReviewProject

    try:
        where, root = _locate(args.project)
        project = ReviewProject.open(where, read_only=True)
        clip_options = _clip_options(args) if _CLIPS in formats else None
    except (FileNotFoundError, OSError, ValueError) as exc:
        print(f"audioclass-gui: {exc}", file=sys.stderr)
        return 1
    session = project.session
    if not args.quiet:
        for problem in project.problems:
            print(f"audioclass-gui: {problem}", file=sys.stderr)
    options = {
        "include_unreviewed": args.include_unreviewed,
        "audacity_bands": args.audacity_bands,
        "raven_per_recording": args.raven_per_recording,
        "only_accepted": args.only_accepted,
        "target_precision": args.target_precision,
        "min_reviewed": args.min_reviewed,
        "name": args.name,
        "root": root or project.root,
        "clip_options": clip_options,
    }
    left_out = project.left_out()
    try:
        check_left_out(left_out, allow_missing=args.allow_missing)
    except LeftOutError as exc:
        print(
            "audioclass-gui: nothing exported: these verdicts cannot be exported "
            "(give --allow-missing to export the rest):",
            file=sys.stderr,
        )
        for group in exc.left_out:
            print(f"  {group.describe(project.root)}", file=sys.stderr)
        return EXIT_LEFT_OUT
    written: list[Path] = []
    try:
        if "raven" in formats and args.measure != "none":
            options["selections"] = _measured_rows(session, args)
        for fmt in formats:
            out = args.output / FOLDER_NAMES[fmt] if len(formats) > 1 else args.output
            written += export(session, fmt, out, **options)
        if left_out:
            target = left_out_target(args.output, formats)
            written.append(write_left_out(left_out, target))
            for group in left_out if not args.quiet else ():
                print(f"audioclass-gui: left out: {group.describe(project.root)}", file=sys.stderr)
            if not args.quiet:
                print(f"audioclass-gui: the verdicts left out are in {target}", file=sys.stderr)
    except (OSError, ValueError) as exc:
        print(f"audioclass-gui: export failed: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    if args.summary:
        print(json.dumps(project.describe(), indent=1))
    if not args.quiet:
        counts = {s.value: n for s, n in session.counts().items()}
        print(
            f"exported {len(session)} detections of {len(session.recordings)} recordings "
            f"({', '.join(f'{n} {s}' for s, n in counts.items())}; "
            f"{len(session.boxes())} boxes) to {len(written)} files",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
