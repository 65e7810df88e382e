"""Read soundevent AOEF files back: predictions to review, and earlier reviews.

* :func:`read_predictions` loads a ``ModelRun`` or a ``PredictionSet``
  (any tool's) as clip predictions with the run's name and provenance.
* :func:`read_review` loads an ``AnnotationProject`` (ours, exported by
  :mod:`audioclass_gui.formats.aoef`, or another tool's) as verdicts and
  boxes, so a review can continue where it was exported. Our notes
  ("Rejected: ...", "... -> species", "Note on ...") are parsed back into
  verdicts; another tool's clip tags become accepted verdicts and its
  sound events boxes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soundevent import data, io

from audioclass_gui.formats.aoef_project import NOTE_PREFIX
from audioclass_gui.review import Box, Status, Verdict

__all__ = [
    "ImportedReview",
    "PredictionFile",
    "aoef_collection_type",
    "load_problem",
    "read_predictions",
    "read_review",
    "run_metadata",
]

_COLLECTION = re.compile(rb'(?<!\\)"collection_type"\s*:\s*"(\w+)"')
_VERDICT = re.compile(
    r"^(?P<status>Accepted|Rejected|Uncertain|Unreviewed): (?P<sci>[^(,]+?)(?: \((?P<common>.*?)\))?"
    r", score (?P<score>[-+0-9.eE]+)(?: -> (?P<label>[^(]+?)(?: \((?P<lcommon>.*)\))?)?$"
)
_NOTE = re.compile(
    r"^"
    + re.escape(NOTE_PREFIX)
    + r"(?P<sci>.+?), score (?P<score>[-+0-9.eE]+): (?P<text>.*)$",
    re.DOTALL,
)

#: ``(recording path, start, end, scientific name)``
PathKey = tuple[str, float, float, str]


def aoef_collection_type(path: str | os.PathLike[str]) -> str | None:
    """The AOEF collection type of a JSON file ("model_run", ...), or None.

    Reads only the start of the file, so it is cheap on large runs.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return None
    if b'"data"' not in head:
        return None
    match = _COLLECTION.search(head)
    return match.group(1).decode() if match else None


