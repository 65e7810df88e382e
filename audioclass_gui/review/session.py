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

    ``detections_added(list[Detection])``
        After :meth:`add_predictions` created detections. Detections that got
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
        self._dets: list[Detection] = []
        self._scores = np.empty(0, dtype=np.float64)
        self._starts = np.empty(0, dtype=np.float64)
        self._ends = np.empty(0, dtype=np.float64)
        self._rec = np.empty(0, dtype=np.int32)
        self._spc = np.empty(0, dtype=np.int32)
        self._codes = np.empty(0, dtype=np.int8)
        self._labels = np.empty(0, dtype=np.int32)
        self._by = np.empty(0, dtype=np.int32)
        self._at = np.empty(0, dtype=np.float64)
        self._notes: dict[int, str] = {}
        self._key_ids: dict[tuple[int, float, float, int], list[int]] = {}
        self._identities: set[tuple[int, float, float, int, str]] = set()
        self._touch()

    def _touch(self) -> None:
        self.generation += 1
        self.cache.clear()

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
        new: list[Detection] = []
        cols: list[tuple[float, float, float, int, int]] = []
        # Loading the same model's output twice (a run and its export) adds nothing.
        model = "" if run == "" else self._runs.get(run, (run, {}))[0]
        for prediction in predictions:
            clip = prediction.clip
            rec = self._recording_of(clip)
            start, end = float(clip.start_time), float(clip.end_time)
            s3, e3 = round(start, 3), round(end, 3)
            kept = False
            for predicted in prediction.tags:
                tag = predicted.tag
                name = str(tag.value)
                spc = self._species_id(name)
                identity = (rec, s3, e3, spc, model)
                if identity in self._identities:
                    continue
                self._identities.add(identity)
                kept = True
                common = self._names.get(name)
                if common is None:
                    common = self._lookup_common(tag)
                detection = Detection(
                    id=self._next_id,
                    clip_prediction=prediction,
                    tag=tag,
                    scientific_name=name,
                    common_name=common,
                    score=float(predicted.score),
                    start=start,
                    end=end,
                    run=run,
                )
                self._next_id += 1
                new.append(detection)
                cols.append((detection.score, start, end, rec, spc))
            if kept or not prediction.tags:
                self._predictions.append(prediction)
                self._prediction_runs.append(run)
        if not new:
            return new
        arr = np.asarray(cols, dtype=np.float64).reshape(-1, 5)
        n = len(new)
        first_local = len(self._dets)
        self._dets.extend(new)
        self._scores = np.concatenate((self._scores, arr[:, 0]))
        self._starts = np.concatenate((self._starts, arr[:, 1]))
        self._ends = np.concatenate((self._ends, arr[:, 2]))
        self._rec = np.concatenate((self._rec, arr[:, 3].astype(np.int32)))
        self._spc = np.concatenate((self._spc, arr[:, 4].astype(np.int32)))
        self._codes = np.concatenate((self._codes, np.full(n, _UNREVIEWED, np.int8)))
        self._labels = np.concatenate((self._labels, np.full(n, -1, np.int32)))
        self._by = np.concatenate((self._by, np.full(n, -1, np.int32)))
        self._at = np.concatenate((self._at, np.full(n, math.nan)))
        pending = self._pending
        for offset, detection in enumerate(new):
            local = first_local + offset
            key = (
                int(self._rec[local]),
                round(detection.start, 3),
                round(detection.end, 3),
                int(self._spc[local]),
            )
            group = self._key_ids.setdefault(key, [])
            group.append(detection.id)
            source = self._locals_of(group[0]) if len(group) > 1 else None
            if source is not None and source != local:
                self._copy_verdict(source, local)
            elif pending:
                pkey = self.path_key(detection.id)
                carried = pending.pop(pkey, None)
                if carried is not None:
                    self._set_local(local, *carried)
        self._touch()
        self.detections_added.emit(new)
        return new

    def _locals_of(self, detection_id: int) -> int | None:
        local = detection_id - self._first_id
        return local if 0 <= local < len(self._dets) else None

    def _copy_verdict(self, src: int, dst: int) -> None:
        self._codes[dst] = self._codes[src]
        self._labels[dst] = self._labels[src]
        self._by[dst] = self._by[src]
        self._at[dst] = self._at[src]
        note = self._notes.get(src + self._first_id)
        if note:
            self._notes[dst + self._first_id] = note

    def clear(self) -> None:
        """Drop all predictions and detections, remembering verdicts by key.

        Emits ``cleared``. Call before re-running a model: detections of the
        next run with the same recording, frame and species get their
        verdict back. Boxes are kept.
        """
        for local, detection in enumerate(self._dets):
            verdict = self._verdict_local(local)
            pkey = self.path_key(detection.id)
            if verdict.is_empty:
                self._pending.pop(pkey, None)
            else:
                self._pending[pkey] = (
                    verdict,
                    int(self._by[local]),
                    float(self._at[local]),
                )
        self._reset()
        self.cleared.emit()

    @property
    def clip_predictions(self) -> list[data.ClipPrediction]:
        """All clip predictions added since the last clear, in arrival order."""
        return list(self._predictions)
