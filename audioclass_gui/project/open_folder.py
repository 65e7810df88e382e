"""Where File › Open and Open folder as project start (pure; no Qt).

The first Open dialog used to start in the app's cache folder, because the
demo recording lived there. The rule now, in :func:`dialog_start_folder`:

1. the folder of the open recording or project, unless it is one of the
   app's own folders (data, cache, settings: the demo lives in the data
   folder);
2. else the last folder the user opened something from (the caller keeps
   it in the settings), under the same condition;
3. else the user's home folder.

A folder that no longer exists is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from audioclass_gui.project.identity import config_dir
from audioclass_gui.project.implicit import data_dir

__all__ = ["app_folders", "dialog_start_folder", "is_inside"]

_CACHE_ENV = "AUDIOCLASS_GUI_CACHE_DIR"


def app_folders() -> list[Path]:
    """The app's own folders: data (reviews, the demo), cache and settings.

    Each honours its environment variable (``AUDIOCLASS_GUI_DATA_DIR``,
    ``AUDIOCLASS_GUI_CACHE_DIR``, ``AUDIOCLASS_GUI_CONFIG_DIR``) as the app
    does, else the platform's folder for audioclass-gui.
    """
    cache = os.environ.get(_CACHE_ENV)
    if cache:
        cache_dir = Path(cache)
    else:
        import platformdirs

        cache_dir = Path(platformdirs.user_cache_dir("audioclass-gui"))
    return [data_dir(), cache_dir, config_dir()]


def is_inside(path: str | os.PathLike[str], folders: Iterable[str | os.PathLike[str]]) -> bool:
    """True if ``path`` is one of ``folders`` or lies anywhere below one.

    Paths are compared after resolving symbolic links and ``..``.
    """
    p = Path(path).expanduser().resolve()
    for folder in folders:
        f = Path(folder).expanduser().resolve()
        if p == f or f in p.parents:
            return True
    return False


def dialog_start_folder(
    current: str | os.PathLike[str] | None,
    last: str | os.PathLike[str] | None,
    *,
    own_folders: Iterable[str | os.PathLike[str]] = (),
    home: str | os.PathLike[str] | None = None,
) -> Path:
    """The folder an Open dialog should start in.

    Parameters
    ----------
    current
        The open recording or project (a file or a folder; a file stands
        for its folder), or None when nothing is open.
    last
        The folder the user last opened something from, or None.
    own_folders
        The app's own folders (:func:`app_folders`), never offered: a user
        keeps no recordings there.
    home
        The fallback; default the user's home folder.

    Returns
    -------
    pathlib.Path
        An existing folder.
    """
    own = list(own_folders)
    for candidate in (current, last):
        if candidate is None or str(candidate) == "":
            continue
        folder = Path(candidate).expanduser().absolute()
        if folder.is_file():
            folder = folder.parent
        if folder.is_dir() and not is_inside(folder, own):
            return folder
    return Path(home).expanduser() if home is not None else Path.home()
