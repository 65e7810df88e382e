"""Per-model embeddings of a project's windows, on disk, appended per recording.

Layout of one store (``<embeddings folder>/<model key>/``)::

    store.json            dim, dtype, format (written once, atomically)
    manifest.jsonl        one line per appended recording: its path, segment,
                          first row and row count (fsynced; the commit point)
    vectors-0000.f16      unit vectors, float16, row-major, raw little-endian
    norms-0000.f32        each vector's norm before it was made unit length
    times-0000.f64        (start, end) of each row's window, seconds

Why this shape. Appends must never rewrite what is stored (1.2 M windows
of BirdNET's 1,024-d features are 2.4 GB): each append writes the new
rows at the end of the current segment files, fsyncs them, and only then
appends its line to the manifest (fsynced too). The manifest line is the
commit: a crash before it leaves bytes past the committed end that readers
never look at and the next writer cuts off; a crash in the middle of it
leaves a torn last line that is ignored and cut off the same way. Raw
files (their shape is in the manifest) rather than ``.npy`` because an
``.npy`` header holds the row count and would have to be rewritten on
every append; they are memory-mapped exactly like an ``.npy``
(``np.memmap``). Segments roll over every :data:`SEGMENT_ROWS` rows (1 GB
of vectors) so that no file grows past what every file system holds. The
row index (recording, start, end) is small (20 bytes a row) and read into
RAM on open; :meth:`EmbeddingStore.to_arrow` gives it as an Arrow table.

Vectors are stored at unit length (so that a dot product is the cosine
similarity, with no per-query normalisation of millions of rows), with
their norms beside them, so :meth:`EmbeddingStore.vectors` gives back the
model's own vectors (for classifiers) and ``unit=True`` gives the unit
ones (for search). float16 keeps a relative error of at most 2^-11 per
component; the cosine similarity of two stored unit vectors differs from
the float32 one by less than 2e-3 (measured: see
``tests/test_embedding_store.py`` and ``benchmarks/embedding_search.py``).

One program writes a store at a time (the project's lock covers it);
any number may read.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audioclass_gui.formats.atomic import atomic_write_text, fsync_dir

__all__ = [
    "FORMAT",
    "SEGMENT_ROWS",
    "EmbeddingStore",
    "EmbeddingStoreError",
    "embeddings_folder",
    "model_folder",
]

#: Version of the on-disk layout.
FORMAT = 1
#: Rows per segment file (1 GB of 1,024-d float16 vectors).
SEGMENT_ROWS = 1 << 19
#: Name of the embeddings folder inside a project's state folder or a predict output.
FOLDER_NAME = "embeddings"

_VECTOR_DTYPE = np.dtype("<f2")
_NORM_DTYPE = np.dtype("<f4")
_TIME_DTYPE = np.dtype("<f8")


class EmbeddingStoreError(ValueError):
    """A store's files do not fit together, or an append does not fit the store."""


def embeddings_folder(project_state_dir: str | os.PathLike[str]) -> Path:
    """Where a project's (or a predict output's) embedding stores live.

    ``<state>/embeddings/`` where ``<state>`` is a folder project's
    ``.audioclass-gui/`` folder, a project file's ``<stem>.store`` sibling
    folder's parent... in short, the folder given; one sub-folder per model
    (see :func:`model_folder`). ``predict --embeddings`` passes its
    output folder, so the stores sit beside the predictions files.
    """
    return Path(project_state_dir) / FOLDER_NAME


