"""The reviewers' verdicts and boxes, taken from a session for a soundevent ``AnnotationProject``.

How verdicts map onto AOEF is described in :mod:`audioclass_gui.formats.aoef`;
:func:`verdict_note_message` is the note text that
:mod:`audioclass_gui.formats.aoef_import` parses back.

:func:`build_annotation_project` takes, on the thread that owns the session,
a snapshot of what the project file needs: the judged detections as columns
(a few numbers per verdict), their notes, the boxes and small tables of
names. :class:`~audioclass_gui.formats.aoef_project_stream.StreamedProject`
writes the file from it, on any thread, in memory that does not grow with
the number of verdicts. No soundevent object is made per verdict.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from soundevent import data, terms

from audioclass_gui.formats.aoef_companions import subject
from audioclass_gui.formats.aoef_notes import NOTE_PREFIX, note_message
from audioclass_gui.formats.aoef_project_stream import ProjectBox, StreamedProject
from audioclass_gui.review import Detection, ReviewSession, Status
from audioclass_gui.review.detection import STATUS_CODE

__all__ = [
    "INSTRUCTIONS",
    "NOTE_PREFIX",
    "build_annotation_project",
    "note_message",
    "subject",
    "verdict_note_message",
]

#: What the annotation project tells its readers about how verdicts are kept.
INSTRUCTIONS = (
    "Clip tags are the species the reviewer accepted (for a relabelled detection, the "
    "species the reviewer put instead). Rejected, uncertain and relabelled detections are "
    "notes on the clip ('Rejected: <species> (<common name>), score <s>', "
    "'... -> <species>' for a relabel); a reviewer's own note on a detection starts with "
    "'Note on'. Sound events are boxes the reviewer drew for calls the model missed. "
    "Only judged detections are recorded: a species missing from a clip's tags and notes "
    "was not judged. All model predictions and scores are in the accompanying model runs."
)

_UNREVIEWED = STATUS_CODE[Status.UNREVIEWED]
#: Judged detections made into objects at a time (to find the ones added as objects).
_CHUNK = 20_000


def verdict_note_message(
    detection: Detection,
    status: Status,
    label: str | None = None,
    label_common: str = "",
) -> str:
    """:func:`~audioclass_gui.formats.aoef_notes.note_message` for ``detection``.

    ``label`` is the species it was relabelled to, if any, and
    ``label_common`` that species' common name.
    """
    return note_message(
        status,
        detection.scientific_name,
        detection.common_name,
        detection.score,
        label,
        label_common,
    )


def _judged_rows(session: ReviewSession) -> tuple[np.ndarray, dict[str, np.ndarray], dict]:
    """Rows with a verdict (status, relabel or note) in display order, their stamps and notes."""
    cols = session.columns()
    more = session.verdict_columns()
    stamped, notes = more["stamped"], more["notes"]
    noted = np.fromiter(notes, np.int64, len(notes))
    rows = stamped[
        (cols.status[stamped] != _UNREVIEWED)
        | (cols.label[stamped] >= 0)
        | np.isin(stamped, noted)
    ]
    rows = rows[np.lexsort((rows, -cols.score[rows], cols.start[rows], cols.recording[rows]))]
    at = np.searchsorted(stamped, rows)
    reviewer = more["reviewer"][at] if len(rows) else np.empty(0, np.int64)
    when = more["at"][at] if len(rows) else np.empty(0)
    unstamped = (reviewer < 0) | np.isnan(when)
    stamps = {"user": np.where(unstamped, -1, reviewer), "at": np.where(unstamped, np.nan, when)}
    return rows, stamps, notes


def _first_term(session: ReviewSession, default: str) -> str:
    """The key of the first detection's tag term, in display order (boxes' tags take it)."""
    cols = session.columns()
    if not len(cols.score):
        return default
    rows = np.flatnonzero(cols.recording == cols.recording.min())
    rows = rows[cols.start[rows] == cols.start[rows].min()]
    rows = rows[cols.score[rows] == cols.score[rows].max()]
    return data.key_from_term(session.get(int(rows.min()) + cols.first_id).tag.term)


def build_annotation_project(
    session: ReviewSession, *, name: str | None = None
) -> StreamedProject:
    """Take the reviewers' verdicts and boxes from the session, for an annotation project.

    Call it on the thread that owns the session; the result does not
    change when the session does and may be written on any thread
    (:meth:`StreamedProject.write`, or :func:`~audioclass_gui.formats.aoef.write_aoef`).

    Parameters
    ----------
    session
        The review session.
    name
        Project name; defaults to ``"Review of <recording file name>"``
        (or of the recordings' folder, for several recordings).

    Returns
    -------
    StreamedProject
        Written as one clip annotation and one task per clip with at least
        one judged detection, on the same clips as the model runs; one clip
        annotation per recording with drawn boxes.
    """
    cols = session.columns()
    rows, stamps, notes = _judged_rows(session)
    users = list(session.users)
    me = next((i for i, u in enumerate(users) if u.uuid == session.reviewer.uuid), None)
    if me is None:
        users.append(session.reviewer)
        me = len(users) - 1
    user = np.where(stamps["user"] < 0, me, stamps["user"])

    # Detections added as clip prediction objects keep their clip (and its uuid)
    # and their tag's term: made into objects, a chunk at a time, to find them.
    default_key = data.key_from_term(terms.scientific_name)
    object_clips: dict[int, str] = {}
    term_keys: dict[int, str] = {}
    first = cols.first_id
    for at in range(0, len(rows), _CHUNK):
        chunk = (rows[at : at + _CHUNK] + first).tolist()
        for position, det in enumerate(session.get_many(chunk), start=at):
            if isinstance(det.source, data.ClipPrediction):
                object_clips[position] = str(det.source.clip.uuid)
                key = data.key_from_term(det.tag.term)
                if key != default_key:
                    term_keys[position] = key

    species = session.species_list()
    used = np.union1d(cols.species[rows], cols.label[rows][cols.label[rows] >= 0])
    commons = [""] * len(species)
    for code in used.tolist():
        commons[code] = session.common_name(species[code])

    now = dt.datetime.now(dt.UTC).timestamp()
    recordings = session.recordings
    first_term = _first_term(session, default_key)
    boxes = []
    for index, recording in enumerate(recordings):
        for box in session.boxes(recording.path):
            stamp = session.box_stamp(box.id)
            who = session.reviewer if stamp is None else stamp.reviewer
            code = next((i for i, u in enumerate(users) if u.uuid == who.uuid), None)
            if code is None:
                users.append(who)
                code = len(users) - 1
            boxes.append(
                ProjectBox(index, box, code, now if stamp is None else stamp.at.timestamp())
            )
    counts = session.counts()
    models = sorted({n for _k, n, _p in session.run_infos() if n}) or [
        session.model_name or "unknown model"
    ]
    about = subject(recordings)
    return StreamedProject(
        name=name if name is not None else f"Review of {about}",
        subject=about,
        models=models,
        counts={status.value: int(n) for status, n in counts.items()},
        detections=len(session),
        recordings=list(recordings),
        species=species,
        commons=commons,
        users=users,
        fallback_user=me,
        columns={
            "recording": cols.recording[rows],
            "start": cols.start[rows],
            "end": cols.end[rows],
            "score": cols.score[rows],
            "species": cols.species[rows],
            "label": cols.label[rows],
            "status": cols.status[rows],
            "user": user,
            "at": np.where(np.isnan(stamps["at"]), now, stamps["at"]),
        },
        notes={p: notes[int(r)] for p, r in enumerate(rows.tolist()) if int(r) in notes},
        object_clips=object_clips,
        term_keys=term_keys,
        default_key=default_key,
        boxes=boxes,
        box_key=first_term,
        now=now,
        instructions=INSTRUCTIONS,
        box_count=len(session.boxes()),
    )
