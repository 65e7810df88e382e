"""The annotation-project builder as it was before the streamed writer: the reference.

A copy of ``build_annotation_project`` from ``formats/aoef_project.py`` (a
soundevent object per verdict, note, task and box, then encoded whole),
kept so that tests can check that the streamed writer
(:mod:`audioclass_gui.formats.aoef_project_stream`) writes what it wrote, as
``soundevent.io.load`` reads both back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from soundevent import data, terms

from audioclass_gui.formats.aoef_project import (
    INSTRUCTIONS,
    NOTE_PREFIX,
    subject,
    verdict_note_message,
)
from audioclass_gui.review import Box, Detection, ReviewSession, Status, Verdict


def _NOTE(**fields: Any) -> data.Note:
    fields.setdefault("is_issue", False)
    return data.Note.model_construct(uuid=uuid.uuid4(), **fields)


def _utc(epoch_or_dt: dt.datetime | None) -> dt.datetime:
    return epoch_or_dt if epoch_or_dt is not None else dt.datetime.now(dt.UTC)


class _ClipVerdicts:
    __slots__ = ("clip", "tags", "notes", "owners", "latest")

    def __init__(self, clip: data.Clip) -> None:
        self.clip = clip
        self.tags: dict[data.Tag, None] = {}
        self.notes: list[data.Note] = []
        self.owners: dict[Any, tuple[data.User, dt.datetime]] = {}
        self.latest: dt.datetime | None = None

    def stamp(self, user: data.User, when: dt.datetime) -> None:
        seen = self.owners.get(user.uuid)
        if seen is None or when > seen[1]:
            self.owners[user.uuid] = (user, when)
        if self.latest is None or when > self.latest:
            self.latest = when


def _add_verdict(
    entry: _ClipVerdicts, session: ReviewSession, det: Detection, verdict: Verdict
) -> None:
    stamp = session.stamp(det.id)
    user = stamp.reviewer if stamp else session.reviewer
    when = _utc(stamp.at if stamp else None)
    label = verdict.label
    if verdict.status is not Status.UNREVIEWED:
        entry.stamp(user, when)
        if verdict.status is Status.ACCEPTED:
            tag = det.tag if label is None else data.Tag(term=det.tag.term, value=label)
            entry.tags.setdefault(tag, None)
        if verdict.status is not Status.ACCEPTED or label is not None:
            message = verdict_note_message(
                det, verdict.status, label, session.common_name(label) if label else ""
            )
            entry.notes.append(
                _NOTE(
                    message=message,
                    created_by=user,
                    created_on=when,
                    is_issue=verdict.status is Status.UNCERTAIN,
                )
            )
    if verdict.note:
        entry.notes.append(
            _NOTE(
                message=f"{NOTE_PREFIX}{det.scientific_name}, score {det.score:.2f}: {verdict.note}",
                created_by=user,
                created_on=when,
            )
        )


def _box_annotation(
    box: Box,
    recording: data.Recording,
    term: data.Term,
    user: data.User,
    when: dt.datetime,
) -> data.SoundEventAnnotation:
    if box.is_interval:
        geometry: data.Geometry = data.TimeInterval(coordinates=[box.start, box.end])
    else:
        geometry = data.BoundingBox(
            coordinates=[box.start, box.low_freq, box.end, box.high_freq]
        )
    tags = (
        [data.Tag(term=term, value=box.scientific_name)] if box.scientific_name else []
    )
    notes = (
        [data.Note(message=box.note, created_by=user, created_on=when)]
        if box.note
        else []
    )
    return data.SoundEventAnnotation(
        uuid=_uuid_of(box.id),
        sound_event=data.SoundEvent(geometry=geometry, recording=recording),
        tags=tags,
        notes=notes,
        created_by=user,
        created_on=when,
    )


def _uuid_of(box_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(hex=box_id)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"audioclass-gui:box:{box_id}")


def ref_annotation_project(
    session: ReviewSession, *, name: str | None = None
) -> data.AnnotationProject:
    """The soundevent project the old exporter built and encoded whole."""
    by_clip: dict[Any, _ClipVerdicts] = {}
    for det in session.judged():
        clip = det.clip
        entry = by_clip.get(clip.uuid)
        if entry is None:
            entry = by_clip[clip.uuid] = _ClipVerdicts(clip)
        _add_verdict(entry, session, det, session.verdict(det.id))

    clip_annotations: list[data.ClipAnnotation] = []
    tasks: list[data.AnnotationTask] = []
    project_tags: dict[data.Tag, None] = {}
    order = {str(r.path): i for i, r in enumerate(session.recordings)}
    for entry in sorted(
        by_clip.values(),
        key=lambda e: (
            order.get(str(e.clip.recording.path), 0),
            e.clip.start_time,
            e.clip.end_time,
        ),
    ):
        project_tags.update(entry.tags)
        created = _utc(entry.latest)
        clip_annotations.append(
            data.ClipAnnotation.model_construct(
                uuid=uuid.uuid4(),
                sound_events=[],
                sequences=[],
                clip=entry.clip,
                tags=list(entry.tags),
                notes=entry.notes,
                created_on=created,
            )
        )
        # soundevent wants a task for every annotated clip; only clips with a
        # verdict get "completed" badges (a note alone does not review a clip).
        tasks.append(
            data.AnnotationTask.model_construct(
                uuid=uuid.uuid4(),
                clip=entry.clip,
                status_badges=[
                    data.StatusBadge.model_construct(
                        state=data.AnnotationState.completed,
                        owner=user,
                        created_on=when,
                    )
                    for user, when in entry.owners.values()
                ],
                created_on=created,
            )
        )

    reviewers: dict[Any, data.User] = {}
    for entry in by_clip.values():
        reviewers.update((uid, user) for uid, (user, _when) in entry.owners.items())
    term = next(
        (d.tag.term for d in session.get_many(session.query()[:1])),
        terms.scientific_name,
    )
    for recording in session.recordings:
        boxes = session.boxes(recording.path)
        if not boxes:
            continue
        clip = data.Clip(
            recording=recording,
            start_time=0.0,
            end_time=max(float(recording.duration), max(b.end for b in boxes)),
        )
        events = []
        for box in boxes:
            stamp = session.box_stamp(box.id)
            user = stamp.reviewer if stamp else session.reviewer
            reviewers.setdefault(user.uuid, user)
            annotation = _box_annotation(
                box, recording, term, user, _utc(stamp.at if stamp else None)
            )
            project_tags.update(dict.fromkeys(annotation.tags))
            events.append(annotation)
        clip_annotations.append(data.ClipAnnotation(clip=clip, sound_events=events))
        tasks.append(
            data.AnnotationTask(clip=clip)
        )  # drawn on, not necessarily complete

    return data.AnnotationProject(
        name=name if name is not None else f"Review of {_subject(session)}",
        description=_describe(
            session, sum(1 for t in tasks if t.status_badges), list(reviewers.values())
        ),
        instructions=INSTRUCTIONS,
        clip_annotations=clip_annotations,
        tasks=tasks,
        annotation_tags=list(project_tags),
    )


def _subject(session: ReviewSession) -> str:
    return subject(session.recordings)


def _describe(session: ReviewSession, n_tasks: int, users: list[data.User]) -> str:
    counts = session.counts()
    models = sorted({name for _k, name, _p in session.run_infos() if name}) or [
        session.model_name or "unknown model"
    ]
    reviewers = sorted({u.name or u.username or "unknown reviewer" for u in users}) or [
        session.reviewer.name or session.reviewer.username or "unknown reviewer"
    ]
    n_boxes = len(session.boxes())
    return (
        f"Review of {', '.join(models)} detections in {_subject(session)} by "
        f"{', '.join(reviewers)}: "
        f"{counts[Status.ACCEPTED]} accepted, {counts[Status.REJECTED]} rejected, "
        f"{counts[Status.UNCERTAIN]} uncertain, {counts[Status.UNREVIEWED]} unreviewed "
        f"(of {len(session)} detections, in {n_tasks} reviewed clips)"
        + (f"; {n_boxes} boxes drawn." if n_boxes else ".")
    )
