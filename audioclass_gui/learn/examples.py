"""Training examples from a review: which windows hold which species, and who said so.

A reviewer's verdicts are statements about windows of audio. For each
species to learn:

- **positive**: a window accepted as that species (a relabel counts for the
  new name), or a window a drawn box of that species overlaps;
- **negative**: a window rejected for that species, or accepted as another
  species (the reviewer said what is there, and it was not this one), or
  overlapped by a box of another species;
- **left out**: uncertain verdicts (the reviewer was not sure this species
  is there), and windows both accepted and rejected for the species
  (conflicts, counted in the summary).

:func:`collect_examples` reads those facts from a
:class:`~audioclass_gui.review.ReviewSession` (an open project's
``session``): one :class:`Example` per judged window and one per drawn box,
with the facts kept raw (accepted, rejected, uncertain names) so that
several examples falling on one embedding row can be merged before they are
resolved (:func:`resolve`). :mod:`audioclass_gui.learn.training_set` joins
them to embeddings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from audioclass_gui.review.detection import Status, Verdict

if TYPE_CHECKING:
    from soundevent import data

    from audioclass_gui.review.session import ReviewSession

__all__ = [
    "NEGATIVE",
    "POSITIVE",
    "UNKNOWN",
    "Example",
    "ExampleSet",
    "collect_examples",
    "resolve",
    "species_choices",
]

#: Label codes of one window for one species.
POSITIVE, NEGATIVE, UNKNOWN = 1, 0, -1
#: Why a window is not an example of a species although it was judged.
UNCERTAIN, CONFLICT = "uncertain", "conflict"


@dataclass(frozen=True)
class Example:
    """What the reviewers said about one window (or what one box covers).

    Attributes
    ----------
    recording : str
        Absolute path of the recording.
    start, end : float
        The window's (or box's) span in seconds.
    accepted, rejected, uncertain : frozenset of str
        Scientific names accepted, rejected and marked uncertain there.
    reviewers : frozenset of str
        Who gave those verdicts (user names).
    source : str
        ``"verdict"`` (a window judged in review) or ``"box"`` (a drawn box:
        it labels the embedding windows it overlaps).
    """

    recording: str
    start: float
    end: float
    accepted: frozenset[str] = frozenset()
    rejected: frozenset[str] = frozenset()
    uncertain: frozenset[str] = frozenset()
    reviewers: frozenset[str] = frozenset()
    source: str = "verdict"

    def label(self, species: str) -> int:
        """:data:`POSITIVE`, :data:`NEGATIVE` or :data:`UNKNOWN` for one species."""
        return resolve(species, self.accepted, self.rejected, self.uncertain)[0]

    def labels(self, species: Sequence[str]) -> dict[str, int]:
        """The label of each species (see :meth:`label`)."""
        return {name: self.label(name) for name in species}


def resolve(
    species: str,
    accepted: Iterable[str],
    rejected: Iterable[str],
    uncertain: Iterable[str],
) -> tuple[int, str]:
    """The label of a window for one species from what was said about it.

    Returns
    -------
    (label, reason)
        ``label`` is :data:`POSITIVE`, :data:`NEGATIVE` or :data:`UNKNOWN`;
        ``reason`` says why a judged window is left out (``"uncertain"``,
        ``"conflict"``), else ``""``.
    """
    accepted = set(accepted)
    rejected = set(rejected)
    if species in accepted:
        if species in rejected:
            return UNKNOWN, CONFLICT
        return POSITIVE, ""
    if species in set(uncertain):
        return UNKNOWN, UNCERTAIN
    if species in rejected or accepted:
        return NEGATIVE, ""
    return UNKNOWN, ""


@dataclass
class _Window:
    accepted: set[str] = field(default_factory=set)
    rejected: set[str] = field(default_factory=set)
    uncertain: set[str] = field(default_factory=set)
    reviewers: set[str] = field(default_factory=set)

    def add(self, name: str, verdict: Verdict, reviewer: str) -> None:
        if verdict.status is Status.ACCEPTED:
            self.accepted.add(name)
        elif verdict.status is Status.REJECTED:
            self.rejected.add(name)
        elif verdict.status is Status.UNCERTAIN:
            self.uncertain.add(name)
        else:  # a note or a relabel without a status says nothing to learn from
            return
        if reviewer:
            self.reviewers.add(reviewer)


@dataclass(frozen=True)
class ExampleSet:
    """The examples of a review, before they meet the embeddings.

    Attributes
    ----------
    examples : tuple of Example
        Judged windows, then drawn boxes.
    verdicts : int
        Verdicts read (accepted, rejected or uncertain detections).
    boxes : int
        Tagged boxes read (untagged ones say nothing).
    """

    examples: tuple[Example, ...]
    verdicts: int
    boxes: int

    def counts(self, species: Sequence[str]) -> dict[str, dict[str, int]]:
        """Per species: positive, negative, uncertain and conflicting examples."""
        out = {name: {"positive": 0, "negative": 0, UNCERTAIN: 0, CONFLICT: 0} for name in species}
        for example in self.examples:
            for name in species:
                label, reason = resolve(
                    name, example.accepted, example.rejected, example.uncertain
                )
                if label == POSITIVE:
                    out[name]["positive"] += 1
                elif label == NEGATIVE:
                    out[name]["negative"] += 1
                elif reason:
                    out[name][reason] += 1
        return out

    def reviewers(self) -> dict[str, int]:
        """Examples per reviewer (a window judged by two counts for both)."""
        out: dict[str, int] = {}
        for example in self.examples:
            for name in example.reviewers:
                out[name] = out.get(name, 0) + 1
        return dict(sorted(out.items()))


def _username(user: data.User | None) -> str:
    if user is None:
        return ""
    return user.username or user.name or str(user.uuid)


def collect_examples(session: ReviewSession) -> ExampleSet:
    """Every judged window and tagged box of a session, as training examples.

    Parameters
    ----------
    session
        A review session (``ReviewProject.open(...).session``). Verdicts
        waiting for their detection (their run is not loaded) count too.

    Returns
    -------
    ExampleSet
        One :class:`Example` per window with an accepted, rejected or
        uncertain verdict (detections of several runs or species on one
        window merged), then one per box tagged with a species. Windows are
        keyed by recording and millisecond-rounded start and end, as verdicts
        are.
    """
    windows: dict[tuple[str, float, float], _Window] = {}
    verdicts = 0

    def note(path: str, start: float, end: float, name: str, verdict: Verdict, who: str) -> None:
        nonlocal verdicts
        if verdict.status not in (Status.ACCEPTED, Status.REJECTED, Status.UNCERTAIN):
            return
        verdicts += 1
        key = (path, round(float(start), 3), round(float(end), 3))
        windows.setdefault(key, _Window()).add(name, verdict, who)

    book = session.verdict_book
    first = session.columns().first_id
    for local in book.judged_rows().tolist():
        path, start, end, predicted = session.path_key(local + first)
        verdict = book.verdict(local)
        stamp = book.stamp(local)
        who = _username(stamp.reviewer) if stamp is not None else ""
        note(path, start, end, verdict.label or predicted, verdict, who)
    for (path, start, end, predicted), (verdict, user, _at) in session.pending_verdicts().items():
        note(path, start, end, verdict.label or predicted, verdict, _username(user))

    examples = [
        Example(
            recording=path,
            start=start,
            end=end,
            accepted=frozenset(w.accepted),
            rejected=frozenset(w.rejected),
            uncertain=frozenset(w.uncertain),
            reviewers=frozenset(w.reviewers),
        )
        for (path, start, end), w in windows.items()
    ]
    boxes = 0
    for box in session.boxes():
        if not box.scientific_name:
            continue
        boxes += 1
        stamp = session.box_stamp(box.id)
        who = _username(stamp.reviewer) if stamp is not None else ""
        examples.append(
            Example(
                recording=str(box.recording),
                start=float(box.start),
                end=float(box.end),
                accepted=frozenset({box.scientific_name}),
                reviewers=frozenset({who} if who else ()),
                source="box",
            )
        )
    return ExampleSet(tuple(examples), verdicts, boxes)


def species_choices(
    session: ReviewSession, names: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Match names the user typed (scientific or common, any case) to the session's species.

    Returns
    -------
    (found, unknown)
        Scientific names found, in the order given, and the typed names that
        match no species of the session.
    """
    known: Mapping[str, str] = session.species_names()
    by_lower: dict[str, str] = {}
    for scientific, common in known.items():
        by_lower.setdefault(scientific.lower(), scientific)
        if common:
            by_lower.setdefault(common.lower(), scientific)
    for box in session.boxes():
        if box.scientific_name:
            by_lower.setdefault(box.scientific_name.lower(), box.scientific_name)
    found: list[str] = []
    unknown: list[str] = []
    for name in names:
        match = by_lower.get(name.strip().lower())
        if match is None:
            unknown.append(name)
        elif match not in found:
            found.append(match)
    return found, unknown
