"""Recordings and prediction files of a project: finding them and reading them.

A folder project lists the audio files below its folder (hidden folders and
the project's own state folder skipped) and the prediction files there:

* soundevent ``ModelRun`` / ``PredictionSet`` JSON files (what
  ``audioclass-gui predict`` writes), and otherwise
* BirdNET-Analyzer result tables: per-recording Raven selection tables,
  else per-recording CSV tables, else per-recording Audacity label files,
  else a combined Raven table, else a combined CSV table (one kind only,
  so the same detections are not read twice from the tables
  BirdNET-Analyzer writes side by side). Raven tables without the columns
  of predictions (a Confidence...) are someone's annotations, not picked up.

Exported reviews (tables with a ``Verdict`` column, annotation projects)
are never picked up by themselves; import them explicitly.

A file that could not be read is remembered (:class:`FailedSources`) with
its size and modification time: later opens skip it, without saying the
same problem again, until the file changes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from soundevent import data

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import AUDIO_EXTENSIONS, read_info, to_recording
from audioclass_gui.formats.aoef_import import aoef_collection_type
from audioclass_gui.formats.aoef_stream_read import map_recordings, read_aoef_columns
from audioclass_gui.formats.atomic import atomic_write_text
from audioclass_gui.formats.birdnet_columns import read_birdnet_columns
from audioclass_gui.formats.birdnet_results import (
    TABLE_KINDS,
    sniff_table,
    table_missing_columns,
    table_stem,
)
from audioclass_gui.formats.prediction_store import StoredRun

__all__ = [
    "PREDICTION_KINDS",
    "FailedSources",
    "RecordingResolver",
    "SourceInfo",
    "discover_sources",
    "find_audio",
    "read_recording",
    "read_source",
    "sniff",
]

#: Kinds of prediction files a project reads ("arrow": a predictions store
#: file, see :mod:`audioclass_gui.formats.prediction_store`).
PREDICTION_KINDS = ("model_run", "prediction_set", *TABLE_KINDS, "arrow")
#: Name of the file, in a project's store folder, of the files that failed.
FAILED_NAME = "failed_sources.json"


@dataclass
class SourceInfo:
    """A predictions file attached to a project.

    Attributes
    ----------
    path : pathlib.Path
    kind : str
        One of :data:`PREDICTION_KINDS`.
    run : str
        The session's run key for its detections.
    model_name : str
    detections : int
        Detections it added (0 when missing or unreadable).
    problems : list of str
    """

    path: Path
    kind: str
    run: str
    model_name: str = ""
    detections: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file was read."""
        return not self.problems or self.detections > 0


def _walk(folder: Path, skip: Path | None) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder, followlinks=False):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and here / d != skip)
        for name in sorted(files):
            if not name.startswith("."):
                yield here / name


def find_audio(folder: Path, skip: Path | None = None) -> list[Path]:
    """Audio files below ``folder``, sorted (hidden files and folders skipped)."""
    return [p for p in _walk(folder, skip) if p.suffix.lower() in AUDIO_EXTENSIONS]


