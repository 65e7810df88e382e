"""Reading a review session: detections, verdicts, stamps, counts, boxes.

The read side of :class:`~audioclass_gui.review.session.ReviewSession`,
kept apart from how detections arrive (``session.py``) and how verdicts are
written (``session_writes.py``, ``session_edits.py``). Filters, orders and
summaries are in :mod:`audioclass_gui.review.query`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from audioclass_gui.review import query as _query
from audioclass_gui.review.detection import (
    STATUS_ORDER,
    Box,
    Detection,
    Stamp,
    Status,
    Verdict,
)
from audioclass_gui.review.session_types import Columns, PathKey, _absolute

__all__ = ["SessionReadsMixin"]

_STATUSES = STATUS_ORDER
_UNREVIEWED = _STATUSES.index(Status.UNREVIEWED)


class SessionReadsMixin:
    """Read-only accessors of :class:`~audioclass_gui.review.session.ReviewSession`."""

    # ------------------------------------------------------------- detections

    def __len__(self) -> int:
        """Number of detections."""
        return len(self._dets)

    def columns(self) -> Columns:
        """Read-only views of the detection columns (for fast queries)."""
        views = []
        for array in (
            self._scores,
            self._starts,
            self._ends,
            self._rec,
            self._spc,
            self._codes,
            self._labels,
        ):
            view = array.view()
            view.flags.writeable = False
            views.append(view)
        return Columns(self._first_id, *views)

    def _local(self, detection_id: int) -> int:
        local = int(detection_id) - self._first_id
        if not 0 <= local < len(self._dets):
            raise KeyError(f"no detection with id {detection_id} in this session")
        return local

    def get(self, detection_id: int) -> Detection:
        """Return the detection with this id (``KeyError`` if unknown)."""
        return self._dets[self._local(detection_id)]

    def get_many(self, ids: Iterable[int]) -> list[Detection]:
        """Return the detections with these ids, in the same order."""
        dets, first = self._dets, self._first_id
        return [dets[int(i) - first] for i in ids]

    def path_key(self, detection_id: int) -> PathKey:
        """Identity of a detection that survives restarts: path, frame, species."""
        local = self._local(detection_id)
        d = self._dets[local]
        return (
            str(self._recordings[int(self._rec[local])].path),
            round(d.start, 3),
            round(d.end, 3),
            d.scientific_name,
        )

    def ids_for(self, key: PathKey) -> list[int]:
        """Ids of the detections with this path key (several runs may share one)."""
        path, start, end, species = key
        rec = self._rec_by_path.get(str(_absolute(path)))
        spc = self._species_index.get(species)
        if rec is None or spc is None:
            return []
        return list(
            self._key_ids.get(
                (rec, round(float(start), 3), round(float(end), 3), spc), ()
            )
        )

    def status(self, detection_id: int) -> Status:
        """Return the status of a detection (``KeyError`` if unknown)."""
        return _STATUSES[int(self._codes[self._local(detection_id)])]

    def _verdict_local(self, local: int) -> Verdict:
        label = int(self._labels[local])
        return Verdict(
            status=_STATUSES[int(self._codes[local])],
            label=None if label < 0 else self._species[label],
            note=self._notes.get(local + self._first_id, ""),
        )

    def verdict(self, detection_id: int) -> Verdict:
        """Return the whole verdict of a detection (``KeyError`` if unknown)."""
        return self._verdict_local(self._local(detection_id))

    def effective_name(self, detection_id: int) -> str:
        """The species the verdict is about: the relabel, else the prediction."""
        label = int(self._labels[self._local(detection_id)])
        return (
            self.get(detection_id).scientific_name
            if label < 0
            else self._species[label]
        )

    def stamp(self, detection_id: int) -> Stamp | None:
        """Who gave the current verdict and when; None if never touched."""
        local = self._local(detection_id)
        by, at = int(self._by[local]), float(self._at[local])
        if by < 0 or math.isnan(at):
            return None
        return Stamp(self._users[by], dt.datetime.fromtimestamp(at, dt.UTC))

    def detections(self) -> list[Detection]:
        """Return all detections sorted by ``(recording, start, -score, id)``."""
        return self.get_many(self.query())

    def visible(self, threshold: float) -> list[Detection]:
        """Return detections with ``score >= threshold``, in display order."""
        return self.get_many(self.query(_query.DetectionFilter(min_score=threshold)))

    def counts(self, threshold: float | None = None) -> dict[Status, int]:
        """Count detections per status (``score >= threshold`` only, if given)."""
        codes = self._codes
        if threshold is not None:
            codes = codes[self._scores >= threshold]
        totals = np.bincount(codes, minlength=len(_STATUSES)).tolist()
        return {status: int(totals[code]) for code, status in enumerate(_STATUSES)}

    def reviewed(self) -> list[Detection]:
        """Return detections whose status is not UNREVIEWED, in display order."""
        order = self.query()
        keep = order[self._codes[order - self._first_id] != _UNREVIEWED]
        return self.get_many(keep)

    def judged(self) -> list[Detection]:
        """Detections with any verdict (a status, relabel or note), in display order."""
        order = self.query()
        local = order - self._first_id
        mask = (self._codes[local] != _UNREVIEWED) | (self._labels[local] >= 0)
        if self._notes:
            mask |= np.isin(order, np.fromiter(self._notes, dtype=np.int64))
        return self.get_many(order[mask])

    # ---------------------------------------------------------------- queries

    query = _query.query
    select = _query.select
    next_unreviewed = _query.next_unreviewed
    species_summary = _query.species_summary
    recording_summary = _query.recording_summary

    # ------------------------------------------------------------------ boxes

    def boxes(self, recording: str | Path | None = None) -> list[Box]:
        """Drawn boxes (of one recording, if given), in drawing order."""
        if recording is None:
            return list(self._boxes.values())
        path = _absolute(recording)
        return [b for b in self._boxes.values() if b.recording == path]

    def box(self, box_id: str) -> Box | None:
        """The box with this id, or None (deleted or unknown)."""
        return self._boxes.get(box_id)

    def box_stamp(self, box_id: str) -> Stamp | None:
        """Who drew or last changed a box, and when."""
        stamp = self._box_stamps.get(box_id)
        if stamp is None or box_id not in self._boxes:
            return None
        return Stamp(self._users[stamp[0]], dt.datetime.fromtimestamp(stamp[1], dt.UTC))
