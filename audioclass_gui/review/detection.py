"""Detections, verdicts and user-drawn boxes: the values a review is made of.

A classifier scores each frame (a `soundevent.data.Clip`) of a recording and
returns a `soundevent.data.ClipPrediction` whose ``tags`` list the classes it
found with their scores. Each of those predicted tags becomes one
:class:`Detection`, on which a reviewer gives a :class:`Verdict`: a
:class:`Status` (accepted, rejected, uncertain), optionally a corrected
species (a relabel) and a note. Calls the model missed are drawn as
:class:`Box` objects.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # soundevent (and pydantic) load when a clip is first made
    from soundevent import data

__all__ = [
    "EMPTY_VERDICT",
    "STATUS_CODE",
    "STATUS_ORDER",
    "Box",
    "Detection",
    "Stamp",
    "Status",
    "Verdict",
    "frame_clip",
    "frame_clip_uuid",
    "new_box_id",
]


class Status(enum.StrEnum):
    """The reviewer's verdict on a detection."""

    UNREVIEWED = "unreviewed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNCERTAIN = "uncertain"


#: Statuses in the order of their codes in a session's status column.
STATUS_ORDER: tuple[Status, ...] = tuple(Status)
#: Status -> its code in a session's status column.
STATUS_CODE: dict[Status, int] = {status: code for code, status in enumerate(STATUS_ORDER)}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the reviewer said about one detection.

    Parameters
    ----------
    status
        Accepted, rejected, uncertain or (not yet) reviewed. It judges the
        *effective* species: ``label`` when set, else the prediction's.
    label
        Scientific name the reviewer put instead of the predicted one (a
        relabel), or None. The original prediction is never changed.
    note
        Free text ("" for none).
    """

    status: Status = Status.UNREVIEWED
    label: str | None = None
    note: str = ""

    @property
    def is_empty(self) -> bool:
        """True for the verdict of a detection nobody touched."""
        return self.status is Status.UNREVIEWED and self.label is None and not self.note

    def with_(self, **changes: object) -> Verdict:
        """Return a copy with some fields changed (``dataclasses.replace``)."""
        return replace(self, **changes)  # type: ignore[arg-type]


#: The verdict of an untouched detection.
EMPTY_VERDICT = Verdict()


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who gave a verdict (or drew a box), and when.

    Attributes
    ----------
    reviewer : soundevent.data.User
        The reviewer.
    at : datetime.datetime
        When, timezone-aware (UTC).
    """

    reviewer: data.User
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Detection:
    """One predicted tag of one clip prediction.

    A session makes these on demand from its columns (only for the rows
    being looked at), so two reads of one detection give equal objects, not
    the same object.

    Parameters
    ----------
    id
        Identifier, unique within a :class:`~audioclass_gui.review.ReviewSession`
        and assigned in arrival order starting at 0. Ids are never reused,
        not even after the session is cleared for a re-run. They are not
        stable across program runs: persistent stores use :attr:`key`
        together with the recording's path.
    tag
        The predicted tag (usually ``soundevent.terms.scientific_name``).
    scientific_name
        The tag's value, e.g. ``"Leiothlypis peregrina"``.
    common_name
        The English name, e.g. ``"Tennessee Warbler"``; ``""`` when unknown.
    score
        The model's score for this tag in this frame.
    start, end
        The frame's bounds in seconds from the start of the recording.
    low_freq, high_freq
        Frequency bounds in Hz, ``None`` when the detection spans all
        frequencies (the usual case for clip classifiers).
    run
        Key of the model run (source) the detection comes from; ``""`` for
        the session's own run.
    recording
        The recording this detection is in.
    source
        The model's prediction for the frame (a ``ClipPrediction``), or a
        function that makes it when asked (rows read from a store).
    """

    id: int
    tag: data.Tag
    scientific_name: str
    common_name: str
    score: float
    start: float
    end: float
    low_freq: float | None = None
    high_freq: float | None = None
    run: str = ""
    recording: data.Recording | None = field(default=None, compare=False, repr=False)
    source: data.ClipPrediction | Callable[[], data.ClipPrediction] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def clip_prediction(self) -> data.ClipPrediction:
        """The model's prediction for the frame (every class it scored there)."""
        from soundevent import data

        source = self.source
        if source is None:
            raise ValueError(f"detection {self.id} has no clip prediction")
        return source if isinstance(source, data.ClipPrediction) else source()

    @property
    def clip(self) -> data.Clip:
        """The frame as a clip (made without the window's other predictions)."""
        from soundevent import data

        source = self.source
        if isinstance(source, data.ClipPrediction):
            return source.clip
        return frame_clip(self.recording, self.start, self.end)  # type: ignore[arg-type]

    @property
    def label(self) -> str:
        """Human-readable name.

        Returns
        -------
        str
            ``"Tennessee Warbler (Leiothlypis peregrina)"``, or just the
            scientific name when the common name is unknown.
        """
        if self.common_name:
            return f"{self.common_name} ({self.scientific_name})"
        return self.scientific_name

    @property
    def key(self) -> tuple[float, float, str]:
        """Identity of this detection within its recording, across re-runs.

        Returns
        -------
        tuple of (float, float, str)
            ``(round(start, 3), round(end, 3), scientific_name)``.
        """
        return (round(self.start, 3), round(self.end, 3), self.scientific_name)


