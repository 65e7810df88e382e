"""A fast writer of the AOEF JSON that ``soundevent.io.save`` writes.

``soundevent.io.save`` converts every object to a validated pydantic
"AOEF object" before dumping it: for a review with 50,000 detections that
takes seconds. The files this app writes (model runs and prediction sets of
clip predictions; annotation projects of clip annotations, notes, tasks and
drawn sound events) use a small part of the format, so they are encoded
here directly as plain dicts with the same layout (AOEF 1.1.0: objects
listed once and referred to by uuid, tags by integer id), in the same order
and with the same omissions of empty fields.

Anything outside that part (features of clips and sound events, sequences,
sound-event predictions) raises :class:`Unsupported`;
:func:`~audioclass_gui.formats.aoef.save_aoef` then falls back to
``soundevent.io.save``. Tests check that ``soundevent.io.load`` reads what
this writes back to objects equal to those ``soundevent.io.save`` writes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from soundevent import data

__all__ = ["AOEF_VERSION", "Unsupported", "encode", "encode_json"]

#: The AOEF version written (soundevent's).
AOEF_VERSION = "1.1.0"


class Unsupported(ValueError):
    """The object uses AOEF features this writer does not encode."""


def _when(value: dt.datetime | dt.date | dt.time | None) -> str | None:
    return None if value is None else value.isoformat()


def _drop_none(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v is not None}


class _Encoder:
    def __init__(self, audio_dir: Path | None) -> None:
        self.audio_dir = audio_dir
        self.tags: dict[tuple[str, str], int] = {}
        self.users: dict[Any, dict[str, Any]] = {}
        self.recordings: dict[Any, dict[str, Any]] = {}
        self.clips: dict[Any, dict[str, Any]] = {}
        self.sound_events: dict[Any, dict[str, Any]] = {}
        # By object identity: many clips share one Recording object, and a
        # dict lookup by id() is cheaper than hashing a UUID (objects live
        # for the whole encode, so ids are not reused meanwhile).
        self._seen: dict[int, str] = {}
        self._tag_seen: dict[int, int] = {}

    def tag(self, tag: data.Tag) -> int:
        known = self._tag_seen.get(id(tag))
        if known is not None:
            return known
        if not isinstance(tag.value, str):
            raise Unsupported("tag without a text value")  # soundevent reports it
        index = self.tag_key(data.key_from_term(tag.term), tag.value)
        self._tag_seen[id(tag)] = index
        return index

    def tag_key(self, key: str, value: str) -> int:
        """The id of the tag ``key`` = ``value`` (a term's key, as ``key_from_term`` gives)."""
        index = self.tags.get((key, value))
        if index is None:
            index = self.tags[(key, value)] = len(self.tags)
        return index

    def tag_list(self) -> list[dict[str, Any]]:
        return [{"id": i, "key": k, "value": v} for (k, v), i in self.tags.items()]

    def user(self, user: data.User | None) -> str | None:
        if user is None:
            return None
        if user.uuid not in self.users:
            self.users[user.uuid] = _drop_none(
                {
                    "uuid": str(user.uuid),
                    "username": user.username,
                    "email": user.email,
                    "name": user.name,
                    "institution": user.institution,
                }
            )
        return str(user.uuid)

    def recording(self, rec: data.Recording) -> str:
        known = self._seen.get(id(rec))
        if known is not None:
            return known
        if rec.uuid not in self.recordings:
            path = Path(rec.path)
            if self.audio_dir is not None:
                path = path.relative_to(self.audio_dir)
            self.recordings[rec.uuid] = _drop_none(
                {
                    "uuid": str(rec.uuid),
                    "path": str(path),
                    "duration": rec.duration,
                    "channels": rec.channels,
                    "samplerate": rec.samplerate,
                    "time_expansion": rec.time_expansion
                    if rec.time_expansion != 1.0
                    else None,
                    "hash": rec.hash,
                    "date": _when(rec.date),
                    "time": _when(rec.time),
                    "latitude": rec.latitude,
                    "longitude": rec.longitude,
                    "tags": [self.tag(t) for t in rec.tags] or None,
                    "features": {
                        data.key_from_term(f.term): f.value for f in rec.features
                    }
                    or None,
                    "notes": self.notes(rec.notes),
                    "owners": [self.user(u) for u in rec.owners],
                    "rights": rec.rights,
                }
            )
        self._seen[id(rec)] = text = str(rec.uuid)
        return text

    def clip(self, clip: data.Clip) -> str:
        known = self._seen.get(id(clip))
        if known is not None:
            return known
        if clip.uuid not in self.clips:
            if clip.features:
                raise Unsupported("clip with features")
            self.clips[clip.uuid] = {
                "uuid": str(clip.uuid),
                "recording": self.recording(clip.recording),
                "start_time": clip.start_time,
                "end_time": clip.end_time,
            }
        self._seen[id(clip)] = text = str(clip.uuid)
        return text

    def note(self, note: data.Note) -> dict[str, Any]:
        return _drop_none(
            {
                "uuid": str(note.uuid),
                "message": note.message,
                "created_by": self.user(note.created_by),
                "is_issue": note.is_issue,
                "created_on": _when(note.created_on),
            }
        )

    def notes(self, notes: list[data.Note]) -> list[dict[str, Any]] | None:
        return [self.note(n) for n in notes] or None

    def sound_event(self, event: data.SoundEvent) -> str:
        if event.features:
            raise Unsupported("sound event with features")
        if event.uuid not in self.sound_events:
            self.sound_events[event.uuid] = {
                "uuid": str(event.uuid),
                "recording": self.recording(event.recording),
                "geometry": {
                    "type": event.geometry.type,
                    "coordinates": event.geometry.coordinates,
                },
            }
        return str(event.uuid)


def _predictions(obj: data.PredictionSet, enc: _Encoder) -> dict[str, Any]:
    clip_predictions = []
    for cp in obj.clip_predictions:
        if cp.sound_events or cp.sequences or cp.features:
            raise Unsupported(
                "clip prediction with sound events, sequences or features"
            )
        clip_predictions.append(
            {
                "uuid": str(cp.uuid),
                "clip": enc.clip(cp.clip),
                "tags": [[enc.tag(t.tag), t.score] for t in cp.tags],
                "features": {},
            }
        )
    model_run = isinstance(obj, data.ModelRun)
    out = _drop_none(
        {
            "uuid": str(obj.uuid),
            "name": (obj.name or "Model Run") if model_run else obj.name,
            "description": obj.description,
            "created_on": _when(obj.created_on),
            "collection_type": "model_run" if model_run else "prediction_set",
            "users": list(enc.users.values()) or None,
            "tags": enc.tag_list() or None,
            "recordings": list(enc.recordings.values()) or None,
            "clips": list(enc.clips.values()) or None,
            "clip_predictions": clip_predictions or None,
        }
    )
    if model_run:
        model = obj.model  # type: ignore[attr-defined]
        out["model"] = _drop_none(
            {
                "name": model.info.name,
                "version": model.version,
                "description": model.info.description,
            }
        )
        out["version"] = model.version
    return out


def _project(obj: data.AnnotationProject, enc: _Encoder) -> dict[str, Any]:
    clip_annotations, event_annotations = [], []
    for ca in obj.clip_annotations:
        if ca.sequences:
            raise Unsupported("clip annotation with sequences")
        events = []
        for sea in ca.sound_events:
            events.append(str(sea.uuid))
            event_annotations.append(
                _drop_none(
                    {
                        "uuid": str(sea.uuid),
                        "sound_event": enc.sound_event(sea.sound_event),
                        "notes": enc.notes(sea.notes),
                        "tags": [enc.tag(t) for t in sea.tags],
                        "created_by": enc.user(sea.created_by),
                        "created_on": _when(sea.created_on),
                    }
                )
            )
        clip_annotations.append(
            _drop_none(
                {
                    "uuid": str(ca.uuid),
                    "clip": enc.clip(ca.clip),
                    "tags": [enc.tag(t) for t in ca.tags] or None,
                    "sound_events": events or None,
                    "notes": enc.notes(ca.notes),
                    "created_on": _when(ca.created_on),
                }
            )
        )
    project_tags = [enc.tag(t) for t in obj.annotation_tags]
    tasks = [
        _drop_none(
            {
                "uuid": str(task.uuid),
                "clip": enc.clip(task.clip),
                "status_badges": [
                    _drop_none(
                        {
                            "state": badge.state.value,
                            "owner": enc.user(badge.owner),
                            "created_on": _when(badge.created_on),
                        }
                    )
                    for badge in task.status_badges
                ]
                or None,
                "created_on": _when(task.created_on),
            }
        )
        for task in obj.tasks
    ]
    return _drop_none(
        {
            "uuid": str(obj.uuid),
            "name": obj.name,
            "description": obj.description,
            "collection_type": "annotation_project",
            "users": list(enc.users.values()) or None,
            "tags": enc.tag_list() or None,
            "recordings": list(enc.recordings.values()) or None,
            "sound_events": list(enc.sound_events.values()) or None,
            "clips": list(enc.clips.values()) or None,
            "sound_event_annotations": event_annotations or None,
            "clip_annotations": clip_annotations or None,
            "created_on": _when(obj.created_on),
            "instructions": obj.instructions,
            "project_tags": project_tags or None,
            "tasks": tasks or None,
        }
    )


def encode(obj: Any, audio_dir: str | Path | None = None) -> dict[str, Any]:
    """The AOEF document of a model run, prediction set or annotation project.

    Raises
    ------
    Unsupported
        For other collections, or objects using parts of AOEF not encoded here.
    """
    enc = _Encoder(Path(audio_dir) if audio_dir is not None else None)
    if isinstance(obj, data.AnnotationProject):
        body = _project(obj, enc)
    elif isinstance(obj, data.PredictionSet):
        body = _predictions(obj, enc)
    else:
        raise Unsupported(f"{type(obj).__name__} is not encoded here")
    return {
        "version": AOEF_VERSION,
        "created_on": dt.datetime.now(dt.UTC).isoformat(),
        "data": body,
    }


def encode_json(obj: Any, audio_dir: str | Path | None = None) -> str:
    """:func:`encode` as compact JSON text."""
    return json.dumps(
        encode(obj, audio_dir),
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
