"""A reduced first pass for search: the store's vectors in a few principal directions.

Scanning 1.2 M float16 vectors of 1,024 numbers (2.4 GB) takes ~2.5 s on
two cores, most of it in numpy's float16 to float32 conversion. This
index keeps, for every row ``x`` (a unit vector), its coordinates
``P^T x`` in the ``rank`` leading directions ``P`` of the store's vectors
(float32, 512 bytes a row at rank 128: a quarter of the vectors' size).
For a unit query ``q``, ``(P^T q) . (P^T x)`` is the cosine similarity
less the part in the directions left out; with a float32 matrix-vector
product (BLAS) over that file, the search
(:func:`audioclass_gui.embeddings.search.search`) takes the rows scoring
best there as candidates and ranks them by their exact similarity. The
result is approximate: a row whose similarity lies mostly outside ``P``
can be missed. ``benchmarks/embedding_search.py`` measures recall@100
against an exact scan.

Files (in ``<store>/index/``, derived data: deleting them is safe)::

    basis.npy     P, (dim, rank) float32, fitted once on a sample of rows
    proj.f32      P^T x per row, raw (rows, rank) float32
    meta.json     rows covered, rank, rows when fitted (written last, atomically)

The index is brought up to date (new rows projected and appended, never
rewritten) before each search that uses it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from audioclass_gui.embeddings.store import EmbeddingStore
from audioclass_gui.formats.atomic import atomic_write_text

__all__ = ["DEFAULT_RANK", "FirstPassIndex"]

#: Directions kept (at 1,024-d: 8x fewer numbers per row than the vectors).
DEFAULT_RANK = 128
#: Rows sampled to fit the directions.
FIT_ROWS = 20_000
#: Rows projected per block while updating.
_BLOCK = 16_384


class FirstPassIndex:
    """The reduced first pass of one store (see the module docstring).

    Use :meth:`for_store`, which creates or updates it.

    Attributes
    ----------
    basis : numpy.ndarray
        ``(dim, rank)`` orthonormal columns.
    rows : int
        Rows of the store covered.
    """

    def __init__(self, folder: Path, basis: np.ndarray, rows: int, fitted: int) -> None:
        self.folder = folder
        self.basis = basis
        self.rows = rows
        self.fitted = fitted

    @property
    def rank(self) -> int:
        """Number of directions kept."""
        return int(self.basis.shape[1])

    @classmethod
    def for_store(cls, store: EmbeddingStore, rank: int | None = None) -> FirstPassIndex:
        """The store's index, created or brought up to date (appends only the new rows).

        ``rank``: directions kept when it is created (default :data:`DEFAULT_RANK`).
        """
        folder = store.folder / "index"
        meta_path = folder / "meta.json"
        index = None
        if meta_path.is_file():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                basis = np.load(folder / "basis.npy")
                fitted = int(meta.get("fitted", meta["rows"]))
                # Refit when the store has grown well past a small fitting sample.
                stale = fitted < FIT_ROWS and len(store) > 4 * max(fitted, 1)
                if basis.shape[0] == store.dim and int(meta["rows"]) <= len(store) and not stale:
                    index = cls(folder, basis.astype(np.float32), int(meta["rows"]), fitted)
            except (OSError, ValueError, KeyError, TypeError):
                index = None
        if index is None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "proj.f32").unlink(missing_ok=True)
            basis = _fit_basis(store, min(rank or DEFAULT_RANK, store.dim))
            np.save(folder / "basis.npy", basis)
            index = cls(folder, basis, 0, len(store))
            index._write_meta()
        index._extend(store)
        return index

    def _write_meta(self) -> None:
        atomic_write_text(
            self.folder / "meta.json",
            json.dumps({"rows": self.rows, "rank": self.rank, "fitted": self.fitted}) + "\n",
        )

    def _extend(self, store: EmbeddingStore) -> None:
        if self.rows >= len(store):
            return
        width = self.rank * 4
        with open(self.folder / "proj.f32", "ab") as handle:
            # Cut what a crashed update wrote past the covered rows.
            handle.truncate(self.rows * width)
            handle.seek(self.rows * width)
            for first, count in store.segments():
                lo, hi = max(first, self.rows), first + count
                for start in range(lo, hi, _BLOCK):
                    block = np.asarray(store.unit_block(start, min(hi, start + _BLOCK)), np.float32)
                    handle.write(np.ascontiguousarray(block @ self.basis, "<f4").tobytes())
            handle.flush()
            os.fsync(handle.fileno())
        self.rows = len(store)
        self._write_meta()

    def projections(self) -> np.ndarray:
        """``(rows, rank)`` float32, memory-mapped."""
        return np.memmap(
            self.folder / "proj.f32", dtype="<f4", mode="r", shape=(self.rows, self.rank)
        )

    def scores(self, query: np.ndarray, block: int = 1 << 18) -> np.ndarray:
        """Every row's similarity with a unit ``query`` within the kept directions."""
        coords = (query @ self.basis).astype(np.float32)
        proj = self.projections()
        out = np.empty(self.rows, np.float32)
        for start in range(0, self.rows, block):
            np.dot(proj[start : start + block], coords, out=out[start : start + block])
        return out


def _fit_basis(store: EmbeddingStore, rank: int) -> np.ndarray:
    """The leading right singular vectors of a sample of the unit vectors (uncentred)."""
    count = min(len(store), FIT_ROWS)
    rows = np.unique(np.linspace(0, len(store) - 1, count).astype(np.int64))
    sample = store.vectors(rows, unit=True)
    _, _, vt = np.linalg.svd(sample, full_matrices=False)
    basis = np.zeros((store.dim, rank), np.float32)
    kept = min(rank, vt.shape[0])
    basis[:, :kept] = vt[:kept].T
    return basis
