"""The review session: detections of one or many recordings and their verdicts.

The session turns a model's clip predictions into :class:`Detection` objects,
keeps one :class:`Verdict` per detection (stamped with reviewer and time),
the boxes the reviewer drew, and announces changes with psygnal signals so
that widgets can follow it without this module importing Qt. Changes go
through invertible :class:`~audioclass_gui.review.edits.Edit` objects, which
the Qt layer keeps in its undo stack. Queries (filters, orders, navigation,
summaries) live in :mod:`audioclass_gui.review.query`; the session's methods
of the same names call them. The read side (detections, verdicts, stamps,
boxes) is in :mod:`audioclass_gui.review.session_reads`, shared types in
:mod:`audioclass_gui.review.session_types`.

A *recorder* (:class:`Recorder`, e.g. a project journal) makes every change
durable before the session announces it; if the recorder fails, the change
is taken back and the error propagates.

The session is not thread-safe: use it from the GUI thread only (workers hand
their clip predictions to the GUI thread, which calls :meth:`add_predictions`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from psygnal import Signal
from soundevent import data

from audioclass_gui.review.detection import (
    STATUS_CODE,
    STATUS_ORDER,
    Box,
    Detection,
    Status,
    Verdict,
)
from audioclass_gui.review.detection_list import DetectionList
from audioclass_gui.review.keys import first_of_keys, milliseconds
from audioclass_gui.review.row_lookup import RowLookup, in_display_order
from audioclass_gui.review.rows import Rows
from audioclass_gui.review.score_index import IndexedBlock, ScoreIndex
from audioclass_gui.review.session_edits import SessionEditsMixin
from audioclass_gui.review.session_reads import SessionReadsMixin
from audioclass_gui.review.session_registry import SessionRegistryMixin
from audioclass_gui.review.session_types import (
    Columns,
    PathKey,
    Recorder,
    default_reviewer,
)
from audioclass_gui.review.session_writes import SessionWritesMixin

__all__ = ["Columns", "PathKey", "Recorder", "ReviewSession", "default_reviewer"]

_STATUSES = STATUS_ORDER
_CODE = STATUS_CODE
_UNREVIEWED = _CODE[Status.UNREVIEWED]
# (positions among new rows, existing rows) pairs with the same path key
_Matches = tuple[np.ndarray, np.ndarray]


class ReviewSession(
    SessionReadsMixin, SessionRegistryMixin, SessionEditsMixin, SessionWritesMixin
):
    """Detections of one recording (or many) and their review.

    Parameters
    ----------
    recording
        The recording under review. When given, every clip prediction added
        later must belong to it (same uuid). When None, the session takes
        predictions of any recording (a project). A relative
        ``recording.path`` is made absolute in place, so that exported files
        point at the real file.
    common_name
        Optional function giving the common name of a tag (``None`` or ``""``
        when unknown); called once per distinct tag.
    reviewer
        Who reviews; defaults to :func:`default_reviewer`. Every verdict and
        box is stamped with the reviewer at the time and the time.

    Attributes
    ----------
    recording : soundevent.data.Recording or None
        The recording under review; None for a multi-recording session
        (see :attr:`recordings`).
    provenance : dict
        Free-form description of how the session's own run (``run=""``) was
        made. Exported as JSON in the model run.
    model_name : str
        Name of the model of the session's own run.
    recorder : Recorder or None
        Makes every change durable; None keeps changes in memory only.

    Notes
    -----
    Signals (psygnal):

    ``detections_added(Sequence[Detection])``
        After :meth:`add_predictions` or :meth:`add_columns` created
        detections (a lazy :class:`DetectionList`). Detections that got
        a remembered verdict back already carry it; no ``status_changed``
        is emitted for them.
    ``status_changed(list[int])``
        Ids whose verdict (status, relabel or note) changed, once per
        edit, never empty.
    ``boxes_changed(list[str])``
        Ids of boxes added, changed or deleted (query :meth:`box`, which
        returns None for a deleted one).
    ``cleared()``
        After :meth:`clear` dropped all predictions and detections.

    Detection ids are never reused: after :meth:`clear` new detections get
    fresh ids, and edits that still refer to old ids do nothing. Clear the
    undo stack on ``cleared``.

    Detections of different runs with the same recording, frame and species
    are the same question about the audio: they share one verdict.
    """

    detections_added = Signal(list)
    status_changed = Signal(list)
    boxes_changed = Signal(list)
    cleared = Signal()

    def __init__(
        self,
        recording: data.Recording | None = None,
        *,
        common_name: Callable[[data.Tag], str | None] | None = None,
        reviewer: data.User | None = None,
    ) -> None:
        self.recording: data.Recording | None = recording
        self.provenance: dict[str, Any] = {}
        self.model_name: str = ""
        self.recorder: Recorder | None = None
        self._single = recording is not None
        self._common_name = common_name
        self._names: dict[str, str] = {}
        self._users: list[data.User] = []
        self._user_index: dict[Any, int] = {}
        self.reviewer = reviewer if reviewer is not None else default_reviewer()
        self._recordings: list[data.Recording] = []
        self._rec_by_uuid: dict[Any, int] = {}
        self._rec_by_path: dict[str, int] = {}
        self._species: list[str] = []
        self._species_index: dict[str, int] = {}
        self._runs: dict[str, tuple[str, dict[str, Any]]] = {}
        # Verdicts (with reviewer index and epoch time) waiting for their detection.
        self._pending: dict[PathKey, tuple[Verdict, int, float]] = {}
        self._boxes: dict[str, Box] = {}
        self._box_stamps: dict[str, tuple[int, float]] = {}
        self._next_id = 0
        self._tags: dict[int, data.Tag] = {}
        self.generation = 0
        self.cache: dict[Any, Any] = {}
        if recording is not None:
            self._register_recording(recording)
        self._reset()

    # ------------------------------------------------------------------ state

    def _reset(self) -> None:
        self._predictions: list[data.ClipPrediction] = []
        self._prediction_runs: list[str] = []
        self._first_id = self._next_id
        self._rows = Rows()
        self._lookup = RowLookup(self._rows)
        self._notes: dict[int, str] = {}
        # row -> (reviewer index, epoch time) of the row's current verdict
        self._stamps: dict[int, tuple[int, float]] = {}
        self._run_keys: list[str] = []
        self._run_index: dict[str, int] = {}
        self._provisional: list[str] = []
        self._indexed: list[IndexedBlock] = []
        self._touch()

    def _touch(self) -> None:
        self.generation += 1
        self.cache.clear()

    def _run_codes(self, keys: Sequence[str]) -> np.ndarray:
        """Codes of run keys; new keys get the next codes, taken by :meth:`_append_rows`.

        A run is registered only once rows of it are added, so that a run
        whose every detection was already there is not listed.
        """
        self._provisional = []
        codes = []
        for key in keys:
            code = self._run_index.get(key)
            if code is None:
                if key not in self._provisional:
                    self._provisional.append(key)
                code = len(self._run_keys) + self._provisional.index(key)
            codes.append(code)
        return np.asarray(codes, np.int32)

    def _model_of(self, run: str) -> str:
        return "" if run == "" else self._runs.get(run, (run, {}))[0]

    def add_predictions(
        self, predictions: Sequence[data.ClipPrediction], *, run: str = ""
    ) -> list[Detection]:
        """Add clip predictions and make one detection per predicted tag.

        Parameters
        ----------
        predictions
            Clip predictions (of this session's recording, for a
            single-recording session).
        run
            Key of the run they come from ("" for the session's own); name
            it first with :meth:`set_run`. A detection identical to one
            already present (same recording, frame, species and model name
            of the run) is skipped, so loading a file twice, or a run and
            its export, does not duplicate anything.

        Returns
        -------
        list of Detection
            The new detections, in the order of ``predictions`` and their
            tags. A detection whose recording, frame and species had a
            verdict (before the last :meth:`clear`, or restored from a
            journal) gets that verdict back.

        Raises
        ------
        ValueError
            If a prediction belongs to another recording (single-recording
            session only).
        """
        scores: list[float] = []
        starts: list[float] = []
        ends: list[float] = []
        recs: list[int] = []
        spcs: list[int] = []
        owner: list[int] = []
        for number, prediction in enumerate(predictions):
            clip = prediction.clip
            rec = self._recording_of(clip)
            start, end = float(clip.start_time), float(clip.end_time)
            for predicted in prediction.tags:
                tag = predicted.tag
                name = str(tag.value)
                if name not in self._names:
                    self._lookup_common(tag)
                scores.append(float(predicted.score))
                starts.append(start)
                ends.append(end)
                recs.append(rec)
                spcs.append(self._species_id(name))
                owner.append(number)
        values = {
            "score": np.asarray(scores, np.float64),
            "start": np.asarray(starts, np.float64),
            "end": np.asarray(ends, np.float64),
            "recording": np.asarray(recs, np.int32),
            "species": np.asarray(spcs, np.int32),
        }
        owners = np.asarray(owner, np.int64)
        values["run"] = np.broadcast_to(self._run_codes([run])[0], (len(scores),))
        keep, matches = self._new_rows(values)
        # A prediction is kept when one of its tags is new, or when it has none.
        kept = np.zeros(len(predictions), bool)
        kept[owners[keep]] = True
        for number, prediction in enumerate(predictions):
            if not prediction.tags:
                kept[number] = True
        first_window = len(self._predictions)
        window_of = np.cumsum(kept) - 1 + first_window
        for number in np.flatnonzero(kept).tolist():
            self._predictions.append(predictions[number])
            self._prediction_runs.append(run)
        values = {name: column[keep] for name, column in values.items()}
        values["window"] = window_of[owners[keep]].astype(np.int32)
        added = self._append_rows(values, matches, stored=False)
        return self.get_many(added)

    def add_columns(
        self,
        run: str | Sequence[str],
        recording: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        species: np.ndarray,
        score: np.ndarray,
        *,
        runs: np.ndarray | None = None,
        index: tuple[ScoreIndex, np.ndarray, np.ndarray] | None = None,
        in_order: bool = False,
    ) -> range:
        """Add detections given as columns (a predictions store), without objects.

        Parameters
        ----------
        run
            Key of the run (name it first with :meth:`set_run`); with
            ``runs``, the keys of several runs.
        recording
            Index into :attr:`recordings` of each detection.
        start, end
            Frame bounds in seconds.
        species
            Index into :meth:`species_list` (register names with
            :meth:`species_ids`).
        score
            The model's scores.
        runs
            Each row's index into ``run`` (a store merging several runs).
        index
            The store's :class:`~audioclass_gui.review.score_index.ScoreIndex`
            of these rows, with the maps from its recording and species
            numbers to the session's: counts above thresholds then read
            the index instead of every row. Ignored when rows are dropped
            as duplicates.
        in_order
            The caller vouches that the rows are in display order
            (recording, start, descending score), unique and with valid
            recording and species numbers, as a store writes them: opening
            then reads none of them.

        Returns
        -------
        range
            Ids of the detections added (duplicates of detections already
            present, as for :meth:`add_predictions`, are skipped). Columns
            that are read-only views (a memory-mapped file) are used without
            copying when the session is empty. Clip predictions are made on
            demand (:attr:`Detection.clip_prediction`).
        """
        values = {
            "score": np.asarray(score, np.float64),
            "start": np.asarray(start, np.float64),
            "end": np.asarray(end, np.float64),
            "recording": np.asarray(recording, np.int32),
            "species": np.asarray(species, np.int32),
        }
        if len({len(v) for v in values.values()}) > 1:
            raise ValueError("columns of different lengths")
        if not in_order and len(values["recording"]) and (
            values["recording"].min() < 0
            or values["recording"].max() >= len(self._recordings)
        ):
            raise ValueError("a recording index is out of range")
        if not in_order and len(values["species"]) and (
            values["species"].min() < 0 or values["species"].max() >= len(self._species)
        ):
            raise ValueError("a species index is out of range")
        n = len(values["score"])
        if runs is None:
            values["run"] = np.broadcast_to(self._run_codes([str(run)])[0], (n,))
        else:
            codes = self._run_codes([str(k) for k in run])
            values["run"] = codes[np.asarray(runs)] if len(codes) else np.empty(0, np.int32)
        empty = np.empty(0, np.int64)
        keep, matches = None, (empty, empty)
        if not (in_order and not len(self._rows)):
            # (else nothing to compare with, and unique by the caller's word)
            keep, matches = self._new_rows(values, stored=True)
        if keep is not None and not keep.all():
            values = {name: column[keep] for name, column in values.items()}
            index = None
        added = self._append_rows(values, matches, stored=True, in_order=in_order)
        if index is not None and len(added) and self._lookup.in_display_order_from(
            added.start - self._first_id
        ):
            score_index, recordings, species_map = index
            self._indexed.append(
                IndexedBlock(
                    added.start - self._first_id,
                    score_index,
                    np.asarray(recordings, np.int64),
                    np.asarray(species_map, np.int64),
                )
            )
        return added

    def species_ids(self, names: Sequence[str]) -> np.ndarray:
        """Indices in :meth:`species_list` of these names (registered if new)."""
        return np.asarray([self._species_id(str(n)) for n in names], np.int32)

    def _new_rows(
        self, values: dict[str, np.ndarray], *, stored: bool = False
    ) -> tuple[np.ndarray, _Matches]:
        """Mask of the rows that are not already in the session for this model.

        Rows of a store in display order are taken to be unique among
        themselves (the store wrote them so); others are checked against
        each other too. Also returns the rows kept that have a twin in the
        session (of another model), as positions among the kept rows, for
        :meth:`_append_rows`.
        """
        n = len(values["score"])
        keep = np.ones(n, bool)
        empty = np.empty(0, np.int64)
        if not n:
            return keep, (empty, empty)
        if not (stored and in_display_order(values)):
            # Twice in the same batch: keep the first.
            order = np.lexsort(
                (
                    np.arange(n),
                    values["species"],
                    milliseconds(values["end"]),
                    milliseconds(values["start"]),
                    values["recording"],
                )
            )
            key = (
                values["recording"],
                milliseconds(values["start"]),
                milliseconds(values["end"]),
                values["species"],
            )
            keep[order[~first_of_keys(order, key)]] = False
        if not len(self._rows):
            return keep, (empty, empty)
        which, rows = self._lookup.find(values)
        if len(which):
            models: dict[str, int] = {}
            model_of_run = np.asarray(
                [
                    models.setdefault(self._model_of(k), len(models))
                    for k in [*self._run_keys, *self._provisional]
                ],
                np.int64,
            )
            same = model_of_run[values["run"][which]] == model_of_run[self._rows["run"][rows]]
            keep[which[same]] = False
        kept = keep[which]
        position = np.cumsum(keep) - 1
        return keep, (position[which[kept]], rows[kept])

    def _append_rows(
        self,
        values: dict[str, np.ndarray],
        matches: _Matches,
        *,
        stored: bool,
        in_order: bool = False,
    ) -> range:
        """Append rows already checked by :meth:`_new_rows`; returns their ids.

        ``matches``: the rows' twins in the session, as :meth:`_new_rows`
        found them. ``stored``: the rows come from a store, usually in
        display order (then they form a sorted block, found without an index).
        """
        n = len(values["score"])
        if not n:
            return range(self._next_id, self._next_id)
        for key in self._provisional:  # the rows' new runs (see _run_codes)
            self._run_index[key] = len(self._run_keys)
            self._run_keys.append(key)
        self._provisional = []
        had = len(self._rows)
        which, rows = matches
        if had == 0 and not any(
            values[name].flags.writeable
            for name in ("score", "start", "end", "recording", "species")
        ):  # read-only views (a mapped store file): used in place
            added = self._rows.adopt(values)
        else:
            added = self._rows.append(values)
        self._lookup.add(
            added.start,
            added.stop,
            values,
            sorted_block=stored and (in_order or in_display_order(values)),
        )
        if len(which):
            # The first existing row of each key gives its verdict to the new one.
            first = np.unique(which, return_index=True)[1]
            for w, src in zip(which[first].tolist(), rows[first].tolist(), strict=True):
                self._copy_verdict(src, added.start + w)
        if self._pending:
            self._take_pending(added.start)
        self._next_id = self._first_id + len(self._rows)
        self._touch()
        ids = range(self._first_id + added.start, self._first_id + added.stop)
        self.detections_added.emit(DetectionList(self, ids))
        return ids

    def _take_pending(self, first_row: int) -> None:
        """Give waiting verdicts (journal, earlier run) to new rows with their key."""
        keys = []
        for pkey in self._pending:
            path, start, end, species = pkey
            rec = self._rec_by_path.get(path)
            spc = self._species_index.get(species)
            if rec is not None and spc is not None:
                keys.append((pkey, rec, start, end, spc))
        if not keys:
            return
        which, rows = self._lookup.find(
            {
                "recording": np.array([k[1] for k in keys], np.int64),
                "start": np.array([k[2] for k in keys], np.float64),
                "end": np.array([k[3] for k in keys], np.float64),
                "species": np.array([k[4] for k in keys], np.int64),
            }
        )
        new = rows >= first_row
        for w, local in zip(which[new].tolist(), rows[new].tolist(), strict=True):
            carried = self._pending.pop(keys[w][0], None)
            if carried is None:  # the key's first new row took it; share it
                twin = self.ids_for(keys[w][0])[0] - self._first_id
                self._copy_verdict(twin, local)
            else:
                self._set_local(local, *carried)

    def _copy_verdict(self, src: int, dst: int) -> None:
        status = self._rows.writable("status")
        label = self._rows.writable("label")
        status[dst] = status[src]
        label[dst] = label[src]
        stamp = self._stamps.get(src)
        if stamp is not None:
            self._stamps[dst] = stamp
        note = self._notes.get(src + self._first_id)
        if note:
            self._notes[dst + self._first_id] = note

    def clear(self) -> None:
        """Drop all predictions and detections, remembering verdicts by key.

        Emits ``cleared``. Call before re-running a model: detections of the
        next run with the same recording, frame and species get their
        verdict back. Boxes are kept.
        """
        for local in self._judged_rows().tolist():
            det_id = local + self._first_id
            verdict = self._verdict_local(local)
            by, at = self._stamps.get(local, (self._reviewer, math.nan))
            self._pending[self.path_key(det_id)] = (verdict, by, at)
        self._reset()
        self.cleared.emit()

    @property
    def clip_predictions(self) -> list[data.ClipPrediction]:
        """All clip predictions added since the last clear, in arrival order.

        Rows added as columns (:meth:`add_columns`) come after, made on demand.
        """
        out = list(self._predictions)
        stored = np.flatnonzero(self._rows["window"] < 0)
        if len(stored):
            out.extend(self._stored_predictions(stored))
        return out
