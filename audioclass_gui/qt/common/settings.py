"""Where the app keeps its settings (a QSettings store every feature shares)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

__all__ = ["CONFIG_ENV", "open_settings"]

#: Environment variable naming a folder for the settings file (tests, portable use).
CONFIG_ENV = "AUDIOCLASS_GUI_CONFIG_DIR"
_CACHE_ENV = "AUDIOCLASS_GUI_CACHE_DIR"


def open_settings() -> QSettings:
    """Where settings are kept.

    ``$AUDIOCLASS_GUI_CONFIG_DIR/settings.ini`` when that variable is set;
    otherwise, when ``AUDIOCLASS_GUI_CACHE_DIR`` relocates the app's files
    (as the test suite and sandboxed runs do), ``settings.ini`` beside them;
    otherwise the user's normal Qt settings for audioclass-gui.
    """
    folder = os.environ.get(CONFIG_ENV)
    if not folder and os.environ.get(_CACHE_ENV):
        folder = str(Path(os.environ[_CACHE_ENV]) / "config")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
    return QSettings("audioclass-gui", "audioclass-gui")
