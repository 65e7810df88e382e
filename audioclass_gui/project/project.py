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
from typing import TYPE_CHECKING, Any

from audioclass_gui import __version__
from audioclass_gui.project.attach import ProjectSources
from audioclass_gui.project.identity import user_to_json
from audioclass_gui.project.position import Position
from audioclass_gui.project.project_journal import ProjectJournal
from audioclass_gui.project.queue_store import QueueStore
from audioclass_gui.project.recording_checks import RecordingChecks
from audioclass_gui.project.recording_files import RecordingFiles
from audioclass_gui.project.review_import import ReviewImport
from audioclass_gui.project.reviewer_record import ReviewerRecord
from audioclass_gui.project.run_files import runs_dir
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
from audioclass_gui.review.sampling import ReviewQueue

if TYPE_CHECKING:
    from soundevent import data

    from audioclass_gui.formats.exports import LeftOut
    from audioclass_gui.project.prepare import PreparedReview, PreparedSource

__all__ = ["JOURNAL_NAME", "STATE_DIR", "ReviewProject"]

#: Folder of a folder project's state.
STATE_DIR = ".audioclass-gui"
#: The journal's name inside it.
JOURNAL_NAME = "project.jsonl"
#: Compact at open when the journal holds this many more verdict items than live ones.
_COMPACT_SLACK = 20_000


