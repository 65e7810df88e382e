"""Reading files for a project without changing it, so it can happen off the GUI thread.

The window reads a predictions file or an exported review in its task
runner with :func:`prepare_attach` / :func:`prepare_review`, then hands the
result to :meth:`ReviewProject.attach` / :meth:`ReviewProject.import_review`
(``prepared=``) on the thread that owns the project. Recordings the file
names that the project does not know yet are read here too and only added
(and journaled) by ``attach``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from soundevent import data

from audioclass_gui.formats.aoef_import import ImportedReview, read_review
from audioclass_gui.formats.prediction_store import StoredRun, source_stamp, store_file
from audioclass_gui.project.sources import (
    PREDICTION_KINDS,
    RecordingResolver,
    read_source,
    sniff,
)

if TYPE_CHECKING:
    from audioclass_gui.project.project import ReviewProject

__all__ = ["PreparedReview", "PreparedSource", "prepare_attach", "prepare_review"]


@dataclass
class PreparedSource:
    """A predictions file read for a project, not yet attached.

    Attributes
    ----------
    path : pathlib.Path
        The file (absolute).
    kind : str
        Its kind (see ``PREDICTION_KINDS``).
    result : StoredRun or None
        What it holds, as columns, mapped onto the project's recordings
        (its store file is written already, unless the project is
        read-only); None for a predictions store file (``kind="arrow"``),
        which is mapped, not read.
    new_recordings : list of soundevent.data.Recording
        Recordings it names that the project did not have; ``attach`` adds them.
    """

    path: Path
    kind: str
    result: StoredRun | None
    new_recordings: list[data.Recording] = field(default_factory=list)


@dataclass
class PreparedReview:
    """An exported review read for a project, with its companion model runs."""

    path: Path
    review: ImportedReview
    runs: list[PreparedSource] = field(default_factory=list)


def _resolver(
    project: ReviewProject, pending: list[data.Recording]
) -> RecordingResolver:
    """The project's recording lookup, collecting new recordings instead of adding them."""
    known = list(project.session.recordings)

    def index(text: str) -> int | None:
        found = project.session.recording_index(text)
        if found is not None and found < len(known):
            return found
        for i, recording in enumerate(pending):
            if str(recording.path) == text:
                return len(known) + i
        return None

    def add(recording: data.Recording) -> int:
        pending.append(recording)
        return len(known) + len(pending) - 1

    return RecordingResolver(lambda: known + pending, add, index)


def prepare_attach(
    project: ReviewProject, path: str | os.PathLike[str], kind: str | None = None
) -> PreparedSource:
    """Read a predictions file for ``project.attach(path, prepared=...)``; changes nothing.

    Raises
    ------
    ValueError
        If the file is not a predictions file (the message names it).
    OSError
        If it cannot be read.
    """
    p = Path(path).expanduser().absolute()
    kind = kind or sniff(p)
    if kind not in PREDICTION_KINDS:
        raise ValueError(
            f"{p}: not a predictions file (found {kind or 'nothing readable'})"
        )
    pending: list[data.Recording] = []
    if kind == "arrow":  # mapped, not parsed: nothing to prepare
        return PreparedSource(p, kind, None, pending)  # type: ignore[arg-type]
    stamp = source_stamp(p)
    names = project.source_files.common_to_scientific()
    result = read_source(p, kind, _resolver(project, pending), scientific_names=names)
    if not project.read_only:  # the store file is written here, off the GUI thread
        target = store_file(project.source_files.store_dir, project.codec.encode(p))
        project.source_files.write_store(target, result, stamp)
    return PreparedSource(p, kind, result, pending)


def prepare_review(
    project: ReviewProject, path: str | os.PathLike[str]
) -> PreparedReview:
    """Read an exported review and its model runs for ``project.import_review``."""
    p = Path(path).expanduser().absolute()
    review = read_review(p)
    known = {s.path for s in project.sources()}
    runs = [
        prepare_attach(project, run)
        for run in review.companion_runs
        if run.absolute() not in known
    ]
    return PreparedReview(p, review, runs)
