"""Search by example: exact against brute force, near ties, appends, exclusions, memory, compute."""

from __future__ import annotations

import sys
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.embeddings import EmbeddingStore, search
from audioclass_gui.embeddings.compute import (
    EmbedProgress,
    NoFeaturesError,
    compute_embeddings,
)
from audioclass_gui.embeddings.search import exact_scan
from tests.embedding_fakes import BANDS, BandModel, tones


def clustered(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((20, dim))
    return (centres[rng.integers(0, 20, n)] + 0.7 * rng.standard_normal((n, dim))).astype(np.float32)


def filled(folder: Path, x: np.ndarray, per: int = 250) -> EmbeddingStore:
    store = EmbeddingStore.open(folder, "m", dim=x.shape[1])
    for i in range(0, len(x), per):
        part = x[i : i + per]
        store.append(f"r{i // per}.wav", np.arange(len(part)) * 3.0, np.arange(len(part)) * 3.0 + 3, part)
    return store


def brute(x: np.ndarray, q: np.ndarray, k: int, exclude=()) -> tuple[np.ndarray, np.ndarray]:
    half = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float16).astype(np.float32)
    sims = half @ (q / np.linalg.norm(q))
    sims[list(exclude)] = -np.inf
    order = np.argsort(-sims, kind="stable")[:k]
    return order, sims[order]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return len(np.intersect1d(found, truth)) / max(1, len(truth))


def test_search_matches_brute_force(tmp_path: Path) -> None:
    x = clustered(3000, 48)
    store = filled(tmp_path, x)
    rng = np.random.default_rng(3)
    for row in rng.integers(0, len(x), 5):
        q = x[row] + 0.2 * rng.standard_normal(48).astype(np.float32)
        rows, sims = brute(x, q, 50, [row])
        for result in (search(store, q, k=50, exclude_rows=[row]), exact_scan(store, q, 50, [row])):
            assert row not in result.rows
            assert result.rows.tolist() == rows.tolist()
            np.testing.assert_allclose(result.similarities, sims, atol=1e-5)
            assert (np.diff(result.similarities) <= 0).all()
            assert result.scanned == 3000


def test_search_is_exact_on_near_ties_across_blocks(tmp_path: Path) -> None:
    """Rows closer than the float16 query's error must still come out in exact order."""
    rng = np.random.default_rng(4)
    base = np.abs(rng.standard_normal(64)).astype(np.float32)
    # 3,000 rows within ~1e-4 of one another in similarity to ``base``, spread
    # over many blocks, among 3,000 unrelated ones; plus exact duplicates.
    near = base + 3e-3 * rng.standard_normal((3000, 64)).astype(np.float32)
    x = np.concatenate([rng.standard_normal((3000, 64)).astype(np.float32), near, near[:50]])
    x = x[rng.permutation(len(x))]
    store = filled(tmp_path, x)
    q = base + 1e-3 * rng.standard_normal(64).astype(np.float32)
    for k in (1, 100, 700):
        truth = exact_scan(store, q, k)
        found = search(store, q, k, block_rows=257)
        assert found.rows.tolist() == truth.rows.tolist() == brute(x, q, k)[0].tolist()
        np.testing.assert_array_equal(found.similarities, truth.similarities)
    approximate = search(store, q, 100, exact=False)
    truth = exact_scan(store, q, 100)
    # Near ties swap places; the scores stay within the float16 query's bound.
    assert (np.abs(approximate.similarities - truth.similarities) < 3e-4).all()


def test_float16_query_bound_holds(tmp_path: Path) -> None:
    from audioclass_gui.embeddings.search import _half_query

    rng = np.random.default_rng(5)
    x = np.abs(clustered(4000, 1024, seed=5))
    store = filled(tmp_path, x, per=1000)
    unit = store.vectors(slice(None), unit=True)
    numkong = pytest.importorskip("numkong")
    for _ in range(10):
        q = np.abs(rng.standard_normal(1024)).astype(np.float32)
        q /= np.linalg.norm(q)
        q16, slack = _half_query(q)
        rough = np.asarray(numkong.cdist(q16[None], store.unit_block(0, 4000), metric="dot"))[0]
        moved = np.abs(rough - (unit @ q)).max()
        assert 0 < moved <= slack < 1e-3


def test_search_recall_on_50k_clustered_vectors(tmp_path: Path) -> None:
    """Exact: the same top 100 as the numpy scan; without the rerank, recall >= 0.95."""
    x = np.abs(clustered(50_000, 128, seed=6))
    store = filled(tmp_path, x, per=2000)
    rng = np.random.default_rng(7)
    for row in rng.integers(0, len(x), 4):
        truth = exact_scan(store, x[row], 100, [row])
        found = search(store, x[row], 100, [row])
        assert found.rows.tolist() == truth.rows.tolist()
        assert recall(search(store, x[row], 100, [row], exact=False).rows, truth.rows) >= 0.95


