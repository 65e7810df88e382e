"""A project's journal: the file every change is appended to, and the state it replays to.

:class:`ProjectJournal` opens the journal
(:class:`~audioclass_gui.review.journal.Journal`), replays it
(:func:`~audioclass_gui.project.replay.replay`) into the project's
bookkeeping (:class:`~audioclass_gui.project.replay.Replay`: recordings,
sources, verdicts by key, selection, settings, queue...) and appends what
changes. The other parts of a project write through it; the session's
verdicts and boxes reach it through a
:class:`~audioclass_gui.project.store.JournalRecorder`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from audioclass_gui.project.replay import Replay, apply_record, replay
from audioclass_gui.project.store import PathCodec
from audioclass_gui.review.journal import Journal

__all__ = ["ProjectJournal"]


class ProjectJournal:
    """The journal of a project, open for appending (or only read).

    Parameters
    ----------
    path
        The project file (``*.jsonl``).
    codec
        Paths in records relative to the project's root.
    problems
        The project's list of problems: what went wrong reading the journal,
        and what happened to the file meanwhile, is added to it.
    durable
        fsync appends (default).
    read_only
        Read without writing (no lock); appends are dropped. A missing
        file then replays as an empty project.

    Attributes
    ----------
    state : Replay
        The project's state as the journal holds it, kept up to date by
        :meth:`note` (and by the parts of the project that change it).
    read_only : bool
    """

    def __init__(
        self,
        path: Path,
        codec: PathCodec,
        problems: list[str],
        *,
        durable: bool = True,
        read_only: bool = False,
    ) -> None:
        self.read_only = read_only
        self._codec = codec
        self._problems = problems
        self._closed = False
        if read_only and not path.exists():
            records: list[dict[str, Any]] = []
            self._journal: Journal | None = None
        else:
            emptied = path.is_file() and not path.stat().st_size
            self._journal, records = Journal.open(path, durable=durable, read_only=read_only)
            problems.extend(self._journal.problems)
            if emptied:
                problems.append(
                    f"{path}: the project file is empty (cut off or "
                    "overwritten by another program): the verdicts it held are gone; "
                    "the recordings and their predictions are still here"
                )
        self.state: Replay = replay(records, codec)
        problems.extend(f"{path}: {p}" for p in self.state.problems)

    def append(self, record: dict[str, Any], *, durable: bool | None = None) -> None:
        """Append to the journal; bookkeeping of a read-only project is dropped.

        What happened to the journal file meanwhile (deleted and recreated)
        is added to the problems. A failed append raises
        :class:`~audioclass_gui.review.journal.JournalWriteError` (nothing of
        ``record`` is saved).
        """
        if self.read_only:
            return
        journal = self._journal
        try:
            journal.append(record, durable=durable)  # type: ignore[union-attr]
        finally:
            if journal is not None and journal.warnings:
                self._problems.extend(journal.take_warnings())

    def note(self, record: dict[str, Any]) -> None:
        """Append a record and read it into :attr:`state`.

        ``fingerprint`` records are not fsynced one by one (2,000 at a first
        open): one lost is only computed again at the next open.
        """
        self.append(record, durable=False if record["t"] == "fingerprint" else None)
        apply_record(self.state, record, self._codec)

    @property
    def writable(self) -> bool:
        """True when the journal can be rewritten (open, and not read-only)."""
        return not self.read_only and self._journal is not None

    def rewrite(self, records: Iterable[dict[str, Any]]) -> None:
        """Replace the journal with ``records`` (atomically); see :attr:`writable`."""
        assert self._journal is not None
        self._journal.rewrite(records)

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._closed

    def close(self) -> None:
        """Close the journal file (appends then raise)."""
        self._closed = True
        if self._journal is not None:
            self._journal.close()
