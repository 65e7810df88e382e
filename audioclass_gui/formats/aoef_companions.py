"""The files written beside an exported review so that Whombat takes it whole.

Whombat (https://github.com/mbsantiago/whombat) imports soundevent files but
finds recordings and clips only by uuid, among what it already holds:

* an annotation project adds tasks, clip annotations and sound events only
  on recordings it has: :func:`write_dataset` writes a ``Dataset`` of the
  review's recordings, with the uuids the other files use, to import first;
* a model run adds predictions only on clips it has (its importer never
  creates clips), and a model run is imported into an evaluation set:
  :func:`write_evaluation_set` writes an ``EvaluationSet`` holding a clip for
  every window of every model run, and the reviewed clips' annotations by
  uuid only (their tags and notes are in the annotation project), so that
  Whombat can score each run against the reviewers' verdicts.

Both are written in bounded memory: the evaluation set's clips stream from
the runs' columns, as :mod:`audioclass_gui.formats.aoef_stream` writes the
runs themselves.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from soundevent import data

from audioclass_gui.formats.aoef_json import Section, iso, iso_now, write_document
from audioclass_gui.formats.aoef_project_stream import StreamedProject
from audioclass_gui.formats.aoef_stream import StreamedModelRun, unique_windows
from audioclass_gui.formats.aoef_uuids import dashed, frame_clip_hexes
from audioclass_gui.formats.aoef_writer import _Encoder
from audioclass_gui.formats.atomic import atomic_write_path

__all__ = [
    "common_folder",
    "subject",
    "dataset_uuid",
    "run_frames",
    "write_dataset",
    "write_evaluation_set",
]

_NAMESPACE = uuid.UUID("9a0e3e55-2b0c-4e8a-8d0e-58b0c3c6a7f2")


def dataset_uuid(recordings: Sequence[data.Recording]) -> uuid.UUID:
    """A dataset's uuid, derived from its recordings' paths (the same for the same files)."""
    paths = "\n".join(sorted(str(r.path) for r in recordings))
    return uuid.uuid5(_NAMESPACE, f"dataset:{paths}")


def common_folder(recordings: Sequence[data.Recording]) -> Path | None:
    """The deepest folder holding every recording (None for none)."""
    if not recordings:
        return None
    return Path(os.path.commonpath([str(Path(r.path).parent) for r in recordings]))


def subject(recordings: Sequence[data.Recording]) -> str:
    """What an export is of, in words: the file's name, or "N recordings in <folder>"."""
    if len(recordings) == 1:
        return Path(recordings[0].path).name
    folder = common_folder(recordings)
    if folder is None:
        return "no recordings"
    return f"{len(recordings)} recordings in {folder.name or folder}"


def write_dataset(
    path: str | Path,
    recordings: Sequence[data.Recording],
    *,
    name: str,
    audio_dir: str | Path | None = None,
) -> None:
    """Write the recordings as a soundevent ``Dataset`` (AOEF), atomically.

    Parameters
    ----------
    path
        The file to write.
    recordings
        The recordings, each once.
    name
        The dataset's name (Whombat wants it unique).
    audio_dir
        Store paths relative to this folder (None: absolute paths).
    """
    enc = _Encoder(Path(audio_dir) if audio_dir is not None else None)
    for recording in recordings:
        enc.recording(recording)
    folder = common_folder(recordings)
    description = (
        f"The {len(recordings)} recordings of an audioclass-gui review"
        + (f", under {folder}" if folder is not None else "")
        + ". In Whombat, import this dataset first, with that folder (or one above it) "
        "as its audio folder; then the annotation project, the evaluation set and the "
        "model runs exported with it."
    )
    with atomic_write_path(Path(path)) as tmp, open(tmp, "w", encoding="utf-8") as out:
        write_document(
            out,
            [
                ("uuid", str(dataset_uuid(recordings))),
                ("collection_type", "dataset"),
                ("users", list(enc.users.values()) or None),
                ("tags", enc.tag_list() or None),
                ("recordings", list(enc.recordings.values()) or None),
                ("created_on", iso_now()),
                ("name", name),
                ("description", description),
            ],
        )


