"""Every export of a review by name: what the Export menu and ``audioclass-gui export`` call.

==============  =====================================================  ==================
format          what is written                                        ``out`` is
==============  =====================================================  ==================
``aoef``        soundevent ``AnnotationProject`` + ``ModelRun`` files  a ``.json`` file
``raven``       Raven verdict tables, per recording and combined       a folder
``audacity``    Audacity label tracks, one per recording               a folder
``csv``         one row per verdict (and per drawn box)                a ``.csv`` file
``thresholds``  per-species thresholds for a target precision          a ``.csv`` file
==============  =====================================================  ==================

:func:`export_all` writes all of them into one folder. Every file is written
atomically (a temporary file renamed into place).

While an export builds its rows the cyclic garbage collector is paused: the
rows are plain acyclic objects freed by reference counting, and with a
50,000-detection project in memory each full collection rescans hundreds of
thousands of live objects (pausing it halves the time of :func:`export_all`).
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from audioclass_gui.formats.aoef import export_aoef
from audioclass_gui.formats.selections import Selection
from audioclass_gui.formats.thresholds import write_thresholds_csv
from audioclass_gui.formats.verdict_tables import (
    verdict_selections,
    write_audacity_labels,
    write_raven_verdicts,
    write_verdict_csv,
)
from audioclass_gui.review import ReviewSession
from audioclass_gui.review.precision import DEFAULT_TARGET_PRECISION, species_thresholds

__all__ = ["EXPORT_FORMATS", "FOLDER_NAMES", "export", "export_all", "gc_paused"]

#: Export formats, in the order :func:`export_all` writes them.
EXPORT_FORMATS = ("aoef", "raven", "audacity", "csv", "thresholds")
#: Where each format goes inside an :func:`export_all` folder.
FOLDER_NAMES = {
    "aoef": "review.json",
    "raven": "raven",
    "audacity": "audacity",
    "csv": "review.verdicts.csv",
    "thresholds": "species_thresholds.csv",
}


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
    selections: Sequence[Selection] | None = None,
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
        :func:`~audioclass_gui.formats.verdict_tables.verdict_selections`
        (with the same ``include_unreviewed``).

    Raises
    ------
    ValueError
        For an unknown format.
    OSError
        If a file cannot be written (files already there stay intact).
    """
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
    selections: Sequence[Selection] | None,
) -> list[Path]:
    if fmt == "aoef":
        result = export_aoef(session, target, name=name)
        return [*result.model_run_paths, result.project_path]
    if fmt == "raven":
        return write_raven_verdicts(
            session,
            target,
            include_unreviewed=include_unreviewed,
            root=root,
            selections=selections,
        )
    if fmt == "audacity":
        return write_audacity_labels(
            session,
            target,
            include_unreviewed=include_unreviewed,
            root=root,
            selections=selections,
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
        f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}"
    )


def export_all(
    session: ReviewSession,
    folder: str | os.PathLike[str],
    formats: tuple[str, ...] = EXPORT_FORMATS,
    **options: Any,
) -> dict[str, list[Path]]:
    """Write several formats into ``folder`` (names in :data:`FOLDER_NAMES`).

    The table rows shared by the Raven, Audacity and CSV exports are built
    once. ``options`` are those of :func:`export`.
    """
    base = Path(folder)
    with gc_paused():
        if (
            "selections" not in options
            and len(set(formats) & {"raven", "audacity", "csv"}) > 1
        ):
            options["selections"] = verdict_selections(
                session,
                include_unreviewed=bool(options.get("include_unreviewed", False)),
            )
        return {
            fmt: export(session, fmt, base / FOLDER_NAMES[fmt], **options)
            for fmt in formats
        }
