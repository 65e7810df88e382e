"""How a verification sample is drawn: the reviewer's choices, kept and replayed.

:class:`SampleSettings` holds what the Verification sample dialog asks (N
per species, score bins, the score floor, which species, the seed, whether
detections already reviewed may be drawn). :meth:`SampleSettings.draw`
turns them into a :class:`~audioclass_gui.review.sampling.ReviewQueue`; the
same settings on the same detections give the same queue, so a sample is
reproducible and can be documented with its seed.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from audioclass_gui.review.detection import Status
from audioclass_gui.review.query import DetectionFilter
from audioclass_gui.review.sampling import ReviewQueue, stratified_sample

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = ["SampleSettings", "new_seed", "parse_edges"]


def new_seed() -> int:
    """A fresh random seed, short enough to write down (0 to 999,999)."""
    return secrets.randbelow(1_000_000)


def parse_edges(text: str) -> tuple[float, ...]:
    """Read typed bin edges ("0.25, 0.5, 0.75, 1").

    Raises
    ------
    ValueError
        If there are fewer than two numbers, one is not a number, outside
        [0, 1], or they do not increase (the message says which).
    """
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    edges: list[float] = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"{part!r} is not a number") from None
        if not 0.0 <= value <= 1.0 or math.isnan(value):
            raise ValueError(f"{part} is outside 0–1")
        edges.append(value)
    if len(edges) < 2:
        raise ValueError("give at least two edges, e.g. 0.25, 0.5, 1")
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ValueError("edges must increase")
    return tuple(edges)


@dataclass(frozen=True)
class SampleSettings:
    """The reviewer's choices for a verification sample.

    Attributes
    ----------
    per_species : int
        Detections to draw per species (fewer where a species has fewer).
    bins : int or tuple of float
        Number of equal-width score bins from the floor to 1, or bin edges.
    floor : float
        Lowest score of the population (default in the app: the threshold).
        With explicit edges the population starts at the higher of the
        floor and the first edge.
    species : tuple of str or None
        Scientific names to sample; None for every species.
    seed : int
        Random seed (the same seed gives the same sample).
    include_reviewed : bool
        Draw detections that already have a verdict too (their verdict
        counts). When False the population is the detections still
        unreviewed when the sample is drawn, and the precision estimated
        is theirs.
    """

    per_species: int = 10
    bins: int | tuple[float, ...] = 4
    floor: float = 0.0
    species: tuple[str, ...] | None = None
    seed: int = 0
    include_reviewed: bool = True

    def __post_init__(self) -> None:
        if self.per_species < 1:
            raise ValueError("draw at least one detection per species")
        if not isinstance(self.bins, int):
            object.__setattr__(self, "bins", tuple(float(e) for e in self.bins))
        elif self.bins < 1:
            raise ValueError("use at least one score bin")
        if self.species is not None:
            object.__setattr__(self, "species", tuple(self.species))

    @property
    def min_score(self) -> float:
        """Lowest score of the population."""
        if isinstance(self.bins, int):
            return self.floor
        return max(self.floor, self.bins[0])

    def population_filter(self) -> DetectionFilter:
        """The detections the sample is drawn from."""
        return DetectionFilter(
            min_score=self.min_score,
            max_score=None if isinstance(self.bins, int) else self.bins[-1],
            statuses=None if self.include_reviewed else {Status.UNREVIEWED},
        )

    def draw(self, session: ReviewSession) -> ReviewQueue:
        """Draw the sample from ``session``'s detections."""
        return stratified_sample(
            session,
            self.per_species,
            self.bins,
            filter=self.population_filter(),
            species=self.species,
            seed=self.seed,
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for a project file)."""
        return {
            "per_species": self.per_species,
            "bins": self.bins if isinstance(self.bins, int) else list(self.bins),
            "floor": self.floor,
            "species": None if self.species is None else list(self.species),
            "seed": self.seed,
            "include_reviewed": self.include_reviewed,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> SampleSettings:
        """Settings from :meth:`to_json`'s dict (``ValueError`` if malformed)."""
        try:
            bins = raw.get("bins", 4)
            species: Sequence[str] | None = raw.get("species")
            return cls(
                per_species=int(raw["per_species"]),
                bins=int(bins) if isinstance(bins, int) else tuple(bins),
                floor=float(raw.get("floor", 0.0)),
                species=None if species is None else tuple(str(s) for s in species),
                seed=int(raw.get("seed", 0)),
                include_reviewed=bool(raw.get("include_reviewed", True)),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not verification sample settings: {exc}") from None
