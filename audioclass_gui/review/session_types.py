"""Types a review session shares with its recorders and readers.

:class:`Columns` (read-only numpy views of the detections),
:class:`Recorder` (what makes changes durable), the path key of a detection
and :func:`default_reviewer`. Re-exported by
:mod:`audioclass_gui.review.session`.
"""

from __future__ import annotations

import getpass
import uuid
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np
from soundevent import data

from audioclass_gui.review.detection import Box

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = ["Columns", "PathKey", "Recorder", "default_reviewer"]

#: (recording path, start ms-rounded, end ms-rounded, scientific name)
PathKey = tuple[str, float, float, str]


def default_reviewer() -> data.User:
    """Return a user named after the operating-system account.

    Returns
    -------
    soundevent.data.User
        ``User(username=<login name>)``, or ``username="reviewer"`` when the
        login name cannot be found. The uuid is derived from the name, so the
        same login is the same user in every session and export.
    """
    try:
        name = getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry (containers)
        name = ""
    name = name or "reviewer"
    return data.User(
        uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"audioclass-gui:login:{name}"),
        username=name,
    )


class Columns(NamedTuple):
    """Read-only column views of a session's detections (index = id - first_id).

    Attributes
    ----------
    first_id : int
        Id of the detection in row 0.
    score, start, end : numpy.ndarray of float64
    recording : numpy.ndarray of int32
        Index into :attr:`ReviewSession.recordings`.
    species : numpy.ndarray of int32
        Index into :meth:`ReviewSession.species_list` (predicted name).
    status : numpy.ndarray of int8
        Position in ``tuple(Status)``.
    label : numpy.ndarray of int32
        Index of the relabelled species, -1 where not relabelled.
    """

    first_id: int
    score: np.ndarray
    start: np.ndarray
    end: np.ndarray
    recording: np.ndarray
    species: np.ndarray
    status: np.ndarray
    label: np.ndarray


class Recorder(Protocol):
    """Makes a session's changes durable (e.g. a project journal).

    Both methods are called after the session changed its state and before
    it emits its signals. Raising takes the change back.
    """

    def verdicts_written(self, session: ReviewSession, ids: list[int]) -> None:
        """Record the current verdicts of ``ids``."""

    def box_written(self, session: ReviewSession, box_id: str, box: Box | None) -> None:
        """Record that a box now is ``box`` (None: deleted)."""
