"""Recordings renamed, moved, replaced, truncated or deleted: no verdict is lost (issue 11)."""

from __future__ import annotations

import csv
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.export_cli import EXIT_LEFT_OUT
from audioclass_gui.export_cli import main as export_main
from audioclass_gui.formats.exports import LEFT_OUT_NAME, LeftOutError, export_all
from audioclass_gui.project import STATE_DIR, ReviewProject
from audioclass_gui.project.fingerprint import CHUNK, fingerprint
from audioclass_gui.review import Status
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


def _review(folder: Path, settings: Path) -> dict[tuple, Status]:
    """Judge 3 detections of a.wav and 1 of b.wav, draw a box on a.wav, select one."""
    with ReviewProject.open(folder, settings_dir=settings) as project:
        project.set_reviewer("Ana Lima", remember=False)
        s = project.session
        on_a = [i for i in s.query().tolist() if s.path_key(i)[0].endswith("a.wav")]
        on_b = [i for i in s.query().tolist() if s.path_key(i)[0].endswith("b.wav")]
        s.set_status(on_a[:2], Status.ACCEPTED)
        s.set_status([on_a[2]], Status.REJECTED)
        s.set_status([on_b[0]], Status.ACCEPTED)
        s.add_box(folder / A, 1.0, 2.0, 1000, 3000, "Turdus merula")
        project.select(on_a[2])
        return {s.path_key(i): s.status(i) for i in [*on_a[:3], on_b[0]]}


def _verdicts(project: ReviewProject) -> dict[tuple, Status]:
    s = project.session
    return {s.path_key(d.id): s.status(d.id) for d in s.judged()}


def _moved_keys(before: dict[tuple, Status], old: Path, new: Path) -> dict[tuple, Status]:
    return {((str(new) if k[0] == str(old) else k[0]), *k[1:]): v for k, v in before.items()}


def _export(folder: Path, out: Path, *extra: str, capsys: pytest.CaptureFixture) -> tuple[int, str]:
    capsys.readouterr()
    code = export_main([str(folder), "-f", "all", "-o", str(out), *extra])
    return code, capsys.readouterr().err


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("target", ["site1/renamed.wav", "site1/sub/deeper/a.wav"])
def test_verdicts_boxes_and_predictions_follow_a_moved_recording(
    folder: Path, settings: Path, tmp_path: Path, target: str, capsys
) -> None:
    before = _review(folder, settings)
    old, new = folder / A, folder / target
    new.parent.mkdir(parents=True, exist_ok=True)
    os.rename(old, new)
    if "sub" in target:  # no predictions store: the model run itself is read again
        shutil.rmtree(folder / STATE_DIR / "store")
    with ReviewProject.open(folder, settings_dir=settings) as project:
        said = [p for p in project.problems if "a.wav was" in p]
        verb = "renamed to renamed.wav" if "renamed" in target else f"moved to {target}"
        assert said == [f"{A} was {verb}; its 3 verdicts follow it"], project.problems
        paths = {r.path.relative_to(folder).as_posix(): r for r in project.recordings()}
        assert sorted(paths) == sorted([target, B])
        assert paths[target].detections == 8  # the model run names the old path
        assert _verdicts(project) == _moved_keys(before, old, new)
        assert project.session.pending_verdicts() == {}
        (box,) = project.session.boxes()
        assert box.recording == new
        resumed = project.resume()
        assert resumed is not None and project.session.path_key(resumed)[0] == str(new)
        assert project.missing_recordings() == {} and project.left_out() == []
    code, err = _export(folder, tmp_path / "out", capsys=capsys)
    assert code == 0, err
    rows = _csv_rows(tmp_path / "out" / "review.verdicts.csv")
    judged = [r for r in rows if r["Verdict"] in ("accepted", "rejected")]
    assert len(judged) == 4
    assert sum(Path(r["File"]) == new for r in judged) == 3
    assert not (tmp_path / "out" / LEFT_OUT_NAME).exists()
    with ReviewProject.open(folder, settings_dir=settings) as project:  # said once
        assert not [p for p in project.problems if "was renamed" in p or "was moved" in p]
        assert _verdicts(project) == _moved_keys(before, old, new)
        project.compact()  # the move outlives compaction
    with ReviewProject.open(folder, settings_dir=settings) as project:
        assert project.problems == []
        assert _verdicts(project) == _moved_keys(before, old, new)
        assert {r.path: r.detections for r in project.recordings()}[new] == 8


