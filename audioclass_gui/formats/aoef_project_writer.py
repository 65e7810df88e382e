"""The AOEF JSON of a :class:`~audioclass_gui.formats.aoef_project_stream.StreamedProject`.

:func:`write_project` writes the document that
:mod:`audioclass_gui.formats.aoef_writer` writes for the equivalent soundevent
``AnnotationProject`` (AOEF 1.1.0, the same keys in the same order), clip by
clip: the clips, clip annotations and tasks go to temporary files beside the
target as they are made (:class:`~audioclass_gui.formats.aoef_json.Section`),
and are copied into place once the users and tags they refer to, which the
document lists first, are known.
"""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from audioclass_gui.formats.aoef_json import Section, iso, write_document
from audioclass_gui.formats.aoef_writer import _drop_none, _Encoder
from audioclass_gui.formats.atomic import atomic_write_path

if TYPE_CHECKING:
    from audioclass_gui.formats.aoef_project_stream import ClipEntry, StreamedProject

__all__ = ["write_project"]


def write_project(
    project: StreamedProject, path: str | Path, audio_dir: str | Path | None = None
) -> None:
    """Write ``project`` as AOEF JSON to ``path``, atomically, in bounded memory.

    Raises
    ------
    ValueError
        If ``audio_dir`` is given and a recording is not inside it.
    OSError
        If the file cannot be written (an existing file is left intact).
    """
    enc = _Encoder(Path(audio_dir) if audio_dir is not None else None)
    with atomic_write_path(Path(path)) as tmp, open(tmp, "w", encoding="utf-8") as out:
        writer = _ProjectWriter(project, enc, tmp.parent)
        try:
            writer.write(out)
        finally:
            writer.close()


