"""A project's predictions as memory-mapped Arrow files, opened without parsing.

Reading a model run from AOEF JSON builds several Python objects per
detection (a minute and gigabytes for millions of them). A project therefore
reads each predictions file once and keeps its detections in an Arrow IPC
file (one per predictions file) in its state folder; later opens map that
file into memory and hand its columns to the review session as numpy views,
so opening costs the same whatever the number of detections.

Layout of one file (a single record batch, rows sorted by recording, start
time and descending score):

``recording``
    ``dictionary<int32, string>``: the recording's path, in the journal's
    path form (relative to the project root when inside it).
``species``
    ``dictionary<int32, string>``: the scientific name.
``start``, ``end``, ``score``
    ``float64``: the frame in seconds and the model's score.
``by_species``, ``species_scores``, ``recording_scores``
    The score index (:class:`ScoreIndex`): row numbers sorted by species
    then descending score, the scores in that order, and each recording's
    scores sorted descending within its rows. With the species' and
    recordings' row bounds (in the metadata) they count detections above
    any threshold, per species or per recording, by binary search: a
    threshold change over millions of detections reads a few pages.

The schema's metadata holds the format name, the model's name, the run's
provenance, common names, the problems met while reading the source, and
the source file's size and modification time: a file whose source changed
since is stale and is made again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from soundevent import data

from audioclass_gui.formats.atomic import atomic_write_path, remove_stale_temporaries
from audioclass_gui.review.keys import first_of_keys, milliseconds
from audioclass_gui.review.score_index import FileColumn, ScoreIndex

__all__ = [
    "FORMAT",
    "ScoreIndex",
    "StoredRun",
    "display_ordered",
    "read_stored_run",
    "run_from_predictions",
    "source_stamp",
    "store_file",
    "write_columns",
    "write_stored_run",
]

#: Written in every file's metadata; files of another format are made again.
FORMAT = "audioclass-gui/predictions/1"


@dataclass
class StoredRun:
    """The detections of one predictions file, as columns.

    Attributes
    ----------
    recordings : list of str
        Absolute paths; ``recording`` indexes this list.
    species : list of str
        Scientific names; ``species_index`` indexes this list.
    recording, species_index : numpy.ndarray of int32
    start, end, score : numpy.ndarray of float64
        Read-only views of the mapped file when read from one.
    model_name : str
    provenance : dict
    common_names : dict of str to str
    problems : list of str
        What was wrong with the source when it was read (kept, so that a
        later open still tells the user).
    index : ScoreIndex or None
        Read from a store file (None for a run made in memory).
    run : numpy.ndarray of int32 or None
        A file merging several runs (see
        :mod:`audioclass_gui.project.merged_store`): each row's index into
        ``runs``. None for a file of one run.
    runs : list of dict
        The merged runs' descriptions (their metadata), in ``run`` order.
    """

    recordings: list[str]
    species: list[str]
    recording: np.ndarray
    species_index: np.ndarray
    start: np.ndarray
    end: np.ndarray
    score: np.ndarray
    model_name: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)
    common_names: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    index: ScoreIndex | None = None
    run: np.ndarray | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.score)


def run_from_predictions(
    predictions: Sequence[data.ClipPrediction], **meta: Any
) -> StoredRun:
    """Columns of clip predictions (one row per predicted tag).

    ``meta`` fills :class:`StoredRun`'s model name, provenance, common names
    and problems.
    """
    recordings: dict[str, int] = {}
    species: dict[str, int] = {}
    rec: list[int] = []
    spc: list[int] = []
    start: list[float] = []
    end: list[float] = []
    score: list[float] = []
    for prediction in predictions:
        clip = prediction.clip
        r = recordings.setdefault(str(clip.recording.path), len(recordings))
        s, e = float(clip.start_time), float(clip.end_time)
        for predicted in prediction.tags:
            rec.append(r)
            spc.append(species.setdefault(str(predicted.tag.value), len(species)))
            start.append(s)
            end.append(e)
            score.append(float(predicted.score))
    return StoredRun(
        list(recordings),
        list(species),
        np.asarray(rec, np.int32),
        np.asarray(spc, np.int32),
        np.asarray(start, np.float64),
        np.asarray(end, np.float64),
        np.asarray(score, np.float64),
        **meta,
    )


def source_stamp(path: Path) -> list[int] | None:
    """Size and modification time (ns) of a source file; None if missing."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def store_file(folder: Path, source_key: str) -> Path:
    """The store file of a source (named by a hash of its journal path)."""
    digest = hashlib.sha1(source_key.encode()).hexdigest()[:20]
    return folder / f"{digest}.arrow"


