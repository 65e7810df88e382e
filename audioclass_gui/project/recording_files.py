"""A project's recordings into its session, their headers read once and then kept.

Mixed into :class:`~audioclass_gui.project.ReviewProject`. Each recording's
header facts are kept in its ``fingerprint`` journal record (see
:mod:`audioclass_gui.project.header_cache`): a recording whose ``stat`` is
the one recorded with them is added from them without being opened; the
others are read (:func:`~audioclass_gui.project.header_cache.read_header`)
and their record written again with the facts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.project import fingerprint as fingerprints
from audioclass_gui.project import header_cache
from audioclass_gui.project.fingerprint import FileState, file_key

if TYPE_CHECKING:
    from audioclass_gui.project.project import ReviewProject

__all__ = ["QUIET_S", "RecordingFilesMixin"]

#: An open says what it is doing once it has lasted this long (seconds) ...
QUIET_S = 0.5
#: ... and then at most this often.
EVERY_S = 0.2


class RecordingFilesMixin:
    """Adding recording files to :class:`~audioclass_gui.project.ReviewProject`'s session."""

    def _add_recording_files(self: ReviewProject, paths: Sequence[Path]) -> list[Path]:
        """Add recordings to the session, from their kept header facts where still valid.

        A known recording that is gone is skipped (said by
        :meth:`~audioclass_gui.project.recording_checks.RecordingChecksMixin._check_recordings`);
        a file that is not audio is said in :attr:`problems`.

        Returns
        -------
        list of pathlib.Path
            The recordings added.
        """
        state, session = self._state, self.session
        added = []
        tick = self._ticker("Reading recordings")
        for done, path in enumerate(paths):
            if tick is not None:
                tick(done, len(paths))
            if session.recording_index(path) is not None:
                continue
            key_text = str(path)
            key = self._keys.pop(key_text, None) or file_key(path)
            known = state.fingerprints.get(key_text)
            if known is not None and key is None:
                continue  # a known recording gone: said by _check_recordings
            cached = None
            if known is not None and known.info is not None and known.matches(key):
                cached = header_cache.recording_from_facts(path, known.info)
            if cached is not None:
                recording, warnings = cached
            else:
                try:
                    recording, warnings, facts = header_cache.read_header(path)
                except AudioFileError as exc:
                    self.problems.append(str(exc))
                    continue
                if key is not None:
                    self._keep_facts(key_text, known, key, facts)
            self.problems.extend(f"{path}: {w}" for w in warnings)
            session.add_recording(recording)
            added.append(Path(recording.path))
        return added

    def _keep_facts(
        self: ReviewProject,
        path: str,
        known: FileState | None,
        key: header_cache.StatKey,
        facts: dict[str, Any],
    ) -> None:
        """Record a recording's fingerprint with the header facts just read.

        ``key`` is the file's ``stat`` taken before it was read, so a file
        changed meanwhile is read again at the next open. A known recording
        whose file no longer matches its fingerprint's ``stat`` (changed
        since the open checked it) is left to the next open's checks.
        """
        if known is None:  # first seen (added by hand)
            try:
                known = FileState.of(fingerprints.fingerprint(path), key)
            except OSError:
                return
        elif not known.matches(key):
            return
        self._unrecorded.pop(path, None)
        self._note(known.with_info(key, facts).record(self.codec.encode(path)))

    def _ticker(self: ReviewProject, what: str) -> Callable[[int, int], None] | None:
        """A progress callback ``(done, total)`` saying ``what`` to :meth:`open`'s ``progress``.

        Says it at most every :data:`EVERY_S`, and not before :data:`QUIET_S`:
        a quick open says nothing.
        """
        say = self._progress
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

    def _record_fingerprints(self: ReviewProject) -> None:
        """Write the fingerprints found at this open that no header read has written yet."""
        pending, self._unrecorded = self._unrecorded, {}
        for path, file_state in pending.items():
            self._note(file_state.record(self.codec.encode(path)))
        self._keys.clear()
