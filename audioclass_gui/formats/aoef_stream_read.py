"""Model runs and prediction sets (AOEF JSON) read into columns, streaming.

``soundevent.io.load`` validates a whole AOEF document into pydantic
objects and then builds a ``ClipPrediction``, a ``Clip`` and a
``PredictedTag`` per window and species: for a model run of two million
predictions, minutes and gigabytes. A project only needs five columns
(recording, start, end, species, score) to fill its predictions store, so
:func:`read_aoef_columns` walks the file with
:class:`~audioclass_gui.formats.json_stream.JsonStream` instead, a chunk of
clips or clip predictions at a time, and keeps numbers only.

It reads the layout soundevent and this app write (AOEF 1.1.0: ``tags``,
``recordings`` and ``clips`` listed before the ``clip_predictions`` that
refer to them) and gives what :func:`~audioclass_gui.formats.aoef_import.read_predictions`
followed by :func:`~audioclass_gui.formats.prediction_store.run_from_predictions`
would: the species of a row is its tag's value (whatever the tag's key),
tags of unknown ids are left out, and the model name and provenance come
from the same code. The small parts of the document (recordings, tags, the
run's header) are validated with soundevent's own schema; the large arrays
are checked for the same things (uuids, references, times, scores in 0..1).
Anything else (another layout or version, sound event or sequence
predictions, a value it does not expect, a reference it cannot find) makes
it read the file with the object reader after all, which then reads it or
says what is wrong with it in its own words.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError
from soundevent.io.aoef import AOEF_VERSION, AOEFObject, to_soundevent
from soundevent.io.aoef.recording import RecordingObject
from soundevent.io.aoef.tag import TagObject

from audioclass_gui.formats.aoef_import import (
    aoef_collection_type,
    read_predictions,
    run_metadata,
)
from audioclass_gui.formats.aoef_raw import RawRun, map_recordings, raw_from_predictions
from audioclass_gui.formats.json_stream import JsonStream, NotStreamable

__all__ = ["RawRun", "map_recordings", "read_aoef_columns"]

KINDS = ("model_run", "prediction_set")
_UUIDS = re.compile(r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n)*")
_RECORDINGS = TypeAdapter(list[RecordingObject] | None)
_TAGS = TypeAdapter(list[TagObject] | None)
#: Items decoded at a time (they die young: the garbage collector never walks them).
_ITEMS = 128
#: Numbers kept in lists before they are checked and made arrays.
_FLUSH = 1 << 16
_COLUMNS = ("clip_rec", "clip_start", "clip_end", "pred_clip", "row_clip", "row_species", "row_score")
#: Parts of a prediction set this reader does not read (it falls back when present).
_OTHER_PARTS = ("sound_events", "sequences", "sound_event_predictions", "sequence_predictions")


def _floats(values: list[Any]) -> np.ndarray:
    try:
        out = np.asarray(values, np.float64)
    except (TypeError, ValueError):
        raise NotStreamable("a time or score that is not a number") from None
    if out.ndim != 1 or not np.isfinite(out).all():
        raise NotStreamable("a time or score that is not a finite number")
    return out


def _check_uuids(values: list[Any]) -> None:
    try:
        text = "\n".join(values)
    except TypeError:
        raise NotStreamable("a uuid that is not a string") from None
    if values and _UUIDS.fullmatch(text + "\n") is None:
        raise NotStreamable("a uuid not written in the usual form")


def _check_features(features: Any) -> None:
    if not isinstance(features, dict) or not all(
        isinstance(v, int | float) for v in features.values()
    ):
        raise NotStreamable("features that are not numbers")


class _Reader:
    """One pass over a model run or prediction set, keeping columns."""

    def __init__(self, path: Path, kind: str, folder: Path) -> None:
        self.path, self.kind, self.folder = path, kind, folder
        self.paths: dict[str, int] = {}
        self.recording_of: dict[str, int] = {}  # recording uuid -> path number
        self.species: dict[str, int] = {}
        self.tag_species: dict[int, int] = {}
        self.clip_number: dict[str, int] = {}
        self.predictions_read = False
        self.clips_read = 0
        # Numbers of the items read since the last flush (floats and small
        # ints only: nothing for the garbage collector to walk), then arrays.
        self.clip_rec: list[int] = []
        self.clip_start: list[Any] = []
        self.clip_end: list[Any] = []
        self.pred_clip: list[int] = []
        self.row_clip: list[int] = []
        self.row_species: list[int] = []
        self.row_score: list[Any] = []
        self.done: dict[str, list[np.ndarray]] = {name: [] for name in _COLUMNS}

    def read(self, stream: JsonStream) -> RawRun:
        top: dict[str, Any] = {}
        for key in stream.keys():
            if key in top:
                raise NotStreamable(f"{key!r} twice")
            top[key] = self._data(stream) if key == "data" else stream.value()
        if stream.peek():
            raise NotStreamable("text after the document")
        name, provenance = self._header(top)
        self._flush()
        col = {name: np.concatenate(parts) for name, parts in self.done.items()}
        self.done.clear()
        clip_rec = col["clip_rec"].astype(np.int32)
        rows = col["row_clip"].astype(np.intp)
        pred_rec = clip_rec[col["pred_clip"].astype(np.intp)]
        values, first = np.unique(pred_rec, return_index=True)
        return RawRun(
            self.path,
            self.kind,
            list(self.paths),
            list(self.species),
            clip_rec[rows],
            col["row_species"].astype(np.int32),
            col["clip_start"][rows],
            col["clip_end"][rows],
            col["row_score"],
            np.bincount(pred_rec, minlength=len(self.paths)).astype(np.int64),
            values[np.argsort(first, kind="stable")].tolist(),
            name,
            provenance,
        )

    def _data(self, stream: JsonStream) -> dict[str, Any]:
        head: dict[str, Any] = {}
        for key in stream.keys():
            if key in head:
                raise NotStreamable(f"{key!r} twice")
            head[key] = None
            if key == "recordings":
                self._recordings(stream.value())
            elif key == "tags":
                if self.predictions_read:
                    raise NotStreamable("tags listed after the clip predictions")
                self._tags(stream.value())
            elif key in ("clips", "clip_predictions"):
                self.predictions_read |= key == "clip_predictions"
                step = self._clips if key == "clips" else self._predictions
                for chunk in stream.chunks(_ITEMS):
                    step(chunk)
                    if len(self.row_score) + len(self.clip_start) > _FLUSH:
                        self._flush()
                self._flush()
                if key == "clip_predictions":
                    self.clip_number = {}  # (the largest thing kept meanwhile)
            else:
                head[key] = stream.value()
        return head

    def _flush(self) -> None:
        """Check the numbers read since the last flush and keep them as arrays."""
        starts, ends = _floats(self.clip_start), _floats(self.clip_end)
        if (starts > ends).any():
            raise NotStreamable("a clip that ends before it starts")
        scores = _floats(self.row_score)
        if ((scores < 0) | (scores > 1)).any():
            raise NotStreamable("a score outside 0..1")
        done = self.done
        done["clip_start"].append(starts)
        done["clip_end"].append(ends)
        done["row_score"].append(scores)
        for name, kind in (
            ("clip_rec", np.int32),
            ("pred_clip", np.int64),
            ("row_clip", np.int64),
            ("row_species", np.int32),
        ):
            done[name].append(np.asarray(getattr(self, name), kind))
        for name in done:
            getattr(self, name).clear()

    def _header(self, top: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Validate everything but the big lists with soundevent; the run's name and provenance."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            try:
                doc = AOEFObject.model_validate(top)
            except ValidationError as exc:
                raise NotStreamable(str(exc)) from None
            if (
                doc.version != AOEF_VERSION
                or doc.data.collection_type != self.kind
                or any(getattr(doc.data, part, None) for part in _OTHER_PARTS)
            ):
                raise NotStreamable("another version, kind or layout")
            try:
                obj = to_soundevent(doc, audio_dir=self.folder)
            except Exception as exc:  # what soundevent refuses, it says in its words
                raise NotStreamable(str(exc)) from None
        return run_metadata(obj, self.path, self.kind)  # type: ignore[arg-type]

    def _recordings(self, items: Any) -> None:
        try:
            recordings = _RECORDINGS.validate_python(items)
        except ValidationError as exc:
            raise NotStreamable(str(exc)) from None
        for recording in recordings or []:
            key = str(recording.uuid)
            if key not in self.recording_of:  # the first of a uuid counts, as in soundevent
                path = str(self.folder / recording.path)
                self.recording_of[key] = self.paths.setdefault(path, len(self.paths))

    def _tags(self, items: Any) -> None:
        try:
            tags = _TAGS.validate_python(items)
        except ValidationError as exc:
            raise NotStreamable(str(exc)) from None
        for tag in tags or []:
            if tag.id not in self.tag_species:
                self.tag_species[tag.id] = self.species.setdefault(tag.value, len(self.species))

    def _clips(self, chunk: list[Any]) -> None:
        recording_of, numbers = self.recording_of, self.clip_number
        rec, start, end = self.clip_rec.append, self.clip_start.append, self.clip_end.append
        uuids: list[Any] = []
        try:
            for item in chunk:
                uuid = item["uuid"]
                rec(recording_of[item["recording"]])
                start(item["start_time"])
                end(item["end_time"])
                if item.get("features"):
                    _check_features(item["features"])
                if uuid not in numbers:  # the first of a uuid counts, as in soundevent
                    numbers[uuid] = self.clips_read + len(uuids)
                uuids.append(uuid)
        except (KeyError, TypeError, AttributeError):
            raise NotStreamable("a clip this reader does not follow") from None
        _check_uuids(uuids)
        self.clips_read += len(uuids)

    def _predictions(self, chunk: list[Any]) -> None:
        numbers, tag_species = self.clip_number, self.tag_species
        clips = self.pred_clip.append
        row_clip, row_species = self.row_clip.append, self.row_species.append
        row_score = self.row_score.append
        uuids: list[Any] = []
        try:
            for item in chunk:
                clip = numbers[item["clip"]]
                uuids.append(item["uuid"])
                clips(clip)
                if item.get("sound_events") or item.get("sequences"):
                    raise NotStreamable("sound event or sequence predictions")
                if item.get("features"):
                    _check_features(item["features"])
                tags = item.get("tags")
                if not tags:
                    continue
                if type(tags) is not list:
                    raise NotStreamable("tags that are not a list")
                for tag, score in tags:
                    species = tag_species.get(tag)
                    if species is None:
                        if type(tag) is not int:
                            raise NotStreamable("a tag id that is not a number")
                        float(score)  # left out (as soundevent does), but a number
                        continue
                    row_clip(clip)
                    row_species(species)
                    row_score(score)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise NotStreamable("a clip prediction this reader does not follow") from None
        _check_uuids(uuids)


def read_aoef_columns(
    path: str | Path, *, audio_dir: str | Path | None = None, streaming: bool = True
) -> RawRun:
    """Read a soundevent ``ModelRun`` or ``PredictionSet`` file into columns.

    Parameters
    ----------
    path
        The AOEF JSON file.
    audio_dir
        Folder relative recording paths are relative to (default: the
        file's folder).
    streaming
        False: read it with the object reader (tests compare the two).

    Raises
    ------
    ValueError
        If the file is not a readable model run or prediction set (the
        object reader's message, naming the file and the problem).
    """
    p = Path(path)
    folder = Path(audio_dir) if audio_dir is not None else p.parent
    kind = aoef_collection_type(p)
    if streaming and kind in KINDS and p.suffix == ".json":
        try:
            with open(p, "rb") as handle:
                return _Reader(p, kind, folder).read(JsonStream(handle))
        except (NotStreamable, OSError):
            pass  # the object reader reads it, or says what is wrong
    return raw_from_predictions(read_predictions(p, audio_dir=audio_dir))
