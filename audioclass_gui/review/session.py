"""The review session: detections of one recording and the reviewer's verdicts.

The session turns a model's clip predictions into :class:`Detection` objects,
keeps one :class:`Status` per detection, and announces changes with psygnal
signals so that widgets can follow it without this module importing Qt.
Changes of status go through invertible :class:`~audioclass_gui.review.edits.Edit`
objects, which the Qt layer keeps in its undo stack.

The session is not thread-safe: use it from the GUI thread only (workers hand
their clip predictions to the GUI thread, which calls :meth:`add_predictions`).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from psygnal import Signal
from soundevent import data

from audioclass_gui.review.detection import Detection, Status
from audioclass_gui.review.edits import Edit, StatusEdit

__all__ = ["ReviewSession", "default_reviewer"]

_STATUSES: tuple[Status, ...] = tuple(Status)
_CODE: dict[Status, int] = {status: code for code, status in enumerate(_STATUSES)}
_UNREVIEWED = _CODE[Status.UNREVIEWED]


def default_reviewer() -> data.User:
    """Return a user named after the operating-system account.

    Returns
    -------
    soundevent.data.User
        ``User(username=<login name>)``, or ``username="reviewer"`` when the
        login name cannot be found.
    """
    try:
        name = getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry (containers)
        name = ""
    return data.User(username=name or "reviewer")


def _make_absolute(recording: data.Recording) -> None:
    """Make a recording's path absolute, so exports find the file from anywhere."""
    path = Path(recording.path)
    if not path.is_absolute():
        recording.path = path.absolute()


