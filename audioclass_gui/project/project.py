"""A review project: recordings, the model runs over them, and every verdict.

Open a folder (or a project file) with :meth:`ReviewProject.open`, or a list
of files with :meth:`ReviewProject.create`. The project's state lives in an
append-only journal (:mod:`audioclass_gui.review.journal`):

* for a folder: ``<folder>/.audioclass-gui/project.jsonl``;
* for a list of files, or when you choose: any ``*.jsonl`` project file.

The project's :attr:`~ReviewProject.session` holds every detection of every
recording; each verdict and box edit made on it is appended to the journal
and fsynced before the session announces it, so killing the program loses
nothing. Reopening replays the journal and :meth:`~ReviewProject.resume`
gives the detection the reviewer was on.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from soundevent import data

from audioclass_gui import __version__
from audioclass_gui.project.attach import SourcesMixin
from audioclass_gui.project.fingerprint import FileState
from audioclass_gui.project.header_cache import StatKey
from audioclass_gui.project.identity import load_reviewer, user_to_json
from audioclass_gui.project.position import PositionMixin, ReviewerMixin
from audioclass_gui.project.queue_store import QueueMixin
from audioclass_gui.project.recording_checks import RecordingChecksMixin
from audioclass_gui.project.recording_files import RecordingFilesMixin
from audioclass_gui.project.replay import Replay, replay
from audioclass_gui.project.sources import (
    RecordingResolver,
    SourceInfo,
    discover_sources,
    find_audio,
)
from audioclass_gui.project.store import (
    FORMAT,
    JournalRecorder,
    PathCodec,
    box_from_json,
    compacted_records,
)
from audioclass_gui.review import DetectionFilter, RecordingSummary, ReviewSession
from audioclass_gui.review.journal import Journal

__all__ = ["JOURNAL_NAME", "STATE_DIR", "ReviewProject"]

#: Folder of a folder project's state.
STATE_DIR = ".audioclass-gui"
#: The journal's name inside it.
JOURNAL_NAME = "project.jsonl"
#: Compact at open when the journal holds this many more verdict items than live ones.
_COMPACT_SLACK = 20_000


class ReviewProject(
    SourcesMixin,
    RecordingChecksMixin,
    RecordingFilesMixin,
    QueueMixin,
    ReviewerMixin,
    PositionMixin,
):
    """A folder or list of recordings under review, kept in a durable journal.

    Do not construct directly: use :meth:`open` or :meth:`create`.

    Attributes
    ----------
    root : pathlib.Path
        Folder that relative paths are relative to (the reviewed folder).
    journal_path : pathlib.Path
        The project file.
    session : ReviewSession
        Every detection, verdict and box; make edits on it.
    problems : list of str
        Things that went wrong while opening (unreadable files, missing
        recordings...), in words, for the user.
    is_folder : bool
        True for a folder project (recordings found by scanning).
    """

    def __init__(
        self,
        root: Path,
        journal_path: Path,
        *,
        is_folder: bool,
        durable: bool = True,
        read_only: bool = False,
    ) -> None:
        self.root = root.absolute()
        self.journal_path = journal_path.absolute()
        self.is_folder = is_folder
        self.problems: list[str] = []
        self.session = ReviewSession()
        self.codec = PathCodec(self.root)
        self.read_only = read_only
        if read_only and not self.journal_path.exists():
            records: list[dict[str, Any]] = []
            self._journal = None
        else:
            emptied = self.journal_path.is_file() and not self.journal_path.stat().st_size
            self._journal, records = Journal.open(
                self.journal_path, durable=durable, read_only=read_only
            )
            self.problems.extend(self._journal.problems)
            if emptied:
                self.problems.append(
                    f"{self.journal_path}: the project file is empty (cut off or "
                    "overwritten by another program): the verdicts it held are gone; "
                    "the recordings and their predictions are still here"
                )
        self._state: Replay = replay(records, self.codec)
        self.problems.extend(f"{self.journal_path}: {p}" for p in self._state.problems)
        self._recorder = JournalRecorder(self, self.codec)
        self._recorder.mark_known(self._state.users)
        self._sources: dict[Path, SourceInfo] = {}
        self._extra_recordings: list[str] = list(self._state.recordings)
        self._resolver = RecordingResolver(
            lambda: self.session.recordings, self._adopt, self.session.recording_index
        )
        self._names: dict[str, str] = {}
        #: Fingerprints found at this open, not yet written (with header facts).
        self._unrecorded: dict[str, FileState] = {}
        #: Each recording's ``stat`` taken by the open's checks (header cache keys).
        self._keys: dict[str, StatKey] = {}
        #: Told what a long open is doing (see :meth:`open`).
        self._progress: Callable[[str], None] | None = None

    def _append(self, record: dict[str, Any], *, durable: bool | None = None) -> None:
        """Append to the journal; bookkeeping of a read-only project is dropped.

        What happened to the journal file meanwhile (deleted and recreated)
        is added to :attr:`problems`. A failed append raises
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
                self.problems.extend(journal.take_warnings())

    # ------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        reviewer: data.User | None = None,
        scan: bool = True,
        settings_dir: str | os.PathLike[str] | None = None,
        common_names: Mapping[str, str] | None = None,
        durable: bool = True,
        read_only: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> ReviewProject:
        """Open (or start) the review of a folder, or open a project file.

        Parameters
        ----------
        path
            A folder of recordings (its state goes to ``.audioclass-gui/``
            inside it), or a ``.jsonl`` project file (existing, or new: its
            folder is the root).
        reviewer
            Who reviews now; defaults to the reviewer in the user's settings
            (see :mod:`audioclass_gui.project.identity`), else the project's
            last reviewer, else the operating-system login
            (:attr:`needs_reviewer` is then True: ask once).
        scan
            For a folder: look for recordings and prediction files added
            since the last time (default).
        settings_dir
            Folder of the user's settings (tests); default per platform.
        common_names
            Scientific -> common names for display and exports.
        durable
            fsync every verdict (default; turn off only in other tests).
        read_only
            Look without writing: no lock (the app may have the project
            open), nothing recorded; edits on the session raise
            ``PermissionError``. For exports and reports.
        progress
            Called (in the opening thread, a few times a second at most)
            with what the open is doing when it reads many recordings
            ("Reading recordings: 120 of 2,000").

        Raises
        ------
        FileNotFoundError
            If ``path`` does not exist (a new project file's folder must).
        JournalLockedError
            If the project is open in another program.
        """
        p = Path(path).expanduser().absolute()
        if p.is_dir():
            project = cls(
                p,
                p / STATE_DIR / JOURNAL_NAME,
                is_folder=True,
                durable=durable,
                read_only=read_only,
            )
        elif p.suffix == ".jsonl" and (
            p.exists() or (p.parent.is_dir() and not read_only)
        ):
            project = cls(
                p.parent, p, is_folder=False, durable=durable, read_only=read_only
            )
        else:
            raise FileNotFoundError(f"{p}: no such folder or project file (*.jsonl)")
        project._progress = progress
        project._load(reviewer, scan, settings_dir, common_names)
        return project

    @classmethod
    def create(
        cls,
        project_file: str | os.PathLike[str],
        recordings: Sequence[str | os.PathLike[str]],
        **options: Any,
    ) -> ReviewProject:
        """Start (or reopen and extend) a project over a list of recordings.

        Parameters
        ----------
        project_file
            The ``.jsonl`` file holding the project; its folder is the root.
        recordings
            Audio files (folders are searched for audio).
        **options
            As for :meth:`open`.
        """
        project = cls.open(project_file, **options)
        project.add_recordings(recordings)
        return project

    def _load(
        self,
        reviewer: data.User | None,
        scan: bool,
        settings_dir: str | os.PathLike[str] | None,
        common_names: Mapping[str, str] | None,
    ) -> None:
        state = self._state
        if state.created:
            self._append(
                {
                    "t": "journal",
                    "format": FORMAT,
                    "app": f"audioclass-gui {__version__}",
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
            )
        self._settings_dir = settings_dir
        saved = load_reviewer(settings_dir)
        last = state.users.get(state.reviewer or "")
        chosen = reviewer or saved or last
        self.needs_reviewer = chosen is None
        for user in state.users.values():
            self.session.user_index(user)
        if chosen is not None:
            self.session.reviewer = chosen
        if common_names:
            self.set_common_names(common_names)
        paths = [Path(p) for p in self._extra_recordings]
        if self.is_folder and scan:
            paths = sorted(find_audio(self.root, self.root / STATE_DIR)) + paths
        changed = self._check_recordings(paths)
        paths = [Path(state.aliases.get(str(p), str(p))) for p in paths]
        self._add_recording_files([p for p in paths if str(p) not in changed])
        sources = dict(state.sources)
        if self.is_folder and scan:
            for found, kind in discover_sources(
                self.root, self.root / STATE_DIR, state.sources
            ).items():
                key = str(found)
                if key not in sources and key not in state.removed:
                    sources[key] = kind
                    self._append(
                        {"t": "source", "path": self.codec.encode(found), "kind": kind}
                    )
        self._read_sources(sources, changed)
        self._record_fingerprints()
        self.session.restore(state.verdicts)
        for raw, by, at in state.boxes.values():
            if raw is not None:  # None: deleted
                self.session.restore_box(
                    box_from_json(raw, self.codec), state.users.get(by or ""), at
                )
        if (
            chosen is not None
            and state.reviewer != str(chosen.uuid)
            and not self.read_only
        ):
            self._write_reviewer(chosen)
        self.session.recorder = self._recorder
        if self.read_only:
            return
        live = self.session.judged_count() + len(self.session.pending_verdicts())
        if state.items > live + _COMPACT_SLACK:
            self.compact()

    # --------------------------------------------------------- recordings

    def recordings(
        self, filter: DetectionFilter | None = None
    ) -> list[RecordingSummary]:
        """Per recording: path, duration, start time, detections, review progress."""
        return self.session.recording_summary(filter)

    def add_recordings(self, paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
        """Add audio files (folders are searched) to the project; returns those added."""
        files: list[Path] = []
        for raw in paths:
            p = Path(raw).expanduser().absolute()
            files.extend(find_audio(p) if p.is_dir() else [p])
        added = self._add_recording_files(files)
        if added:
            encoded = [self.codec.encode(p) for p in added]
            self._append({"t": "recordings", "add": encoded})
            self._extra_recordings.extend(str(p) for p in added)
        return added

    def set_common_names(self, names: Mapping[str, str]) -> None:
        """Common names (scientific -> common) for display, imports and exports."""
        self._names.update(names)
        self.session.set_common_names(names)

    # ------------------------------------------------------------- upkeep

    def compact(self) -> None:
        """Rewrite the journal with only the live state (atomically)."""
        if self.read_only or self._journal is None:
            raise PermissionError(f"{self.journal_path}: project opened read-only")
        sources = {str(info.path): info.kind for info in self._sources.values()}
        self._journal.rewrite(
            compacted_records(
                self.session,
                self.codec,
                self._state,
                recordings=self._extra_recordings,
                sources=sources,
                removed=sorted(self._state.removed),
            )
        )
        self._recorder.mark_known(str(u.uuid) for u in self.session.users)

    def close(self) -> None:
        """Close the journal (the session stays readable; edits then raise)."""
        self._closed = True
        if self._journal is not None:
            self._journal.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return getattr(self, "_closed", False)

    def __enter__(self) -> ReviewProject:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> dict[str, Any]:
        """A summary for the CLI and the About box."""
        counts = self.session.counts()
        return {
            "root": str(self.root),
            "journal": str(self.journal_path),
            "recordings": len(self.session.recordings),
            "detections": len(self.session),
            "verdicts": {s.value: n for s, n in counts.items()},
            "boxes": len(self.session.boxes()),
            "reviewer": user_to_json(self.reviewer),
            "sources": [str(s.path) for s in self._sources.values()],
        }

