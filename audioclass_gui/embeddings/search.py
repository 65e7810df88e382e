"""Search by example: the windows most like a query, by cosine similarity.

Every search is a scan of every row, and exact. The store keeps unit
vectors as float16 (:mod:`audioclass_gui.embeddings.store`), so a dot
product is the cosine similarity; :func:`search` computes it for all
rows with NumKong's SIMD float16 kernels (``numkong.cdist``, AVX-512 /
AVX2 / NEON, float32 accumulation) straight from the memory-mapped
files, block by block, with no float32 copy of the data and no index to
build, update or keep in step with the store: about 0.1 s for 1.2 M
rows of 1,024 numbers when the files are in the page cache (bound by
memory bandwidth; one thread), and the time to read them once (2.4 GB)
when they are not (``benchmarks/embedding_search.py``).

The kernel takes both operands as float16, so the query is rounded to
float16 first; that moves each score by at most ``|q16 - q|`` (about
2.5e-4). Every row whose rounded score lies within twice that bound
(plus float32 summation error) of the running k-th best is kept as a
candidate, and the candidates are ranked by their float32 similarity
with the float32 query, exactly as :func:`exact_scan` computes it: the
result is the exact top k, not an approximation (the bound makes it
so; ``tests/test_embedding_search.py`` checks it against brute force).

:func:`exact_scan` is the plain numpy scan (float16 blocks converted to
float32 and multiplied by BLAS, 4-9 s for 1.2 M rows): the reference the
tests and the benchmark compare :func:`search` with.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from audioclass_gui.embeddings.store import EmbeddingStore

__all__ = ["SCAN_ROWS", "SearchResult", "exact_scan", "read_ahead", "search", "unit_query"]

#: Rows converted and scored per block in :func:`exact_scan` (16 k x 1,024 x 4 B = 64 MB).
CHUNK_ROWS = 16_384
#: Rows scored per kernel call in :func:`search` (64 k scores: 512 kB of float64).
SCAN_ROWS = 65_536


@dataclass(frozen=True)
class SearchResult:
    """The best matches of a query, best first.

    Attributes
    ----------
    rows : numpy.ndarray of int64
        Row numbers in the store.
    similarities : numpy.ndarray of float32
        Cosine similarity of each row with the query, decreasing.
    scanned : int
        Rows whose similarity was computed exactly (all, for a scan).
    """

    rows: np.ndarray
    similarities: np.ndarray
    scanned: int = 0

    def __len__(self) -> int:
        return len(self.rows)


def unit_query(query: np.ndarray, dim: int) -> np.ndarray:
    """A query vector at unit length, float32; several vectors are averaged first.

    Raises
    ------
    ValueError
        If its length is not ``dim``, or it is zero or not finite.
    """
    q = np.asarray(query, np.float32)
    if q.ndim == 2:
        q = q.mean(axis=0)
    if q.shape != (dim,):
        raise ValueError(f"the query has {q.shape[-1] if q.ndim else 0} numbers; the store's vectors {dim}")
    norm = float(np.linalg.norm(q))
    if not np.isfinite(norm) or norm == 0.0:
        raise ValueError("the query vector is zero or not finite")
    return q / norm


def _top(rows: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    if len(scores) > k:
        keep = np.argpartition(-scores, k - 1)[:k]
        rows, scores = rows[keep], scores[keep]
    order = np.lexsort((rows, -scores))  # ties: lower row first, for stable results
    return rows[order], scores[order]


def _excluded(exclude_rows: Iterable[int] | np.ndarray | None, n: int) -> np.ndarray:
    if exclude_rows is None:
        return np.zeros(0, np.int64)
    rows = np.asarray(list(exclude_rows) if not isinstance(exclude_rows, np.ndarray) else exclude_rows)
    rows = rows.astype(np.int64).reshape(-1)
    return rows[(rows >= 0) & (rows < n)]


def exact_scan(
    store: EmbeddingStore,
    query: np.ndarray,
    k: int = 100,
    exclude_rows: Iterable[int] | np.ndarray | None = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
    workers: int = 2,
) -> SearchResult:
    """Score every row of the store with numpy, block by block: the reference for :func:`search`.

    Each float16 block is converted to float32 and multiplied by BLAS (4-9 s
    for 1.2 M x 1,024 on two cores, most of it the conversion); the tests
    and ``benchmarks/embedding_search.py`` compare :func:`search` with it.

    ``workers`` threads convert and score blocks at once (numpy releases
    the GIL there); memory is about ``workers`` blocks of ``chunk_rows``
    float32 vectors.
    """
    q = unit_query(query, store.dim)
    excluded = _excluded(exclude_rows, len(store))
    blocks = [
        (start, min(first + count, start + chunk_rows))
        for first, count in store.segments()
        for start in range(first, first + count, chunk_rows)
    ]

    def score(block: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        start, stop = block
        values = np.asarray(store.unit_block(start, stop), np.float32) @ q
        rows = np.arange(start, stop, dtype=np.int64)
        if excluded.size:
            values[np.isin(rows, excluded)] = -np.inf
        return _top(rows, values, k)

    best_rows = np.zeros(0, np.int64)
    best = np.zeros(0, np.float32)
    with cf.ThreadPoolExecutor(max(1, workers)) as pool:
        # map() keeps at most a few blocks in flight at a time per worker.
        for rows, values in pool.map(score, blocks):
            best_rows, best = _top(
                np.concatenate([best_rows, rows]), np.concatenate([best, values]), k
            )
    keep = np.isfinite(best)
    return SearchResult(best_rows[keep], best[keep].astype(np.float32), scanned=len(store))


def _score_rows(store: EmbeddingStore, rows: np.ndarray, q: np.ndarray) -> np.ndarray:
    """float32 similarities of some rows with a unit float32 query, as :func:`exact_scan` computes them."""
    out = np.empty(len(rows), np.float32)
    for start in range(0, len(rows), CHUNK_ROWS):
        part = rows[start : start + CHUNK_ROWS]
        out[start : start + len(part)] = store.vectors(part, unit=True) @ q
    return out


def _half_query(q: np.ndarray) -> tuple[np.ndarray, float]:
    """The query as float16 (the kernel's operand type) and how far that can move a score.

    A stored unit vector ``x`` (float16, so ``|x| <= 1 + 2^-10``) scores
    ``q16 . x`` instead of ``q . x``: at most ``|q16 - q| |x|`` apart; both
    sums run in float32 over ``dim`` terms of total size at most
    ``|q| |x|``, adding at most ``dim * 2^-24`` each.
    """
    q16 = q.astype(np.float16)
    moved = float(np.linalg.norm(q16.astype(np.float64) - q.astype(np.float64)))
    return q16, moved * (1 + 2.0**-10) + 2 * len(q) * 2.0**-24


class _Candidates:
    """Rows that may still be among the best ``k``, with their float16-query scores.

    A row is dropped once its score is more than ``2 * slack`` below the
    k-th best score so far: its exact similarity is then below that of
    ``k`` other rows. The k-th best so far only rises, so nothing dropped
    could come back.
    """

    def __init__(self, k: int, slack: float) -> None:
        self.k = k
        self.margin = 2.0 * slack
        self.rows = np.zeros(0, np.int64)
        self.scores = np.zeros(0, np.float64)
        self.floor = -np.inf

    def _kth(self, scores: np.ndarray) -> float:
        return float(np.partition(scores, len(scores) - self.k)[len(scores) - self.k])

    def add(self, rows: np.ndarray, scores: np.ndarray) -> None:
        if len(scores) > self.k:
            self.floor = max(self.floor, self._kth(scores))
        keep = scores >= self.floor - self.margin
        self.rows = np.concatenate([self.rows, rows[keep]])
        self.scores = np.concatenate([self.scores, scores[keep]])
        if len(self.scores) > 2 * self.k:
            self.floor = max(self.floor, self._kth(self.scores))
            keep = self.scores >= self.floor - self.margin
            self.rows, self.scores = self.rows[keep], self.scores[keep]


def _simd_scan(
    store: EmbeddingStore, q: np.ndarray, k: int, excluded: np.ndarray, block_rows: int
) -> _Candidates:
    """Score every row with the float16 query (NumKong), keeping the candidates."""
    import numkong  # 90 ms to import: only when a search runs

    q16, slack = _half_query(q)
    q16 = q16[None, :]
    found = _Candidates(k, slack)
    excluded = np.sort(excluded)
    out = np.empty((1, block_rows), np.float64)
    for first, count in list(store.segments()):
        for start in range(first, first + count, block_rows):
            stop = min(first + count, start + block_rows)
            scores = out[:, : stop - start]
            numkong.cdist(q16, store.unit_block(start, stop), metric="dot", out=scores, threads=1)
            scores = scores[0]
            lo, hi = np.searchsorted(excluded, [start, stop])
            if hi > lo:
                scores[excluded[lo:hi] - start] = -np.inf
            found.add(np.arange(start, stop, dtype=np.int64), scores)
    finite = np.isfinite(found.scores)
    found.rows, found.scores = found.rows[finite], found.scores[finite]
    return found


def search(
    store: EmbeddingStore,
    query: np.ndarray,
    k: int = 100,
    exclude_rows: Iterable[int] | np.ndarray | None = None,
    *,
    exact: bool = True,
    block_rows: int = SCAN_ROWS,
) -> SearchResult:
    """The ``k`` rows most similar to ``query`` (cosine similarity), best first.

    Every row is scored (see the module docstring): ~0.1 s for 1.2 M
    rows of 1,024 numbers whose files are in the page cache, with memory
    for one block of scores and the candidates, whatever the store's size.

    Parameters
    ----------
    store
        The embeddings to search.
    query
        A vector of the store's length (a model's features for a window);
        a 2-d array of several is averaged first.
    k
        How many rows to return (fewer if the store holds fewer).
    exclude_rows
        Rows never to return (the query's own window...).
    exact
        Rank the candidates by their float32 similarity with the float32
        query (the default: the exact top k, as :func:`exact_scan` finds
        it). False skips that step and ranks by the float16 query's
        scores, which differ from the exact similarity by at most ~3e-4,
        so rows closer than that may swap places; it saves only reading
        the candidates' vectors again (~1 ms), and is kept for callers
        (``search --approximate``).
    block_rows
        Rows scored per kernel call.

    Returns
    -------
    SearchResult
        ``scanned`` is the number of rows scored: all of them.

    Raises
    ------
    ValueError
        If the query does not fit the store.
    """
    q = unit_query(query, store.dim)
    n = len(store)
    if k <= 0 or n == 0:
        return SearchResult(np.zeros(0, np.int64), np.zeros(0, np.float32))
    try:
        found = _simd_scan(store, q, k, _excluded(exclude_rows, n), max(1, int(block_rows)))
    except ImportError:  # numkong has no wheel for this platform: the same top k, slower
        return exact_scan(store, query, k, exclude_rows)
    order = np.argsort(found.rows, kind="stable")  # sorted reads of the vectors
    rows = found.rows[order]
    scores = _score_rows(store, rows, q) if exact else found.scores[order].astype(np.float32)
    rows, best = _top(rows, scores, k)
    return SearchResult(rows, best, scanned=n)


def read_ahead(store: EmbeddingStore, *, share_of_free: float = 0.5) -> int:
    """Ask the system to read the store's vectors into memory ahead of a search.

    A search reads every vector: over 1,000 hours that is 2.4 GB, ~0.1 s
    from the page cache but seconds from disk. Called when a project
    opens, this lets the first Find similar run at page-cache speed. It
    returns at once (the kernel reads in the background, ``posix_fadvise``
    ``WILLNEED``) and does nothing where that call does not exist
    (Windows, macOS) or when the vectors exceed ``share_of_free`` of the
    memory free now (they would only push other data out).

    Returns
    -------
    int
        Bytes asked for (0 when nothing was).
    """
    advise = getattr(os, "posix_fadvise", None)
    files = store.vector_files()
    total = sum(f.stat().st_size for f in files if f.exists())
    try:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        free = 0
    if advise is None or not total or total > share_of_free * free:
        return 0
    for path in files:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        finally:
            os.close(fd)
    return total
