"""What the app tells the user: passing status lines and problems."""

from __future__ import annotations

import sys
from pathlib import Path

from psygnal import Signal

__all__ = ["Messages", "file_problem"]


def file_problem(path: Path, exc: BaseException) -> str:
    """"<path>: <problem>" for a file a background task could not read or use.

    An ``OSError`` gives its plain reason ("No such file or directory");
    other errors keep their text, prefixed by the path unless it names it.
    """
    if isinstance(exc, OSError):
        return f"{path}: {exc.strerror or exc}"
    text = str(exc)
    return text if str(path) in text else f"{path}: {text}"


class Messages:
    """The app's voice: a status line that passes and problems that stay.

    Any part of the app says something here; the window decides how to show
    it (the status bar, a non-modal message box). Problems are also written
    to standard error, so a headless run or a crash report keeps them.

    Signals
    -------
    status(str, int)
        A passing message and how long to show it (ms; 0 until replaced).
    error(str, str)
        A problem for the user: a short title and the full message.
    """

    status = Signal(str, int)
    error = Signal(str, str)

    def say(self, text: str, ms: int = 0) -> None:
        """Show ``text`` in the status line for ``ms`` milliseconds (0: until replaced)."""
        self.status.emit(text, ms)

    def clear(self) -> None:
        """Take the passing message away."""
        self.status.emit("", 0)

    def report(self, title: str, message: str) -> None:
        """Tell the user about a problem (title and full message)."""
        print(f"audioclass-gui: {message}", file=sys.stderr)
        self.error.emit(title, message)
