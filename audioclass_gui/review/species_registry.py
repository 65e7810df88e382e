"""The species of a review session: scientific names by index, common names, tags.

A session's ``species`` and ``label`` columns hold small integers; this
registry maps them to scientific names, keeps one soundevent tag per
species, and the common names for display and exports (asked once per
species of the session's ``common_name`` function).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from soundevent import data, terms

__all__ = ["SpeciesRegistry"]


class SpeciesRegistry:
    """Scientific names in the order first seen, with their common names.

    Parameters
    ----------
    common_name
        Optional function giving the common name of a tag (``None`` or
        ``""`` when unknown); called once per distinct tag.
    """

    def __init__(self, common_name: Callable[[data.Tag], str | None] | None = None) -> None:
        self._common_name = common_name
        self._names: list[str] = []
        self._index: dict[str, int] = {}
        # scientific -> common ("" when unknown), for names looked up or given
        self._common: dict[str, str] = {}
        self._tags: dict[int, data.Tag] = {}
        # Lookups made per row in hot loops: the dicts' and list's own methods.
        #: ``get(name)``: index of a scientific name, or None if never seen.
        self.get: Callable[[str], int | None] = self._index.get
        #: ``name(index)``: the scientific name with this index.
        self.name: Callable[[int], str] = self._names.__getitem__
        #: ``known_common(name)``: the common name of a species if it was
        #: looked up or given ("" when unknown), else None.
        self.known_common: Callable[[str], str | None] = self._common.get

    def __len__(self) -> int:
        return len(self._names)

    # ------------------------------------------------------------- indices

    def register(self, name: str) -> int:
        """Index of a scientific name, registered if new."""
        index = self._index.get(name)
        if index is None:
            index = len(self._names)
            self._names.append(name)
            self._index[name] = index
        return index

    def ids(self, names: Sequence[str]) -> np.ndarray:
        """Indices of these names (registered if new)."""
        return np.asarray([self.register(str(n)) for n in names], np.int32)

    def names(self) -> list[str]:
        """Scientific names by index (a copy)."""
        return list(self._names)

    def of_tag(self, tag: data.Tag) -> int:
        """Index of a predicted tag's species, its common name looked up once."""
        name = str(tag.value)
        if name not in self._common:
            self.lookup_common(tag)
        return self.register(name)

    def tag(self, index: int) -> data.Tag:
        """The scientific-name tag of a species (one object per species)."""
        tag = self._tags.get(index)
        if tag is None:
            tag = data.Tag(term=terms.scientific_name, value=self._names[index])
            self._tags[index] = tag
        return tag

    # -------------------------------------------------------- common names

    def lookup_common(self, tag: data.Tag) -> str:
        """Ask the ``common_name`` function about a tag, and keep the answer."""
        name = ""
        if self._common_name is not None:
            name = self._common_name(tag) or ""
        self._common[str(tag.value)] = name
        return name

    def common_name(self, scientific_name: str) -> str:
        """Common name of a species, "" when unknown."""
        name = self._common.get(scientific_name)
        if name is None:
            tag = data.Tag(term=terms.scientific_name, value=scientific_name)
            name = self.lookup_common(tag)
        return name

    def set_common_names(self, names: Mapping[str, str]) -> None:
        """Add common names (scientific -> common); empty ones are ignored."""
        self._common.update({k: v for k, v in names.items() if v})

    def species_names(self) -> dict[str, str]:
        """Every known species (scientific -> common, "" when unknown)."""
        out = {name: self.common_name(name) for name in self._names}
        for name in self._common:
            out.setdefault(name, self._common[name])
        return out
