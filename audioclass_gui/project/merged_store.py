"""One store file for a project's many predictions store files.

``predict`` and Model › Run on all recordings write one predictions store
file per recording, so a deployment of 2,000 recordings has 2,000 of them.
Mapping each into the session costs per file (a sorted block, a score index,
a run), and counts over thousands of small indexes are slow: a project of
20 million detections in 2,000 files took 7 s to open and 5 s for the
species panel. The project therefore merges its store files into one
(``merged.arrow`` in its store folder) the first time it sees them, with a
``run`` column saying which file each row came from, and maps that file on
later opens. The merged file lists its members with their size and
modification time; when any member is added, removed or changed, it is
made again.

Rows are the members' rows in display order (recording in the project's
order, start, descending score). A detection found in two members by the
same model (the same recording analysed twice) is kept once, from the member
listed first, as the session does when it reads them one by one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from audioclass_gui.formats.prediction_store import (
    StoredRun,
    read_stored_run,
    source_stamp,
    write_columns,
)
from audioclass_gui.review.keys import first_of_keys, milliseconds

__all__ = ["MERGED_NAME", "Member", "build_merged", "members_of", "read_merged"]

#: The merged file's name in the project's store folder.
MERGED_NAME = "merged.arrow"


@dataclass(frozen=True)
class Member:
    """A store file merged: where it is, its journal key and its stamp."""

    path: Path
    key: str
    stamp: list[int] | None

    def described(self) -> list[Any]:
        """How the merged file's metadata names it."""
        return [self.key, self.stamp]


def members_of(paths: Sequence[Path], encode: Callable[[Path], str]) -> list[Member]:
    """The store files among ``paths`` that exist now, with their stamps (one stat each)."""
    out = []
    for path in paths:
        stamp = source_stamp(path)
        if stamp is not None:
            out.append(Member(path, encode(path), stamp))
    return out


def read_merged(
    target: Path, members: Sequence[Member], *, decode: Callable[[str], str]
) -> StoredRun | None:
    """Map the merged file if it holds exactly ``members`` as they are now, else None."""
    stored = read_stored_run(target, decode=decode, stamp=None)
    if stored is None or stored.run is None:
        return None
    if [r.get("member") for r in stored.runs] != [m.described() for m in members]:
        return None
    return stored


def _read_member(member: Member) -> StoredRun | None:
    folder = member.path.parent
    return read_stored_run(
        member.path,
        decode=lambda p: os.path.normpath(folder.joinpath(p)),
        stamp=None,
    )


def build_merged(
    target: Path,
    members: Sequence[Member],
    *,
    rank: Callable[[str], Any],
    encode: Callable[[str], str],
    decode: Callable[[str], str],
) -> StoredRun | None:
    """Merge ``members`` into ``target`` (atomically) and map the result.

    Parameters
    ----------
    target
        The merged file.
    members
        The store files, in the project's order (the first of two files
        with the same detection of the same model keeps it).
    rank
        Sort key of a recording path: the project's order of recordings.
    encode, decode
        Absolute path <-> the journal's path form.

    Returns
    -------
    StoredRun or None
        The merged file, mapped; None if a member cannot be read (the
        caller then reads the members one by one, which says why).
    """
    parts: list[StoredRun | None] = []
    for member in members:  # mapped: only dictionaries and metadata are read
        part = _read_member(member)
        if part is None or part.run is not None:
            return None
        parts.append(part)
    runs = [
        {
            "member": m.described(),
            "model_name": part.model_name,
            "provenance": part.provenance,
            "common_names": part.common_names,
            "problems": part.problems,
        }
        for m, part in zip(members, parts, strict=True)
    ]
    recordings = sorted({p for part in parts for p in part.recordings}, key=rank)
    columns = _concatenated(parts, recordings)
    del parts  # unmapped: their pages leave memory
    species = columns.pop("species names")
    merged = StoredRun(
        [encode(p) for p in recordings],
        species,
        columns["recording"],
        columns["species"],
        columns["start"],
        columns["end"],
        columns["score"],
        run=columns["run"],
    )
    del columns
    write_columns(target, merged, {"model_name": "", "runs": runs, "source_stamp": None})
    del merged
    return read_stored_run(target, decode=decode, stamp=None)


def _concatenated(parts: list[StoredRun | None], recordings: list[str]) -> dict[str, Any]:
    """The parts' rows in display order, each (key, model) once (first part wins).

    Each part is dropped from ``parts`` once copied.

    Parts of one recording each (what ``predict`` writes) are sorted already
    and only put in recording order, one part at a time into columns made
    once; otherwise every row is sorted.
    """
    rec_number = {p: i for i, p in enumerate(recordings)}
    species: dict[str, int] = {}
    luts = []
    spans = []
    for i, part in enumerate(parts):
        rec_lut = np.asarray([rec_number[p] for p in part.recordings], np.int32)
        spc_lut = np.asarray([species.setdefault(s, len(species)) for s in part.species], np.int32)
        luts.append((rec_lut, spc_lut))
        if len(part) and len(rec_lut):
            spans.append((int(rec_lut.min()), int(rec_lut.max()), i))
    spans.sort()
    disjoint = all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))
    ordered = disjoint and all(
        bool(np.all(np.diff(luts[i][0]) > 0)) for _lo, _hi, i in spans
    )
    n = sum(len(parts[i]) for _lo, _hi, i in spans)
    out: dict[str, Any] = {
        "recording": np.empty(n, np.int32),
        "species": np.empty(n, np.int32),
        "start": np.empty(n, np.float64),
        "end": np.empty(n, np.float64),
        "score": np.empty(n, np.float64),
        "run": np.empty(n, np.int32),
    }
    models: dict[str, int] = {}
    model_of = np.asarray(
        [models.setdefault(part.model_name, len(models)) for part in parts], np.int32
    )
    at = 0
    for _lo, _hi, i in spans:
        part, (rec_lut, spc_lut) = parts[i], luts[i]
        parts[i] = None  # unmapped once copied: its pages leave memory
        stop = at + len(part)
        out["recording"][at:stop] = rec_lut[part.recording]
        out["species"][at:stop] = spc_lut[part.species_index]
        for name in ("start", "end", "score"):
            out[name][at:stop] = getattr(part, name)
        out["run"][at:stop] = i
        at = stop
        del part
    if not ordered:
        keep = _first_of_each_key(out, model_of[out["run"]])
        rows = np.lexsort((out["run"], -out["score"], out["start"], out["recording"]))
        rows = rows[keep[rows]]
        out = {name: column[rows] for name, column in out.items()}
    out["species names"] = list(species)
    return out


def _first_of_each_key(columns: dict[str, np.ndarray], model: np.ndarray) -> np.ndarray:
    """Mask of rows whose (recording, frame, species, model) no earlier member has."""
    start_ms, end_ms = milliseconds(columns["start"]), milliseconds(columns["end"])
    order = np.lexsort(
        (columns["run"], model, columns["species"], end_ms, start_ms, columns["recording"])
    )
    keys = (columns["recording"], start_ms, end_ms, columns["species"], model)
    keep = np.ones(len(columns["score"]), bool)
    keep[order[~first_of_keys(order, keys)]] = False
    return keep
