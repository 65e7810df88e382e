"""A detection's identity that survives restarts: its path key.

A path key is ``(recording path, start, end, scientific name)`` with times
rounded to the millisecond (see
:data:`~audioclass_gui.review.session_types.PathKey`). Journals and exports
name detections by it; detections of different runs with the same key are
the same question about the audio and share one verdict. :class:`PathKeys`
turns rows into keys and keys into rows, over a session's table and
registries.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from audioclass_gui.review.detection_table import DetectionTable
from audioclass_gui.review.recording_registry import RecordingRegistry, absolute_path
from audioclass_gui.review.session_types import PathKey
from audioclass_gui.review.species_registry import SpeciesRegistry

__all__ = ["PathKeys", "absolute_key"]


class PathKeys:
    """Path keys of a session's rows, and rows of path keys (reads only).

    Parameters
    ----------
    table, recordings, species
        The session's rows and the registries their numbers refer to.
    """

    def __init__(
        self, table: DetectionTable, recordings: RecordingRegistry, species: SpeciesRegistry
    ) -> None:
        self._table = table
        self._recordings = recordings
        self._species = species

    def key(self, local: int) -> PathKey:
        """The path key of row ``local``."""
        r = self._table.rows
        return (
            str(self._recordings.recording(int(r["recording"][local])).path),
            round(float(r["start"][local]), 3),
            round(float(r["end"][local]), 3),
            self._species.name(int(r["species"][local])),
        )

    def ids(self, key: PathKey) -> list[int]:
        """Ids of the detections with this path key (several runs may share one)."""
        path, start, end, species = key
        rec = self._recordings.index(path)
        spc = self._species.get(species)
        if rec is None or spc is None:
            return []
        _which, rows = self._table.lookup.find(
            {
                "recording": np.array([rec]),
                "start": np.array([float(start)]),
                "end": np.array([float(end)]),
                "species": np.array([spc]),
            }
        )
        return (rows + self._table.first_id).tolist()

    def find(self, keys: Iterable[PathKey]) -> tuple[list[PathKey], np.ndarray, np.ndarray]:
        """Rows of many path keys (absolute paths) at once.

        Returns
        -------
        (list of PathKey, numpy.ndarray, numpy.ndarray)
            The keys whose recording and species are known, and every
            (position in that list, row) pair with the same key, sorted
            by position then row.
        """
        found = []
        for pkey in keys:
            path, start, end, species = pkey
            rec = self._recordings.at_path(path)
            spc = self._species.get(species)
            if rec is not None and spc is not None:
                found.append((pkey, rec, start, end, spc))
        if not found:
            empty = np.empty(0, np.int64)
            return [], empty, empty
        which, rows = self._table.lookup.find(
            {
                "recording": np.array([k[1] for k in found], np.int64),
                "start": np.array([k[2] for k in found], np.float64),
                "end": np.array([k[3] for k in found], np.float64),
                "species": np.array([k[4] for k in found], np.int64),
            }
        )
        return [k[0] for k in found], which, rows


def absolute_key(path: str, start: float, end: float, species: str) -> PathKey:
    """A path key from stored values: the path made absolute, times rounded to the ms."""
    return (str(absolute_path(path)), round(float(start), 3), round(float(end), 3), species)
