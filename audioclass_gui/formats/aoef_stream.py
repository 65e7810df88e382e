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
from pathlib import Path
from typing import IO, Any

import numpy as np
from soundevent import data, terms

from audioclass_gui.formats.aoef_writer import AOEF_VERSION, _drop_none, _Encoder
from audioclass_gui.formats.atomic import atomic_write_path
from audioclass_gui.review.detection import frame_clip_uuid

__all__ = ["StreamedModelRun"]

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
    """

    name: str
    description: str
    version: str
    recordings: Sequence[data.Recording]
    species: Sequence[str]
    columns: dict[str, np.ndarray]
    uuid: uuid.UUID = field(default_factory=uuid.uuid4)

    def recording_paths(self) -> set[Path]:
        """Paths of the recordings the run's predictions are on."""
        used = np.unique(self.columns["recording"])
        return {Path(self.recordings[int(i)].path) for i in used.tolist()}

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
        used = np.unique(self.columns["recording"]).tolist()
        rec_ids = {i: enc.recording(self.recordings[i]) for i in used}
        key = data.key_from_term(terms.scientific_name)
        head = _drop_none(
            {
                "uuid": str(self.uuid),
                "name": self.name or "Model Run",
                "description": self.description,
                "created_on": dt.datetime.now().isoformat(),
                "collection_type": "model_run",
                "tags": [
                    {"id": i, "key": key, "value": name} for i, name in enumerate(self.species)
                ]
                or None,
                "recordings": list(enc.recordings.values()) or None,
            }
        )
        model = _drop_none({"name": self.name or "Model Run", "version": self.version})
        with atomic_write_path(Path(path)) as tmp, open(tmp, "w", encoding="utf-8") as out:
            out.write(f'{{"version":{_json(AOEF_VERSION)},')
            out.write(f'"created_on":{_json(dt.datetime.now().isoformat())},"data":')
            out.write(_json(head)[:-1])
            if len(self):
                out.write(',"clips":[')
                self._write_items(out, rec_ids, clips=True)
                out.write('],"clip_predictions":[')
                self._write_items(out, rec_ids, clips=False)
                out.write("]")
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

    def _write_items(self, out: IO[str], rec_ids: dict[int, str], *, clips: bool) -> None:
        cols = self.columns
        rec, start, end = cols["recording"], cols["start"], cols["end"]
        spc, score = cols["species"], cols["score"]
        recordings = self.recordings
        comma = ""
        for rows, firsts in self._windows():
            bounds = np.append(firsts, len(rows)).tolist()
            parts = []
            for a, b in zip(bounds[:-1], bounds[1:], strict=True):
                row = int(rows[a])
                r, s, e = int(rec[row]), float(start[row]), float(end[row])
                clip = frame_clip_uuid(recordings[r].uuid, s, e)
                if clips:
                    parts.append(
                        f'{{"uuid":"{clip}","recording":"{rec_ids[r]}",'
                        f'"start_time":{s!r},"end_time":{e!r}}}'
                    )
                    continue
                members = rows[a:b]
                tags = ",".join(
                    f"[{int(k)},{float(v)!r}]"
                    for k, v in zip(spc[members].tolist(), score[members].tolist(), strict=True)
                )
                parts.append(
                    f'{{"uuid":"{uuid.uuid5(clip, "prediction:" + str(self.uuid))}",'
                    f'"clip":"{clip}","tags":[{tags}],"features":{{}}}}'
                )
            if parts:
                out.write(comma + ",".join(parts))
                comma = ","
