"""The rows of verdict tables as columns: a snapshot of a review for the writers.

:func:`verdict_rows` takes from a session what the Raven, CSV and Audacity
verdict tables (:mod:`audioclass_gui.formats.verdict_tables`) need, without
an object per row: the session rows in table order, their verdicts and
stamps as they are now, and small tables of names. The few irregular rows
(drawn boxes, relabelled detections, detections with a note) are kept as
:class:`~audioclass_gui.formats.selections.Selection` objects, written row
by row; every other row is written from columns (:meth:`VerdictRows.fields`).

The snapshot does not change when the session does: the session's detection
columns never change once written (verdicts are copied), so a worker thread
may write the tables while the reviewer goes on.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from audioclass_gui.formats.selections import Selection, detection_band, species_code
from audioclass_gui.review import Box, DetectionFilter, ReviewSession
from audioclass_gui.review.detection import STATUS_ORDER, Status

__all__ = ["VERDICT_COLUMNS", "VerdictRows", "verdict_rows"]

#: Extra columns of verdict tables, in order. The standard species columns
#: (Raven's Common Name and Species Code, the CSV's Scientific name and
#: Common name) and ``Scientific Name`` hold the species the reviewer says
#: it is: the relabel where there is one. ``Label`` is that relabel (else
#: empty); the ``Predicted ...`` columns hold the model's species (empty for
#: a drawn box).
VERDICT_COLUMNS = (
    "Scientific Name",
    "Verdict",
    "Label",
    "Predicted Common Name",
    "Predicted Scientific Name",
    "Predicted Species Code",
    "Note",
    "Reviewer",
    "Reviewed At",
    "Model",
)
_UNREVIEWED = STATUS_ORDER.index(Status.UNREVIEWED)
#: Rows from which :func:`_gather` reads columns by two threads.
_GATHER_THREADED = 50_000
_FIELDS = ("start", "end", "score", "recording", "species", "status", "reviewer", "at", "run")


def _who(user) -> str:
    return (user.name or user.username or "") if user is not None else ""


def _when(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec="seconds")


@dataclass(eq=False)
class VerdictRows:
    """Rows of a verdict table in table order (recording, time, descending score).

    Made by :func:`verdict_rows`, or of selections given (all ``slow``). A
    row is a *position*; ``rows[position]`` is its session row (-1 for a drawn box)
    and ``path[position]`` its index into ``paths`` (-1 for a file that is
    not one of the session's recordings).

    Attributes
    ----------
    rows, path : numpy.ndarray
    slow_at : numpy.ndarray
        Positions, ascending, of the rows kept as ``slow`` selections.
    slow : list of Selection
    paths : list of str
        The session's recordings, in order.
    nyquist : numpy.ndarray
        Half of each recording's sample rate (the band of a box without one).
    durations : list of float
        Each recording's duration (0 when unknown).
    names, commons, codes : list of str
        Scientific name of each species index, its common name (the
        scientific one when none is known) and its species code
        (:func:`~audioclass_gui.formats.selections.species_code`); "" for
        species no row shows.
    models, reviewers : list of str
        Model name of each run index; name of each reviewer index.
    high : numpy.ndarray
        High Freq of a detection, by recording and run (the band the run's
        model listens to: :func:`~audioclass_gui.formats.selections.detection_band`).
    columns : dict
        The session's detection columns (read-only views, which never
        change), the statuses and stamps as they were, and, for a table of
        verdicts only (few rows), every position's fields gathered at once.
    """

    rows: np.ndarray
    path: np.ndarray
    slow_at: np.ndarray
    slow: list[Selection]
    paths: list[str]
    nyquist: np.ndarray
    durations: list[float]
    names: list[str] = field(default_factory=list)
    commons: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    high: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    columns: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"<VerdictRows: {len(self)} rows, {len(self.slow)} written one by one>"

    def fields(self, positions: np.ndarray) -> dict[str, np.ndarray]:
        """Columns of the (not slow) rows at ``positions``.

        Returns
        -------
        dict
            ``start``, ``end``, ``score`` (float64); ``recording``,
            ``species``, ``run``, ``status`` (codes); ``reviewer`` (index
            into :attr:`reviewers`, -1 where not stamped) and ``at`` (epoch
            seconds, valid where ``reviewer`` >= 0).
        """
        c = self.columns or _NO_COLUMNS
        if "gathered" in c:  # the fields of every position, gathered already
            out = {name: column[positions] for name, column in c["gathered"].items()}
            out["recording"] = self.path[positions]  # -1 for a file not recorded
            return out
        r = self.rows[positions]  # -1: a box, whose fields are not read
        names = ("start", "end", "score", "species", "run")
        if len(c["start"]):
            out = {name: c[name][r] for name in names}
        else:  # no detections at all, only boxes
            out = {name: np.zeros(len(r), c[name].dtype) for name in names}
        out["recording"] = self.path[positions]
        out["status"] = _sparse(c["judged"], r, c["status"], _UNREVIEWED)[0]
        out["reviewer"], out["at"] = _sparse(
            c["stamped"], r, c["reviewer"], -1, c["at"], math.nan
        )
        return out

    def selection(self, position: int) -> Selection:
        """The row at ``position`` as a selection."""
        return self.selections(np.array([position]))[0]

    def selections(self, positions: np.ndarray | None = None) -> list[Selection]:
        """The rows at ``positions`` (default: all) as selections, an object each."""
        positions = np.arange(len(self)) if positions is None else np.asarray(positions)
        at = np.searchsorted(self.slow_at, positions)
        inside = at < len(self.slow_at)
        slow = np.zeros(len(positions), bool)
        slow[inside] = self.slow_at[at[inside]] == positions[inside]
        f = self.fields(positions[~slow])
        columns = zip(*(f[k].tolist() for k in _FIELDS), strict=True)
        out = []
        for is_slow, where in zip(slow.tolist(), at.tolist(), strict=True):
            out.append(self.slow[where] if is_slow else self._selection(*next(columns)))
        return out

    def _selection(
        self, start, end, score, rec, spc, status, who, at, run
    ) -> Selection:
        name, common, code = self.names[spc], self.commons[spc], self.codes[spc]
        return Selection(
            begin_time=start,
            end_time=end,
            scientific_name=name,
            common_name=common,
            confidence=score,
            path=self.paths[rec],
            low_freq=0.0,
            high_freq=float(self.high[rec, run]),
            species_code=code,
            extra=(
                ("Scientific Name", name),
                ("Verdict", STATUS_ORDER[status].value),
                ("Label", ""),
                ("Predicted Common Name", common),
                ("Predicted Scientific Name", name),
                ("Predicted Species Code", code),
                ("Note", ""),
                ("Reviewer", self.reviewers[who] if who >= 0 else ""),
                ("Reviewed At", _when(at) if who >= 0 else ""),
                ("Model", self.models[run]),
            ),
        )

    def grouped(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the rows of each recording, recording by recording.

        Returns
        -------
        order : numpy.ndarray
            Positions, recording by recording (rows of files that are not
            recordings left out), each recording's in table order.
        bounds : numpy.ndarray
            ``order[bounds[i]:bounds[i + 1]]`` are recording ``i``'s rows.
        """
        known = self.path >= 0
        order = np.flatnonzero(known) if not known.all() else np.arange(len(self.path))
        codes = self.path[order]
        if len(codes) > 1 and (np.diff(codes) < 0).any():
            order = order[np.argsort(codes, kind="stable")]
            codes = self.path[order]
        bounds = np.searchsorted(codes, np.arange(len(self.paths) + 1))
        return order, bounds