def _recordings_ranked(run: StoredRun, rank: Callable[[str], Any]) -> StoredRun:
    """The same run with its recordings listed in ``rank`` order."""
    perm = sorted(range(len(run.recordings)), key=lambda i: rank(run.recordings[i]))
    if perm == list(range(len(perm))):
        return run
    new_index = np.empty(len(perm), np.int32)
    new_index[perm] = np.arange(len(perm), dtype=np.int32)
    return replace(
        run,
        recordings=[run.recordings[i] for i in perm],
        recording=new_index[run.recording],
    )


def _unique_rows(run: StoredRun) -> np.ndarray:
    """Rows in display order, each path key once (the best-scoring row of a key)."""
    start_ms, end_ms = milliseconds(run.start), milliseconds(run.end)
    by_key = np.lexsort((-run.score, run.species_index, end_ms, start_ms, run.recording))
    kept = by_key[
        first_of_keys(by_key, (run.recording, start_ms, end_ms, run.species_index))
    ]
    return kept[np.lexsort((-run.score[kept], run.start[kept], run.recording[kept]))]


def write_stored_run(
    target: Path,
    run: StoredRun,
    *,
    encode: Callable[[str], str],
    stamp: list[int] | None,
    rank: Callable[[str], Any] | None = None,
) -> None:
    """Write ``run`` to ``target`` atomically (sorted for display, each key once).

    Parameters
    ----------
    target
        The ``.arrow`` file (its folder is made).
    run
        The columns; recording paths are absolute.
    encode
        Absolute path -> the journal's path form.
    stamp
        :func:`source_stamp` of the source when it was read.
    rank
        Sort key of a recording's path: the file lists recordings in this
        order (default: by path), so that a reader whose recordings come in
        the same order finds the rows already in display order.
    """
    ordered = display_ordered(run, rank)
    meta = {
        "model_name": run.model_name,
        "provenance": run.provenance,
        "common_names": run.common_names,
        "problems": run.problems,
        "source_stamp": stamp,
    }
    remove_stale_temporaries(target)  # left by a write that was killed
    write_columns(
        target, replace(ordered, recordings=[encode(p) for p in ordered.recordings]), meta
    )


def display_ordered(
    run: StoredRun, rank: Callable[[str], Any] | None = None
) -> StoredRun:
    """The rows of ``run`` as a store file holds them: in display order, each key once.

    Recordings are listed in ``rank`` order (default: by path); rows are
    sorted by recording, start time and descending score, and of the rows
    of the same recording, frame and species only the best-scoring one is
    kept. :func:`write_stored_run` writes this; a project that cannot write
    its store adds it to the session as it is.
    """
    run = _recordings_ranked(run, rank or str)
    order = _unique_rows(run)
    return replace(
        run,
        recording=run.recording[order],
        species_index=run.species_index[order],
        start=run.start[order],
        end=run.end[order],
        score=run.score[order],
        run=None,
    )


