"""The embeddings store: round trip, resume, crash safety, lookup, float16 error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.embeddings import (
    EmbeddingStore,
    EmbeddingStoreError,
    embeddings_folder,
)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BIRDS = SHARED_DATA / "birds_10s.wav"


def windows(n: int, dim: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    starts = np.arange(n) * 3.0
    return starts, starts + 3.0, rng.standard_normal((n, dim)).astype(np.float32) * 5


def test_round_trip_survives_reopening(tmp_path: Path) -> None:
    folder = embeddings_folder(tmp_path / ".audioclass-gui")
    store = EmbeddingStore.open(folder, "birdnet", dim=8)
    a = windows(5, 8, 1)
    b = windows(3, 8, 2)
    store.append("site/a.wav", *a)
    store.append("b.flac", *b)
    again = EmbeddingStore.open(folder, "birdnet")
    assert (again.dim, len(again), again.recordings()) == (8, 8, ["site/a.wav", "b.flac"])
    rec, start, end = again.rows()
    assert rec.tolist() == [0] * 5 + [1] * 3
    assert start.tolist() == a[0].tolist() + b[0].tolist()
    assert end.tolist() == a[1].tolist() + b[1].tolist()
    expected = np.concatenate([a[2], b[2]])
    got = again.vectors(slice(None))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=2e-3, atol=2e-3 * np.abs(expected).max())
    unit = again.vectors([6, 0], unit=True)
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1.0, atol=1e-3)
    np.testing.assert_allclose(
        unit[0], expected[6] / np.linalg.norm(expected[6]), atol=1e-3
    )
    table = again.to_arrow()
    assert table.column("recording").to_pylist()[4:6] == ["site/a.wav", "b.flac"]


def test_dim_is_checked_and_a_missing_store_needs_one(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingStoreError, match="no embeddings of birdnet"):
        EmbeddingStore.open(tmp_path, "birdnet")
    store = EmbeddingStore.open(tmp_path, "birdnet", dim=4)
    with pytest.raises(EmbeddingStoreError, match="4-d"):
        EmbeddingStore.open(tmp_path, "birdnet", dim=8)
    with pytest.raises(EmbeddingStoreError, match="do not fit"):
        store.append("x.wav", *windows(2, 5))
    bad = windows(2, 4)
    bad[2][1, 0] = np.nan
    with pytest.raises(EmbeddingStoreError, match="non-finite"):
        store.append("x.wav", *bad)
    assert len(EmbeddingStore.open(tmp_path, "birdnet")) == 0


def test_models_have_separate_stores(tmp_path: Path) -> None:
    EmbeddingStore.open(tmp_path, "birdnet", dim=4).append("a.wav", *windows(2, 4))
    other = EmbeddingStore.open(tmp_path, "my/plugin", dim=6)
    assert len(other) == 0 and other.folder.parent == tmp_path
    assert not other.has_recording("a.wav")
    assert EmbeddingStore.open(tmp_path, "birdnet").has_recording("a.wav")


def test_segments_roll_over_and_appends_do_not_rewrite(tmp_path: Path) -> None:
    store = EmbeddingStore.open(tmp_path, "m", dim=4)
    store.segment_rows = 10
    for i in range(5):
        store.append(f"{i}.wav", *windows(4, 4, i))
        if i == 1:
            first_bytes = (store.folder / "vectors-0000.f16").read_bytes()
    # 4 + 4 rows fill segment 0 up to 8; the third recording starts segment 1.
    assert list(EmbeddingStore.open(tmp_path, "m").segments()) == [(0, 8), (8, 8), (16, 4)]
    assert (store.folder / "vectors-0000.f16").read_bytes() == first_bytes
    again = EmbeddingStore.open(tmp_path, "m")
    expected = np.concatenate([windows(4, 4, i)[2] for i in range(5)])
    np.testing.assert_allclose(again.vectors(np.arange(20)[::-1]), expected[::-1], rtol=2e-3, atol=1e-2)
    blocks = [again.unit_block(f, f + n) for f, n in again.segments()]
    assert sum(len(b) for b in blocks) == 20
    with pytest.raises(ValueError, match="one segment"):
        again.unit_block(6, 10)


def test_lookup_finds_nearest_window_within_tolerance(tmp_path: Path) -> None:
    store = EmbeddingStore.open(tmp_path, "m", dim=4)
    store.append("a.wav", *windows(4, 4))
    store.append("b.wav", *windows(4, 4))
    found = store.lookup("b.wav", np.array([9.0, 3.04, 3.1, 0.0, 10.5]))
    assert found.tolist() == [7, 5, -1, 4, -1]
    assert store.lookup("nope.wav", [0.0]).tolist() == [-1]


CRASH = r"""
import os, sys
import numpy as np
from audioclass_gui.embeddings import store as s
folder, step = sys.argv[1], sys.argv[2]
st = s.EmbeddingStore.open(folder, "m", dim=4)
real = s.EmbeddingStore._commit if step == "before-commit" else None
if step == "before-commit":
    s.EmbeddingStore._commit = lambda self, entry: os._exit(9)
