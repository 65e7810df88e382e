"""Counting detections above thresholds without reading every row.

A store file keeps, beside its rows (grouped by recording, in display
order), a :class:`ScoreIndex`: its rows sorted by species then descending
score, and each recording's scores sorted descending. How many detections
of a species, or of a recording, score at least a threshold is then a
binary search, so the species panel, the recording list and the status
counts of a project of millions of detections read a few pages instead of
every score. :class:`IndexedBlock` ties an index to the session rows it
describes (and the session's species and recording numbers).
"""

from __future__ import annotations

import bisect
import contextlib
import os
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FileColumn", "IndexedBlock", "ScoreIndex"]


@dataclass(frozen=True)
class FileColumn:
    """A float64 column of a file, read element by element with ``pread``.

    Binary searches over a memory-mapped column make the kernel map the
    pages around every probe (and keep them in the process's resident set);
    a score index searched thousands of times per recount would end up
    wholly resident. Read this way, it costs a few microseconds per probe
    and no memory.

    Attributes
    ----------
    path : pathlib.Path
    offset : int
        Byte offset of element 0 in the file.
    length : int
    """

    path: Path
    offset: int
    length: int

    def __len__(self) -> int:
        return self.length

    @contextlib.contextmanager
    def reading(self) -> Iterator[_ColumnReader]:
        """An open reader (one file descriptor) for a batch of searches."""
        fd = os.open(self.path, os.O_RDONLY)
        try:
            yield _ColumnReader(fd, self.offset, self.length)
        finally:
            os.close(fd)


class _ColumnReader:
    """Indexable view of a :class:`FileColumn` while its file is open."""

    __slots__ = ("_fd", "_length", "_offset")

    def __init__(self, fd: int, offset: int, length: int) -> None:
        self._fd, self._offset, self._length = fd, offset, length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i: int | slice) -> float | np.ndarray:
        if isinstance(i, slice):  # one read for a run of elements
            lo, hi, _ = i.indices(self._length)
            data = os.pread(self._fd, 8 * max(hi - lo, 0), self._offset + 8 * lo)
            return np.frombuffer(data, dtype="<f8").astype(np.float64)
        return _DOUBLE.unpack(os.pread(self._fd, 8, self._offset + 8 * int(i)))[0]


_DOUBLE = struct.Struct("<d")
#: Counts an :class:`IndexedBlock` keeps (one per kind and set of thresholds).
_COUNTS_KEPT = 8


@contextlib.contextmanager
def _readable(column: np.ndarray | FileColumn) -> Iterator[object]:
    """``column`` as something indexable for the duration of a recount."""
    if isinstance(column, FileColumn):
        with column.reading() as reader:
            yield reader
    else:
        yield column


@dataclass(frozen=True)
class ScoreIndex:
    """A stored run's rows ordered by score, per species and per recording.

    Attributes
    ----------
    by_species : numpy.ndarray of int32
        Row numbers sorted by species index, then descending score.
    species_scores : numpy.ndarray or FileColumn of float64
        The scores of ``by_species``, in that order.
    species_bounds : numpy.ndarray of int64
        Species ``k``'s entries are ``[species_bounds[k], species_bounds[k + 1])``.
    recording_scores : numpy.ndarray or FileColumn of float64
        Each recording's scores, sorted descending within its rows (rows are
        grouped by recording).
    recording_bounds : numpy.ndarray of int64
        Recording ``r``'s rows are ``[recording_bounds[r], recording_bounds[r + 1])``.
    """

    by_species: np.ndarray
    species_scores: np.ndarray
    species_bounds: np.ndarray
    recording_scores: np.ndarray
    recording_bounds: np.ndarray

    @classmethod
    def build(cls, recording: np.ndarray, species: np.ndarray, score: np.ndarray,
              n_recordings: int, n_species: int) -> ScoreIndex:
        """The index of rows in display order (grouped by recording)."""
        by_species = np.lexsort((-score, species)).astype(np.int32)
        species_bounds = np.concatenate(
            ([0], np.cumsum(np.bincount(species, minlength=n_species)))
        ).astype(np.int64)
        recording_bounds = np.concatenate(
            ([0], np.cumsum(np.bincount(recording, minlength=n_recordings)))
        ).astype(np.int64)
        species_scores = score[by_species]
        # Rows are grouped by recording: sort each group's scores in place
        # (a sort of all rows would take three times the memory).
        recording_scores = np.array(score, np.float64)
        for r in np.flatnonzero(np.diff(recording_bounds) > 1).tolist():
            group = recording_scores[recording_bounds[r] : recording_bounds[r + 1]]
            group.sort()
            group[:] = group[::-1].copy()
        return cls(by_species, species_scores, species_bounds, recording_scores, recording_bounds)


def _negative(value: float) -> float:
    return -value


def _count_desc(scores: object, lo: int, hi: int, threshold: float) -> int:
    """How many of ``scores[lo:hi]`` (sorted descending) are >= threshold.

    A plain binary search reading one element per step: the pages of a
    memory-mapped index it never reads stay on disk.
    """
    if hi <= lo:
        return 0
    return bisect.bisect_right(scores, -threshold, lo, hi, key=_negative) - lo