def test_search_sees_appends_and_a_reader_never_reads_past_its_rows(tmp_path: Path) -> None:
    x = clustered(6000, 32, seed=1)
    store = filled(tmp_path, x[:5000])
    reader = EmbeddingStore.open(tmp_path, "m")  # opened before the appends below
    store.segment_rows = 5600  # the appends also start a new segment
    for i in range(5000, 6000, 250):
        store.append(f"late{i}.wav", np.arange(250.0), np.arange(250.0) + 3, x[i : i + 250])
    assert len(list(store.segments())) == 2
    q = x[5500]
    found = search(store, q, k=30, exclude_rows=[5500])
    assert found.rows.tolist() == brute(x, q, 30, [5500])[0].tolist()
    assert (found.rows >= 5000).any()
    # The reader's view is the store as it opened it: rows below 5,000 only.
    old = search(reader, q, k=30)
    assert old.rows.tolist() == brute(x[:5000], q, 30)[0].tolist()
    assert old.scanned == 5000


def test_excluded_rows_are_never_returned(tmp_path: Path) -> None:
    x = clustered(2000, 16, seed=8)
    store = filled(tmp_path, x)
    q = x[7]
    best = exact_scan(store, q, 300).rows
    # Excluding the 300 best (and rows out of range, ignored) gives the next ones.
    found = search(store, q, k=50, exclude_rows=np.concatenate([best, [-1, 10**9]]), block_rows=100)
    assert not set(found.rows.tolist()) & set(best.tolist())
    assert found.rows.tolist() == brute(x, q, 50, best)[0].tolist()
    everything_but_3 = [r for r in range(2000) if r not in (5, 900, 1999)]
    assert sorted(search(store, q, k=10, exclude_rows=everything_but_3).rows.tolist()) == [5, 900, 1999]
    assert len(search(store, q, k=10, exclude_rows=range(2000))) == 0


@pytest.mark.parametrize("scan", ["search", "exact_scan"])
def test_search_memory_stays_at_a_few_blocks(tmp_path: Path, scan: str) -> None:
    x = np.random.default_rng(2).standard_normal((100_000, 128)).astype(np.float32)
    store = filled(tmp_path, x, per=10_000)
    store = EmbeddingStore.open(tmp_path, "m")
    size32 = x.nbytes  # 51 MB as float32
    tracemalloc.start()
    if scan == "search":
        result = search(store, x[0], k=100, block_rows=4096)
    else:
        result = exact_scan(store, x[0], k=100, chunk_rows=1024, workers=2)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.rows[0] == 0
    assert peak < size32 / 20, peak  # blocks of a few thousand rows: well under 1 MB each


def test_query_checks(tmp_path: Path) -> None:
    store = filled(tmp_path, clustered(10, 8))
    with pytest.raises(ValueError, match="8"):
        search(store, np.ones(9))
    with pytest.raises(ValueError, match="zero"):
        search(store, np.zeros(8))
    two = search(store, np.stack([np.ones(8), -np.ones(8) + 2]), k=3)  # rows averaged
    assert len(two) == 3
    assert len(search(store, np.ones(8), k=100)) == 10


# --------------------------------------------------------------- compute


def recordings(folder: Path) -> list[Path]:
    folder.mkdir()
    return [
        tones(folder / "low.wav", [300, 320, 300, 2000]),
        tones(folder / "high.wav", [3000, 3100, 300]),
        tones(folder / "long.wav", [1000 + 100 * i for i in range(30)]),
    ]


def run_all(gen) -> list[EmbedProgress]:
    return list(gen)


def test_compute_stores_every_window_and_resumes(tmp_path: Path) -> None:
    paths = recordings(tmp_path / "audio")
    out = tmp_path / "emb"
    ticks = run_all(
        compute_embeddings(paths, out, "bands", factory=BandModel, workers=2, segment_seconds=10)
    )
    last = ticks[-1]
    assert (last.recordings_done, last.recordings_total, last.failures) == (3, 3, ())
    assert last.seconds_done == pytest.approx(last.seconds_total) == pytest.approx(37.0)
    assert [t.seconds_done for t in ticks] == sorted(t.seconds_done for t in ticks)
    store = EmbeddingStore.open(out, "bands")
    assert store.dim == BANDS and len(store) == 37
    assert sorted(store.recordings()) == sorted(str(p) for p in paths)
    rid = store.recordings().index(str(paths[2]))
    rec, start, end = store.rows()
    # The long recording, split into segments of 10 s, is whole and in order.
    assert start[rec == rid].tolist() == [float(i) for i in range(30)]
    direct = BandModel().process_array(
        __import__("soundfile").read(paths[2], dtype="float32")[0].reshape(30, 8000)
    ).features
    np.testing.assert_allclose(store.vectors(np.flatnonzero(rec == rid)), direct, rtol=2e-3, atol=2e-3)
    # A 300 Hz window finds the other 300 Hz windows first.
    low = store.lookup(str(paths[0]), [0.0])[0]
    found = search(store, store.vectors([low])[0], k=3, exclude_rows=[low])
    hits = {(store.recordings()[rec[r]], start[r]) for r in found.rows}
    assert hits == {(str(paths[0]), 2.0), (str(paths[0]), 1.0), (str(paths[1]), 2.0)}
    again = run_all(compute_embeddings(paths, out, "bands", factory=BandModel))
    assert (again[-1].skipped, again[-1].recordings_total) == (3, 0)
    assert len(EmbeddingStore.open(out, "bands")) == 37