class _ProjectWriter:
    """One write of a project: the encoder, the sections and what the head needs."""

    def __init__(self, project: StreamedProject, enc: _Encoder, folder: Path) -> None:
        self.p = project
        self.enc = enc
        self.clips, self.annotations, self.tasks = (Section(folder) for _ in range(3))
        self.project_tags: dict[int, None] = {}
        self.reviewers: dict[int, None] = {}
        self.reviewed = 0

    def close(self) -> None:
        for section in (self.clips, self.annotations, self.tasks):
            section.close()

    def write(self, out: IO[str]) -> None:
        p, enc = self.p, self.enc
        for entry in p.entries():
            self._entry(entry)
        events, event_annotations = self._boxes()
        write_document(
            out,
            [
                ("uuid", str(p.uuid)),
                ("name", p.name),
                ("description", self._describe()),
                ("collection_type", "annotation_project"),
                ("users", list(enc.users.values()) or None),
                ("tags", enc.tag_list() or None),
                ("recordings", list(enc.recordings.values()) or None),
                ("sound_events", events or None),
                ("clips", self.clips),
                ("sound_event_annotations", event_annotations or None),
                ("clip_annotations", self.annotations),
                ("created_on", iso(p.now)),
                ("instructions", p.instructions),
                ("project_tags", list(self.project_tags) or None),
                ("tasks", self.tasks),
            ],
            iso(p.now),
        )

    def _note(self, message: str, user: int, at: float, issue: bool) -> dict[str, Any]:
        return {
            "uuid": str(uuid.uuid4()),
            "message": message,
            "created_by": self.enc.user(self.p.users[user]),
            "is_issue": issue,
            "created_on": iso(at),
        }

    def _entry(self, entry: ClipEntry) -> None:
        """A judged clip: its clip, clip annotation (tags, notes) and task (badges)."""
        p, enc = self.p, self.enc
        self.clips.add(
            {
                "uuid": entry.clip,
                "recording": enc.recording(p.recordings[entry.recording]),
                "start_time": entry.start,
                "end_time": entry.end,
            }
        )
        tag_ids = [enc.tag_key(k, v) for k, v in entry.tags]
        self.project_tags.update(dict.fromkeys(tag_ids))
        created = iso(p.now if entry.latest is None else entry.latest)
        self.annotations.add(
            _drop_none(
                {
                    "uuid": p.derived_uuid("clip-annotation", entry.clip),
                    "clip": entry.clip,
                    "tags": tag_ids or None,
                    "notes": [self._note(*n) for n in entry.notes] or None,
                    "created_on": created,
                }
            )
        )
        badges = [
            {"state": "completed", "owner": enc.user(p.users[u]), "created_on": iso(at)}
            for u, at in entry.owners.items()
        ]
        self.reviewed += bool(badges)
        self.reviewers.update(dict.fromkeys(entry.owners))
        self.tasks.add(
            _drop_none(
                {
                    "uuid": p.derived_uuid("task", entry.clip),
                    "clip": entry.clip,
                    "status_badges": badges or None,
                    "created_on": created,
                }
            )
        )

    def _boxes(self) -> tuple[list[dict], list[dict]]:
        """One clip over the whole recording per recording with boxes; a sound event per box."""
        p, enc = self.p, self.enc
        events: list[dict] = []
        event_annotations: list[dict] = []
        for index, group in itertools.groupby(p.boxes, key=lambda b: b.recording):
            drawn = list(group)
            recording = p.recordings[index]
            rec_id = enc.recording(recording)
            clip = p.derived_uuid("box-clip", str(recording.uuid))
            end = max(float(recording.duration), max(b.box.end for b in drawn))
            uuids = []
            for item in drawn:
                box = item.box
                annotation = _box_uuid(box.id)
                event = str(uuid.uuid5(annotation, "sound-event"))
                coordinates = (
                    [box.start, box.end]
                    if box.is_interval
                    else [box.start, box.low_freq, box.end, box.high_freq]
                )
                events.append(
                    {
                        "uuid": event,
                        "recording": rec_id,
                        "geometry": {
                            "type": "TimeInterval" if box.is_interval else "BoundingBox",
                            "coordinates": [float(c) for c in coordinates],  # type: ignore[arg-type]
                        },
                    }
                )
                tag_ids = [enc.tag_key(p.box_key, box.scientific_name)] if box.scientific_name else []
                self.project_tags.update(dict.fromkeys(tag_ids))
                notes = [self._note(box.note, item.user, item.at, False)] if box.note else None
                event_annotations.append(
                    _drop_none(
                        {
                            "uuid": str(annotation),
                            "sound_event": event,
                            "notes": notes,
                            "tags": tag_ids,
                            "created_by": enc.user(p.users[item.user]),
                            "created_on": iso(item.at),
                        }
                    )
                )
                uuids.append(str(annotation))
                self.reviewers[item.user] = None
            self.clips.add({"uuid": clip, "recording": rec_id, "start_time": 0.0, "end_time": end})
            self.annotations.add(
                {
                    "uuid": p.derived_uuid("clip-annotation", clip),
                    "clip": clip,
                    "sound_events": uuids,
                    "created_on": iso(p.now),
                }
            )
            # drawn on, not necessarily complete: a task without badges
            self.tasks.add(
                {"uuid": p.derived_uuid("task", clip), "clip": clip, "created_on": iso(p.now)}
            )
        return events, event_annotations

    def _describe(self) -> str:
        p = self.p
        names = sorted(
            {p.users[u].name or p.users[u].username or "unknown reviewer" for u in self.reviewers}
        )
        if not names:
            fallback = p.users[p.fallback_user]
            names = [fallback.name or fallback.username or "unknown reviewer"]
        c = p.counts
        return (
            f"Review of {', '.join(p.models)} detections in {p.subject} by "
            f"{', '.join(names)}: "
            f"{c.get('accepted', 0)} accepted, {c.get('rejected', 0)} rejected, "
            f"{c.get('uncertain', 0)} uncertain, {c.get('unreviewed', 0)} unreviewed "
            f"(of {p.detections} detections, in {self.reviewed} reviewed clips)"
            + (f"; {p.box_count} boxes drawn." if p.box_count else ".")
        )


def _box_uuid(box_id: str) -> uuid.UUID:
    """A box's annotation uuid: its id (32 hex digits), or one derived from it."""
    try:
        return uuid.UUID(hex=box_id)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"audioclass-gui:box:{box_id}")
