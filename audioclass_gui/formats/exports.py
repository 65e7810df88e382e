"""Every export of a review by name: what the Export menu and ``audioclass-gui export`` call.

==============  =====================================================  ==================
format          what is written                                        ``out`` is
==============  =====================================================  ==================
``aoef``        soundevent ``AnnotationProject`` + ``ModelRun`` files  a ``.json`` file
``raven``       Raven verdict tables, per recording and combined       a folder
``audacity``    Audacity label tracks, one per recording               a folder
``csv``         one row per verdict (and per drawn box)                a ``.csv`` file
``thresholds``  per-species thresholds for a target precision          a ``.csv`` file
``clips``       audio clips of verified detections, boxes, events,     a folder
                with a manifest (:mod:`~audioclass_gui.formats.clips`)
==============  =====================================================  ==================

:func:`export_all` writes all of them but the clips into one folder
(:data:`EXPORT_FORMATS`): clips can take gigabytes, so they are written only
when asked for by name. Every file is written
atomically (a temporary file renamed into place).

Exports are written from the detections in the session. Verdicts the
session cannot place (their recording is missing, or its content changed
since they were made) are never dropped silently: the caller passes them as
:class:`LeftOut` groups, and :func:`export_all` (or :func:`check_left_out`)
raises :class:`LeftOutError` unless ``allow_missing`` is given; then they go
to a table of their own (:func:`write_left_out`, :data:`LEFT_OUT_NAME`).

While an export builds its rows the cyclic garbage collector is paused: the
rows are plain acyclic objects freed by reference counting, and with a
50,000-detection project in memory each full collection rescans hundreds of
thousands of live objects (pausing it halves the time of :func:`export_all`).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from audioclass_gui.formats.aoef import export_aoef
from audioclass_gui.formats.atomic import atomic_write_text
from audioclass_gui.formats.selections import Selection
from audioclass_gui.formats.thresholds import write_thresholds_csv
from audioclass_gui.formats.verdict_tables import (
    VerdictRows,
    verdict_rows,
    write_audacity_labels,
    write_raven_verdicts,
    write_verdict_csv,
)
from audioclass_gui.review import DetectionFilter, ReviewSession, Status
from audioclass_gui.review.precision import DEFAULT_TARGET_PRECISION, species_thresholds

if TYPE_CHECKING:
    from audioclass_gui.formats.clip_plan import ClipOptions

__all__ = [
    "CLIP_FORMAT",
    "EXPORT_FORMATS",
    "FOLDER_NAMES",
    "LEFT_OUT_NAME",
    "LeftOut",
    "LeftOutError",
    "LeftOutVerdict",
    "check_left_out",
    "export",
    "export_all",
    "gc_paused",
    "table_rows",
    "write_left_out",
]

#: Export formats, in the order :func:`export_all` writes them.
EXPORT_FORMATS = ("aoef", "raven", "audacity", "csv", "thresholds")
#: The audio clips: a format of its own, not among "all" (:data:`EXPORT_FORMATS`).
CLIP_FORMAT = "clips"
#: Where each format goes inside an :func:`export_all` folder.
FOLDER_NAMES = {
    "aoef": "review.json",
    "raven": "raven",
    "audacity": "audacity",
    "csv": "review.verdicts.csv",
    "thresholds": "species_thresholds.csv",
    CLIP_FORMAT: "clips",
}
#: The table of verdicts an export could not place, inside an export folder.
LEFT_OUT_NAME = "left_out.verdicts.csv"

#: Why verdicts are left out: their recording is gone, or is another file now.
REASONS = {
    "missing": "recording not found",
    "changed": "verdicts on a recording that changed",
}


class LeftOutVerdict(NamedTuple):
    """One verdict an export cannot place (times in seconds, ``at`` in epoch seconds)."""

    start: float
    end: float
    species: str
    status: str
    label: str
    note: str
    reviewer: str
    at: float | None


@dataclass(frozen=True)
class LeftOut:
    """The verdicts (and boxes) of one recording that an export cannot place.

    Attributes
    ----------
    path : str
        The recording, as the project knew it.
    reason : str
        ``"missing"`` (the file is gone) or ``"changed"`` (the file at that
        path is not the one reviewed: replaced or truncated).
    verdicts : list of LeftOutVerdict
    boxes : int
        Boxes drawn on it that are left out too.
    """

    path: str
    reason: str
    verdicts: list[LeftOutVerdict] = field(default_factory=list)
    boxes: int = 0

    def describe(self, root: str | os.PathLike[str] | None = None) -> str:
        """One line for the user: the file, why, and how many verdicts."""
        shown = Path(self.path)
        if root is not None and shown.is_relative_to(root):
            shown = shown.relative_to(root)
        n = len(self.verdicts)
        text = f"{shown.as_posix()}: {REASONS.get(self.reason, self.reason)}: {n} verdict"
        text += "" if n == 1 else "s"
        if self.boxes:
            text += f" and {self.boxes} box" + ("" if self.boxes == 1 else "es")
        return text


class LeftOutError(Exception):
    """Raised instead of exporting when verdicts would be left out.

    Attributes
    ----------
    left_out : list of LeftOut
    """

    def __init__(self, left_out: Sequence[LeftOut]) -> None:
        self.left_out = list(left_out)
        n = sum(len(g.verdicts) for g in self.left_out)
        super().__init__(
            f"{n} verdicts of {len(self.left_out)} recordings cannot be exported "
            "(recordings missing or changed): "
            + "; ".join(g.describe() for g in self.left_out)
        )


def check_left_out(left_out: Sequence[LeftOut], *, allow_missing: bool = False) -> None:
    """Raise :class:`LeftOutError` if verdicts would be left out and that is not allowed."""
    if any(g.verdicts or g.boxes for g in left_out) and not allow_missing:
        raise LeftOutError([g for g in left_out if g.verdicts or g.boxes])


def write_left_out(left_out: Sequence[LeftOut], path: str | os.PathLike[str]) -> Path:
    """Write the verdicts an export left out as a CSV table (atomically).

    Columns: ``File, Reason, Start (s), End (s), Scientific name, Verdict,
    Label, Note, Reviewer, Reviewed At`` (ISO 8601, UTC).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "File",
            "Reason",
            "Start (s)",
            "End (s)",
            "Scientific name",
            "Verdict",
            "Label",
            "Note",
            "Reviewer",
            "Reviewed At",
        ]
    )
    for group in left_out:
        for v in group.verdicts:
            when = (
                ""
                if v.at is None or v.at != v.at
                else dt.datetime.fromtimestamp(v.at, dt.UTC).isoformat(timespec="seconds")
            )
            writer.writerow(
                [
                    group.path,
                    REASONS.get(group.reason, group.reason),
                    f"{v.start:g}",
                    f"{v.end:g}",
                    v.species,
                    v.status,
                    v.label,
                    v.note,
                    v.reviewer,
                    when,
                ]
            )
    target = Path(path)
    atomic_write_text(target, buffer.getvalue())
    return target


