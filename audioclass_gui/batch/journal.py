"""The resume journal: which recordings a batch run has finished.

A recording counts as finished only when every output file of it has been
moved into place atomically *and* a line saying so has been appended to
the journal (and flushed to disk). A run that is killed at any moment thus
leaves either a finished recording (complete files and a journal line) or
one that the next run redoes: a half-written output never exists, and an
output written just before the kill without its journal line is simply
written again.

The journal is a JSON-lines file beside the outputs
(``<out>/.audioclass-gui-predict.jsonl``, or ``.<name>.predict.jsonl``
beside a single output file). Each line records the recording's path,
size and modification time, the fingerprint of the model and settings, and
the outputs. A later run skips a recording only if all of these still
match and all its outputs exist; change the model, the threshold or any
other setting that changes results, or touch the recording, and it is
redone. A truncated last line (a kill during the append) is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from audioclass_gui.batch.plan import Job

__all__ = ["JOURNAL_NAME", "Journal", "JournalLockedError", "fingerprint"]

#: File name of the journal in an output folder.
JOURNAL_NAME = ".audioclass-gui-predict.jsonl"


class JournalLockedError(RuntimeError):
    """Another run is writing to the same outputs."""


def fingerprint(description: Mapping[str, Any]) -> str:
    """A short stable hash of a JSON-able description of how results are made."""
    text = json.dumps(description, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


class Journal:
    """Append-only record of finished recordings.

    Parameters
    ----------
    path
        The journal file; created (with its folder) on the first record.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._entries: dict[str, dict[str, Any]] = {}
        self._handle: TextIO | None = None
        self.load()

    @classmethod
    def for_output(cls, output: Path, *, single_file: bool) -> Journal:
        """The journal of an output folder, or of a single output file."""
        if single_file:
            return cls(output.with_name(f".{output.name}.predict.jsonl"))
        return cls(output / JOURNAL_NAME)

    def load(self) -> dict[str, dict[str, Any]]:
        """Read the journal again; returns ``{job key: last entry}``."""
        self._entries = {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return self._entries
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a kill
            if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                self._entries[entry["key"]] = entry
        return self._entries

    @property
    def entries(self) -> dict[str, dict[str, Any]]:
        """``{job key: last entry}`` as loaded."""
        return self._entries

    def is_finished(self, job: Job, fingerprint: str) -> bool:
        """Whether ``job`` was finished with the same recording, settings and outputs."""
        entry = self._entries.get(job.key)
        if entry is None or entry.get("fingerprint") != fingerprint:
            return False
        try:
            size, mtime = _stat(job.path)
        except OSError:
            return False
        if (
            entry.get("source") != str(job.path)
            or entry.get("size") != size
            or entry.get("mtime_ns") != mtime
        ):
            return False
        wanted = [str(p) for p in job.outputs.all()]
        return entry.get("outputs") == wanted and all(
            p.is_file() for p in job.outputs.all()
        )

    @contextlib.contextmanager
    def open(self) -> Iterator[Journal]:
        """Hold the journal open for appending, locked against other runs.

        Raises
        ------
        JournalLockedError
            If another process holds the lock (POSIX only).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a", encoding="utf-8")
        try:
            try:
                import fcntl
            except ImportError:  # Windows: no advisory locks; run one at a time
                fcntl = None
            if fcntl is not None:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    raise JournalLockedError(
                        f"{self.path}: another 'audioclass-gui predict' run is writing to these outputs"
                    ) from None
            self._handle = handle
            yield self
        finally:
            self._handle = None
            handle.close()

    def record(self, job: Job, fingerprint: str, **details: Any) -> None:
        """Append that ``job`` is finished; call only once its outputs are in place.

        The line is flushed and fsynced before this returns.
        """
        if self._handle is None:
            raise RuntimeError("open the journal (Journal.open) before recording")
        size, mtime = _stat(job.path)
        entry = {
            "key": job.key,
            "source": str(job.path),
            "size": size,
            "mtime_ns": mtime,
            "fingerprint": fingerprint,
            "outputs": [str(p) for p in job.outputs.all()],
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **details,
        }
        self._handle.write(json.dumps(entry, default=str) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._entries[job.key] = entry
