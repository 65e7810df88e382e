"""Locate the app's own files (icon) in a wheel, a checkout or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon

__all__ = ["app_icon", "resource_path"]


def resource_path(name: str) -> Path | None:
    """Path of a file from ``resources/``, wherever the app is installed.

    Looks inside the package (wheels carry ``resources/`` there), beside the
    package (a source checkout or editable install), and in a PyInstaller
    bundle.
    """
    package = Path(__file__).resolve().parents[1]
    candidates = [package / "resources" / name, package.parent / "resources" / name]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / "resources" / name)
    return next((p for p in candidates if p.is_file()), None)


def app_icon() -> QIcon:
    """The application icon (an empty icon if its file is missing)."""
    path = resource_path("audioclass-gui.svg")
    return QIcon(str(path)) if path else QIcon()
