"""Read the small text files users give the models (species lists, label files)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["read_user_text"]


def read_user_text(path: str | os.PathLike[str], what: str) -> str:
    """Return a UTF-8 text file's contents (a BOM is dropped).

    Parameters
    ----------
    path
        The file.
    what
        What the file is, in the user's words ("species list", "label file"),
        for the error message.

    Raises
    ------
    ValueError
        If the file cannot be read or is not UTF-8 text; the message names
        the file and the problem.
    """
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{p}: not a UTF-8 text file ({exc.reason})") from exc
    except OSError as exc:
        raise ValueError(f"{p}: cannot read the {what} ({exc.strerror or exc})") from exc
