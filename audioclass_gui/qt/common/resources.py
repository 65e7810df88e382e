"""The app's icon, from the files it ships (see :mod:`audioclass_gui.resource_files`)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from audioclass_gui.resource_files import resource_path

__all__ = ["app_icon", "resource_path"]


def app_icon() -> QIcon:
    """The application icon (an empty icon if its file is missing)."""
    path = resource_path("audioclass-gui.svg")
    return QIcon(str(path)) if path else QIcon()
