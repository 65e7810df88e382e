"""Many files written atomically at once, flushed to disk before they appear.

:func:`~audioclass_gui.formats.atomic.atomic_write_text` makes one file
durable before it replaces the old one: a temporary file, ``fsync``, then
``os.replace``. An export of one table per recording writes thousands of
small files; :class:`FileBatch` keeps the same promise for every file
(readers see the old file or the whole new one, never part of it; nothing
appears before it is on disk) at a fraction of the cost:

* Files are written and flushed by threads: whole files
  (:meth:`FileBatch.write_file`, or many at once with
  :meth:`FileBatch.write_files`: one ``writev`` each, a task per few
  dozen files) by :data:`WRITERS` threads, each file
  ``fsync``-ed as soon as it is written (the file system commits many such
  flushes together), files written piece by piece (:meth:`FileBatch.open`)
  by one thread, in order. Waiting on the disk overlaps with the caller
  making the next block's text. (One ``syncfs`` for the lot was tried: it
  also waits for every other program's unwritten data, and took 2-4 times
  longer on a busy machine.)
* A batch given a ``root`` folder that does not exist yet (or is empty)
  writes the files below it into a hidden folder beside it and renames
  that folder into place at the end: one rename for the lot instead of one
  per file, and a reader sees no folder or the whole one.
* :meth:`FileBatch.flush_soon`, called between blocks, keeps at most two
  blocks' text in flight and starts the ``fsync`` of the files still open
  in the background.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

from audioclass_gui.formats.atomic import fsync_dir, fsync_file

__all__ = ["FileBatch", "Stream", "file_batch"]

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
#: Threads that create, write and flush whole files.
WRITERS = 8
#: Fewest files a task of :meth:`FileBatch.write_files` writes.
_FILES_PER_TASK = 16
#: Seconds an ``fsync`` takes at most, on average, for one thread to write a
#: block's files (a file system in memory: about 2 µs; a disk: milliseconds).
_QUICK_FSYNC = 0.0002
_WRITEV = hasattr(os, "writev")


def _iov_max() -> int:
    """Buffers one ``writev`` takes (POSIX promises 16; Linux and macOS take 1024)."""
    try:
        return max(1, os.sysconf("SC_IOV_MAX"))
    except (AttributeError, ValueError, OSError):
        return 16


_IOV_MAX = _iov_max()


def _is_empty_folder(path: str) -> bool:
    try:
        with os.scandir(path) as entries:
            return next(entries, None) is None
    except OSError:
        return False


class FileBatch:
    """Files being written; each replaces its target when the batch commits.

    Use :func:`file_batch`. Text is written as UTF-8 bytes with the line
    ends given, except on a system whose line separator is not ``"\\n"``
    (Windows): there every ``"\\n"`` becomes that separator, as a file
    written in text mode would have it.

    Parameters
    ----------
    root
        A folder all (or most) files go below. If it does not exist yet, or
        is empty, they are written into a hidden folder beside it that
        becomes ``root`` at the commit.
    """

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self._files: list[tuple[str, str]] = []  # (temporary, target), renamed one by one
        self._staged = 0  # files written below the staging folder
        self._open: list[Stream] = []  # still to close
        self._streams: list[Stream] = []  # every file opened
        self._folders: set[str] = set()
        self._newline = os.linesep.encode() if os.linesep != "\n" else None
        self._token = uuid.uuid4().hex[:8]
        self._lock = threading.Lock()
        self._fsyncs = (0.0, 0)  # seconds the files' fsync took, and how many files
        self._flusher: threading.Thread | None = None
        self._flush_error: BaseException | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._serial: ThreadPoolExecutor | None = None  # writes to open files, in order
        self._one: ThreadPoolExecutor | None = None  # whole files, where flushing is quick
        self._pending: list[Future] = []  # writes under way
        self._older = 0  # of those, how many were queued before the last flush_soon
        self._root: str | None = None
        self._stage: str | None = None
        if root is not None:
            target = os.path.abspath(os.fspath(root))
            if not os.path.lexists(target) or (
                os.path.isdir(target) and _is_empty_folder(target)
            ):
                parent, name = os.path.split(target)
                os.makedirs(parent, exist_ok=True)
                self._stage = os.path.join(parent, f".{name}.{self._token}.tmp")
                os.mkdir(self._stage)
                self._root = target
                self._folders.add(self._stage)
                self._prefix = target + os.sep

    def _staged_path(self, target: str) -> str | None:
        """Where ``target`` is written in the staging folder, if it goes there."""
        if self._stage is None:
            return None
        full = target if os.path.isabs(target) else os.path.abspath(target)
        return self._stage + full[len(self._root) :] if full.startswith(self._prefix) else None

    def _make_folder(self, folder: str) -> None:
        if folder not in self._folders:
            os.makedirs(folder or ".", exist_ok=True)
            self._folders.add(folder)

    def make_folders(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        """Make the folders of files to come now (before threads compete for the interpreter)."""
        for path in paths:
            target = os.fspath(path)
            self._make_folder(os.path.dirname(self._staged_path(target) or target))

    def _temporary(self, path: str | os.PathLike[str]) -> str:
        target = os.fspath(path)
        staged = self._staged_path(target)
        if staged is not None:
            self._make_folder(os.path.dirname(staged))
            self._staged += 1
            return staged
        folder, name = os.path.split(target)
        self._make_folder(folder)
        stem, dot, suffix = name.rpartition(".")
        stem, suffix = (stem, dot + suffix) if stem else (name, "")
        # Unique: a random token per batch, a number per file (and O_EXCL).
        tmp = f".{stem}.{self._token}{len(self._files):x}.tmp{suffix}"
        self._files.append((os.path.join(folder, tmp), target))
        return self._files[-1][0]

    def _bytes(self, data: bytes | memoryview) -> bytes | memoryview:
        return data if self._newline is None else bytes(data).replace(b"\n", self._newline)

    def open(self, path: str | os.PathLike[str]) -> Stream:
        """A new temporary file for ``path`` (folders are made); close it when done.

        Write to it with :meth:`write` (or its own ``write``): a thread writes
        the pieces in order, so keep them unchanged; closing it waits for them.
        """
        handle = Stream(self, open(self._temporary(path), "xb"))
        self._open.append(handle)
        self._streams.append(handle)
        return handle

    def write(self, handle: Stream, data: bytes | memoryview) -> None:
        """Write ``data`` to a file of this batch (line ends as the class says).

        An error surfaces at the next :meth:`flush_soon`, at the file's
        closing or at the commit.
        """
        if self._serial is None:
            self._serial = ThreadPoolExecutor(1, thread_name_prefix="file-batch-stream")
        self._pending.append(self._serial.submit(handle.raw.write, self._bytes(data)))

    def write_file(
        self, path: str | os.PathLike[str], parts: Sequence[bytes | memoryview]
    ) -> None:
        """A whole file at once, from its parts (written by a thread: keep them unchanged).

        An error surfaces at the next :meth:`flush_soon` or at the commit.
        """
        tmp = self._temporary(path)
        self._pending.append(self._writers().submit(self._write_whole, tmp, parts))

    def write_files(
        self, files: Sequence[tuple[str | os.PathLike[str], Sequence[bytes | memoryview]]]
    ) -> None:
        """Many whole files, each from its parts, written by writer threads in a few tasks.

        As :meth:`write_file` for each, at less cost a file: the one table
        per recording of an export hands over a block's files at once.
        Where flushing a file takes the disk a while, the files are shared
        among the :data:`WRITERS` threads, whose flushes the file system
        commits together; where it is quick (a file system in memory), one
        thread writes them, sparing the threads' turns at the interpreter.
        """
        jobs = [(self._temporary(path), parts) for path, parts in files]
        if jobs and not self._fsyncs[1]:  # the first file tells how quick flushing is
            self._write_many(jobs[:1])
            jobs = jobs[1:]
        if self._quick():
            if jobs:
                self._pending.append(self._writers(1).submit(self._write_many, jobs))
            return
        step = max(_FILES_PER_TASK, -(-len(jobs) // WRITERS))
        for at in range(0, len(jobs), step):
            self._pending.append(self._writers().submit(self._write_many, jobs[at : at + step]))

    def _quick(self) -> bool:
        """Whether files written so far were flushed quickly (false before any was)."""
        seconds, flushed = self._fsyncs
        return flushed > 0 and seconds < _QUICK_FSYNC * flushed

    def _write_many(self, jobs: list[tuple[str, Sequence[bytes | memoryview]]]) -> None:
        flushing = 0.0
        for tmp, parts in jobs:
            flushing += self._write_whole(tmp, parts)
        with self._lock:
            seconds, flushed = self._fsyncs
            self._fsyncs = (seconds + flushing, flushed + len(jobs))

    def write_with(
        self, path: str | os.PathLike[str], write: Callable[[str], object]
    ) -> None:
        """A whole file made by ``write(temporary path)`` in a writer thread, then flushed.

        For writers that want a path of their own (soundfile writing an
        audio clip); ``write`` creates the file. Its bytes are written as
        they are (no line-end change). An error surfaces as for
        :meth:`write_file`.
        """
        tmp = self._temporary(path)
        self._pending.append(self._writers().submit(self._write_by, tmp, write))

    @staticmethod
    def _write_by(tmp: str, write: Callable[[str], object]) -> None:
        write(tmp)
        fsync_file(tmp)

    def _writers(self, threads: int = WRITERS) -> ThreadPoolExecutor:
        if threads == 1:  # one thread of its own, in turn
            if self._one is None:
                self._one = ThreadPoolExecutor(1, thread_name_prefix="file-batch-one")
            return self._one
        if self._pool is None:
            self._pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="file-batch")
        return self._pool

    def _write_whole(self, tmp: str, parts: Sequence[bytes | memoryview]) -> float:
        """Write and flush one file; returns the seconds its ``fsync`` took."""
        fd = os.open(tmp, _CREATE, 0o666)
        try:
            if self._newline is not None:
                parts = [self._bytes(part) for part in parts]
            # One call for all parts; what a short write left, piece by piece.
            done = os.writev(fd, parts) if _WRITEV and 0 < len(parts) <= _IOV_MAX else 0
            for part in parts:
                view = memoryview(part)
                skip = min(done, view.nbytes)
                done -= skip
                view = view.cast("B")[skip:]
                while view:
                    view = view[os.write(fd, view) :]
            start = time.perf_counter()
            os.fsync(fd)
            return time.perf_counter() - start
        finally:
            os.close(fd)

    def _wait_pending(self, keep: int = 0) -> None:
        """Wait for all writes but the last ``keep``; raise the first error."""
        done, self._pending = self._pending[: len(self._pending) - keep], self._pending[
            len(self._pending) - keep :
        ]
        for future in done:
            future.result()

    def flush_soon(self) -> None:
        """Call between blocks: bound the writes in flight, start flushing open files.

        Waits for the writes queued before the previous call (so the text of
        at most two blocks is held), raising the first error among them, and
        starts an ``fsync`` of each file still open in the background
        (unless one still runs); the commit waits for it, and its error is
        the commit's.
        """
        # The files of the block before the last are written: their text may go.
        self._wait_pending(keep=len(self._pending) - self._older)
        self._older = len(self._pending)
        if self._flusher is not None and self._flusher.is_alive():
            return
        # The files still open (one large table, say): fsync what they hold.
        streams = [h for h in self._open if not h.closed]
        if not streams:
            return
        if self._serial is None:
            self._serial = ThreadPoolExecutor(1, thread_name_prefix="file-batch-stream")
        # In order after the pieces queued; closing a file waits for it.
        flushed = self._serial.submit(lambda: [h.raw.flush() for h in streams if not h.closed])
        self._pending.append(flushed)
        fds = [os.dup(h.raw.fileno()) for h in streams]  # the caller may close its own

        def flush() -> None:
            try:
                flushed.result()
                for fd in fds:
                    os.fsync(fd)
            finally:
                for fd in fds:
                    os.close(fd)

        def run() -> None:
            try:
                flush()
            except BaseException as exc:  # reported by the commit
                self._flush_error = exc

        self._flusher = threading.Thread(target=run, name="file-batch-flush", daemon=True)
        self._flusher.start()

    def _wait_flusher(self) -> None:
        if self._flusher is not None:
            self._flusher.join()
            self._flusher = None

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
            self._wait_pending()
            self._shutdown_pool()
            self._wait_flusher()
            if self._flush_error is not None:
                raise self._flush_error
            self._flush()
            self._place_stage()
            for tmp, target in self._files:
                os.replace(tmp, target)
                placed += 1
        except BaseException:
            self._files = self._files[placed:]
            self.abort()
            raise
        folders = {os.path.dirname(target) for _tmp, target in self._files}
        if self._root is not None:
            folders.add(os.path.dirname(self._root))
        self._sync_folders(folders)
        self._files = []

    def _place_stage(self) -> None:
        """The staging folder becomes ``root`` (which is still missing, or empty)."""
        if self._stage is None:
            return
        try:
            os.replace(self._stage, self._root)  # POSIX: also over an empty folder
        except OSError:
            if not (os.path.isdir(self._root) and _is_empty_folder(self._root)):
                raise
            os.rmdir(self._root)  # Windows: os.replace does not replace folders
            os.rename(self._stage, self._root)
        self._stage = None

    def _flush(self) -> None:
        """Everything on disk before anything is renamed: the files still unflushed, the staged folders."""
        # A file that replaces another keeps its permissions.
        existing = set()  # (folder, name) of files there now
        for folder in {os.path.dirname(target) for _tmp, target in self._files}:
            with contextlib.suppress(OSError), os.scandir(folder or ".") as entries:
                existing.update((folder, entry.name) for entry in entries)
        for tmp, target in self._files:
            if os.path.split(target) in existing:
                with contextlib.suppress(OSError):
                    os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        # Whole files were flushed by their writer; those written piece by
        # piece are not; nor are the staged folders' entries. All at once.
        flushes = [(fsync_file, h.raw.name) for h in self._streams]
        if self._stage is not None:
            flushes += [(fsync_dir, folder) for folder, _d, _n in os.walk(self._stage)]
        if len(flushes) > 1 and not self._quick():
            with ThreadPoolExecutor(min(WRITERS, len(flushes))) as pool:
                list(pool.map(lambda flush: flush[0](flush[1]), flushes))
        else:
            for flush, path in flushes:
                flush(path)

    def _sync_folders(self, folders: set[str]) -> None:
        for folder in folders:
            fsync_dir(folder or ".")

    def _shutdown_pool(self) -> None:
        for pool in (self._pool, self._one, self._serial):
            if pool is not None:
                pool.shutdown(wait=True)
        self._pool = self._one = self._serial = None

    def abort(self) -> None:
        """Remove the temporary files; the targets stay as they were."""
        self._shutdown_pool()  # let the writes under way end, then remove them
        self._pending = []
        with contextlib.suppress(OSError):
            self._close_all()
        with contextlib.suppress(Exception):
            self._wait_flusher()
        for tmp, _target in self._files:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self._files = []
        if self._stage is not None:
            shutil.rmtree(self._stage, ignore_errors=True)
            self._stage = None


class Stream:
    """A file of a :class:`FileBatch` written piece by piece (see :meth:`FileBatch.open`)."""

    def __init__(self, batch: FileBatch, raw: BinaryIO) -> None:
        self.batch, self.raw = batch, raw

    @property
    def closed(self) -> bool:
        return self.raw.closed

    def write(self, data: bytes | memoryview) -> None:
        """Queue ``data`` (see :meth:`FileBatch.write`)."""
        self.batch.write(self, data)

    def close(self) -> None:
        """Wait for the pieces queued (raising the first error), then close."""
        if self.raw.closed:
            return
        try:
            self.batch._wait_pending()
        finally:
            self.raw.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def file_batch(root: str | os.PathLike[str] | None = None) -> Iterator[FileBatch]:
    """A :class:`FileBatch` committed when the block ends, aborted if it raises.

    Parameters
    ----------
    root
        The folder the files go below, if any (see :class:`FileBatch`).

    Examples
    --------
    >>> with file_batch() as batch:  # doctest: +SKIP
    ...     batch.write_file(folder / "a.txt", [b"one\\n"])
    ...     batch.write_file(folder / "b.txt", [b"two\\n"])
    """
    batch = FileBatch(root)
    try:
        yield batch
    except BaseException:
        batch.abort()
        raise
    batch.commit()
