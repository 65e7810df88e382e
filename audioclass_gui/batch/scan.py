"""Find the recordings named on a command line: files, and folders recursively."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import AUDIO_EXTENSIONS

__all__ = ["Source", "find_recordings"]


@dataclass(frozen=True)
class Source:
    """A recording to process and where its outputs go, relative to the output folder.

    Attributes
    ----------
    path
        Absolute path of the audio file.
    relative
        Output path without suffix, relative to the output folder: the
        recording's path relative to the common folder of all inputs,
        without its extension (with it where two recordings in one folder
        share a stem, e.g. ``a.wav`` and ``a.flac``).
    """

    path: Path
    relative: PurePosixPath


def _walk(folder: Path) -> Iterator[Path]:
    """Audio files below ``folder``, sorted, skipping hidden files and folders."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            # "._x.wav" are macOS resource forks, not audio.
            if name.startswith("."):
                continue
            if os.path.splitext(name)[1].lower() in AUDIO_EXTENSIONS:
                yield Path(root) / name


def find_recordings(
    inputs: Sequence[str | os.PathLike[str]],
    *,
    root: str | os.PathLike[str] | None = None,
) -> tuple[list[Source], list[AudioFileError]]:
    """Expand files and folders into the recordings to process.

    Parameters
    ----------
    inputs
        Files (taken as they are, whatever their extension: reading them
        tells whether they are audio) and folders (searched recursively
        for WAV, FLAC, MP3, OGG and the other extensions in
        :data:`~audioclass_gui.audio.info.AUDIO_EXTENSIONS`; hidden files
        and folders are skipped).
    root
        A folder the output paths start from whatever the inputs: the
        common folder of ``root`` and the inputs is used, so a run over
        some recordings of a project names their outputs as a run over
        all of them does (and resumes with them).

    Returns
    -------
    sources : list of Source
        Each recording once, in the order given (folders sorted), with its
        output path relative to the common folder of the inputs, so that
        same-named files in different folders do not collide.
    problems : list of AudioFileError
        Inputs that do not exist.
    """
    problems: list[AudioFileError] = []
    found: dict[Path, None] = {}
    anchors: list[Path] = []
    for item in inputs:
        path = Path(item).expanduser().absolute()
        if path.is_dir():
            anchors.append(path)
            for file in _walk(path):
                found.setdefault(file, None)
        elif path.exists():
            anchors.append(path.parent)
            found.setdefault(path, None)
        else:
            problems.append(AudioFileError(path, "file not found"))
    files = list(found)
    if not files:
        return [], problems
    if root is not None:
        anchors.append(Path(root).expanduser().absolute())
    base = Path(os.path.commonpath([str(a) for a in anchors]))
    stems: dict[PurePosixPath, int] = {}
    relatives = []
    for file in files:
        rel = PurePosixPath(file.relative_to(base).as_posix())
        relatives.append(rel)
        key = rel.with_suffix("")
        stems[key] = stems.get(key, 0) + 1
    sources = []
    for file, rel in zip(files, relatives, strict=True):
        stem = rel.with_suffix("")
        sources.append(Source(path=file, relative=rel if stems[stem] > 1 else stem))
    return sources, problems
