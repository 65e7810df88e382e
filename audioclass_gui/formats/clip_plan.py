"""Which clips an export writes: options, and a snapshot of the review to take them from.

:func:`plan_clips` runs where the review session lives (the GUI thread):
it takes the rows of the verified detections (as the verdict tables do,
:func:`~audioclass_gui.formats.verdict_columns.verdict_rows`), the drawn
boxes and the vocal events (:func:`~audioclass_gui.review.events.group_events`)
as they are now. :meth:`ClipPlan.specs` then yields one :class:`ClipSpec`
after another from that snapshot, in any thread, making objects for a
block of rows at a time.

Events are grouped once per verdict: the accepted windows of a species
that touch (or follow within the gap) make one accepted event, the
rejected ones a rejected event (a negative). An event keeps the model's
species (a relabelled window stays in the event of its prediction).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from audioclass_gui.formats.clip_audio import CLIP_FORMATS

if TYPE_CHECKING:
    from audioclass_gui.formats.verdict_columns import VerdictRows
    from audioclass_gui.review import ReviewSession
    from audioclass_gui.review.events import Events

__all__ = ["CLIP_KINDS", "CLIP_STATUSES", "ClipOptions", "ClipPlan", "ClipSpec", "plan_clips"]

#: What clips can be of.
CLIP_KINDS = ("detections", "boxes", "events")
#: Verdicts clips can be of (accepted: positives; the others: negatives).
CLIP_STATUSES = ("accepted", "rejected", "uncertain")
#: Rows made into objects at once.
BLOCK = 1024


@dataclass(frozen=True)
class ClipOptions:
    """How an export of audio clips is made.

    Parameters
    ----------
    fmt
        ``"wav"`` or ``"flac"``.
    context
        Seconds of audio before and after each detection, box or event
        (clamped to the recording's ends).
    samplerate
        Resample every clip to this rate in Hz; None keeps each recording's.
    statuses
        Verdicts of the detections (and events) to clip: ``accepted``, and
        ``rejected`` or ``uncertain`` for negatives.
    kinds
        ``detections``, ``boxes`` (drawn by the reviewer) and/or ``events``.
    band
        Band-pass each box's clip to the box's frequency band.
    channel
        Zero-based channel to take, or None for the mono mix of all.
    event_gap
        Events: seconds that may separate two detections of one event.
    resampler
        Which resampler (:mod:`audioclass_gui.audio.resample`): soxr VHQ
        unless told (flat to near the Nyquist frequency, and about ten times
        faster here than ``kaiser_fast``, the default of model runs).
    ids, box_ids
        Only these detection ids (and the events holding one) and these
        boxes: the selection. Both None: every verified one.

    Raises
    ------
    ValueError
        For an unknown format, kind or verdict, or a negative context,
        rate or gap.
    """

    fmt: str = "wav"
    context: float = 0.0
    samplerate: int | None = None
    statuses: frozenset[str] = frozenset({"accepted"})
    kinds: frozenset[str] = frozenset({"detections", "boxes"})
    band: bool = False
    channel: int | None = None
    event_gap: float = 0.0
    resampler: str | None = "soxr_vhq"
    ids: frozenset[int] | None = None
    box_ids: frozenset[str] | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "fmt", str(self.fmt).lower())
        set_(self, "statuses", frozenset(str(s).lower() for s in self.statuses))
        set_(self, "kinds", frozenset(str(k).lower() for k in self.kinds))
        if self.fmt not in CLIP_FORMATS:
            raise ValueError(f"unknown clip format {self.fmt!r}; use wav or flac")
        for given, allowed, what in (
            (self.statuses, CLIP_STATUSES, "verdict"),
            (self.kinds, CLIP_KINDS, "kind of clip"),
        ):
            if not given or not given <= set(allowed):
                raise ValueError(
                    f"{what}s of clips must be among {', '.join(allowed)}, not "
                    f"{', '.join(sorted(given)) or 'none'}"
                )
        if not (math.isfinite(self.context) and self.context >= 0):
            raise ValueError(f"the context of a clip must be >= 0 s, not {self.context}")
        if self.samplerate is not None and not int(self.samplerate) > 0:
            raise ValueError(f"the clips' sample rate must be > 0 Hz, not {self.samplerate}")
        if self.channel is not None and self.channel < 0:
            raise ValueError(f"channel {self.channel + 1} does not exist")
        if not self.event_gap >= 0:
            raise ValueError(f"the gap within an event must be >= 0 s, not {self.event_gap}")
        if self.ids is not None or self.box_ids is not None:
            set_(self, "ids", frozenset(int(i) for i in self.ids or ()))
            set_(self, "box_ids", frozenset(self.box_ids or ()))


class ClipSpec(NamedTuple):
    """One clip to write: what it shows, before context is added."""

    kind: str  # detection, box, event
    path: str
    start: float
    end: float
    species: str
    common: str
    verdict: str
    score: float | None
    reviewer: str
    label: str
    predicted: str
    low: float | None
    high: float | None
    event: int | None
    windows: int
    detection: int | None
    box: str


@dataclass(eq=False)
class ClipPlan:
    """A snapshot of the clips to write (made by :func:`plan_clips`)."""

    options: ClipOptions
    first_id: int = 0
    rows: VerdictRows | None = None
    positions: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    boxes: list[ClipSpec] = field(default_factory=list)
    events: list[tuple[str, Events, np.ndarray]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    commons: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.positions) + len(self.boxes) + sum(len(k) for _s, _e, k in self.events)

    def specs(self) -> Iterator[ClipSpec]:
        """Every clip: detections, then boxes, then events, each by recording and time."""
        yield from self._detections()
        yield from self.boxes
        number = 0
        for status, events, keep in self.events:
            for i in keep.tolist():
                number += 1
                name = self.names[events.species[i]]
                yield ClipSpec(
                    "event", self.paths[events.recording[i]], float(events.start[i]),
                    float(events.end[i]), name, self.commons[events.species[i]], status,
                    float(events.max_score[i]), "", "", name, None, None, number,
                    int(events.windows[i]), None, "",
                )

    def _detections(self) -> Iterator[ClipSpec]:
        rows = self.rows
        if rows is None:
            return
        for at in range(0, len(self.positions), BLOCK):
            block = self.positions[at : at + BLOCK]
            ids = (rows.rows[block] + self.first_id).tolist()
            for detection, s in zip(ids, rows.selections(block), strict=True):
                extra = dict(s.extra)
                yield ClipSpec(
                    "detection", s.path, s.begin_time, s.end_time, s.scientific_name,
                    s.common_name, extra.get("Verdict", ""), s.confidence,
                    extra.get("Reviewer", ""), extra.get("Label", ""),
                    extra.get("Predicted Scientific Name", ""), s.low_freq, s.high_freq,
                    None, 1, detection, "",
                )


def plan_clips(session: ReviewSession, options: ClipOptions) -> ClipPlan:
    """The clips ``options`` ask for, from the session as it is now.

    Call it in the thread that owns the session; the plan may then be
    written in another (:func:`~audioclass_gui.formats.clips.write_clips`).
    """
    from audioclass_gui.formats.verdict_columns import verdict_rows
    from audioclass_gui.review import DetectionFilter
    from audioclass_gui.review.events import group_events

    names = session.species_list()
    plan = ClipPlan(
        options,
        first_id=session.columns().first_id,
        paths=[str(r.path) for r in session.recordings],
        names=names,
        commons=[session.common_name(n) or n for n in names],
    )
    selected = options.ids is not None
    wanted = np.fromiter(options.ids or (), np.int64)
    if "detections" in options.kinds:
        rows = verdict_rows(session, filter=DetectionFilter(statuses=options.statuses))
        positions = np.flatnonzero(rows.rows >= 0)
        if selected:
            positions = positions[np.isin(rows.rows[positions] + plan.first_id, wanted)]
        plan.rows, plan.positions = rows, positions
    if "boxes" in options.kinds:
        plan.boxes = _box_specs(session, options)
    if "events" in options.kinds:
        for status in (s for s in ("accepted", "rejected", "uncertain") if s in options.statuses):
            events = group_events(
                session, options.event_gap, DetectionFilter(statuses={status})
            )
            keep = np.arange(len(events))
            if selected and len(events):
                holds = np.isin(events.rows + events.first_id, wanted).astype(np.int64)
                keep = np.flatnonzero(np.add.reduceat(holds, events.offsets[:-1]) > 0)
            plan.events.append((status, events, keep))
    return plan


def _box_specs(session: ReviewSession, options: ClipOptions) -> list[ClipSpec]:
    """The drawn boxes (the selected ones, if a selection is given), by recording and time."""
    index = {p: i for i, p in enumerate(str(r.path) for r in session.recordings)}
    specs = []
    for box in session.boxes():
        if options.box_ids is not None and box.id not in options.box_ids:
            continue
        stamp = session.box_stamp(box.id)
        who = stamp.reviewer if stamp is not None else None
        name = box.scientific_name
        specs.append(
            ClipSpec(
                "box", str(box.recording), float(box.start), float(box.end), name,
                session.common_name(name) or name, "drawn", None,
                (who.name or who.username or "") if who is not None else "", "", "",
                box.low_freq, box.high_freq, None, 0, None, box.id,
            )
        )
    specs.sort(key=lambda s: (index.get(s.path, len(index)), s.path, s.start, s.box))
    return specs
