"""The review session: detections of one or many recordings and their verdicts.

The session turns a model's clip predictions into :class:`Detection` objects,
keeps one :class:`Verdict` per detection (stamped with reviewer and time),
the boxes the reviewer drew, and announces changes with psygnal signals so
that widgets can follow it without this module importing Qt. Changes go
through invertible :class:`~audioclass_gui.review.edits.Edit` objects, which
the Qt layer keeps in its undo stack.

:class:`ReviewSession` composes helpers that each own one part of the state
and says what changed:

* registries of reviewers, recordings, species and runs
  (:mod:`~audioclass_gui.review.reviewers`,
  :mod:`~audioclass_gui.review.recording_registry`,
  :mod:`~audioclass_gui.review.species_registry`,
  :mod:`~audioclass_gui.review.run_registry`);
* the detections as columns (:mod:`~audioclass_gui.review.detection_table`),
  how they arrive (:mod:`~audioclass_gui.review.intake`) and the objects
  made from them (:mod:`~audioclass_gui.review.detection_reader`);
* verdicts and boxes (:mod:`~audioclass_gui.review.verdict_book`,
  :mod:`~audioclass_gui.review.box_book`), with detections' path keys
  (:mod:`~audioclass_gui.review.path_keys`);
* the reviewer's actions (:mod:`~audioclass_gui.review.session_actions`);
  queries (filters, orders, navigation) are in
  :mod:`audioclass_gui.review.query`, summaries in
  :mod:`audioclass_gui.review.summaries`.

A *recorder* (:class:`Recorder`, e.g. a project journal) makes every change
durable before the session announces it; if the recorder fails, the change
is taken back and the error propagates.

The session is not thread-safe: use it from the GUI thread only (workers hand
their clip predictions to the GUI thread, which calls :meth:`add_predictions`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import EllipsisType
from typing import Any

import numpy as np
from psygnal import Signal
from soundevent import data

from audioclass_gui.review import query as _query
from audioclass_gui.review import summaries as _summaries
from audioclass_gui.review.box_book import BoxBook
from audioclass_gui.review.detection import (
    STATUS_CODE,
    Box,
    Detection,
    Stamp,
    Status,
    Verdict,
)
from audioclass_gui.review.detection_list import DetectionList
from audioclass_gui.review.detection_reader import DetectionReader
from audioclass_gui.review.detection_table import DetectionTable
from audioclass_gui.review.edits import BoxEdit, Edit, StatusEdit, VerdictEdit
from audioclass_gui.review.intake import DetectionIntake
from audioclass_gui.review.path_keys import PathKeys
from audioclass_gui.review.recording_registry import RecordingRegistry
from audioclass_gui.review.reviewers import Reviewers
from audioclass_gui.review.row_lookup import RowLookup
from audioclass_gui.review.run_registry import RunRegistry
from audioclass_gui.review.score_index import IndexedBlock, ScoreIndex
from audioclass_gui.review.session_actions import SessionActions
from audioclass_gui.review.session_types import (
    Columns,
    PathKey,
    Recorder,
    default_reviewer,
)
from audioclass_gui.review.species_registry import SpeciesRegistry
from audioclass_gui.review.verdict_book import VerdictBook

__all__ = ["Columns", "PathKey", "Recorder", "ReviewSession", "default_reviewer"]


class ReviewSession:
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
    table : DetectionTable
        The detections as columns, with their lookups and score indexes
        (for queries; change them through the session).
    species_registry : SpeciesRegistry
        Species names by index (the ``species`` and ``label`` columns).
    recording_registry : RecordingRegistry
        Recordings by index (the ``recording`` column).
    verdict_book : VerdictBook
        Verdicts, notes and stamps (for queries; change them through the
        session).

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
        self._reviewers = Reviewers(reviewer if reviewer is not None else default_reviewer())
        self.recording_registry = RecordingRegistry(single=recording is not None)
        self.species_registry = SpeciesRegistry(common_name)
        self._runs = RunRegistry()
        self.table = DetectionTable()
        self._keys = PathKeys(self.table, self.recording_registry, self.species_registry)
        self.verdict_book = VerdictBook(
            self, self.table, self.species_registry, self._reviewers, self._keys
        )
        self._boxes = BoxBook(self, self._reviewers)
        self._reader = DetectionReader(
            self.table, self.recording_registry, self.species_registry, self._runs
        )
        self._intake = DetectionIntake(
            self.table,
            self.recording_registry,
            self.species_registry,
            self._runs,
            self.verdict_book,
            self._announce,
        )
        self._actions = SessionActions(self)
        if recording is not None:
            self.recording_registry.register(recording)

    def _announce(self, ids: range) -> None:
        self.detections_added.emit(DetectionList(self, ids))

    @property
    def recorder(self) -> Recorder | None:
        """Makes every change durable; None keeps changes in memory only."""
        return self.verdict_book.recorder

    @recorder.setter
    def recorder(self, recorder: Recorder | None) -> None:
        self.verdict_book.recorder = recorder
        self._boxes.recorder = recorder

    @property
    def generation(self) -> int:
        """Counts changes of the detections (and recordings)."""
        return self.table.generation

    @property
    def cache(self) -> dict[Any, Any]:
        """What queries derive from the detections; emptied at every change."""
        return self.table.cache

    # ---------------- private names tests read (owned by table and _runs)

    @property
    def _lookup(self) -> RowLookup:
        return self.table.lookup

    @property
    def _indexed(self) -> list[IndexedBlock]:
        return self.table.indexed

    @_indexed.setter
    def _indexed(self, blocks: list[IndexedBlock]) -> None:
        self.table.indexed = blocks

    def _model_of(self, run: str) -> str:
        return self._runs.model_of(run)

    # ------------------------------------------------------------- registries

    @property
    def reviewer(self) -> data.User:
        """Who is reviewing now; new verdicts and boxes are stamped with them."""
        return self._reviewers.reviewer

    @reviewer.setter
    def reviewer(self, user: data.User) -> None:
        self._reviewers.reviewer = user

    def user_index(self, user: data.User) -> int:
        """Register a user (by uuid) and return its index in :attr:`users`."""
        return self._reviewers.index(user)

    @property
    def users(self) -> list[data.User]:
        """Everyone who stamped a verdict or box in this session."""
        return self._reviewers.users

    def add_recording(self, recording: data.Recording) -> int:
        """Add a recording without predictions (a project's file list).

        Returns its index in :attr:`recordings`; a recording with the same
        path is not added twice.
        """
        index = self.recording_registry.index(recording.path)
        if index is None:
            index = self.recording_registry.add(recording)
            self.table.touch()
        return index

    @property
    def recordings(self) -> list[data.Recording]:
        """Every recording known to the session, in the order first seen."""
        return self.recording_registry.all()

    def recording_index(self, path: str | Path) -> int | None:
        """Index in :attr:`recordings` of the recording at ``path``, or None."""
        return self.recording_registry.index(path)

    def species_ids(self, names: Sequence[str]) -> np.ndarray:
        """Indices in :meth:`species_list` of these names (registered if new)."""
        return self.species_registry.ids(names)

    def species_list(self) -> list[str]:
        """Scientific names seen so far (predicted or relabelled to), in order."""
        return self.species_registry.names()

    def set_common_names(self, names: Mapping[str, str]) -> None:
        """Add common names (scientific name -> common) for display and exports.

        Detections made later use them; existing detections keep theirs.
        """
        self.species_registry.set_common_names(names)

    def common_name(self, scientific_name: str) -> str:
        """Common name of a species, "" when unknown."""
        return self.species_registry.common_name(scientific_name)

    def species_names(self) -> dict[str, str]:
        """Every known species (scientific -> common, "" when unknown)."""
        return self.species_registry.species_names()

    # ------------------------------------------------------------------ runs

    def set_run(
        self, run: str, *, name: str, provenance: dict[str, Any] | None = None
    ) -> None:
        """Name a run (source of predictions) other than the session's own."""
        self._runs.set_run(run, name=name, provenance=provenance)

    def run_keys(self) -> list[str]:
        """Keys of the runs with predictions, in the order they came (cheap)."""
        return self._runs.listed(self.table.prediction_runs)

    def run_infos(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Every run with predictions: ``(key, model name, provenance)`` (cheap)."""
        own = (self.model_name, self.provenance)
        return [(run, *self._runs.info(run, own)) for run in self.run_keys()]

    def run_names(self) -> list[str]:
        """Model names of the runs with predictions, as :meth:`runs` lists them (cheap)."""
        return [name for _key, name, _prov in self.run_infos()]

    def run_predictions(self, run: str) -> list[data.ClipPrediction]:
        """A run's clip predictions: those added as objects, then the stored ones made now.

        For a run of millions read from a store this makes millions of
        objects: exports stream stored runs instead (:meth:`stored_run`).
        """
        return self._reader.run_predictions(run)

    def runs(self) -> list[tuple[str, str, dict[str, Any], list[data.ClipPrediction]]]:
        """Every run with predictions: ``(key, model name, provenance, predictions)``.

        Makes every prediction of stored runs (see :meth:`run_predictions`).
        """
        return [
            (key, name, prov, self.run_predictions(key)) for key, name, prov in self.run_infos()
        ]

    def stored_run(self, run: str) -> dict[str, np.ndarray] | None:
        """The columns of a run read from a store (display order), or None.

        None when the run has no rows or holds rows added as objects. The
        columns are read-only views (``recording``, ``species``, ``start``,
        ``end``, ``score``) when the run's rows are contiguous, as a store's
        are; copies otherwise.
        """
        return self._reader.stored_run(run)

    # ------------------------------------------------------------ detections

    def add_predictions(
        self, predictions: Sequence[data.ClipPrediction], *, run: str = ""
    ) -> list[Detection]:
        """Add clip predictions and make one detection per predicted tag.

        Returns the new detections (see :meth:`DetectionIntake.add_predictions`:
        duplicates are skipped, remembered verdicts come back). Raises
        ``ValueError`` for a prediction of another recording than a
        single-recording session's.
        """
        return self.get_many(self._intake.add_predictions(predictions, run=run))

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

        Returns the ids added (see :meth:`DetectionIntake.add_columns`:
        ``recording`` and ``species`` index :attr:`recordings` and
        :meth:`species_list`; ``runs`` maps rows to several run keys;
        ``index`` is the store's score index; ``in_order`` vouches for a
        store's display order).
        """
        return self._intake.add_columns(
            run, recording, start, end, species, score,
            runs=runs, index=index, in_order=in_order,
        )

    def clear(self) -> None:
        """Drop all predictions and detections, remembering verdicts by key.

        Emits ``cleared``. Call before re-running a model: detections of the
        next run with the same recording, frame and species get their
        verdict back. Boxes are kept.
        """
        self.verdict_book.set_aside()
        self.table.reset()
        self.verdict_book.reset()
        self._runs.reset()
        self.cleared.emit()

    @property
    def clip_predictions(self) -> list[data.ClipPrediction]:
        """All clip predictions added since the last clear, in arrival order.

        Rows added as columns (:meth:`add_columns`) come after, made on demand.
        """
        return self._reader.clip_predictions()

    def __len__(self) -> int:
        """Number of detections."""
        return len(self.table.rows)

    def columns(self) -> Columns:
        """Read-only views of the detection columns (for fast queries)."""
        return self.table.columns()

    def get(self, detection_id: int) -> Detection:
        """Return the detection with this id (``KeyError`` if unknown)."""
        return self._reader.make(self.table.local(detection_id))

    def get_many(self, ids: Iterable[int]) -> list[Detection]:
        """Return the detections with these ids, in the same order."""
        return self._reader.get_many(ids)

    def path_key(self, detection_id: int) -> PathKey:
        """Identity of a detection that survives restarts: path, frame, species."""
        return self._keys.key(self.table.local(detection_id))

    def ids_for(self, key: PathKey) -> list[int]:
        """Ids of the detections with this path key (several runs may share one)."""
        return self._keys.ids(key)

    def detections(self) -> list[Detection]:
        """Return all detections sorted by ``(recording, start, -score, id)``."""
        return self.get_many(self.query())

    def visible(self, threshold: float) -> list[Detection]:
        """Return detections with ``score >= threshold``, in display order."""
        return self.get_many(self.query(_query.DetectionFilter(min_score=threshold)))

    # -------------------------------------------------------------- verdicts

    def status(self, detection_id: int) -> Status:
        """Return the status of a detection (``KeyError`` if unknown)."""
        return self.verdict_book.status(self.table.local(detection_id))

    def verdict(self, detection_id: int) -> Verdict:
        """Return the whole verdict of a detection (``KeyError`` if unknown)."""
        return self.verdict_book.verdict(self.table.local(detection_id))

    def effective_name(self, detection_id: int) -> str:
        """The species the verdict is about: the relabel, else the prediction."""
        return self.verdict_book.effective_name(self.table.local(detection_id))

    def stamp(self, detection_id: int) -> Stamp | None:
        """Who gave the current verdict and when; None if never touched."""
        return self.verdict_book.stamp(self.table.local(detection_id))

    def counts(self, threshold: float | None = None) -> dict[Status, int]:
        """Count detections per status (``score >= threshold`` only, if given)."""
        return _summaries.status_counts(self, threshold)

    def reviewed(self) -> list[Detection]:
        """Return detections whose status is not UNREVIEWED, in display order."""
        rows = self.verdict_book.judged_rows()
        rows = rows[self.table.rows["status"][rows] != STATUS_CODE[Status.UNREVIEWED]]
        return self.get_many(
            _query._sorted(self, rows, _query.Order.TIME) + self.table.first_id
        )

    def judged(self) -> list[Detection]:
        """Detections with any verdict (a status, relabel or note), in display order."""
        rows = _query._sorted(self, self.verdict_book.judged_rows(), _query.Order.TIME)
        return self.get_many(rows + self.table.first_id)

    def judged_count(self) -> int:
        """How many detections have a verdict (without making them)."""
        return len(self.verdict_book.judged_rows())

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
        return self.verdict_book.columns(self._runs.keys())

    def pending_verdicts(self) -> dict[PathKey, tuple[Verdict, data.User, float]]:
        """Verdicts whose detection is not in the session (kept for later)."""
        return self.verdict_book.pending()

    def write_statuses(self, ids: Sequence[int], statuses: Sequence[Status]) -> list[int]:
        """Set each id's status, keeping relabels and notes (see :meth:`write_verdicts`)."""
        return self._announce_verdicts(self.verdict_book.write_statuses(ids, statuses))

    def write_verdicts(self, ids: Sequence[int], verdicts: Sequence[Verdict]) -> list[int]:
        """Set each id's verdict; the primitive that verdict edits are built on.

        Returns the ids whose verdict changed, announced with one
        ``status_changed``; see :meth:`VerdictBook.write` (path-key twins,
        stamps, the recorder, and what happens when it raises).
        """
        return self._announce_verdicts(self.verdict_book.write(ids, verdicts))

    def restore(
        self, items: Iterable[tuple[PathKey, Verdict, data.User | None, float | None]]
    ) -> list[int]:
        """Put back verdicts read from a store, without recording them again.

        ``items``: ``((path, start, end, species), verdict, reviewer, epoch
        time)``; see :meth:`VerdictBook.restore`. Returns the ids whose
        verdict changed (also announced with ``status_changed``).
        """
        return self._announce_verdicts(self.verdict_book.restore(items))

    def _announce_verdicts(self, changed: list[int]) -> list[int]:
        if changed:
            self.status_changed.emit(changed)
        return changed

    # ------------------------------------------------------------------ boxes

    def boxes(self, recording: str | Path | None = None) -> list[Box]:
        """Drawn boxes (of one recording, if given), in drawing order."""
        return self._boxes.boxes(recording)

    def box(self, box_id: str) -> Box | None:
        """The box with this id, or None (deleted or unknown)."""
        return self._boxes.box(box_id)

    def box_stamp(self, box_id: str) -> Stamp | None:
        """Who drew or last changed a box, and when."""
        return self._boxes.stamp(box_id)

    def write_box(self, box_id: str, box: Box | None) -> bool:
        """Put a box in place (add or replace) or delete it (``box=None``).

        Recorded by the :attr:`recorder` and announced with
        ``boxes_changed``. Returns False (and does nothing) when the box
        already is as asked.
        """
        if not self._boxes.write(box_id, box):
            return False
        self.boxes_changed.emit([box_id])
        return True

    def restore_box(
        self,
        box: Box,
        user: data.User | None,
        at: float | None,
        *,
        deleted: bool = False,
    ) -> None:
        """Put back a box read from a store (``deleted=True``: remove it)."""
        by = self._reviewers.current if user is None else self._reviewers.index(user)
        self._boxes.put(box.id, None if deleted else box, by, time.time() if at is None else at)
        self.boxes_changed.emit([box.id])

    # --------------------------------------------------------------- actions
    # (each returns the applied edit for the undo stack; see SessionActions)

    def set_status(self, ids: Sequence[int], status: Status) -> StatusEdit:
        """Give detections a status (relabels and notes kept); ``KeyError`` for unknown ids."""
        return self._actions.set_status(ids, status)

    def set_verdicts(
        self, ids: Sequence[int], verdicts: Verdict | Sequence[Verdict], text: str = ""
    ) -> VerdictEdit:
        """Give detections whole verdicts (one for all, or one per id)."""
        return self._actions.set_verdicts(ids, verdicts, text)

    def relabel(
        self, ids: Sequence[int], scientific_name: str | None, *, status: Status = Status.ACCEPTED
    ) -> VerdictEdit:
        """Say the detections are another species (None removes a relabel)."""
        return self._actions.relabel(ids, scientific_name, status=status)

    def set_note(self, ids: Sequence[int], note: str) -> VerdictEdit:
        """Attach a note to detections ("" removes it)."""
        return self._actions.set_note(ids, note)

    def reject_below(
        self,
        scientific_name: str,
        score: float,
        *,
        only_unreviewed: bool = True,
        recordings: Sequence[str | Path] | None = None,
    ) -> StatusEdit:
        """Reject every detection of one species scoring below ``score``."""
        return self._actions.reject_below(
            scientific_name, score, only_unreviewed=only_unreviewed, recordings=recordings
        )

    def add_box(
        self,
        recording: str | Path,
        start: float,
        end: float,
        low_freq: float | None = None,
        high_freq: float | None = None,
        scientific_name: str = "",
        note: str = "",
    ) -> BoxEdit:
        """Draw a box (both frequencies given) or a time interval (neither)."""
        return self._actions.add_box(
            recording, start, end, low_freq, high_freq, scientific_name, note
        )

    def move_box(
        self,
        box_id: str,
        start: float,
        end: float,
        low_freq: float | None | EllipsisType = ...,
        high_freq: float | None | EllipsisType = ...,
    ) -> BoxEdit:
        """Move or resize a box; frequencies left out (``...``) stay as they are."""
        return self._actions.move_box(box_id, start, end, low_freq, high_freq)

    def retag_box(self, box_id: str, scientific_name: str) -> BoxEdit:
        """Tag a box with another species."""
        return self._actions.retag_box(box_id, scientific_name)

    def set_box_note(self, box_id: str, note: str) -> BoxEdit:
        """Attach a note to a box ("" removes it)."""
        return self._actions.set_box_note(box_id, note)

    def delete_box(self, box_id: str) -> BoxEdit:
        """Delete a box (undo puts it back with the same id)."""
        return self._actions.delete_box(box_id)

    def apply(self, edit: Edit) -> None:
        """Apply (redo) an edit; the session emits its change signals."""
        edit.apply(self)

    def revert(self, edit: Edit) -> None:
        """Revert (undo) an edit; the session emits its change signals."""
        edit.revert(self)

    # --------------------------------------------------------------- queries

    query = _query.query
    select = _query.select
    next_unreviewed = _query.next_unreviewed
    species_summary = _query.species_summary
    recording_summary = _query.recording_summary
