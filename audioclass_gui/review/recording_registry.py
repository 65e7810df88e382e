"""The recordings of a review session, by index, uuid and absolute path.

A session's ``recording`` column holds small integers; this registry maps
them to :class:`soundevent.data.Recording` objects (one object per file) and
finds a recording's index from its path or from a clip's recording.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from soundevent import data

__all__ = ["RecordingRegistry", "absolute_path"]


def absolute_path(path: Any) -> Path:
    """``path`` as an absolute path (relative to the working folder)."""
    p = Path(path)
    return p if p.is_absolute() else p.absolute()


class RecordingRegistry:
    """Recordings in the order first seen.

    Parameters
    ----------
    single
        True for a single-recording session: a clip of any other recording
        is refused, and no second recording can be added.

    Attributes
    ----------
    single : bool
    """

    def __init__(self, *, single: bool) -> None:
        self.single = single
        self._list: list[data.Recording] = []
        self._by_uuid: dict[Any, int] = {}
        self._by_path: dict[str, int] = {}
        # Lookups made per row in hot loops: the dict's and list's own methods.
        #: ``recording(index)``: the recording with this index.
        self.recording: Callable[[int], data.Recording] = self._list.__getitem__
        #: ``at_path(text)``: index of the recording at an absolute path given
        #: as text, or None. No normalisation: for paths that are absolute
        #: already (filters, path keys); see :meth:`index`.
        self.at_path: Callable[[str], int | None] = self._by_path.get

    def __len__(self) -> int:
        return len(self._list)

    def all(self) -> list[data.Recording]:
        """Every recording, by index (a copy)."""
        return list(self._list)

    def index(self, path: str | Path) -> int | None:
        """Index of the recording at ``path`` (made absolute), or None."""
        return self._by_path.get(str(absolute_path(path)))

    def register(self, recording: data.Recording) -> int:
        """Add a recording (its relative path made absolute in place); returns its index."""
        path = absolute_path(recording.path)
        if path != recording.path:
            recording.path = path
        index = len(self._list)
        self._list.append(recording)
        self._by_uuid[recording.uuid] = index
        self._by_path[str(path)] = index
        return index

    def add(self, recording: data.Recording) -> int:
        """Register a recording not known yet (see :meth:`index`).

        Raises
        ------
        ValueError
            In a single-recording session that has its recording.
        """
        if self.single and self._list:
            raise ValueError("a single-recording session cannot take another recording")
        return self.register(recording)

    def of_clip(self, clip: data.Clip) -> int:
        """Index of a clip's recording, registered if new.

        A recording known by path but not by uuid is replaced in the clip by
        the registered object (one Recording object per file).

        Raises
        ------
        ValueError
            If the clip belongs to another recording than a single-recording
            session's.
        """
        recording = clip.recording
        index = self._by_uuid.get(recording.uuid)
        if index is not None:
            if recording is not self._list[index]:
                path = absolute_path(recording.path)
                if path != recording.path:
                    recording.path = path
            return index
        if self.single:
            raise ValueError(
                f"clip prediction for {recording.path} does not belong "
                f"to the recording under review ({self._list[0].path})"
            )
        index = self._by_path.get(str(absolute_path(recording.path)))
        if index is None:
            return self.register(recording)
        clip.recording = self._list[index]  # one Recording object per file
        return index
