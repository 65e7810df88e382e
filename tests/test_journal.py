"""The append-only journal: records survive, torn tails are dropped, compaction is atomic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audioclass_gui.review.journal import Journal, JournalLockedError


def test_append_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "state" / "j.jsonl"
    journal, records = Journal.open(path)
    assert records == [] and path.exists()
    journal.append({"t": "v", "n": 1, "text": "Ünïcode\nnewline"})
    journal.append_many([{"t": "v", "n": 2}, {"t": "v", "n": 3}])
    journal.append({"t": "sel"}, durable=False)
    assert journal.records_written == 4
    journal.close()
    assert path.read_text(encoding="utf-8").count("\n") == 4  # one line per record
    again, records = Journal.open(path)
    assert [r.get("n") for r in records] == [1, 2, 3, None]
    assert records[0]["text"] == "Ünïcode\nnewline"
    assert again.problems == []
    again.close()
    with pytest.raises(ValueError, match="closed"):
        again.append({"t": "x"})


def test_torn_last_record_is_dropped_and_truncated(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append({"t": "v", "n": 1})
    journal.close()
    with open(path, "ab") as handle:  # a crash in the middle of a write
        handle.write(b'{"t":"v","n":2,"ite')
    journal, records = Journal.open(path)
    assert records == [{"t": "v", "n": 1}]
    assert "cut off" in journal.problems[0] and str(path) in journal.problems[0]
    journal.append({"t": "v", "n": 3})  # appends after the last whole record
    journal.close()
    assert [json.loads(line)["n"] for line in path.read_text().splitlines()] == [1, 3]


def test_unreadable_line_is_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(b'{"t":"a"}\nnot json at all\n[1,2]\n{"t":"b"}\n')
    journal, records = Journal.open(path)
    assert [r["t"] for r in records] == ["a", "b"]
    assert any("line 2" in p for p in journal.problems) and any(
        "line 3" in p for p in journal.problems
    )
    journal.close()


def test_rewrite_replaces_atomically_and_keeps_appending(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal, _ = Journal.open(path)
    for n in range(100):
        journal.append({"t": "v", "n": n})
    journal.rewrite(iter([{"t": "snapshot", "n": 99}]))
    journal.append({"t": "v", "n": 100})
    journal.close()
    assert [json.loads(x)["n"] for x in path.read_text().splitlines()] == [99, 100]
    assert sorted(os.listdir(tmp_path)) == ["j.jsonl"]  # no temporary file left


def test_failed_rewrite_keeps_the_old_journal(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append({"t": "v", "n": 1})

    def broken():
        yield {"t": "snapshot"}
        raise RuntimeError("out of memory")

    with pytest.raises(RuntimeError):
        journal.rewrite(broken())
    journal.append({"t": "v", "n": 2})
    journal.close()
    assert [json.loads(x)["n"] for x in path.read_text().splitlines()] == [1, 2]
    assert sorted(os.listdir(tmp_path)) == ["j.jsonl"]


@pytest.mark.skipif(os.name != "posix", reason="flock is POSIX")
def test_a_second_program_cannot_open_it_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal, _ = Journal.open(path)
    journal.append({"t": "v"})
    code = (
        "import sys\nfrom audioclass_gui.review.journal import Journal, JournalLockedError\n"
        f"try:\n    Journal.open({str(path)!r})\nexcept JournalLockedError as e:\n"
        "    print('LOCKED', e); sys.exit(3)\n"
        f"j, r = Journal.open({str(path)!r}, read_only=True)\nprint(len(r))\n"
    )
    locked = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert locked.returncode == 3 and "open in another window" in locked.stdout
    journal.close()
    free = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert free.returncode == 0 and free.stdout.strip() == "1"
    with pytest.raises(JournalLockedError):
        j2, _ = Journal.open(path)
        try:
            Journal.open(path)
        finally:
            j2.close()


def test_read_only_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(b'{"t":"a"}\n{"t":"b","x')
    journal, records = Journal.open(path, read_only=True)
    assert records == [{"t": "a"}] and journal.problems
    with pytest.raises(ValueError, match="read-only"):
        journal.append({"t": "c"})
    assert (
        path.read_bytes() == b'{"t":"a"}\n{"t":"b","x'
    )  # torn tail left for the writer
