"""The ``audioclass-gui`` command.

``audioclass-gui [FILE]`` opens the app (on a demo recording without FILE);
``audioclass-gui predict FILE...`` runs a model headless and writes a
soundevent ``ModelRun``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from audioclass_gui import __version__

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
    p.add_argument("file", nargs="?", type=Path, help="recording to open (WAV, FLAC, MP3, OGG)")
    p.add_argument("--model", help="model to select: birdnet (default), energy, or a plugin's name")
    p.add_argument("--threshold", type=_threshold, help="confidence threshold shown (default 0.25)")
    p.add_argument("--run", action="store_true", help="run the model as soon as the recording is shown")
    p.add_argument("--screenshot", type=Path, metavar="OUT.png",
                   help="save a screenshot of the window when it is ready (after --run, when given) and exit")
    p.add_argument("--size", type=_size, default=(1400, 900), metavar="WxH", help="window size")
    p.add_argument("--version", action="version", version=f"audioclass-gui {__version__}")
    return p


def _predict_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="audioclass-gui predict",
        description="Run a model over recordings without the window and write a soundevent ModelRun (AOEF JSON).",
    )
    p.add_argument("files", nargs="+", type=Path, help="recordings")
    p.add_argument("--model", default="birdnet", help="birdnet (default), energy, or a plugin's name")
    p.add_argument("--threshold", type=_threshold, default=0.1,
                   help="keep predicted tags with at least this score (default 0.1)")
    p.add_argument("--batch-size", type=int, default=None, help="frames per model call")
    p.add_argument("-o", "--output", type=Path, required=True, help="ModelRun JSON file to write")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return p


def _progress(name: str, fraction: float, started: float) -> None:
    elapsed = time.perf_counter() - started
    eta = elapsed / fraction - elapsed if fraction > 0 else 0.0
    bar = "#" * int(fraction * 30)
    print(f"\r{name[:40]:40s} [{bar:30s}] {fraction:6.1%}  eta {eta:5.0f} s", end="", file=sys.stderr)


def predict(argv: Sequence[str]) -> int:
    """Run ``audioclass-gui predict``; returns the exit code."""
    args = _predict_parser().parse_args(argv)
    from soundevent import data

    from audioclass_gui.audio.errors import AudioFileError
    from audioclass_gui.audio.info import read_info, to_recording
    from audioclass_gui.formats import model_run_from_predictions, save_aoef
    from audioclass_gui.models import create_model, get_entry, iter_predictions

    key = _model_key(args.model)
    entry = get_entry(key)
    kwargs = {"batch_size": args.batch_size} if args.batch_size else {}
    model = create_model(key, **kwargs)
    model.confidence_threshold = args.threshold
    predictions: list[data.ClipPrediction] = []
    problems: list[str] = []
    for path in args.files:
        try:
            info = read_info(path)
            for warning in info.warnings:
                problems.append(f"{info.path}: {warning} (the readable part was processed)")
            recording = to_recording(info)
            started = time.perf_counter()
            for step in iter_predictions(model, recording):
                predictions.extend(step.predictions)
                if not args.quiet:
                    _progress(info.path.name, step.fraction, started)
            if not args.quiet:
                print(file=sys.stderr)
        except AudioFileError as exc:
            problems.append(str(exc))
    provenance = {
        "model": key,
        "title": entry.title,
        "source": entry.source,
        "name": model.name,
        "version": str(getattr(model, "version", "") or ""),
        "threshold": args.threshold,
        "files": [str(p) for p in args.files],
        "app": f"audioclass-gui {__version__}",
    }
    run = model_run_from_predictions(
        predictions, name=model.name, provenance=provenance, description=entry.description
    )
    if predictions or not problems:
        out = args.output if args.output.suffix == ".json" else args.output.with_name(args.output.name + ".json")
        out.parent.mkdir(parents=True, exist_ok=True)
        save_aoef(run, out)
        if not args.quiet:
            print(f"wrote {out} ({len(predictions)} clip predictions)", file=sys.stderr)
    for problem in problems:
        print(f"audioclass-gui: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``audioclass-gui`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "predict":
        return predict(argv[1:])
    args = _gui_parser().parse_args(argv)
    from audioclass_gui.qt.app import AppOptions, run_app

    return run_app(
        AppOptions(
            path=args.file,
            model=_model_key(args.model) if args.model else None,
            threshold=args.threshold,
            run=args.run,
            screenshot=args.screenshot,
            size=args.size,
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
