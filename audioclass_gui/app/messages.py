"""What the app tells the user: passing status lines and problems."""

from __future__ import annotations

import sys

from psygnal import Signal

__all__ = ["Messages"]


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

    def report(self, title: str, message: str) -> None:
        """Tell the user about a problem (title and full message)."""
        print(f"audioclass-gui: {message}", file=sys.stderr)
        self.error.emit(title, message)
