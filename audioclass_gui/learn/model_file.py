"""A trained classifier on disk: numpy arrays plus a JSON header, no pickle.

The file is a ``.npz`` (a zip of ``.npy`` arrays, read with
``allow_pickle=False`` so that loading someone else's file runs no code):

================  ==========================================================
``header``        uint8: UTF-8 JSON (see below)
``weights``       float32 ``(species, dim)``: one logistic regression per row
``bias``          float32 ``(species,)``
``mean``          float32 ``(dim,)``: standardisation of the embeddings
``scale``         float32 ``(dim,)``
================  ==========================================================

The header holds ``format`` (``"audioclass-gui classifier"``) and
``format_version``, ``species`` (scientific names, in row order) and
``common_names``, ``base_model`` (``key``, ``name``, ``version``: the model
whose embeddings it reads, BirdNET 2.4), ``embedding_dim``, ``threshold``,
``classifier`` (type and settings), ``training`` (examples per species,
verdicts, boxes, reviewers, recordings), ``cross_validation`` (per species:
folds, counts, precision and recall with 95 % intervals), ``created`` (UTC,
ISO 8601) and ``app``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from audioclass_gui.learn.classifier import CrossValidation, LinearHead

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ClassifierFile",
    "ModelFileError",
    "read_classifier",
    "write_classifier",
]

#: The ``format`` of the header.
FORMAT = "audioclass-gui classifier"
#: Version of the layout; files of a later version are refused.
FORMAT_VERSION = 1
_ARRAYS = ("weights", "bias", "mean", "scale")


class ModelFileError(ValueError):
    """A file is not a classifier this version can read; the message names it."""


@dataclass(frozen=True)
class ClassifierFile:
    """A trained classifier and where it came from.

    Attributes
    ----------
    head : LinearHead
        The weights.
    base_model : dict
        ``key``, ``name`` and ``version`` of the model giving the embeddings.
    common_names : dict of str to str
        Scientific -> common name, where known.
    training : dict
        What it was trained on (see
        :meth:`~audioclass_gui.learn.training_set.TrainingSummary.to_json`).
    cross_validation : list of CrossValidation
        Held-out figures per species.
    created : str
        UTC time of training, ISO 8601.
    header : dict
        The whole header as read (other keys are kept here).
    """

    head: LinearHead
    base_model: dict[str, Any]
    common_names: dict[str, str] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    cross_validation: list[CrossValidation] = field(default_factory=list)
    created: str = ""
    header: dict[str, Any] = field(default_factory=dict)

    @property
    def species(self) -> tuple[str, ...]:
        """The species, in output order."""
        return self.head.species

    def make_header(self) -> dict[str, Any]:
        """The JSON header for this classifier."""
        from audioclass_gui import __version__

        created = self.created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        return {
            **self.header,
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "species": list(self.head.species),
            "common_names": dict(self.common_names),
            "base_model": dict(self.base_model),
            "embedding_dim": self.head.dim,
            "threshold": self.head.threshold,
            "classifier": {
                "type": "logistic regression per species (scikit-learn), "
                "standardised inputs, balanced class weights",
                **self.header.get("classifier", {}),
            },
            "training": dict(self.training),
            "cross_validation": {cv.species: cv.to_json() for cv in self.cross_validation},
            "created": created,
            "app": f"audioclass-gui {__version__}",
        }


def write_classifier(path: str | os.PathLike[str], model: ClassifierFile) -> Path:
    """Write a classifier file atomically (a temporary file, then a rename).

    Returns the path written (``.npz`` appended when missing, as numpy does).
    """
    target = Path(path)
    if target.suffix.lower() != ".npz":
        target = target.with_name(target.name + ".npz")
    header = json.dumps(model.make_header(), ensure_ascii=False, indent=1).encode("utf-8")
    tmp = target.with_name(f".{target.name}.tmp")
    head = model.head
    with open(tmp, "wb") as f:
        np.savez(
            f,
            header=np.frombuffer(header, np.uint8),
            weights=np.asarray(head.weights, np.float32),
            bias=np.asarray(head.bias, np.float32),
            mean=np.asarray(head.mean, np.float32),
            scale=np.asarray(head.scale, np.float32),
        )
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    return target


def _fail(path: Path, problem: str) -> ModelFileError:
    return ModelFileError(f"{path}: {problem}")


def read_classifier(path: str | os.PathLike[str]) -> ClassifierFile:
    """Read a classifier file written by :func:`write_classifier`.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ModelFileError
        If it is not a classifier file, is damaged, or is of a later format
        version; the message names the file and the problem.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: classifier file not found")
    try:
        with np.load(p, allow_pickle=False) as z:
            names = set(z.files)
            if "header" not in names:
                raise _fail(p, "not an audioclass-gui classifier (no header)")
            arrays = {name: z[name] for name in names}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _fail(p, f"not an audioclass-gui classifier file ({exc})") from None
    try:
        header = json.loads(arrays["header"].tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(p, f"damaged header ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _fail(p, "not an audioclass-gui classifier (unknown format)")
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise _fail(
            p,
            f"classifier format version {version!r}; this audioclass-gui reads "
            f"up to {FORMAT_VERSION}: update it",
        )
    missing = [name for name in _ARRAYS if name not in arrays]
    if missing:
        raise _fail(p, f"damaged classifier: missing {', '.join(missing)}")
    species = header.get("species")
    if not isinstance(species, list) or not all(isinstance(s, str) for s in species):
        raise _fail(p, "damaged header: no species list")
    weights = arrays["weights"]
    dim = int(header.get("embedding_dim", -1))
    shapes_ok = (
        weights.ndim == 2
        and weights.shape == (len(species), dim)
        and arrays["bias"].shape == (len(species),)
        and arrays["mean"].shape == (dim,)
        and arrays["scale"].shape == (dim,)
    )
    if not shapes_ok:
        raise _fail(
            p,
            f"damaged classifier: weights {weights.shape} do not match "
            f"{len(species)} species x {dim} dimensions",
        )
    values = [arrays[name] for name in _ARRAYS]
    if not all(np.isfinite(v).all() for v in values) or (arrays["scale"] <= 0).any():
        raise _fail(p, "damaged classifier: weights are not finite")
    head = LinearHead(
        species=tuple(species),
        mean=arrays["mean"].astype(np.float32),
        scale=arrays["scale"].astype(np.float32),
        weights=weights.astype(np.float32),
        bias=arrays["bias"].astype(np.float32),
        threshold=float(header.get("threshold", 0.5)),
    )
    cv_raw = header.get("cross_validation") or {}
    try:
        cvs = [CrossValidation.from_json(name, cv_raw[name]) for name in species if name in cv_raw]
    except (KeyError, TypeError, ValueError) as exc:
        raise _fail(p, f"damaged header: cross-validation figures ({exc})") from None
    base = header.get("base_model")
    if not isinstance(base, dict) or "key" not in base:
        raise _fail(p, "damaged header: no base model")
    return ClassifierFile(
        head=head,
        base_model=base,
        common_names=dict(header.get("common_names") or {}),
        training=dict(header.get("training") or {}),
        cross_validation=cvs,
        created=str(header.get("created", "")),
        header=header,
    )
