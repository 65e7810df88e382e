"""Many files written atomically at once, flushed to disk together.

:func:`~audioclass_gui.formats.atomic.atomic_write_text` makes one file
durable before it replaces the old one: a temporary file, ``fsync``, then
``os.replace``. An export of one table per recording writes thousands of
small files, and one ``fsync`` each (a journal commit each) costs more than
making their text. :class:`FileBatch` keeps the same promise for every file
(readers see the old file or the whole new one, never part of it) but
flushes all the temporary files to disk in one go before renaming any of
them (on Linux one ``syncfs`` per file system; elsewhere ``fsync`` calls
made in parallel), then renames them and syncs their folders.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import sys
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from audioclass_gui.formats.atomic import fsync_dir, fsync_file

__all__ = ["FileBatch", "file_batch"]

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
#: From this many files on, one ``syncfs`` flushes them (where there is one):
#: it also flushes whatever else waits to be written to that file system, so
#: a few files are flushed one by one instead.
SYNCFS_FROM = 16


@functools.cache
def _syncfs():
    """Linux's ``syncfs`` (one file system's data to disk), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


class FileBatch:
    """Files being written; each replaces its target when the batch commits.

    Use :func:`file_batch`. Text is written as UTF-8 bytes with the line
    ends given, except on a system whose line separator is not ``"\\n"``
    (Windows): there every ``"\\n"`` becomes that separator, as a file
    written in text mode would have it.
    """

    def __init__(self) -> None:
        self._files: list[tuple[str, str]] = []  # (temporary, target)
        self._open: list[BinaryIO] = []
        self._folders: set[str] = set()
        self._newline = os.linesep.encode() if os.linesep != "\n" else None
        self._token = uuid.uuid4().hex[:8]

    def _temporary(self, path: str | os.PathLike[str]) -> str:
        target = os.fspath(path)
        folder, name = os.path.split(target)
        if folder not in self._folders:
            Path(folder or ".").mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        stem, dot, suffix = name.rpartition(".")
        stem, suffix = (stem, dot + suffix) if stem else (name, "")
        # Unique: a random token per batch, a number per file (and O_EXCL).
        tmp = f".{stem}.{self._token}{len(self._files):x}.tmp{suffix}"
        self._files.append((os.path.join(folder, tmp), target))
        return self._files[-1][0]

    def _bytes(self, data: bytes | memoryview) -> bytes | memoryview:
        return data if self._newline is None else bytes(data).replace(b"\n", self._newline)

    def open(self, path: str | os.PathLike[str]) -> BinaryIO:
        """A new temporary file for ``path`` (folders are made); close it when done."""
        handle = open(self._temporary(path), "xb")  # closed by the caller or the batch
        self._open.append(handle)
        return handle

    def write(self, handle: BinaryIO, data: bytes | memoryview) -> None:
        """Write ``data`` to a file of this batch (line ends as the class says)."""
        handle.write(self._bytes(data))

    def write_file(
        self, path: str | os.PathLike[str], parts: Sequence[bytes | memoryview]
    ) -> None:
        """A whole file at once, from its parts."""
        fd = os.open(self._temporary(path), _CREATE, 0o666)
        try:
            for part in parts:
                view = memoryview(self._bytes(part))
                while view:
                    view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    def _close_all(self) -> None:
        for handle in self._open:
            handle.close()
        self._open = []

    def commit(self) -> None:
        """Flush every file to disk, then put each in place of its target.

        If that fails, the files not yet in place are removed (their
        targets stay as they were) and the error propagates.
        """
        placed = 0
        try:
            self._close_all()
            self._flush()
            for tmp, target in self._files:
                os.replace(tmp, target)
                placed += 1
        except BaseException:
            self._files = self._files[placed:]
            self.abort()
            raise
        self._sync_folders({os.path.dirname(target) for _tmp, target in self._files})
        self._files = []

    def _flush(self) -> None:
        # A file that replaces another keeps its permissions.
        existing = set()  # (folder, name) of files there now
        for folder in {os.path.dirname(target) for _tmp, target in self._files}:
            with contextlib.suppress(OSError), os.scandir(folder or ".") as entries:
                existing.update((folder, entry.name) for entry in entries)
        for tmp, target in self._files:
            if os.path.split(target) in existing:
                with contextlib.suppress(OSError):
                    os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        if len(self._files) >= SYNCFS_FROM and self._syncfs(self._folders):
            return
        temps = [tmp for tmp, _target in self._files]
        if len(temps) > 1:
            with ThreadPoolExecutor(min(16, len(temps))) as pool:
                list(pool.map(fsync_file, temps))
        elif temps:
            fsync_file(temps[0])

    @staticmethod
    def _syncfs(folders: set[str]) -> bool:
        """One ``syncfs`` per file system of ``folders``; False where there is none."""
        syncfs = _syncfs()
        if syncfs is None:
            return False
        devices: dict[int, str] = {}
        for folder in folders:
            devices.setdefault(os.stat(folder or ".").st_dev, folder or ".")
        for folder in devices.values():
            fd = os.open(folder, os.O_RDONLY)
            try:
                if syncfs(fd) != 0:
                    raise OSError(ctypes.get_errno(), "syncfs failed", folder)
            finally:
                os.close(fd)
        return True

    def _sync_folders(self, folders: set[str]) -> None:
        if len(self._files) >= SYNCFS_FROM and len(folders) > 1 and self._syncfs(folders):
            return
        for folder in folders:
            fsync_dir(folder or ".")

    def abort(self) -> None:
        """Remove the temporary files; the targets stay as they were."""
        with contextlib.suppress(OSError):
            self._close_all()
        for tmp, _target in self._files:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self._files = []


@contextlib.contextmanager
def file_batch() -> Iterator[FileBatch]:
    """A :class:`FileBatch` committed when the block ends, aborted if it raises.

    Examples
    --------
    >>> with file_batch() as batch:  # doctest: +SKIP
    ...     batch.write_file(folder / "a.txt", [b"one\\n"])
    ...     batch.write_file(folder / "b.txt", [b"two\\n"])
    """
    batch = FileBatch()
    try:
        yield batch
    except BaseException:
        batch.abort()
        raise
    batch.commit()