def test_swapped_names_swap_their_verdicts(folder: Path, settings: Path) -> None:
    sf.write(folder / B, np.full(12 * 8000, 0.25, np.float32), 8000)  # other content
    before = _review(folder, settings)
    a, b = folder / A, folder / B
    tmp = folder / "tmp.wav"
    os.rename(a, tmp)
    os.rename(b, a)
    os.rename(tmp, b)
    with ReviewProject.open(folder, settings_dir=settings) as project:
        swapped = {
            ((str(b) if k[0] == str(a) else str(a)), *k[1:]): v for k, v in before.items()
        }
        kept = {k: v for k, v in _verdicts(project).items()}
        pending = {k: v.status for k, (v, _u, _t) in project.session.pending_verdicts().items()}
        assert {**kept, **pending} == swapped
        assert project.changed_recordings() == {}


def _replace(path: Path, how: str) -> None:
    time.sleep(0.01)  # a later modification time than the predictions file
    if how == "replaced":  # same length, other sounds
        rng = np.random.default_rng(1)
        sf.write(path, rng.uniform(-0.5, 0.5, 12 * 8000).astype(np.float32), 8000)
    else:  # a copy cut short
        write_audio(path, seconds=5.0)


@pytest.mark.parametrize("how", ["replaced", "truncated"])
def test_a_changed_recording_gets_nothing_of_the_old_one(
    folder: Path, settings: Path, tmp_path: Path, how: str, capsys
) -> None:
    before = _review(folder, settings)
    changed = folder / A
    _replace(changed, how)
    with ReviewProject.open(folder, settings_dir=settings) as project:
        (said,) = [p for p in project.problems if "changed since it was reviewed" in p]
        assert said.startswith(f"{A}: ") and "its 3 verdicts and 1 boxes" in said
        assert "runs/birdnet.model_run.json" in said  # the old predictions, named
        rows = {r.path: r for r in project.recordings()}
        assert rows[changed].detections == 0 and rows[folder / B].detections == 8
        assert not [k for k in _verdicts(project) if k[0] == str(changed)]
        assert project.session.boxes() == []
        assert project.changed_recordings() == {str(changed): 3}
        (group,) = project.left_out()
        assert (group.reason, len(group.verdicts), group.boxes) == ("changed", 3, 1)
        with pytest.raises(LeftOutError, match="3 verdicts"):
            export_all(project.session, tmp_path / "lib", ("csv",), left_out=project.left_out())
        assert not (tmp_path / "lib").exists()
    code, err = _export(folder, tmp_path / "out", capsys=capsys)
    assert code == EXIT_LEFT_OUT and not (tmp_path / "out").exists()
    assert f"{A}: verdicts on a recording that changed: 3 verdicts and 1 box" in err
    code, err = _export(folder, tmp_path / "out", "--allow-missing", capsys=capsys)
    assert code == 0, err
    assert "left out" in err
    left = _csv_rows(tmp_path / "out" / LEFT_OUT_NAME)
    assert sorted((r["Start (s)"], r["Verdict"]) for r in left) == sorted(
        (f"{k[1]:g}", v.value) for k, v in before.items() if k[0] == str(changed)
    )
    exported = _csv_rows(tmp_path / "out" / "review.verdicts.csv")
    assert [r["File"] for r in exported if r["Verdict"] == "accepted"] == [str(folder / B)]
    # Reopened, still set aside and still flagged; a model run made since attaches.
    time.sleep(0.01)
    write_model_run(folder / "runs" / "again.model_run.json", [changed], name="BirdNET 2")
    with ReviewProject.open(folder, settings_dir=settings) as project:
        assert any("changed since it was reviewed" in p for p in project.problems)
        rows = {r.path: r for r in project.recordings()}
        assert rows[changed].detections == 8
        on_new = [d for d in project.session.judged() if d.recording.path == str(changed)]
        assert on_new == []  # the old verdicts never land on the new file's detections
        assert project.changed_recordings() == {str(changed): 3}
        project.compact()
    with ReviewProject.open(folder, settings_dir=settings) as project:
        assert project.changed_recordings() == {str(changed): 3}
        assert {r.path: r.detections for r in project.recordings()}[changed] == 8
        assert len(project.left_out()[0].verdicts) == 3


