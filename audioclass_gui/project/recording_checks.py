"""Recordings renamed, moved, replaced, truncated or deleted: what a project does.

:class:`RecordingChecks` does it for a
:class:`~audioclass_gui.project.ReviewProject`; the fingerprints and the
rules are in :mod:`audioclass_gui.project.fingerprint`. In short:

* moved (same content under another path): verdicts, boxes, the selection
  and the predictions files that name the old path follow it, said once;
* changed in place (replaced, truncated): the verdicts and boxes made on the
  old content are set aside (kept in the journal, never applied to the new
  file, listed by :meth:`~RecordingChecks.changed_recordings` and by
  exports as "verdicts on a recording that changed"), and predictions files
  written before the change are not attached to it; said at every open while
  that is so;
* missing: its verdicts are kept (pending) and listed by
  :meth:`~RecordingChecks.missing_recordings`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audioclass_gui.formats.exports import LeftOut, LeftOutVerdict
from audioclass_gui.project.fingerprint import reconcile, settle, written_after
from audioclass_gui.project.project_journal import ProjectJournal
from audioclass_gui.project.recording_files import RecordingFiles
from audioclass_gui.project.sources import RecordingResolver
from audioclass_gui.project.store import PathCodec

if TYPE_CHECKING:
    from audioclass_gui.project.attach import ProjectSources
    from audioclass_gui.review import ReviewSession

__all__ = ["RecordingChecks"]


class RecordingChecks:
    """Recordings' identity checks of a project.

    Parameters
    ----------
    session
        The project's session.
    journal
        Where fingerprints, moves and changes are kept.
    codec
        Paths in records relative to the project's root.
    files
        Adds the recordings to the session (held-back ones when released).
    resolver
        The project's recording lookup for predictions files.
    problems
        The project's problems: what the checks found, in words.
    """

    def __init__(
        self,
        session: ReviewSession,
        journal: ProjectJournal,
        codec: PathCodec,
        files: RecordingFiles,
        resolver: RecordingResolver,
        problems: list[str],
    ) -> None:
        self._session = session
        self._journal = journal
        self._codec = codec
        self._files = files
        self._resolver = resolver
        self._problems = problems
        self._just_changed: set[str] = set()

    def check(self, paths: Sequence[Path]) -> set[str]:
        """Fingerprint the recordings; follow those that moved; find changed ones.

        See :mod:`audioclass_gui.project.fingerprint`. Writes ``changed`` and
        ``moved`` records (``fingerprint`` records follow, with the header
        facts: :mod:`audioclass_gui.project.recording_files`), keeps each
        file's ``stat`` for the header cache, applies the journal's moves to
        the replayed verdicts, boxes and selection (:func:`settle`) and says
        what it found in the problems.

        Returns
        -------
        set of str
            Recordings whose content changed at some point (now or at an
            earlier open) and that are here: they are added to the session
            only once the predictions written before the change are read
            (:meth:`read_sources`).
        """
        state, enc, note = self._journal.state, self._codec.encode, self._journal.note
        found = reconcile(
            (str(p) for p in paths), state.fingerprints, self._files.ticker("Checking recordings")
        )
        now = round(time.time(), 3)
        for path, (old, new) in found.changed.items():
            record = {
                "t": "changed",
                "path": enc(path),
                "fp": new.fp,
                "old": old.fp,
                "size": new.size,
                "old_size": old.size,
                "mtime": new.mtime,
                "at": now,
                "sources": sorted(enc(p) for p in state.sources),
            }
            if path in found.moved:
                record["to"] = enc(found.moved[path])
            note(record)
        if found.moved:
            note({"t": "moved", "moves": [[enc(a), enc(b)] for a, b in found.moved.items()]})
        # Recorded with their header facts when read (RecordingFiles.add),
        # else at the end of the open (record_fingerprints): one record each.
        state.fingerprints.update(found.seen)
        self._files.found(found.seen, found.keys)
        settle(state, self._codec)
        self._resolver.aliases.update(state.aliases)
        counts: Counter[str] = Counter()
        if found.moved or found.missing:  # counted only when there is something to say
            counts.update(key[0] for key, *_rest in state.verdicts)
        for old, new in found.moved.items():
            verb = (
                f"was renamed to {Path(new).name}"
                if Path(old).parent == Path(new).parent
                else f"was moved to {enc(new)}"
            )
            self._problems.append(f"{enc(old)} {verb}; {_verdicts(counts[new])} follow it")
        for path in found.missing:
            if counts[path]:
                self._problems.append(
                    f"{enc(path)}: recording not found (deleted, or moved out of the "
                    f"project); {_verdicts(counts[path])} are kept, and exports say "
                    "they are left out"
                )
        self._just_changed = set(found.changed)
        listed = {str(p) for p in paths}
        return {p for p in state.changes if p in listed and p in found.keys}

    def read_sources(
        self, sources: Mapping[str, str], changed: set[str], reader: ProjectSources
    ) -> None:
        """Read the predictions files, never attaching old ones to a changed recording.

        A changed recording is held back (not in the session, refused by the
        resolver) while the predictions files written before its change are
        read (see :func:`~audioclass_gui.project.fingerprint.written_after`),
        then added; files written since attach to it as usual. Their
        predictions of it are left out and said here; the verdicts made
        before the change stay set aside (:meth:`changed_recordings`).
        """
        state, resolver = self._journal.state, self._resolver
        if not changed:  # many store files (one per recording): one merged file
            stores = [Path(src) for src, kind in sources.items() if kind == "arrow"]
            read = reader.read_merged(stores)
            sources = {src: kind for src, kind in sources.items() if Path(src) not in read}
        stale = {
            src: {p for p in changed if not written_after(src, state.changes[p])}
            for src in sources
        }
        excluded: dict[str, list[str]] = {p: [] for p in changed}
        waiting = set(changed)
        resolver.held = set(changed)
        order = sorted(sources, key=lambda src: -len(stale[src]))
        for i, src in enumerate(order):
            self._release(waiting - set().union(*(stale[s] for s in order[i:])), waiting)
            resolver.refused.clear()
            reader.read_source(Path(src), sources[src])
            for p in resolver.refused & changed:
                excluded[p].append(self._codec.encode(src))
        self._release(set(waiting), waiting)
        resolver.refused.clear()
        for path in sorted(changed):
            change, n = state.changes[path], self.changed_recordings().get(path, 0)
            boxes = sum(
                1 for raw, _by, _at in state.stale_boxes.values()
                if self._codec.decode(raw["rec"]) == path
            )
            if not (n or boxes or excluded[path] or path in self._just_changed):
                continue
            text = (
                f"{self._codec.encode(path)}: the file changed since it was reviewed "
                f"(replaced or truncated: {change['old_size']} -> {change['size']} bytes); "
                f"{_verdicts(n)}{f' and {boxes} boxes' if boxes else ''} made on the old "
                "file are set aside (kept; exports list them as verdicts on a recording "
                "that changed)"
            )
            if excluded[path]:
                text += (
                    "; predictions written before the change are not attached to it: "
                    + ", ".join(excluded[path])
                )
            self._problems.append(text)

    def _release(self, paths: set[str], waiting: set[str]) -> None:
        """Add held-back changed recordings to the session."""
        if paths:
            self._resolver.held -= paths
            waiting -= paths
            self._files.add([Path(p) for p in sorted(paths)])

    def missing_recordings(self) -> dict[str, int]:
        """Recordings not in the project (deleted, moved away) that have verdicts.

        Returns
        -------
        dict
            Path -> number of verdicts kept for it (pending: they come back
            if the file does, and exports say they are left out).
        """
        out: Counter[str] = Counter()
        for path, *_key in self._session.pending_verdicts():
            if self._session.recording_index(path) is None:
                out[path] += 1
        return dict(out)

    def changed_recordings(self) -> dict[str, int]:
        """Recordings whose file changed after verdicts were made on it.

        Returns
        -------
        dict
            Path -> number of verdicts made on the old content: kept in the
            journal, never applied to the new file.
        """
        return dict(Counter(key[0] for key, *_rest in self._journal.state.stale_verdicts))

    def left_out(self) -> list[LeftOut]:
        """Verdicts that exports of the session cannot hold, per recording and reason."""
        state, session = self._journal.state, self._session
        rows: dict[tuple[str, str], list[LeftOutVerdict]] = {}

        def add(reason: str, key: tuple, verdict: Any, user: Any, at: Any) -> None:
            rows.setdefault((key[0], reason), []).append(
                LeftOutVerdict(
                    key[1], key[2], key[3], verdict.status.value, verdict.label,
                    verdict.note, "" if user is None else (user.name or user.username),
                    at,
                )
            )

        for key, (verdict, user, at) in session.pending_verdicts().items():
            if session.recording_index(key[0]) is None:
                add("missing", key, verdict, user, at)
        for key, verdict, user, at in state.stale_verdicts:
            add("changed", key, verdict, user, at)
        boxes = Counter(
            self._codec.decode(raw["rec"]) for raw, _by, _at in state.stale_boxes.values()
        )
        return [
            LeftOut(path, reason, found, boxes[path] if reason == "changed" else 0)
            for (path, reason), found in sorted(rows.items())
        ]


def _verdicts(n: int) -> str:
    return f"its {n} verdict" + ("" if n == 1 else "s")
