"""Reference examples: a species' best verified calls in a project, to compare against.

While judging a detection, a reviewer compares it with calls of the same
species already verified in the project. :class:`ReferenceFinder` lists
them: detections accepted as the species (relabels to it included) and
boxes drawn and tagged with it, best first, spread over recordings.

Cost does not grow with the number of detections: only the rows with a
verdict are read (the verdict book keeps them; a project of 20 million
detections has as many verdicts as a person gave), grouped once by species
after each change of verdicts, so listing a species' examples while
stepping through detections reads a few small arrays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from audioclass_gui.review.detection import STATUS_CODE, Box, Stamp, Status

if TYPE_CHECKING:
    from audioclass_gui.review.rows import Rows
    from audioclass_gui.review.session import ReviewSession

__all__ = ["DEFAULT_COUNT", "ReferenceExample", "ReferenceFinder", "recording_start"]

#: How many examples are listed unless asked otherwise.
DEFAULT_COUNT = 6
_ACCEPTED = STATUS_CODE[Status.ACCEPTED]


@dataclass(frozen=True, slots=True)
class ReferenceExample:
    """One verified call of a species.

    Attributes
    ----------
    kind
        ``"detection"`` (an accepted detection) or ``"box"`` (a drawn box).
    key
        The detection id, or the box id.
    recording
        Absolute path of its recording.
    start, end
        Seconds from the start of the recording.
    low_freq, high_freq
        A box's band in Hz; None for a detection or a time interval.
    scientific_name
        The species it is an example of.
    score
        The model's score for this species; None for a relabel (the score
        was for another species) and a drawn box.
    predicted
        For a relabel, the species the model had predicted, as the window
        names it (common name, else scientific); else None.
    reviewer
        Who accepted (or drew) it; "" when not known.
    at
        When, timezone-aware; None when not known.
    recording_start
        When its recording began (for clock times); None when unknown.
    recording_duration
        Its recording's length in seconds (0 when unknown).
    """

    kind: Literal["detection", "box"]
    key: int | str
    recording: Path
    start: float
    end: float
    low_freq: float | None
    high_freq: float | None
    scientific_name: str
    score: float | None
    predicted: str | None = None
    reviewer: str = ""
    at: dt.datetime | None = None
    recording_start: dt.datetime | None = None
    recording_duration: float = 0.0

    @property
    def name(self) -> str:
        """The recording's file name."""
        return self.recording.name


def recording_start(recording: Any) -> dt.datetime | None:
    """When a ``soundevent`` recording began (its ``date`` and ``time``), or None."""
    date = getattr(recording, "date", None)
    if date is None:
        return None
    return dt.datetime.combine(date, getattr(recording, "time", None) or dt.time(0, 0))


@dataclass(frozen=True)
class _Accepted:
    """Accepted rows of one species, one per window, best first (no objects made)."""

    rows: np.ndarray  # session rows
    recording: np.ndarray
    start: np.ndarray
    end: np.ndarray
    score: np.ndarray  # nan for relabels


_NONE = _Accepted(*(np.empty(0, np.int64) for _ in range(3)), np.empty(0), np.empty(0))


