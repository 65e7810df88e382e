"""The write primitives of a review session: every change goes through here.

Mixed into :class:`~audioclass_gui.review.ReviewSession`. Each primitive
changes the session's columns, asks the session's recorder (a project
journal) to make the change durable, takes the change back if that fails,
and only then announces it with a signal. ``restore`` and ``restore_box``
put back what a store read, without recording it again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from soundevent import data

from audioclass_gui.review.detection import (
    EMPTY_VERDICT,
    STATUS_CODE,
    Box,
    Status,
    Verdict,
)

if TYPE_CHECKING:
    from audioclass_gui.review.session import PathKey, ReviewSession

__all__ = ["SessionWritesMixin"]


def _absolute_path(path: str | Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else p.absolute()


_CODE = STATUS_CODE


class SessionWritesMixin:
    """Write primitives of :class:`~audioclass_gui.review.ReviewSession`."""

    def _set_local(
        self: ReviewSession, local: int, verdict: Verdict, by: int, at: float
    ) -> None:
        self._rows.writable("status")[local] = _CODE[verdict.status]
        label = -1 if verdict.label is None else self._species_id(verdict.label)
        if label >= 0 or self._rows["label"][local] >= 0:  # no relabel yet: nothing to write
            self._rows.writable("label")[local] = label
        det_id = local + self._first_id
        if verdict.note:
            self._notes[det_id] = verdict.note
        else:
            self._notes.pop(det_id, None)
        self._stamps[local] = (by, at)

    def _stamp_of(self: ReviewSession, local: int) -> tuple[int, float]:
        return self._stamps.get(local, (-1, float("nan")))

    def write_statuses(
        self: ReviewSession, ids: Sequence[int], statuses: Sequence[Status]
    ) -> list[int]:
        """Set each id's status, keeping relabels and notes (see :meth:`write_verdicts`)."""
        if len(ids) != len(statuses):
            raise ValueError(f"{len(ids)} ids but {len(statuses)} statuses")
        verdicts = []
        for detection_id, status in zip(ids, statuses, strict=True):
            local = int(detection_id) - self._first_id
            if 0 <= local < len(self._rows):
                verdicts.append(self._verdict_local(local).with_(status=Status(status)))
            else:
                verdicts.append(EMPTY_VERDICT)
        return self.write_verdicts(ids, verdicts)

    def write_verdicts(
        self: ReviewSession, ids: Sequence[int], verdicts: Sequence[Verdict]
    ) -> list[int]:
        """Set each id's verdict; the primitive that verdict edits are built on.

        Ids no longer in the session (from before a :meth:`clear`) are
        skipped. Detections sharing an id's recording, frame and species get
        the same verdict. Changed verdicts are stamped with the current
        reviewer and time, recorded by the :attr:`recorder` (if any), and
        announced with one ``status_changed``.

        Returns
        -------
        list of int
            The ids whose verdict changed.

        Raises
        ------
        Exception
            Whatever the recorder raised; the verdicts are then unchanged.
        """
        if len(ids) != len(verdicts):
            raise ValueError(f"{len(ids)} ids but {len(verdicts)} verdicts")
        now = round(time.time(), 3)  # ms, as stores keep it
        n = len(self._rows)
        undo: dict[int, tuple[Verdict, int, float]] = {}
        for detection_id, verdict in zip(ids, verdicts, strict=True):
            local = int(detection_id) - self._first_id
            if not 0 <= local < n:
                continue
            for member in self._key_rows(local):
                old = self._verdict_local(member)
                if old == verdict:
                    continue
                undo.setdefault(member, (old, *self._stamp_of(member)))
                self._set_local(member, verdict, self._reviewer, now)
        changed = [local + self._first_id for local in undo]
        if not changed:
            return changed
        if self.recorder is not None:
            try:
                self.recorder.verdicts_written(self, changed)
            except BaseException:
                for local, (old, by, at) in undo.items():
                    self._set_local(local, old, by, at)
                    if by < 0:
                        self._stamps.pop(local, None)
                raise
        self.status_changed.emit(changed)
        return changed

    def write_box(self: ReviewSession, box_id: str, box: Box | None) -> bool:
        """Put a box in place (add or replace) or delete it (``box=None``).

        Recorded by the :attr:`recorder` and announced with
        ``boxes_changed``. Returns False (and does nothing) when the box
        already is as asked.
        """
        old = self._boxes.get(box_id)
        if old == box:
            return False
        old_stamp = self._box_stamps.get(box_id)
        self._put_box(box_id, box, self._reviewer, round(time.time(), 3))
        if self.recorder is not None:
            try:
                self.recorder.box_written(self, box_id, box)
            except BaseException:
                self._put_box(
                    box_id, old, *(old_stamp or (self._reviewer, time.time()))
                )
                raise
        self.boxes_changed.emit([box_id])
        return True

    def _put_box(
        self: ReviewSession, box_id: str, box: Box | None, by: int, at: float
    ) -> None:
        if box is None:
            self._boxes.pop(box_id, None)
            self._box_stamps.pop(box_id, None)
        else:
            self._boxes[box_id] = box
            self._box_stamps[box_id] = (by, at)

    # ---------------------------------------------------------------- restore

    def restore(
        self: ReviewSession,
        items: Iterable[tuple[PathKey, Verdict, data.User | None, float | None]],
    ) -> list[int]:
        """Put back verdicts read from a store, without recording them again.

        Parameters
        ----------
        items
            ``((path, start, end, species), verdict, reviewer, epoch time)``
            in the order they were made; later ones win. Verdicts whose
            detection is not (yet) in the session wait for it.

        Returns
        -------
        list of int
            Ids whose verdict changed (also announced with ``status_changed``).
        """
        changed: dict[int, None] = {}
        for (path, start, end, species), verdict, user, at in items:
            by = self._reviewer if user is None else self.user_index(user)
            when = time.time() if at is None else float(at)
            pkey = (
                str(_absolute_path(path)),
                round(float(start), 3),
                round(float(end), 3),
                species,
            )
            group = self.ids_for(pkey)
            if not group:
                if verdict.is_empty:
                    self._pending.pop(pkey, None)
                else:
                    self._pending[pkey] = (verdict, by, when)
                continue
            self._pending.pop(pkey, None)
            for det_id in group:
                self._set_local(det_id - self._first_id, verdict, by, when)
                changed[det_id] = None
        ids = list(changed)
        if ids:
            self.status_changed.emit(ids)
        return ids

    def restore_box(
        self: ReviewSession,
        box: Box,
        user: data.User | None,
        at: float | None,
        *,
        deleted: bool = False,
    ) -> None:
        """Put back a box read from a store (``deleted=True``: remove it)."""
        by = self._reviewer if user is None else self.user_index(user)
        self._put_box(
            box.id, None if deleted else box, by, time.time() if at is None else at
        )
        self.boxes_changed.emit([box.id])

    def pending_verdicts(
        self: ReviewSession,
    ) -> dict[PathKey, tuple[Verdict, data.User, float]]:
        """Verdicts whose detection is not in the session (kept for later)."""
        return {k: (v, self._users[by], at) for k, (v, by, at) in self._pending.items()}
