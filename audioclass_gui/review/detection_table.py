"""A review session's detections as columns: rows, ids, lookups and indexes.

The table owns what a session holds per detection: the numpy columns
(:class:`~audioclass_gui.review.rows.Rows`), the id of row 0 (ids are never
reused: after a reset new rows get fresh ids), the lookup of rows by path
key and recording (:class:`~audioclass_gui.review.row_lookup.RowLookup`),
the score indexes of stored runs, the clip prediction objects rows were
made from, and a cache of what queries derive from the rows (dropped at
every change).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from audioclass_gui.review.row_lookup import RowLookup, in_display_order
from audioclass_gui.review.rows import Rows
from audioclass_gui.review.score_index import IndexedBlock, ScoreIndex
from audioclass_gui.review.session_types import Columns

__all__ = ["DetectionTable"]

#: The columns of :class:`~audioclass_gui.review.session_types.Columns`.
_PUBLIC = ("score", "start", "end", "recording", "species", "status", "label")
_GIVEN = ("score", "start", "end", "recording", "species")


class DetectionTable:
    """The rows of a session (row = detection id - :attr:`first_id`).

    Attributes
    ----------
    rows : Rows
        The columns. Only the table appends; only the verdict book writes
        ``status`` and ``label``.
    lookup : RowLookup
        Rows by path key and by recording.
    indexed : list of IndexedBlock
        Score indexes of stored runs, with the rows they cover.
    predictions : list of soundevent.data.ClipPrediction
        Clip predictions added as objects (a row's ``window`` indexes it).
    prediction_runs : list of str
        The run key of each of :attr:`predictions`.
    first_id : int
        Id of row 0.
    next_id : int
        Id the next row gets.
    generation : int
        Counts changes of the rows (and of the recordings).
    cache : dict
        What queries derive from the rows; emptied at every change.
    """

    def __init__(self) -> None:
        self.generation = 0
        self.cache: dict[Any, Any] = {}
        self.next_id = 0
        self.reset()

    def reset(self) -> None:
        """Drop every row; the next rows get fresh ids."""
        self.predictions: list[Any] = []
        self.prediction_runs: list[str] = []
        self.first_id = self.next_id
        self.rows = Rows()
        self.lookup = RowLookup(self.rows)
        self.indexed: list[IndexedBlock] = []
        self.touch()

    def touch(self) -> None:
        """Note a change: a new :attr:`generation`, an empty :attr:`cache`."""
        self.generation += 1
        self.cache.clear()

    def __len__(self) -> int:
        return len(self.rows)

    def local(self, detection_id: int) -> int:
        """The row of a detection id (``KeyError`` if it is not a row)."""
        local = int(detection_id) - self.first_id
        if not 0 <= local < len(self.rows):
            raise KeyError(f"no detection with id {detection_id} in this session")
        return local

    def columns(self) -> Columns:
        """Read-only views of the detection columns (for fast queries)."""
        r = self.rows
        return Columns(self.first_id, *(r.view(name) for name in _PUBLIC))

    # -------------------------------------------------------------- adding

    def append(
        self, values: dict[str, np.ndarray], *, stored: bool, in_order: bool = False
    ) -> range:
        """Append rows (checked for duplicates already); returns their rows.

        Read-only columns (a mapped store file) given to an empty table are
        used in place. ``stored``: the rows come from a store, usually in
        display order (then they form a sorted block, found without an
        index); ``in_order``: the caller vouches for that order.
        """
        had_rows = len(self.rows)
        if had_rows == 0 and not any(values[name].flags.writeable for name in _GIVEN):
            added = self.rows.adopt(values)
        else:
            added = self.rows.append(values)
        self.lookup.add(
            added.start,
            added.stop,
            values,
            sorted_block=stored and (in_order or in_display_order(values)),
        )
        self.next_id = self.first_id + len(self.rows)
        return added

    def add_index(
        self, first: int, index: tuple[ScoreIndex, np.ndarray, np.ndarray]
    ) -> None:
        """Use a store's score index for the rows from ``first`` (a sorted block).

        ``index``: the :class:`ScoreIndex` with the maps from its recording
        and species numbers to the session's. Ignored unless rows
        ``first:`` are one sorted block.
        """
        if not self.lookup.in_display_order_from(first):
            return
        score_index, recordings, species_map = index
        self.indexed.append(
            IndexedBlock(
                first,
                score_index,
                np.asarray(recordings, np.int64),
                np.asarray(species_map, np.int64),
            )
        )

    # ------------------------------------------------------------- reading

    def key_rows(self, local: int) -> list[int]:
        """Rows sharing the path key of row ``local`` (itself included), in order."""
        r = self.rows
        values = {
            name: r[name][local : local + 1]
            for name in ("recording", "start", "end", "species")
        }
        _which, rows = self.lookup.find(values)
        return rows.tolist() or [local]

    def unindexed_rows(self) -> np.ndarray:
        """Rows that no score index covers (counted by reading them), ascending."""
        key = ("unindexed",)
        cached = self.cache.get(key)
        if cached is None:
            n = len(self.rows)
            covered = sorted(
                (b.first, b.first + int(b.index.recording_bounds[-1])) for b in self.indexed
            )
            parts, at = [], 0
            for a, b in covered:
                parts.append(np.arange(at, a, dtype=np.int64))
                at = b
            parts.append(np.arange(at, n, dtype=np.int64))
            cached = np.concatenate(parts)
            self.cache[key] = cached
        return cached
