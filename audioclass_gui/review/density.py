"""How many detections start in each time bin: the density drawn where boxes would be a wall.

Zoomed out on a night of recording, the detections shown are too many to
draw one by one. They are drawn instead as counts per time bin, for all of
them and for a few species. A :class:`DensityIndex` is built once from the
shown detections' start times and species (one sort, vectorised), after
which the counts of any bins, for any species, are binary searches: a few
microseconds per lane, whatever the number of detections, so a view can
ask for new bins on every zoom.

A detection counts in the bin where its window starts. Bins are those of
:func:`numpy.histogram`: each is ``[edge, next edge)``, the last also holds
its right edge, and starts outside ``[start, end]`` count nowhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from audioclass_gui.review.detection import Detection
    from audioclass_gui.review.session_types import Columns

__all__ = ["Bins", "DensityIndex", "detection_columns", "shown_species"]

#: Species codes below this sort with numpy's radix sort (16-bit keys).
_SHORT = 1 << 15


@dataclass(frozen=True)
class Bins:
    """``count`` equal time bins from ``start`` to ``end`` (seconds).

    Attributes
    ----------
    start, end : float
    count : int
    """

    start: float
    end: float
    count: int

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"bins need a count of at least 1, not {self.count}")
        if not self.end > self.start:
            raise ValueError(f"bins need end > start, not {self.start}..{self.end}")

    @classmethod
    def aligned(cls, start: float, end: float, width: float) -> Bins:
        """Bins of ``width`` seconds on the grid of multiples of ``width``, covering ``[start, end]``.

        Bins on one grid stay where they are when the range moves, so a
        panned view recolours no bin.
        """
        if not width > 0:
            raise ValueError(f"bins need a width > 0, not {width}")
        first = int(np.floor(start / width))
        last = max(int(np.ceil(end / width)), first + 1)
        return cls(first * width, last * width, last - first)

    @property
    def width(self) -> float:
        """Length of one bin (seconds)."""
        return (self.end - self.start) / self.count

    @property
    def edges(self) -> np.ndarray:
        """The ``count + 1`` edges, as :func:`numpy.histogram` makes them."""
        return np.linspace(self.start, self.end, self.count + 1)

    def span(self, index: int) -> tuple[float, float]:
        """Start and end of bin ``index`` (seconds)."""
        edges = self.edges
        return float(edges[index]), float(edges[index + 1])

    def at(self, t: float) -> int | None:
        """The bin holding time ``t``, or None outside the bins."""
        if not self.start <= t <= self.end:
            return None
        edges = self.edges
        return int(min(np.searchsorted(edges, t, side="right") - 1, self.count - 1))


@dataclass(frozen=True)
class DensityIndex:
    """The start times of shown detections, sorted once overall and once per species.

    Build it with :meth:`build`; then :meth:`counts` gives a lane of counts
    for any :class:`Bins` in ``O(bins * log(detections))``.

    Attributes
    ----------
    starts : numpy.ndarray of float64
        Every start, ascending.
    species : numpy.ndarray of int64
        Species codes present, most detections first (ties: lower code first).
    by_species : numpy.ndarray of float64
        The starts grouped by species code, ascending within each group.
    bounds : dict of int to (int, int)
        Species code -> its slice of ``by_species``.
    """

    starts: np.ndarray
    species: np.ndarray
    by_species: np.ndarray
    bounds: dict[int, tuple[int, int]]

    @classmethod
    def build(cls, starts: np.ndarray, species: np.ndarray) -> DensityIndex:
        """Index detections by their start times (s) and species codes (integers >= 0).

        Vectorised: a sort by start when the starts are not in order
        already, a stable (radix) sort by species, a count per species.

        Raises
        ------
        ValueError
            When the columns differ in length, a species code is negative or
            a start is not a number.
        """
        starts = np.asarray(starts, dtype=np.float64).reshape(-1)
        codes = np.asarray(species).reshape(-1)
        if len(codes) != len(starts):
            raise ValueError(
                f"density: {len(starts)} start times but {len(codes)} species codes"
            )
        if not len(starts):
            return cls(starts, np.empty(0, np.int64), starts, {})
        if np.isnan(starts).any():
            raise ValueError("density: a detection's start time is not a number")
        low, high = int(codes.min()), int(codes.max())
        if low < 0:
            raise ValueError(f"density: species codes must be >= 0, not {low}")
        if len(starts) > 1 and not bool(np.all(starts[1:] >= starts[:-1])):
            order = np.argsort(starts, kind="stable")
            starts, codes = starts[order], codes[order]
        keys = codes.astype(np.int16 if high < _SHORT else np.int64)
        by_species = starts[np.argsort(keys, kind="stable")]  # start order kept per species
        per = np.bincount(keys, minlength=high + 1)
        present = np.flatnonzero(per)
        ends = np.cumsum(per[present])
        bounds = {
            int(k): (int(e - n), int(e))
            for k, n, e in zip(present.tolist(), per[present].tolist(), ends.tolist(), strict=True)
        }
        ranked = present[np.lexsort((present, -per[present]))].astype(np.int64)
        return cls(starts, ranked, by_species, bounds)

    def __len__(self) -> int:
        return len(self.starts)

    def count_of(self, species: int | None = None) -> int:
        """Detections of one species code (None: all)."""
        if species is None:
            return len(self.starts)
        lo, hi = self.bounds.get(int(species), (0, 0))
        return hi - lo

    def counts(self, bins: Bins, species: int | None = None) -> np.ndarray:
        """Detections starting in each bin, of one species code (None: every species).

        Returns
        -------
        numpy.ndarray of int64
            ``bins.count`` counts, equal to ``numpy.histogram(starts, bins.edges)[0]``.
        """
        if species is None:
            starts = self.starts
        else:
            lo, hi = self.bounds.get(int(species), (0, 0))
            starts = self.by_species[lo:hi]
        edges = bins.edges
        at = np.searchsorted(starts, edges, side="left")
        at[-1] = np.searchsorted(starts, edges[-1], side="right")  # the last bin is closed
        return np.diff(at).astype(np.int64)

    def lanes(self, bins: Bins, species: Sequence[int | None]) -> np.ndarray:
        """Counts for several lanes at once: one row per entry of ``species`` (None: all)."""
        out = np.zeros((len(species), bins.count), np.int64)
        for row, code in enumerate(species):
            out[row] = self.counts(bins, code)
        return out

    def top(self, n: int, first: int | None = None) -> list[int]:
        """Up to ``n`` species codes, most detections first; ``first`` (if present) leads."""
        ranked = self.species.tolist()
        if first is not None and first in self.bounds:
            ranked = [first] + [k for k in ranked if k != first]
        return ranked[: max(n, 0)]


def shown_species(columns: Columns, rows: np.ndarray) -> np.ndarray:
    """Species code of each row as the reviewer sees it: the relabel, else the prediction.

    Parameters
    ----------
    columns
        A session's :meth:`~audioclass_gui.review.ReviewSession.columns`.
    rows
        Rows of those columns (``id - first_id``).
    """
    rows = np.asarray(rows, dtype=np.int64)
    label = columns.label[rows]
    return np.where(label >= 0, label, columns.species[rows]).astype(np.int64)


def detection_columns(detections: Sequence[Detection]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Start times, species codes and the name of each code, from detection objects.

    For lists that are not a session's columns (a sample's queue); the
    species is the predicted one and the name its common name (else the
    scientific name).
    """
    names: dict[str, int] = {}
    labels: list[str] = []
    codes = np.empty(len(detections), np.int64)
    starts = np.empty(len(detections), np.float64)
    for k, d in enumerate(detections):
        name = d.common_name or d.scientific_name
        code = names.get(name)
        if code is None:
            code = names[name] = len(labels)
            labels.append(name)
        codes[k] = code
        starts[k] = d.start
    return starts, codes, labels
