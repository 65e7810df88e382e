"""Keeping the Find similar and least-sure lists with their project, so reopening resumes them.

A list is a run of the project (its windows are detections of that run) in
an order of its own: similarity for Find similar, spread over recordings for
the least-sure picks. Detection ids do not survive a reopen, so the list is
kept in the project's settings (journalled and fsynced like verdicts) by
each window's recording (project-relative), start, end and species, with the
run's key, what the banner says, and whether the reviewer was working
through it when the project closed. Only the project's public API is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from audioclass_gui.app.learning_jobs import Window
    from audioclass_gui.project import ReviewProject

__all__ = ["SETTINGS_KEY", "KeptList", "keep_list", "kept_list", "set_list_active"]

#: Key of the list's entry in the project settings.
SETTINGS_KEY = "learning_list"


@dataclass(frozen=True)
class KeptList:
    """A learning list read back from a project, with ids of its current session.

    Attributes
    ----------
    kind : str
        ``"similar"`` or ``"uncertain"``.
    description : str
        What the banner says (without the count).
    run : str
        The run's key in the session.
    ids : tuple of int
        The listed detections, in list order (windows no longer in the
        project are left out).
    scores : tuple of float
        Each listed detection's similarity or classifier score.
    active : bool
        True when the reviewer was working through the list.
    """

    kind: str
    description: str
    run: str
    ids: tuple[int, ...]
    scores: tuple[float, ...]
    active: bool


def keep_list(
    project: ReviewProject, kind: str, description: str, run: str, windows: Sequence[Window]
) -> None:
    """Keep a list shown now with ``project`` (active), durably.

    Parameters
    ----------
    project
        The project the list's run belongs to.
    kind, description
        As :class:`KeptList`.
    run
        The run's key in the project's session.
    windows
        The listed windows, in list order.

    Raises
    ------
    OSError
        If the journal cannot be written.
    """
    codec = project.codec
    rows = [
        [codec.encode(w.recording.path), round(w.start, 3), round(w.end, 3), w.species, w.score]
        for w in windows
    ]
    entry = {"kind": kind, "description": description, "run": run, "windows": rows, "active": True}
    project.set_settings(**{SETTINGS_KEY: entry})


def set_list_active(project: ReviewProject, active: bool) -> None:
    """Say whether the reviewer is working through the kept list (no-op without one)."""
    entry = _entry(project)
    if not entry or entry.get("active") == active:
        return
    project.set_settings(**{SETTINGS_KEY: {**entry, "active": bool(active)}})


def kept_list(project: ReviewProject) -> KeptList | None:
    """The list kept with ``project``, or None (none, unreadable, or its run is gone)."""
    entry = _entry(project)
    session, run = project.session, entry.get("run")
    if not isinstance(run, str) or run not in session.run_keys():
        return None
    ids: list[int] = []
    scores: list[float] = []
    for row in entry.get("windows", []):
        try:
            path, start, end, species, score = row
            key = (project.codec.decode(path), round(float(start), 3), round(float(end), 3), str(species))
            score = float(score)
        except (TypeError, ValueError):
            continue
        found = [i for i in session.ids_for(key) if session.get(i).run == run]
        if found:
            ids.append(found[0])
            scores.append(score)
    if not ids:
        return None
    return KeptList(
        str(entry.get("kind", "similar")),
        str(entry.get("description", "")),
        run,
        tuple(ids),
        tuple(scores),
        bool(entry.get("active", False)),
    )


def _entry(project: ReviewProject) -> dict[str, Any]:
    raw = project.settings.get(SETTINGS_KEY)
    return dict(raw) if isinstance(raw, dict) else {}