def sniff(path: Path) -> str | None:
    """The kind of a file: a prediction kind, ``annotation_project``, ``verdict_table`` or None."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return aoef_collection_type(path)
    if suffix == ".arrow":
        try:
            with open(path, "rb") as handle:
                return "arrow" if handle.read(6) == b"ARROW1" else None
        except OSError:
            return None
    return sniff_table(path)


def discover_sources(
    folder: Path, skip: Path | None = None, known: Mapping[str, str] | None = None
) -> dict[Path, str]:
    """Prediction files below ``folder`` to attach, by the rule in the module docstring.

    Parameters
    ----------
    folder
        Where to look (hidden files and folders are skipped).
    skip
        A folder not to look in (the project's own state).
    known
        Path (absolute, as text) -> kind of files already attached: taken as
        they are instead of being opened again, so that reopening a project
        of one table per recording does not read thousands of files.
    """
    known = known or {}
    aoef: dict[Path, str] = {}
    groups = ("raven", "csv", "audacity", "raven_all", "csv_all")
    tables: dict[str, dict[Path, str]] = {group: {} for group in groups}
    for path in _walk(folder, skip):
        if path.suffix.lower() not in (".json", ".txt", ".csv", ".arrow"):
            continue
        kind = known.get(str(path))
        if kind is None:
            kind = sniff(path)
            if kind in ("birdnet_raven", "birdnet_csv") and table_missing_columns(path):
                continue  # annotations (no scores), not predictions
        if kind in ("model_run", "prediction_set", "arrow"):
            aoef[path] = kind
        elif kind in TABLE_KINDS:
            group = kind.removeprefix("birdnet_")
            if kind != "birdnet_audacity" and not table_stem(path):
                group += "_all"
            tables[group][path] = kind
    if aoef:
        # predict --aoef writes both: read the store file, not the ModelRun beside it.
        return {
            path: kind
            for path, kind in aoef.items()
            if not (
                kind == "model_run"
                and path.with_name(
                    path.name.removesuffix(".model_run.json") + ".predictions.arrow"
                ).is_file()
            )
        }
    for group in groups:
        if tables[group]:
            return tables[group]
    return {}


def read_recording(
    path: str | os.PathLike[str],
) -> tuple[data.Recording, tuple[str, ...]]:
    """A recording's soundevent ``Recording`` (header only) and its warnings.

    Raises
    ------
    AudioFileError
        If the file is missing or not audio.
    """
    info = read_info(path)
    return to_recording(info), tuple(info.warnings)


def _name_of(text: str) -> str:
    return (PureWindowsPath(text) if "\\" in text else PurePosixPath(text)).name


class RecordingResolver:
    """Finds the project's recording for a path written in a predictions file.

    In order: the same path; where a recording that moved is now (its
    ``aliases``); a file of the same name among the project's recordings
    (files moved or analysed on another computer), else of the same name as
    a recording that moved; the same stem (per-recording tables named after
    their recording); the file itself, added to the project, if it exists
    and is audio.

    Paths in ``held`` (recordings whose content changed, while predictions
    written before the change are read) resolve to nothing but their alias,
    and block the name and stem matches they would take part in; the paths
    asked for and refused are collected in ``refused``.
    """

    def __init__(
        self,
        recordings: Callable[[], list[data.Recording]],
        add: Callable[[data.Recording], int],
        index: Callable[[str], int | None],
    ) -> None:
        self._recordings = recordings
        self._add = add
        self._index = index
        #: Old path -> the path of the same recording now.
        self.aliases: dict[str, str] = {}
        #: Paths that must not be matched now.
        self.held: set[str] = set()
        #: Held paths asked for since this set was last cleared.
        self.refused: set[str] = set()

    def _at(self, path: str) -> data.Recording | None:
        index = self._index(path)
        return None if index is None else self._recordings()[index]

    def _alias_by(self, part: Callable[[str], str], value: str) -> data.Recording | None:
        """The recording now of the one moved recording whose old name matches."""
        hits = {new for old, new in self.aliases.items() if part(old) == value}
        return self._at(hits.pop()) if len(hits) == 1 else None

    def _unique(
        self, known: list[data.Recording], part: Callable[[str], str], value: str
    ) -> data.Recording | None | bool:
        """The one recording matching by name or stem; False: a held path matches."""
        blocked = [h for h in self.held if part(h) == value]
        if blocked:
            self.refused.update(blocked)
            return False
        hits = [r for r in known if part(str(r.path)) == value]
        return hits[0] if len(hits) == 1 else None

    def __call__(self, text: str) -> data.Recording | None:
        if not text:
            return None
        if text in self.held:
            self.refused.add(text)
            alias = self.aliases.get(text)
            return None if alias is None else self._at(alias)
        found = self._at(text)
        if found is not None:
            return found
        if text in self.aliases:
            return self._at(self.aliases[text])
        known = self._recordings()
        name = _name_of(text)
        for part in (_name_of, _stem_of):
            match = self._unique(known, part, name)
            if match is False:
                return None
            if match is not None:
                return match  # type: ignore[return-value]
            match = self._alias_by(part, name) if self.aliases else None
            if match is not None:
                return match
        path = Path(text)
        if (
            path.is_absolute()
            and path.is_file()
            and path.suffix.lower() in AUDIO_EXTENSIONS
        ):
            try:
                recording, _warnings = read_recording(path)
            except AudioFileError:
                return None
            index = self._add(recording)
            return self._recordings()[index]
        return None


def _stem_of(text: str) -> str:
    return Path(_name_of(text)).stem


def read_source(
    path: Path,
    kind: str,
    resolve: RecordingResolver,
    *,
    scientific_names: Mapping[str, str] | None = None,
) -> StoredRun:
    """Read a predictions file into columns, with its recordings mapped onto the project's.

    Model runs and prediction sets are streamed
    (:func:`~audioclass_gui.formats.aoef_stream_read.read_aoef_columns`),
    BirdNET-Analyzer tables read row by row
    (:func:`~audioclass_gui.formats.birdnet_columns.read_birdnet_columns`,
    Raven, CSV and Audacity):
    no object per prediction, whatever the file's size. Predictions of
    recordings the project cannot find are dropped and reported in
    ``problems``.

    Returns
    -------
    StoredRun
        The rows, recording paths absolute (the project's recordings),
        with the file's model name, provenance, common names and problems.

    Raises
    ------
    ValueError
        If the file is not of a readable kind.
    OSError
        If it cannot be read.
    """
    if kind in TABLE_KINDS:
        return read_birdnet_columns(
            path, recording_for=resolve, scientific_names=scientific_names
        )
    if kind not in ("model_run", "prediction_set"):
        raise ValueError(f"{path}: not a predictions file ({kind or 'unknown kind'})")
    return map_recordings(read_aoef_columns(path), resolve)


class FailedSources:
    """Predictions files that could not be read, remembered across opens.

    A file that failed (not a predictions file, a column missing, broken
    JSON...) fails the same way at every open until it changes, so its
    problem is said once: :meth:`problem` gives the remembered problem of a
    file whose size and modification time are still those it had when it
    failed, and the caller then skips it (keeping the problem with the
    source, off the list said at opening). The record is a small JSON file
    in the project's store folder (:data:`FAILED_NAME`).

    Parameters
    ----------
    folder
        The project's store folder.
    """

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FAILED_NAME
        self._entries: dict[str, dict[str, Any]] | None = None

    def _read(self) -> dict[str, dict[str, Any]]:
        if self._entries is None:
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}
            self._entries = loaded if isinstance(loaded, dict) else {}
        return self._entries

    def problem(self, key: str, stamp: list[int] | None) -> str | None:
        """The problem a file had, if it failed before and has not changed since.

        ``key`` names the source (its journal path); ``stamp`` is its
        current ``[size, mtime_ns]`` (see ``source_stamp``).
        """
        entry = self._read().get(key)
        if stamp is None or not isinstance(entry, dict) or entry.get("stamp") != stamp:
            return None
        problem = entry.get("problem")
        return problem if isinstance(problem, str) else None

    def remember(self, key: str, stamp: list[int] | None, problem: str) -> None:
        """Remember that a file failed (nothing is remembered without a stamp)."""
        if stamp is None:
            return
        entries = self._read()
        entries[key] = {"stamp": list(stamp), "problem": problem}
        self._write(entries)

    def forget(self, key: str) -> None:
        """Forget a file's failure (it was read, or detached)."""
        entries = self._read()
        if entries.pop(key, None) is not None:
            self._write(entries)

    def _write(self, entries: dict[str, dict[str, Any]]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, json.dumps(entries, indent=1, sort_keys=True))
        except OSError:
            pass  # a read-only project says the problem again next time
