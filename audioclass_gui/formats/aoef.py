"""Export a review session as soundevent AOEF files.

These JSON files are written:

* an ``AnnotationProject`` with the reviewers' verdicts (the main file);
* beside it one ``ModelRun`` per run of predictions
  (``<stem>.model_run.json``, then ``<stem>.model_run.2.json``...) with every
  clip prediction and score the model produced and the run's provenance,
  named by model, version, settings and a short id
  (:mod:`audioclass_gui.formats.aoef_run_names`);
* a ``Dataset`` of the recordings (``<stem>.dataset.json``) and an
  ``EvaluationSet`` holding a clip for every model window
  (``<stem>.evaluation_set.json``): what Whombat needs to import the others
  whole (:mod:`audioclass_gui.formats.aoef_companions`).

They refer to the same recordings, clips and clip annotations (same uuids),
so a verdict can be matched to the prediction it judged. Load them back with
``soundevent.io.load``; :mod:`audioclass_gui.formats.aoef_import` reads an
exported project back into a review. Every file is written in bounded
memory, whatever the size of the review.

Verdicts are stored as follows, per clip (model frame) that has at least one
judged detection:

* accepted species are the ``ClipAnnotation``'s tags (for a relabelled
  detection, the species the reviewer put);
* each rejected, uncertain or relabelled detection is a ``Note`` on that clip
  annotation, written by :func:`verdict_note_message` ("Rejected: ...",
  "Uncertain: ..." flagged as an issue, "... -> Turdus merula" for a
  relabel); a reviewer's own note on a detection is a ``Note`` starting
  with "Note on ";
* an ``AnnotationTask`` for the clip carries a ``completed`` status badge
  owned by each reviewer who judged a detection in it, dated when they did
  (soundevent wants a task for every annotated clip: a clip with only a
  note, or with drawn boxes, has a task without badges).

Notes, badges and annotations carry the reviewer (a soundevent ``User``)
and the time of the verdict. Boxes the reviewers drew are
``SoundEventAnnotation``\\ s with ``BoundingBox`` (time and frequency) or
``TimeInterval`` geometry, tagged with their species, on one clip per
recording spanning the whole file. Unreviewed detections appear only in
the model runs.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

from soundevent import data, io

from audioclass_gui.formats.aoef_companions import (
    subject,
    write_dataset,
    write_evaluation_set,
)
from audioclass_gui.formats.aoef_project import (
    NOTE_PREFIX,
    build_annotation_project,
    verdict_note_message,
)
from audioclass_gui.formats.aoef_project_stream import StreamedProject
from audioclass_gui.formats.aoef_run_names import model_version, run_title, run_uuid
from audioclass_gui.formats.aoef_stream import StreamedModelRun
from audioclass_gui.formats.aoef_writer import Unsupported, encode_json
from audioclass_gui.formats.atomic import atomic_write_path
from audioclass_gui.review import ReviewSession

__all__ = [
    "NOTE_PREFIX",
    "AoefExport",
    "StreamedProject",
    "build_annotation_project",
    "build_model_run",
    "build_model_runs",
    "companion_paths",
    "export_aoef",
    "model_run_from_predictions",
    "model_run_path_for",
    "prepare_aoef",
    "save_aoef",
    "verdict_note_message",
    "write_aoef",
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
        The (first) model run (predictions).
    model_run_paths : tuple of pathlib.Path
        Every model run written, one per run of predictions.
    dataset_path : pathlib.Path or None
        The recordings, as a soundevent ``Dataset``.
    evaluation_set_path : pathlib.Path or None
        Every model window as a clip, and the reviewed clips (for Whombat);
        None when the project was given as a soundevent object.
    """

    project_path: Path
    model_run_path: Path
    model_run_paths: tuple[Path, ...] = field(default=(), compare=False)
    dataset_path: Path | None = field(default=None, compare=False)
    evaluation_set_path: Path | None = field(default=None, compare=False)

    @property
    def paths(self) -> list[Path]:
        """Every file written: the model runs, dataset, evaluation set, then the project."""
        extra = [p for p in (self.dataset_path, self.evaluation_set_path) if p is not None]
        return [*self.model_run_paths, *extra, self.project_path]


def _provenance_json(provenance: dict[str, Any]) -> str:
    return json.dumps(provenance, default=str, ensure_ascii=False)


