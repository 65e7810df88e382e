"""The review of a single recording: a project kept in the user's data folder.

Opening one recording (rather than a folder or a project file) reviews it in
an *implicit* project, so its verdicts are as durable as a folder project's
and come back when the file is opened again. Each recording gets a folder
of its own::

    <data folder>/projects/<file stem>-<key>/review.jsonl   the journal
    <data folder>/projects/<file stem>-<key>/review.runs/   runs made in the app

The data folder is ``platformdirs.user_data_dir("audioclass-gui")``, or the
folder named by ``AUDIOCLASS_GUI_DATA_DIR`` (tests, portable installs).

``<key>`` identifies the file: a hash of its absolute path and of a cheap
content fingerprint (its size and its first and last 64 KiB). A file edited
or replaced under the same name therefore starts a new review instead of
inheriting verdicts about other sounds, while merely touching the file (its
modification time) keeps the review. A file moved elsewhere starts a new
review too; its old one stays in the folder until deleted.

Deleting a recording's folder forgets its review; nothing else refers to it.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the project machinery loads when a project is opened
    from audioclass_gui.project.project import ReviewProject

__all__ = [
    "DATA_DIR_ENV",
    "PROJECT_FILE",
    "data_dir",
    "find_implicit_project",
    "implicit_project_file",
    "open_implicit_project",
    "projects_dir",
]

#: Environment variable naming the data folder (tests, portable installs).
DATA_DIR_ENV = "AUDIOCLASS_GUI_DATA_DIR"
#: The journal's name inside a recording's folder.
PROJECT_FILE = "review.jsonl"
_PROJECTS = "projects"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def data_dir() -> Path:
    """The app's data folder (``$AUDIOCLASS_GUI_DATA_DIR``, else the platform's).

    Returns
    -------
    pathlib.Path
        The folder; it is not created here.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser().absolute()
    import platformdirs

    return Path(platformdirs.user_data_dir("audioclass-gui"))


def projects_dir() -> Path:
    """The folder holding one folder per recording reviewed on its own."""
    return data_dir() / _PROJECTS


def implicit_project_file(
    recording: str | os.PathLike[str], *, base: str | os.PathLike[str] | None = None
) -> Path:
    """Where the review of ``recording`` is (or would be) kept.

    Parameters
    ----------
    recording
        The audio file.
    base
        The folder of implicit projects; default :func:`projects_dir`.

    Returns
    -------
    pathlib.Path
        ``<base>/<stem>-<key>/review.jsonl`` (not created here).

    Raises
    ------
    OSError
        If the recording cannot be read.
    """
    from audioclass_gui.project.fingerprint import fingerprint

    path = Path(recording).expanduser().absolute()
    key = hashlib.sha1(usedforsecurity=False)
    key.update(os.fsencode(path))
    key.update(b"\0")
    key.update(fingerprint(path).encode())
    stem = _UNSAFE.sub("_", path.stem).strip("._")[:48] or "recording"
    folder = Path(base) if base is not None else projects_dir()
    return folder / f"{stem}-{key.hexdigest()[:16]}" / PROJECT_FILE


def find_implicit_project(
    recording: str | os.PathLike[str], *, base: str | os.PathLike[str] | None = None
) -> Path | None:
    """The project file of ``recording``'s review if one is kept, else None.

    Raises
    ------
    OSError
        If the recording cannot be read.
    """
    found = implicit_project_file(recording, base=base)
    return found if found.exists() else None


def open_implicit_project(
    recording: str | os.PathLike[str],
    *,
    base: str | os.PathLike[str] | None = None,
    **options: Any,
) -> ReviewProject:
    """Open (or start) the review of one recording.

    Reads the file's ends (for its key), then opens the project with
    :meth:`ReviewProject.create`, which reads the recording's header and
    any runs saved with it: call it off the GUI thread.

    Parameters
    ----------
    recording
        The audio file.
    base
        The folder of implicit projects; default :func:`projects_dir`.
    **options
        As for :meth:`ReviewProject.open` (``settings_dir``, ``reviewer``...).

    Raises
    ------
    OSError
        If the recording cannot be read or the folder cannot be made.
    JournalLockedError
        If the recording's review is open in another window or program.
    """
    path = Path(recording).expanduser().absolute()
    project_file = implicit_project_file(path, base=base)
    project_file.parent.mkdir(parents=True, exist_ok=True)
    from audioclass_gui.project.project import ReviewProject

    return ReviewProject.create(project_file, [path], **options)
