"""Audio clips of verified detections, drawn boxes and events, with a manifest.

The training-data export: one WAV or FLAC file per accepted detection (and,
on request, per rejected or uncertain one, as negatives), per drawn box and
per vocal event, with ``context`` seconds of audio before and after
(clamped to the recording's ends), at the recording's rate or resampled,
the mono mix or one channel, a box's clip band-passed to its band if asked.
Names and folders: :mod:`audioclass_gui.formats.clip_names`
(``Turdus_merula/rec01_000012.500-000015.500_accepted.wav``).

Beside the clips, :data:`MANIFEST_NAME` lists one row per clip
(:data:`MANIFEST_COLUMNS`): the clip's file (relative, with ``/``), the
recording, the span shown and the span clipped (with its context), the
species, verdict, score, reviewer, relabel, band and event. A clip that
cannot be made (its recording is missing or unreadable, or lacks the
channel asked for) is never dropped silently: it is a row of
:data:`PROBLEMS_NAME`, with the problem in words. Verdicts of recordings
the project already knows to be missing are the caller's ``left_out``
table, as for every export (:mod:`audioclass_gui.formats.exports`).

The export streams: the clips are taken from a snapshot of the review a
block of rows at a time (:mod:`audioclass_gui.formats.clip_plan`), each
clip reads only its own window of the recording, and writer threads read,
encode and flush clips while the next are planned, with at most two
blocks of :data:`BLOCK_CLIPS` in flight; memory does not grow with the
number of clips. Every file is written atomically, and a new (or empty)
export folder appears whole when every clip is on disk
(:mod:`audioclass_gui.formats.file_batch`); into a folder that already holds
files, clips replace those of the same name and the others stay.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.formats.clip_audio import ClipJob
from audioclass_gui.formats.clip_names import ClipNamer
from audioclass_gui.formats.clip_plan import ClipOptions, ClipPlan, ClipSpec, plan_clips
from audioclass_gui.formats.file_batch import file_batch
from audioclass_gui.formats.selections import format_number

if TYPE_CHECKING:
    from audioclass_gui.review import ReviewSession

__all__ = [
    "MANIFEST_COLUMNS",
    "MANIFEST_NAME",
    "PROBLEMS_NAME",
    "ClipOptions",
    "ClipsWritten",
    "export_clips",
    "plan_clips",
    "write_clips",
]

MANIFEST_NAME = "manifest.csv"
PROBLEMS_NAME = "problems.csv"
#: Clips handed to the writer threads between two waits.
BLOCK_CLIPS = 128
MANIFEST_COLUMNS = (
    "Clip",
    "Kind",
    "File",
    "Start (s)",
    "End (s)",
    "Clip Start (s)",
    "Clip End (s)",
    "Context (s)",
    "Scientific name",
    "Common name",
    "Verdict",
    "Score",
    "Reviewer",
    "Label",
    "Predicted Scientific name",
    "Low Freq (Hz)",
    "High Freq (Hz)",
    "Band-passed",
    "Event",
    "Windows",
    "Detection",
    "Box",
    "Sample Rate",
    "Channel",
)


@dataclass(frozen=True)
class ClipsWritten:
    """What :func:`write_clips` wrote.

    Attributes
    ----------
    paths : list of pathlib.Path
        The manifest, and the problems table when there is one (the clips
        are listed in the manifest).
    clips, problems : int
        Clips written; clips that could not be.
    """

    paths: list[Path]
    clips: int
    problems: int


class _Recordings:
    """Each recording's header, read once (or why it cannot be read)."""

    def __init__(self) -> None:
        self._known: dict[str, RecordingInfo | str] = {}

    def __call__(self, path: str) -> RecordingInfo | str:
        found = self._known.get(path)
        if found is None:
            try:
                found = read_info(path)
            except AudioFileError as exc:
                found = exc.problem
            self._known[path] = found
        return found


def _number(value: float | None) -> str:
    return format_number(value, 6)


