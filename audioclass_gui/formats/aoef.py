"""Export a review session as soundevent AOEF files.

Two JSON files are written:

* an ``AnnotationProject`` with the reviewer's verdicts (the main file), and
* a ``ModelRun`` beside it (``<stem>.model_run.json``) with every clip
  prediction and score the model produced.

Both refer to the same clips (same uuids), so a verdict can be matched to the
prediction it judged. Load them back with ``soundevent.io.load``.

Verdicts are stored as follows, per clip (model frame) that has at least one
reviewed detection:

* accepted species are the ``ClipAnnotation``'s tags;
* each rejected or uncertain detection is a ``Note`` on that clip annotation
  ("Rejected: ..." / "Uncertain: ..."; uncertain notes are flagged as issues);
* an ``AnnotationTask`` for the clip carries a ``completed`` status badge
  owned by the reviewer.

Unreviewed detections appear only in the model run.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soundevent import data, io

from audioclass_gui.formats.atomic import atomic_write_path
from audioclass_gui.review import Detection, ReviewSession, Status

__all__ = [
    "AoefExport",
    "build_annotation_project",
    "build_model_run",
    "export_aoef",
    "model_run_from_predictions",
    "model_run_path_for",
    "save_aoef",
    "write_aoef",
    "verdict_note_message",
]

_MODEL_RUN_SUFFIX = ".model_run.json"


@dataclass(frozen=True)
class AoefExport:
    """Where :func:`export_aoef` wrote its files.

    Attributes
    ----------
    project_path : pathlib.Path
        The annotation project (verdicts).
    model_run_path : pathlib.Path
        The model run (all predictions).
    """

    project_path: Path
    model_run_path: Path


def _provenance_json(provenance: dict[str, Any]) -> str:
    return json.dumps(provenance, default=str, ensure_ascii=False)


def _model_version(provenance: dict[str, Any]) -> str:
    for key in ("model_version", "version"):
        value = provenance.get(key)
        if value is not None and value != "":
            return str(value)
    return ""


def model_run_from_predictions(
    predictions: Sequence[data.ClipPrediction],
    *,
    name: str,
    provenance: dict[str, Any],
    description: str = "",
) -> data.ModelRun:
    """Build a model run from clip predictions and their provenance.

    Parameters
    ----------
    predictions
        Clip predictions, of one or several recordings.
    name
        The model's name.
    provenance
        How the run was made (model, version, threshold...); stored as JSON
        in the run's description, as soundevent has no field for it.
    description
        A readable description of the model itself.

    Returns
    -------
    soundevent.data.ModelRun
        ``model`` is ``Model(info=ModelInfo(name=...), version=...)`` with the
        version from the provenance keys ``"model_version"`` or ``"version"``
        ("" when absent).
    """
    name = name or "unknown model"
    return data.ModelRun(
        name=name,
        description=_provenance_json(provenance),
        clip_predictions=list(predictions),
        model=data.Model(
            info=data.ModelInfo(name=name, description=description or None),
            version=_model_version(provenance),
        ),
    )


def build_model_run(session: ReviewSession) -> data.ModelRun:
    """Build a model run holding every clip prediction of the session.

    See :func:`model_run_from_predictions`; the name is the session's model
    name and the provenance the session's.
    """
    return model_run_from_predictions(
        session.clip_predictions, name=session.model_name, provenance=session.provenance
    )


def verdict_note_message(detection: Detection, status: Status) -> str:
    """Text of the note recording a rejected or uncertain detection.

    Parameters
    ----------
    detection
        The detection.
    status
        Its status.

    Returns
    -------
    str
        E.g. ``"Rejected: Leiothlypis peregrina (Tennessee Warbler), score 0.82"``.
    """
    what = detection.scientific_name
    if detection.common_name:
        what += f" ({detection.common_name})"
    return f"{status.value.capitalize()}: {what}, score {detection.score:.2f}"


def build_annotation_project(
    session: ReviewSession, *, name: str | None = None
) -> data.AnnotationProject:
    """Build an annotation project holding the reviewer's verdicts.

    Parameters
    ----------
    session
        The review session.
    name
        Project name; defaults to ``"Review of <recording file name>"``.

    Returns
    -------
    soundevent.data.AnnotationProject
        One clip annotation and one completed task per clip with at least
        one reviewed detection, on the same ``Clip`` objects as the model run.
    """
    reviewer = session.reviewer
    by_clip: dict[Any, tuple[data.Clip, list[tuple[Detection, Status]]]] = {}
    for detection in session.reviewed():
        clip = detection.clip_prediction.clip
        entry = by_clip.setdefault(clip.uuid, (clip, []))
        entry[1].append((detection, session.status(detection.id)))

    clip_annotations: list[data.ClipAnnotation] = []
    tasks: list[data.AnnotationTask] = []
    project_tags: dict[data.Tag, None] = {}
    for clip, verdicts in sorted(
        by_clip.values(), key=lambda item: (item[0].start_time, item[0].end_time)
    ):
        tags: dict[data.Tag, None] = {}
        notes: list[data.Note] = []
        for detection, status in verdicts:
            if status is Status.ACCEPTED:
                tags.setdefault(detection.tag, None)
            else:
                notes.append(
                    data.Note(
                        message=verdict_note_message(detection, status),
                        created_by=reviewer,
                        is_issue=status is Status.UNCERTAIN,
                    )
                )
        project_tags.update(tags)
        clip_annotations.append(
            data.ClipAnnotation(clip=clip, tags=list(tags), notes=notes)
        )
        tasks.append(
            data.AnnotationTask(
                clip=clip,
                status_badges=[
                    data.StatusBadge(
                        state=data.AnnotationState.completed, owner=reviewer
                    )
                ],
            )
        )

    file_name = Path(session.recording.path).name
    counts = session.counts()
    model = session.model_name or "unknown model"
    description = (
        f"Review of {model} detections in {file_name} by "
        f"{reviewer.username or reviewer.name or 'unknown reviewer'}: "
        f"{counts[Status.ACCEPTED]} accepted, {counts[Status.REJECTED]} rejected, "
        f"{counts[Status.UNCERTAIN]} uncertain, {counts[Status.UNREVIEWED]} unreviewed "
        f"(of {len(session)} detections, in {len(tasks)} reviewed clips)."
    )
    instructions = (
        "Clip tags are the species the reviewer accepted; rejected and uncertain "
        "detections are notes on the clip. Only reviewed detections are recorded: "
        "a species missing from a clip's tags and notes was not judged. All model "
        "predictions and scores are in the accompanying model run."
    )
    return data.AnnotationProject(
        name=name if name is not None else f"Review of {file_name}",
        description=description,
        instructions=instructions,
        clip_annotations=clip_annotations,
        tasks=tasks,
        annotation_tags=list(project_tags),
    )


def model_run_path_for(path: str | os.PathLike[str]) -> Path:
    """Return where the model run goes for a project file.

    Parameters
    ----------
    path
        The project file, e.g. ``review.json``.

    Returns
    -------
    pathlib.Path
        ``review.model_run.json`` in the same folder.
    """
    path = Path(path)
    return path.with_name(path.stem + _MODEL_RUN_SUFFIX)


def save_aoef(
    obj: data.ModelRun | data.AnnotationProject,
    path: Path,
    audio_dir: Path | None = None,
) -> None:
    """Save a soundevent object as AOEF JSON atomically (temp file, then rename)."""
    with atomic_write_path(path) as tmp, warnings.catch_warnings():
        # soundevent's serialiser reads ModelRun's own deprecated ``version``.
        warnings.filterwarnings(
            "ignore", "Accessing 'version' directly on ModelRun", DeprecationWarning
        )
        io.save(obj, tmp, audio_dir=audio_dir)


def export_aoef(
    session: ReviewSession,
    path: str | os.PathLike[str],
    *,
    audio_dir: str | os.PathLike[str] | None = None,
) -> AoefExport:
    """Write the session's verdicts and predictions as AOEF JSON files.

    Parameters
    ----------
    session
        The review session.
    path
        The project file to write; ``.json`` is appended when the name does
        not end with it (``soundevent.io.load`` needs it). The model run goes
        to :func:`model_run_path_for` of it.
    audio_dir
        If None (default), recordings are stored with absolute paths, so
        ``soundevent.io.load`` gives paths that resolve to the real files.
        If given, paths are stored relative to this folder (portable); pass
        the same folder as ``audio_dir`` to ``soundevent.io.load``.

    Returns
    -------
    AoefExport
        The paths written.

    Raises
    ------
    ValueError
        If ``audio_dir`` is given and the recording is not inside it.
    OSError
        If a file cannot be written; an existing file is then left intact.
    """
    return write_aoef(
        build_annotation_project(session), build_model_run(session), path, audio_dir=audio_dir
    )


def write_aoef(
    project: data.AnnotationProject,
    model_run: data.ModelRun,
    path: str | os.PathLike[str],
    *,
    audio_dir: str | os.PathLike[str] | None = None,
) -> AoefExport:
    """Write an already built project and model run (see :func:`export_aoef`).

    Building needs the session and so belongs on the thread that owns it;
    writing only needs these immutable objects and may run on any thread.
    """
    project_path = Path(path)
    if project_path.suffix != ".json":
        project_path = project_path.with_name(project_path.name + ".json")
    run_path = model_run_path_for(project_path)

    folder: Path | None = None
    if audio_dir is not None:
        folder = Path(audio_dir).absolute()
        recordings = {c.clip.recording.path for c in model_run.clip_predictions}
        recordings |= {a.clip.recording.path for a in project.clip_annotations}
        for recording_path in sorted(Path(p) for p in recordings):
            if not recording_path.is_relative_to(folder):
                raise ValueError(
                    f"{recording_path}: recording is not inside audio_dir {folder}"
                )

    # The model run first: the project never refers to a run that is missing.
    save_aoef(model_run, run_path, folder)
    save_aoef(project, project_path, folder)
    return AoefExport(project_path=project_path, model_run_path=run_path)
