"""Reading a review session: detections, verdicts, stamps, counts, boxes.

The read side of :class:`~audioclass_gui.review.session.ReviewSession`,
kept apart from how detections arrive (``session.py``) and how verdicts are
written (``session_writes.py``, ``session_edits.py``). Filters, orders and
summaries are in :mod:`audioclass_gui.review.query`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from soundevent import data, terms

from audioclass_gui.review import query as _query
from audioclass_gui.review.detection import (
    STATUS_ORDER,
    Box,
    Detection,
    Stamp,
    Status,
    Verdict,
    frame_clip,
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
        return len(self._rows)

    def columns(self) -> Columns:
        """Read-only views of the detection columns (for fast queries)."""
        r = self._rows
        return Columns(
            self._first_id,
            *(
                r.view(name)
                for name in ("score", "start", "end", "recording", "species", "status", "label")
            ),
        )

    def _local(self, detection_id: int) -> int:
        local = int(detection_id) - self._first_id
        if not 0 <= local < len(self._rows):
            raise KeyError(f"no detection with id {detection_id} in this session")
        return local

    def _make(self, local: int) -> Detection:
        """The detection of one row, made from the columns."""
        r = self._rows
        spc = int(r["species"][local])
        name = self._species[spc]
        run = self._run_keys[int(r["run"][local])]
        recording = self._recordings[int(r["recording"][local])]
        start, end = float(r["start"][local]), float(r["end"][local])
        window = int(r["window"][local])
        if window >= 0:
            source: Any = self._predictions[window]
            tag = next(
                (t.tag for t in source.tags if str(t.tag.value) == name),
                None,
            ) or self._tag(spc)
        else:
            tag = self._tag(spc)
            source = partial(self._stored_prediction, local)
        common = self._names.get(name)
        if common is None:
            common = self._lookup_common(tag)
        return Detection(
            id=local + self._first_id,
            tag=tag,
            scientific_name=name,
            common_name=common,
            score=float(r["score"][local]),
            start=start,
            end=end,
            run=run,
            recording=recording,
            source=source,
        )

    def _tag(self, spc: int) -> data.Tag:
        tag = self._tags.get(spc)
        if tag is None:
            tag = data.Tag(term=terms.scientific_name, value=self._species[spc])
            self._tags[spc] = tag
        return tag

    def _window_rows(self, local: int) -> np.ndarray:
        """Rows of the same run, recording and frame as ``local``, best score first."""
        r = self._rows
        rec = r["recording"]
        mask = (
            (rec == rec[local])
            & (r["start"] == r["start"][local])
            & (r["end"] == r["end"][local])
            & (r["run"] == r["run"][local])
        )
        rows = np.flatnonzero(mask)
        return rows[np.argsort(-r["score"][rows], kind="stable")]

    def _stored_prediction(self, local: int) -> data.ClipPrediction:
        """The clip prediction of a row added as columns (every class of its frame)."""
        r = self._rows
        rows = self._window_rows(local)
        clip = frame_clip(
            self._recordings[int(r["recording"][local])],
            float(r["start"][local]),
            float(r["end"][local]),
        )
        return data.ClipPrediction(
            clip=clip,
            tags=[
                data.PredictedTag(
                    tag=self._tag(int(r["species"][i])), score=float(r["score"][i])
                )
                for i in rows.tolist()
            ],
        )

    def _stored_predictions(self, rows: np.ndarray) -> list[data.ClipPrediction]:
        """Clip predictions of rows added as columns, one per run and frame."""
        r = self._rows
        rows = np.asarray(rows, np.int64)
        order = np.lexsort(
            (-r["score"][rows], r["end"][rows], r["start"][rows], r["recording"][rows], r["run"][rows])
        )
        rows = rows[order]
        out: list[data.ClipPrediction] = []
        keys = np.stack(
            (r["run"][rows], r["recording"][rows], r["start"][rows], r["end"][rows]), axis=1
        ) if len(rows) else np.empty((0, 4))
        change = np.ones(len(rows), bool)
        if len(rows) > 1:
            change[1:] = np.any(keys[1:] != keys[:-1], axis=1)
        bounds = np.append(np.flatnonzero(change), len(rows))
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            first = int(rows[a])
            clip = frame_clip(
                self._recordings[int(r["recording"][first])],
                float(r["start"][first]),
                float(r["end"][first]),
            )
            out.append(
                data.ClipPrediction(
                    clip=clip,
                    tags=[
                        data.PredictedTag(
                            tag=self._tag(int(r["species"][i])), score=float(r["score"][i])
                        )
                        for i in rows[a:b].tolist()
                    ],
                )
            )
        return out

    def get(self, detection_id: int) -> Detection:
        """Return the detection with this id (``KeyError`` if unknown)."""
        return self._make(self._local(detection_id))

    def get_many(self, ids: Iterable[int]) -> list[Detection]:
        """Return the detections with these ids, in the same order."""
        n, first = len(self._rows), self._first_id
        out = []
        for i in ids:
            local = int(i) - first
            if not 0 <= local < n:
                raise KeyError(f"no detection with id {i} in this session")
            out.append(self._make(local))
        return out

    def path_key(self, detection_id: int) -> PathKey:
        """Identity of a detection that survives restarts: path, frame, species."""
        local = self._local(detection_id)
        r = self._rows
        return (
            str(self._recordings[int(r["recording"][local])].path),
            round(float(r["start"][local]), 3),
            round(float(r["end"][local]), 3),
            self._species[int(r["species"][local])],
        )

    def _key_rows(self, local: int) -> list[int]:
        """Rows sharing the path key of row ``local`` (itself included), in order."""
        r = self._rows
        values = {
            name: r[name][local : local + 1]
            for name in ("recording", "start", "end", "species")
        }
        _which, rows = self._lookup.find(values)
        return rows.tolist() or [local]

    def ids_for(self, key: PathKey) -> list[int]:
        """Ids of the detections with this path key (several runs may share one)."""
        path, start, end, species = key
        rec = self._rec_by_path.get(str(_absolute(path)))
        spc = self._species_index.get(species)
        if rec is None or spc is None:
            return []
        _which, rows = self._lookup.find(
            {
                "recording": np.array([rec]),
                "start": np.array([float(start)]),
                "end": np.array([float(end)]),
                "species": np.array([spc]),
            }
        )
        return (rows + self._first_id).tolist()

    def status(self, detection_id: int) -> Status:
        """Return the status of a detection (``KeyError`` if unknown)."""
        return _STATUSES[int(self._rows["status"][self._local(detection_id)])]

    def _verdict_local(self, local: int) -> Verdict:
        label = int(self._rows["label"][local])
        return Verdict(
            status=_STATUSES[int(self._rows["status"][local])],
            label=None if label < 0 else self._species[label],
            note=self._notes.get(local + self._first_id, ""),
        )

    def verdict(self, detection_id: int) -> Verdict:
        """Return the whole verdict of a detection (``KeyError`` if unknown)."""
        return self._verdict_local(self._local(detection_id))

    def effective_name(self, detection_id: int) -> str:
        """The species the verdict is about: the relabel, else the prediction."""
        local = self._local(detection_id)
        label = int(self._rows["label"][local])
        return self._species[int(self._rows["species"][local]) if label < 0 else label]

    def stamp(self, detection_id: int) -> Stamp | None:
        """Who gave the current verdict and when; None if never touched."""
        stamp = self._stamps.get(self._local(detection_id))
        if stamp is None or stamp[0] < 0 or math.isnan(stamp[1]):
            return None
        return Stamp(self._users[stamp[0]], dt.datetime.fromtimestamp(stamp[1], dt.UTC))

    def detections(self) -> list[Detection]:
        """Return all detections sorted by ``(recording, start, -score, id)``."""
        return self.get_many(self.query())

    def visible(self, threshold: float) -> list[Detection]:
        """Return detections with ``score >= threshold``, in display order."""
        return self.get_many(self.query(_query.DetectionFilter(min_score=threshold)))

    def counts(self, threshold: float | None = None) -> dict[Status, int]:
        """Count detections per status (``score >= threshold`` only, if given)."""
        if threshold is None or not self._indexed:
            codes = self._rows["status"]
            if threshold is not None:
                codes = codes[self._rows["score"] >= threshold]
            totals = np.bincount(codes, minlength=len(_STATUSES)).tolist()
        else:  # from the score indexes, and the rows with a verdict
            r = self._rows
            rest = self._unindexed_rows()
            total = int((r["score"][rest] >= threshold).sum())
            per_species = np.full(len(self._species), float(threshold))
            for block in self._indexed:
                total += int(block.per_species(per_species, len(self._species))[0].sum())
            judged = self._judged_rows()
            judged = judged[r["score"][judged] >= threshold]
            totals = np.bincount(r["status"][judged], minlength=len(_STATUSES)).tolist()
            totals[_UNREVIEWED] = total - (len(judged) - totals[_UNREVIEWED])
        return {status: int(totals[code]) for code, status in enumerate(_STATUSES)}

    def reviewed(self) -> list[Detection]:
        """Return detections whose status is not UNREVIEWED, in display order."""
        rows = self._judged_rows()
        rows = rows[self._rows["status"][rows] != _UNREVIEWED]
        return self.get_many(_query._sorted(self, rows, _query.Order.TIME) + self._first_id)

    def _judged_rows(self) -> np.ndarray:
        """Rows with any verdict (a status, relabel or note), ascending.

        Every verdict ever set left a stamp, so only stamped rows are read.
        """
        if not self._stamps:
            return np.empty(0, np.int64)
        r = self._rows
        rows = np.fromiter(self._stamps, np.int64, len(self._stamps))
        rows.sort()
        mask = (r["status"][rows] != _UNREVIEWED) | (r["label"][rows] >= 0)
        if self._notes:
            mask |= np.isin(rows + self._first_id, np.fromiter(self._notes, np.int64))
        return rows[mask]

    def _unindexed_rows(self) -> np.ndarray:
        """Rows that no score index covers (counted by reading them), ascending."""
        key = ("unindexed",)
        cached = self.cache.get(key)
        if cached is None:
            n = len(self._rows)
            covered = sorted(
                (b.first, b.first + int(b.index.recording_bounds[-1])) for b in self._indexed
            )
            parts, at = [], 0
            for a, b in covered:
                parts.append(np.arange(at, a, dtype=np.int64))
                at = b
            parts.append(np.arange(at, n, dtype=np.int64))
            cached = np.concatenate(parts)
            self.cache[key] = cached
        return cached

    def judged(self) -> list[Detection]:
        """Detections with any verdict (a status, relabel or note), in display order."""
        rows = _query._sorted(self, self._judged_rows(), _query.Order.TIME)
        return self.get_many(rows + self._first_id)

    def judged_count(self) -> int:
        """How many detections have a verdict (without making them)."""
        return len(self._judged_rows())

    def verdict_columns(self) -> dict[str, Any]:
        """Runs, stamps and notes of every row in bulk (tables of millions of verdicts).

        Returns
        -------
        dict
            ``run``: each row's index into ``run_keys`` (a read-only view);
            ``stamped``: the rows with a stamp, ascending, with their
            ``reviewer`` (index into :attr:`users`) and ``at`` (epoch
            seconds); ``notes``: row -> note (a copy). A row is an id minus
            ``columns().first_id``.
        """
        stamped = np.fromiter(self._stamps, np.int64, len(self._stamps))
        order = np.argsort(stamped, kind="stable")
        flat = itertools.chain.from_iterable(self._stamps.values())  # (reviewer, at) pairs
        values = np.fromiter(flat, np.float64, 2 * len(order)).reshape(-1, 2)[order]
        first = self._first_id
        return {
            "run": self._rows.view("run"),
            "run_keys": list(self._run_keys),
            "stamped": stamped[order],
            "reviewer": values[:, 0].astype(np.int64),
            "at": values[:, 1],
            "notes": {i - first: note for i, note in self._notes.items()},
        }

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
