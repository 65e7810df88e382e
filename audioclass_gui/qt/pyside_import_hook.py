"""A faster answer to PySide6's question, asked of every module imported, "does it use PySide6?".

Since PySide6 6.4 (PYSIDE-2029) an import hook of its ``__feature__``
support asks that of each module imported after PySide6, by reading the
module's whole source with :func:`inspect.getsource` and looking for the
text ``PySide6``. ``inspect`` goes through ``linecache`` and builds the
module's line list; for the 300-odd modules the window imports (ours and
pyqtgraph's) that is about 20 ms of the start, before the window can paint.

:func:`install` gives the hook the same answer from a plain read of the
module's file: ``b"PySide6" in`` its bytes for a ``.py`` file, and PySide6's
own answer for anything else (built-ins, extension modules, modules without
a file). It changes nothing where the hook is missing or laid out
differently (another PySide6 version): it only replaces a function it
finds, and keeps the original for what it does not handle.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

__all__ = ["install", "uses_pyside"]

#: Where PySide6 keeps its feature support (the name it is imported under).
_FEATURE_MODULES = ("PySide6.support.feature", "shibokensupport.feature")


def uses_pyside(module: ModuleType, fallback: Callable[[ModuleType], bool]) -> bool:
    """Whether ``module``'s source file mentions PySide6 (``fallback`` for non-``.py`` modules)."""
    path = getattr(module, "__file__", None)
    if isinstance(path, str) and path.endswith(".py"):
        try:
            with open(path, "rb") as handle:
                return b"PySide6" in handle.read()
        except OSError:
            pass
    return fallback(module)


def install() -> bool:
    """Make PySide6's per-import check read files plainly; True if it was installed.

    Safe to call more than once, and a no-op where PySide6's feature
    support is not loaded or has no ``_mod_uses_pyside``.
    """
    for name in _FEATURE_MODULES:
        feature = sys.modules.get(name)
        original = getattr(feature, "_mod_uses_pyside", None)
        if original is None:
            continue
        if getattr(original, "_audioclass_gui", False):
            return True

        def faster(module: ModuleType, _original=original) -> bool:
            return uses_pyside(module, _original)

        faster._audioclass_gui = True  # type: ignore[attr-defined]
        feature._mod_uses_pyside = faster  # type: ignore[union-attr]
        return True
    return False