elif step == "after-vectors":
    write = s.EmbeddingStore._write_rows
    def half(self, segment, first, unit, norms, times):
        path = self._path("vectors", segment)
        with open(path, "ab") as h:
            h.write(unit.astype("<f2").tobytes())
            h.flush()
        os._exit(9)
    s.EmbeddingStore._write_rows = half
elif step == "torn-manifest":
    def torn(self, entry):
        with open(self.folder / "manifest.jsonl", "ab") as h:
            h.write(b'{"r": "second.wav", "s": 0, "f"')
        os._exit(9)
    s.EmbeddingStore._commit = torn
st.append("second.wav", np.arange(3.0), np.arange(3.0) + 1, np.ones((3, 4)))
"""


@pytest.mark.parametrize("step", ["after-vectors", "before-commit", "torn-manifest"])
def test_a_crash_mid_append_leaves_the_store_readable_and_appendable(
    tmp_path: Path, step: str
) -> None:
    store = EmbeddingStore.open(tmp_path, "m", dim=4)
    first = windows(5, 4)
    store.append("first.wav", *first)
    run = subprocess.run([sys.executable, "-c", CRASH, str(tmp_path), step], capture_output=True, text=True)
    assert run.returncode == 9, run.stderr
    after = EmbeddingStore.open(tmp_path, "m")
    # The crashed append is absent, the earlier one whole: resume redoes "second.wav".
    assert (len(after), after.recordings()) == (5, ["first.wav"])
    assert not after.has_recording("second.wav")
    after.append("second.wav", *windows(2, 4, 3))
    after.append("third.wav", *windows(1, 4, 4))
    final = EmbeddingStore.open(tmp_path, "m")
    assert final.recordings() == ["first.wav", "second.wav", "third.wav"]
    np.testing.assert_allclose(final.vectors([5, 6]), windows(2, 4, 3)[2], rtol=2e-3, atol=1e-2)
    np.testing.assert_allclose(final.vectors([7]), windows(1, 4, 4)[2], rtol=2e-3, atol=1e-2)
    assert final.rows()[1][5:].tolist() == [0.0, 3.0, 0.0]
    lines = (final.folder / "manifest.jsonl").read_text().splitlines()
    assert [json.loads(line)["r"] for line in lines] == ["first.wav", "second.wav", "third.wav"]


def test_float16_cosine_error_on_random_vectors(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((400, 1024)).astype(np.float32)
    x[200:] += 3 * x[:200]  # similar pairs too, not only near-orthogonal ones
    store = EmbeddingStore.open(tmp_path, "m", dim=1024)
    store.append("r.wav", np.arange(400.0), np.arange(400.0) + 3, x)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    stored = store.vectors(slice(None), unit=True)
    exact = unit[:200] @ unit[200:].T
    half = stored[:200] @ stored[200:].T
    assert np.abs(exact - half).max() < 1e-3


def test_float16_cosine_error_on_birdnet_embeddings(tmp_path: Path) -> None:
    if not BIRDS.is_file():
        pytest.skip(f"test recording {BIRDS} not present")
    from audioclass_gui.audio.info import read_info, to_recording
    from audioclass_gui.models import iter_predictions
    from audioclass_gui.models.birdnet import BirdNET

    model = BirdNET(num_threads=2, batch_size=8)
    recording = to_recording(read_info(BIRDS))
    feats = []
    for step in iter_predictions(model, recording, model_settings(), with_features=True):
        feats += [[f.value for f in p.features] for p in step.predictions]
    x = np.asarray(feats, np.float32)
    assert x.shape[1] == 1024 and len(x) >= 10
    store = EmbeddingStore.open(tmp_path, "birdnet", dim=1024)
    store.append("birds_10s.wav", np.arange(len(x)), np.arange(len(x)) + 3.0, x)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    stored = store.vectors(slice(None), unit=True)
    error = np.abs(unit @ unit.T - stored @ stored.T).max()
    assert error < 1e-3, error
    np.testing.assert_allclose(store.vectors(slice(None)), x, rtol=1e-2, atol=1e-2 * np.abs(x).max())


def model_settings():
    from audioclass_gui.models.settings import RunSettings

    return RunSettings(overlap_seconds=2.5)  # 15 windows over 10 s
