"""A lazy list of a session's detections, held as an array of ids.

Listing 50,000 detections should not build 50,000 Python objects: a
:class:`DetectionList` keeps the ids (a numpy array) and fetches a
:class:`~audioclass_gui.review.detection.Detection` only when one is read,
while numpy views of its columns (start, end, score...) serve sorting,
filtering and drawing. It is a read-only ``Sequence[Detection]``, equal to
a list of the same detections.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, overload

import numpy as np

from audioclass_gui.review.detection import Detection

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = ["DetectionList"]


class DetectionList(Sequence[Detection]):
    """Detections of ``session`` with these ids, in this order, read on demand.

    Parameters
    ----------
    session
        The review session the ids belong to.
    ids
        Detection ids (any integer array-like; a ``range`` is kept as it is
        until the ids are read, so listing millions costs nothing).

    Attributes
    ----------
    session : ReviewSession
    ids : numpy.ndarray of int64
        Read-only.

    Notes
    -----
    The list is a snapshot of ids: after :meth:`ReviewSession.clear` its
    detections are gone and reading one raises ``KeyError``.
    """

    __slots__ = ("_ids", "_range", "session")

    def __init__(self, session: ReviewSession, ids: object) -> None:
        self.session = session
        self._ids: np.ndarray | None = None
        self._range: range | None = None
        if isinstance(ids, range):  # held as is until the ids are read
            self._range = ids
        else:
            self._ids = np.array(ids, dtype=np.int64, copy=True).reshape(-1)
            self._ids.flags.writeable = False

    @property
    def ids(self) -> np.ndarray:
        """The detection ids (read-only int64 array)."""
        if self._ids is None:
            r = self._range
            assert r is not None
            self._ids = np.arange(r.start, r.stop, r.step, dtype=np.int64)
            self._ids.flags.writeable = False
        return self._ids

    def __len__(self) -> int:
        return len(self._range) if self._ids is None else len(self._ids)

    @overload
    def __getitem__(self, index: int) -> Detection: ...

    @overload
    def __getitem__(self, index: slice) -> DetectionList: ...

    def __getitem__(self, index: int | slice) -> Detection | DetectionList:
        if self._ids is None:
            picked = self._range[index]  # type: ignore[index]
            if isinstance(picked, range):
                return DetectionList(self.session, picked)
            return self.session.get(picked)
        if isinstance(index, slice):
            return DetectionList(self.session, self.ids[index])
        return self.session.get(int(self.ids[index]))

    def __iter__(self) -> Iterator[Detection]:
        return iter(self.session.get_many(self.ids.tolist()))

    def __contains__(self, value: object) -> bool:
        if isinstance(value, Detection):
            ok = bool(np.any(self.ids == value.id))
            return ok and self.session.get(value.id) == value
        return False

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DetectionList):
            return self.session is other.session and np.array_equal(self.ids, other.ids)
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DetectionList({len(self)} detections)"

    def locals(self) -> np.ndarray:
        """Row of each detection in the session's :meth:`~ReviewSession.columns`."""
        return self.ids - self.session.columns().first_id

    def where(self, mask: np.ndarray) -> DetectionList:
        """The detections where ``mask`` (one bool per detection) is True."""
        return DetectionList(self.session, self.ids[np.asarray(mask, dtype=bool)])

    def in_recording(self, path: str | Path) -> DetectionList:
        """The detections of one recording (by path), in the same order."""
        index = self.session.recording_index(path)
        if index is None:
            return DetectionList(self.session, [])
        return self.where(self.session.columns().recording[self.locals()] == index)
