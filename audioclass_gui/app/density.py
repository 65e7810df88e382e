"""The density of the detections shown: what the overview strip and a zoomed-out view draw.

The spectrogram's overlay hands over the detections it shows (those the
list shows, in the open recording: the thresholds, per-species thresholds
and species filter applied), each time that list changes: a threshold
moved, a run streamed in more, a relabel changed a species. A
:class:`~audioclass_gui.review.density.DensityIndex` is built from them off
the GUI thread when they are many; while one is built, the last one stays
drawn, and of the changes made meanwhile only the latest is built next.

Lanes
-----
One lane counts every detection shown ("All species"); up to
:data:`MAX_SPECIES_LANES` more count one species each: the selected
detection's species first, then the species with the most detections. Where
every detection shown is of one species (a species filter, or a recording
with one species), that species' lane is the only one. A species is the one
the reviewer sees: the relabel, else the model's prediction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from psygnal import Signal

from audioclass_gui.app.tasks import ImmediateTasks, Tasks
from audioclass_gui.review.density import Bins, DensityIndex

__all__ = ["ALL_SPECIES", "INLINE_UP_TO", "MAX_SPECIES_LANES", "DetectionDensity", "Lane"]

log = logging.getLogger(__name__)

#: Up to this many detections the index is built at once (well under a millisecond).
INLINE_UP_TO = 20_000
#: Species lanes beside the lane of all species.
MAX_SPECIES_LANES = 3
#: Name of the lane counting every detection shown.
ALL_SPECIES = "All species"

#: Species codes as a column, or made in the worker from the session's columns.
SpeciesCodes = np.ndarray | Callable[[], np.ndarray]


class Lane(NamedTuple):
    """One lane of the density: a species code (None: all), its name and its detections."""

    species: int | None
    name: str
    count: int


class DetectionDensity:
    """The index of the detections shown and the lanes to draw from it.

    Parameters
    ----------
    tasks
        Where large indexes are built (the window's thread pool); at once in
        the caller's thread when None.
    inline_up_to
        Up to this many detections the index is built at once.

    Signals
    -------
    changed()
        The index or the lanes changed: redraw.
    """

    changed = Signal()

    def __init__(self, tasks: Tasks | None = None, *, inline_up_to: int = INLINE_UP_TO) -> None:
        self._tasks: Tasks = tasks if tasks is not None else ImmediateTasks()
        #: Up to this many detections the index is built at once, in the caller's thread.
        self.inline_up_to = inline_up_to
        #: The index drawn now (the last one built).
        self.index = DensityIndex.build(np.empty(0), np.empty(0, np.int64))
        self._name_of: Callable[[int], str] = str
        self._names: dict[int, str] = {}
        self._focus: int | None = None
        self._generation = 0
        self._waiting: tuple | None = None  # the latest change not built yet
        self._busy = False

    @property
    def building(self) -> bool:
        """True while an index is being built (the previous one is still drawn)."""
        return self._busy or self._waiting is not None

    # ------------------------------------------------------------ changes
    def show(self, starts: np.ndarray, species: SpeciesCodes, name_of: Callable[[int], str]) -> None:
        """These detections are shown now (start times in seconds, species codes).

        Parameters
        ----------
        starts
            Start time of each detection; not modified afterwards by the caller.
        species
            Species code of each detection, or a function making them (run
            off the GUI thread with the build).
        name_of
            The name of a species code (called on the GUI thread, for lanes only).
        """
        self._generation += 1
        job = (self._generation, starts, species, name_of)
        if len(starts) <= self.inline_up_to:
            self._waiting = None
            self._built(job, self._build(job))
            return
        self._waiting = job
        if not self._busy:
            self._start()

    def set_focus(self, species: int | None) -> None:
        """Give this species code's lane the first place after all species (None: none)."""
        if species == self._focus:
            return
        before = self.lanes()
        self._focus = species
        if self.lanes() != before:
            self.changed.emit()

    def clear(self) -> None:
        """Show no detections."""
        self.show(np.empty(0), np.empty(0, np.int64), str)

    # ------------------------------------------------------------ reading
    def lanes(self) -> list[Lane]:
        """The lanes to draw, first the one of all species (see the module docstring)."""
        index = self.index
        if not len(index):
            return []
        if len(index.species) == 1:
            code = int(index.species[0])
            return [Lane(code, self._name(code), len(index))]
        chosen = index.top(MAX_SPECIES_LANES, first=self._focus)
        return [Lane(None, ALL_SPECIES, len(index))] + [
            Lane(k, self._name(k), index.count_of(k)) for k in chosen
        ]

    def counts(self, bins: Bins) -> np.ndarray:
        """Detections per bin, one row per lane of :meth:`lanes`."""
        return self.index.lanes(bins, [lane.species for lane in self.lanes()])

    # ------------------------------------------------------------ internal
    def _name(self, code: int) -> str:
        name = self._names.get(code)
        if name is None:
            name = self._names[code] = self._name_of(code)
        return name

    @staticmethod
    def _build(job: tuple) -> DensityIndex:
        _generation, starts, species, _name_of = job
        codes = species() if callable(species) else species
        return DensityIndex.build(starts, codes)

    def _start(self) -> None:
        job, self._waiting = self._waiting, None
        if job is None:
            return
        self._busy = True
        self._tasks.submit(
            lambda: self._build(job),
            lambda index: self._finished(job, index),
            lambda exc: self._finished(job, None, exc),
        )

    def _finished(self, job: tuple, index: DensityIndex | None, exc: BaseException | None = None) -> None:
        self._busy = False
        if exc is not None:
            log.warning("detection density not built: %s", exc)
        elif job[0] == self._generation:
            self._built(job, index)
        self._start()  # the latest change made meanwhile, if any

    def _built(self, job: tuple, index: DensityIndex | None) -> None:
        if index is None:
            return
        old, before = self.index, self.lanes()
        self.index, self._name_of, self._names = index, job[3], {}
        same = (
            old.bounds == index.bounds
            and np.array_equal(old.starts, index.starts)
            and np.array_equal(old.by_species, index.by_species)
        )
        if not same or self.lanes() != before:
            self.changed.emit()
