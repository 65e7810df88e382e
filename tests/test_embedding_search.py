"""Search by example: exact against brute force, the first pass, memory, compute."""

from __future__ import annotations

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


@pytest.mark.parametrize("exact", [True, False])
def test_search_matches_brute_force(tmp_path: Path, exact: bool, monkeypatch) -> None:
    import importlib

    # Even a small store goes through the first pass when not exact.
    monkeypatch.setattr(importlib.import_module("audioclass_gui.embeddings.search"), "INDEX_MIN_ROWS", 0)
    x = clustered(3000, 48)
    store = filled(tmp_path, x)
    rng = np.random.default_rng(3)
    for row in rng.integers(0, len(x), 5):
        q = x[row] + 0.2 * rng.standard_normal(48).astype(np.float32)
        result = search(store, q, k=50, exclude_rows=[row], exact=exact)
        rows, sims = brute(x, q, 50, [row])
        assert row not in result.rows
        assert result.rows.tolist() == rows.tolist()
        np.testing.assert_allclose(result.similarities, sims, atol=1e-5)
        assert (np.diff(result.similarities) <= 0).all()
        assert result.scanned == (3000 if exact else 2999)  # small: all but the excluded row


def test_first_pass_ranks_candidates_and_grows_with_the_store(tmp_path: Path, monkeypatch) -> None:
    import importlib

    from audioclass_gui.embeddings import first_pass

    search_module = importlib.import_module("audioclass_gui.embeddings.search")

    monkeypatch.setattr(search_module, "INDEX_MIN_ROWS", 0)
    monkeypatch.setattr(search_module, "MIN_CANDIDATES", 300)
    monkeypatch.setattr(search_module, "CANDIDATES_PER_K", 3)
    monkeypatch.setattr(first_pass, "DEFAULT_RANK", 16)
    x = clustered(6000, 64, seed=1)
    store = filled(tmp_path, x[:5000])
    q = x[10]
    result = search(store, q, k=20, exact=False)
    assert result.scanned == 300
    truth = exact_scan(store, q, 20)
    assert len(np.intersect1d(result.rows, truth.rows)) >= 19  # clustered: the first pass finds them
    index = first_pass.FirstPassIndex.for_store(store)
    assert (index.rows, index.rank) == (5000, 16)
    proj_size = (index.folder / "proj.f32").stat().st_size
    for i in range(5000, 6000, 250):
        part = x[i : i + 250]
        store.append(f"late{i}.wav", np.arange(250.0), np.arange(250.0) + 3, part)
    found = search(store, x[5500], k=5, exclude_rows=[5500], exact=False)
    assert first_pass.FirstPassIndex.for_store(store).rows == 6000
    assert (index.folder / "proj.f32").stat().st_size == proj_size * 6000 // 5000
    assert found.rows.tolist() == exact_scan(store, x[5500], 5, [5500]).rows.tolist()


def test_exact_scan_memory_stays_at_a_few_blocks(tmp_path: Path) -> None:
    x = np.random.default_rng(2).standard_normal((40_000, 128)).astype(np.float32)
    store = filled(tmp_path, x, per=5000)
    store = EmbeddingStore.open(tmp_path, "m")
    size32 = x.nbytes  # 20 MB as float32
    tracemalloc.start()
    result = exact_scan(store, x[0], k=10, chunk_rows=1024, workers=2)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.rows[0] == 0
    assert peak < size32 / 8, peak  # blocks of 1,024 rows: ~0.5 MB each


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