def _where(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a JSON path: ``data.clip_predictions[0].tags[0][1]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_problem(exc: BaseException) -> str:
    """What is wrong with an AOEF file, in one sentence, from the error reading it.

    A truncated file says so (where its JSON ends); a value of the wrong
    kind names where it is and what was found; any other error gives its
    first line. Never the whole pydantic report.
    """
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        errors = exc.errors()
        first = errors[0] if errors else {}
        message = str(first.get("msg", "invalid")).rstrip(".")
        if first.get("type") == "json_invalid":
            detail = message.removeprefix("Invalid JSON: ")
            if "EOF while parsing" in detail:
                place = detail.partition(" at ")[2] or "its end"
                return f"the file ends in the middle of its JSON (at {place}): it is truncated"
            return f"it is not valid JSON ({detail})"
        where = _where(tuple(first.get("loc", ())))
        found = first.get("input")
        shown = "" if isinstance(found, dict | list) else f", found {found!r}"[:80]
        more = len(errors) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        return f"{where or 'the document'}: {message[:1].lower()}{message[1:]}{shown}{tail}"
    if isinstance(exc, json.JSONDecodeError):
        return f"it is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _load(path: Path, kind: str, audio_dir: Path | None) -> Any:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        try:
            return io.load(path, type=kind, audio_dir=audio_dir)  # type: ignore[call-overload]
        except Exception as exc:  # pydantic / json / missing fields
            raise ValueError(
                f"{path}: not a readable soundevent {kind.replace('_', ' ')}: "
                f"{load_problem(exc)}"
            ) from exc


@dataclass
class PredictionFile:
    """Predictions read from a file.

    Attributes
    ----------
    path : pathlib.Path
    kind : str
        "model_run", "prediction_set", "birdnet_raven", "birdnet_csv" or
        "birdnet_audacity".
    predictions : list of soundevent.data.ClipPrediction
    model_name : str
    provenance : dict
        How they were made, as far as the file says, plus ``source_file``
        and ``source_format``.
    problems : list of str
        Rows or entries that could not be used, in words.
    common_names : dict of str to str
        Scientific -> common names the file gives (BirdNET-Analyzer tables
        carry a common name on every row); empty when it gives none.
    """

    path: Path
    kind: str
    predictions: list[data.ClipPrediction]
    model_name: str
    provenance: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    common_names: dict[str, str] = field(default_factory=dict)


def read_predictions(
    path: str | os.PathLike[str], *, audio_dir: str | os.PathLike[str] | None = None
) -> PredictionFile:
    """Read a soundevent ``ModelRun`` or ``PredictionSet`` file.

    Parameters
    ----------
    path
        The AOEF JSON file.
    audio_dir
        Folder that relative recording paths in the file are relative to
        (default: the file's folder).

    Raises
    ------
    ValueError
        If the file is not a model run or prediction set.
    """
    p = Path(path)
    kind = aoef_collection_type(p)
    if kind not in ("model_run", "prediction_set"):
        raise ValueError(
            f"{p}: not a soundevent model run or prediction set "
            f"({'a ' + kind.replace('_', ' ') if kind else 'no AOEF collection found'})"
        )
    folder = Path(audio_dir) if audio_dir is not None else p.parent
    obj = _load(p, kind, folder)
    name, provenance = run_metadata(obj, p, kind)
    return PredictionFile(p, kind, list(obj.clip_predictions), name, provenance)


def run_metadata(
    obj: data.PredictionSet, path: Path, kind: str
) -> tuple[str, dict[str, Any]]:
    """The model name and provenance of a model run or prediction set read from ``path``.

    The name is the model's (else the collection's, else the file's stem);
    the provenance is the run's description when it is a JSON object (as
    this app writes it), plus the model's version, ``source_file`` and
    ``source_format``.
    """
    provenance: dict[str, Any] = {}
    name = obj.name or ""
    if isinstance(obj, data.ModelRun):
        name = obj.model.info.name or name
        try:
            parsed = json.loads(obj.description or "")
            if isinstance(parsed, dict):
                provenance.update(parsed)
        except json.JSONDecodeError:
            if obj.description:
                provenance["description"] = obj.description
        provenance.setdefault("version", obj.model.version)
    elif obj.description:
        provenance["description"] = obj.description
    provenance.update({"source_file": str(path.absolute()), "source_format": kind})
    return name or path.stem, provenance


@dataclass
class ImportedReview:
    """Verdicts and boxes read from an ``AnnotationProject``.

    Attributes
    ----------
    verdicts : list
        ``(path key, Verdict, reviewer or None, epoch time or None)``, in
        the order found; the path key is ``(recording path, start, end,
        scientific name)``.
    boxes : list
        ``(Box, reviewer or None, epoch time or None)``.
    users : list of soundevent.data.User
        Everyone named as author or badge owner.
    companion_runs : list of pathlib.Path
        Model runs exported beside the project (``<stem>.model_run*.json``).
    name : str
        The project's name.
    """

    verdicts: list[tuple[PathKey, Verdict, data.User | None, float | None]] = field(
        default_factory=list
    )
    boxes: list[tuple[Box, data.User | None, float | None]] = field(
        default_factory=list
    )
    users: list[data.User] = field(default_factory=list)
    companion_runs: list[Path] = field(default_factory=list)
    name: str = ""


def _epoch(when: dt.datetime | None) -> float | None:
    """Seconds since the epoch of a time read from a file.

    This app writes times with their zone (UTC). A time without one is what
    soundevent's defaults (``datetime.now()``) write: the local time of the
    machine that wrote it, taken here as this machine's local time.
    """
    if when is None:
        return None
    return when.timestamp()  # naive: local time, as datetime.now() made it


def _box_of(annotation: data.SoundEventAnnotation, path: str) -> Box | None:
    geometry = annotation.sound_event.geometry
    species = next((str(t.value) for t in annotation.tags), "")
    note = "\n".join(n.message for n in annotation.notes)
    coords = getattr(geometry, "coordinates", None)
    try:
        if isinstance(geometry, data.BoundingBox):
            start, low, end, high = (float(c) for c in coords)  # type: ignore[union-attr]
            return Box(
                annotation.uuid.hex, Path(path), start, end, low, high, species, note
            )
        if isinstance(geometry, data.TimeInterval):
            start, end = (float(c) for c in coords)  # type: ignore[union-attr]
            return Box(
                annotation.uuid.hex, Path(path), start, end, None, None, species, note
            )
    except (TypeError, ValueError):
        return None
    return None


def read_review(
    path: str | os.PathLike[str], *, audio_dir: str | os.PathLike[str] | None = None
) -> ImportedReview:
    """Read an exported ``AnnotationProject`` back as verdicts and boxes.

    Parameters
    ----------
    path
        The AOEF annotation project.
    audio_dir
        Folder relative recording paths are relative to (default: the
        file's folder).

    Raises
    ------
    ValueError
        If the file is not an annotation project.
    """
    p = Path(path)
    kind = aoef_collection_type(p)
    if kind not in ("annotation_project", "annotation_set"):
        raise ValueError(f"{p}: not a soundevent annotation project")
    project = _load(p, kind, Path(audio_dir) if audio_dir is not None else p.parent)
    out = ImportedReview(name=project.name or p.stem)
    users: dict[Any, data.User] = {}
    owners: dict[Any, data.User] = {}
    for task in getattr(project, "tasks", []):
        for badge in task.status_badges:
            if badge.owner is not None:
                users.setdefault(badge.owner.uuid, badge.owner)
                owners.setdefault(task.clip.uuid, badge.owner)
    for ca in project.clip_annotations:
        rec = str(Path(ca.clip.recording.path).absolute())
        start, end = float(ca.clip.start_time), float(ca.clip.end_time)
        verdicts: dict[str, tuple[Verdict, data.User | None, float | None]] = {}
        relabel_targets: set[str] = set()
        for note in ca.notes:
            user = note.created_by
            if user is not None:
                users.setdefault(user.uuid, user)
            when = _epoch(note.created_on)
            match = _VERDICT.match(note.message)
            if match:
                label = match["label"].strip() if match["label"] else None
                status = Status(match["status"].lower())
                old = verdicts.get(match["sci"].strip(), (Verdict(), None, None))[0]
                verdicts[match["sci"].strip()] = (
                    old.with_(status=status, label=label),
                    user,
                    when,
                )
                if label and status is Status.ACCEPTED:
                    relabel_targets.add(label)
                continue
            match = _NOTE.match(note.message)
            if match:
                sci = match["sci"].strip()
                old, old_user, old_when = verdicts.get(sci, (Verdict(), user, when))
                verdicts[sci] = (
                    old.with_(note=match["text"]),
                    old_user or user,
                    old_when or when,
                )
        owner = owners.get(ca.clip.uuid)
        for tag in ca.tags:
            name = str(tag.value)
            if name in relabel_targets:
                continue  # the tag a relabel produced, not a detection of its own
            old, user, when = verdicts.get(
                name, (Verdict(), owner, _epoch(ca.created_on))
            )
            verdicts[name] = (old.with_(status=Status.ACCEPTED), user, when)
        for name, (verdict, user, when) in verdicts.items():
            out.verdicts.append(((rec, start, end, name), verdict, user, when))
        for annotation in ca.sound_events:
            box = _box_of(annotation, rec)
            if box is None:
                continue
            if annotation.created_by is not None:
                users.setdefault(annotation.created_by.uuid, annotation.created_by)
            out.boxes.append(
                (box, annotation.created_by, _epoch(annotation.created_on))
            )
    out.users = list(users.values())
    out.companion_runs = sorted(p.parent.glob(f"{p.stem}.model_run*.json"))
    return out
