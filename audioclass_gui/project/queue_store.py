"""Keeping a verification queue with a project (by detection keys, not ids).

Mixed into :class:`~audioclass_gui.project.ReviewProject`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from audioclass_gui.review.sampling import ReviewQueue, Stratum

if TYPE_CHECKING:
    from audioclass_gui.project.project import ReviewProject

__all__ = ["QueueMixin"]


class QueueMixin:
    """Verification queue of :class:`~audioclass_gui.project.ReviewProject`."""

    def save_queue(self: ReviewProject, queue: ReviewQueue) -> None:
        """Remember a verification queue (durably)."""

        def keys(ids: Sequence[int]) -> list[list[Any]]:
            out = []
            for i in ids:
                path, start, end, species = self.session.path_key(i)
                out.append([self.codec.encode(path), start, end, species])
            return out

        record = {
            "t": "queue",
            "per_species": queue.per_species,
            "edges": list(queue.edges),
            "seed": queue.seed,
            "species": list(queue.species),
            "order": keys(queue.ids),
            "strata": [
                {
                    "species": s.scientific_name,
                    "low": s.low,
                    "high": s.high,
                    "population": s.population,
                    "keys": keys(s.ids),
                }
                for s in queue.strata
            ],
        }
        self._append(record)
        self._state.queue = record

    def queue(self: ReviewProject) -> ReviewQueue | None:
        """The saved verification queue, with ids of this session (None if none)."""
        raw = self._state.queue
        if raw is None:
            return None

        def ids(keys: list[list[Any]]) -> tuple[int, ...]:
            out: list[int] = []
            for rel, start, end, species in keys:
                out.extend(
                    self.session.ids_for((self.codec.decode(rel), start, end, species))[
                        :1
                    ]
                )
            return tuple(out)

        strata = tuple(
            Stratum(s["species"], s["low"], s["high"], s["population"], ids(s["keys"]))
            for s in raw["strata"]
        )
        return ReviewQueue(
            ids(raw["order"]),
            strata,
            raw["per_species"],
            tuple(raw["edges"]),
            raw.get("seed", 0),
            tuple(raw.get("species", ())),
        )
