"""Objects made from a review session's rows: detections and clip predictions.

A session keeps columns, not objects. :class:`DetectionReader` makes a
:class:`~audioclass_gui.review.detection.Detection` for a row when one is
read, and the soundevent clip predictions of rows that came from a store
(one per run and frame, with every class of the frame), for exports.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

import numpy as np
from soundevent import data

from audioclass_gui.review.detection import Detection, frame_clip
from audioclass_gui.review.detection_table import DetectionTable
from audioclass_gui.review.recording_registry import RecordingRegistry
from audioclass_gui.review.run_registry import RunRegistry
from audioclass_gui.review.species_registry import SpeciesRegistry

__all__ = ["DetectionReader"]

_STORED = ("recording", "species", "start", "end", "score")
#: The columns a detection is made from, in the order of ``_detection``'s arguments.
_MADE_FROM = ("species", "run", "recording", "start", "end", "window", "score")


class DetectionReader:
    """Detections and clip predictions of a session's rows (reads only).

    Parameters
    ----------
    table, recordings, species, runs
        The session's rows and the registries their numbers refer to.
    """

    def __init__(
        self,
        table: DetectionTable,
        recordings: RecordingRegistry,
        species: SpeciesRegistry,
        runs: RunRegistry,
    ) -> None:
        self._table = table
        self._recordings = recordings
        self._species = species
        self._runs = runs

    # ---------------------------------------------------------- detections

    def make(self, local: int) -> Detection:
        """The detection of one row, made from the columns."""
        r = self._table.rows
        return self._detection(
            local,
            int(r["species"][local]),
            int(r["run"][local]),
            int(r["recording"][local]),
            float(r["start"][local]),
            float(r["end"][local]),
            int(r["window"][local]),
            float(r["score"][local]),
        )

    def get_many(self, ids: Iterable[int]) -> list[Detection]:
        """The detections with these ids, in the same order (``KeyError`` if unknown).

        Each column is read once for all of them (not once per detection).
        """
        table = self._table
        n, first = len(table.rows), table.first_id
        rows = []
        for i in ids:
            local = int(i) - first
            if not 0 <= local < n:
                raise KeyError(f"no detection with id {i} in this session")
            rows.append(local)
        if not rows:
            return []
        r, at = table.rows, np.asarray(rows, np.int64)
        return list(
            map(
                self._detection,
                rows,
                *(r[name][at].tolist() for name in _MADE_FROM),
            )
        )

    def _detection(
        self,
        local: int,
        spc: int,
        run: int,
        rec: int,
        start: float,
        end: float,
        window: int,
        score: float,
    ) -> Detection:
        """The detection of row ``local``, whose column values are given."""
        table, species = self._table, self._species
        name = species.name(spc)
        if window >= 0:
            source: Any = table.predictions[window]
            tag = next(
                (t.tag for t in source.tags if str(t.tag.value) == name),
                None,
            ) or species.tag(spc)
        else:
            tag = species.tag(spc)
            source = partial(self.stored_prediction, local)
        common = species.known_common(name)
        if common is None:
            common = species.lookup_common(tag)
        return Detection(
            id=local + table.first_id,
            tag=tag,
            scientific_name=name,
            common_name=common,
            score=score,
            start=start,
            end=end,
            run=self._runs.key(run),
            recording=self._recordings.recording(rec),
            source=source,
        )

    # ---------------------------------------------------- clip predictions

    def _window_rows(self, local: int) -> np.ndarray:
        """Rows of the same run, recording and frame as ``local``, best score first."""
        r = self._table.rows
        rec = r["recording"]
        mask = (
            (rec == rec[local])
            & (r["start"] == r["start"][local])
            & (r["end"] == r["end"][local])
            & (r["run"] == r["run"][local])
        )
        rows = np.flatnonzero(mask)
        return rows[np.argsort(-r["score"][rows], kind="stable")]

    def _prediction(self, first: int, rows: list[int]) -> data.ClipPrediction:
        """The clip prediction of the frame of row ``first``, with the classes of ``rows``."""
        r = self._table.rows
        tag = self._species.tag
        clip = frame_clip(
            self._recordings.recording(int(r["recording"][first])),
            float(r["start"][first]),
            float(r["end"][first]),
        )
        return data.ClipPrediction(
            clip=clip,
            tags=[
                data.PredictedTag(tag=tag(int(r["species"][i])), score=float(r["score"][i]))
                for i in rows
            ],
        )

    def stored_prediction(self, local: int) -> data.ClipPrediction:
        """The clip prediction of a row added as columns (every class of its frame)."""
        return self._prediction(local, self._window_rows(local).tolist())

    def stored_predictions(self, rows: np.ndarray) -> list[data.ClipPrediction]:
        """Clip predictions of rows added as columns, one per run and frame."""
        r = self._table.rows
        rows = np.asarray(rows, np.int64)
        order = np.lexsort(
            (-r["score"][rows], r["end"][rows], r["start"][rows], r["recording"][rows], r["run"][rows])
        )
        rows = rows[order]
        keys = np.stack(
            (r["run"][rows], r["recording"][rows], r["start"][rows], r["end"][rows]), axis=1
        ) if len(rows) else np.empty((0, 4))
        change = np.ones(len(rows), bool)
        if len(rows) > 1:
            change[1:] = np.any(keys[1:] != keys[:-1], axis=1)
        bounds = np.append(np.flatnonzero(change), len(rows))
        return [
            self._prediction(int(rows[a]), rows[a:b].tolist())
            for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
        ]

    def clip_predictions(self) -> list[data.ClipPrediction]:
        """Clip predictions added as objects, then those of stored rows, made now."""
        out = list(self._table.predictions)
        stored = np.flatnonzero(self._table.rows["window"] < 0)
        if len(stored):
            out.extend(self.stored_predictions(stored))
        return out

    def run_predictions(self, run: str) -> list[data.ClipPrediction]:
        """A run's clip predictions: those added as objects, then the stored ones made now."""
        table = self._table
        out = [
            p
            for p, key in zip(table.predictions, table.prediction_runs, strict=True)
            if key == run
        ]
        code = self._runs.code(run)
        if code is not None:
            rows = np.flatnonzero((table.rows["run"] == code) & (table.rows["window"] < 0))
            if len(rows):
                out.extend(self.stored_predictions(rows))
        return out

    def stored_run(self, run: str) -> dict[str, np.ndarray] | None:
        """The columns of a run read from a store (display order), or None.

        None when the run has no rows or holds rows added as objects. Views
        when the run's rows are contiguous, as a store's are; copies
        otherwise.
        """
        code = self._runs.code(run)
        if code is None:
            return None
        r = self._table.rows
        rows = np.flatnonzero(r["run"] == code)
        if not len(rows) or (r["window"][rows] >= 0).any():
            return None
        if int(rows[-1]) - int(rows[0]) + 1 == len(rows):
            part = slice(int(rows[0]), int(rows[-1]) + 1)
            return {name: r.view(name)[part] for name in _STORED}
        return {name: r[name][rows] for name in _STORED}