_NO_COLUMNS = {
    **{name: np.empty(0) for name in ("start", "end", "score", "at")},
    **{name: np.empty(0, np.int64) for name in ("species", "run", "judged", "stamped")},
    "status": np.empty(0, np.int8),
    "reviewer": np.empty(0, np.int64),
}


def _sparse(keys: np.ndarray, rows: np.ndarray, *columns) -> list[np.ndarray]:
    """For each ``(values, default)`` pair: ``values`` at ``rows`` found among ``keys``.

    ``keys`` ascending; rows not among them get ``default``.
    """
    pairs = list(zip(columns[::2], columns[1::2], strict=True))
    if not len(keys):
        return [np.full(len(rows), default, values.dtype) for values, default in pairs]
    at = np.minimum(np.searchsorted(keys, rows), len(keys) - 1)
    found = keys[at] == rows
    return [
        np.where(found, values[at], np.array(default, values.dtype)) for values, default in pairs
    ]


def _display_order(rec: np.ndarray, start: np.ndarray, score: np.ndarray, rows: np.ndarray):
    """The permutation putting ascending ``rows`` in display order, or None if they are.

    Display order: recording, start, descending score, row.
    """
    if len(rows) < 2:
        return None
    up, later, worse = np.diff(rec), np.diff(start), np.diff(score)
    if ((up > 0) | ((up == 0) & ((later > 0) | ((later == 0) & (worse <= 0))))).all():
        return None  # as a store keeps them
    return np.lexsort((rows, -score, start, rec))


