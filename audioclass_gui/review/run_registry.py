"""The runs of a review session: their names and provenance, and their codes.

A session's ``run`` column holds small integers (codes); this registry maps
them to run keys (a predictions file, a run made in the app; ``""`` is the
session's own run) and keeps each named run's model name and provenance.

A run gets a code only once rows of it are added: codes asked for new keys
are *provisional* (:meth:`RunRegistry.codes`) until :meth:`RunRegistry.commit`,
so that a run whose every detection was already there is not listed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["RunRegistry"]


class RunRegistry:
    """Run keys by code, and the model name and provenance of named runs."""

    def __init__(self) -> None:
        self._named: dict[str, tuple[str, dict[str, Any]]] = {}
        self.reset()

    def reset(self) -> None:
        """Forget the codes (the session's rows are gone); names are kept."""
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._provisional: list[str] = []
        # Lookups made per row in hot loops: the list's and dict's own methods.
        #: ``key(code)``: the run key with this code.
        self.key: Callable[[int], str] = self._keys.__getitem__
        #: ``code(key)``: the code of a run key, or None when it has no rows.
        self.code: Callable[[str], int | None] = self._index.get

    # --------------------------------------------------------------- names

    def set_run(self, run: str, *, name: str, provenance: dict[str, Any] | None = None) -> None:
        """Name a run (source of predictions) other than the session's own."""
        self._named[run] = (name, dict(provenance or {}))

    def model_of(self, run: str) -> str:
        """The model name of a run ("" for the session's own run)."""
        return "" if run == "" else self._named.get(run, (run, {}))[0]

    def info(self, run: str, own: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        """A run's model name and provenance; ``own`` is the session's own run's."""
        if run == "":
            return own
        return self._named.get(run, (run, {}))

    # --------------------------------------------------------------- codes

    def codes(self, keys: Sequence[str]) -> np.ndarray:
        """Codes of run keys; new keys get the next codes, provisionally.

        The provisional codes become the keys' codes at :meth:`commit`
        (when their rows are added), and are dropped at the next call.
        """
        self._provisional = []
        codes = []
        for key in keys:
            code = self._index.get(key)
            if code is None:
                if key not in self._provisional:
                    self._provisional.append(key)
                code = len(self._keys) + self._provisional.index(key)
            codes.append(code)
        return np.asarray(codes, np.int32)

    def commit(self) -> None:
        """Give the provisional keys (see :meth:`codes`) their codes."""
        for key in self._provisional:
            self._index[key] = len(self._keys)
            self._keys.append(key)
        self._provisional = []

    def model_codes(self) -> np.ndarray:
        """Per code (provisional ones included), a number per distinct model name."""
        models: dict[str, int] = {}
        return np.asarray(
            [
                models.setdefault(self.model_of(k), len(models))
                for k in [*self._keys, *self._provisional]
            ],
            np.int64,
        )

    def keys(self) -> list[str]:
        """Run keys by code (a copy)."""
        return list(self._keys)

    def listed(self, more: Sequence[str]) -> list[str]:
        """Run keys by code, then those of ``more`` not among them, without repeats."""
        return list(dict.fromkeys([*self._keys, *more]))
