"""File names for audio clips: by species, recording and time, safe everywhere, unique.

A clip of an accepted blackbird from 12.5 to 15.5 s of ``rec01.wav`` is
``Turdus_merula/rec01_000012.500-000015.500_accepted.wav``; a drawn box
ends in ``_box``, an event in ``_<verdict>_event``. Clips the reviewer did
not accept (negatives for training) go below a folder named by their
verdict (``rejected/Turdus_merula/...``), so that the species folders at
the top hold only what is there.

Every part is made safe on Windows, macOS and Linux
(:func:`safe_component`): no path separators, no characters Windows
forbids, no control characters, no trailing dot or space, no reserved
device name (``CON``, ``NUL``, ``COM1``...), at most :data:`MAX_PART`
characters. Names are unique on file systems that ignore case: two
recordings with one stem (``north/a.wav``, ``south/a.wav``) get different
tags, two species whose names differ only by case different folders, and
two clips with the same name in one recording a number (``_2``).

:class:`ClipNamer` remembers the tags of recordings and species (one entry
each) and the names used at the start time being named; clips come
recording by recording and by start time (equal names are neighbours), so
memory does not grow with the number of clips.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

__all__ = ["MAX_PART", "ClipNamer", "safe_component"]

#: Longest folder or file name part (well below the 255 bytes of most file systems).
MAX_PART = 80
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}
#: Folder names clips of each verdict go below (accepted clips and boxes go to the top).
VERDICT_FOLDERS = ("rejected", "uncertain", "unreviewed")


def safe_component(text: str, fallback: str = "unnamed") -> str:
    """``text`` as one safe folder or file name part (see the module docstring).

    Spaces become underscores; runs of forbidden characters one underscore.
    """
    name = unicodedata.normalize("NFC", str(text)).strip()
    name = _FORBIDDEN.sub("_", name.replace(" ", "_"))
    name = re.sub(r"_+", "_", name)[:MAX_PART].rstrip(". ").lstrip(" ")
    if not name or set(name) <= {".", "_"}:
        name = fallback
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name


def _time(seconds: float) -> str:
    return f"{max(0.0, seconds):010.3f}"


class ClipNamer:
    """Names clips uniquely (see the module docstring).

    Parameters
    ----------
    extension
        The clips' extension without its dot (``"wav"``, ``"flac"``).
    """

    def __init__(self, extension: str) -> None:
        self.extension = extension
        self._species: dict[str, str] = {}  # scientific name -> folder
        self._species_taken = {v.casefold() for v in VERDICT_FOLDERS}
        self._recordings: dict[str, str] = {}  # path -> tag
        self._tags_taken: set[str] = set()
        self._current: tuple[str, float] | None = None  # (recording, start) of _used
        self._used: set[str] = set()

    def _unique(self, wanted: str, taken: set[str]) -> str:
        name, n = wanted, 1
        while name.casefold() in taken:
            n += 1
            name = f"{wanted}_{n}"
        taken.add(name.casefold())
        return name

    def species_folder(self, scientific_name: str) -> str:
        """The folder of a species (the same for every clip of it)."""
        folder = self._species.get(scientific_name)
        if folder is None:
            folder = self._unique(safe_component(scientific_name, "unknown"), self._species_taken)
            self._species[scientific_name] = folder
        return folder

    def recording_tag(self, path: str) -> str:
        """The short name of a recording in its clips' names: its stem, made unique."""
        tag = self._recordings.get(path)
        if tag is None:
            pure = PurePosixPath(path.replace("\\", "/"))
            stem = safe_component(pure.stem, "recording")
            if stem.casefold() in self._tags_taken and pure.parent.name:
                stem = safe_component(f"{pure.parent.name}-{pure.stem}", "recording")
            tag = self._unique(stem, self._tags_taken)
            self._recordings[path] = tag
        return tag

    def name(
        self, path: str, species: str, start: float, end: float, verdict: str, kind: str
    ) -> str:
        """The clip's path below the export folder, with ``/`` between parts.

        Parameters
        ----------
        path
            The recording.
        species
            The scientific name the clip is filed under.
        start, end
            The detection's (box's, event's) span in seconds, without context.
        verdict
            ``accepted``, ``rejected``, ``uncertain``, ``unreviewed`` or
            ``drawn`` (a box).
        kind
            ``detection``, ``box`` or ``event``.
        """
        if (path, start) != self._current:
            # Equal names share their recording and start: only those are kept.
            self._current, self._used = (path, start), set()
        tag = self.recording_tag(path)
        suffix = {"box": "box", "event": f"{verdict}_event"}.get(kind, verdict)
        folder = self.species_folder(species)
        if verdict in VERDICT_FOLDERS:
            folder = f"{verdict}/{folder}"
        name = self._unique(f"{folder}/{tag}_{_time(start)}-{_time(end)}_{suffix}", self._used)
        return f"{name}.{self.extension}"
