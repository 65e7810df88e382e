"""An annotation project of any number of verdicts, written as AOEF JSON in bounded memory.

:class:`StreamedProject` holds what
:func:`~audioclass_gui.formats.aoef_project.build_annotation_project` took
from a session: the judged detections as columns in display order, their
own notes, the boxes and small tables of names. :meth:`StreamedProject.write`
writes it (:mod:`audioclass_gui.formats.aoef_project_writer`) from
:meth:`StreamedProject.entries`, the verdicts clip by clip, made a chunk at a
time: nothing is held per verdict beyond the columns.

The uuids of clip annotations, tasks and the clips of boxes are derived from
the project's uuid and the clip's, so the evaluation set written beside
(:mod:`audioclass_gui.formats.aoef_companions`) refers to the same clip
annotations.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from soundevent import data

from audioclass_gui.formats.aoef_notes import note_message, own_note_message
from audioclass_gui.formats.aoef_project_writer import write_project
from audioclass_gui.formats.aoef_uuids import dashed, frame_clip_hexes, uuid5_hex
from audioclass_gui.review.detection import STATUS_ORDER, Box, Status

__all__ = ["ClipEntry", "ProjectBox", "StreamedProject"]

_UNREVIEWED = STATUS_ORDER.index(Status.UNREVIEWED)
_ACCEPTED = STATUS_ORDER.index(Status.ACCEPTED)
_UNCERTAIN = STATUS_ORDER.index(Status.UNCERTAIN)
#: Frames (clips) whose verdicts are made into Python values at a time.
_FRAMES = 20_000
#: Columns read per frame chunk: where the frame is, then :meth:`StreamedProject._add`'s.
_FIELDS = ("recording", "start", "end", "species", "label", "status", "user", "at", "score")


@dataclass(frozen=True)
class ProjectBox:
    """A drawn box with the recording it is on, who drew it and when.

    Attributes
    ----------
    recording : int
        Index into :attr:`StreamedProject.recordings`.
    box : Box
    user : int
        Index into :attr:`StreamedProject.users`.
    at : float
        Epoch seconds.
    """

    recording: int
    box: Box
    user: int
    at: float


@dataclass
class ClipEntry:
    """The verdicts on one clip: its clip annotation and task, before encoding.

    Attributes
    ----------
    clip : str
        The clip's uuid.
    recording : int
        Index into :attr:`StreamedProject.recordings`.
    start, end : float
        The clip, in seconds.
    tags : dict
        ``(term key, value)`` of each accepted species, in order, once.
    notes : list
        ``(message, user, epoch, is_issue)`` in order.
    owners : dict
        User index -> epoch of their latest verdict here (a completed badge each).
    latest : float or None
        The latest verdict here (None: only notes on unreviewed detections).
    """

    clip: str
    recording: int
    start: float
    end: float
    tags: dict[tuple[str, str], None] = field(default_factory=dict)
    notes: list[tuple[str, int, float, bool]] = field(default_factory=list)
    owners: dict[int, float] = field(default_factory=dict)
    latest: float | None = None


@dataclass(frozen=True, eq=False)
class StreamedProject:
    """An annotation project to write from columns (see the module docstring).

    Made by :func:`~audioclass_gui.formats.aoef_project.build_annotation_project`.

    Attributes
    ----------
    name, subject, instructions : str
        The project's name, what it reviews ("3 recordings in site1"), its
        instructions.
    models : list of str
        Model names of the runs, for the description.
    counts : dict of str to int
        Detections per status value, for the description.
    detections : int
        Detections in the session.
    recordings : list of soundevent.data.Recording
        The session's recordings; ``recording`` columns index it.
    species, commons : list of str
        Scientific names (``species`` and ``label`` columns index them) and
        their common names ("" when unknown).
    users : list of soundevent.data.User
        ``user`` columns index it.
    fallback_user : int
        The reviewer named when nobody stamped anything.
    columns : dict of str to numpy.ndarray
        The judged detections in display order: ``recording``, ``start``,
        ``end``, ``score``, ``species``, ``label`` (-1: none), ``status``
        (code), ``user`` and ``at`` (epoch) of the verdict.
    notes : dict of int to str
        Position -> the reviewer's own note.
    object_clips : dict of int to str
        Position -> the clip uuid of a detection added as a clip prediction
        object (the others are frames:
        :func:`~audioclass_gui.review.detection.frame_clip_uuid`).
    term_keys : dict of int to str
        Position -> the key of its tag's term, where not ``default_key``.
    default_key, box_key : str
        Term keys of detections' and boxes' tags.
    boxes : list of ProjectBox
        By recording, in drawing order.
    box_count : int
        Boxes in the session (also those on recordings it does not list).
    now : float
        When the snapshot was taken: the time of unstamped verdicts.
    uuid : uuid.UUID
    """

    name: str
    subject: str
    models: list[str]
    counts: dict[str, int]
    detections: int
    recordings: list[data.Recording]
    species: list[str]
    commons: list[str]
    users: list[data.User]
    fallback_user: int
    columns: dict[str, np.ndarray]
    notes: dict[int, str]
    object_clips: dict[int, str]
    term_keys: dict[int, str]
    default_key: str
    boxes: list[ProjectBox]
    box_key: str
    now: float
    instructions: str
    box_count: int = 0
    uuid: uuid.UUID = field(default_factory=uuid.uuid4)

    def __len__(self) -> int:
        """Number of judged detections."""
        return len(self.columns["start"])

    def derived_uuid(self, what: str, clip: str) -> str:
        """The uuid of the project's ``what`` ("clip-annotation", "task"...) on a clip."""
        return dashed(uuid5_hex(self.uuid.bytes, f"{what}:{clip}"))

    # ---------------------------------------------------------------- entries

    def entries(self) -> Iterator[ClipEntry]:
        """The verdicts clip by clip: by recording, start and end, each clip's in display order.

        Of clips with the same frame (clip prediction objects of two runs),
        the one judged first in display order comes first.
        """
        c = self.columns
        n = len(self)
        if not n:
            return
        order = np.lexsort((c["end"], c["start"], c["recording"]))  # stable: display order kept
        change = np.zeros(n, bool)
        change[0] = True
        for key in ("recording", "start", "end"):
            column = c[key][order]
            change[1:] |= column[1:] != column[:-1]
        del column
        starts = np.flatnonzero(change)
        # Frames a chunk of rows at a time: Python values for a chunk only.
        for first in range(0, len(starts), _FRAMES):
            a, b = int(starts[first]), int(starts[first + _FRAMES]) if first + _FRAMES < len(starts) else n
            rows = order[a:b]
            fields = [c[k][rows].tolist() for k in _FIELDS]
            bounds = (starts[first : first + _FRAMES] - a).tolist() + [b - a]
            yield from self._frame_entries(rows.tolist(), fields, bounds)

    def _frame_entries(
        self, positions: list[int], fields: list[list], bounds: list[int]
    ) -> Iterator[ClipEntry]:
        """The entries of consecutive frames: ``positions[bounds[i]:bounds[i + 1]]`` each."""
        rec, start, end = fields[0], fields[1], fields[2]
        for a, b in itertools.pairwise(bounds):
            frame = (rec[a], start[a], end[a])
            groups: dict[str, list[int]] = {}
            framed = ""
            for i in range(a, b):
                clip = self.object_clips.get(positions[i])
                if clip is None:
                    if not framed:
                        parent = self.recordings[frame[0]].uuid
                        framed = dashed(frame_clip_hexes(parent, [frame[1]], [frame[2]])[0])
                    clip = framed
                groups.setdefault(clip, []).append(i)
            for clip, members in groups.items():
                entry = ClipEntry(clip, *frame)
                for i in members:
                    self._add(entry, positions[i], *(f[i] for f in fields[3:]))
                yield entry

    def _add(
        self,
        entry: ClipEntry,
        position: int,
        spc: int,
        label: int,
        status: int,
        user: int,
        at: float,
        score: float,
    ) -> None:
        """One judged detection's part of its clip's entry (see :mod:`~audioclass_gui.formats.aoef`)."""
        name = self.species[spc]
        if status != _UNREVIEWED:
            if at > entry.owners.get(user, -np.inf):
                entry.owners[user] = at
            if entry.latest is None or at > entry.latest:
                entry.latest = at
            if status == _ACCEPTED:
                key = self.term_keys.get(position, self.default_key)
                entry.tags.setdefault((key, name if label < 0 else self.species[label]), None)
            if status != _ACCEPTED or label >= 0:
                text = note_message(
                    STATUS_ORDER[status],
                    name,
                    self.commons[spc],
                    score,
                    self.species[label] if label >= 0 else None,
                    self.commons[label] if label >= 0 else "",
                )
                entry.notes.append((text, user, at, status == _UNCERTAIN))
        note = self.notes.get(position)
        if note:
            entry.notes.append((own_note_message(name, score, note), user, at, False))

    def judged_tags(self) -> list[tuple[str, str]]:
        """``(term key, species)`` of every species a verdict speaks of (predicted or relabelled to)."""
        c = self.columns
        judged = np.flatnonzero(c["status"] != _UNREVIEWED)
        out: dict[tuple[str, str], None] = {}
        odd = {p for p in self.term_keys if c["status"][p] != _UNREVIEWED}
        plain = judged if not odd else judged[~np.isin(judged, list(odd))]
        labels = c["label"][plain]
        for code in np.union1d(c["species"][plain], labels[labels >= 0]).tolist():
            out[(self.default_key, self.species[code])] = None
        for p in sorted(odd):
            key = self.term_keys[p]
            out[(key, self.species[int(c["species"][p])])] = None
            if c["label"][p] >= 0:
                out[(key, self.species[int(c["label"][p])])] = None
        return list(out)

    # ------------------------------------------------------------------ write

    def write(self, path: str | Path, audio_dir: str | Path | None = None) -> None:
        """Write the project as AOEF JSON, atomically, in bounded memory.

        See :func:`~audioclass_gui.formats.aoef_project_writer.write_project`.

        Raises
        ------
        ValueError
            If ``audio_dir`` is given and a recording is not inside it.
        OSError
            If the file cannot be written (an existing file is left intact).
        """
        write_project(self, path, audio_dir)
