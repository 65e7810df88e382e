"""Recordings' header facts kept in the journal: a reopen stats files instead of opening them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.project import (
    STATE_DIR,
    ReviewProject,
    header_cache,
    recording_files,
)
from audioclass_gui.project import fingerprint as fingerprints
from audioclass_gui.project.fingerprint import FileState
from audioclass_gui.project.header_cache import StatKey, stat_key
from audioclass_gui.project.sources import discover_sources
from tests.test_project_open import write_audio, write_model_run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

A = "site1/a.wav"
B = "site2/b.wav"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "deployment"
    audio = [write_audio(root / A), write_audio(root / B)]
    write_model_run(root / "runs" / "birdnet.model_run.json", audio)
    return root


@pytest.fixture
def settings(tmp_path: Path) -> Path:
    return tmp_path / "settings"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every recording whose header is read (the file opened), by name."""
    seen: list[str] = []
    real = header_cache.read_info

    def counted(path):
        seen.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(header_cache, "read_info", counted)
    return seen


def _open(folder: Path, settings: Path, **options) -> ReviewProject:
    return ReviewProject.open(folder, settings_dir=settings, **options)


def _recording(project: ReviewProject, name: str):
    (rec,) = [r for r in project.session.recordings if Path(r.path).name == name]
    return rec


def _facts(project: ReviewProject) -> dict[str, tuple[float, int, int]]:
    return {
        Path(r.path).name: (r.duration, r.samplerate, r.channels)
        for r in project.session.recordings
    }


def _other_same_size(path: Path) -> None:
    """Replace ``path`` (12 s at 8 kHz) by 6 s at 16 kHz: the same number of bytes."""
    size = path.stat().st_size
    time.sleep(0.05)  # the clock's tick: the new status-change time differs
    rng = np.random.default_rng(3)
    sf.write(path, rng.uniform(-0.5, 0.5, 6 * 16000).astype(np.float32), 16000)
    assert path.stat().st_size == size


def test_a_reopen_opens_no_unchanged_recording(folder: Path, settings: Path, reads) -> None:
    with _open(folder, settings) as project:
        first = _facts(project)
    assert sorted(reads) == ["a.wav", "b.wav"]
    reads.clear()
    with _open(folder, settings) as project:
        again = _facts(project)
        assert project.problems == []
        assert len(project.session) == 16  # the predictions still map onto them
    assert reads == []
    assert again == first == {"a.wav": (12.0, 8000, 1), "b.wav": (12.0, 8000, 1)}
    records = [json.loads(line) for line in (folder / STATE_DIR / "project.jsonl").open()]
    kept = [r for r in records if r["t"] == "fingerprint"]
    assert len(kept) == 2  # one record per recording, facts and fingerprint together
    assert all(r["info"]["duration"] == 12.0 and "mtime_ns" in r for r in kept)


def test_a_touched_recording_is_read_again_alone(folder: Path, settings: Path, reads) -> None:
    _open(folder, settings).close()
    reads.clear()
    later = time.time() + 5
    os.utime(folder / B, (later, later))
    with _open(folder, settings) as project:
        assert project.problems == []  # same content: not a change
    assert reads == ["b.wav"]
    reads.clear()
    _open(folder, settings).close()
    assert reads == []  # its new time is kept


def test_a_file_replaced_by_one_of_the_same_size_is_read_again(
    folder: Path, settings: Path, reads
) -> None:
    _open(folder, settings).close()
    reads.clear()
    _other_same_size(folder / B)
    with _open(folder, settings) as project:
        rec = _recording(project, "b.wav")
        assert (rec.duration, rec.samplerate) == (6.0, 16000)
        assert any(p.startswith(f"{B}: the file changed") for p in project.problems)
    assert reads == ["b.wav"]


