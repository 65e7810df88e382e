"""The folder File › Open and Open folder as project start in, and the last one used.

The rule is :func:`audioclass_gui.project.open_folder.dialog_start_folder`;
this module feeds it the last folder the user opened from, kept in the
app's settings (see :func:`audioclass_gui.qt.common.settings.open_settings`).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

from audioclass_gui.project.open_folder import (
    app_folders,
    dialog_start_folder,
    is_inside,
)
from audioclass_gui.qt.common.settings import open_settings

__all__ = ["LAST_FOLDER_KEY", "open_dialog_start", "remember_open_folder"]

#: Settings key of the last folder the user opened something from.
LAST_FOLDER_KEY = "files/last_open_folder"


def open_dialog_start(
    current: str | os.PathLike[str] | None, settings: QSettings | None = None
) -> str:
    """The folder an Open dialog should start in, as a string for QFileDialog.

    Parameters
    ----------
    current
        The open recording (or the open project's folder), None if nothing is open.
    settings
        Where the last folder is kept; default the app's settings.
    """
    store = settings if settings is not None else open_settings()
    last = str(store.value(LAST_FOLDER_KEY, "") or "") or None
    return str(dialog_start_folder(current, last, own_folders=app_folders()))


def remember_open_folder(
    chosen: str | os.PathLike[str], settings: QSettings | None = None
) -> None:
    """Keep the folder of what the user chose in an Open dialog.

    Parameters
    ----------
    chosen
        The file or folder picked; a file stands for its folder. The app's
        own folders (where the demo is) are not remembered.
    settings
        Where to keep it; default the app's settings.
    """
    path = Path(chosen).expanduser().absolute()
    folder = path if path.is_dir() else path.parent
    if is_inside(folder, app_folders()):
        return
    store = settings if settings is not None else open_settings()
    store.setValue(LAST_FOLDER_KEY, str(folder))
    store.sync()
