"""Locate the files the app ships (icon, desktop entry, demo recording); no Qt.

They live in ``resources/`` at the top of a source checkout. A wheel carries
them inside the package, as ``audioclass_gui/resources/`` (see
``[tool.hatch.build.targets.wheel.force-include]`` in ``pyproject.toml``),
and a PyInstaller bundle in its own ``resources/`` folder (see
``packaging/audioclass-gui.spec``).
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["resource_path"]


def resource_path(name: str) -> Path | None:
    """Path of a file from ``resources/``, wherever the app is installed.

    Parameters
    ----------
    name
        The file's name inside ``resources/`` (``"audioclass-gui.svg"``).

    Returns
    -------
    pathlib.Path or None
        The first existing file among: the PyInstaller bundle's
        ``resources/``, the package's ``resources/`` (a wheel) and the
        ``resources/`` beside the package (a checkout or an editable
        install); None if the file is in none of them.
    """
    package = Path(__file__).resolve().parent
    candidates = [package / "resources" / name, package.parent / "resources" / name]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / "resources" / name)
    return next((p for p in candidates if p.is_file()), None)
