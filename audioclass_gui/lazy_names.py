"""Package names that load their module on first use (PEP 562).

A package whose ``__init__`` imports every submodule makes whoever needs one
name pay for all of them: importing :class:`~audioclass_gui.review.Status`
loaded soundevent and pydantic before the window could paint. A package
built with :func:`lazy_names` maps each public name to its module and imports
that module the first time the name is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    namespace: dict[str, Any], where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` for names found in ``where``.

    Parameters
    ----------
    namespace
        The package's ``globals()``: a name once loaded is kept there, so
        later lookups cost nothing.
    where
        Public name -> the module that defines it.

    Returns
    -------
    tuple
        ``(__getattr__, __dir__)`` to assign at the package's top level.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
