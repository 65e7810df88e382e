"""Recordings and prediction files of a project: finding them and reading them.

A folder project lists the audio files below its folder (hidden folders and
the project's own state folder skipped) and the prediction files there:

* soundevent ``ModelRun`` / ``PredictionSet`` JSON files (what
  ``audioclass-gui predict`` writes), and otherwise
* BirdNET-Analyzer result tables: per-recording Raven selection tables,
  else per-recording CSV tables, else a combined Raven table, else a
  combined CSV table (one kind only, so the same detections are not read
  twice from the tables BirdNET-Analyzer writes side by side).

Exported reviews (tables with a ``Verdict`` column, annotation projects)
are never picked up by themselves; import them explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from soundevent import data

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import AUDIO_EXTENSIONS, read_info, to_recording
from audioclass_gui.formats.aoef_import import aoef_collection_type
from audioclass_gui.formats.aoef_stream_read import map_recordings, read_aoef_columns
from audioclass_gui.formats.birdnet_columns import read_birdnet_columns
from audioclass_gui.formats.birdnet_results import sniff_table, table_stem
from audioclass_gui.formats.prediction_store import StoredRun

__all__ = [
    "PREDICTION_KINDS",
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
PREDICTION_KINDS = ("model_run", "prediction_set", "birdnet_raven", "birdnet_csv", "arrow")


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
    tables: dict[str, dict[Path, str]] = {
        "raven": {},
        "csv": {},
        "raven_all": {},
        "csv_all": {},
    }
    for path in _walk(folder, skip):
        if path.suffix.lower() not in (".json", ".txt", ".csv", ".arrow"):
            continue
        kind = known.get(str(path)) or sniff(path)
        if kind in ("model_run", "prediction_set", "arrow"):
            aoef[path] = kind
        elif kind in ("birdnet_raven", "birdnet_csv"):
            group = ("raven" if kind == "birdnet_raven" else "csv") + (
                "" if table_stem(path) else "_all"
            )
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
    for group in ("raven", "csv", "raven_all", "csv_all"):
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
    (:func:`~audioclass_gui.formats.birdnet_columns.read_birdnet_columns`):
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
    if kind in ("birdnet_raven", "birdnet_csv"):
        return read_birdnet_columns(
            path, recording_for=resolve, scientific_names=scientific_names
        )
    if kind not in ("model_run", "prediction_set"):
        raise ValueError(f"{path}: not a predictions file ({kind or 'unknown kind'})")
    return map_recordings(read_aoef_columns(path), resolve)