def model_run_from_predictions(
    predictions: Sequence[data.ClipPrediction],
    *,
    name: str,
    provenance: dict[str, Any],
    description: str = "",
    title: str = "",
    uuid: UUID | None = None,
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
    title
        The run's own name (default: the model's name).
    uuid
        The run's uuid (default: a new one).

    Returns
    -------
    soundevent.data.ModelRun
        ``model`` is ``Model(info=ModelInfo(name=...), version=...)`` with the
        version from the provenance keys ``"model_version"`` or ``"version"``
        ("" when absent).
    """
    name = name or "unknown model"
    return data.ModelRun(
        **({"uuid": uuid} if uuid is not None else {}),
        name=title or name,
        description=_provenance_json(provenance),
        clip_predictions=list(predictions),
        model=data.Model(
            info=data.ModelInfo(name=name, description=description or None),
            version=model_version(provenance),
        ),
    )


def build_model_run(session: ReviewSession) -> data.ModelRun:
    """Build one model run holding every clip prediction of the session.

    See :func:`model_run_from_predictions`; the model is the session's model
    name and the provenance the session's, the run is named as
    :func:`build_model_runs` names runs. For a session with predictions
    from several runs, :func:`build_model_runs` keeps them apart.
    """
    predictions = session.clip_predictions
    return _titled_run("", session.model_name, session.provenance, predictions)


def _titled_run(
    key: str, name: str, provenance: dict[str, Any], predictions: Sequence[data.ClipPrediction]
) -> data.ModelRun:
    """A run of prediction objects, named and identified by :mod:`.aoef_run_names`."""
    name = name or "unknown model"
    ident = run_uuid(key, name, provenance, {str(p.clip.recording.path) for p in predictions})
    return model_run_from_predictions(
        predictions,
        name=name,
        provenance=provenance,
        title=run_title(name, provenance, ident),
        uuid=ident,
    )


def build_model_runs(session: ReviewSession) -> list[data.ModelRun | StreamedModelRun]:
    """Build one model run per run of predictions in the session, with its provenance.

    Runs read from the project's store become :class:`StreamedModelRun`
    (written from their columns in bounded memory, whatever their size);
    runs made of clip prediction objects become ``ModelRun`` objects. Each
    run is named by :func:`~audioclass_gui.formats.aoef_run_names.run_title`
    (model, version, settings, date, short id) and gets the uuid of
    :func:`~audioclass_gui.formats.aoef_run_names.run_uuid`: the same run
    exported again has the same name and uuid, two runs never share them.
    """
    runs: list[data.ModelRun | StreamedModelRun] = []
    for key, name, provenance in session.run_infos():
        name = name or "unknown model"
        columns = session.stored_run(key)
        if columns is None:
            runs.append(_titled_run(key, name, provenance, session.run_predictions(key)))
            continue
        run = StreamedModelRun(
            name=name,
            description=_provenance_json(provenance),
            version=model_version(provenance),
            recordings=session.recordings,
            species=session.species_list(),
            columns=columns,
        )
        ident = run_uuid(key, name, provenance, {str(p) for p in run.recording_paths()})
        runs.append(replace(run, uuid=ident, title=run_title(name, provenance, ident)))
    return runs or [build_model_run(session)]


def model_run_path_for(path: str | os.PathLike[str], index: int = 0) -> Path:
    """Return where a model run goes for a project file.

    Parameters
    ----------
    path
        The project file, e.g. ``review.json``.
    index
        Which model run (0 for the first).

    Returns
    -------
    pathlib.Path
        ``review.model_run.json`` in the same folder (``review.model_run.2.json``
        for index 1, and so on).
    """
    path = Path(path)
    if index == 0:
        return path.with_name(path.stem + _MODEL_RUN_SUFFIX)
    return path.with_name(f"{path.stem}.model_run.{index + 1}.json")


def companion_paths(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Where the dataset and the evaluation set go for a project file.

    Returns
    -------
    tuple of pathlib.Path
        ``review.dataset.json`` and ``review.evaluation_set.json`` beside
        ``review.json``.
    """
    path = Path(path)
    return (
        path.with_name(f"{path.stem}.dataset.json"),
        path.with_name(f"{path.stem}.evaluation_set.json"),
    )


