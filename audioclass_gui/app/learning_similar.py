"""Find similar: a detection's, a box's or a file's most similar windows, listed for review.

The matches become a run of the project (species = the query's, score =
cosine similarity, provenance ``{"kind": "search", ...}``) listed in
similarity order as a review queue: a match accepted is an ordinary verdict
for the query's species on that window. Part of
:class:`~audioclass_gui.app.learning.Learning` (``app.learning.similar``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from audioclass_gui.app.learning import Learning
    from audioclass_gui.app.learning_jobs import WindowsRun

__all__ = ["DEFAULT_K", "SimilarQuery", "SimilarSearch", "clock"]

#: How many matches Find similar lists by default.
DEFAULT_K = 100


def clock(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` past an hour) for the list's description."""
    s = int(round(seconds))
    h, m = divmod(s // 60, 60)
    return f"{h}:{m:02d}:{s % 60:02d}" if h else f"{m}:{s % 60:02d}"


@dataclass(frozen=True)
class SimilarQuery:
    """What Find similar searches with.

    Attributes
    ----------
    species : str
        The query's species (scientific name): accepted matches are verdicts for it.
    description : str
        In words ("Song Thrush at rec.wav 0:12").
    recording : str or None
        A project recording's path (a detection or box), else None.
    start, end : float
        The span (seconds).
    own_window : bool
        The detection's own window (else every window the span overlaps).
    file : pathlib.Path or None
        An audio file from outside the store, run through the model.
    """

    species: str
    description: str
    recording: str | None = None
    start: float = 0.0
    end: float | None = None
    own_window: bool = False
    file: Path | None = None

    def to_json(self) -> dict[str, Any]:
        """For the search run's provenance."""
        where = {"file": str(self.file)} if self.file is not None else {"recording": self.recording}
        return {**where, "start": self.start, "end": self.end, "species": self.species}


class SimilarSearch:
    """Queries and the search, run through the app's tasks.

    Parameters
    ----------
    learning
        The learning part of the app model: the project, its embeddings,
        the runs added and the list shown.
    """

    def __init__(self, learning: Learning) -> None:
        self._learning = learning

    def _name(self, species: str) -> str:
        session = self._learning.session
        common = session.common_name(species) if session is not None else ""
        return common or species


    def query_for_detection(self, detection_id: int) -> SimilarQuery:
        """The query of a detection: its own window's stored vector, its species."""
        from audioclass_gui.review.shown import shown

        d = self._learning.session.get(detection_id)  # type: ignore[union-attr]
        species = shown(self._learning.session, d).verdict.label or d.scientific_name  # a relabel wins
        return SimilarQuery(
            species,
            f"{self._name(species)} at {Path(d.recording.path).name} {clock(d.start)}",
            str(d.recording.path),
            float(d.start),
            float(d.end),
            own_window=True,
        )

    def query_for_box(self, box_id: str) -> SimilarQuery:
        """The query of a drawn box: the windows it overlaps, its species.

        Raises
        ------
        ValueError
            If the box has no species.
        """
        box = self._learning.session.box(box_id)  # type: ignore[union-attr]
        if box is None:
            raise KeyError(box_id)
        if not box.scientific_name:
            raise ValueError("Give the box a species first: matches are verdicts for it.")
        return SimilarQuery(
            box.scientific_name,
            f"{self._name(box.scientific_name)} box at {Path(box.recording).name} {clock(box.start)}",
            str(box.recording),
            float(box.start),
            float(box.end),
        )

    def query_for_file(
        self, path: str | Path, species: str, start: float = 0.0, end: float | None = None
    ) -> SimilarQuery:
        """The query of an audio file (its windows' features averaged), for ``species``."""
        path = Path(path)
        return SimilarQuery(
            species, f"{self._name(species)} in {path.name}", None, float(start), end, file=path
        )


    def _model(self) -> Any:
        from audioclass_gui.models import create_model

        return self._learning.model_factory() if self._learning.model_factory is not None else create_model(self._learning.model_key)


    def find_similar(self, query: SimilarQuery, k: int = DEFAULT_K) -> None:
        """List the ``k`` windows most similar to ``query`` (see the module docstring)."""
        try:
            project, place, recordings = self._learning.run_context()
        except ValueError as exc:
            self._learning.app.messages.report("Find similar", str(exc))
            return
        key, model = self._learning.model_key, (self._model if query.file is not None else None)

        def work() -> WindowsRun:
            from audioclass_gui.app.learning_jobs import (
                Window,
                query_rows,
                write_windows_run,
            )
            from audioclass_gui.embeddings import search

            store = self._learning.store(place)
            exclude: list[int] = []
            if query.file is not None:
                from audioclass_gui.embeddings.compute import embed_file

                _, vector = embed_file(query.file, model(), query.start, query.end)
            else:
                rows = query_rows(
                    store, place.name(query.recording), query.start,
                    query.end if query.end is not None else query.start, own_window=query.own_window,
                )
                if not len(rows):
                    raise LookupError(
                        f"{query.recording}: no stored window at {query.start:g} s; "
                        "compute the embeddings of this recording first."
                    )
                vector, exclude = store.vectors(rows), rows.tolist()
            result = search(store, vector, k, exclude_rows=exclude)
            names = store.recordings()
            rec, starts, ends = store.rows()
            windows = [
                Window(recordings[names[rec[r]]], float(starts[r]), float(ends[r]), query.species, float(s))
                for r, s in zip(result.rows.tolist(), result.similarities.tolist(), strict=True)
                if names[rec[r]] in recordings
            ]
            provenance = {"kind": "search", "query": query.to_json(), "k": k, "model": key}
            return write_windows_run(
                project.runs_folder(), windows, name=f"Similar: {query.description}",
                provenance=provenance, extra={"windows_searched": len(store)},
            )

        self._learning.busy.emit(f"Finding windows similar to {query.description}…")
        self._learning.app.tasks.submit(
            work,
            lambda run: self._learning.show(run, project, "similar", f"Similar to {query.description}"),
            self._learning.fail("Find similar"),
        )