def frame_clip_uuid(recording: uuid.UUID, start: float, end: float) -> uuid.UUID:
    """The uuid of a frame's clip: it depends only on the recording's uuid and the frame."""
    return uuid.uuid5(recording, f"clip:{float(start)!r}:{float(end)!r}")


def frame_clip(recording: data.Recording, start: float, end: float) -> data.Clip:
    """The clip of a frame, with a uuid that depends only on recording and frame.

    Clips made for the same frame at different times (a detection read, then
    its model run exported) get the same uuid, so exports that refer to a
    clip from two files agree.
    """
    from soundevent import data

    return data.Clip(
        uuid=frame_clip_uuid(recording.uuid, start, end),
        recording=recording,
        start_time=float(start),
        end_time=float(end),
    )


def new_box_id() -> str:
    """Return a fresh box id (32 hex digits of a random uuid)."""
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Box:
    """A sound event the reviewer drew: a time-frequency box or a time span.

    Parameters
    ----------
    id
        Unique, stable id (see :func:`new_box_id`); also the uuid of the
        exported ``SoundEventAnnotation``.
    recording
        Absolute path of the recording it is drawn on.
    start, end
        Seconds from the start of the recording (``start < end``).
    low_freq, high_freq
        Band in Hz; both None for a time interval (all frequencies).
    scientific_name
        The species it is tagged with ("" while untagged).
    note
        Free text.
    """

    id: str
    recording: Path
    start: float
    end: float
    low_freq: float | None = None
    high_freq: float | None = None
    scientific_name: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not self.end > self.start:
            raise ValueError(f"a box needs start < end (got {self.start}, {self.end})")
        if (self.low_freq is None) != (self.high_freq is None):
            raise ValueError("give both low_freq and high_freq, or neither")
        if self.low_freq is not None and not self.high_freq > self.low_freq:  # type: ignore[operator]
            raise ValueError(
                f"a box needs low_freq < high_freq (got {self.low_freq}, {self.high_freq})"
            )

    @property
    def is_interval(self) -> bool:
        """True when the box spans all frequencies (a time interval)."""
        return self.low_freq is None

    def moved(
        self,
        start: float,
        end: float,
        low_freq: float | None = None,
        high_freq: float | None = None,
    ) -> Box:
        """Return the box with new bounds (move or resize); same id and tag."""
        return replace(
            self, start=start, end=end, low_freq=low_freq, high_freq=high_freq
        )

    def tagged(self, scientific_name: str) -> Box:
        """Return the box tagged with another species."""
        return replace(self, scientific_name=scientific_name)

    def with_note(self, note: str) -> Box:
        """Return the box with another note."""
        return replace(self, note=note)
