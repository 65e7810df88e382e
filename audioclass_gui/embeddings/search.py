"""Search by example: the windows most like a query, by cosine similarity.

By default every row is scanned, block by block: each block of
float16 unit vectors is converted to float32 in a buffer and multiplied by
the query, and a running top k is kept, so memory stays at a few blocks
whatever the store's size (~2.5-5 s for 1.2 M x 1,024 on two cores).
With ``exact=False``, stores of :data:`INDEX_MIN_ROWS` rows or more go
through the reduced first pass of
:mod:`audioclass_gui.embeddings.first_pass`: every row scored within the
store's 128 leading directions (a float32 product over a quarter of the
data), and the best :data:`CANDIDATES_PER_K` x k rows (at least 4,096)
ranked by their exact similarity: ~0.2-0.4 s, but approximate, and on
the synthetic clustered data of ``benchmarks/embedding_search.py`` its
recall@100 against the exact scan is only 0.24-0.73, below the 0.95
wanted, hence not the default.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from audioclass_gui.embeddings.store import EmbeddingStore

__all__ = ["INDEX_MIN_ROWS", "SearchResult", "exact_scan", "search", "unit_query"]

#: With ``exact=False``, stores with at least this many rows are searched through the first-pass index.
INDEX_MIN_ROWS = 100_000
#: Rows converted and scored per block in exact scans (16 k x 1,024 x 4 B = 64 MB).
CHUNK_ROWS = 16_384
#: Candidates of the first pass ranked exactly, per row asked for ...
CANDIDATES_PER_K = 40
#: ... and at least.
MIN_CANDIDATES = 4096


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
    """Score every row of the store, block by block; the reference for :func:`search`.

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
    out = np.empty(len(rows), np.float32)
    for start in range(0, len(rows), CHUNK_ROWS):
        part = rows[start : start + CHUNK_ROWS]
        out[start : start + len(part)] = store.vectors(part, unit=True) @ q
    return out


def search(
    store: EmbeddingStore,
    query: np.ndarray,
    k: int = 100,
    exclude_rows: Iterable[int] | np.ndarray | None = None,
    *,
    exact: bool = True,
) -> SearchResult:
    """The ``k`` rows most similar to ``query`` (cosine similarity), best first.

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
        Scan every row (the default: exact, ~2.5-5 s on 1.2 M rows).
        False: for stores of :data:`INDEX_MIN_ROWS` rows or more, rank
        the candidates of the first-pass index (created or updated in the
        store's folder as needed) instead: faster, approximate.

    Returns
    -------
    SearchResult

    Raises
    ------
    ValueError
        If the query does not fit the store.
    """
    q = unit_query(query, store.dim)
    n = len(store)
    if k <= 0 or n == 0:
        return SearchResult(np.zeros(0, np.int64), np.zeros(0, np.float32))
    if exact or n < INDEX_MIN_ROWS:
        return exact_scan(store, q, k, exclude_rows)
    from audioclass_gui.embeddings.first_pass import FirstPassIndex

    index = FirstPassIndex.for_store(store)
    rough = index.scores(q)
    rough[_excluded(exclude_rows, n)] = -np.inf
    wanted = min(n, max(MIN_CANDIDATES, CANDIDATES_PER_K * k))
    first = np.argpartition(-rough, wanted - 1)[:wanted] if wanted < n else np.arange(n)
    first = np.sort(first[np.isfinite(rough[first])])
    rows, best = _top(first, _score_rows(store, first, q), k)
    return SearchResult(rows, best, scanned=len(first))