class ReviewSession:
    """Detections of one recording and their review status.

    Parameters
    ----------
    recording
        The recording under review. Every clip prediction added later must
        belong to it (same uuid). A relative ``recording.path`` is made
        absolute in place, so that exported files point at the real file.
    common_name
        Optional function giving the common name of a tag (``None`` or ``""``
        when unknown); called once per distinct tag.
    reviewer
        Who reviews; defaults to :func:`default_reviewer`.

    Attributes
    ----------
    recording : soundevent.data.Recording
        The recording under review.
    reviewer : soundevent.data.User
        Owner of status badges and author of notes in exports.
    provenance : dict
        Free-form description of how the predictions were made (model name,
        version, thresholds, ...). Exported as JSON in the model run.
    model_name : str
        Name of the model that made the predictions.

    Notes
    -----
    Signals (psygnal):

    ``detections_added(list[Detection])``
        After :meth:`add_predictions` created detections. Detections that got
        a remembered verdict back already carry it (query :meth:`status`);
        no ``status_changed`` is emitted for them.
    ``status_changed(list[int])``
        Ids whose status changed, once per edit, never empty.
    ``cleared()``
        After :meth:`clear` dropped all predictions and detections.

    Detection ids are never reused: after :meth:`clear` new detections get
    fresh ids, and edits that still refer to old ids do nothing. Clear the
    undo stack on ``cleared``.
    """

    detections_added = Signal(list)
    status_changed = Signal(list)
    cleared = Signal()

    def __init__(
        self,
        recording: data.Recording,
        *,
        common_name: Callable[[data.Tag], str | None] | None = None,
        reviewer: data.User | None = None,
    ) -> None:
        _make_absolute(recording)
        self.recording: data.Recording = recording
        self.reviewer: data.User = (
            reviewer if reviewer is not None else default_reviewer()
        )
        self.provenance: dict[str, Any] = {}
        self.model_name: str = ""
        self._common_name = common_name
        self._common_cache: dict[data.Tag, str] = {}
        # Verdicts by Detection.key, carried over from before the last clear().
        self._carried: dict[tuple[float, float, str], Status] = {}
        self._next_id = 0
        self._reset()

    # ------------------------------------------------------------------ state

    def _reset(self) -> None:
        self._predictions: list[data.ClipPrediction] = []
        self._first_id = self._next_id  # id of self._dets[0]
        self._dets: list[Detection] = []
        # Per detection, in arrival order (index = id - _first_id).
        self._scores = np.empty(0, dtype=np.float64)
        self._starts = np.empty(0, dtype=np.float64)
        self._codes = np.empty(0, dtype=np.int8)
        # Arrival indices in display order, and their scores; None when stale.
        self._order: np.ndarray | None = np.empty(0, dtype=np.intp)
        self._order_scores = np.empty(0, dtype=np.float64)

    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        """Return arrival indices in display order and their scores."""
        if self._order is None:
            idx = np.arange(len(self._dets))
            self._order = np.lexsort((idx, -self._scores, self._starts))
            self._order_scores = self._scores[self._order]
        return self._order, self._order_scores

    def _local(self, detection_id: int) -> int:
        local = int(detection_id) - self._first_id
        if not 0 <= local < len(self._dets):
            raise KeyError(f"no detection with id {detection_id} in this session")
        return local

    def _common(self, tag: data.Tag) -> str:
        if self._common_name is None:
            return ""
        name = self._common_cache.get(tag)
        if name is None:
            name = self._common_name(tag) or ""
            self._common_cache[tag] = name
        return name

    # ------------------------------------------------------------ predictions

    def add_predictions(
        self, predictions: Sequence[data.ClipPrediction]
    ) -> list[Detection]:
        """Add clip predictions and make one detection per predicted tag.

        Parameters
        ----------
        predictions
            Clip predictions of this session's recording.

        Returns
        -------
        list of Detection
            The new detections, in the order of ``predictions`` and their
            tags. A detection whose :attr:`Detection.key` had a verdict
            before the last :meth:`clear` gets that verdict back.

        Raises
        ------
        ValueError
            If a prediction belongs to another recording.
        """
        new: list[Detection] = []
        codes: list[int] = []
        for prediction in predictions:
            clip = prediction.clip
            if clip.recording.uuid != self.recording.uuid:
                raise ValueError(
                    f"clip prediction for {clip.recording.path} does not belong "
                    f"to the recording under review ({self.recording.path})"
                )
            if clip.recording is not self.recording:
                _make_absolute(clip.recording)
            self._predictions.append(prediction)
            start, end = float(clip.start_time), float(clip.end_time)
            for predicted in prediction.tags:
                tag = predicted.tag
                detection = Detection(
                    id=self._next_id,
                    clip_prediction=prediction,
                    tag=tag,
                    scientific_name=tag.value,
                    common_name=self._common(tag),
                    score=float(predicted.score),
                    start=start,
                    end=end,
                )
                self._next_id += 1
                new.append(detection)
                codes.append(_CODE[self._carried.get(detection.key, Status.UNREVIEWED)])
        if not new:
            return new

        n_old = len(self._dets)
        scores = np.fromiter((d.score for d in new), dtype=np.float64, count=len(new))
        starts = np.fromiter((d.start for d in new), dtype=np.float64, count=len(new))
        if self._order is not None and (
            n_old == 0 or starts.min() > self._starts.max()
        ):
            # Usual streaming case: the new frames all come later in time, so
            # the display order only grows at its end.
            idx = np.arange(len(new))
            tail = np.lexsort((idx, -scores, starts))
            self._order = np.concatenate((self._order, tail + n_old))
            self._order_scores = np.concatenate((self._order_scores, scores[tail]))
        else:
            self._order = None
        self._dets.extend(new)
        self._scores = np.concatenate((self._scores, scores))
        self._starts = np.concatenate((self._starts, starts))
        self._codes = np.concatenate((self._codes, np.asarray(codes, dtype=np.int8)))
        self.detections_added.emit(new)
        return new

    def clear(self) -> None:
        """Drop all predictions and detections, remembering verdicts by key.

        Emits ``cleared``. Call before re-running a model: detections of the
        next run with the same :attr:`Detection.key` get their verdict back.
        """
        for detection, code in zip(self._dets, self._codes.tolist(), strict=True):
            if code == _UNREVIEWED:
                self._carried.pop(detection.key, None)
            else:
                self._carried[detection.key] = _STATUSES[code]
        self._reset()
        self.cleared.emit()

    @property
    def clip_predictions(self) -> list[data.ClipPrediction]:
        """All clip predictions added since the last clear, in arrival order."""
        return list(self._predictions)

    # ------------------------------------------------------------- detections

    def __len__(self) -> int:
        """Number of detections."""
        return len(self._dets)

    def detections(self) -> list[Detection]:
        """Return all detections sorted by ``(start, -score, id)``."""
        order, _ = self._sorted()
        dets = self._dets
        return [dets[i] for i in order.tolist()]

    def visible(self, threshold: float) -> list[Detection]:
        """Return detections with ``score >= threshold``, in display order.

        Parameters
        ----------
        threshold
            Minimum score (inclusive).

        Returns
        -------
        list of Detection
            Sorted by ``(start, -score, id)``, like :meth:`detections`.
        """
        order, scores = self._sorted()
        dets = self._dets
        return [dets[i] for i in order[scores >= threshold].tolist()]

    def get(self, detection_id: int) -> Detection:
        """Return the detection with this id (``KeyError`` if unknown)."""
        return self._dets[self._local(detection_id)]

    def status(self, detection_id: int) -> Status:
        """Return the status of a detection (``KeyError`` if unknown)."""
        return _STATUSES[int(self._codes[self._local(detection_id)])]

    def counts(self, threshold: float | None = None) -> dict[Status, int]:
        """Count detections per status.

        Parameters
        ----------
        threshold
            Count only detections with ``score >= threshold``; all when None.

        Returns
        -------
        dict
            Every :class:`Status` mapped to its count.
        """
        codes = self._codes
        if threshold is not None:
            codes = codes[self._scores >= threshold]
        totals = np.bincount(codes, minlength=len(_STATUSES)).tolist()
        return {status: int(totals[code]) for code, status in enumerate(_STATUSES)}

    def reviewed(self) -> list[Detection]:
        """Return detections whose status is not UNREVIEWED, in display order."""
        order, _ = self._sorted()
        dets = self._dets
        keep = order[self._codes[order] != _UNREVIEWED]
        return [dets[i] for i in keep.tolist()]

    # ------------------------------------------------------------------ edits

    def set_status(self, ids: Sequence[int], status: Status) -> StatusEdit:
        """Give detections a status, and return the edit for the undo stack.

        Parameters
        ----------
        ids
            Detection ids; duplicates are ignored.
        status
            The new status.

        Returns
        -------
        StatusEdit
            The applied edit; ``revert`` it to undo. Its ``is_noop`` is True
            when nothing changed (callers may skip pushing it).

        Raises
        ------
        KeyError
            If an id is not a detection of this session (nothing is changed).
        """
        status = Status(status)
        unique = tuple(dict.fromkeys(int(i) for i in ids))
        before = tuple(self.status(i) for i in unique)
        edit = StatusEdit(ids=unique, before=before, after=status)
        self.apply(edit)
        return edit

    def apply(self, edit: Edit) -> None:
        """Apply (redo) an edit; the session emits ``status_changed``."""
        edit.apply(self)

    def revert(self, edit: Edit) -> None:
        """Revert (undo) an edit; the session emits ``status_changed``."""
        edit.revert(self)

    def write_statuses(
        self, ids: Sequence[int], statuses: Sequence[Status]
    ) -> list[int]:
        """Set each id's status; the primitive that edits are built on.

        Ids that are no longer in the session (from before a :meth:`clear`)
        are skipped. Emits ``status_changed`` once with the ids whose status
        changed, unless none did.

        Parameters
        ----------
        ids
            Detection ids.
        statuses
            One status per id.

        Returns
        -------
        list of int
            The ids whose status changed.
        """
        if len(ids) != len(statuses):
            raise ValueError(f"{len(ids)} ids but {len(statuses)} statuses")
        changed: list[int] = []
        n = len(self._dets)
        for detection_id, status in zip(ids, statuses, strict=True):
            local = int(detection_id) - self._first_id
            if not 0 <= local < n:
                continue
            code = _CODE[Status(status)]
            if self._codes[local] != code:
                self._codes[local] = code
                changed.append(int(detection_id))
        if changed:
            self.status_changed.emit(changed)
        return changed
