"""The ``audioclass-gui`` command.

``audioclass-gui [FILE]`` opens the app (on a demo recording without FILE;
a recording's review is kept in the app's data folder, see
:mod:`audioclass_gui.project.implicit`);
``audioclass-gui predict INPUT... -o OUT`` runs a model headless over files
and folders (see :mod:`audioclass_gui.batch`) and writes a soundevent
``ModelRun`` per recording, plus Raven and CSV tables on request.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from audioclass_gui import __version__

if TYPE_CHECKING:
    from audioclass_gui.models.settings import RunSettings

__all__ = ["main"]


def _model_key(name: str) -> str:
    from audioclass_gui.models import get_entry

    try:
        return get_entry(name).key
    except KeyError as exc:
        raise SystemExit(f"audioclass-gui: {exc.args[0] if exc.args else exc}") from None


def _threshold(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("the threshold is a score between 0 and 1")
    return value


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError("give the size as WIDTHxHEIGHT, e.g. 1400x900") from None
    return w, h


def _gui_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="audioclass-gui",
        description="Review what audio classifiers found in field recordings. "
        "Without FILE, opens a demo recording. Subcommand: 'predict' (run headless).",
    )
    p.add_argument("file", nargs="?", type=Path,
                   help="recording to open (WAV, FLAC, MP3, OGG), or a folder (or .jsonl project file) "
                   "to review as a project. Every verdict is saved as it is made: a recording's "
                   "review in the app's data folder (AUDIOCLASS_GUI_DATA_DIR overrides it), so it "
                   "is back when the file is opened again")
    p.add_argument("--model", help="model to select: birdnet (default), energy, or a plugin's name")
    p.add_argument("--threshold", type=_threshold, help="confidence threshold shown (default 0.25)")
    p.add_argument("--thresholds", type=Path, metavar="CSV",
                   help="per-species thresholds to apply at start (a thresholds CSV with species and "
                   "threshold columns, as Review > Precision per species saves it); other species "
                   "use --threshold")
    p.add_argument("--run", action="store_true", help="run the model as soon as the recording is shown")
    p.add_argument("--screenshot", type=Path, metavar="OUT.png",
                   help="save a screenshot of the window when it is ready (after --run, when given) and exit")
    p.add_argument("--export", type=Path, metavar="OUT.json",
                   help="when the window is ready (after --run, when given), export the review as "
                   "soundevent AOEF to OUT.json (and OUT.model_run.json), then exit")
    p.add_argument("--size", type=_size, default=(1400, 900), metavar="WxH", help="window size")
    p.add_argument("--show", choices=("species", "precision", "shortcuts", "about"),
                   help="with --screenshot: bring this forward first (the species panel with its "
                   "busiest species chosen; or the precision report, shortcuts or about dialog, "
                   "which is then what is saved)")
    p.add_argument("--version", action="version", version=f"audioclass-gui {__version__}")
    return p


def _positive(kind: type) -> Callable[[str], object]:
    def parse(text: str) -> object:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError("must be greater than 0")
        return value

    return parse


def _predict_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="audioclass-gui predict",
        description="Run a model over recordings and folders of recordings (searched recursively "
        "for WAV, FLAC, MP3, OGG) without the window. Writes one predictions file "
        "(NAME.predictions.arrow, which review projects open at once) per recording, and "
        "optionally soundevent ModelRuns (AOEF JSON), Raven selection tables and CSV tables. "
        "An interrupted run resumes where it stopped when run again with the same arguments.",
    )
    p.add_argument(
        "inputs", nargs="+", type=Path, metavar="INPUT", help="recordings and folders"
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="OUT",
        help="output folder (outputs mirror the input folders); with one recording, "
        "OUT.json writes that file instead",
    )
    p.add_argument(
        "--aoef",
        action="store_true",
        help="also write a soundevent ModelRun (AOEF JSON) per recording (NAME.model_run.json), "
        "for other soundevent tools; always written when OUT is a .json file",
    )
    p.add_argument(
        "--raven",
        action="store_true",
        help="also write a Raven selection table per recording (NAME.selection.table.txt)",
    )
    p.add_argument(
        "--csv",
        action="store_true",
        help="also write a CSV table per recording, with BirdNET-Analyzer's columns (NAME.results.csv)",
    )
    p.add_argument(
        "--embeddings",
        action="store_true",
        help="also keep the model's features of every window (BirdNET: 1,024 numbers, "
        "stored as float16) in OUT/embeddings/, for 'audioclass-gui search'",
    )
    p.add_argument(
        "--birdnet-names",
        action="store_true",
        help="name the tables as BirdNET-Analyzer does (NAME.BirdNET.selection.table.txt, "
        "NAME.BirdNET.results.csv), so that its segments command finds them",
    )
    m = p.add_argument_group("model")
    m.add_argument(
        "--model",
        default="birdnet",
        help="birdnet (default), energy, or a plugin's name",
    )
    m.add_argument(
        "--threshold",
        type=_threshold,
        default=0.1,
        help="keep predicted tags scoring above this (default 0.1)",
    )
    m.add_argument(
        "--top-k",
        type=_positive(int),
        metavar="K",
        help="keep at most K classes per window",
    )
    m.add_argument(
        "--sensitivity",
        type=float,
        default=1.0,
        help="BirdNET's sensitivity, 0.5-1.5 (default 1)",
    )
    m.add_argument(
        "--overlap",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="overlap of consecutive windows in seconds (default 0)",
    )
    m.add_argument(
        "--channel",
        type=_positive(int),
        metavar="N",
        help="analyse channel N (1 = first); default: mix all channels",
    )
    m.add_argument(
        "--start",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="analyse from here on",
    )
    m.add_argument("--end", type=float, metavar="SECONDS", help="analyse up to here")
    m.add_argument(
        "--species-list",
        type=Path,
        metavar="FILE",
        help="only these species (scientific names, or BirdNET 'Genus species_Common Name' lines)",
    )
    m.add_argument(
        "--lat", type=float, help="latitude of the site, for the location filter"
    )
    m.add_argument("--lon", type=float, help="longitude of the site")
    m.add_argument(
        "--week",
        type=int,
        help="week of the year, 1-48 (BirdNET's calendar), -1 for all year",
    )
    m.add_argument(
        "--language",
        help="language of common names, e.g. de (needs a label file for it)",
    )
    m.add_argument(
        "--time-expansion",
        type=_positive(float),
        default=1.0,
        metavar="F",
        help="time-expansion factor of the recordings (e.g. 10 for bat detectors); times stay real",
    )
    m.add_argument(
        "--resampler",
        choices=("kaiser_fast", "soxr_vhq"),
        help="how recordings not at the model's rate are resampled: kaiser_fast "
        "(BirdNET-Analyzer's, the default: its scores) or soxr_vhq (closer to ideal)",
    )
    m.add_argument(
        "--batch-size", type=_positive(int), default=None, help="windows per model call"
    )
    r = p.add_argument_group("running")
    r.add_argument(
        "--workers",
        type=_positive(int),
        metavar="N",
        help="parallel workers on this machine (default: one per core)",
    )
    r.add_argument(
        "--executor",
        choices=("threads", "processes"),
        default="threads",
        help="run workers as threads (default, measured fastest) or processes",
    )
    r.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="send one task per recording to this dask.distributed scheduler "
        "(tcp://host:8786), or 'local' to start a local cluster; needs audioclass-gui[cluster]",
    )
    r.add_argument(
        "--redo",
        action="store_true",
        help="process every recording again, even those an earlier run finished",
    )
    r.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar or summary on stderr",
    )
    return p


def _settings(args: argparse.Namespace) -> RunSettings:
    from audioclass_gui.models.settings import RunSettings

    settings = RunSettings(
        threshold=args.threshold,
        top_k=args.top_k,
        sensitivity=args.sensitivity,
        overlap_seconds=args.overlap,
        channel=None if args.channel is None else args.channel - 1,
        start=args.start,
        end=args.end,
        latitude=args.lat,
        longitude=args.lon,
        week=args.week,
        language=args.language,
        batch_size=args.batch_size,
        resampler=args.resampler,
    )
    if args.species_list is not None:
        settings = settings.with_species_file(args.species_list)
    return settings


class _Progress:
    """Batch events (see ``audioclass_gui.batch.BatchEvents``) shown as a tqdm
    bar over seconds of audio, with the files done and the ETA."""

    def __init__(self, quiet: bool, model: str) -> None:
        self.quiet = quiet
        self.model = model
        self.bar = None
        self.files = 0
        self.total_files = 0

    def started(self, jobs, skipped, total_seconds: float, executor: str) -> None:
        self.total_files = len(jobs)
        if self.quiet:
            return
        if skipped:
            print(
                f"{len(skipped)} recording(s) already finished by an earlier run: skipped "
                "(--redo processes them again)",
                file=sys.stderr,
            )
        if not jobs:
            return
        from tqdm import tqdm

        self.bar = tqdm(
            total=round(total_seconds, 1),
            unit="s",
            unit_scale=True,
            file=sys.stderr,
            desc=f"{self.model} [{executor}]",
            dynamic_ncols=True,
            mininterval=0.5,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} s of audio "
            "[{elapsed}<{remaining}, {rate_fmt}]{postfix}",
        )
        self.bar.set_postfix_str(f"0/{self.total_files} files")

    def advanced(self, seconds: float, job) -> None:
        if self.bar is not None:
            self.bar.update(min(seconds, max(0.0, self.bar.total - self.bar.n)))

    def finished(self, result) -> None:
        self.files += 1
        if self.bar is not None:
            self.bar.set_postfix_str(
                f"{self.files}/{self.total_files} files", refresh=False
            )

    def problem(self, message: str) -> None:
        pass

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _feature_sink(args: argparse.Namespace, key: str):
    if not args.embeddings:
        return None
    from audioclass_gui.embeddings.batch_sink import StoreSink

    return StoreSink(args.output, key)


def predict(argv: Sequence[str]) -> int:
    """Run ``audioclass-gui predict``; returns the exit code."""
    args = _predict_parser().parse_args(argv)
    from audioclass_gui.batch import (
        BatchConfig,
        BatchError,
        JournalLockedError,
        run_batch,
    )

    key = _model_key(args.model)
    try:
        settings = _settings(args)
    except ValueError as exc:
        print(f"audioclass-gui predict: {exc}", file=sys.stderr)
        return 2
    config = BatchConfig(
        output=args.output,
        model=key,
        settings=settings,
        raven=args.raven,
        csv=args.csv,
        aoef=args.aoef,
        birdnet_names=args.birdnet_names,
        executor=args.executor,
        workers=args.workers,
        cluster=args.cluster,
        resume=not args.redo,
        time_expansion=args.time_expansion,
        features=_feature_sink(args, key),
    )
    progress = _Progress(args.quiet, key)
    try:
        report = run_batch(args.inputs, config, progress)
    except KeyboardInterrupt:
        progress.close()
        print(
            "audioclass-gui predict: interrupted. Finished recordings are kept; run the same "
            "command again to go on with the rest.",
            file=sys.stderr,
        )
        return 130
    except (BatchError, JournalLockedError, ValueError, OSError) as exc:
        progress.close()
        print(f"audioclass-gui predict: {exc}", file=sys.stderr)
        return 2
    finally:
        progress.close()
    if not args.quiet:
        done = len(report.finished)
        rate = report.seconds / report.wall_seconds if report.wall_seconds > 0 else 0.0
        print(
            f"{done} recording(s) processed, {len(report.skipped)} skipped as finished earlier: "
            f"{report.seconds:.0f} s of audio in {report.wall_seconds:.1f} s ({rate:.0f}x realtime"
            f"{', ' + report.executor if report.executor else ''})",
            file=sys.stderr,
        )
        if len(report.finished) == 1 and not report.skipped:
            outputs = report.finished[0].job.outputs
            print(f"wrote {outputs.model_run or outputs.predictions}", file=sys.stderr)
    for problem in report.problems:
        print(f"audioclass-gui: {problem}", file=sys.stderr)
    return 1 if report.problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``audioclass-gui`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "predict":
        return predict(argv[1:])
    if argv and argv[0] == "export":
        return __import__("audioclass_gui.export_cli", fromlist=["main"]).main(argv[1:])
    if argv and argv[0] == "play":
        return __import__("audioclass_gui.play_cli", fromlist=["main"]).main(argv[1:])
    if argv and argv[0] == "search":
        return __import__("audioclass_gui.search_cli", fromlist=["main"]).main(argv[1:])
    if argv and argv[0] == "report":
        return __import__("audioclass_gui.report_cli", fromlist=["main"]).main(argv[1:])
    if argv and argv[0] == "train":
        return __import__("audioclass_gui.train_cli", fromlist=["main"]).main(argv[1:])
    if argv and argv[0] == "embed":
        return __import__("audioclass_gui.search_cli", fromlist=["embed_main"]).embed_main(argv[1:])
    args = _gui_parser().parse_args(argv)
    from audioclass_gui.qt.app import AppOptions, run_app

    return run_app(
        AppOptions(
            path=args.file,
            model=_model_key(args.model) if args.model else None,
            threshold=args.threshold,
            run=args.run,
            screenshot=args.screenshot,
            export=args.export,
            size=args.size,
            show=args.show,
            thresholds=args.thresholds,
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
