"""Files under a journal: writing, reading, folders, errors and their messages.

The low-level pieces of :mod:`audioclass_gui.review.journal`: whole writes
and reads of a file descriptor, folders made durably, the error raised when
an append was taken back, and the words that tell the user why.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "DISK_FULL",
    "JournalLockedError",
    "JournalWriteError",
    "batches",
    "encode",
    "free_space",
    "fsync_dir",
    "identity",
    "keep_foreign",
    "make_folders",
    "read_all",
    "replace_file",
    "why",
    "write_all",
]

try:  # POSIX only
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class JournalLockedError(RuntimeError):
    """The journal is open for writing in another program."""


class JournalWriteError(OSError):
    """An append failed and was taken back: the change was not saved.

    ``str()`` of the error is a message for the user that names the journal
    file (and the free space on its disk when the disk is full).

    Parameters
    ----------
    message
        The message for the user.
    errno
        The ``errno`` of the failure underneath, if any.
    path
        The journal file.

    Attributes
    ----------
    errno : int or None
        As for any :class:`OSError` (e.g. ``errno.ENOSPC``).
    path : pathlib.Path or None
        The journal file.
    """

    def __init__(
        self, message: str, *, errno: int | None = None, path: Path | None = None
    ) -> None:
        super().__init__(message)
        self.errno = errno  # type: ignore[assignment]
        self.path = path


#: errno values meaning "no space left" (EDQUOT: the user's quota is used up).
DISK_FULL = {errno.ENOSPC} | (
    {errno.EDQUOT} if hasattr(errno, "EDQUOT") else set()
)


def encode(record: dict[str, Any]) -> bytes:
    return (
        json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
    ).encode()


def write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_all(fd: int) -> bytes:
    """The whole content of an open file, read without moving its offset."""
    size = os.fstat(fd).st_size
    chunks = []
    offset = 0
    while offset < size:
        count = min(size - offset, 1 << 24)
        if hasattr(os, "pread"):
            chunk = os.pread(fd, count, offset)
        else:  # pragma: no cover - Windows
            os.lseek(fd, offset, os.SEEK_SET)
            chunk = os.read(fd, count)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def make_folders(folder: Path) -> None:
    """Create ``folder`` and missing parents; fsync the folders that got new entries."""
    missing = []
    here = folder
    while not here.exists() and here.parent != here:
        missing.append(here)
        here = here.parent
    folder.mkdir(parents=True, exist_ok=True)
    for created in reversed(missing):
        fsync_dir(created.parent)


def why(exc: OSError) -> str:
    """An OSError's reason in words (without the file name)."""
    return exc.strerror or str(exc) or type(exc).__name__


def free_space(folder: Path) -> str:
    """``"12.3 MB free on that disk"``, or that it is unknown."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return "free space on that disk unknown"
    return f"{free / 1e6:.1f} MB free on that disk"


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def keep_foreign(path: Path, found: os.stat_result) -> Path:
    """Keep the other file found at ``path`` (a journal's place) beside it; where it went.

    Raises
    ------
    JournalWriteError
        If it is not a file, or another program has it open.
    """
    if not stat.S_ISREG(found.st_mode):
        raise JournalWriteError(
            f"{path}: the project's journal was replaced by something that "
            "is not a file, so it cannot be recreated: this change was NOT saved.",
            errno=errno.EEXIST,
            path=path,
        )
    if fcntl is not None:
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise JournalWriteError(
                f"{path}: the project's journal was replaced by one that "
                "another window or program has open: this change was NOT saved. "
                "Close the project here and reopen it.",
                errno=exc.errno,
                path=path,
            ) from exc
        finally:
            os.close(fd)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.name}.replaced-{stamp}")
    try:
        os.link(path, kept)
    except OSError:
        shutil.copy2(path, kept)
    fsync_dir(path.parent)
    return kept


def replace_file(
    path: Path, purpose: str, write: Callable[[int], None], *, strict_lock: bool
) -> int:
    """Put a new file at ``path`` atomically; returns it open for appending, locked.

    ``write(fd)`` fills a temporary file beside ``path`` (named after
    ``purpose``), which is fsynced, locked and renamed over ``path``; the
    folder is fsynced. Nothing changes at ``path`` if any step fails.
    ``strict_lock``: fail if the lock cannot be taken (else go on unlocked).
    """
    tmp = path.with_name(f".{path.name}.{purpose}.tmp")
    new_fd: int | None = None
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            write(fd)
            os.fsync(fd)
        finally:
            os.close(fd)
        new_fd = os.open(tmp, os.O_RDWR | os.O_APPEND)
        if fcntl is not None:
            try:
                fcntl.flock(new_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                if strict_lock:
                    raise
        os.replace(tmp, path)
    except BaseException:
        if new_fd is not None:
            os.close(new_fd)
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)
    return new_fd


def identity(found: os.stat_result) -> tuple[int, int]:
    return found.st_dev, found.st_ino


def batches(
    records: Iterable[dict[str, Any]], size: int
) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
