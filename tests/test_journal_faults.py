"""Never lose a verdict: a full disk, a failing fsync or a deleted state folder.

A failed append is taken back (the journal keeps exactly its old bytes, so
the next record is never glued onto a torn one) and raises
:class:`JournalWriteError`, which makes the session take the verdict back. A
journal whose file (or folder) was deleted while open is recreated from the
open file, and the user is told.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from audioclass_gui.project import STATE_DIR, ReviewProject
from audioclass_gui.review import Status, journal_files
from audioclass_gui.review import journal as journal_module
from audioclass_gui.review.journal import (
    Journal,
    JournalLockedError,
    JournalWriteError,
)
from tests.test_project_open import write_audio, write_model_run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

posix_only = pytest.mark.skipif(os.name != "posix", reason="flock, tmpfs: POSIX")


class FaultyOS:
    """Stands in for ``os`` inside the journal module and injects failures.

    Everything is the real ``os`` except, while a fault is armed:
    ``write`` (writes the first half of what it is given, then raises),
    ``fsync`` and ``ftruncate`` (raise without doing anything).

    Parameters
    ----------
    write, fsync, ftruncate
        The errno each call fails with, or None to let it work.
    """

    def __init__(
        self,
        *,
        write: int | None = None,
        fsync: int | None = None,
        ftruncate: int | None = None,
    ) -> None:
        self.faults = {"write": write, "fsync": fsync, "ftruncate": ftruncate}
        self.calls: dict[str, int] = {"write": 0, "fsync": 0, "ftruncate": 0}

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def _fail(self, name: str) -> None:
        self.calls[name] += 1
        code = self.faults[name]
        if code is not None:
            raise OSError(code, os.strerror(code))

    def write(self, fd: int, data: bytes | memoryview) -> int:
        if self.faults["write"] is not None:
            os.write(fd, bytes(data[: max(1, len(data) // 2)]))  # a torn record
        self._fail("write")
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        self._fail("fsync")
        os.fsync(fd)

    def ftruncate(self, fd: int, size: int) -> None:
        self._fail("ftruncate")
        os.ftruncate(fd, size)


def inject(monkeypatch: pytest.MonkeyPatch, **faults: int | None) -> FaultyOS:
    """Make the journal modules' ``os`` fail as ``faults`` say (undone by monkeypatch)."""
    faulty = FaultyOS(**faults)
    monkeypatch.setattr(journal_module, "os", faulty)
    monkeypatch.setattr(journal_files, "os", faulty)
    return faulty


def numbers(path: Path) -> list[int]:
    """The ``n`` of every record in a journal, read afresh (the file must be whole)."""
    journal, records = Journal.open(path, read_only=True)
    assert journal.problems == []
    return [r["n"] for r in records]


# ------------------------------------------------------- failed appends


def test_disk_full_mid_write_is_taken_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state" / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append_many([{"t": "v", "n": 1}, {"t": "v", "n": 2}])
    before = path.read_bytes()
    faulty = inject(monkeypatch, write=errno.ENOSPC)
    with pytest.raises(JournalWriteError) as caught:
        journal.append({"t": "v", "n": 3, "note": "x" * 500})
    error = caught.value
    assert isinstance(error, OSError) and error.errno == errno.ENOSPC
    message = str(error)
    assert str(path) in message and "NOT saved" in message and "full" in message
    free = shutil.disk_usage(tmp_path).free / 1e6
    reported = float(message.split(" MB free")[0].rsplit("(", 1)[1])
    assert reported == pytest.approx(free, rel=0.05, abs=1.0)
    assert faulty.calls["write"] == 1 and faulty.calls["ftruncate"] == 1
    assert path.read_bytes() == before  # the torn half is gone
    assert journal.records_written == 2

    monkeypatch.undo()
    journal.append({"t": "v", "n": 4})
    journal.close()
    assert numbers(path) == [1, 2, 4]


def test_quota_exceeded_is_a_full_disk_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(errno, "EDQUOT"):
        pytest.skip("no EDQUOT on this platform")
    path = tmp_path / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append({"t": "v", "n": 1})
    inject(monkeypatch, write=errno.EDQUOT)
    with pytest.raises(JournalWriteError, match=r"quota .* MB free .*NOT saved"):
        journal.append({"t": "v", "n": 2})
    monkeypatch.undo()
    journal.close()
    assert numbers(path) == [1]


def test_failing_fsync_is_taken_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append({"t": "v", "n": 1})
    before = path.read_bytes()
    faulty = inject(monkeypatch, fsync=errno.EIO)
    with pytest.raises(JournalWriteError) as caught:
        journal.append({"t": "v", "n": 2})
    assert caught.value.errno == errno.EIO
    message = str(caught.value)
    assert str(path) in message and "NOT saved" in message
    assert os.strerror(errno.EIO) in message and "MB free" not in message
    assert faulty.calls["ftruncate"] == 1
    assert path.read_bytes() == before  # the whole record was written, then cut
    # a non-durable append does not fsync, so it goes through
    journal.append({"t": "v", "n": 3}, durable=False)
    monkeypatch.undo()
    journal.append({"t": "v", "n": 4})
    journal.close()
    assert numbers(path) == [1, 3, 4]


