"""The recordings and projects opened last (File › Open Recent).

Kept as a small JSON file, ``recent.json`` in the app's data folder (see
:func:`audioclass_gui.project.implicit.data_dir`), most recent first. The
list is changed in memory (:func:`remember`, pure) and written whole by
:class:`RecentStore`, which is safe to call from worker threads: a write of
an older list never replaces a newer one.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from audioclass_gui.formats.atomic import atomic_write_text
from audioclass_gui.project.implicit import data_dir

__all__ = ["RECENT_LIMIT", "RecentStore", "remember"]

#: How many entries File › Open Recent keeps.
RECENT_LIMIT = 10
_FILE = "recent.json"


def remember(
    entries: Sequence[Path], path: str | os.PathLike[str], limit: int = RECENT_LIMIT
) -> list[Path]:
    """``entries`` with ``path`` moved (or added) to the front, at most ``limit`` long.

    Parameters
    ----------
    entries
        The list, most recent first.
    path
        A recording, a project folder or a project file; made absolute.
    limit
        Longest list kept.

    Returns
    -------
    list of pathlib.Path
        A new list.
    """
    p = Path(path).expanduser().absolute()
    return [p, *(e for e in entries if e != p)][:limit]


class RecentStore:
    """Reads and writes the recent list (thread-safe).

    Parameters
    ----------
    path
        The JSON file; default ``recent.json`` in the data folder.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._written = -1

    @property
    def path(self) -> Path:
        """The JSON file (the data folder is looked up on first use, off the GUI thread)."""
        if self._path is None:
            self._path = data_dir() / _FILE
        return self._path

    def load(self) -> list[Path]:
        """The list, most recent first; empty if absent or unreadable."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        items = raw.get("recent", []) if isinstance(raw, dict) else []
        return [Path(p) for p in items if isinstance(p, str) and p][:RECENT_LIMIT]

    def save(self, entries: Sequence[Path], generation: int = 0) -> bool:
        """Write ``entries`` unless a later ``generation`` was written already.

        Parameters
        ----------
        entries
            The list, most recent first.
        generation
            Increases with every change; writes may finish out of order.

        Returns
        -------
        bool
            True if written, False if skipped as stale.

        Raises
        ------
        OSError
            If the file cannot be written (the old one stays intact).
        """
        text = json.dumps({"recent": [str(p) for p in entries]}, indent=1)
        with self._lock:
            if generation < self._written:
                return False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, text + "\n")
            self._written = generation
            return True