@dataclass(frozen=True)
class IndexedBlock:
    """A score index and the session rows it describes.

    Attributes
    ----------
    first : int
        Session row of the block's row 0.
    index : ScoreIndex
        In the block's own numbering of recordings and species.
    recordings, species : numpy.ndarray of int64
        Block recording / species number -> the session's.
    """

    first: int
    index: ScoreIndex
    recordings: np.ndarray
    species: np.ndarray
    #: The last few :meth:`per_recording` and :meth:`per_species` answers, by
    #: thresholds: they depend on nothing else (the index never changes), and
    #: the recording list and species panel ask again after every verdict.
    _counted: dict = field(default_factory=dict, compare=False, repr=False)
    _counting: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def per_species(self, thresholds: np.ndarray, n_species: int) -> tuple[np.ndarray, np.ndarray]:
        """Detections at or above each species' threshold, and its best score.

        Parameters
        ----------
        thresholds
            Per session species index.
        n_species
            Length of the results.

        Returns
        -------
        (numpy.ndarray of int64, numpy.ndarray of float64)
            Counts and best scores (NaN where none passes), per session species.
        """
        key = ("species", np.asarray(thresholds, np.float64).tobytes(), int(n_species))
        known = self._remember(key, lambda: self._per_species(thresholds, n_species))
        return known[0].copy(), known[1].copy()

    def _per_species(self, thresholds: np.ndarray, n_species: int) -> tuple[np.ndarray, np.ndarray]:
        counts = np.zeros(n_species, np.int64)
        best = np.full(n_species, np.nan)
        bounds = self.index.species_bounds
        with _readable(self.index.species_scores) as scores:
            for k in np.flatnonzero(np.diff(bounds)).tolist():
                target = int(self.species[k])
                lo, hi = int(bounds[k]), int(bounds[k + 1])
                n = _count_desc(scores, lo, hi, float(thresholds[target]))
                if n:
                    counts[target] += n
                    best[target] = np.fmax(best[target], scores[lo])
        return counts, best

    def per_recording(
        self,
        threshold: float,
        own: dict[int, float],
        n_recordings: int,
        recording_of: np.ndarray,
    ) -> np.ndarray:
        """Detections passing per session recording.

        Parameters
        ----------
        threshold
            The threshold of every species not in ``own``.
        own
            Session species index -> its own threshold.
        n_recordings
            Length of the result.
        recording_of
            The session's recording column (read only for rows of species
            with their own threshold).
        """
        key = ("recording", float(threshold), tuple(sorted(own.items())), int(n_recordings))
        known = self._remember(
            key, lambda: self._per_recording(threshold, own, n_recordings, recording_of)
        )
        return known.copy()

    def _remember(self, key: tuple, count: Callable[[], Any]) -> Any:
        """``count()``, or what it gave for ``key`` the last time (the last few kept).

        The recording list and the species panel count in the task runner's
        threads: the kept answers change under a lock.
        """
        known = self._counted.get(key)
        if known is None:
            known = count()  # outside the lock: two recounts may run at once
            with self._counting:
                while len(self._counted) >= _COUNTS_KEPT:
                    self._counted.pop(next(iter(self._counted)))
                self._counted[key] = known
        return known

    def _per_recording(
        self,
        threshold: float,
        own: dict[int, float],
        n_recordings: int,
        recording_of: np.ndarray,
    ) -> np.ndarray:
        counts = np.zeros(n_recordings, np.int64)
        bounds = self.index.recording_bounds
        with _readable(self.index.recording_scores) as scores:
            for r in np.flatnonzero(np.diff(bounds)).tolist():
                counts[int(self.recordings[r])] += _count_desc(
                    scores, int(bounds[r]), int(bounds[r + 1]), threshold
                )
        if not own:
            return counts
        local = {int(s): k for k, s in enumerate(self.species.tolist())}
        sb = self.index.species_bounds
        with _readable(self.index.species_scores) as ss:
            for spc, value in own.items():
                k = local.get(spc)
                if k is None:
                    continue
                lo, hi = int(sb[k]), int(sb[k + 1])
                at_global = _count_desc(ss, lo, hi, threshold)
                at_own = _count_desc(ss, lo, hi, value)
                a, b = sorted((at_global, at_own))
                if a == b:
                    continue
                rows = self.first + self.index.by_species[lo + a : lo + b].astype(np.int64)
                delta = np.bincount(recording_of[rows], minlength=n_recordings)
                counts += delta if at_own > at_global else -delta
        return counts

    def species_rows(
        self, thresholds: dict[int, float]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Session rows of some session species scoring at least their threshold.

        Parameters
        ----------
        thresholds
            Session species index -> lowest score kept.

        Returns
        -------
        (numpy.ndarray of int64, numpy.ndarray of float64)
            Rows and their scores, best first per species. Only those
            entries of the index are read, not the block's every row.
        """
        local = {int(s): k for k, s in enumerate(self.species.tolist())}
        bounds = self.index.species_bounds
        rows, scores_out = [], []
        with _readable(self.index.species_scores) as scores:
            for spc, lowest in thresholds.items():
                k = local.get(int(spc))
                if k is None:
                    continue
                lo, hi = int(bounds[k]), int(bounds[k + 1])
                n = _count_desc(scores, lo, hi, lowest)
                rows.append(self.first + self.index.by_species[lo : lo + n].astype(np.int64))
                scores_out.append(np.asarray(scores[lo : lo + n], np.float64))
        if not rows:
            return np.empty(0, np.int64), np.empty(0)
        return np.concatenate(rows), np.concatenate(scores_out)
