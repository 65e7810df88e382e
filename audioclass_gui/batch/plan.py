"""Where each recording's outputs go, and how a long recording is split.

Output layout
-------------
With an output folder, a recording ``<input>/site1/rec.wav`` writes::

    <out>/site1/rec.predictions.arrow       # always: the predictions store file
    <out>/site1/rec.model_run.json          # with --aoef: a soundevent ModelRun
    <out>/site1/rec.selection.table.txt     # with --raven
    <out>/site1/rec.results.csv             # with --csv

mirroring the recordings' folders relative to the common folder of the
inputs. With an output file (``-o run.json``, one recording), the model run
is that file and the others sit beside it (``run.predictions.arrow``,
``run.selection.table.txt``, ``run.results.csv``).

With BirdNET-Analyzer's names (``--birdnet-names``) the tables are
``rec.BirdNET.selection.table.txt`` and ``rec.BirdNET.results.csv``, as
BirdNET-Analyzer names them, so that its ``segments`` command finds them
(it pairs ``<stem>.BirdNET.*`` result files with the audio files of the
same stem in the same relative folder).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.batch.scan import Source
from audioclass_gui.formats.csv_table import CSV_SUFFIX
from audioclass_gui.formats.raven import RAVEN_SUFFIX

__all__ = [
    "BIRDNET_CSV_SUFFIX",
    "BIRDNET_RAVEN_SUFFIX",
    "MODEL_RUN_SUFFIX",
    "PREDICTIONS_SUFFIX",
    "Job",
    "OutputPaths",
    "Segment",
    "outputs_for",
    "split_span",
]

#: File name ending of the model runs ``audioclass-gui predict`` writes.
MODEL_RUN_SUFFIX = ".model_run.json"
#: File name ending of the predictions store files it writes.
PREDICTIONS_SUFFIX = ".predictions.arrow"
#: BirdNET-Analyzer's name endings of its Raven and CSV tables.
BIRDNET_RAVEN_SUFFIX = ".BirdNET" + RAVEN_SUFFIX
BIRDNET_CSV_SUFFIX = ".BirdNET" + CSV_SUFFIX


@dataclass(frozen=True)
class OutputPaths:
    """The files written for one recording.

    Attributes
    ----------
    predictions
        The predictions store file (Arrow; what projects read).
    model_run
        The soundevent ``ModelRun`` (AOEF JSON), or None when not asked for.
    raven, csv
        The Raven selection table and the CSV table, or None when not asked for.
    """

    predictions: Path
    model_run: Path | None = None
    raven: Path | None = None
    csv: Path | None = None

    def all(self) -> list[Path]:
        """Every path, the predictions store file first."""
        return [
            p
            for p in (self.predictions, self.model_run, self.raven, self.csv)
            if p is not None
        ]


@dataclass(frozen=True)
class Job:
    """One recording to process.

    Attributes
    ----------
    info
        Its header facts (already checked).
    outputs
        Where its results go.
    key
        Stable name of the job in the resume journal (the output path of
        its predictions file, relative to the output folder, or its name).
    """

    info: RecordingInfo
    outputs: OutputPaths
    key: str

    @property
    def path(self) -> Path:
        """The audio file."""
        return self.info.path


@dataclass(frozen=True)
class Segment:
    """A part of a recording processed as one task.

    Attributes
    ----------
    index, count
        Its position among the recording's segments.
    start, end
        Audio to read, in real seconds (``end=None``: to the end).
    keep_before
        Keep only windows starting before this time (None: all). A
        segment reads ``overlap`` seconds past its share so that its last
        windows are whole; the windows starting there belong to the next.
    """

    index: int
    count: int
    start: float
    end: float | None
    keep_before: float | None


def outputs_for(
    source: Source,
    output: Path,
    *,
    single_file: bool,
    raven: bool,
    csv: bool,
    aoef: bool = False,
    birdnet_names: bool = False,
) -> OutputPaths:
    """The output paths of one recording (see the module docstring).

    ``aoef``: also write a ``ModelRun`` (always, for a ``.json`` output file).
    ``birdnet_names``: name the tables as BirdNET-Analyzer does.
    """
    raven_suffix = BIRDNET_RAVEN_SUFFIX if birdnet_names else RAVEN_SUFFIX
    csv_suffix = BIRDNET_CSV_SUFFIX if birdnet_names else CSV_SUFFIX
    if single_file:
        stem = output.with_suffix("") if output.suffix.lower() == ".json" else output
        stem = stem.with_name(stem.name.removesuffix(".model_run"))
        model_run = (
            output
            if output.suffix.lower() == ".json"
            else output.with_name(output.name + ".json")
        )
        aoef = aoef or output.suffix.lower() == ".json"
    else:
        stem = output.joinpath(*source.relative.parts)
        model_run = stem.with_name(stem.name + MODEL_RUN_SUFFIX)
    return OutputPaths(
        predictions=stem.with_name(stem.name + PREDICTIONS_SUFFIX),
        model_run=model_run if aoef else None,
        raven=stem.with_name(stem.name + raven_suffix) if raven else None,
        csv=stem.with_name(stem.name + csv_suffix) if csv else None,
    )


def split_span(
    duration: float,
    *,
    start: float,
    end: float | None,
    frame_seconds: float,
    overlap: float,
    segment_seconds: float,
) -> list[Segment]:
    """Split ``[start, end)`` of a recording into segments of whole hops.

    Windows start every ``hop = frame_seconds - overlap`` seconds from
    ``start``. Each segment owns the windows starting in its share (a
    whole number of hops, about ``segment_seconds`` long) and reads
    ``overlap`` seconds further so that they are complete; running the
    segments and concatenating what each keeps gives the same windows as
    one run over the span.

    Parameters
    ----------
    duration
        Length of the recording in real seconds.
    start, end
        The span to process (``end=None``: to the end).
    frame_seconds, overlap
        Window length and overlap of consecutive windows, in seconds.
    segment_seconds
        Wanted length of a segment; 0 or a span shorter than twice it
        gives one segment.

    Returns
    -------
    list of Segment
        At least one.
    """
    stop = duration if end is None else min(end, duration)
    hop = frame_seconds - overlap
    span = stop - start
    if segment_seconds <= 0 or hop <= 0 or span < 2 * segment_seconds:
        return [Segment(0, 1, start, end, None)]
    hops_per_segment = max(1, round(segment_seconds / hop))
    # As the framing does: windows are added until one reaches the end.
    windows = 1 + math.ceil(max(0.0, span - frame_seconds) / hop - 1e-9)
    count = math.ceil(windows / hops_per_segment)
    segments = []
    for i in range(count):
        seg_start = start + i * hops_per_segment * hop
        if i == count - 1:
            segments.append(Segment(i, count, seg_start, end, None))
        else:
            share_end = start + (i + 1) * hops_per_segment * hop
            segments.append(
                Segment(i, count, seg_start, min(stop, share_end + overlap), share_end)
            )
    return segments
