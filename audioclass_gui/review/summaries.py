"""Summaries of a review session: progress per species and per recording, status counts.

Pure functions of the session's columns (numpy counts), used by the species
panel and the recording list. Re-exported by
:mod:`audioclass_gui.review.query`; the session exposes them as
``session.species_summary(...)``, ``session.recording_summary(...)`` and
``session.counts(...)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.detection import STATUS_CODE, STATUS_ORDER, Status

if TYPE_CHECKING:
    from audioclass_gui.review.query import DetectionFilter
    from audioclass_gui.review.session import ReviewSession

__all__ = [
    "RecordingSummary",
    "SpeciesSummary",
    "recording_summary",
    "species_summary",
    "status_counts",
]

_STATUSES = STATUS_ORDER
_CODE = STATUS_CODE


@dataclass(frozen=True, slots=True)
class SpeciesSummary:
    """Review progress of one species across all recordings.

    Attributes
    ----------
    scientific_name, common_name : str
    detections : int
        Detections predicted as this species (passing the filter).
    accepted, rejected, uncertain : int
        Of those, by status, not counting relabelled ones.
    relabelled : int
        Of those, relabelled to another species.
    open : int
        Of those, still unreviewed.
    relabelled_to : int
        Detections of other species relabelled as this one.
    boxes : int
        Boxes drawn and tagged with this species.
    max_score : float
        Highest score of its detections (nan without detections).
    """

    scientific_name: str
    common_name: str
    detections: int
    accepted: int
    rejected: int
    uncertain: int
    relabelled: int
    open: int
    relabelled_to: int
    boxes: int
    max_score: float

    @property
    def reviewed(self) -> int:
        """Detections with a verdict."""
        return self.detections - self.open


def species_summary(
    session: ReviewSession, filter: DetectionFilter | None = None
) -> list[SpeciesSummary]:
    """Per species: detections, accepted, rejected, uncertain, relabelled, open.

    Species are sorted by number of detections (most first), then name;
    species seen only as boxes or relabel targets come last.
    """
    names = session.species_list()
    k = len(names)
    if _indexed(session, filter):
        total, acc, rej, unc, opn, rel, into, best = _species_counts_indexed(
            session, filter, k
        )
    else:
        total, acc, rej, unc, opn, rel, into, best = _species_counts_scan(
            session, filter, k
        )
    boxes: dict[str, int] = {}
    for box in session.boxes():
        if box.scientific_name:
            boxes[box.scientific_name] = boxes.get(box.scientific_name, 0) + 1
    out = [
        SpeciesSummary(
            name,
            session.common_name(name),
            total[i],
            acc[i],
            rej[i],
            unc[i],
            rel[i],
            opn[i],
            into[i],
            boxes.get(name, 0),
            float(best[i]),
        )
        for i, name in enumerate(names)
        if total[i] or into[i] or boxes.get(name)
    ]
    out.sort(key=lambda s: (-s.detections, s.scientific_name))
    return out


@dataclass(frozen=True, slots=True)
class RecordingSummary:
    """Review progress of one recording.

    Attributes
    ----------
    path : pathlib.Path
    duration : float
        Seconds.
    start : datetime.datetime or None
        When the recording started (from its ``date`` and ``time``).
    detections, reviewed, accepted, rejected, uncertain, open, boxes : int
        Counts of detections passing the filter, and of drawn boxes.
    """

    path: Path
    duration: float
    start: dt.datetime | None
    detections: int
    reviewed: int
    accepted: int
    rejected: int
    uncertain: int
    open: int
    boxes: int

    @property
    def progress(self) -> float:
        """Reviewed fraction (1.0 when there is nothing to review)."""
        return 1.0 if self.detections == 0 else self.reviewed / self.detections


def _start_of(recording) -> dt.datetime | None:
    date = getattr(recording, "date", None)
    if date is None:
        return None
    clock = getattr(recording, "time", None) or dt.time(0, 0)
    return dt.datetime.combine(date, clock)


def recording_summary(
    session: ReviewSession, filter: DetectionFilter | None = None
) -> list[RecordingSummary]:
    """Per recording (every one, in session order): duration, start, counts."""
    recordings = session.recordings
    k = len(recordings)
    total, by = _recording_counts(session, filter, k)
    boxes: dict[Path, int] = {}
    for box in session.boxes():
        boxes[box.recording] = boxes.get(box.recording, 0) + 1
    out = []
    for i, recording in enumerate(recordings):
        path = Path(recording.path)
        out.append(
            RecordingSummary(
                path=path,
                duration=float(getattr(recording, "duration", 0.0) or 0.0),
                start=_start_of(recording),
                detections=total[i],
                reviewed=total[i] - by[Status.UNREVIEWED][i],
                accepted=by[Status.ACCEPTED][i],
                rejected=by[Status.REJECTED][i],
                uncertain=by[Status.UNCERTAIN][i],
                open=by[Status.UNREVIEWED][i],
                boxes=boxes.get(path, 0),
            )
        )
    return out


def _indexed(session: ReviewSession, filter: DetectionFilter | None) -> bool:
    """Whether counts can come from score indexes: thresholds are the only condition."""
    return bool(session.table.indexed) and (
        filter is None
        or (
            filter.species is None
            and filter.statuses is None
            and filter.max_score is None
            and filter.recordings is None
            and filter.relabelled is None
        )
    )


def _thresholds(session: ReviewSession, filter: DetectionFilter | None, k: int) -> np.ndarray:
    """Per species index, the lowest score the filter keeps."""
    if filter is None:
        return np.full(k, -np.inf)
    out = np.full(k, float(filter.min_score))
    for name, value in filter.thresholds:
        index = session.species_registry.get(name)
        if index is not None:
            out[index] = value
    return out


def _species_counts_scan(
    session: ReviewSession, filter: DetectionFilter | None, k: int
) -> tuple[list[int], ...]:
    """Per species counts by reading every row passing ``filter``."""
    cols = session.columns()
    mask = np.ones(len(cols.score), bool) if filter is None else filter.mask(session)
    spc, status, label, score = (
        cols.species[mask],
        cols.status[mask],
        cols.label[mask],
        cols.score[mask],
    )
    relabelled = (label >= 0) & (label != spc)

    def count(sel: np.ndarray) -> list[int]:
        return np.bincount(spc[sel], minlength=k).tolist()

    plain = ~relabelled
    best = np.full(k, np.nan)
    if len(spc):
        np.fmax.at(best, spc, score)
    return (
        np.bincount(spc, minlength=k).tolist(),
        count(plain & (status == _CODE[Status.ACCEPTED])),
        count(plain & (status == _CODE[Status.REJECTED])),
        count(plain & (status == _CODE[Status.UNCERTAIN])),
        count(plain & (status == _CODE[Status.UNREVIEWED])),
        count(relabelled),
        np.bincount(label[relabelled], minlength=k).tolist(),
        best,
    )


def _species_counts_indexed(
    session: ReviewSession, filter: DetectionFilter | None, k: int
) -> tuple[list[int], ...]:
    """The same counts from the score indexes, reading only unindexed and judged rows."""
    cols = session.columns()
    thr = _thresholds(session, filter, k)
    total = np.zeros(k, np.int64)
    best = np.full(k, np.nan)
    for block in session.table.indexed:
        counts, top = block.per_species(thr, k)
        total += counts
        best = np.fmax(best, top)
    rest = session.table.unindexed_rows()
    rest = rest[cols.score[rest] >= thr[cols.species[rest]]]
    total += np.bincount(cols.species[rest], minlength=k)
    if len(rest):
        np.fmax.at(best, cols.species[rest], cols.score[rest])
    judged = session.verdict_book.judged_rows()
    judged = judged[cols.score[judged] >= thr[cols.species[judged]]]
    spc, status, label = cols.species[judged], cols.status[judged], cols.label[judged]
    relabelled = (label >= 0) & (label != spc)
    plain = ~relabelled

    def count(sel: np.ndarray) -> np.ndarray:
        return np.bincount(spc[sel], minlength=k)

    still_open = count(plain & (status == _CODE[Status.UNREVIEWED]))
    return (
        total.tolist(),
        count(plain & (status == _CODE[Status.ACCEPTED])).tolist(),
        count(plain & (status == _CODE[Status.REJECTED])).tolist(),
        count(plain & (status == _CODE[Status.UNCERTAIN])).tolist(),
        (total - np.bincount(spc, minlength=k) + still_open).tolist(),
        count(relabelled).tolist(),
        np.bincount(label[relabelled], minlength=k).tolist(),
        best,
    )


def _recording_counts(
    session: ReviewSession, filter: DetectionFilter | None, k: int
) -> tuple[list[int], dict[Status, list[int]]]:
    """Per recording: detections passing ``filter``, and per status."""
    cols = session.columns()
    if not _indexed(session, filter):
        mask = np.ones(len(cols.score), bool) if filter is None else filter.mask(session)
        rec, status = cols.recording[mask], cols.status[mask]
        total = np.bincount(rec, minlength=k)
        by = {s: np.bincount(rec[status == _CODE[s]], minlength=k).tolist() for s in _STATUSES}
        return total.tolist(), by
    n_species = len(session.species_list())
    thr = _thresholds(session, filter, n_species)
    default = -np.inf if filter is None else float(filter.min_score)
    own = {int(i): float(thr[i]) for i in np.flatnonzero(thr != default)}
    total = np.zeros(k, np.int64)
    for block in session.table.indexed:
        total += block.per_recording(default, own, k, cols.recording)
    rest = session.table.unindexed_rows()
    rest = rest[cols.score[rest] >= thr[cols.species[rest]]]
    total += np.bincount(cols.recording[rest], minlength=k)
    judged = session.verdict_book.judged_rows()
    judged = judged[cols.score[judged] >= thr[cols.species[judged]]]
    rec, status = cols.recording[judged], cols.status[judged]
    by = {s: np.bincount(rec[status == _CODE[s]], minlength=k) for s in _STATUSES}
    by[Status.UNREVIEWED] = total - sum(
        (v for s, v in by.items() if s is not Status.UNREVIEWED), np.zeros(k, np.int64)
    )
    return total.tolist(), {s: v.tolist() for s, v in by.items()}


def status_counts(session: ReviewSession, threshold: float | None = None) -> dict[Status, int]:
    """Count detections per status (``score >= threshold`` only, if given).

    With a threshold and score indexes, from the indexes and the rows with
    a verdict, without reading every row.
    """
    r = session.table.rows
    indexed = session.table.indexed
    if threshold is None or not indexed:
        codes = r["status"]
        if threshold is not None:
            codes = codes[r["score"] >= threshold]
        totals = np.bincount(codes, minlength=len(_STATUSES)).tolist()
    else:  # from the score indexes, and the rows with a verdict
        rest = session.table.unindexed_rows()
        total = int((r["score"][rest] >= threshold).sum())
        n_species = len(session.species_registry)
        per_species = np.full(n_species, float(threshold))
        for block in indexed:
            total += int(block.per_species(per_species, n_species)[0].sum())
        judged = session.verdict_book.judged_rows()
        judged = judged[r["score"][judged] >= threshold]
        totals = np.bincount(r["status"][judged], minlength=len(_STATUSES)).tolist()
        unreviewed = _CODE[Status.UNREVIEWED]
        totals[unreviewed] = total - (len(judged) - totals[unreviewed])
    return {status: int(totals[code]) for code, status in enumerate(_STATUSES)}
