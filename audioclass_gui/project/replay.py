"""Reading a project journal back: its records, in order, into a :class:`Replay`.

Nothing is applied to a session here: the project decides what to do with
what the journal says (see :meth:`~audioclass_gui.project.ReviewProject.open`).
The record types are described in :mod:`audioclass_gui.project.store`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from soundevent import data

from audioclass_gui.project.fingerprint import Event, FileState
from audioclass_gui.project.identity import user_from_json
from audioclass_gui.project.store import FORMAT, PathCodec
from audioclass_gui.review import Status, Verdict

__all__ = ["Replay", "apply_record", "replay"]


@dataclass
class Replay:
    """What a journal says, read in order (later records win)."""

    created: bool = True
    users: dict[str, data.User] = field(default_factory=dict)
    reviewer: str | None = None
    recordings: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # path -> kind
    removed: set[str] = field(default_factory=set)
    verdicts: list[
        tuple[tuple[str, float, float, str], Verdict, data.User | None, float | None]
    ] = field(default_factory=list)
    boxes: dict[str, tuple[dict[str, Any] | None, str | None, float | None]] = field(
        default_factory=dict
    )
    selection: dict[str, Any] | None = None
    queue: dict[str, Any] | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    items: int = 0
    problems: list[str] = field(default_factory=list)
    #: Records read so far (the number of the next one).
    seq: int = 0
    #: Record number of each item of ``verdicts``, of each box, of the selection.
    verdict_seq: list[int] = field(default_factory=list)
    box_seq: dict[str, int] = field(default_factory=dict)
    selection_seq: int = 0
    #: Recording path -> its fingerprint as last recorded.
    fingerprints: dict[str, FileState] = field(default_factory=dict)
    #: Recording path -> its ``moved`` / ``changed`` events, in order.
    events: dict[str, list[Event]] = field(default_factory=dict)
    #: Recording path -> its last ``changed`` record (paths decoded).
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Old path -> path now (set by :func:`~audioclass_gui.project.fingerprint.settle`).
    aliases: dict[str, str] = field(default_factory=dict)
    #: Verdicts and boxes about content that changed (set aside, never applied).
    stale_verdicts: list[
        tuple[tuple[str, float, float, str], Verdict, data.User | None, float | None]
    ] = field(default_factory=list)
    stale_boxes: dict[str, tuple[dict[str, Any], str | None, float | None]] = field(
        default_factory=dict
    )


def replay(records: Iterable[dict[str, Any]], codec: PathCodec) -> Replay:
    """Read journal records into a :class:`Replay` (nothing is applied yet)."""
    out = Replay()
    for record in records:
        apply_record(out, record, codec)
    return out


def apply_record(out: Replay, record: dict[str, Any], codec: PathCodec) -> None:
    """Read one journal record into ``out`` (what :func:`replay` does for each)."""
    kind = record.get("t")
    seq = out.seq
    out.seq += 1
    try:
        if kind == "journal":
            out.created = False
            if record.get("format") != FORMAT:
                out.problems.append(f"unknown journal format {record.get('format')!r}")
        elif kind == "user":
            user = user_from_json(record["user"])
            out.users[str(user.uuid)] = user
        elif kind == "reviewer":
            out.reviewer = record["uuid"]
        elif kind == "recordings":
            out.recordings.extend(codec.decode(p) for p in record.get("add", []))
        elif kind == "source":
            path = codec.decode(record["path"])
            out.sources[path] = record.get("kind", "")
            out.removed.discard(path)
        elif kind == "source_removed":
            path = codec.decode(record["path"])
            out.sources.pop(path, None)
            out.removed.add(path)
        elif kind == "v":
            by, at = record.get("by"), record.get("at")
            for item in record["items"]:
                path, start, end, species, status, label, note = item[:7]
                who = item[7] if len(item) > 7 else by
                when = item[8] if len(item) > 8 else at
                out.verdicts.append(
                    (
                        (codec.decode(path), float(start), float(end), species),
                        Verdict(Status(status), label, note or ""),
                        out.users.get(who),
                        None if when is None else float(when),
                    )
                )
                out.verdict_seq.append(seq)
                out.items += 1
        elif kind == "box":
            out.boxes[record["id"]] = (record.get("box"), record.get("by"), record.get("at"))
            out.box_seq[record["id"]] = seq
        elif kind == "sel":
            out.selection = record
            out.selection_seq = seq
        elif kind == "queue":
            out.queue = record
        elif kind == "settings":
            out.settings.update(record.get("values", {}))
        elif kind in ("fingerprint", "moved", "changed"):
            _apply_identity(out, record, codec, seq)
    except (KeyError, ValueError, TypeError) as exc:
        out.problems.append(f"a {kind!r} record could not be read ({exc}); skipped")


def _apply_identity(
    out: Replay, record: dict[str, Any], codec: PathCodec, seq: int
) -> None:
    kind = record["t"]
    if kind == "fingerprint":
        out.fingerprints[codec.decode(record["path"])] = FileState.from_record(record)
    elif kind == "moved":
        moves = [(codec.decode(a), codec.decode(b)) for a, b in record["moves"]]
        states = {old: out.fingerprints.pop(old, None) for old, _new in moves}
        for old, new in moves:
            out.events.setdefault(old, []).append((seq, "moved", new))
            if states[old] is not None:
                out.fingerprints[new] = states[old]  # type: ignore[assignment]
    else:  # changed
        path = codec.decode(record["path"])
        if not record.get("to"):  # the old content went nowhere: what was said of it is stale
            out.events.setdefault(path, []).append((seq, "changed", None))
        out.changes[path] = {
            **record,
            "seq": seq,
            "sources": {codec.decode(p) for p in record.get("sources", [])},
            "record": record,
        }