def test_compute_reports_failures_and_goes_on(tmp_path: Path) -> None:
    paths = recordings(tmp_path / "audio")
    broken = tmp_path / "audio" / "broken.wav"
    broken.write_bytes(b"RIFF not really")
    clipped = tones(tmp_path / "audio" / "clipped.wav", [440, 440], peak=0.99)
    last = run_all(
        compute_embeddings([*paths, broken, clipped], tmp_path / "emb", "bands", factory=BandModel)
    )[-1]
    assert (last.recordings_done, last.recordings_total) == (5, 5)
    failed = dict(last.failures)
    assert set(failed) == {str(broken), str(clipped)}
    assert "broken.wav" in failed[str(broken)]
    assert "clipped input" in failed[str(clipped)] and "BandModel failed" in failed[str(clipped)]
    store = EmbeddingStore.open(tmp_path / "emb", "bands")
    assert not store.has_recording(str(clipped)) and len(store.recordings()) == 3


def test_compute_stops_when_cancelled_and_resumes_later(tmp_path: Path) -> None:
    paths = recordings(tmp_path / "audio")
    cancel = threading.Event()
    gen = compute_embeddings(paths, tmp_path / "emb", "bands", factory=BandModel, workers=1, cancel=cancel)
    first = next(gen)
    assert first.recordings_done == 0
    cancel.set()
    rest = list(gen)
    assert all(t.recordings_done < 3 for t in rest)
    # Closing a generator half-way also stops it; names give the store's paths.
    gen = compute_embeddings(paths, tmp_path / "emb", "bands", factory=BandModel, names=lambda p: p.name)
    next(gen)
    gen.close()
    last = run_all(compute_embeddings(paths, tmp_path / "emb", "bands", factory=BandModel, names=lambda p: p.name))[-1]
    assert last.recordings_done + last.skipped == 3
    assert sorted(EmbeddingStore.open(tmp_path / "emb", "bands").recordings())[-3:] == sorted(
        ["high.wav", "long.wav", "low.wav"]
    )


def test_a_model_without_features_is_refused(tmp_path: Path) -> None:
    class NoFeatures(BandModel):
        num_features = 0

        def process_array(self, array):
            out = super().process_array(array)
            return type(out)(out.class_probs, out.features[:, :0])

    paths = recordings(tmp_path / "audio")
    with pytest.raises(NoFeaturesError, match="no features"):
        run_all(compute_embeddings(paths[:1], tmp_path / "emb", "none", factory=NoFeatures))


def test_without_numkong_search_falls_back_to_the_numpy_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A platform without numkong's wheel still searches, with the same result."""
    rng = np.random.default_rng(3)
    store = EmbeddingStore.open(tmp_path, "m", dim=16)
    store.append("r.wav", np.arange(200.0), np.arange(200.0) + 3, rng.normal(size=(200, 16)))
    query = rng.normal(size=16)
    fast = search(store, query, 10, exclude_rows=[0])
    monkeypatch.setitem(sys.modules, "numkong", None)  # "import numkong" raises ImportError
    slow = search(store, query, 10, exclude_rows=[0])
    assert slow.rows.tolist() == fast.rows.tolist()
    np.testing.assert_allclose(slow.similarities, fast.similarities, atol=1e-6)


def test_read_ahead_asks_for_every_vector_file_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audioclass_gui.embeddings.search import read_ahead

    store = EmbeddingStore.open(tmp_path, "m", dim=16)
    store.append("r.wav", np.arange(50.0), np.arange(50.0) + 3, np.ones((50, 16)))
    advised: list[tuple[int, int]] = []
    monkeypatch.setattr(
        "os.posix_fadvise", lambda fd, off, n, how: advised.append((off, how)), raising=False
    )
    size = sum(f.stat().st_size for f in store.vector_files())
    assert read_ahead(store) == size == 50 * 16 * 2
    assert len(advised) == len(store.vector_files()) >= 1
    # More than the share of free memory given: nothing is asked for.
    advised.clear()
    assert read_ahead(store, share_of_free=0.0) == 0 and advised == []
