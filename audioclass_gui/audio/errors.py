"""Errors raised for recordings that cannot be read."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["AudioFileError"]


class AudioFileError(Exception):
    """A recording could not be opened or read.

    The message always names the file and the problem, so it can be shown to
    the user as it is.

    Parameters
    ----------
    path
        The file that could not be read.
    problem
        What is wrong with it, in words a user understands.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
