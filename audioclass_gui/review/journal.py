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
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["Journal", "JournalLockedError"]

try:  # POSIX only
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class JournalLockedError(RuntimeError):
    """The journal is open for writing in another program."""


def _encode(record: dict[str, Any]) -> bytes:
    return (
        json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
    ).encode()


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
    """

    def __init__(self, path: Path, fd: int, durable: bool) -> None:
        self.path = path
        self._fd: int | None = fd
        self.durable = durable
        self.problems: list[str] = []
        self.records_written = 0
        self.read_only = False
        self._raw = b""

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
        p = Path(path)
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
            records = journal._read_and_repair()
        except BaseException:
            os.close(fd)
            raise
        if created:
            _fsync_dir(p.parent)
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
        """Append records with one write (and one fsync)."""
        if self._fd is None:
            raise ValueError(
                f"{self.path}: journal is {'read-only' if self.read_only else 'closed'}"
            )
        payload = b"".join(_encode(r) for r in records)
        if not payload:
            return
        _write_all(self._fd, payload)
        self.records_written += payload.count(b"\n")
        if self.durable if durable is None else durable:
            os.fsync(self._fd)

    def rewrite(self, records: Iterable[dict[str, Any]]) -> None:
        """Replace the whole journal with ``records`` (compaction), atomically."""
        if self._fd is None:
            raise ValueError(f"{self.path}: journal is closed")
        tmp = self.path.with_name(f".{self.path.name}.compact.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            for batch in _batches(records, 2000):
                _write_all(fd, b"".join(_encode(r) for r in batch))
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        os.close(fd)
        new_fd = os.open(tmp, os.O_RDWR | os.O_APPEND)
        if fcntl is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(new_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)
        old, self._fd = self._fd, new_fd
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


def _batches(
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
