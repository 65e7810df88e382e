"""Recordings' identity: a content fingerprint, and what became of each file.

Verdicts are keyed by a recording's path, so a renamed file would lose them
and a file replaced under the same name would get the old file's results.
The journal therefore keeps each recording's fingerprint (``fingerprint``
records), and at each open :func:`reconcile` compares the files found with
it:

* a journal recording that is gone, whose fingerprint is that of exactly
  one file new to the project (or of a file whose content changed), was
  **moved**: its verdicts, boxes and predictions follow it;
* a recording whose path still exists with another fingerprint **changed**
  (replaced or truncated): what was said about the old content is set aside;
* a journal recording that is gone with no match is **missing**.

The fingerprint is the SHA-1 of the file size and of its first and last
64 KiB: it is cheap (two reads whatever the length of the file) and it is
only recomputed when a file's size, modification time or status-change time
(its :class:`~audioclass_gui.project.header_cache.StatKey`) differ from the
journal's, so opening 2,000 unchanged recordings costs 2,000 ``stat`` calls;
the record also keeps the recording's header facts, read again on the same
condition (see :mod:`audioclass_gui.project.header_cache`, which also says
what a file changed with its times put back does). A change confined to the
middle of a file of the same size goes unnoticed.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from audioclass_gui.project.header_cache import StatKey, stat_key

if TYPE_CHECKING:
    from audioclass_gui.project.replay import Replay
    from audioclass_gui.project.store import PathCodec

__all__ = [
    "CHUNK",
    "FileState",
    "Reconciled",
    "file_key",
    "follow",
    "fingerprint",
    "reconcile",
    "recording_uuid",
    "settle",
    "written_after",
]

#: Namespace of the recordings' uuids (:func:`recording_uuid`).
_RECORDINGS = uuid.UUID("5d0a3f7e-2b1c-5e8a-9f4d-6c7b8a9e0d1f")

#: Bytes read at each end of a file.
CHUNK = 64 * 1024

#: A journal event on a path: (record number, "moved" or "changed", new path).
Event = tuple[int, str, str | None]


def recording_uuid(name: str) -> uuid.UUID:
    """A recording's uuid, the same at every open and in every export.

    Tools that take our AOEF files (Whombat) match recordings by uuid: a
    uuid made afresh at each open would make a second copy of every
    recording at the next import. It comes from ``name``, the path as the
    journal writes it (relative to the project's root when inside it), so
    it also stays when the whole project folder moves. Not from the content
    fingerprint: two recordings can share one (a recorder writing silence
    fills files of the same size with the same bytes at both ends).
    """
    return uuid.uuid5(_RECORDINGS, f"path:{name}")


def fingerprint(path: str | os.PathLike[str]) -> str:
    """The content fingerprint of a file: ``"sha1:"`` + hex digest.

    Parameters
    ----------
    path
        The file.

    Raises
    ------
    OSError
        If it cannot be read.
    """
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        digest = hashlib.sha1(size.to_bytes(8, "little"))
        digest.update(handle.read(CHUNK))
        if size > CHUNK:
            handle.seek(max(CHUNK, size - CHUNK))
            digest.update(handle.read(CHUNK))
    return "sha1:" + digest.hexdigest()


@dataclass(frozen=True)
class FileState:
    """A recording as the journal knows it: fingerprint, size, times, header facts.

    Attributes
    ----------
    fp
        :func:`fingerprint` of the content.
    size, mtime
        Bytes, and modification time in seconds (``st_mtime``).
    mtime_ns, ctime_ns
        Modification and status-change times in nanoseconds; None in
        records written before they were kept (or, for ``ctime_ns``, on
        Windows).
    info
        The recording's header facts
        (:func:`~audioclass_gui.project.header_cache.header_facts`), valid
        while the file :meth:`matches` this state; None when not read.
    """

    fp: str
    size: int
    mtime: float
    mtime_ns: int | None = None
    ctime_ns: int | None = None
    info: dict[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def of(cls, fp: str, key: StatKey, info: dict[str, Any] | None = None) -> FileState:
        """The state of a file with fingerprint ``fp`` whose ``stat`` gave ``key``."""
        return cls(fp, key.size, key.mtime, key.mtime_ns, key.ctime_ns, info)

    def matches(self, key: StatKey) -> bool:
        """Whether a file whose ``stat`` gives ``key`` is still the file recorded.

        Size and modification time must be equal (in nanoseconds when the
        record has them), and the status-change time too when both sides
        have one.
        """
        if self.size != key.size:
            return False
        if self.mtime_ns is None:
            if self.mtime != key.mtime:
                return False
        elif self.mtime_ns != key.mtime_ns:
            return False
        return self.ctime_ns is None or key.ctime_ns is None or self.ctime_ns == key.ctime_ns

    def with_info(self, key: StatKey, info: dict[str, Any]) -> FileState:
        """This fingerprint with header facts read from the file whose ``stat`` gave ``key``."""
        return replace(
            self, size=key.size, mtime=key.mtime, mtime_ns=key.mtime_ns,
            ctime_ns=key.ctime_ns, info=info,
        )

    def record(self, path: str) -> dict[str, Any]:
        """The ``fingerprint`` journal record of this state at ``path`` (encoded)."""
        out: dict[str, Any] = {
            "t": "fingerprint",
            "path": path,
            "fp": self.fp,
            "size": self.size,
            "mtime": self.mtime,
        }
        if self.mtime_ns is not None:
            out["mtime_ns"] = self.mtime_ns
        if self.ctime_ns is not None:
            out["ctime_ns"] = self.ctime_ns
        if self.info is not None:
            out["info"] = self.info
        return out

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> FileState:
        """The state stored by :meth:`record`."""
        mtime_ns, ctime_ns, info = (record.get(k) for k in ("mtime_ns", "ctime_ns", "info"))
        return cls(
            str(record["fp"]),
            int(record["size"]),
            float(record["mtime"]),
            None if mtime_ns is None else int(mtime_ns),
            None if ctime_ns is None else int(ctime_ns),
            info if isinstance(info, dict) else None,
        )


def file_key(path: str | os.PathLike[str]) -> StatKey | None:
    """A file's :class:`~audioclass_gui.project.header_cache.StatKey`; None if it is not there."""
    try:
        return stat_key(os.stat(path))
    except OSError:
        return None


@dataclass
class Reconciled:
    """What :func:`reconcile` found; paths are absolute strings.

    Attributes
    ----------
    seen : dict
        Path -> state to record (files new to the journal, or whose
        modification time changed).
    moved : dict
        Old path -> new path (same content).
    changed : dict
        Path -> (state in the journal, state now) for files whose content
        changed in place.
    missing : list of str
        Journal recordings gone without a match.
    hashed : int
        Files read to compute a fingerprint (the cost of this open).
    keys : dict
        Path -> :class:`~audioclass_gui.project.header_cache.StatKey` of
        every file found (its ``stat``, taken before anything was read).
    """

    seen: dict[str, FileState] = field(default_factory=dict)
    moved: dict[str, str] = field(default_factory=dict)
    changed: dict[str, tuple[FileState, FileState]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    hashed: int = 0
    keys: dict[str, StatKey] = field(default_factory=dict)


def reconcile(
    paths: Iterable[str],
    known: Mapping[str, FileState],
    on_path: Callable[[int, int], None] | None = None,
) -> Reconciled:
    """Compare the recordings found now with the fingerprints in the journal.

    Parameters
    ----------
    paths
        The recordings of the project now (absolute paths).
    known
        Path -> state from the journal.
    on_path
        Called with (paths checked, paths) before each path (progress).

    Returns
    -------
    Reconciled
        A move is only inferred when one gone (or changed) file and one new
        (or changed) file share a fingerprint; duplicates stay missing.
    """
    out = Reconciled()
    here = list(dict.fromkeys(paths))
    new: dict[str, FileState] = {}
    for done, path in enumerate(here):
        if on_path is not None:
            on_path(done, len(here))
        key = file_key(path)
        if key is None:
            continue
        out.keys[path] = key
        old = known.get(path)
        if old is not None and old.matches(key):
            continue
        try:
            state = FileState.of(fingerprint(path), key)
        except OSError:
            continue
        out.hashed += 1
        if old is None:
            new[path] = state
        elif old.fp != state.fp:
            out.changed[path] = (old, state)
        out.seen[path] = state
    present = set(here)
    gone = [p for p in known if p not in present and not os.path.exists(p)]
    sources: dict[str, list[str]] = {}
    for path in gone:
        sources.setdefault(known[path].fp, []).append(path)
    for path, (old, _now) in out.changed.items():
        sources.setdefault(old.fp, []).append(path)
    targets: dict[str, list[str]] = {}
    for path, state in new.items():
        targets.setdefault(state.fp, []).append(path)
    for path, (_old, now) in out.changed.items():
        targets.setdefault(now.fp, []).append(path)
    for fp, olds in sources.items():
        news = targets.get(fp, [])
        if len(olds) == 1 and len(news) == 1 and olds[0] != news[0]:
            out.moved[olds[0]] = news[0]
    out.missing = [p for p in gone if p not in out.moved]
    return out


def follow(path: str, seq: int, events: Mapping[str, list[Event]]) -> tuple[str, bool]:
    """Where the content that was at ``path`` at journal record ``seq`` is now.

    Parameters
    ----------
    path
        A recording's path as a record wrote it.
    seq
        The number of that record in the journal.
    events
        Per path, its ``moved`` / ``changed`` events in journal order.

    Returns
    -------
    tuple
        The path now, and True when the content there changed after the
        record (what the record says is about content that is gone).
    """
    while True:
        step = next((e for e in events.get(path, ()) if e[0] > seq), None)
        if step is None:
            return path, False
        at, kind, new = step
        if kind == "changed" or new is None:
            return path, True
        path, seq = new, at


def settle(state: Replay, codec: PathCodec) -> None:
    """Apply the journal's moves and changes to what it replayed, in place.

    Verdicts, boxes and the selection recorded on a path that moved get the
    new path; those recorded before their recording's content changed go to
    ``state.stale_verdicts`` / ``state.stale_boxes`` (kept, never applied).
    ``state.aliases`` gets each old path's path now. Costs nothing when the
    journal has no ``moved`` or ``changed`` record.
    """
    events = state.events
    if not events:
        return
    state.aliases = {
        old: new
        for old, kinds in events.items()
        if any(kind == "moved" for _seq, kind, _new in kinds)
        for new in [follow(old, -1, events)[0]]
        if new != old
    }
    live = []
    seqs = []
    for item, seq in zip(state.verdicts, state.verdict_seq, strict=True):
        key = item[0]
        if key[0] in events:
            path, stale = follow(key[0], seq, events)
            if stale:
                state.stale_verdicts.append(item)
                continue
            if path != key[0]:
                item = ((path, *key[1:]), *item[1:])  # type: ignore[assignment]
        live.append(item)
        seqs.append(seq)
    state.verdicts, state.verdict_seq = live, seqs
    for box_id, (raw, by, at) in list(state.boxes.items()):
        if raw is None:
            continue
        rec = codec.decode(raw["rec"])
        if rec not in events:
            continue
        path, stale = follow(rec, state.box_seq.get(box_id, -1), events)
        if stale:
            state.stale_boxes[box_id] = (raw, by, at)
            del state.boxes[box_id]
        elif path != rec:
            state.boxes[box_id] = ({**raw, "rec": codec.encode(path)}, by, at)
    sel = state.selection
    if sel and "k" in sel:
        rec = codec.decode(sel["k"][0])
        path, stale = follow(rec, state.selection_seq, events)
        if path != rec and not stale:
            state.selection = {**sel, "k": [codec.encode(path), *sel["k"][1:]]}


def written_after(source: str, change: Mapping[str, Any]) -> bool:
    """True when a predictions file was written about a changed recording's new content.

    It must be newer than the recording's new content, and, if the project
    knew it before it noticed the change, modified since then. Anything else
    (the file gone, or older) is taken as written about the old content: a
    predictions file rewritten in place before the project was reopened is
    thus set aside too (the cautious side: nothing old is merged).

    Parameters
    ----------
    source
        The predictions file (absolute path).
    change
        The recording's last ``changed`` record as replayed.
    """
    key = file_key(source)
    if key is None or key.mtime <= float(change["mtime"]):
        return False
    return source not in change["sources"] or key.mtime > float(change["at"])