def left_out_target(output: str | os.PathLike[str], formats: Sequence[str]) -> Path:
    """Where an export to ``output`` lists the verdicts it left out.

    :data:`LEFT_OUT_NAME` inside ``output`` when it is a folder (several
    formats, or Raven and Audacity tables), else ``<stem>.left_out.csv``
    beside the file.
    """
    out = Path(output)
    if len(formats) > 1 or formats[0] in ("raven", "audacity", CLIP_FORMAT):
        return out / LEFT_OUT_NAME
    return out.with_name(out.stem + ".left_out.csv")


_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (nests, thread-safe).

    It is enabled again when the outermost block ends, if it was enabled
    when that block began.
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


def table_rows(
    session: ReviewSession, *, include_unreviewed: bool = False, only_accepted: bool = False
) -> VerdictRows:
    """The rows of the Raven, Audacity and CSV tables, built once for all three.

    Parameters
    ----------
    session
        The review.
    include_unreviewed
        Also list detections without a verdict.
    only_accepted
        List only accepted detections (a relabel under the species it was
        relabelled to) and drawn boxes: what the reviewer says is there. The
        tables otherwise also hold rejected and uncertain detections under
        the model's species, which tools that read only the species column
        (opensoundscape's ``clip_labels``, crowsetta) count as present.
    """
    if only_accepted:
        accepted = DetectionFilter(statuses=frozenset({Status.ACCEPTED}))
        return verdict_rows(session, include_unreviewed=False, filter=accepted)
    return verdict_rows(session, include_unreviewed=include_unreviewed)


