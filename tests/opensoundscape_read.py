"""Read Raven selection tables with opensoundscape's own reader; print what it read as JSON.

Run by the interpreter of the environment ``packaging/bootstrap.sh test``
makes for it (``AUDIOCLASS_OSS_PYTHON``: opensoundscape 0.13.2 with torch
2.13.0 CPU, librosa, matplotlib, pandas, scikit-learn, scipy), not by the
test's own Python, which has none of these::

    python opensoundscape_read.py [--keep accepted,drawn] TABLE AUDIO [TABLE AUDIO ...]

Each table is read with ``BoxedAnnotations.from_raven_files`` alone, with
its audio file (``-``: none, as for a combined table, which spans several),
as an opensoundscape user reads one recording's table
(``annotation_column="Scientific Name"``); then the tables that have an
audio file are read in one call, as such a user loads a whole survey.
Printed: per table the rows opensoundscape read (its columns annotation,
start_time, end_time, low_f, high_f, audio_file, and the extra columns
Verdict, Begin Path and File Offset (s) it keeps), and the one-hot labels
``clip_labels`` makes from all tables for clips of ``--clip`` seconds (the
length of each file comes from the file itself, through librosa, as
opensoundscape does by default): from every row, and, for a review export,
from the rows whose Verdict is in ``--keep``.

The package is imported without running ``opensoundscape/__init__.py``:
that file imports every part of opensoundscape (its CNNs, lightning,
torchvision, torchaudio, wandb, noisereduce, the ARU metadata parser...),
none of which reading annotations uses and which are left out of the
environment (installed ``--no-deps``) to keep it a few minutes to build.
A bare module named ``opensoundscape`` whose ``__path__`` is the installed
folder stands in for the package, so ``import opensoundscape.annotations``
finds the real submodule and runs its real code, and its own imports
(``opensoundscape.utils``: librosa, matplotlib, torch) resolve the same way.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
import types
from importlib.metadata import version


def import_annotations() -> types.ModuleType:
    """``opensoundscape.annotations``, without the package's ``__init__``."""
    spec = importlib.util.find_spec("opensoundscape")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("opensoundscape is not installed in this interpreter")
    package = types.ModuleType("opensoundscape")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["opensoundscape"] = package
    import opensoundscape.annotations as annotations

    return annotations


def _value(value):
    """JSON for one cell: NaN as null, numpy scalars as Python numbers."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


#: opensoundscape's own columns, then extra columns of ours it keeps.
COLUMNS = ("annotation", "start_time", "end_time", "low_f", "high_f", "audio_file")
EXTRA = ("Verdict", "Begin Path", "File Offset (s)")


def rows(boxed) -> list[dict]:
    """The columns opensoundscape works with (and a few of ours), row by row."""
    columns = [c for c in (*COLUMNS, *EXTRA) if c in boxed.df.columns]
    return [
        {column: _value(row[column]) for column in columns}
        for _i, row in boxed.df.iterrows()
    ]


def clip_labels(boxed, clip: float) -> dict:
    """``clip_labels`` as a user calls it: classes, and per clip its 0/1 labels."""
    labels = boxed.clip_labels(clip_duration=clip, min_label_overlap=0.25)
    return {
        "classes": [str(c) for c in labels.columns],
        "clips": [
            [str(file), float(start), float(end), [int(v) for v in values]]
            for (file, start, end), values in zip(
                labels.index, labels.to_numpy(), strict=True
            )
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="+", help="TABLE AUDIO (or -), repeated")
    parser.add_argument("--column", default="Scientific Name")
    parser.add_argument("--clip", type=float, default=3.0)
    parser.add_argument("--keep", default="accepted,drawn", help="verdicts kept")
    args = parser.parse_args(argv)
    if len(args.pairs) % 2:
        parser.error("give a table and its audio file (or -), in pairs")
    pairs = list(zip(args.pairs[0::2], args.pairs[1::2], strict=True))
    boxed = import_annotations().BoxedAnnotations
    out: dict = {"version": version("opensoundscape"), "tables": {}}
    for table, audio in pairs:
        one = boxed.from_raven_files(
            table,
            annotation_column=args.column,
            audio_files=None if audio == "-" else audio,
        )
        out["tables"][table] = rows(one)
    with_audio = [(t, a) for t, a in pairs if a != "-"]
    if with_audio:
        tables, audio = (list(x) for x in zip(*with_audio, strict=True))
        survey = boxed.from_raven_files(
            tables, annotation_column=args.column, audio_files=audio
        )
        out["survey"] = rows(survey)
        out["clip_labels"] = clip_labels(survey, args.clip)
        if "Verdict" in survey.df.columns:  # a review export, not predict's table
            kept = survey.df[survey.df["Verdict"].isin(args.keep.split(","))]
            kept_boxes = boxed(df=kept, audio_files=audio)
            out["kept_clip_labels"] = clip_labels(kept_boxes, args.clip)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
