"""Keeping a verification sample with a review project, so reopening resumes it.

The queue itself is kept by the project's journal (:meth:`ReviewProject.save_queue`
stores each sampled detection by recording path, start, end and species,
which survive a reopen where detection ids do not, and
:meth:`ReviewProject.queue` maps them back to ids). Beside it, in the
project's settings (also journalled, fsynced, and kept by compaction), this
module keeps how the sample was drawn and whether the reviewer was working
through it when the project was closed.

Only the project's public API is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from audioclass_gui.review.sample_plan import SampleSettings
from audioclass_gui.review.sampling import ReviewQueue

if TYPE_CHECKING:
    from audioclass_gui.project.project import ReviewProject

__all__ = [
    "SETTINGS_KEY",
    "SavedSample",
    "load_sample",
    "save_sample",
    "set_sample_active",
]

#: Key of the sample's entry in the project settings.
SETTINGS_KEY = "verification_sample"


@dataclass(frozen=True)
class SavedSample:
    """A verification sample kept with a project.

    Attributes
    ----------
    queue : ReviewQueue
        With ids of the project's current session.
    settings : SampleSettings or None
        How it was drawn (None when the project's entry is missing or
        unreadable; the queue still holds seed, N and bin edges).
    active : bool
        True when the reviewer was working through the sample.
    """

    queue: ReviewQueue
    settings: SampleSettings | None
    active: bool


def _entry(project: ReviewProject) -> dict[str, Any]:
    raw = project.settings.get(SETTINGS_KEY)
    return dict(raw) if isinstance(raw, dict) else {}


def save_sample(
    project: ReviewProject,
    queue: ReviewQueue,
    settings: SampleSettings | None,
    *,
    active: bool = True,
) -> None:
    """Keep ``queue`` (and how it was drawn) with the project, durably.

    Raises
    ------
    OSError
        If the journal cannot be written.
    """
    project.save_queue(queue)
    project.set_settings(
        **{
            SETTINGS_KEY: {
                "settings": None if settings is None else settings.to_json(),
                "active": bool(active),
            }
        }
    )


def set_sample_active(project: ReviewProject, active: bool) -> None:
    """Say whether the reviewer is working through the kept sample."""
    entry = _entry(project)
    if entry.get("active") == active:
        return
    entry["active"] = bool(active)
    project.set_settings(**{SETTINGS_KEY: entry})


def load_sample(project: ReviewProject) -> SavedSample | None:
    """The sample kept with the project (None when there is none)."""
    queue = project.queue()
    if queue is None:
        return None
    entry = _entry(project)
    settings = None
    if isinstance(entry.get("settings"), dict):
        try:
            settings = SampleSettings.from_json(entry["settings"])
        except ValueError:
            settings = None
    return SavedSample(queue, settings, bool(entry.get("active", False)))