@pytest.mark.skipif(os.name == "nt", reason="no status-change time on Windows")
def test_a_change_with_its_modification_time_put_back_is_seen_on_posix(
    folder: Path, settings: Path, reads
) -> None:
    _open(folder, settings).close()
    reads.clear()
    before = (folder / B).stat()
    _other_same_size(folder / B)
    os.utime(folder / B, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (folder / B).stat().st_mtime_ns == before.st_mtime_ns
    with _open(folder, settings) as project:
        assert _recording(project, "b.wav").duration == 6.0
        assert any(p.startswith(f"{B}: the file changed") for p in project.problems)
    assert reads == ["b.wav"]


def test_without_a_status_change_time_such_a_change_goes_unseen(
    folder: Path, settings: Path, reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What Windows sees (no ``st_ctime`` for changes): the limit the docs state."""
    monkeypatch.setattr(
        fingerprints, "stat_key", lambda st: StatKey(st.st_size, st.st_mtime, st.st_mtime_ns, None)
    )
    _open(folder, settings).close()
    reads.clear()
    before = (folder / B).stat()
    _other_same_size(folder / B)
    os.utime(folder / B, ns=(before.st_atime_ns, before.st_mtime_ns))
    with _open(folder, settings) as project:
        assert _recording(project, "b.wav").duration == 12.0  # the old facts
        assert project.problems == []
    assert reads == []


def test_a_journal_without_facts_is_read_once_then_kept(
    folder: Path, settings: Path, reads
) -> None:
    _open(folder, settings).close()
    journal = folder / STATE_DIR / "project.jsonl"
    old = []
    for line in journal.open():
        record = json.loads(line)
        for key in ("info", "mtime_ns", "ctime_ns"):
            record.pop(key, None)  # as the previous version wrote it
        old.append(json.dumps(record))
    journal.write_text("\n".join(old) + "\n")
    reads.clear()
    with _open(folder, settings) as project:
        assert project.problems == []
    assert sorted(reads) == ["a.wav", "b.wav"]
    reads.clear()
    _open(folder, settings).close()
    assert reads == []


def test_a_moved_recording_is_kept_at_its_new_path(folder: Path, settings: Path, reads) -> None:
    _open(folder, settings).close()
    (folder / "site3").mkdir()
    os.rename(folder / A, folder / "site3" / "a.wav")
    reads.clear()
    with _open(folder, settings) as project:
        assert any("was moved to site3/a.wav" in p for p in project.problems)
    assert reads == ["a.wav"]
    reads.clear()
    with _open(folder, settings) as project:
        assert project.problems == []
    assert reads == []


def test_a_truncated_recording_is_said_at_every_open(folder: Path, settings: Path, reads) -> None:
    cut = folder / "site1" / "cut.wav"
    write_audio(cut)
    with open(cut, "r+b") as handle:
        handle.truncate(cut.stat().st_size - 8000 * 2)  # 1 s of PCM_16 gone, header unchanged
    for expected_reads in (["cut.wav"], []):
        with _open(folder, settings) as project:
            assert [p for p in project.problems if "truncated" in p] == [
                f"{cut}: truncated: the header declares 12.00 s but only 11.00 s "
                "of audio is in the file"
            ]
            assert _recording(project, "cut.wav").duration == 11.0
        assert [r for r in reads if r == "cut.wav"] == expected_reads
        reads.clear()


def test_read_only_opens_use_the_facts_and_write_nothing(
    folder: Path, settings: Path, reads
) -> None:
    _open(folder, settings).close()
    journal = folder / STATE_DIR / "project.jsonl"
    size = journal.stat().st_size
    reads.clear()
    with ReviewProject.open(folder, read_only=True) as project:
        assert len(project.session.recordings) == 2
    assert reads == [] and journal.stat().st_size == size


def test_recordings_added_by_hand_are_kept_too(tmp_path: Path, settings: Path, reads) -> None:
    audio = [write_audio(tmp_path / "x.wav"), write_audio(tmp_path / "y.wav", seconds=3.0)]
    with ReviewProject.create(tmp_path / "list.jsonl", audio, settings_dir=settings):
        pass
    assert sorted(reads) == ["x.wav", "y.wav"]
    reads.clear()
    with ReviewProject.open(tmp_path / "list.jsonl", settings_dir=settings) as project:
        assert sorted(r.duration for r in project.session.recordings) == [3.0, 12.0]
    assert reads == []


def test_a_long_open_says_what_it_does(
    folder: Path, settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recording_files, "QUIET_S", 0.0)
    monkeypatch.setattr(recording_files, "EVERY_S", 0.0)
    said: list[str] = []
    _open(folder, settings, progress=said.append).close()
    assert said[:2] == ["Checking recordings: 0 of 2", "Checking recordings: 1 of 2"]
    assert "Reading recordings: 1 of 2" in said


def test_file_state_matches_its_stat(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "a.wav")
    key = stat_key(path.stat())
    state = FileState.of("sha1:x", key, {"v": 1})
    assert state.matches(key)
    assert FileState.from_record(state.record("a.wav")) == state
    assert FileState.from_record(state.record("a.wav")).info == {"v": 1}
    other = StatKey(key.size, key.mtime, key.mtime_ns + 1, key.ctime_ns)
    assert not state.matches(other)
    assert not state.matches(StatKey(key.size + 1, key.mtime, key.mtime_ns, key.ctime_ns))
    if key.ctime_ns is not None:
        assert not state.matches(StatKey(key.size, key.mtime, key.mtime_ns, key.ctime_ns + 1))
    # A record of the previous version: seconds only, no status-change time.
    legacy = FileState("sha1:x", key.size, key.mtime)
    assert legacy.matches(key) and legacy.matches(other)  # nanoseconds unknown
    assert not legacy.matches(StatKey(key.size, key.mtime + 1, key.mtime_ns, key.ctime_ns))


def test_known_predictions_files_are_not_opened_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audioclass_gui.project import sources

    run = folder / "runs" / "birdnet.model_run.json"
    opened: list[Path] = []
    real = sources.sniff
    monkeypatch.setattr(sources, "sniff", lambda p: opened.append(p) or real(p))
    assert discover_sources(folder) == {run: "model_run"}
    assert opened == [run]
    opened.clear()
    assert discover_sources(folder, known={str(run): "model_run"}) == {run: "model_run"}
    assert opened == []


def test_the_facts_outlive_compaction(folder: Path, settings: Path, reads) -> None:
    with _open(folder, settings) as project:
        project.compact()
    reads.clear()
    with _open(folder, settings) as project:
        assert len(project.session.recordings) == 2 and project.problems == []
    assert reads == []


def test_start_time_and_place_come_back_from_the_facts(
    tmp_path: Path, settings: Path, reads
) -> None:
    import datetime as dt

    from soundevent import data

    root = tmp_path / "deployment"
    path = write_audio(root / "20240501_053000.wav")
    with _open(root, settings) as project:
        first = project.session.recordings[0]
    assert (first.date, first.time) == (dt.date(2024, 5, 1), dt.time(5, 30))
    facts = header_cache.header_facts(
        data.Recording(
            path=path, duration=12.0, channels=1, samplerate=8000,
            date=dt.date(2024, 5, 1),
            time=dt.time(5, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            latitude=-33.5,
            longitude=151.25,
        ),
        ("truncated: something",),
    )
    back, warnings = header_cache.recording_from_facts(path, json.loads(json.dumps(facts)))
    assert back.time == dt.time(5, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert (back.latitude, back.longitude, warnings) == (-33.5, 151.25, ("truncated: something",))
    # Facts of another layout are not used: the file is read.
    assert header_cache.recording_from_facts(path, {**facts, "v": 0}) is None
    reads.clear()
    with _open(root, settings) as project:
        again = project.session.recordings[0]
    assert reads == [] and (again.date, again.time) == (first.date, first.time)
