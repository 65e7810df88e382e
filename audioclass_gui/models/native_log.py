"""Keeping the inference runtime's own log lines out of the user's terminal.

LiteRT writes ``INFO: Created TensorFlow Lite XNNPACK delegate for CPU.``
straight to the process's standard error (file descriptor 2, from C++) the
first time an interpreter allocates its tensors, ``-q`` or not, and once per
worker process in a batch run. :func:`runtime_info_hidden` catches what is
written to descriptor 2 meanwhile and passes on everything but such lines.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator

__all__ = ["runtime_info_hidden"]

#: Lines of the runtime that say nothing to the user.
_HIDDEN = ("INFO: Created TensorFlow Lite XNNPACK delegate",)


@contextlib.contextmanager
def runtime_info_hidden() -> Iterator[None]:
    """Run the block with the runtime's information lines dropped from stderr.

    Anything else written to standard error meanwhile (by any thread) is
    written out when the block ends. Does nothing where standard error has
    no file descriptor.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (AttributeError, OSError, ValueError):
        yield
        return
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            text = caught.read().decode(errors="replace")
            kept = [
                line for line in text.splitlines(keepends=True) if not line.startswith(_HIDDEN)
            ]
            if kept:
                os.write(2, "".join(kept).encode())
