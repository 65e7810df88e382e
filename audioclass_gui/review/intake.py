"""How detections enter a review session: clip predictions or columns, once each.

:class:`DetectionIntake` turns a model's clip predictions (or a store's
columns) into rows of the session's table: it registers their recordings,
species and runs, skips rows the session has already for the same model,
gives new rows the verdict of their twins (the same recording, frame and
species from another model) or a verdict waiting for them, and has the
session announce them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from soundevent import data

from audioclass_gui.review.detection_table import DetectionTable
from audioclass_gui.review.keys import first_of_keys, milliseconds
from audioclass_gui.review.recording_registry import RecordingRegistry
from audioclass_gui.review.row_lookup import in_display_order
from audioclass_gui.review.run_registry import RunRegistry
from audioclass_gui.review.score_index import ScoreIndex
from audioclass_gui.review.species_registry import SpeciesRegistry
from audioclass_gui.review.verdict_book import VerdictBook

__all__ = ["DetectionIntake"]

# (positions among new rows, existing rows) pairs with the same path key
_Matches = tuple[np.ndarray, np.ndarray]


class DetectionIntake:
    """Adds detections to a session's table.

    Parameters
    ----------
    table, recordings, species, runs, verdicts
        The session's parts that new rows go to.
    announce
        Called with the ids of the rows just added (the session emits
        ``detections_added``).
    """

    def __init__(
        self,
        table: DetectionTable,
        recordings: RecordingRegistry,
        species: SpeciesRegistry,
        runs: RunRegistry,
        verdicts: VerdictBook,
        announce: Callable[[range], None],
    ) -> None:
        self._table = table
        self._recordings = recordings
        self._species = species
        self._runs = runs
        self._verdicts = verdicts
        self._announce = announce

    def add_predictions(
        self, predictions: Sequence[data.ClipPrediction], *, run: str = ""
    ) -> range:
        """Add clip predictions and make one detection per predicted tag.

        Parameters
        ----------
        predictions
            Clip predictions (of this session's recording, for a
            single-recording session).
        run
            Key of the run they come from ("" for the session's own); name
            it first with ``session.set_run``. A detection identical to one
            already present (same recording, frame, species and model name
            of the run) is skipped, so loading a file twice, or a run and
            its export, does not duplicate anything.

        Returns
        -------
        range
            Ids of the new detections, in the order of ``predictions`` and
            their tags. A detection whose recording, frame and species had a
            verdict (before the last ``session.clear()``, or restored from a
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
        of_clip, of_tag = self._recordings.of_clip, self._species.of_tag
        for number, prediction in enumerate(predictions):
            clip = prediction.clip
            rec = of_clip(clip)
            start, end = float(clip.start_time), float(clip.end_time)
            for predicted in prediction.tags:
                spc = of_tag(predicted.tag)
                scores.append(float(predicted.score))
                starts.append(start)
                ends.append(end)
                recs.append(rec)
                spcs.append(spc)
                owner.append(number)
        values = {
            "score": np.asarray(scores, np.float64),
            "start": np.asarray(starts, np.float64),
            "end": np.asarray(ends, np.float64),
            "recording": np.asarray(recs, np.int32),
            "species": np.asarray(spcs, np.int32),
        }
        owners = np.asarray(owner, np.int64)
        values["run"] = np.broadcast_to(self._runs.codes([run])[0], (len(scores),))
        keep, matches = self._new_rows(values)
        # A prediction is kept when one of its tags is new, or when it has none.
        kept = np.zeros(len(predictions), bool)
        kept[owners[keep]] = True
        for number, prediction in enumerate(predictions):
            if not prediction.tags:
                kept[number] = True
        table = self._table
        window_of = np.cumsum(kept) - 1 + len(table.predictions)
        for number in np.flatnonzero(kept).tolist():
            table.predictions.append(predictions[number])
            table.prediction_runs.append(run)
        values = {name: column[keep] for name, column in values.items()}
        values["window"] = window_of[owners[keep]].astype(np.int32)
        return self._append_rows(values, matches, stored=False)

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
            Key of the run (name it first with ``session.set_run``); with
            ``runs``, the keys of several runs.
        recording
            Index into ``session.recordings`` of each detection.
        start, end
            Frame bounds in seconds.
        species
            Index into ``session.species_list()`` (register names with
            ``session.species_ids``).
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
            values["run"] = np.broadcast_to(self._runs.codes([str(run)])[0], (n,))
        else:
            codes = self._runs.codes([str(k) for k in run])
            values["run"] = codes[np.asarray(runs)] if len(codes) else np.empty(0, np.int32)
        empty = np.empty(0, np.int64)
        keep, matches = None, (empty, empty)
        if not (in_order and not len(self._table)):
            # (else nothing to compare with, and unique by the caller's word)
            keep, matches = self._new_rows(values, stored=True)
        if keep is not None and not keep.all():
            values = {name: column[keep] for name, column in values.items()}
            index = None
        added = self._append_rows(values, matches, stored=True, in_order=in_order)
        if index is not None and len(added):
            self._table.add_index(added.start - self._table.first_id, index)
        return added

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
        table = self._table
        if not len(table):
            return keep, (empty, empty)
        which, rows = table.lookup.find(values)
        if len(which):
            model_of_run = self._runs.model_codes()
            same = model_of_run[values["run"][which]] == model_of_run[table.rows["run"][rows]]
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
        found them. ``stored``: the rows come from a store.
        """
        table = self._table
        if not len(values["score"]):
            return range(table.next_id, table.next_id)
        self._runs.commit()  # the rows' new runs (see RunRegistry.codes)
        added = table.append(values, stored=stored, in_order=in_order)
        which, rows = matches
        if len(which):
            # The first existing row of each key gives its verdict to the new one.
            first = np.unique(which, return_index=True)[1]
            for w, src in zip(which[first].tolist(), rows[first].tolist(), strict=True):
                self._verdicts.copy(src, added.start + w)
        self._verdicts.take_pending(added.start)
        table.touch()
        ids = range(table.first_id + added.start, table.first_id + added.stop)
        self._announce(ids)
        return ids
