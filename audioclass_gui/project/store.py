"""The project journal's records: writing a session's changes, reading them back.

Record types (one JSON object per line, ``"t"`` says which):

``journal``
    First line: ``{"t": "journal", "format": "audioclass-gui/review-journal/1", ...}``.
``user``
    A reviewer (``{"user": {"uuid", "username", "name", "email"}}``),
    written before the first verdict that refers to them.
``reviewer``
    The reviewer from now on (``{"uuid": ...}``).
``recordings``
    Recordings added by hand (``{"add": [path, ...]}``); a folder project
    also finds its recordings by scanning the folder.
``source`` / ``source_removed``
    A predictions file attached (``{"path", "kind"}``) or detached.
``v``
    Verdicts: ``{"by": uuid, "at": epoch, "items": [[path, start, end,
    species, status, label, note], ...]}``; items may carry their own
    ``by`` and ``at`` as 8th and 9th fields (compacted journals).
``box``
    A box put in place (``{"id", "box": {...}}``) or deleted (``"box": null``).
``sel``
    The reviewer's position: ``{"k": [path, start, end, species]}`` or
    ``{"box": id}``.
``queue``, ``settings``
    The verification queue; free settings (a dict merged into the last).
``fingerprint``
    A recording's content fingerprint when first seen (or when its size or
    times changed): ``{"path", "fp", "size", "mtime", "mtime_ns",
    "ctime_ns", "info"}`` (see :mod:`audioclass_gui.project.fingerprint`);
    ``info`` holds its header facts, used instead of opening the file while
    its size and times stay those recorded
    (:mod:`audioclass_gui.project.header_cache`).
``moved``
    Recordings found under another path with the same fingerprint:
    ``{"moves": [[old, new], ...]}`` (one record per open, so that swapped
    names move together). Verdicts, boxes and the selection recorded before
    it on ``old`` now belong to ``new``; predictions files naming ``old``
    resolve to ``new``.
``changed``
    A recording whose content changed in place (replaced, truncated):
    ``{"path", "fp", "old", "size", "old_size", "mtime", "at", "sources",
    "to"}``, ``sources`` being the predictions files known then and ``at``
    when the change was noticed. Verdicts and boxes recorded before it on
    ``path`` are about the old content: they are set aside, never applied
    to the new file. ``to`` names where the old content went when it moved
    (its verdicts follow the ``moved`` record then).

Paths are relative to the project's root (POSIX separators) when inside it,
so a project folder can be moved or shared with its recordings.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from soundevent import data

from audioclass_gui import __version__
from audioclass_gui.project.identity import user_to_json
from audioclass_gui.review import Box, ReviewSession

if TYPE_CHECKING:
    from audioclass_gui.project.replay import Replay

__all__ = [
    "FORMAT",
    "JournalRecorder",
    "PathCodec",
    "compacted_records",
    "verdict_item",
]

FORMAT = "audioclass-gui/review-journal/1"


class PathCodec:
    """Paths in the journal: relative to the root when inside it."""

    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        self._cache: dict[str, str] = {}
        self._decoded: dict[str, str] = {}

    def encode(self, path: str | Path) -> str:
        """Journal form of an absolute path."""
        key = str(path)
        out = self._cache.get(key)
        if out is None:
            p = Path(path)
            out = (
                p.relative_to(self.root).as_posix()
                if p.is_relative_to(self.root)
                else str(p)
            )
            self._cache[key] = out
        return out

    def decode(self, text: str) -> str:
        """Absolute path of a journal path (remembered: a journal names each path many times)."""
        out = self._decoded.get(text)
        if out is None:
            p = Path(text)
            out = str(p) if p.is_absolute() else str(self.root.joinpath(*PurePosixPath(text).parts))
            self._decoded[text] = out
        return out


def box_to_json(box: Box, codec: PathCodec) -> dict[str, Any]:
    """A box as a journal dict."""
    return {
        "id": box.id,
        "rec": codec.encode(box.recording),
        "start": box.start,
        "end": box.end,
        "low": box.low_freq,
        "high": box.high_freq,
        "species": box.scientific_name,
        "note": box.note,
    }


def box_from_json(raw: dict[str, Any], codec: PathCodec) -> Box:
    """The box stored by :func:`box_to_json`."""
    return Box(
        raw["id"],
        Path(codec.decode(raw["rec"])),
        float(raw["start"]),
        float(raw["end"]),
        raw.get("low"),
        raw.get("high"),
        raw.get("species") or "",
        raw.get("note") or "",
    )


def _stamp_time() -> float:
    return round(time.time(), 3)


class _Sink(Protocol):
    def append(
        self, record: dict[str, Any], *, durable: bool | None = None
    ) -> None: ...


class JournalRecorder:
    """Writes a session's verdicts and boxes to the journal as they are made.

    Set as the session's ``recorder``; each verdict edit becomes one ``v``
    record and each box edit one ``box`` record, appended and fsynced before
    the session announces the change.
    """

    def __init__(self, sink: _Sink, codec: PathCodec) -> None:
        self.sink = sink
        self.codec = codec
        self._known_users: set[str] = set()

    def _write(self, record: dict[str, Any]) -> None:
        if getattr(self.sink, "read_only", False):
            raise PermissionError(
                "this review was opened read-only: changes are not saved"
            )
        if getattr(self.sink, "closed", False):
            raise ValueError("this review is closed: changes are not saved")
        self.sink.append(record)

    def know_user(self, user: data.User) -> None:
        """Write a ``user`` record unless the journal has one for this user."""
        uid = str(user.uuid)
        if uid not in self._known_users:
            self._write({"t": "user", "user": user_to_json(user)})
            self._known_users.add(uid)

    def mark_known(self, uuids: Iterable[str]) -> None:
        """Users already in the journal (read at open)."""
        self._known_users.update(uuids)

    def verdict_items(
        self, session: ReviewSession, ids: Iterable[int]
    ) -> list[list[Any]]:
        """Journal items for the current verdicts of ``ids`` (one per path key)."""
        items: dict[tuple, list[Any]] = {}
        for det_id in ids:
            key = session.path_key(det_id)
            if key in items:
                continue
            v = session.verdict(det_id)
            items[key] = [
                self.codec.encode(key[0]),
                key[1],
                key[2],
                key[3],
                v.status.value,
                v.label,
                v.note,
            ]
        return list(items.values())

    def verdicts_written(self, session: ReviewSession, ids: list[int]) -> None:
        """Append one ``v`` record (fsynced)."""
        self.know_user(session.reviewer)
        stamp = session.stamp(ids[0])
        at = round(stamp.at.timestamp(), 3) if stamp else _stamp_time()
        self._write(
            {
                "t": "v",
                "by": str(session.reviewer.uuid),
                "at": at,
                "items": self.verdict_items(session, ids),
            }
        )

    def box_written(self, session: ReviewSession, box_id: str, box: Box | None) -> None:
        """Append one ``box`` record (fsynced)."""
        self.know_user(session.reviewer)
        stamp = session.box_stamp(box_id)
        at = round(stamp.at.timestamp(), 3) if stamp else _stamp_time()
        self._write(
            {
                "t": "box",
                "by": str(session.reviewer.uuid),
                "at": at,
                "id": box_id,
                "box": None if box is None else box_to_json(box, self.codec),
            }
        )


def verdict_item(
    codec: Any, key: tuple, verdict: Any, reviewer: str | None, at: float | None
) -> list[Any]:
    """One verdict as a journal item: path, start, end, species, verdict, stamp.

    Compaction and imported reviews write verdicts this way.
    """
    return [
        codec.encode(key[0]),
        key[1],
        key[2],
        key[3],
        verdict.status.value,
        verdict.label,
        verdict.note,
        reviewer,
        round(at, 3) if at is not None else None,
    ]

def compacted_records(
    session: ReviewSession,
    codec: PathCodec,
    replayed: Replay,
    *,
    recordings: Iterable[str],
    sources: dict[str, str],
    removed: Iterable[str],
) -> Iterator[dict[str, Any]]:
    """The live state of a project as a minimal journal (for compaction)."""
    yield {
        "t": "journal",
        "format": FORMAT,
        "app": f"audioclass-gui {__version__}",
        "compacted": _stamp_time(),
    }
    for user in session.users:
        yield {"t": "user", "user": user_to_json(user)}
    yield {"t": "reviewer", "uuid": str(session.reviewer.uuid)}
    added = [codec.encode(p) for p in recordings]
    if added:
        yield {"t": "recordings", "add": added}
    for path, kind in sources.items():
        yield {"t": "source", "path": codec.encode(path), "kind": kind}
    for path in removed:
        yield {"t": "source_removed", "path": codec.encode(path)}
    if replayed.settings:
        yield {"t": "settings", "values": replayed.settings}
    yield from _identity_records(codec, replayed)
    items: list[list[Any]] = []
    seen: set[tuple] = set()
    for det in session.judged():
        key = session.path_key(det.id)
        if key in seen:
            continue
        seen.add(key)
        v, stamp = session.verdict(det.id), session.stamp(det.id)
        items.append(
            verdict_item(
                codec,
                key,
                v,
                str(stamp.reviewer.uuid) if stamp else None,
                stamp.at.timestamp() if stamp else None,
            )
        )
    for key, (v, user, at) in session.pending_verdicts().items():
        items.append(verdict_item(codec, key, v, str(user.uuid), at))
    for start in range(0, len(items), 5000):
        yield {"t": "v", "items": items[start : start + 5000]}
    for box in session.boxes():
        stamp = session.box_stamp(box.id)
        yield {
            "t": "box",
            "id": box.id,
            "box": box_to_json(box, codec),
            "by": str(stamp.reviewer.uuid) if stamp else None,
            "at": round(stamp.at.timestamp(), 3) if stamp else None,
        }
    if replayed.queue is not None:
        yield replayed.queue
    if replayed.selection is not None:
        yield replayed.selection


def _identity_records(codec: PathCodec, replayed: Replay) -> Iterator[dict[str, Any]]:
    """Fingerprints, moves and changes, with what was set aside before each change."""
    stale = [
        verdict_item(codec, key, v, None if user is None else str(user.uuid), at)
        for key, v, user, at in replayed.stale_verdicts
    ]
    for start in range(0, len(stale), 5000):
        yield {"t": "v", "items": stale[start : start + 5000]}
    for box_id, (raw, by, at) in replayed.stale_boxes.items():
        yield {"t": "box", "id": box_id, "box": raw, "by": by, "at": at}
    for change in replayed.changes.values():
        yield change["record"]
    if replayed.aliases:
        yield {
            "t": "moved",
            "moves": [[codec.encode(a), codec.encode(b)] for a, b in replayed.aliases.items()],
        }
    for path, state in replayed.fingerprints.items():
        yield state.record(codec.encode(path))