def save_aoef(
    obj: data.ModelRun | data.AnnotationProject | data.PredictionSet,
    path: Path,
    audio_dir: Path | None = None,
) -> None:
    """Save a soundevent object as AOEF JSON atomically (temp file, then rename).

    Model runs, prediction sets and annotation projects are encoded by the
    fast writer of :mod:`audioclass_gui.formats.aoef_writer`; anything it
    does not cover goes through ``soundevent.io.save``.
    """
    try:
        text: str | None = encode_json(obj, audio_dir)
    except (Unsupported, ValueError, TypeError):
        text = None  # soundevent validates it and says what is wrong
    with atomic_write_path(path) as tmp, warnings.catch_warnings():
        if text is not None:
            tmp.write_text(text, encoding="utf-8")
            return
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
    name: str | None = None,
) -> AoefExport:
    """Write the session's verdicts and predictions as AOEF JSON files.

    Parameters
    ----------
    session
        The review session.
    path
        The project file to write; ``.json`` is appended when the name does
        not end with it (``soundevent.io.load`` needs it). The model runs go
        to :func:`model_run_path_for` of it.
    audio_dir
        If None (default), recordings are stored with absolute paths, so
        ``soundevent.io.load`` gives paths that resolve to the real files.
        If given, paths are stored relative to this folder (portable); pass
        the same folder as ``audio_dir`` to ``soundevent.io.load``.
    name
        Project name (see :func:`build_annotation_project`).

    Returns
    -------
    AoefExport
        The paths written.

    Raises
    ------
    ValueError
        If ``audio_dir`` is given and a recording is not inside it.
    OSError
        If a file cannot be written; an existing file is then left intact.
    """
    return prepare_aoef(session, name=name)(path, audio_dir=audio_dir)


def prepare_aoef(session: ReviewSession, *, name: str | None = None) -> Callable[..., AoefExport]:
    """Build what needs the session now; return the write, which may run on any thread.

    The window builds on the GUI thread, which owns the session, and writes
    in its task runner: ``prepare_aoef(session)(path)`` there, as
    :func:`export_aoef` does in one go.

    Returns
    -------
    callable
        ``write(path, *, audio_dir=None) -> AoefExport`` (see :func:`write_aoef`).
    """
    return partial(write_aoef, build_annotation_project(session, name=name), build_model_runs(session))


def write_aoef(
    project: StreamedProject | data.AnnotationProject,
    model_run: data.ModelRun | StreamedModelRun | Sequence[data.ModelRun | StreamedModelRun],
    path: str | os.PathLike[str],
    *,
    audio_dir: str | os.PathLike[str] | None = None,
) -> AoefExport:
    """Write an already built project and model run(s) (see :func:`export_aoef`).

    Building needs the session and so belongs on the thread that owns it;
    writing only needs these objects and may run on any thread. Besides the
    project and the runs, a ``Dataset`` of the recordings is written, and for
    a project built by :func:`build_annotation_project` an ``EvaluationSet``
    of every model window (:func:`companion_paths`).
    """
    runs = (
        [model_run]
        if isinstance(model_run, data.ModelRun | StreamedModelRun)
        else list(model_run)
    )
    project_path = Path(path)
    if project_path.suffix != ".json":
        project_path = project_path.with_name(project_path.name + ".json")
    run_paths = [model_run_path_for(project_path, i) for i in range(len(runs))]
    dataset_path, evaluation_path = companion_paths(project_path)
    recordings = _recordings(project, runs)

    folder: Path | None = None
    if audio_dir is not None:
        folder = Path(audio_dir).absolute()
        for recording_path in sorted(Path(r.path) for r in recordings):
            if not recording_path.is_relative_to(folder):
                raise ValueError(
                    f"{recording_path}: recording is not inside audio_dir {folder}"
                )

    # The model runs first: the project never refers to a run that is missing.
    for run, run_path in zip(runs, run_paths, strict=True):
        if isinstance(run, StreamedModelRun):
            run.write(run_path, folder)
        else:
            save_aoef(run, run_path, folder)
    write_dataset(dataset_path, recordings, name=subject(recordings), audio_dir=folder)
    if isinstance(project, StreamedProject):
        write_evaluation_set(
            evaluation_path,
            project,
            runs,
            name=f"{project.name} (model windows)",
            audio_dir=folder,
        )
        project.write(project_path, folder)
    else:
        evaluation_path = None
        save_aoef(project, project_path, folder)
    return AoefExport(
        project_path=project_path,
        model_run_path=run_paths[0],
        model_run_paths=tuple(run_paths),
        dataset_path=dataset_path,
        evaluation_set_path=evaluation_path,
    )


def _recordings(
    project: StreamedProject | data.AnnotationProject,
    runs: Sequence[data.ModelRun | StreamedModelRun],
) -> list[data.Recording]:
    """Every recording of the export, each once (by uuid): the project's, then the runs'."""
    out: dict[Any, data.Recording] = {}
    if isinstance(project, StreamedProject):
        out.update((r.uuid, r) for r in project.recordings)
    else:
        out.update((a.clip.recording.uuid, a.clip.recording) for a in project.clip_annotations)
    for run in runs:
        if isinstance(run, StreamedModelRun):
            used = (run.recordings[i] for i in run.used.tolist())
        else:
            used = (c.clip.recording for c in run.clip_predictions)
        for recording in used:
            out.setdefault(recording.uuid, recording)
    return list(out.values())