def test_a_deleted_recording_keeps_its_verdicts_and_stops_the_export(
    folder: Path, settings: Path, tmp_path: Path, capsys
) -> None:
    _review(folder, settings)
    (folder / A).unlink()
    with ReviewProject.open(folder, settings_dir=settings) as project:
        assert project.missing_recordings() == {str(folder / A): 3}
        assert any(p.startswith(f"{A}: recording not found") for p in project.problems)
        assert len(project.session.pending_verdicts()) == 3
    code, err = _export(folder, tmp_path / "out", capsys=capsys)
    assert code == EXIT_LEFT_OUT
    assert f"{A}: recording not found: 3 verdicts" in err
    assert not (tmp_path / "out").exists()
    capsys.readouterr()
    code = export_main([str(folder), "-f", "csv", "-o", str(tmp_path / "v.csv"), "--allow-missing"])
    assert code == 0
    assert len(_csv_rows(tmp_path / "v.left_out.csv")) == 3
    rows = _csv_rows(tmp_path / "v.csv")  # b.wav's verdict, and the box drawn on a.wav
    assert sorted((Path(r["File"]).name, r["Start (s)"]) for r in rows) == [
        ("a.wav", "1.0"),
        ("b.wav", "0.0"),
    ]
    # The file comes back: its verdicts are applied again, nothing is left out.
    write_audio(folder / A)
    with ReviewProject.open(folder, settings_dir=settings) as project:
        assert project.missing_recordings() == {} and project.left_out() == []
        assert len(_verdicts(project)) == 4


def test_fingerprint_reads_only_the_ends(tmp_path: Path) -> None:
    path = tmp_path / "long.bin"
    data = bytearray(os.urandom(5 * CHUNK))
    path.write_bytes(data)
    first = fingerprint(path)
    data[2 * CHUNK] ^= 0xFF  # the middle: not read
    path.write_bytes(data)
    assert fingerprint(path) == first
    data[-1] ^= 0xFF
    path.write_bytes(data)
    assert fingerprint(path) != first
    path.write_bytes(data[:-1])
    assert fingerprint(path) != first


def test_unchanged_recordings_are_not_read_again(
    folder: Path, settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audioclass_gui.project import fingerprint as module

    reads: list[str] = []
    real = module.fingerprint
    monkeypatch.setattr(module, "fingerprint", lambda p: reads.append(str(p)) or real(p))
    with ReviewProject.open(folder, settings_dir=settings):
        pass
    assert sorted(reads) == [str(folder / A), str(folder / B)]
    reads.clear()
    with ReviewProject.open(folder, settings_dir=settings):
        pass
    assert reads == []
    os.utime(folder / B, (time.time() + 5, time.time() + 5))  # touched, same content
    with ReviewProject.open(folder, settings_dir=settings) as project:
        assert project.problems == []
    assert reads == [str(folder / B)]


def _uuids(folder: Path, settings: Path) -> dict[str, str]:
    with ReviewProject.open(folder, settings_dir=settings) as project:
        return {Path(r.path).name: str(r.uuid) for r in project.session.recordings}


def test_recordings_keep_their_uuid_across_opens_and_exports(
    folder: Path, settings: Path, tmp_path: Path
) -> None:
    """Whombat matches recordings by uuid: a second export must name the same ones."""
    first = _uuids(folder, settings)
    assert len(set(first.values())) == 2 and first == _uuids(folder, settings)
    # a.wav and b.wav have the same content: still two recordings, two uuids.
    assert fingerprint(folder / A) == fingerprint(folder / B)
    # The whole project moved elsewhere: the same uuids (from relative paths).
    shutil.move(folder, tmp_path / "moved")
    assert _uuids(tmp_path / "moved", settings) == first
    # The exported dataset names the same uuids every time.
    exported = []
    for n in range(2):
        with ReviewProject.open(tmp_path / "moved", settings_dir=settings) as project:
            export_all(project.session, tmp_path / f"out{n}", ("aoef",))
        exported.append(
            "\n".join(p.read_text() for p in sorted((tmp_path / f"out{n}").rglob("*.json")))
        )
    for uid in first.values():
        assert exported[0].count(uid) == exported[1].count(uid) > 0