class ReferenceFinder:
    """Lists a species' best verified calls in a session.

    Parameters
    ----------
    session
        The review session (a project's: every recording).

    Notes
    -----
    Call :meth:`update` with the ids whose verdicts changed and
    :meth:`invalidate` when detections come or go (the app model does so on
    the session's signals); each species' rows are sorted again when next
    asked for.
    """

    def __init__(self, session: ReviewSession) -> None:
        self.session = session
        # Every accepted row (no order), then each species' rows as asked for.
        self._all: _Accepted | None = None
        self._effective: np.ndarray | None = None
        self._by_species: dict[int, _Accepted] = {}

    def invalidate(self) -> None:
        """The detections were dropped (a re-run): read the accepted rows again when next asked."""
        self._all = self._effective = None
        self._by_species = {}

    def update(self, ids: Sequence[int] | np.ndarray) -> None:
        """These detections' verdicts changed (or they are new): take them out and in again.

        Costs one pass over the accepted rows (no sort, no Python loop), so a
        verdict in a project of many verdicts stays cheap. Boxes need no
        update: they are read at every query.
        """
        if self._all is None or self._effective is None:
            return
        table = self.session.table
        rows = np.asarray(ids, np.int64) - table.first_id
        rows = rows[(rows >= 0) & (rows < len(table.rows))]
        stale = np.isin(self._all.rows, rows)
        fresh, effective = _read_accepted(table.rows, rows)
        for species in set(self._effective[stale].tolist()) | set(effective.tolist()):
            self._by_species.pop(species, None)
        keep = np.flatnonzero(~stale)
        self._all = _join(_take(self._all, keep), fresh)
        self._effective = np.concatenate((self._effective[keep], effective))

    # ------------------------------------------------------------ queries
    def examples(
        self,
        scientific_name: str,
        count: int = DEFAULT_COUNT,
        *,
        exclude_detection: int | None = None,
        exclude_box: str | None = None,
    ) -> list[ReferenceExample]:
        """Up to ``count`` verified calls of a species, best first.

        Accepted detections of the species (relabels to it included; the
        twins a window has in several runs count once) and boxes tagged
        with it. The best is the highest score; relabels and boxes, which
        have no score for the species, come after scored ones, newest
        first. Recordings are spread: each recording's best is taken before
        any recording's second, so one loud recording does not fill the
        list.

        Parameters
        ----------
        scientific_name
            The species.
        count
            How many at most.
        exclude_detection
            A detection id left out with every detection of its window (the
            one being judged).
        exclude_box
            A box id left out.

        Returns
        -------
        list of ReferenceExample
            Ordered best first.
        """
        if count <= 0 or not scientific_name:
            return []
        session = self.session
        species = session.species_registry.get(scientific_name)
        accepted = _NONE if species is None else self._accepted(species)
        keep = np.ones(len(accepted.rows), bool)
        skip = self._window_of(exclude_detection)
        if skip is not None:
            keep &= ~(
                (accepted.recording == skip[0])
                & (np.round(accepted.start, 3) == skip[1])
                & (np.round(accepted.end, 3) == skip[2])
            )
        rows = accepted.rows[keep]
        score = accepted.score[keep]
        unscored = np.isnan(score)
        when = np.zeros(len(rows))
        when[unscored] = [self._stamp_time(int(row)) for row in rows[unscored].tolist()]
        boxes = [
            b for b in session.boxes() if b.scientific_name == scientific_name and b.id != exclude_box
        ]
        box_recording = [session.recording_index(b.recording) for b in boxes]
        box_when = [_epoch(session.box_stamp(b.id)) for b in boxes]
        # Scored detections first, best first; then relabels and boxes, newest first.
        tier = np.concatenate((unscored, np.ones(len(boxes), bool))).astype(np.int8)
        value = np.concatenate((np.where(unscored, -when, -score), -np.asarray(box_when, float)))
        recording = np.concatenate((
            accepted.recording[keep],
            [-1 - j if r is None else r for j, r in enumerate(box_recording)],
        )).astype(np.int64)
        order = np.lexsort((value, tier))
        rank = _rank_within(recording[order])
        chosen = np.sort(np.lexsort((np.arange(len(order)), rank))[:count])
        out = []
        for position in order[chosen].tolist():
            if position < len(rows):
                out.append(self._detection(int(rows[position]), float(score[position]), scientific_name))
            else:
                out.append(self._box(boxes[position - len(rows)]))
        return out

    def species_with_examples(self) -> list[str]:
        """Scientific names of the species with at least one verified call."""
        names = self.session.species_registry
        _rows, effective = self._read()
        found = {names.name(k) for k in np.unique(effective).tolist()}
        found.update(b.scientific_name for b in self.session.boxes() if b.scientific_name)
        return sorted(found)

    # ----------------------------------------------------------- internal
    def _window_of(self, detection_id: int | None) -> tuple[int, float, float] | None:
        if detection_id is None:
            return None
        table = self.session.table
        try:
            local = table.local(detection_id)
        except KeyError:
            return None
        r = table.rows
        return (
            int(r["recording"][local]),
            round(float(r["start"][local]), 3),
            round(float(r["end"][local]), 3),
        )

    def _accepted(self, species: int) -> _Accepted:
        """One species' accepted rows, one per window, best score first (relabels last).

        Every accepted row is read once after a change (the verdict book's
        rows, not the session's); each species is then sorted when first asked.
        """
        found = self._by_species.get(species)
        if found is None:
            rows, effective = self._read()
            found = self._by_species[species] = _best_per_window(
                _take(rows, np.flatnonzero(effective == species))
            )
        return found

    def _read(self) -> tuple[_Accepted, np.ndarray]:
        """Every accepted row and the species it is accepted as (read once after a re-run)."""
        if self._all is None or self._effective is None:
            self._all, self._effective = _read_accepted(
                self.session.table.rows, self.session.verdict_book.judged_rows()
            )
        return self._all, self._effective

    def _stamp_time(self, row: int) -> float:
        return _epoch(self.session.verdict_book.stamp(row))

    def _box(self, box: Box) -> ReferenceExample:
        session = self.session
        stamp = session.box_stamp(box.id)
        index = session.recording_index(box.recording)
        rec = session.recordings[index] if index is not None else None
        return ReferenceExample(
            "box", box.id, Path(box.recording), box.start, box.end,
            box.low_freq, box.high_freq, box.scientific_name, None,
            reviewer=stamp.reviewer.name if stamp is not None else "",
            at=stamp.at if stamp is not None else None,
            recording_start=recording_start(rec),
            recording_duration=_duration(rec),
        )

    def _detection(self, row: int, score: float, name: str) -> ReferenceExample:
        session = self.session
        rows = session.table.rows
        stamp = session.verdict_book.stamp(row)
        rec = session.recordings[int(rows["recording"][row])]
        predicted = session.species_registry.name(int(rows["species"][row]))
        return ReferenceExample(
            "detection", row + session.table.first_id, Path(rec.path),
            float(rows["start"][row]), float(rows["end"][row]), None, None, name,
            None if np.isnan(score) else score,
            predicted=None if predicted == name else session.common_name(predicted) or predicted,
            reviewer=stamp.reviewer.name if stamp is not None else "",
            at=stamp.at if stamp is not None else None,
            recording_start=recording_start(rec),
            recording_duration=_duration(rec),
        )