class _Tables:
    """The manifest and the problems table, written a block at a time."""

    def __init__(self, batch, folder: Path) -> None:
        self._batch, self._folder = batch, folder
        self.manifest = batch.open(folder / MANIFEST_NAME)
        self._problems = None
        self.rows, self.problems = io.StringIO(), io.StringIO()
        self._writer = csv.writer(self.rows, lineterminator="\n")
        self._problem_writer = csv.writer(self.problems, lineterminator="\n")
        self._writer.writerow(MANIFEST_COLUMNS)
        self.problem_count = 0

    def add(self, fields: list[str]) -> None:
        self._writer.writerow(fields)

    def problem(self, fields: list[str], why: str) -> None:
        if self._problems is None:
            self._problems = self._batch.open(self._folder / PROBLEMS_NAME)
            self._problem_writer.writerow((*MANIFEST_COLUMNS, "Problem"))
        self._problem_writer.writerow((*fields, why))
        self.problem_count += 1

    def flush(self) -> None:
        for buffer, stream in ((self.rows, self.manifest), (self.problems, self._problems)):
            if stream is not None and buffer.tell():
                stream.write(buffer.getvalue().encode("utf-8"))
                buffer.seek(0)
                buffer.truncate()

    def paths(self) -> list[Path]:
        out = [self._folder / MANIFEST_NAME]
        return out + ([self._folder / PROBLEMS_NAME] if self._problems is not None else [])


def _fields(
    spec: ClipSpec, options: ClipOptions, clip: str, span: tuple[float, float] | None,
    rate: int | None, band: bool,
) -> list[str]:
    return [
        clip,
        spec.kind,
        spec.path,
        _number(spec.start),
        _number(spec.end),
        _number(span[0]) if span else "",
        _number(span[1]) if span else "",
        _number(options.context),
        spec.species,
        spec.common,
        spec.verdict,
        _number(spec.score),
        spec.reviewer,
        spec.label,
        spec.predicted,
        _number(spec.low),
        _number(spec.high),
        "yes" if band else "",
        "" if spec.event is None else str(spec.event),
        str(spec.windows),
        "" if spec.detection is None else str(spec.detection),
        spec.box,
        "" if rate is None else str(rate),
        "mix" if options.channel is None else str(options.channel + 1),
    ]


def _job(spec: ClipSpec, info: RecordingInfo, options: ClipOptions) -> ClipJob | str:
    """The clip of ``spec`` in ``info``'s recording, or why there is none."""
    if options.channel is not None and options.channel >= info.channels:
        return f"has {info.channels} channel(s); channel {options.channel + 1} does not exist"
    sr = info.samplerate
    first = max(0, round((spec.start - options.context) * sr))
    last = min(info.frames, round((spec.end + options.context) * sr))
    if last <= first:
        return (
            f"the span {spec.start:g}-{spec.end:g} s lies outside the recording "
            f"({info.duration:g} s)"
        )
    band = options.band and spec.kind == "box"
    return ClipJob(
        info=info,
        first=first,
        frames=last - first,
        samplerate=int(options.samplerate or sr),
        channel=options.channel,
        low=spec.low if band else None,
        high=spec.high if band else None,
        fmt=options.fmt,
        resampler=options.resampler,
    )


def write_clips(plan: ClipPlan, folder: str | os.PathLike[str]) -> ClipsWritten:
    """Write the clips of ``plan`` below ``folder``, with the manifest.

    Parameters
    ----------
    plan
        From :func:`plan_clips`.
    folder
        The export folder (made if missing).

    Returns
    -------
    ClipsWritten

    Raises
    ------
    OSError, AudioFileError
        If a clip cannot be written, or a recording changes while it is
        read (nothing of a new folder appears then).
    """
    options = plan.options
    out = Path(folder)
    namer = ClipNamer(options.fmt)
    recordings = _Recordings()
    clips = 0
    root = os.fspath(out.absolute())
    with file_batch(out) as batch:
        tables = _Tables(batch, out)
        for n, spec in enumerate(plan.specs(), 1):
            info = recordings(spec.path)
            job = info if isinstance(info, str) else _job(spec, info, options)
            if isinstance(job, str):
                tables.problem(_fields(spec, options, "", None, None, False), job)
            else:
                clip = namer.name(
                    spec.path, spec.species, spec.start, spec.end, spec.verdict, spec.kind
                )
                sr = job.info.samplerate
                span = (job.first / sr, (job.first + job.frames) / sr)
                band = job.low is not None or job.high is not None
                tables.add(_fields(spec, options, clip, span, job.samplerate, band))
                # Strings, not paths: pathlib interns every name part for good.
                batch.write_with(os.path.join(root, clip), job.write)
                clips += 1
            if n % BLOCK_CLIPS == 0:
                tables.flush()
                batch.flush_soon()
        tables.flush()
    return ClipsWritten(tables.paths(), clips, tables.problem_count)


def export_clips(
    session: ReviewSession,
    folder: str | os.PathLike[str],
    options: ClipOptions | None = None,
) -> ClipsWritten:
    """Plan and write the clips of ``session`` in one go (see :func:`write_clips`)."""
    return write_clips(plan_clips(session, options or ClipOptions()), folder)