def write_columns(target: Path, run: StoredRun, meta: dict[str, Any]) -> None:
    """Write columns already in display order (and unique) to ``target``, atomically.

    ``run.recordings`` are in the file's path form; ``meta`` is the
    metadata besides the format and the index bounds (computed here). A
    ``run.run`` column is written as ``run`` (a merged file).
    """
    import pyarrow as pa

    rec, spc, score = run.recording, run.species_index, run.score
    index = ScoreIndex.build(rec, spc, score, len(run.recordings), len(run.species))
    meta = {
        "format": FORMAT,
        **meta,
        "species_bounds": index.species_bounds.tolist(),
        "recording_bounds": index.recording_bounds.tolist(),
    }
    columns = {
        "recording": pa.DictionaryArray.from_arrays(
            pa.array(rec, pa.int32()), pa.array(run.recordings, pa.string())
        ),
        "species": pa.DictionaryArray.from_arrays(
            pa.array(spc, pa.int32()), pa.array(run.species, pa.string())
        ),
        "start": pa.array(run.start, pa.float64()),
        "end": pa.array(run.end, pa.float64()),
        "score": pa.array(score, pa.float64()),
        "by_species": pa.array(index.by_species, pa.int32()),
        "species_scores": pa.array(index.species_scores, pa.float64()),
        "recording_scores": pa.array(index.recording_scores, pa.float64()),
    }
    del index
    if run.run is not None:
        columns["run"] = pa.array(run.run, pa.int32())
    table = pa.table(columns).replace_schema_metadata(
        {"audioclass-gui": json.dumps(meta, default=str)}
    )
    with atomic_write_path(target) as tmp, pa.OSFile(str(tmp), "wb") as sink:
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=max(len(table), 1))


def _chunk(column: Any) -> Any:
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _view(array: Any, dtype: type) -> np.ndarray:
    """A numpy view of a primitive Arrow array's values (no copy, no pandas)."""
    if array.null_count:
        raise ValueError("missing values in a predictions store column")
    return np.frombuffer(
        array.buffers()[1],
        dtype=dtype,
        count=len(array),
        offset=array.offset * np.dtype(dtype).itemsize,
    )


def _on_disk(path: Path, base: int, array: Any) -> FileColumn:
    """A float64 column of a mapped file, to be read with pread (see FileColumn)."""
    if array.null_count:
        raise ValueError("missing values in a predictions store column")
    offset = array.buffers()[1].address - base + array.offset * 8
    return FileColumn(path, offset, len(array))


def read_stored_run(
    path: Path, *, decode: Callable[[str], str], stamp: list[int] | None
) -> StoredRun | None:
    """Map a store file; None when it is missing, unreadable or stale.

    Parameters
    ----------
    path
        The ``.arrow`` file.
    decode
        The journal's path form -> absolute path.
    stamp
        The source's :func:`source_stamp` now; a file made from another
        version of the source is stale. None (the source is gone): the
        stored predictions are used as they are.
    """
    import pyarrow as pa

    if not path.is_file():
        return None
    try:
        with pa.memory_map(str(path), "r") as source:
            source.seek(0)
            base = source.read_buffer(1).address if source.size() else 0
            table = pa.ipc.open_file(source).read_all()
        meta = json.loads(table.schema.metadata[b"audioclass-gui"])
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return None
    if stamp is not None and meta.get("source_stamp") != stamp:
        return None
    if table.num_rows == 0:
        return StoredRun([], [], *(np.empty(0, t) for t in (np.int32, np.int32)),
                         *(np.empty(0) for _ in range(3)),
                         model_name=meta.get("model_name", ""),
                         provenance=meta.get("provenance") or {},
                         common_names=meta.get("common_names") or {},
                         problems=meta.get("problems") or [])
    rec = _chunk(table.column("recording"))
    spc = _chunk(table.column("species"))
    index = ScoreIndex(
        _view(_chunk(table.column("by_species")), np.int32),
        _on_disk(path, base, _chunk(table.column("species_scores"))),
        np.asarray(meta["species_bounds"], np.int64),
        _on_disk(path, base, _chunk(table.column("recording_scores"))),
        np.asarray(meta["recording_bounds"], np.int64),
    )
    merged = None
    if "run" in table.column_names:
        merged = _view(_chunk(table.column("run")), np.int32)
    return StoredRun(
        [decode(p) for p in rec.dictionary.to_pylist()],
        spc.dictionary.to_pylist(),
        _view(rec.indices, np.int32),
        _view(spc.indices, np.int32),
        _view(_chunk(table.column("start")), np.float64),
        _view(_chunk(table.column("end")), np.float64),
        _view(_chunk(table.column("score")), np.float64),
        model_name=meta.get("model_name", ""),
        provenance=meta.get("provenance") or {},
        common_names=meta.get("common_names") or {},
        problems=meta.get("problems") or [],
        index=index,
        run=merged,
        runs=meta.get("runs") or [],
    )