def model_folder(folder: str | os.PathLike[str], model_key: str) -> Path:
    """The store folder of one model inside an embeddings folder (the key made file-safe)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model_key).strip("-.") or "model"
    return Path(folder) / slug


@dataclass(frozen=True)
class _Entry:
    recording: str
    segment: int
    first: int  # row within the segment
    rows: int


class _Column:
    """A growing array (capacity doubles), so appends cost what they add."""

    def __init__(self, dtype: type, shape: tuple[int, ...]) -> None:
        self._data = np.zeros((0, *shape), dtype)
        self._size = 0

    def extend(self, values: np.ndarray) -> None:
        need = self._size + len(values)
        if need > len(self._data):
            grown = np.zeros((max(need, 2 * len(self._data), 1024), *self._data.shape[1:]), self._data.dtype)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : need] = values
        self._size = need

    def values(self) -> np.ndarray:
        return self._data[: self._size]

    def __len__(self) -> int:
        return self._size


def _fsync(handle) -> None:
    handle.flush()
    os.fsync(handle.fileno())


class EmbeddingStore:
    """Embeddings of windows of recordings, for one model, on disk.

    Do not construct directly: use :meth:`open`. Rows are numbered from 0
    in the order they were appended; row numbers never change.

    Attributes
    ----------
    folder : pathlib.Path
        The store's own folder (``<embeddings folder>/<model key>``).
    model_key : str
        The model whose features these are.
    dim : int
        Length of every vector.
    """

    def __init__(self, folder: Path, model_key: str, dim: int) -> None:
        self.folder = folder
        self.model_key = model_key
        self.dim = int(dim)
        self._entries: list[_Entry] = []
        self._recordings: list[str] = []
        self._recording_ids: dict[str, int] = {}
        self._rec_index = _Column(np.int32, ())
        self._times = _Column(np.float64, (2,))
        self._segment_rows: list[int] = []
        self._manifest_bytes = 0
        #: Rows after which a new segment starts (see :data:`SEGMENT_ROWS`).
        self.segment_rows = SEGMENT_ROWS
        self._maps: dict[tuple[str, int], np.memmap] = {}

    # ------------------------------------------------------------- opening

    @classmethod
    def open(
        cls, folder: str | os.PathLike[str], model_key: str, dim: int | None = None
    ) -> EmbeddingStore:
        """Open the store of ``model_key`` in an embeddings folder, creating it if absent.

        Parameters
        ----------
        folder
            The embeddings folder (see :func:`embeddings_folder`); the
            store is its sub-folder for the model.
        model_key
            The model (registry key, e.g. ``"birdnet"``).
        dim
            Length of the vectors: needed to create a store, checked
            against an existing one.

        Raises
        ------
        EmbeddingStoreError
            If the store does not exist and ``dim`` is None, if ``dim``
            differs from the stored one, or if its files are unreadable.
        """
        path = model_folder(folder, model_key)
        meta_path = path / "store.json"
        if meta_path.is_file():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                stored_dim = int(meta["dim"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise EmbeddingStoreError(f"{meta_path}: not an embeddings store ({exc})") from None
            if meta.get("format", FORMAT) > FORMAT:
                raise EmbeddingStoreError(
                    f"{meta_path}: written by a newer audioclass-gui (format {meta['format']})"
                )
            if dim is not None and int(dim) != stored_dim:
                raise EmbeddingStoreError(
                    f"{path}: holds {stored_dim}-d embeddings of {model_key}, not {dim}-d"
                )
            store = cls(path, str(meta.get("model_key", model_key)), stored_dim)
            store._load()
            return store
        if dim is None or int(dim) <= 0:
            raise EmbeddingStoreError(f"{path}: no embeddings of {model_key} stored yet")
        path.mkdir(parents=True, exist_ok=True)
        atomic_write_text(
            meta_path,
            json.dumps(
                {
                    "format": FORMAT,
                    "model_key": model_key,
                    "dim": int(dim),
                    "dtype": "float16",
                    "unit_vectors": True,
                }
            )
            + "\n",
        )
        fsync_dir(path)
        return cls(path, model_key, int(dim))

    @classmethod
    def exists(cls, folder: str | os.PathLike[str], model_key: str) -> bool:
        """Whether the store of ``model_key`` exists in an embeddings folder."""
        return (model_folder(folder, model_key) / "store.json").is_file()

    def _load(self) -> None:
        manifest = self.folder / "manifest.jsonl"
        try:
            raw = manifest.read_bytes()
        except FileNotFoundError:
            raw = b""
        position = 0
        for line in raw.split(b"\n")[:-1]:  # what follows the last newline is torn
            try:
                item = json.loads(line)
                entry = _Entry(str(item["r"]), int(item["s"]), int(item["f"]), int(item["n"]))
            except (ValueError, KeyError, TypeError):
                break
            if not self._files_hold(entry):
                break
            self._add(entry)
            position += len(line) + 1
        # Everything after this was never committed; the next append cuts it off.
        self._manifest_bytes = position
        for e in self._entries:
            self._times.extend(
                np.fromfile(
                    self._path("times", e.segment),
                    dtype=_TIME_DTYPE,
                    count=2 * e.rows,
                    offset=2 * e.first * _TIME_DTYPE.itemsize,
                ).reshape(-1, 2)
            )

    def _files_hold(self, entry: _Entry) -> bool:
        end = entry.first + entry.rows
        return all(
            self._path(kind, entry.segment).is_file()
            and self._path(kind, entry.segment).stat().st_size >= end * size
            for kind, size in self._row_bytes().items()
        )

    def _row_bytes(self) -> dict[str, int]:
        return {
            "vectors": self.dim * _VECTOR_DTYPE.itemsize,
            "norms": _NORM_DTYPE.itemsize,
            "times": 2 * _TIME_DTYPE.itemsize,
        }

    def _path(self, kind: str, segment: int) -> Path:
        suffix = {"vectors": "f16", "norms": "f32", "times": "f64"}[kind]
        return self.folder / f"{kind}-{segment:04d}.{suffix}"

    def _add(self, entry: _Entry) -> None:
        rid = self._recording_ids.get(entry.recording)
        if rid is None:
            rid = self._recording_ids[entry.recording] = len(self._recordings)
            self._recordings.append(entry.recording)
        self._entries.append(entry)
        while len(self._segment_rows) <= entry.segment:
            self._segment_rows.append(0)
        self._segment_rows[entry.segment] = entry.first + entry.rows
        self._rec_index.extend(np.full(entry.rows, rid, np.int32))

    # ------------------------------------------------------------- reading

    def __len__(self) -> int:
        return len(self._rec_index)

    def __repr__(self) -> str:
        return f"EmbeddingStore({str(self.folder)!r}, {len(self)} rows x {self.dim})"

    def recordings(self) -> list[str]:
        """Paths of the recordings with rows, as given to :meth:`append`, in order."""
        return list(self._recordings)

    def has_recording(self, path: str) -> bool:
        """Whether rows of ``path`` are stored (to resume a run)."""
        return str(path) in self._recording_ids

    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every row's recording (index into :meth:`recordings`), start and end.

        Returns
        -------
        recording_index : numpy.ndarray of int32
        start, end : numpy.ndarray of float64
            Seconds; read-only views aligned with the vectors.
        """
        rec = self._rec_index.values().view()
        times = self._times.values().view()
        rec.flags.writeable = False
        times.flags.writeable = False
        return rec, times[:, 0], times[:, 1]

    def to_arrow(self):
        """The row index as an Arrow table: ``recording`` (dictionary), ``start``, ``end``."""
        import pyarrow as pa

        rec, start, end = self.rows()
        recording = pa.DictionaryArray.from_arrays(
            pa.array(rec, pa.int32()), pa.array(self._recordings, pa.string())
        )
        return pa.table({"recording": recording, "start": start, "end": end})

    def segments(self) -> Iterator[tuple[int, int]]:
        """``(first row, row count)`` of each segment, in row order (for chunked scans)."""
        first = 0
        for rows in self._segment_rows:
            yield first, rows
            first += rows

    def vector_files(self) -> list[Path]:
        """The files of the unit vectors, one per segment (what a search reads)."""
        return [self._path("vectors", i) for i in range(len(self._segment_rows))]

    def _map(self, kind: str, segment: int) -> np.ndarray:
        rows = self._segment_rows[segment]
        cached = self._maps.get((kind, segment))
        if cached is not None and len(cached) >= rows:
            return cached[:rows]
        dtype, width = {
            "vectors": (_VECTOR_DTYPE, self.dim),
            "norms": (_NORM_DTYPE, 1),
            "times": (_TIME_DTYPE, 2),
        }[kind]
        m = np.memmap(self._path(kind, segment), dtype=dtype, mode="r", shape=(rows, width))
        self._maps[(kind, segment)] = m
        return m

    def _segment_starts(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self._segment_rows)]).astype(np.int64)

    def unit_block(self, start: int, stop: int) -> np.ndarray:
        """Rows ``[start, stop)`` of one segment as stored (float16 unit vectors, memory-mapped).

        For chunked scans: the block must lie in one segment (see :meth:`segments`).
        """
        starts = self._segment_starts()
        segment = int(np.searchsorted(starts, start, side="right")) - 1
        if stop > starts[segment + 1]:
            raise ValueError("a block must lie within one segment")
        offset = start - int(starts[segment])
        return self._map("vectors", segment)[offset : offset + (stop - start)]

    def vectors(self, rows: np.ndarray | slice, *, unit: bool = False) -> np.ndarray:
        """float32 copies of some rows' vectors.

        Parameters
        ----------
        rows
            Row numbers (any order, repeats allowed) or a slice.
        unit
            Give the stored unit vectors; by default each is scaled back
            by its norm, giving the model's own features (to float16
            precision).

        Returns
        -------
        numpy.ndarray
            ``(len(rows), dim)`` float32.
        """
        index = np.arange(len(self))[rows] if isinstance(rows, slice) else np.asarray(rows)
        index = index.astype(np.int64, copy=False).reshape(-1)
        if index.size and (index.min() < 0 or index.max() >= len(self)):
            raise IndexError(f"row out of range: the store has {len(self)} rows")
        out = np.empty((index.size, self.dim), np.float32)
        norms = np.empty(index.size, np.float32)
        starts = self._segment_starts()
        segment = np.searchsorted(starts, index, side="right") - 1
        for seg in np.unique(segment):
            where = np.flatnonzero(segment == seg)
            local = index[where] - starts[seg]
            order = np.argsort(local, kind="stable")  # sorted reads: sequential pages
            vec = self._map("vectors", int(seg))
            out[where[order]] = vec[local[order]]
            if not unit:
                norms[where] = self._map("norms", int(seg))[local, 0]
        if not unit:
            out *= norms[:, None]
        return out

    def lookup(
        self, recording: str, starts: np.ndarray, tolerance: float = 0.05
    ) -> np.ndarray:
        """Row numbers of the windows of ``recording`` starting at ``starts``.

        Parameters
        ----------
        recording
            As given to :meth:`append`.
        starts
            Window start times, seconds.
        tolerance
            Largest difference of start times still taken as the same window.

        Returns
        -------
        numpy.ndarray of int64
            The nearest row for each start, -1 where none is within ``tolerance``.
        """
        starts = np.atleast_1d(np.asarray(starts, np.float64))
        out = np.full(starts.shape, -1, np.int64)
        rid = self._recording_ids.get(str(recording))
        if rid is None or not starts.size:
            return out
        candidates = np.flatnonzero(self._rec_index.values() == rid)
        times = self._times.values()[candidates, 0]
        order = np.argsort(times, kind="stable")
        sorted_times, sorted_rows = times[order], candidates[order]
        pos = np.searchsorted(sorted_times, starts)
        best = np.full(starts.shape, np.inf)
        for shift in (-1, 0):
            i = np.clip(pos + shift, 0, len(sorted_times) - 1)
            gap = np.abs(sorted_times[i] - starts)
            better = (gap < best) & (gap <= tolerance)
            out[better] = sorted_rows[i[better]]
            best = np.where(better, gap, best)
        return out

    # ------------------------------------------------------------- writing

    def append(
        self,
        recording: str,
        starts: np.ndarray,
        ends: np.ndarray,
        vectors: np.ndarray,
    ) -> None:
        """Add the windows of one recording, durably and all at once.

        The rows are written at the end of the segment files and flushed
        to disk, then committed by one fsynced manifest line: after a crash
        the store holds either all of them or none.

        Parameters
        ----------
        recording
            The recording's path (any string; a project passes its own
            relative form).
        starts, ends
            Each window's start and end, seconds.
        vectors
            ``(len(starts), dim)``: the model's features (any float type).

        Raises
        ------
        EmbeddingStoreError
            If the shapes do not fit, or a vector is not finite.
        """
        starts = np.asarray(starts, np.float64).reshape(-1)
        ends = np.asarray(ends, np.float64).reshape(-1)
        vectors = np.asarray(vectors, np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise EmbeddingStoreError(
                f"{recording}: vectors of shape {vectors.shape} do not fit a "
                f"{self.dim}-d store ({self.folder})"
            )
        if not len(starts) == len(ends) == len(vectors):
            raise EmbeddingStoreError(
                f"{recording}: {len(starts)} starts, {len(ends)} ends and {len(vectors)} vectors"
            )
        if not np.isfinite(vectors).all():
            raise EmbeddingStoreError(f"{recording}: the model returned non-finite features")
        norms = np.linalg.norm(vectors, axis=1).astype(np.float32)
        unit = vectors / np.where(norms > 0, norms, 1.0)[:, None]
        times = np.stack([starts, ends], axis=1)
        # A recording's rows stay in one segment: a new one starts when the
        # current one would pass SEGMENT_ROWS (a longer recording gets its own).
        segment = max(0, len(self._segment_rows) - 1)
        first = self._segment_rows[segment] if self._segment_rows else 0
        if first and first + len(vectors) > self.segment_rows:
            segment, first = segment + 1, 0
        self._write_rows(segment, first, unit, norms, times)
        entry = _Entry(str(recording), segment, first, len(vectors))
        self._commit(entry)
        self._add(entry)
        self._times.extend(times)

    def _write_rows(
        self, segment: int, first: int, unit: np.ndarray, norms: np.ndarray, times: np.ndarray
    ) -> None:
        for kind, values in (
            ("vectors", unit.astype(_VECTOR_DTYPE)),
            ("norms", norms.astype(_NORM_DTYPE)),
            ("times", times.astype(_TIME_DTYPE)),
        ):
            path = self._path(kind, segment)
            offset = first * self._row_bytes()[kind]
            with open(path, "ab") as handle:
                if handle.tell() != offset:
                    # Bytes past the committed end: an append that crashed before its commit.
                    handle.truncate(offset)
                    handle.seek(offset)
                handle.write(np.ascontiguousarray(values).tobytes())
                _fsync(handle)
            self._maps.pop((kind, segment), None)

    def _commit(self, entry: _Entry) -> None:
        manifest = self.folder / "manifest.jsonl"
        line = json.dumps(
            {"r": entry.recording, "s": entry.segment, "f": entry.first, "n": entry.rows},
            ensure_ascii=False,
        )
        data = line.encode("utf-8") + b"\n"
        with open(manifest, "ab") as handle:
            if handle.tell() != self._manifest_bytes:
                # A torn or uncommitted tail from a crash: cut it off first.
                handle.truncate(self._manifest_bytes)
            handle.write(data)
            _fsync(handle)
        if not self._manifest_bytes:
            fsync_dir(self.folder)
        self._manifest_bytes += len(data)