class ReviewProject:
    """A folder or list of recordings under review, kept in a durable journal.

    Do not construct directly: use :meth:`open` or :meth:`create`.

    The project composes helpers that each own a part of its state: the
    journal and the state replayed from it (:class:`ProjectJournal`), the
    recording files and their checks (:class:`RecordingFiles`,
    :class:`RecordingChecks`), the predictions files
    (:class:`ProjectSources`), imported reviews (:class:`ReviewImport`), the
    reviewer (:class:`ReviewerRecord`), the reviewer's place
    (:class:`Position`) and the verification queue (:class:`QueueStore`).

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
    read_only : bool
        Opened to look without writing.
    codec : PathCodec
        Paths in the journal relative to :attr:`root`.
    source_files : ProjectSources
        The predictions files read into the project, and its store.
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
        journal = ProjectJournal(
            self.journal_path, self.codec, self.problems, durable=durable, read_only=read_only
        )
        self._journal = journal
        self._recorder = JournalRecorder(journal, self.codec)
        self._recorder.mark_known(journal.state.users)
        self._files = RecordingFiles(self.session, journal, self.codec, self.problems)
        resolver = RecordingResolver(
            lambda: self.session.recordings, self._files.adopt, self.session.recording_index
        )
        self.source_files = ProjectSources(
            self.session,
            journal,
            self.codec,
            resolver,
            self._files,
            self.problems,
            store_dir=self.journal_path.parent / "store"
            if is_folder
            else self.journal_path.with_suffix(".store"),
            runs_folder=runs_dir(self.journal_path, is_folder=is_folder),
        )
        self._checks = RecordingChecks(
            self.session, journal, self.codec, self._files, resolver, self.problems
        )
        self._import = ReviewImport(
            self.session, journal, self.codec, resolver, self._recorder, self.source_files
        )
        self._reviewer = ReviewerRecord(self.session, journal, self._recorder)
        self._position = Position(self.session, journal, self.codec)
        self._queue = QueueStore(self.session, journal, self.codec)

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
        project._files.progress = progress
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
        journal = self._journal
        state = journal.state
        if state.created:
            journal.append(
                {
                    "t": "journal",
                    "format": FORMAT,
                    "app": f"audioclass-gui {__version__}",
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
            )
        chosen = self._reviewer.choose(reviewer, settings_dir)
        if common_names:
            self.set_common_names(common_names)
        paths = [Path(p) for p in self._files.listed]
        if self.is_folder and scan:
            paths = sorted(find_audio(self.root, self.root / STATE_DIR)) + paths
        changed = self._checks.check(paths)
        paths = [Path(state.aliases.get(str(p), str(p))) for p in paths]
        self._files.add([p for p in paths if str(p) not in changed])
        sources = dict(state.sources)
        if self.is_folder and scan:
            for found, kind in discover_sources(
                self.root, self.root / STATE_DIR, state.sources
            ).items():
                key = str(found)
                if key not in sources and key not in state.removed:
                    sources[key] = kind
                    journal.append(
                        {"t": "source", "path": self.codec.encode(found), "kind": kind}
                    )
        self._checks.read_sources(sources, changed, self.source_files)
        self._files.record_fingerprints()
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
            self._reviewer.write(chosen)
        self.session.recorder = self._recorder
        if self.read_only:
            return
        live = self.session.judged_count() + len(self.session.pending_verdicts())
        if state.items > live + _COMPACT_SLACK:
            self.compact()

    def _store_dir(self) -> Path:
        """Folder of the project's predictions store (kept for tests; see :attr:`source_files`)."""
        return self.source_files.store_dir

    # --------------------------------------------------------- recordings

    def recordings(
        self, filter: DetectionFilter | None = None
    ) -> list[RecordingSummary]:
        """Per recording: path, duration, start time, detections, review progress."""
        return self.session.recording_summary(filter)

    def add_recordings(self, paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
        """Add audio files (folders are searched) to the project; returns those added."""
        return self._files.add_recordings(paths)

    def set_common_names(self, names: Mapping[str, str]) -> None:
        """Common names (scientific -> common) for display, imports and exports."""
        self.source_files.set_common_names(names)

    def missing_recordings(self) -> dict[str, int]:
        """Recordings not in the project (deleted, moved away) that have verdicts (path -> count)."""
        return self._checks.missing_recordings()

    def changed_recordings(self) -> dict[str, int]:
        """Recordings whose file changed after verdicts were made on it (path -> count)."""
        return self._checks.changed_recordings()

    def left_out(self) -> list[LeftOut]:
        """Verdicts that exports of :attr:`session` cannot hold, per recording and reason."""
        return self._checks.left_out()

    # ------------------------------------------------------------ sources

    def sources(self) -> list[SourceInfo]:
        """The predictions files read into the project."""
        return self.source_files.sources()

    def source(self, path: str | os.PathLike[str]) -> SourceInfo | None:
        """The predictions file at ``path`` if the project has read it, else None."""
        return self.source_files.source(path)

    def attach(
        self,
        path: str | os.PathLike[str],
        kind: str | None = None,
        *,
        prepared: PreparedSource | None = None,
    ) -> SourceInfo:
        """Read a predictions file into the project and remember it (see :meth:`ProjectSources.attach`)."""
        return self.source_files.attach(path, kind, prepared=prepared)

    def detach(self, path: str | os.PathLike[str]) -> None:
        """Forget a predictions file (its detections leave at the next open)."""
        self.source_files.detach(path)

    def runs_folder(self) -> Path:
        """Where the runs made in the app are kept (see :func:`runs_dir`)."""
        return self.source_files.runs_folder

    def save_run(
        self,
        predictions: Sequence[data.ClipPrediction],
        *,
        name: str,
        provenance: Mapping[str, Any] | None = None,
        add: bool = False,
    ) -> Path:
        """Save a model run made in the app into the project (see :meth:`ProjectSources.save_run`)."""
        return self.source_files.save_run(
            predictions, name=name, provenance=provenance, add=add
        )

    def record_run(
        self,
        target: Path,
        *,
        name: str,
        provenance: Mapping[str, Any] | None = None,
        detections: int = 0,
    ) -> None:
        """Remember a run file written by :func:`write_run_file` as one of the project's."""
        self.source_files.record_run(
            target, name=name, provenance=provenance, detections=detections
        )

    def import_review(
        self,
        path: str | os.PathLike[str],
        *,
        prepared: PreparedReview | None = None,
    ) -> int:
        """Continue an exported review (see :meth:`ReviewImport.run`); returns the items read."""
        return self._import.run(path, prepared=prepared)

    # ---------------------------------------------- reviewer and position

    @property
    def reviewer(self) -> data.User:
        """Who reviews now (stamped on every verdict)."""
        return self._reviewer.reviewer

    @property
    def needs_reviewer(self) -> bool:
        """True when nobody was given, saved or found at open (ask once)."""
        return self._reviewer.needs_reviewer

    def set_reviewer(
        self, name: str, email: str | None = None, *, remember: bool = True
    ) -> data.User:
        """Set who reviews from now on (see :meth:`ReviewerRecord.set_reviewer`)."""
        return self._reviewer.set_reviewer(name, email, remember=remember)

    def select(self, detection_id: int | None) -> None:
        """Remember the detection the reviewer is on (cheap: not fsynced)."""
        self._position.select(detection_id)

    def select_box(self, box_id: str) -> None:
        """Remember the box the reviewer is on."""
        self._position.select_box(box_id)

    @property
    def selected_box(self) -> str | None:
        """The box the reviewer was on, if the last position was a box."""
        return self._position.selected_box

    def resume(self, filter: DetectionFilter | None = None) -> int | None:
        """The detection to show on reopening: the last one selected, else the first unreviewed."""
        return self._position.resume(filter)

    @property
    def settings(self) -> dict[str, Any]:
        """Small project settings (threshold, target precision...), kept in the journal."""
        return self._position.settings

    def set_settings(self, **values: Any) -> None:
        """Change project settings (JSON values), durably."""
        self._position.set_settings(**values)

    def save_queue(self, queue: ReviewQueue) -> None:
        """Remember a verification queue (durably)."""
        self._queue.save(queue)

    def queue(self) -> ReviewQueue | None:
        """The saved verification queue, with ids of this session (None if none)."""
        return self._queue.load()

    # ------------------------------------------------------------- upkeep

    def compact(self) -> None:
        """Rewrite the journal with only the live state (atomically)."""
        journal = self._journal
        if not journal.writable:
            raise PermissionError(f"{self.journal_path}: project opened read-only")
        journal.rewrite(
            compacted_records(
                self.session,
                self.codec,
                journal.state,
                recordings=self._files.listed,
                sources=self.source_files.kinds(),
                removed=sorted(journal.state.removed),
            )
        )
        self._recorder.mark_known(str(u.uuid) for u in self.session.users)

    def close(self) -> None:
        """Close the journal (the session stays readable; edits then raise)."""
        self._journal.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._journal.closed

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
            "sources": [str(s.path) for s in self.source_files.sources()],
        }