def _gather(columns: Sequence[np.ndarray], rows: np.ndarray) -> list[np.ndarray]:
    """``column[rows]`` of each column; many rows by two threads.

    Rows scattered over millions are each a memory read of their own: two
    threads wait for them together (numpy lets go of the interpreter).
    """
    if len(rows) < _GATHER_THREADED:
        return [c[rows] for c in columns]
    with ThreadPoolExecutor(2, thread_name_prefix="verdict-rows") as pool:
        return list(pool.map(lambda c: c[rows], columns))


def _judged_fields(
    session: ReviewSession, cols, more: dict, filter: DetectionFilter | None
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The judged rows in display order and their fields, each column read once.

    A table of verdicts has few rows among millions of detections: each
    column is gathered at those rows once, in ascending row order (which
    reads memory-mapped columns front to back).
    """
    stamped, notes = more["stamped"], more["notes"]
    status, label = cols.status[stamped], cols.label[stamped]
    keep = (status != _UNREVIEWED) | (label >= 0)
    if notes:
        keep |= np.isin(stamped, np.fromiter(notes, np.int64, len(notes)))
    at = np.flatnonzero(keep)  # index into stamped
    det = stamped[at]
    if filter is not None:
        passing = filter.mask(session, det)
        at, det = at[passing], det[passing]
    rec, start, score, end, species, run = _gather(
        (cols.recording, cols.start, cols.score, cols.end, cols.species, more["run"]), det
    )
    order = _display_order(rec, start, score, det)
    if order is not None:
        at, det = at[order], det[order]
        rec, start, score, end, species, run = (
            c[order] for c in (rec, start, score, end, species, run)
        )
    ok = (more["reviewer"] >= 0) & ~np.isnan(more["at"])
    return det, {
        "start": start,
        "end": end,
        "score": score,
        "species": species,
        "run": run,
        "status": status[at],
        "reviewer": np.where(ok, more["reviewer"], -1)[at],
        "at": np.where(ok, more["at"], math.nan)[at],
        "label": label[at],
        "recording": rec,
    }


def verdict_rows(
    session: ReviewSession,
    *,
    include_unreviewed: bool = False,
    filter: DetectionFilter | None = None,
) -> VerdictRows:
    """The rows of the session's verdict tables: judged detections and boxes.

    Parameters
    ----------
    session
        The review.
    include_unreviewed
        Also list detections without any verdict (``Verdict`` unreviewed).
    filter
        Only detections passing it (boxes are always listed).

    Returns
    -------
    VerdictRows
        One row per judged detection (a status, relabel or note) and per
        drawn box, by recording, start time and descending score; a box
        after the detections of its recording and start.
    """
    cols = session.columns()
    more = session.verdict_columns()
    stamped, notes = more["stamped"], more["notes"]
    gathered: dict[str, np.ndarray] | None = None
    if include_unreviewed:
        det = np.array(session.query(filter), np.int64)
        det -= cols.first_id
        # every row whose status is not unreviewed
        judged = np.flatnonzero((cols.status != _UNREVIEWED) | (cols.label >= 0))
        det_rec, det_species, det_label = cols.recording[det], cols.species[det], cols.label[det]
    else:
        det, gathered = _judged_fields(session, cols, more, filter)
        det_rec, det_label = gathered.pop("recording"), gathered.pop("label")
        det_species = gathered["species"]
        judged = stamped  # a verdict leaves a stamp
    recordings = session.recordings
    paths = [str(r.path) for r in recordings]
    index = {p: i for i, p in enumerate(paths)}
    boxes = sorted(  # in the order of their rows
        ((index.get(str(b.recording), 0), b.start, n), b) for n, b in enumerate(session.boxes())
    )
    box_at = _box_positions(det, [k for k, _b in boxes], cols)
    rows, path = det, det_rec
    if len(boxes):
        n = len(det) + len(boxes)
        is_det = np.ones(n, bool)
        is_det[box_at] = False
        rows = np.full(n, -1, np.int64)
        rows[is_det] = det
        path = np.empty(n, np.int32)
        path[is_det] = det_rec
        path[box_at] = [index.get(str(b.recording), -1) for _k, b in boxes]
        if gathered is not None:  # a box's fields are never read: zeros
            for name, values in gathered.items():
                spread = np.zeros(n, values.dtype)
                spread[is_det] = values
                gathered[name] = spread
    # Relabelled rows and rows with a note are written one by one.
    odd = np.flatnonzero(rows >= 0)
    odd_det = (det_label >= 0) | np.isin(det, np.fromiter(notes, np.int64, len(notes)))
    odd = odd[odd_det]
    names = session.species_list()
    shown = np.zeros(len(names), bool)
    shown[det_species] = True
    runs = {key: name for key, name, _p in session.run_infos()}
    # At least one (a session without runs): its band serves a nocall row.
    models = [runs.get(key, session.model_name) or "" for key in more["run_keys"]] or [
        session.model_name or ""
    ]
    nyquist = np.array([float(r.samplerate) / 2.0 for r in recordings])
    if gathered is not None:
        columns = {"gathered": gathered}
    else:
        stamp_ok = (more["reviewer"] >= 0) & ~np.isnan(more["at"])
        columns = {
            "start": cols.start,
            "end": cols.end,
            "score": cols.score,
            "species": cols.species,
            "run": more["run"],
            "judged": judged,
            "status": cols.status[judged],
            "stamped": stamped[stamp_ok],
            "reviewer": more["reviewer"][stamp_ok],
            "at": more["at"][stamp_ok],
        }
    snapshot = VerdictRows(
        rows=rows,
        path=path,
        slow_at=np.union1d(odd, box_at).astype(np.int64),
        slow=[],
        paths=paths,
        nyquist=nyquist,
        durations=[float(r.duration or 0.0) for r in recordings],
        names=names,
        commons=[
            (session.common_name(name) or name) if shown[i] else ""
            for i, name in enumerate(names)
        ],
        codes=[species_code(name) if shown[i] else "" for i, name in enumerate(names)],
        models=models,
        reviewers=[_who(u) for u in session.users],
        # detection_band for every (recording, run): the model's cap, at most Nyquist
        high=np.minimum(
            nyquist[:, None],
            np.array([detection_band(m, math.inf)[1] for m in models])[None, :],
        ),
        columns=columns,
    )
    by_box = dict(zip(box_at.tolist(), (b for _k, b in boxes), strict=True))
    for position in snapshot.slow_at.tolist():
        box = by_box.get(position)
        if box is None:
            row = int(rows[position])
            label = int(cols.label[row])
            selection = _relabelled(
                snapshot, position, names[label] if label >= 0 else "", notes.get(row, ""), session
            )
        else:
            selection = _box_selection(session, box, snapshot)
        snapshot.slow.append(selection)
    return snapshot


def _box_positions(det: np.ndarray, keys: list[tuple], cols) -> np.ndarray:
    """Positions of boxes (``(recording, start, ...)``, sorted) among detections ``det``.

    A box comes after the detections of its recording and start with a
    score of 0 or more, as a stable sort by (recording, start, -score) puts
    it.
    """
    rec, start, score = cols.recording, cols.start, cols.score

    def key(i: int) -> tuple[int, float, float]:
        r = det[i]
        return (int(rec[r]), float(start[r]), -float(score[r]))

    cuts = [bisect.bisect_right(range(len(det)), (k[0], k[1], 0.0), key=key) for k in keys]
    return np.asarray(cuts, np.int64) + np.arange(len(keys), dtype=np.int64)


def _relabelled(
    rows: VerdictRows, position: int, label: str, note: str, session: ReviewSession
) -> Selection:
    """The selection of a detection with a relabel or a note.

    A relabelled detection is listed as the species the reviewer put; the
    model's stays in the ``Predicted ...`` columns.
    """
    f = rows.fields(np.array([position]))
    selection = rows._selection(*(f[k].tolist()[0] for k in _FIELDS))
    extra = dict(selection.extra)
    extra["Note"] = note
    if not label:
        return replace(selection, extra=tuple(extra.items()))
    common = session.common_name(label) or label
    code = species_code(label)
    extra.update({"Scientific Name": label, "Label": label})
    return replace(
        selection,
        scientific_name=label,
        common_name=common,
        species_code=code,
        extra=tuple(extra.items()),
    )


def _box_selection(session: ReviewSession, box: Box, rows: VerdictRows) -> Selection:
    path = str(box.recording)
    stamp = session.box_stamp(box.id)
    name = box.scientific_name
    known = path in rows.paths
    high = float(rows.nyquist[rows.paths.index(path)]) if known else 0.0
    return Selection(
        begin_time=box.start,
        end_time=box.end,
        scientific_name=name,
        common_name=session.common_name(name) or name,
        confidence=None,
        path=path,
        low_freq=0.0 if box.low_freq is None else box.low_freq,
        high_freq=high if box.high_freq is None else box.high_freq,
        species_code=species_code(name),
        extra=(
            ("Scientific Name", name),
            ("Verdict", "drawn"),
            ("Label", ""),
            ("Predicted Common Name", ""),
            ("Predicted Scientific Name", ""),
            ("Predicted Species Code", ""),
            ("Note", box.note),
            ("Reviewer", _who(stamp.reviewer) if stamp else ""),
            ("Reviewed At", stamp.at.isoformat(timespec="seconds") if stamp else ""),
            ("Model", ""),
            ("Geometry", "interval" if box.is_interval else "box"),
        ),
    )
