"""Species for the relabel picker: the window's other predictions first, then a search.

The picker lists, before anything else, the species the model also
predicted in the same window (best score first), so relabelling is usually
one key; typing searches scientific and common names of every species the
model knows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = ["relabel_candidates", "search_species"]


def relabel_candidates(session: ReviewSession, detection_id: int) -> list[str]:
    """Other species predicted in the detection's window, best score first.

    Returns
    -------
    list of str
        Scientific names, without the detection's own species.
    """
    det = session.get(detection_id)
    tags = sorted(det.clip_prediction.tags, key=lambda t: -float(t.score))
    out: dict[str, None] = {}
    for predicted in tags:
        name = str(predicted.tag.value)
        if name != det.scientific_name:
            out.setdefault(name, None)
    return list(out)


def search_species(
    names: Mapping[str, str],
    query: str = "",
    *,
    first: Sequence[str] = (),
    limit: int | None = 50,
) -> list[tuple[str, str]]:
    """Species matching a typed query, best matches first.

    Parameters
    ----------
    names
        Scientific name -> common name ("" when unknown), e.g. the model's
        labels or ``session.species_names()``.
    query
        What the user typed; matched case-insensitively against both names.
        Every word of the query must occur; names where the words start a
        word come before names that merely contain them.
    first
        Names to put first when they match (e.g. :func:`relabel_candidates`).
    limit
        Most results to return (None: all).

    Returns
    -------
    list of (scientific name, common name)
    """
    words = query.casefold().split()
    ranked: list[tuple[tuple[int, int, str], str]] = []
    priority = {name: i for i, name in enumerate(first)}
    pool = dict.fromkeys([*first, *names])
    for sci in pool:
        common = names.get(sci, "")
        text = f"{sci} {common}".casefold()
        if any(w not in text for w in words):
            continue
        starts = text.split()
        at_word_start = all(any(part.startswith(w) for part in starts) for w in words)
        rank = (
            priority.get(sci, len(priority)),
            0 if at_word_start or not words else 1,
            sci,
        )
        ranked.append((rank, sci))
    ranked.sort()
    chosen = [sci for _rank, sci in ranked]
    if limit is not None:
        chosen = chosen[:limit]
    return [(sci, names.get(sci, "")) for sci in chosen]
