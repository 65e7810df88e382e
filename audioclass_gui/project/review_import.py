"""Continuing an exported review in a project: its verdicts, boxes and model runs.

:class:`ReviewImport` reads an exported review (AOEF annotation project or
verdict table, see :func:`~audioclass_gui.formats.aoef_import.read_review`)
into a project: the model runs exported beside it are attached, its
recordings are matched to the project's, and its verdicts and boxes are
journaled like the reviewer's own.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from audioclass_gui.formats.aoef_import import read_review
from audioclass_gui.project.attach import ProjectSources
from audioclass_gui.project.project_journal import ProjectJournal
from audioclass_gui.project.sources import RecordingResolver
from audioclass_gui.project.store import JournalRecorder, PathCodec, verdict_item

if TYPE_CHECKING:
    from audioclass_gui.project.prepare import PreparedReview
    from audioclass_gui.review import ReviewSession

__all__ = ["ReviewImport"]


class ReviewImport:
    """Imports exported reviews into a project.

    Parameters
    ----------
    session
        The project's session.
    journal
        Where the imported verdicts are kept.
    codec
        Paths in records relative to the project's root.
    resolver
        Finds the project's copy of a recording the export names.
    recorder
        Writes user and box records.
    sources
        Attaches the model runs exported beside the review.
    """

    def __init__(
        self,
        session: ReviewSession,
        journal: ProjectJournal,
        codec: PathCodec,
        resolver: RecordingResolver,
        recorder: JournalRecorder,
        sources: ProjectSources,
    ) -> None:
        self._session = session
        self._journal = journal
        self._codec = codec
        self._resolver = resolver
        self._recorder = recorder
        self._sources = sources

    def run(
        self,
        path: str | os.PathLike[str],
        *,
        prepared: PreparedReview | None = None,
    ) -> int:
        """Continue an exported review: read its verdicts and boxes into the project.

        The model runs exported beside it are attached too. Imported
        verdicts are journaled like the reviewer's own. ``prepared`` is the
        review as :func:`~audioclass_gui.project.prepare.prepare_review`
        read it off the GUI thread.

        Returns
        -------
        int
            Number of verdicts and boxes read.
        """
        if prepared is not None:
            review = prepared.review
            for run in prepared.runs:
                if run.path not in self._sources:
                    self._sources.attach(run.path, prepared=run)
        else:
            review = read_review(path)
        for run_path in review.companion_runs:
            if run_path.absolute() not in self._sources:
                self._sources.attach(run_path)
        for user in review.users:
            self._recorder.know_user(user)
            self._session.user_index(user)
        paths: dict[str, str] = {}

        def here(path: str) -> str:
            """The project's copy of a recording the export names."""
            if path not in paths:
                found = self._resolver(path)
                paths[path] = str(found.path) if found is not None else path
            return paths[path]

        review.verdicts = [
            ((here(k[0]), *k[1:]), v, u, t) for k, v, u, t in review.verdicts
        ]
        review.boxes = [
            (replace(b, recording=Path(here(str(b.recording)))), u, t)
            for b, u, t in review.boxes
        ]
        items = []
        for key, verdict, user, at in review.verdicts:
            who = user or self._session.reviewer
            self._recorder.know_user(who)
            items.append(verdict_item(self._codec, key, verdict, str(who.uuid), at))
        if items:
            self._journal.append({"t": "v", "items": items})
        self._session.restore(review.verdicts)
        for box, user, at in review.boxes:
            self._recorder.know_user(user or self._session.reviewer)
            self._session.restore_box(box, user, at)
            self._recorder.box_written(self._session, box.id, box)
        return len(review.verdicts) + len(review.boxes)