def test_failed_rollback_is_said_and_repaired_by_the_next_append(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append({"t": "v", "n": 1})
    before = path.read_bytes()
    inject(monkeypatch, write=errno.ENOSPC, ftruncate=errno.EIO)
    with pytest.raises(JournalWriteError, match="NOT saved.*failed too") as caught:
        journal.append({"t": "v", "n": 2})
    assert os.strerror(errno.EIO) in str(caught.value)
    assert len(path.read_bytes()) > len(before)  # the torn half is still there
    monkeypatch.undo()
    journal.append({"t": "v", "n": 3})  # truncates the torn half first
    journal.close()
    assert path.read_bytes() == before + b'{"t":"v","n":3}\n'
    assert numbers(path) == [1, 3]


def test_torn_record_that_cannot_be_cut_is_ended_on_its_own_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append({"t": "v", "n": 1})
    faulty = inject(monkeypatch, write=errno.ENOSPC, ftruncate=errno.EIO)
    with pytest.raises(JournalWriteError):
        journal.append({"t": "v", "n": 2})
    faulty.faults["write"] = None  # space again, but truncating still fails
    journal.append({"t": "v", "n": 3})
    journal.append({"t": "v", "n": 4})
    monkeypatch.undo()
    journal.close()
    again, records = Journal.open(path)
    assert [r["n"] for r in records] == [1, 3, 4]
    assert len(again.problems) == 1 and "line 2: unreadable" in again.problems[0]
    again.close()


@posix_only
def test_real_full_disk_on_a_tiny_tmpfs(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        path = disk / "state" / "j.jsonl"
        journal, _ = Journal.open(path)
        journal.append({"t": "v", "n": 1})
        filler = disk / "filler"
        with open(filler, "wb", buffering=0) as handle:
            with pytest.raises(OSError) as full:
                while True:
                    handle.write(b"\0" * 4096)
        assert full.value.errno == errno.ENOSPC
        os.truncate(filler, max(0, filler.stat().st_size - 4096))  # one page free
        before = path.read_bytes()
        with pytest.raises(JournalWriteError) as caught:
            journal.append({"t": "v", "n": 2, "note": "x" * 12_000})  # > one page
        assert caught.value.errno == errno.ENOSPC
        message = str(caught.value)
        assert str(path) in message and "NOT saved" in message
        assert "MB free on that disk" in message
        assert path.read_bytes() == before
        filler.unlink()
        journal.append({"t": "v", "n": 3, "note": "x" * 12_000})
        journal.close()
        assert numbers(path) == [1, 3]
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# ------------------------------------------------- deleted or replaced file


@posix_only
def test_deleted_journal_is_recreated_from_the_open_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "deep" / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append_many([{"t": "v", "n": 1}, {"t": "v", "n": 2}])
    written = path.read_bytes()
    shutil.rmtree(tmp_path / "state")
    journal.append({"t": "v", "n": 3})
    assert path.read_bytes() == written + b'{"t":"v","n":3}\n'
    (warning,) = journal.take_warnings()
    assert str(path) in warning and "recreated" in warning
    assert journal.warnings == []
    with pytest.raises(JournalLockedError):  # the lock is on the new file
        Journal.open(path)
    for n in range(4, 200):
        journal.append({"t": "v", "n": n}, durable=False)
    assert journal.warnings == []  # recreated once, not on every append
    assert [p.name for p in path.parent.iterdir()] == ["j.jsonl"]  # no temp left
    journal.close()
    assert numbers(path) == list(range(1, 200))


@posix_only
def test_replaced_journal_keeps_the_other_file_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append({"t": "v", "n": 1})
    stranger = tmp_path / "old copy"
    stranger.write_bytes(b'{"t":"v","n":0}\n')
    os.replace(stranger, path)  # e.g. a backup restored over it
    journal.append({"t": "v", "n": 2})
    (warning,) = journal.take_warnings()
    assert "replaced" in warning and "kept as" in warning
    (kept,) = tmp_path.glob("j.jsonl.replaced-*")
    assert str(kept) in warning and kept.read_bytes() == b'{"t":"v","n":0}\n'
    journal.close()
    assert numbers(path) == [1, 2]


@posix_only
def test_replaced_by_a_journal_open_elsewhere_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append({"t": "v", "n": 1})
    path.unlink()
    other, _ = Journal.open(path)  # another program starts a new one there
    other.append({"t": "v", "n": 10})
    with pytest.raises(JournalWriteError, match="another window or program"):
        journal.append({"t": "v", "n": 2})
    other.close()
    journal.close()
    assert numbers(path) == [10]


@posix_only
def test_journal_that_cannot_be_recreated_raises(tmp_path: Path) -> None:
    path = tmp_path / "state" / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append({"t": "v", "n": 1})
    shutil.rmtree(tmp_path / "state")
    (tmp_path / "state").write_text("not a folder")
    with pytest.raises(JournalWriteError) as caught:
        journal.append({"t": "v", "n": 2})
    message = str(caught.value)
    assert str(path) in message and "could not be recreated" in message
    assert "NOT saved" in message and journal.warnings == []
    (tmp_path / "state").unlink()  # put right: the next append recreates it
    journal.append({"t": "v", "n": 3})
    assert len(journal.take_warnings()) == 1
    journal.close()
    assert numbers(path) == [1, 3]


# ----------------------------------------------------- through a project


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "deployment"
    audio = [write_audio(root / "site1" / "a.wav"), write_audio(root / "site2" / "b.wav")]
    write_model_run(root / "runs" / "birdnet.model_run.json", audio)
    return root


@pytest.fixture
def project(folder: Path, tmp_path: Path) -> Iterator[ReviewProject]:
    opened = ReviewProject.open(folder, settings_dir=tmp_path / "settings")
    opened.set_reviewer("Ana", remember=False)
    yield opened
    opened.close()


def saved_statuses(folder: Path, settings: Path) -> dict[tuple, Status]:
    """Every reviewed detection's status after reopening the project."""
    with ReviewProject.open(folder, settings_dir=settings) as again:
        assert not any("unreadable" in p or "cut off" in p for p in again.problems)
        s = again.session
        return {
            s.path_key(i): s.status(i)
            for i in s.query().tolist()
            if s.status(i) is not Status.UNREVIEWED
        }


def test_verdict_on_a_full_disk_is_not_shown_as_saved(
    project: ReviewProject,
    folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = project.session
    first, second = s.query().tolist()[:2]
    s.set_status([first], Status.REJECTED)
    changes: list[object] = []
    s.status_changed.connect(lambda *args: changes.append(args))
    inject(monkeypatch, write=errno.ENOSPC)
    with pytest.raises(JournalWriteError, match="NOT saved"):
        s.set_status([second], Status.ACCEPTED)
    assert s.status(second) is Status.UNREVIEWED and changes == []
    monkeypatch.undo()
    s.set_status([second], Status.ACCEPTED)
    assert s.status(second) is Status.ACCEPTED and len(changes) == 1
    want = {s.path_key(first): Status.REJECTED, s.path_key(second): Status.ACCEPTED}
    project.close()
    assert saved_statuses(folder, tmp_path / "settings") == want


@posix_only
def test_deleted_state_folder_is_recreated_with_every_verdict(
    project: ReviewProject, folder: Path, tmp_path: Path
) -> None:
    s = project.session
    order = s.query().tolist()
    s.set_status(order[:2], Status.ACCEPTED)
    project.select(order[2])
    assert project.problems == []
    shutil.rmtree(folder / STATE_DIR)
    s.set_status([order[2]], Status.REJECTED)
    assert project.journal_path.is_file()
    assert s.status(order[2]) is Status.REJECTED
    (warning,) = project.problems
    assert str(project.journal_path) in warning and "recreated" in warning
    s.set_status([order[3]], Status.UNCERTAIN)
    with open(project.journal_path, encoding="utf-8") as handle:
        kinds = [json.loads(line)["t"] for line in handle]
    assert kinds.count("v") == 3 and "sel" in kinds  # every verdict so far
    assert len(project.problems) == 1
    want = {s.path_key(i): s.status(i) for i in order[:4]}
    project.close()
    assert saved_statuses(folder, tmp_path / "settings") == want


@posix_only
def test_state_folder_that_cannot_be_recreated_refuses_the_verdict(
    project: ReviewProject, folder: Path, tmp_path: Path
) -> None:
    s = project.session
    first, second = s.query().tolist()[:2]
    s.set_status([first], Status.ACCEPTED)
    shutil.rmtree(folder / STATE_DIR)
    (folder / STATE_DIR).write_text("a file where the folder was")
    with pytest.raises(JournalWriteError) as caught:
        s.set_status([second], Status.REJECTED)
    assert str(project.journal_path) in str(caught.value)
    assert "NOT saved" in str(caught.value)
    assert s.status(second) is Status.UNREVIEWED
    assert s.status(first) is Status.ACCEPTED and project.problems == []
    (folder / STATE_DIR).unlink()  # put right: the next verdict recreates it
    s.set_status([second], Status.REJECTED)
    assert len(project.problems) == 1 and "recreated" in project.problems[0]
    want = {s.path_key(first): Status.ACCEPTED, s.path_key(second): Status.REJECTED}
    project.close()
    assert saved_statuses(folder, tmp_path / "settings") == want


def test_recreation_check_does_not_fire_on_a_healthy_journal(tmp_path: Path) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.jsonl"
    journal, _ = Journal.open(path)
    inode = path.stat().st_ino
    for n in range(500):
        journal.append({"t": "v", "n": n}, durable=False)
    assert journal.warnings == [] and path.stat().st_ino == inode
    journal.close()
    assert numbers(path) == list(range(500))
