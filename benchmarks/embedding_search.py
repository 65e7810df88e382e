"""Embeddings at the scale of 1,000 hours: append, disk, search latency and recall.

Builds an embeddings store of ``--rows`` (default 1,200,000: 1,000 hours
of 3-s windows) ``--dim``-d vectors (default 1,024, BirdNET's) in
``--folder`` (default: a temporary folder, removed afterwards unless
``--keep``), appended one "recording" of 1,200 windows at a time, then
prints:

- append throughput (rows/s and MB/s, each append fsynced) and disk size
  (and per 1,000 hours of audio);
- float16 error: max |cos(float16) - cos(float32)| over pairs of stored
  rows;
- the first-pass index's one-off build time;
- search latency p50/p95 of the top 100 for ``--queries`` queries
  (stored rows, their own row excluded, and perturbed copies), how many
  rows each scored exactly, and recall@100 against an exact block scan of
  every row (:func:`exact_scan`);
- ratios against references measured in the same run: the time to read
  the vector files once (sequentially, warm cache) and the exact scan.

Synthetic clustered vectors: ``--clusters`` centres in a 96-d subspace of
the space (non-negative, as BirdNET's features are), each row a centre plus
within-cluster variation in that subspace plus isotropic noise carrying
``--noise`` of the row's energy (default 0.2). The first pass captures the
subspace; the noise is what its bound cannot see, so more noise means more
rows scored exactly (the result stays exact).

Usage: python benchmarks/embedding_search.py [--rows 1200000] [--dim 1024]
       [--queries 20] [--noise 0.2] [--folder DIR] [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from audioclass_gui.embeddings import EmbeddingStore, search
from audioclass_gui.embeddings.first_pass import FirstPassIndex
from audioclass_gui.embeddings.search import exact_scan

WINDOWS_PER_RECORDING = 1200  # one hour of 3-s windows
LATENT = 96


def make_generator(dim: int, clusters: int, noise: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    mixing = np.abs(rng.standard_normal((LATENT, dim))).astype(np.float32) / np.sqrt(LATENT)
    centres = rng.standard_normal((clusters, LATENT)).astype(np.float32)

    def rows(count: int) -> np.ndarray:
        which = rng.integers(0, clusters, count)
        latent = centres[which] + 0.5 * rng.standard_normal((count, LATENT), np.float32)
        signal = np.maximum(latent, 0) @ mixing  # non-negative, like BirdNET's
        signal /= np.linalg.norm(signal, axis=1, keepdims=True)
        iso = rng.standard_normal((count, dim), np.float32)
        iso /= np.linalg.norm(iso, axis=1, keepdims=True)
        return np.sqrt(1 - noise) * signal + np.sqrt(noise) * iso

    return rows


def build(store: EmbeddingStore, total: int, rows) -> tuple[float, float]:
    """Append ``total`` rows; returns (seconds appending, seconds generating)."""
    appending = generating = 0.0
    done = 0
    recording = 0
    while done < total:
        count = min(WINDOWS_PER_RECORDING, total - done)
        t0 = time.perf_counter()
        vectors = rows(count)
        starts = np.arange(count) * 3.0
        t1 = time.perf_counter()
        store.append(f"site{recording // 100:02d}/rec{recording:05d}.wav", starts, starts + 3.0, vectors)
        t2 = time.perf_counter()
        generating += t1 - t0
        appending += t2 - t1
        done += count
        recording += 1
    return appending, generating


def read_once(store: EmbeddingStore) -> float:
    """Seconds to read every vector file once, sequentially (the I/O reference)."""
    t0 = time.perf_counter()
    total = 0
    for path in sorted(store.folder.glob("vectors-*.f16")):
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 24):
                total += len(chunk)
    return time.perf_counter() - t0


def folder_bytes(folder: Path) -> tuple[int, int]:
    vectors = sum(p.stat().st_size for p in folder.glob("*-*.f*"))
    index = sum(p.stat().st_size for p in (folder / "index").glob("*"))
    return vectors + (folder / "manifest.jsonl").stat().st_size, index


def float16_error(store: EmbeddingStore, rows, pairs: int = 20000) -> float:
    """Max |cos| difference between float32 vectors and their stored float16 copies."""
    exact = rows(2 * pairs).astype(np.float32)
    exact /= np.linalg.norm(exact, axis=1, keepdims=True)
    half = exact.astype(np.float16).astype(np.float32)
    half /= np.linalg.norm(half, axis=1, keepdims=True)
    a = np.einsum("ij,ij->i", exact[:pairs], exact[pairs:])
    b = np.einsum("ij,ij->i", half[:pairs], half[pairs:])
    return float(np.abs(a - b).max())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_200_000)
    p.add_argument("--dim", type=int, default=1024)
    p.add_argument("--queries", type=int, default=20)
    p.add_argument("--clusters", type=int, default=2000)
    p.add_argument("--noise", type=float, default=0.2)
    p.add_argument("-k", type=int, default=100)
    p.add_argument("--folder", type=Path)
    p.add_argument("--keep", action="store_true", help="keep the store (reuse with --folder)")
    args = p.parse_args(argv)

    folder = args.folder or Path(tempfile.mkdtemp(prefix="embedding-bench-"))
    rows = make_generator(args.dim, args.clusters, args.noise)
    try:
        reuse = EmbeddingStore.exists(folder, "bench") and len(
            EmbeddingStore.open(folder, "bench")
        ) == args.rows
        store = EmbeddingStore.open(folder, "bench", dim=args.dim)
        if not reuse:
            appending, generating = build(store, args.rows, rows)
            mb = args.rows * args.dim * 2 / 1e6
            print(
                f"append: {args.rows:,} rows x {args.dim} in {appending:.1f} s "
                f"({args.rows / appending:,.0f} rows/s, {mb / appending:,.0f} MB/s fsynced; "
                f"generating them took {generating:.1f} s)"
            )
        else:
            print(f"reusing the store in {folder} ({len(store):,} rows)")
        store = EmbeddingStore.open(folder, "bench")
        t0 = time.perf_counter()
        FirstPassIndex.for_store(store)
        print(f"first-pass index: built in {time.perf_counter() - t0:.1f} s (once; later appends only add rows)")
        data_bytes, index_bytes = folder_bytes(store.folder)
        hours = args.rows * 3 / 3600
        print(
            f"disk: {data_bytes / 1e9:.2f} GB of vectors, norms, times and manifest "
            f"+ {index_bytes / 1e9:.2f} GB index = {(data_bytes + index_bytes) / 1e9 / hours * 1000:.2f} GB "
            f"per 1,000 hours of 3-s windows"
        )
        print(f"float16: max |cos(float16) - cos(float32)| over 20,000 pairs = {float16_error(store, rows):.2e}")

        read_once(store)  # warm the cache
        read = min(read_once(store) for _ in range(2))
        rng = np.random.default_rng(1)
        picks = rng.integers(0, len(store), args.queries)
        queries = []
        for i, row in enumerate(picks):
            q = store.vectors([row])[0]
            if i % 2:
                q = q + 0.3 * np.linalg.norm(q) * rng.standard_normal(args.dim).astype(np.float32) / np.sqrt(args.dim)
            queries.append((q, [int(row)]))
        search(store, queries[0][0], args.k, queries[0][1], exact=False)  # load the index pages
        latencies, recalls, scanned, scans, shortfalls = [], [], [], [], []
        for q, exclude in queries:
            t0 = time.perf_counter()
            found = search(store, q, args.k, exclude, exact=False)
            latencies.append(time.perf_counter() - t0)
            scanned.append(found.scanned)
            t0 = time.perf_counter()
            truth = exact_scan(store, q, args.k, exclude)
            scans.append(time.perf_counter() - t0)
            recalls.append(len(np.intersect1d(found.rows, truth.rows)) / max(1, len(truth.rows)))
            # How much less similar the k-th match found is than the true k-th.
            shortfalls.append(float(truth.similarities[-1] - found.similarities[-1]))
        p50, p95 = np.percentile(latencies, [50, 95])
        scan = float(np.median(scans))
        print(
            f"search top-{args.k} over {len(store):,} x {args.dim}: p50 {p50 * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms (target < 1,000 ms); rows scored exactly: "
            f"median {int(np.median(scanned)):,} ({np.median(scanned) / len(store):.2%})"
        )
        print(
            f"recall@{args.k} vs exact scan: min {min(recalls):.3f}, mean {np.mean(recalls):.3f}; "
            f"similarity of the {args.k}th match below the exact {args.k}th: max {max(shortfalls):.4f}"
        )
        print(
            f"reference: reading the vector files once {read * 1000:.0f} ms "
            f"(search p50 / read = {p50 / read:.2f}); exact block scan {scan * 1000:.0f} ms "
            f"(search p50 / scan = {p50 / scan:.3f})"
        )
    finally:
        if not args.keep and args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
