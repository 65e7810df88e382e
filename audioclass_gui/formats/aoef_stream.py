"""Model runs of millions of predictions written as AOEF JSON in bounded memory.

Building a ``soundevent.data.ModelRun`` of a deployment's predictions takes
several Python objects per prediction: tens of gigabytes for 20 million.
:class:`StreamedModelRun` holds the run's columns instead (views of the
project's store) and writes the same JSON document as
:mod:`audioclass_gui.formats.aoef_writer` (AOEF 1.1.0, the same keys in the
same order) chunk by chunk, straight to a temporary file that is then renamed
into place. Clip uuids are those the session gives its detections
(:func:`~audioclass_gui.review.detection.frame_clip_uuid`), so an annotation
project exported beside the run refers to the same clips.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any

import numpy as np
from soundevent import data, terms

from audioclass_gui.formats.aoef_json import Section
from audioclass_gui.formats.aoef_uuids import dashed, frame_clip_hexes, uuid5_hex
from audioclass_gui.formats.aoef_writer import AOEF_VERSION, _drop_none, _Encoder
from audioclass_gui.formats.atomic import atomic_write_path

__all__ = ["StreamedModelRun", "unique_windows", "used_codes"]

#: Rows encoded per step (bounds the memory of a write).
_CHUNK = 200_000


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class StreamedModelRun:
    """A model run to write from columns, without an object per prediction.

    Attributes
    ----------
    name : str
        The model's name.
    description : str
        The run's description (its provenance as JSON).
    version : str
        The model's version.
    recordings : list of soundevent.data.Recording
        ``recording`` indexes this list.
    species : list of str
        Scientific names; ``species`` indexes this list.
    columns : dict of str to numpy.ndarray
        ``recording``, ``species``, ``start``, ``end``, ``score``: one entry
        per prediction, grouped by recording and start time (display order).
    uuid : uuid.UUID
        The run's uuid.
    title : str
        The run's own name (``name`` when empty): what tells it from other
        runs of the same model (see :mod:`audioclass_gui.formats.aoef_run_names`).
    """

    name: str
    description: str
    version: str
    recordings: Sequence[data.Recording]
    species: Sequence[str]
    columns: dict[str, np.ndarray]
    uuid: uuid.UUID = field(default_factory=uuid.uuid4)
    title: str = ""

    @cached_property
    def used(self) -> np.ndarray:
        """Indexes of the recordings the run's predictions are on, ascending."""
        return used_codes(self.columns["recording"])

    def recording_paths(self) -> set[Path]:
        """Paths of the recordings the run's predictions are on."""
        return {Path(self.recordings[i].path) for i in self.used.tolist()}

    @cached_property
    def _groups(self) -> tuple[np.ndarray | None, np.ndarray]:
        return _grouped(self.columns["recording"], len(self.recordings))

    def windows(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """The windows of recording ``index``: ``(starts, ends)``, each once, by start then end."""
        order, bounds = self._groups
        rows = slice(int(bounds[index]), int(bounds[index + 1]))
        start, end = self.columns["start"], self.columns["end"]
        if order is None:
            return unique_windows(start[rows], end[rows])
        return unique_windows(start[order[rows]], end[order[rows]])

    def __len__(self) -> int:
        return len(self.columns["score"])

    def write(self, path: str | Path, audio_dir: str | Path | None = None) -> None:
        """Write the run as AOEF JSON, atomically, in bounded memory.

        Raises
        ------
        ValueError
            If ``audio_dir`` is given and a recording is not inside it.
        OSError
            If the file cannot be written (an existing file is left intact).
        """
        enc = _Encoder(Path(audio_dir) if audio_dir is not None else None)
        key = data.key_from_term(terms.scientific_name)
        for name in self.species:  # species index = tag id
            enc.tag_key(key, name)
        rec_ids = {i: enc.recording(self.recordings[i]) for i in self.used.tolist()}
        head = _drop_none(
            {
                "uuid": str(self.uuid),
                "name": self.title or self.name or "Model Run",
                "description": self.description,
                "created_on": dt.datetime.now(dt.UTC).isoformat(),
                "collection_type": "model_run",
                "users": list(enc.users.values()) or None,
                "tags": enc.tag_list() or None,
                "recordings": list(enc.recordings.values()) or None,
            }
        )
        model = _drop_none({"name": self.name or "Model Run", "version": self.version})
        with atomic_write_path(Path(path)) as tmp, open(tmp, "w", encoding="utf-8") as out:
            out.write(f'{{"version":{_json(AOEF_VERSION)},')
            out.write(f'"created_on":{_json(dt.datetime.now(dt.UTC).isoformat())},"data":')
            out.write(_json(head)[:-1])
            if len(self):
                # One pass: the clips go out, their predictions wait in a file beside.
                predictions = Section(tmp.parent)
                try:
                    out.write(',"clips":[')
                    self._write_items(out, predictions, rec_ids)
                    out.write('],"clip_predictions":[')
                    predictions.copy_to(out)
                    out.write("]")
                finally:
                    predictions.close()
            out.write(f',"model":{_json(model)},"version":{_json(self.version)}}}}}')

    def _windows(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Chunks of row order, and where each window (recording, start, end) begins."""
        cols = self.columns
        rec, start, end, score = cols["recording"], cols["start"], cols["end"], cols["score"]
        n = len(score)
        at = 0
        while at < n:
            stop = min(n, at + _CHUNK)
            # End a chunk where (recording, start) changes, so no window is cut.
            while stop < n and rec[stop] == rec[stop - 1] and start[stop] == start[stop - 1]:
                stop += 1
            rows = np.arange(at, stop)
            rows = rows[np.lexsort((-score[rows], end[rows], start[rows], rec[rows]))]
            r, s, e = rec[rows], start[rows], end[rows]
            first = np.ones(len(rows), bool)
            first[1:] = (r[1:] != r[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1])
            yield rows, np.flatnonzero(first)
            at = stop

    def _write_items(self, out: IO[str], predictions: Section, rec_ids: dict[int, str]) -> None:
        """Each window's clip to ``out``, its clip prediction to ``predictions``."""
        cols = self.columns
        rec, start, end = cols["recording"], cols["start"], cols["end"]
        spc, score = cols["species"], cols["score"]
        parents = [r.uuid for r in self.recordings]
        prediction = f"prediction:{self.uuid}"
        comma = ""
        for rows, firsts in self._windows():
            at = rows[firsts]
            r_of, s_of, e_of = rec[at].tolist(), start[at].tolist(), end[at].tolist()
            clips = list(map(dashed, hexes := _clip_hexes(parents, r_of, s_of, e_of)))
            out.write(
                comma
                + ",".join(
                    f'{{"uuid":"{c}","recording":"{rec_ids[r]}","start_time":{s!r},"end_time":{e!r}}}'
                    for c, r, s, e in zip(clips, r_of, s_of, e_of, strict=True)
                )
            )
            comma = ","
            tags = [
                f"[{k},{v!r}]" for k, v in zip(spc[rows].tolist(), score[rows].tolist(), strict=True)
            ]
            bounds = np.append(firsts, len(rows)).tolist()
            predictions.add_texts(
                [
                    f'{{"uuid":"{dashed(uuid5_hex(bytes.fromhex(h), prediction))}",'
                    f'"clip":"{c}","tags":[{",".join(tags[a:b])}],"features":{{}}}}'
                    for h, c, a, b in zip(hexes, clips, bounds[:-1], bounds[1:], strict=True)
                ]
            )


def _clip_hexes(
    parents: Sequence[uuid.UUID], recs: list[int], starts: list[float], ends: list[float]
) -> list[str]:
    """Clip uuid hexes of windows ordered by recording (one hash prefix per recording)."""
    out: list[str] = []
    at, n = 0, len(recs)
    while at < n:
        r = recs[at]
        stop = at + 1
        while stop < n and recs[stop] == r:
            stop += 1
        out += frame_clip_hexes(parents[r], starts[at:stop], ends[at:stop])
        at = stop
    return out


def used_codes(codes: np.ndarray) -> np.ndarray:
    """The distinct values of an integer column, ascending (one pass when it is sorted)."""
    if not len(codes):
        return np.empty(0, np.int64)
    if len(codes) == 1 or bool((codes[1:] >= codes[:-1]).all()):
        change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
        return np.concatenate(([codes[0]], codes[change])).astype(np.int64)
    return np.unique(codes).astype(np.int64)


def _grouped(codes: np.ndarray, n: int) -> tuple[np.ndarray | None, np.ndarray]:
    """Rows by code: ``order`` (None when the column is sorted) and bounds of each code."""
    order = None
    if len(codes) > 1 and not bool((codes[1:] >= codes[:-1]).all()):
        order = np.argsort(codes, kind="stable")
    values = codes if order is None else codes[order]
    return order, np.searchsorted(values, np.arange(n + 1))


def unique_windows(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(start, end)`` pairs, by start then end."""
    if len(start) > 1:
        order = np.lexsort((end, start))
        start, end = start[order], end[order]
        keep = np.ones(len(start), bool)
        keep[1:] = (start[1:] != start[:-1]) | (end[1:] != end[:-1])
        start, end = start[keep], end[keep]
    return start, end