def export(
    session: ReviewSession,
    fmt: str,
    out: str | os.PathLike[str],
    *,
    include_unreviewed: bool = False,
    target_precision: float = DEFAULT_TARGET_PRECISION,
    min_reviewed: int = 1,
    name: str | None = None,
    root: str | os.PathLike[str] | None = None,
    selections: VerdictRows | Sequence[Selection] | None = None,
    audacity_bands: bool = True,
    raven_per_recording: bool = True,
    only_accepted: bool = False,
    clip_options: ClipOptions | None = None,
) -> list[Path]:
    """Write one export format; returns the files written.

    Parameters
    ----------
    session
        The review.
    fmt
        One of :data:`EXPORT_FORMATS`.
    out
        A file or a folder, as the table in the module docstring says.
    include_unreviewed
        Raven, Audacity, CSV: also list detections without a verdict.
    target_precision, min_reviewed
        Thresholds: the precision to reach, and the fewest reviewed
        detections a threshold may rest on.
    name
        AOEF: the annotation project's name.
    root
        Raven, Audacity: the folder the recordings' subfolders start from.
    selections
        Raven, Audacity, CSV: rows already built by
        :func:`~audioclass_gui.formats.verdict_tables.verdict_rows` (or
        ``verdict_selections``), with the same ``include_unreviewed``.
    audacity_bands
        Audacity: a frequency line under every label (Audacity's extended
        format, crowsetta's ``aud-bbox``), or none (``aud-seq``).
    raven_per_recording
        Raven: a table per recording beside the combined one (the default),
        or the combined table alone (one file for the whole project).
    only_accepted
        Raven, Audacity, CSV: only accepted detections and drawn boxes (see
        :func:`table_rows`); ``selections``, when given, are used as they are.
    clip_options
        Clips: which clips and how (default: accepted detections and boxes,
        WAV, no context). The files returned are the manifest (and the
        table of clips that could not be made); the clips are listed in it.

    Raises
    ------
    ValueError
        For an unknown format.
    OSError
        If a file cannot be written (files already there stay intact).
    """
    if only_accepted and selections is None and fmt in ("raven", "audacity", "csv"):
        selections = table_rows(session, only_accepted=True)
    with gc_paused():
        return _export(
            session,
            fmt,
            Path(out),
            include_unreviewed=include_unreviewed,
            target_precision=target_precision,
            min_reviewed=min_reviewed,
            name=name,
            root=root,
            selections=selections,
            audacity_bands=audacity_bands,
            raven_per_recording=raven_per_recording,
            clip_options=clip_options,
        )


def _export(
    session: ReviewSession,
    fmt: str,
    target: Path,
    *,
    include_unreviewed: bool,
    target_precision: float,
    min_reviewed: int,
    name: str | None,
    root: str | os.PathLike[str] | None,
    selections: VerdictRows | Sequence[Selection] | None,
    audacity_bands: bool,
    raven_per_recording: bool,
    clip_options: ClipOptions | None = None,
) -> list[Path]:
    if fmt == CLIP_FORMAT:
        from audioclass_gui.formats.clips import export_clips

        return export_clips(session, target, clip_options).paths
    if fmt == "aoef":
        return export_aoef(session, target, name=name).paths
    if fmt == "raven":
        return write_raven_verdicts(
            session,
            target,
            include_unreviewed=include_unreviewed,
            root=root,
            selections=selections,
            per_recording=raven_per_recording,
        )
    if fmt == "audacity":
        return write_audacity_labels(
            session,
            target,
            include_unreviewed=include_unreviewed,
            root=root,
            selections=selections,
            bands=audacity_bands,
        )
    if fmt == "csv":
        return [
            write_verdict_csv(
                session,
                target,
                include_unreviewed=include_unreviewed,
                selections=selections,
            )
        ]
    if fmt == "thresholds":
        rows = species_thresholds(session, target_precision, min_reviewed=min_reviewed)
        return [write_thresholds_csv(target, rows)]
    raise ValueError(
        f"unknown export format {fmt!r}; choose from {', '.join((*EXPORT_FORMATS, CLIP_FORMAT))}"
    )


def export_all(
    session: ReviewSession,
    folder: str | os.PathLike[str],
    formats: tuple[str, ...] = EXPORT_FORMATS,
    *,
    left_out: Sequence[LeftOut] = (),
    allow_missing: bool = False,
    **options: Any,
) -> dict[str, list[Path]]:
    """Write several formats into ``folder`` (names in :data:`FOLDER_NAMES`).

    The table rows shared by the Raven, Audacity and CSV exports are built
    once. ``options`` are those of :func:`export`.

    Parameters
    ----------
    left_out
        Verdicts of the project that are not in ``session`` (see
        ``ReviewProject.left_out``).
    allow_missing
        Export anyway when ``left_out`` holds verdicts: they are written to
        :data:`LEFT_OUT_NAME` in ``folder`` (key ``"left_out"`` of the result).

    Raises
    ------
    LeftOutError
        If ``left_out`` holds verdicts and ``allow_missing`` is False
        (nothing is written).
    """
    check_left_out(left_out, allow_missing=allow_missing)
    base = Path(folder)
    with gc_paused():
        if (
            "selections" not in options
            and len(set(formats) & {"raven", "audacity", "csv"}) > 1
        ):
            options["selections"] = table_rows(
                session,
                include_unreviewed=bool(options.get("include_unreviewed", False)),
                only_accepted=bool(options.get("only_accepted", False)),
            )
        written = {
            fmt: export(session, fmt, base / FOLDER_NAMES[fmt], **options)
            for fmt in formats
        }
    if any(g.verdicts for g in left_out):
        written["left_out"] = [write_left_out(left_out, base / LEFT_OUT_NAME)]
    return written
