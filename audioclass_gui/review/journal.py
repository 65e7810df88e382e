"""An append-only journal of JSON records, durable record by record.

Each record is one line of compact JSON, written with a single ``write`` on
a file opened for appending and then ``fsync``-ed, so once :meth:`Journal.append`
returns the record survives a crash of the program (SIGKILL) and of the
machine. A record torn by a crash in the middle of a write is the file's
last, incomplete line: :meth:`Journal.open` drops it (and truncates the file
back to the last whole record) before appending anything new.

A journal can be compacted (:meth:`Journal.rewrite`): the new content goes to
a temporary file, is fsynced and then renamed over the journal, so a crash
during compaction leaves the old journal intact.

On POSIX systems the journal is locked (``flock``) while open, so a second
program cannot write the same project at the same time.

An append that fails (a full disk, an I/O error) is taken back: the file is
truncated to its size before the append and :class:`JournalWriteError` says
that the change was not saved, so a torn record can never have the next one
glued onto it. Before each append the journal checks (one ``stat``) that its
path still names the open file; if the file was deleted (its folder removed,
its disk unmounted) or replaced, it is recreated from the still-open file and
the append goes there, with a message for the user in
:attr:`Journal.warnings`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from audioclass_gui.review.journal_files import (
    DISK_FULL,
    JournalLockedError,
    JournalWriteError,
    batches,
    encode,
    fcntl,
    free_space,
    fsync_dir,
    identity,
    keep_foreign,
    make_folders,
    read_all,
    replace_file,
    why,
    write_all,
)

__all__ = ["Journal", "JournalLockedError", "JournalWriteError"]

try:  # POSIX only
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class Journal:
    """An open, locked, append-only journal file.

    Use :meth:`open`; it returns the journal and the records already in it.

    Attributes
    ----------
    path : pathlib.Path
        The journal file.
    problems : list of str
        What was wrong with the file when it was opened (a torn last record,
        unreadable lines), in words, for the user.
    durable : bool
        Whether :meth:`append` fsyncs (True unless asked otherwise).
    warnings : list of str
        What happened to the file while it was open (it was deleted and has
        been recreated...), in words, for the user; see :meth:`take_warnings`.
    """

    def __init__(self, path: Path, fd: int, durable: bool) -> None:
        self.path = path
        self._fd: int | None = fd
        self.durable = durable
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.records_written = 0
        self.read_only = False
        self._raw = b""
        #: (st_dev, st_ino) of the open file, to tell whether ``path`` still names it.
        self._identity: tuple[int, int] | None = None
        #: Size to truncate back to before the next append (a failed rollback).
        self._torn_from: int | None = None

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        durable: bool = True,
        read_only: bool = False,
    ) -> tuple[Journal, list[dict[str, Any]]]:
        """Open (or create) a journal and read its records.

        Parameters
        ----------
        path
            The journal file; missing parent folders are created.
        durable
            fsync after every append (default). Turn off only in tests of
            something else.
        read_only
            Only read: no lock, no repair of a torn last record (it is
            skipped), and appends raise. For looking at a project another
            program may have open.

        Returns
        -------
        (Journal, list of dict)
            The journal, ready to append to, and its records in order.

        Raises
        ------
        JournalLockedError
            If another program holds the journal open.
        OSError
            If the file cannot be created or read.
        """
        p = Path(path).absolute()  # the cwd may change while it is open
        if read_only:
            journal = cls(p, -1, durable)
            journal._fd = None
            journal.read_only = True
            journal._raw = p.read_bytes()
            return journal, journal._parse(repair=False)
        p.parent.mkdir(parents=True, exist_ok=True)
        created = not p.exists()
        fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    raise JournalLockedError(
                        f"{p}: this review is open in another window or program"
                    ) from exc
            journal = cls(p, fd, durable)
            journal._identity = identity(os.fstat(fd))
            records = journal._read_and_repair()
        except BaseException:
            os.close(fd)
            raise
        if created:
            fsync_dir(p.parent)
        return journal, records

    def _read_and_repair(self) -> list[dict[str, Any]]:
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        os.lseek(self._fd, 0, os.SEEK_SET)
        chunks = []
        remaining = size
        while remaining > 0:
            chunk = os.read(self._fd, min(remaining, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        self._raw = b"".join(chunks)
        return self._parse(repair=True)

    def _parse(self, *, repair: bool) -> list[dict[str, Any]]:
        raw, self._raw = self._raw, b""
        records: list[dict[str, Any]] = []
        end_of_whole = raw.rfind(b"\n") + 1
        if end_of_whole < len(raw):
            self.problems.append(
                f"{self.path}: the last change was cut off by a crash while it was "
                f"being saved ({len(raw) - end_of_whole} bytes); it was dropped"
            )
            if repair and self._fd is not None:
                os.ftruncate(self._fd, end_of_whole)
                os.fsync(self._fd)
        for number, line in enumerate(raw[:end_of_whole].split(b"\n")[:-1], start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                self.problems.append(
                    f"{self.path}, line {number}: unreadable record skipped"
                )
                continue
            if isinstance(record, dict):
                records.append(record)
            else:
                self.problems.append(
                    f"{self.path}, line {number}: not a record, skipped"
                )
        return records

    def append(self, record: dict[str, Any], *, durable: bool | None = None) -> None:
        """Append one record; when durable, it is on disk when this returns.

        Parameters
        ----------
        record
            A JSON-serialisable dict.
        durable
            Override :attr:`durable` for this record (e.g. False for the
            reviewer's current position, which need not cost an fsync: it
            still survives a killed program, and the next verdict's fsync
            takes it to disk).
        """
        self.append_many([record], durable=durable)

    def append_many(
        self, records: Iterable[dict[str, Any]], *, durable: bool | None = None
    ) -> None:
        """Append records with one write (and one fsync).

        Raises
        ------
        JournalWriteError
            If the write or the fsync failed (the file is then truncated back
            to what it was: none of ``records`` is saved), or if the file was
            deleted and could not be recreated.
        ValueError
            If the journal is closed or read-only.
        """
        if self._fd is None:
            raise ValueError(
                f"{self.path}: journal is {'read-only' if self.read_only else 'closed'}"
            )
        payload = b"".join(encode(r) for r in records)
        if not payload:
            return
        count = payload.count(b"\n")
        start = self._checked_size()
        fd = self._fd
        if self._torn_from is not None:
            try:
                if start > self._torn_from:
                    os.ftruncate(fd, self._torn_from)
                    os.fsync(fd)
                    start = self._torn_from
            except OSError:  # still cannot: end the torn record on its own line
                payload = b"\n" + payload
        try:
            write_all(fd, payload)
            if self.durable if durable is None else durable:
                os.fsync(fd)
        except BaseException as exc:
            error = self._roll_back(fd, start, exc)
            if error is None:
                raise
            raise error from exc
        self._torn_from = None
        self.records_written += count

    def take_warnings(self) -> list[str]:
        """Return :attr:`warnings` and clear them."""
        taken, self.warnings = self.warnings, []
        return taken

    def _roll_back(
        self, fd: int, size: int, exc: BaseException
    ) -> JournalWriteError | None:
        """Truncate back to ``size`` after a failed append; the error to raise."""
        rollback: OSError | None = None
        try:
            os.ftruncate(fd, size)
            os.fsync(fd)
        except OSError as failed:
            rollback = failed
            if self._torn_from is None or size < self._torn_from:
                self._torn_from = size
        if not isinstance(exc, OSError):
            return None
        if exc.errno in DISK_FULL:
            full = "full" if exc.errno == errno.ENOSPC else "over its quota"
            message = (
                f"{self.path}: the disk is {full} ({free_space(self.path.parent)}): "
                "this change was NOT saved. Free some space, then make it again."
            )
        else:
            message = (
                f"{self.path}: the review journal could not be written "
                f"({why(exc)}): this change was NOT saved."
            )
        if rollback is not None:
            message += (
                f" Taking back the partly written change failed too "
                f"({why(rollback)}): the next change starts on a new line, and the "
                "torn one is skipped when the project is next opened."
            )
        return JournalWriteError(message, errno=exc.errno, path=self.path)

    def _checked_size(self) -> int:
        """The open file's size, after making sure :attr:`path` still names it.

        One ``stat`` of the path; if it no longer names the open file (the
        file or its folder was deleted, its disk unmounted, another file put
        in its place), the file is recreated there from the open one.
        """
        try:
            found = os.stat(self.path)
        except OSError as exc:
            return self._recreate(None, exc)
        if (found.st_dev, found.st_ino) == self._identity:
            return found.st_size
        return self._recreate(found, None)

    def _recreate(self, found: os.stat_result | None, error: OSError | None) -> int:
        """Write the open file's content to :attr:`path` again and switch to it.

        Returns
        -------
        int
            The size of the new file.

        Raises
        ------
        JournalWriteError
            If it cannot be recreated.
        """
        if found is None:
            what = "was deleted (or its disk was unmounted)"
            if error is not None and not isinstance(
                error, FileNotFoundError | NotADirectoryError
            ):
                what = f"cannot be reached ({why(error)})"
        else:
            what = "was replaced by another file"
        try:
            size, kept = self._write_again(found)
        except JournalWriteError:
            raise
        except OSError as exc:
            reason = why(exc)
            if exc.errno in DISK_FULL:
                reason += f", {free_space(self.path.parent)}"
            raise JournalWriteError(
                f"{self.path}: the project's journal {what} while the project was "
                f"open, and it could not be recreated ({reason}): this change was "
                "NOT saved. Check that the project's folder and its disk are there "
                "and writable, then make the change again.",
                errno=exc.errno,
                path=self.path,
            ) from exc
        message = (
            f"{self.path}: the project's journal {what} while the project was "
            "open; it was recreated from the open project, with every change "
            "made so far."
        )
        if kept is not None:
            message += f" The file found in its place was kept as {kept}."
        self.warnings.append(message)
        return size

    def _write_again(self, found: os.stat_result | None) -> tuple[int, Path | None]:
        """Recreate :attr:`path` atomically; (new size, where a foreign file was kept)."""
        assert self._fd is not None
        content = read_all(self._fd)
        kept = None
        if found is not None:
            kept = keep_foreign(self.path, found)
        else:
            make_folders(self.path.parent)
        self._switch_to(
            replace_file(self.path, "recreate", lambda fd: write_all(fd, content), strict_lock=True)
        )
        return len(content), kept

    def rewrite(self, records: Iterable[dict[str, Any]]) -> None:
        """Replace the whole journal with ``records`` (compaction), atomically."""
        if self._fd is None:
            raise ValueError(f"{self.path}: journal is closed")

        def write(fd: int) -> None:
            for batch in batches(records, 2000):
                write_all(fd, b"".join(encode(r) for r in batch))

        self._switch_to(replace_file(self.path, "compact", write, strict_lock=False))
        self._torn_from = None

    def _switch_to(self, new_fd: int) -> None:
        """Append to ``new_fd`` (the file now at :attr:`path`) from now on."""
        old, self._fd = self._fd, new_fd
        self._identity = identity(os.fstat(new_fd))
        if old is not None:
            with contextlib.suppress(OSError):  # e.g. EIO from a disk that is gone
                os.close(old)

    def close(self) -> None:
        """Close (and unlock) the journal; later appends raise."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._fd is None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