def run_frames(
    runs: Sequence[StreamedModelRun],
) -> Iterator[tuple[data.Recording, list[float], list[float]]]:
    """Every window of the runs, each once: ``(recording, starts, ends)`` per recording.

    Runs over the same recording (by uuid) are merged; recordings come in
    the order first seen, windows by start then end. One recording's
    windows are held at a time.
    """
    where: dict[uuid.UUID, list[tuple[StreamedModelRun, int]]] = {}
    for run in runs:
        for index in run.used.tolist():
            where.setdefault(run.recordings[index].uuid, []).append((run, index))
    for members in where.values():
        run, index = members[0]
        if len(members) == 1:
            starts, ends = run.windows(index)
        else:
            parts = [r.windows(i) for r, i in members]
            starts, ends = unique_windows(
                np.concatenate([s for s, _e in parts]), np.concatenate([e for _s, e in parts])
            )
        yield run.recordings[index], starts.tolist(), ends.tolist()


def write_evaluation_set(
    path: str | Path,
    project: StreamedProject,
    runs: Sequence[data.ModelRun | StreamedModelRun],
    *,
    name: str,
    audio_dir: str | Path | None = None,
) -> None:
    """Write every model window, and the reviewed clips' annotations, as an ``EvaluationSet``.

    Parameters
    ----------
    path
        The file to write.
    project
        The annotation project written beside (its clip annotations are
        referred to by uuid, with no tags or notes of their own).
    runs
        The model runs written beside: a clip for each of their windows.
    name
        The evaluation set's name.
    audio_dir
        Store paths relative to this folder (None: absolute paths).
    """
    enc = _Encoder(Path(audio_dir) if audio_dir is not None else None)
    evaluation_tags = [enc.tag_key(k, v) for k, v in project.judged_tags()]
    description = (
        f"Every window the model runs of '{project.name}' scored (a clip each, so that "
        "Whombat imports every prediction), and the clips the reviewers judged, whose tags "
        "and notes are in that annotation project: import the project first, then this "
        "evaluation set, then the model runs into it. The evaluation tags are the species "
        "the reviewers judged; a clip's tags are the species they accepted."
    )
    target = Path(path)
    with atomic_write_path(target) as tmp, open(tmp, "w", encoding="utf-8") as out:
        clips, refs = Section(tmp.parent), Section(tmp.parent)
        try:
            annotated: set[str] = set()
            for entry in project.entries():
                rec_id = enc.recording(project.recordings[entry.recording])
                annotated.add(entry.clip)
                clips.add_text(_clip_text(entry.clip, rec_id, entry.start, entry.end))
                created = project.now if entry.latest is None else entry.latest
                refs.add(
                    {
                        "uuid": project.derived_uuid("clip-annotation", entry.clip),
                        "clip": entry.clip,
                        "created_on": iso(created),
                    }
                )
            _write_run_clips(clips, enc, runs, annotated)
            write_document(
                out,
                [
                    ("uuid", project.derived_uuid("evaluation-set", str(project.uuid))),
                    ("name", name),
                    ("description", description),
                    ("collection_type", "evaluation_set"),
                    ("users", list(enc.users.values()) or None),
                    ("tags", enc.tag_list() or None),
                    ("recordings", list(enc.recordings.values()) or None),
                    ("clips", clips),
                    ("clip_annotations", refs),
                    ("created_on", iso_now()),
                    ("evaluation_tags", evaluation_tags or None),
                ],
            )
        finally:
            clips.close()
            refs.close()


def _clip_text(clip: str, recording: str, start: float, end: float) -> str:
    return (
        f'{{"uuid":"{clip}","recording":"{recording}",'
        f'"start_time":{float(start)!r},"end_time":{float(end)!r}}}'
    )


def _write_run_clips(
    clips: Section,
    enc: _Encoder,
    runs: Sequence[data.ModelRun | StreamedModelRun],
    listed: set[str],
) -> None:
    """The clips of the runs' windows that ``listed`` does not hold yet."""
    stored = [r for r in runs if isinstance(r, StreamedModelRun)]
    for recording, starts, ends in run_frames(stored):
        rec_id = enc.recording(recording)
        hexes = frame_clip_hexes(recording.uuid, starts, ends)
        texts = [
            f'{{"uuid":"{clip}","recording":"{rec_id}","start_time":{s!r},"end_time":{e!r}}}'
            for clip, s, e in zip(map(dashed, hexes), starts, ends, strict=True)
            if clip not in listed
        ]
        clips.add_texts(texts)
    seen: set[str] = set()
    for run in runs:
        if isinstance(run, StreamedModelRun):
            continue
        for prediction in run.clip_predictions:
            clip = prediction.clip
            key = str(clip.uuid)
            if key in listed or key in seen:
                continue
            seen.add(key)
            clips.add_text(
                _clip_text(key, enc.recording(clip.recording), clip.start_time, clip.end_time)
            )
