"""A project's recordings into its session, their headers read once and then kept.

:class:`RecordingFiles` adds a project's recording files to its session.
Each recording's header facts are kept in its ``fingerprint`` journal
record (see :mod:`audioclass_gui.project.header_cache`): a recording whose
``stat`` is the one recorded with them is added from them without being
opened; the others are read
(:func:`~audioclass_gui.project.header_cache.read_header`) and their record
written again with the facts. It also keeps the list of recordings added
by hand (or named by a predictions file), which a folder scan would not
find.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soundevent import data

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.project import fingerprint as fingerprints
from audioclass_gui.project import header_cache
from audioclass_gui.project.fingerprint import FileState, file_key
from audioclass_gui.project.project_journal import ProjectJournal
from audioclass_gui.project.sources import find_audio
from audioclass_gui.project.store import PathCodec

if TYPE_CHECKING:
    from audioclass_gui.review import ReviewSession

__all__ = ["QUIET_S", "RecordingFiles"]

#: An open says what it is doing once it has lasted this long (seconds) ...
QUIET_S = 0.5
#: ... and then at most this often.
EVERY_S = 0.2


class RecordingFiles:
    """Recording files into a project's session.

    Parameters
    ----------
    session
        The project's session.
    journal
        Where fingerprints (with header facts) and added recordings are kept.
    codec
        Paths in records relative to the project's root.
    problems
        The project's problems (unreadable files...).

    Attributes
    ----------
    listed : list of str
        Recordings added by hand or named by a predictions file, as the
        journal lists them.
    progress : callable or None
        Told what a long open is doing (see
        :meth:`~audioclass_gui.project.ReviewProject.open`).
    """

    def __init__(
        self,
        session: ReviewSession,
        journal: ProjectJournal,
        codec: PathCodec,
        problems: list[str],
    ) -> None:
        self._session = session
        self._journal = journal
        self._codec = codec
        self._problems = problems
        self.listed: list[str] = list(journal.state.recordings)
        self.progress: Callable[[str], None] | None = None
        #: Fingerprints found at this open, not yet written (with header facts).
        self._unrecorded: dict[str, FileState] = {}
        #: Each recording's ``stat`` taken by the open's checks (header cache keys).
        self._keys: dict[str, header_cache.StatKey] = {}

    def add(self, paths: Sequence[Path]) -> list[Path]:
        """Add recordings to the session, from their kept header facts where still valid.

        A known recording that is gone is skipped (said by
        :meth:`~audioclass_gui.project.recording_checks.RecordingChecks.check`);
        a file that is not audio is said in the problems.

        Returns
        -------
        list of pathlib.Path
            The recordings added.
        """
        state, session = self._journal.state, self._session
        added = []
        tick = self.ticker("Reading recordings")
        for done, path in enumerate(paths):
            if tick is not None:
                tick(done, len(paths))
            if session.recording_index(path) is not None:
                continue
            key_text = str(path)
            key = self._keys.pop(key_text, None) or file_key(path)
            known = state.fingerprints.get(key_text)
            if known is not None and key is None:
                continue  # a known recording gone: said by RecordingChecks.check
            cached = None
            if known is not None and known.info is not None and known.matches(key):
                cached = header_cache.recording_from_facts(path, known.info)
            if cached is not None:
                recording, warnings = cached
            else:
                try:
                    recording, warnings, facts = header_cache.read_header(path)
                except AudioFileError as exc:
                    self._problems.append(str(exc))
                    continue
                if key is not None:
                    known = self._keep_facts(key_text, known, key, facts) or known
            self._problems.extend(f"{path}: {w}" for w in warnings)
            recording = self._with_uuid(recording)
            session.add_recording(recording)
            added.append(Path(recording.path))
        return added

    def add_recordings(self, paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
        """Add audio files (folders are searched) and list them in the journal."""
        files: list[Path] = []
        for raw in paths:
            p = Path(raw).expanduser().absolute()
            files.extend(find_audio(p) if p.is_dir() else [p])
        added = self.add(files)
        if added:
            encoded = [self._codec.encode(p) for p in added]
            self._journal.append({"t": "recordings", "add": encoded})
            self.listed.extend(str(p) for p in added)
        return added

    def _with_uuid(self, recording: data.Recording) -> data.Recording:
        """The recording with its lasting uuid (:func:`~.fingerprint.recording_uuid`)."""
        uid = fingerprints.recording_uuid(self._codec.encode(recording.path))
        return recording.model_copy(update={"uuid": uid})

    def adopt(self, recording: data.Recording) -> int:
        """Add a recording a predictions file refers to, and remember it."""
        if self._session.recording_index(recording.path) is None:
            recording = self._with_uuid(recording)
        known = self._session.recording_index(recording.path)
        index = self._session.add_recording(recording)
        if known is None and str(recording.path) not in self.listed:
            self.listed.append(str(recording.path))
            self._journal.append(
                {"t": "recordings", "add": [self._codec.encode(recording.path)]}
            )
        return index

    def _keep_facts(
        self,
        path: str,
        known: FileState | None,
        key: header_cache.StatKey,
        facts: dict[str, Any],
    ) -> FileState | None:
        """Record a recording's fingerprint with the header facts just read (and return it).

        ``key`` is the file's ``stat`` taken before it was read, so a file
        changed meanwhile is read again at the next open. A known recording
        whose file no longer matches its fingerprint's ``stat`` (changed
        since the open checked it) is left to the next open's checks.
        """
        if known is None:  # first seen (added by hand)
            try:
                known = FileState.of(fingerprints.fingerprint(path), key)
            except OSError:
                return None
        elif not known.matches(key):
            return None
        self._unrecorded.pop(path, None)
        self._journal.note(known.with_info(key, facts).record(self._codec.encode(path)))
        return known

    def found(
        self, seen: Mapping[str, FileState], keys: Mapping[str, header_cache.StatKey]
    ) -> None:
        """Fingerprints and ``stat`` the open's checks found, for :meth:`add`.

        Each fingerprint is recorded once: with its header facts when the
        recording is read, else by :meth:`record_fingerprints`.
        """
        self._unrecorded.update(seen)
        self._keys.update(keys)

    def ticker(self, what: str) -> Callable[[int, int], None] | None:
        """A progress callback ``(done, total)`` saying ``what`` to :attr:`progress`.

        Says it at most every :data:`EVERY_S`, and not before :data:`QUIET_S`:
        a quick open says nothing.
        """
        say = self.progress
        if say is None:
            return None
        due = time.monotonic() + QUIET_S

        def tick(done: int, total: int) -> None:
            nonlocal due
            now = time.monotonic()
            if now >= due:
                due = now + EVERY_S
                say(f"{what}: {done:,} of {total:,}")

        return tick

    def record_fingerprints(self) -> None:
        """Write the fingerprints found at this open that no header read has written yet."""
        pending, self._unrecorded = self._unrecorded, {}
        for path, file_state in pending.items():
            self._journal.note(file_state.record(self._codec.encode(path)))
        self._keys.clear()
