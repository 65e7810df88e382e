"""How one detection reads in the window: the species the verdict is about, and the note.

The table, the box labels and the tooltips all render a detection from one
:class:`Shown`, so they cannot disagree: after a relabel (S) every view
names the new species (and says which one the model predicted), a note (N)
shows as a mark beside the score and in full in the tooltip, and undo or
redo change them all back together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audioclass_gui.review.detection import Detection, Status, Verdict

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = ["NOTE_MARK", "STATUS_WORDS", "Shown", "shown"]

#: Mark of a detection that carries a note (beside its score, in its status).
NOTE_MARK = "✎"

#: A status in words, in a tooltip.
STATUS_WORDS: dict[Status, str] = {
    Status.UNREVIEWED: "Not reviewed yet",
    Status.ACCEPTED: "Accepted",
    Status.REJECTED: "Rejected",
    Status.UNCERTAIN: "Uncertain",
}


def _label(common: str, scientific: str) -> str:
    return f"{common} ({scientific})" if common and common != scientific else scientific


@dataclass(frozen=True, slots=True)
class Shown:
    """A detection as the reviewer sees it: the effective species, verdict and note.

    Attributes
    ----------
    detection : Detection
        The model's detection (its species is the predicted one).
    verdict : Verdict
        The reviewer's verdict (status, relabel, note).
    common_name : str
        Common name of the effective species ("" when unknown).
    """

    detection: Detection
    verdict: Verdict
    common_name: str

    @property
    def id(self) -> int:
        """The detection's id."""
        return self.detection.id

    @property
    def status(self) -> Status:
        """The verdict's status."""
        return self.verdict.status

    @property
    def note(self) -> str:
        """The reviewer's note ("" for none)."""
        return self.verdict.note

    @property
    def relabelled(self) -> bool:
        """True when the reviewer said it is another species than predicted."""
        label = self.verdict.label
        return label is not None and label != self.detection.scientific_name

    @property
    def scientific_name(self) -> str:
        """The species the verdict is about: the relabel, else the prediction."""
        return self.verdict.label if self.relabelled else self.detection.scientific_name  # type: ignore[return-value]

    @property
    def name(self) -> str:
        """The effective species' common name, else its scientific name."""
        return self.common_name or self.scientific_name

    @property
    def predicted_name(self) -> str:
        """The species the model predicted (common name, else scientific)."""
        d = self.detection
        return d.common_name or d.scientific_name

    @property
    def species_text(self) -> str:
        """The name on a label: "Great Tit", or "Great Tit (was Eurasian Blackbird)"."""
        if self.relabelled:
            return f"{self.name} (was {self.predicted_name})"
        return self.name

    @property
    def score_text(self) -> str:
        """The score on a label ("0.94"), with the note mark when there is a note."""
        score = f"{self.detection.score:.2f}"
        return f"{score} {NOTE_MARK}" if self.note else score

    def status_text(self, word: str) -> str:
        """The table's Status cell: ``word`` (the status), the relabel and the note.

        E.g. "Accepted · was Eurasian Blackbird · ✎ faint, far away".
        """
        parts = [word]
        if self.relabelled:
            parts.append(f"was {self.predicted_name}")
        if self.note:
            parts.append(f"{NOTE_MARK} {self.note}")
        return " · ".join(parts)

    def tooltip(self, span: Callable[[float, float], str] | None = None) -> str:
        """Everything about the detection, one fact a line (table rows and box labels).

        ``span(start, end)`` writes its time range as the window's time axis
        does (default: seconds, ``1.20–1.80 s``).
        """
        d = self.detection
        first = _label(self.common_name, self.scientific_name)
        if self.relabelled:
            first += f" (was {d.label})"
        lines = [
            first,
            f"score {d.score:.3f} · "
            + (span(d.start, d.end) if span is not None else f"{d.start:.2f}–{d.end:.2f} s"),
            STATUS_WORDS[self.status] + (" (relabelled)" if self.relabelled else ""),
        ]
        if self.note:
            lines.append(f"Note: {self.note}")
        return "\n".join(lines)


def shown(session: ReviewSession, detection: Detection) -> Shown:
    """How ``detection`` of ``session`` reads now (after any relabel and note).

    Parameters
    ----------
    session
        The session holding the detection's verdict.
    detection
        One of its detections.

    Returns
    -------
    Shown
    """
    try:
        verdict = session.verdict(detection.id)
    except KeyError:  # the session was cleared; a refresh follows
        verdict = Verdict()
    label = verdict.label
    if label is None or label == detection.scientific_name:
        common = detection.common_name
    else:
        common = session.common_name(label) or ""
    return Shown(detection, verdict, common)