def _epoch(stamp: Stamp | None) -> float:
    """Epoch seconds of a stamp (0 when there is none)."""
    return stamp.at.timestamp() if stamp is not None else 0.0


def _duration(recording: Any) -> float:
    return float(getattr(recording, "duration", 0.0) or 0.0)


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """For each element, how many earlier elements share its group (0 for the first)."""
    by_group = np.argsort(groups, kind="stable")
    ordered = groups[by_group]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(ordered)])
    rank = np.empty(len(groups), np.int64)
    rank[by_group] = np.arange(len(ordered)) - np.repeat(starts, sizes)
    return rank


def _take(rows: _Accepted, which: np.ndarray) -> _Accepted:
    return _Accepted(
        rows.rows[which], rows.recording[which], rows.start[which], rows.end[which], rows.score[which]
    )


def _best_per_window(rows: _Accepted) -> _Accepted:
    """The rows best score first (relabels last), a window's twins (one per run) once."""
    order = np.lexsort((rows.rows, np.nan_to_num(-rows.score, nan=np.inf)))
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    start_ms, end_ms = np.round(rows.start * 1000), np.round(rows.end * 1000)
    by_window = np.lexsort((rank, end_ms, start_ms, rows.recording))
    keys = np.stack((rows.recording, start_ms, end_ms))[:, by_window]
    first = np.r_[True, (keys[:, 1:] != keys[:, :-1]).any(axis=0)] if len(order) else []
    keep = np.zeros(len(order), bool)
    keep[by_window[first]] = True
    return _take(rows, order[keep[order]])


def _read_accepted(r: Rows, rows: np.ndarray) -> tuple[_Accepted, np.ndarray]:
    """The accepted ones of ``rows``, and the species each is accepted as."""
    rows = rows[r["status"][rows] == _ACCEPTED]
    predicted = r["species"][rows].astype(np.int64)
    label = r["label"][rows].astype(np.int64)
    effective = np.where(label >= 0, label, predicted)
    accepted = _Accepted(
        rows.astype(np.int64),
        r["recording"][rows].astype(np.int64),
        np.asarray(r["start"][rows], np.float64),
        np.asarray(r["end"][rows], np.float64),
        np.where(effective == predicted, r["score"][rows], np.nan),
    )
    return accepted, effective


def _join(a: _Accepted, b: _Accepted) -> _Accepted:
    return _Accepted(*(np.concatenate(pair) for pair in zip(
        (a.rows, a.recording, a.start, a.end, a.score),
        (b.rows, b.recording, b.start, b.end, b.score),
        strict=True,
    )))
