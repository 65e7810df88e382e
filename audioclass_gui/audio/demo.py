"""The demo recording: a real 10-second field recording of warblers.

The app opens it when started without a file, so a newcomer can try the
whole workflow at once on sounds a real model is meant for: BirdNET v2.4
finds the three warblers the recording is known for (:data:`DEMO_SPECIES`).

The file, ``birds_10s.wav``, is OpenSoundscape's sample recording (MIT
License, Copyright (c) 2020 University of Pittsburgh; :data:`DEMO_CREDIT`),
shipped in the app's ``resources/`` with its licence text. On first use it
is copied, with that licence, into ``demo/`` in the app's data folder: its
path then stays the same across upgrades (so the review kept for it comes
back), and whatever the reviewer saves beside it by default (an export)
lands in a folder they can write to, never inside the installed package.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from audioclass_gui.resource_files import resource_path

__all__ = [
    "DEMO_CREDIT",
    "DEMO_FILE",
    "DEMO_FRAMES",
    "DEMO_LICENCE_FILE",
    "DEMO_SAMPLERATE",
    "DEMO_SHA256",
    "DEMO_SPECIES",
    "DemoCredit",
    "DemoSpecies",
    "default_demo_folder",
    "demo_licence_text",
    "demo_recording_path",
    "packaged_demo",
]

#: The demo recording's file name (in ``resources/`` and in the copy).
DEMO_FILE = "birds_10s.wav"
#: Its licence text, shipped beside it and copied with it.
DEMO_LICENCE_FILE = "birds_10s.LICENSE.txt"
#: SHA-256 of the file: a copy that differs is replaced.
DEMO_SHA256 = "90e70f9ceb33392a948c10465db50fbf4bf252ae412c2e9f18d0bf9a1e7f31a7"
DEMO_SAMPLERATE = 32000
#: Samples in the file (10.13 s at :data:`DEMO_SAMPLERATE`), mono 16-bit PCM.
DEMO_FRAMES = 324263
_DATA_ENV = "AUDIOCLASS_GUI_DATA_DIR"  # as audioclass_gui.project.implicit.DATA_DIR_ENV


@dataclass(frozen=True)
class DemoCredit:
    """Where the demo recording comes from and under which licence.

    Attributes
    ----------
    title
        The file's name.
    description
        What it holds, in a few words.
    author
        Who made it available.
    source
        Where exactly the file was taken from.
    url
        The source project's home page.
    licence
        The licence's name.
    copyright
        The copyright line the licence asks to keep.
    """

    title: str
    description: str
    author: str
    source: str
    url: str
    licence: str
    copyright: str


#: The attribution shown in Help › About, Help › Licences and the README.
DEMO_CREDIT = DemoCredit(
    title=DEMO_FILE,
    description="a 10-second field recording of North American warblers",
    author="the OpenSoundscape project (Kitzes Lab, University of Pittsburgh)",
    source="opensoundscape/sample_data/birds_10s.wav in the opensoundscape 0.13.2 wheel (PyPI)",
    url="https://github.com/kitzeslab/opensoundscape",
    licence="MIT License",
    copyright="Copyright (c) 2020 University of Pittsburgh",
)


@dataclass(frozen=True)
class DemoSpecies:
    """A species BirdNET v2.4 ranks first in one 3-second window of the demo.

    Attributes
    ----------
    start, end
        The window, in seconds from the start of the recording.
    scientific_name, common_name
        The species.
    """

    start: float
    end: float
    scientific_name: str
    common_name: str


#: BirdNET v2.4's top species per 3-second window, with BirdNET-Analyzer's
#: resampling (the default; what BirdNET-Analyzer 2.4.0 finds too). With
#: soxr VHQ the first window's top species is Bay-breasted Warbler (0.46).
#: The last window (9-10.13 s) holds no clear call.
DEMO_SPECIES: tuple[DemoSpecies, ...] = (
    DemoSpecies(0.0, 3.0, "Pipilo erythrophthalmus", "Eastern Towhee"),
    DemoSpecies(3.0, 6.0, "Leiothlypis peregrina", "Tennessee Warbler"),
    DemoSpecies(6.0, 9.0, "Setophaga fusca", "Blackburnian Warbler"),
)


def packaged_demo() -> Path:
    """The demo recording as shipped with the app (do not write beside it).

    Returns
    -------
    pathlib.Path
        ``birds_10s.wav`` in the app's resources.

    Raises
    ------
    FileNotFoundError
        If the installation lacks it (a broken or hand-made install).
    """
    path = resource_path(DEMO_FILE)
    if path is None:
        raise FileNotFoundError(
            f"the demo recording {DEMO_FILE} is missing from this installation of "
            "audioclass-gui: reinstall it, or open a recording of your own"
        )
    return path


def demo_licence_text() -> str:
    """The demo recording's licence text, as shipped beside it.

    Falls back to the short attribution if the licence file is missing.
    """
    path = resource_path(DEMO_LICENCE_FILE)
    if path is not None:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            return path.read_text(encoding="utf-8")
    c = DEMO_CREDIT
    return f"{c.title}: {c.source}, {c.url}.\n{c.licence}, {c.copyright}.\n"


def default_demo_folder() -> Path:
    """``demo/`` in the app's data folder, where the demo is copied.

    The data folder is the one :func:`audioclass_gui.project.implicit.data_dir`
    names: ``$AUDIOCLASS_GUI_DATA_DIR`` if set, else
    ``platformdirs.user_data_dir("audioclass-gui")``.
    """
    override = os.environ.get(_DATA_ENV)
    if override:
        return Path(override).expanduser().absolute() / "demo"
    import platformdirs

    return Path(platformdirs.user_data_dir("audioclass-gui")) / "demo"


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _copy_atomically(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` by a temporary file and a rename.

    A reader never sees a half-written file, and a failure leaves the old
    ``target`` (if any) in place and no temporary file behind.
    """
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def demo_recording_path(folder: str | os.PathLike[str] | None = None) -> Path:
    """Path of the demo recording to open, copying it there on first use.

    The copy is checked against :data:`DEMO_SHA256` on every call (about a
    millisecond) and replaced if it was damaged or edited; an intact copy
    is left untouched, so the review kept for it stays attached. The
    licence text is copied beside it.

    Parameters
    ----------
    folder
        Folder to keep the copy in; default :func:`default_demo_folder`.
        Created if missing.

    Returns
    -------
    pathlib.Path
        ``<folder>/birds_10s.wav``, byte-identical to the shipped file.

    Raises
    ------
    FileNotFoundError
        If the installation lacks the demo recording.
    OSError
        If the folder cannot be created or written.
    """
    target_dir = Path(folder).expanduser().absolute() if folder is not None else default_demo_folder()
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / DEMO_FILE
    if _sha256(target) != DEMO_SHA256:
        _copy_atomically(packaged_demo(), target)
    licence = resource_path(DEMO_LICENCE_FILE)
    copied = target_dir / DEMO_LICENCE_FILE
    if licence is not None and not copied.is_file():
        _copy_atomically(licence, copied)
    return target
