"""Saved classifiers: the round trip, no pickle, and clear errors for wrong files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.learn import (
    ModelFileError,
    cross_validate,
    fit_head,
    read_classifier,
    write_classifier,
)
from audioclass_gui.learn.model_file import FORMAT, ClassifierFile
from audioclass_gui.learn.train import BIRDNET_BASE


def small_model(dim: int = 16) -> ClassifierFile:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, dim)).astype(np.float32)
    labels = np.stack([np.arange(60) % 2, np.arange(60) % 3 == 0], 1).astype(np.int8)
    x[labels[:, 0] == 1, 0] += 3
    species = ["Turdus merula", "Parus major"]
    return ClassifierFile(
        head=fit_head(x, labels, species, threshold=0.6),
        base_model=dict(BIRDNET_BASE),
        common_names={"Turdus merula": "Eurasian Blackbird"},
        training={"verdicts": 60, "reviewers": {"ana": 40, "ben": 20}},
        cross_validation=cross_validate(x, labels, species),
    )


def test_round_trip_keeps_weights_and_provenance(tmp_path: Path) -> None:
    model = small_model()
    path = write_classifier(tmp_path / "birds", model)
    assert path.name == "birds.npz" and not list(tmp_path.glob(".*tmp"))
    back = read_classifier(path)
    for name in ("weights", "bias", "mean", "scale"):
        np.testing.assert_array_equal(getattr(back.head, name), getattr(model.head, name))
    assert back.species == ("Turdus merula", "Parus major") and back.head.threshold == 0.6
    assert back.base_model["key"] == "birdnet" and back.base_model["version"] == "2.4"
    assert back.training["reviewers"] == {"ana": 40, "ben": 20}
    assert [cv.to_json() for cv in back.cross_validation] == [
        cv.to_json() for cv in model.cross_validation
    ]
    assert back.created.startswith("20") and back.header["embedding_dim"] == 16
    assert back.common_names == {"Turdus merula": "Eurasian Blackbird"}
    x = np.random.default_rng(1).normal(size=(5, 16))
    np.testing.assert_array_equal(back.head.predict(x), model.head.predict(x))
    # Plain arrays only: numpy reads every member without pickle.
    with np.load(path, allow_pickle=False) as z:
        assert sorted(z.files) == ["bias", "header", "mean", "scale", "weights"]
        assert json.loads(z["header"].tobytes())["format"] == FORMAT


def rewrite(path: Path, **arrays: np.ndarray) -> None:
    with np.load(path, allow_pickle=False) as z:
        members = {k: z[k] for k in z.files}
    members.update(arrays)
    np.savez(path, **members)


def header_of(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as z:
        return json.loads(z["header"].tobytes())


def encoded(header: dict) -> np.ndarray:
    return np.frombuffer(json.dumps(header).encode(), np.uint8)


def test_wrong_files_are_named_with_the_problem(tmp_path: Path) -> None:
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match=r"notes\.npz: not an audioclass-gui classifier"):
        read_classifier(text)
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    with pytest.raises(ModelFileError, match=r"other\.npz: not an audioclass-gui classifier \(no header"):
        read_classifier(other)
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        read_classifier(tmp_path / "missing.npz")

    path = write_classifier(tmp_path / "m.npz", small_model())
    good = header_of(path)
    rewrite(path, header=encoded({**good, "format_version": 99}))
    with pytest.raises(ModelFileError, match=r"m\.npz: classifier format version 99"):
        read_classifier(path)
    rewrite(path, header=encoded({**good, "format": "something else"}))
    with pytest.raises(ModelFileError, match="unknown format"):
        read_classifier(path)
    rewrite(path, header=encoded(good), weights=np.zeros((2, 5), np.float32))
    with pytest.raises(ModelFileError, match=r"weights \(2, 5\) do not match 2 species x 16"):
        read_classifier(path)
    rewrite(path, weights=np.array([None, None], dtype=object))
    with pytest.raises(ModelFileError, match="m.npz"):
        read_classifier(path)  # a pickled member is refused, never unpickled


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    path = write_classifier(tmp_path / "m.npz", small_model())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=r"m\.npz"):
        read_classifier(path)
    assert zipfile.is_zipfile(io.BytesIO(data))
