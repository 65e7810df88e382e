"""The verdicts of a review session: statuses, relabels, notes, stamps, and their recording.

:class:`VerdictBook` is the only writer of a session's ``status`` and
``label`` columns. It keeps each row's note and stamp (who, when), the
verdicts waiting for their detection (read from a journal, or kept over a
:meth:`~audioclass_gui.review.ReviewSession.clear`), and the session's
recorder: every change is made durable by the recorder before the session
announces it, and taken back if the recorder fails.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from soundevent import data

from audioclass_gui.review.detection import (
    EMPTY_VERDICT,
    STATUS_CODE,
    STATUS_ORDER,
    Stamp,
    Status,
    Verdict,
)
from audioclass_gui.review.detection_table import DetectionTable
from audioclass_gui.review.path_keys import PathKeys, absolute_key
from audioclass_gui.review.reviewers import Reviewers
from audioclass_gui.review.row_stamps import RowStamps
from audioclass_gui.review.session_types import PathKey, Recorder
from audioclass_gui.review.species_registry import SpeciesRegistry

__all__ = ["VerdictBook"]

_STATUSES = STATUS_ORDER
_CODE = STATUS_CODE
_UNREVIEWED = _CODE[Status.UNREVIEWED]
#: (verdict, reviewer index, epoch time)
_Held = tuple[Verdict, int, float]


class VerdictBook:
    """Verdicts by row, waiting verdicts by path key, and who gave them.

    Parameters
    ----------
    owner
        The session; handed to the recorder.
    table, species, reviewers, keys
        The session's rows, species (relabels), reviewers (stamps) and
        path keys.

    Attributes
    ----------
    recorder : Recorder or None
        Makes every change durable (see
        :class:`~audioclass_gui.review.session_types.Recorder`).
    """

    def __init__(
        self,
        owner: Any,
        table: DetectionTable,
        species: SpeciesRegistry,
        reviewers: Reviewers,
        keys: PathKeys,
    ) -> None:
        self.recorder: Recorder | None = None
        self._owner = owner
        self._table = table
        self._species = species
        self._reviewers = reviewers
        self._keys = keys
        # Verdicts (with reviewer index and epoch time) waiting for their detection.
        self._pending: dict[PathKey, _Held] = {}
        self.reset()

    def reset(self) -> None:
        """Forget the rows' notes and stamps (the rows are gone); waiting verdicts stay."""
        self._notes: dict[int, str] = {}  # detection id -> note
        # row -> (reviewer index, epoch time) of the row's current verdict
        self._stamps = RowStamps()

    # ------------------------------------------------------------- reading

    def status(self, local: int) -> Status:
        """The status of row ``local``."""
        return _STATUSES[int(self._table.rows["status"][local])]

    def verdict(self, local: int) -> Verdict:
        """The whole verdict of row ``local``."""
        rows = self._table.rows
        label = int(rows["label"][local])
        return Verdict(
            status=_STATUSES[int(rows["status"][local])],
            label=None if label < 0 else self._species.name(label),
            note=self._notes.get(local + self._table.first_id, ""),
        )

    def effective_name(self, local: int) -> str:
        """The species row ``local``'s verdict is about: the relabel, else the prediction."""
        rows = self._table.rows
        label = int(rows["label"][local])
        return self._species.name(int(rows["species"][local]) if label < 0 else label)

    def stamp(self, local: int) -> Stamp | None:
        """Who gave row ``local``'s verdict and when; None if never touched."""
        stamp = self._stamps.get(local)
        if stamp is None or stamp[0] < 0 or math.isnan(stamp[1]):
            return None
        return self._reviewers.stamp(*stamp)

    def judged_rows(self) -> np.ndarray:
        """Rows with any verdict (a status, relabel or note), ascending.

        Every verdict ever set left a stamp, so only stamped rows are read.
        """
        if not self._stamps:
            return np.empty(0, np.int64)
        r = self._table.rows
        rows = self._stamps.rows()
        mask = (r["status"][rows] != _UNREVIEWED) | (r["label"][rows] >= 0)
        if self._notes:
            mask |= np.isin(rows + self._table.first_id, np.fromiter(self._notes, np.int64))
        return rows[mask]

    def columns(self, run_keys: list[str]) -> dict[str, Any]:
        """Runs, stamps and notes of every row in bulk (see ``ReviewSession.verdict_columns``)."""
        stamped, reviewer, at = self._stamps.arrays()
        first = self._table.first_id
        return {
            "run": self._table.rows.view("run"),
            "run_keys": run_keys,
            "stamped": stamped,
            "reviewer": reviewer,
            "at": at,
            "notes": {i - first: note for i, note in self._notes.items()},
        }

    def pending(self) -> dict[PathKey, tuple[Verdict, data.User, float]]:
        """Verdicts whose detection is not in the session (kept for later)."""
        user = self._reviewers.user
        return {k: (v, user(by), at) for k, (v, by, at) in self._pending.items()}

    # ------------------------------------------------------------- writing

    def _set(self, local: int, verdict: Verdict, by: int, at: float) -> None:
        rows = self._table.rows
        rows.writable("status")[local] = _CODE[verdict.status]
        label = -1 if verdict.label is None else self._species.register(verdict.label)
        if label >= 0 or rows["label"][local] >= 0:  # no relabel yet: nothing to write
            rows.writable("label")[local] = label
        det_id = local + self._table.first_id
        if verdict.note:
            self._notes[det_id] = verdict.note
        else:
            self._notes.pop(det_id, None)
        self._stamps.set(local, by, at)

    def _stamp_of(self, local: int) -> tuple[int, float]:
        stamp = self._stamps.get(local)
        return (-1, math.nan) if stamp is None else stamp

    def write_statuses(self, ids: Sequence[int], statuses: Sequence[Status]) -> list[int]:
        """Set each id's status, keeping relabels and notes (see :meth:`write`)."""
        if len(ids) != len(statuses):
            raise ValueError(f"{len(ids)} ids but {len(statuses)} statuses")
        first, n = self._table.first_id, len(self._table.rows)
        verdicts = []
        for detection_id, status in zip(ids, statuses, strict=True):
            local = int(detection_id) - first
            if 0 <= local < n:
                verdicts.append(self.verdict(local).with_(status=Status(status)))
            else:
                verdicts.append(EMPTY_VERDICT)
        return self.write(ids, verdicts)

    def write(self, ids: Sequence[int], verdicts: Sequence[Verdict]) -> list[int]:
        """Set each id's verdict, durably.

        Ids no longer in the session (from before a clear) are skipped.
        Detections sharing an id's recording, frame and species get the
        same verdict. Changed verdicts are stamped with the current reviewer
        and time, and recorded by the :attr:`recorder` (if any).

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
        table = self._table
        first, n = table.first_id, len(table.rows)
        by = self._reviewers.current
        undo: dict[int, tuple[Verdict, int, float]] = {}
        for detection_id, verdict in zip(ids, verdicts, strict=True):
            local = int(detection_id) - first
            if not 0 <= local < n:
                continue
            for member in table.key_rows(local):
                old = self.verdict(member)
                if old == verdict:
                    continue
                undo.setdefault(member, (old, *self._stamp_of(member)))
                self._set(member, verdict, by, now)
        changed = [local + first for local in undo]
        if changed and self.recorder is not None:
            try:
                self.recorder.verdicts_written(self._owner, changed)
            except BaseException:
                for local, (old, was_by, at) in undo.items():
                    self._set(local, old, was_by, at)
                    if was_by < 0:
                        self._stamps.pop(local)
                raise
        return changed

    def restore(
        self, items: Iterable[tuple[PathKey, Verdict, data.User | None, float | None]]
    ) -> list[int]:
        """Put back verdicts read from a store, without recording them again.

        Parameters
        ----------
        items
            ``((path, start, end, species), verdict, reviewer, epoch time)``
            in the order they were made; later ones win. A reviewer of None
            is the current one, a time of None now. Verdicts whose detection
            is not (yet) in the session wait for it.

        Returns
        -------
        list of int
            Ids whose verdict changed.
        """
        changed: dict[int, None] = {}
        first = self._table.first_id
        for (path, start, end, species), verdict, user, at in items:
            by = self._reviewers.current if user is None else self._reviewers.index(user)
            when = time.time() if at is None else float(at)
            pkey = absolute_key(path, start, end, species)
            group = self._keys.ids(pkey)
            if not group:
                if verdict.is_empty:
                    self._pending.pop(pkey, None)
                else:
                    self._pending[pkey] = (verdict, by, when)
                continue
            self._pending.pop(pkey, None)
            for det_id in group:
                self._set(det_id - first, verdict, by, when)
                changed[det_id] = None
        return list(changed)

    # ------------------------------------------------ rows arriving, leaving

    def copy(self, src: int, dst: int) -> None:
        """Give row ``dst`` the verdict (and stamp and note) of row ``src``."""
        rows = self._table.rows
        status = rows.writable("status")
        label = rows.writable("label")
        status[dst] = status[src]
        label[dst] = label[src]
        stamp = self._stamps.get(src)
        if stamp is not None:
            self._stamps.set(dst, *stamp)
        first = self._table.first_id
        note = self._notes.get(src + first)
        if note:
            self._notes[dst + first] = note

    def take_pending(self, first_row: int) -> None:
        """Give waiting verdicts (journal, earlier run) to new rows with their key."""
        if not self._pending:
            return
        keys, which, rows = self._keys.find(self._pending)
        new = rows >= first_row
        for w, local in zip(which[new].tolist(), rows[new].tolist(), strict=True):
            carried = self._pending.pop(keys[w], None)
            if carried is None:  # the key's first new row took it; share it
                twin = self._keys.ids(keys[w])[0] - self._table.first_id
                self.copy(twin, local)
            else:
                self._set(local, *carried)

    def set_aside(self) -> None:
        """Keep every row's verdict by path key, to wait for its detection again."""
        reviewer = self._reviewers.current
        for local in self.judged_rows().tolist():
            verdict = self.verdict(local)
            by, at = self._stamps.get(local) or (reviewer, math.nan)
            self._pending[self._keys.key(local)] = (verdict, by, at)
