"""Keeping a verification queue with a project (by detection keys, not ids).

Detection ids change from one open to the next; :class:`QueueStore` writes
a :class:`~audioclass_gui.review.sampling.ReviewQueue` to the project's
journal with the path keys of its detections, and reads it back with the
ids of the session open now.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from audioclass_gui.project.project_journal import ProjectJournal
from audioclass_gui.project.store import PathCodec
from audioclass_gui.review.sampling import ReviewQueue, Stratum

if TYPE_CHECKING:
    from audioclass_gui.review import ReviewSession

__all__ = ["QueueStore"]


class QueueStore:
    """The verification queue of a project.

    Parameters
    ----------
    session
        The project's session (ids to path keys and back).
    journal
        Where the queue is kept.
    codec
        Paths in records relative to the project's root.
    """

    def __init__(self, session: ReviewSession, journal: ProjectJournal, codec: PathCodec) -> None:
        self._session = session
        self._journal = journal
        self._codec = codec

    def save(self, queue: ReviewQueue) -> None:
        """Remember a verification queue (durably)."""

        def keys(ids: Sequence[int]) -> list[list[Any]]:
            out = []
            for i in ids:
                path, start, end, species = self._session.path_key(i)
                out.append([self._codec.encode(path), start, end, species])
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
        self._journal.append(record)
        self._journal.state.queue = record

    def load(self) -> ReviewQueue | None:
        """The saved verification queue, with ids of this session (None if none)."""
        raw = self._journal.state.queue
        if raw is None:
            return None

        def ids(keys: list[list[Any]]) -> tuple[int, ...]:
            out: list[int] = []
            for rel, start, end, species in keys:
                out.extend(
                    self._session.ids_for((self._codec.decode(rel), start, end, species))[:1]
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
