"""File › Export in any format (Ctrl+Shift+E) from a project reviewed by key."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from soundevent import io

from audioclass_gui.qt.export_dialog import ExportDialog
from tests.conftest import open_main_window, write_birdnet_csv, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")




@pytest.fixture
def folder(tmp_path: Path, reviewer_settings) -> Path:
    reviewer_settings("Di", "di@example.org")
    return two_recordings(tmp_path)


def two_recordings(tmp_path: Path) -> Path:
    """Two 6-s recordings with BirdNET-Analyzer tables (blackbird 0-3 s, great tit 3-6 s)."""
    root = tmp_path / "site"
    root.mkdir()
    for stem in ("a", "b"):
        audio = write_calls(root / f"{stem}.wav", duration=6.0)
        write_birdnet_csv(
            root / f"{stem}.BirdNET.results.csv",
            audio,
            [
                (0, 3, "Turdus merula", "Eurasian Blackbird", 0.9),
                (3, 6, "Parus major", "Great Tit", 0.6),
            ],
        )
    return root


def test_export_every_format_from_a_project(qtbot, folder: Path, tmp_path: Path):
    win = open_main_window(qtbot, folder, threshold=0.25)
    assert win.info.path.name == "a.wav"
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_A)  # a.wav 0 s blackbird
    qtbot.keyClick(win.table, Qt.Key.Key_R)  # a.wav 3 s great tit

    qtbot.keyClick(
        win,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = win.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.choose("all")
    out = tmp_path / "exported"
    dialog.path.setText(str(out))
    with qtbot.waitSignal(win.exports.finished, timeout=20_000) as done:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    written = done.args[0]
    assert set(written) == {"aoef", "raven", "audacity", "csv", "thresholds"}
    assert all(p.exists() for paths in written.values() for p in paths)

    # AOEF: the accepted blackbird is a clip tag, by the reviewer.
    project = io.load(out / "review.json", type="annotation_project")
    tagged = {
        (Path(a.clip.recording.path).name, a.clip.start_time, t.value)
        for a in project.clip_annotations
        for t in a.tags
    }
    assert ("a.wav", 0.0, "Turdus merula") in tagged
    assert not any(name == "b.wav" for name, _s, _t in tagged)
    # CSV: one row per verdict.
    with open(out / "review.verdicts.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(
        (Path(r["File"]).name, r["Scientific name"], r["Verdict"]) for r in rows
    ) == [
        ("a.wav", "Parus major", "rejected"),
        ("a.wav", "Turdus merula", "accepted"),
    ]
    # Raven: a table for a.wav and a combined one; Audacity: a label track for a.wav.
    assert any(p.name.startswith("a.review") for p in written["raven"])
    assert any(p.name == "a.review.labels.txt" for p in written["audacity"])

    # One format to one file, with the unreviewed detections too.
    assert len(_csv_from_dialog(qtbot, win, "all", tmp_path / "all.csv")) == 4
    # Only what the reviewer says is there: the rejected Parus major is left out.
    rows = _csv_from_dialog(qtbot, win, "accepted", tmp_path / "accepted.csv")
    assert [(Path(r["File"]).name, r["Scientific name"], r["Verdict"]) for r in rows] == [
        ("a.wav", "Turdus merula", "accepted")
    ]
    win.close()


def _csv_from_dialog(qtbot, win, rows: str, path: Path) -> list[dict]:
    """Export a CSV through the export dialog with the table rows chosen; its rows."""
    dialog = win.exports.ask()
    dialog.choose("csv")
    dialog.choose_rows(rows)
    dialog.path.setText(str(path))
    with qtbot.waitSignal(win.exports.finished, timeout=20_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_ctrl_e_export_keeps_each_model_run_apart(qtbot, folder: Path, tmp_path: Path):
    """File › Export review (AOEF) writes one ModelRun per run, as Export in any format does."""
    win = open_main_window(qtbot, folder)
    win.model_panel.set_model("energy")
    with qtbot.waitSignal(win.run_finished, timeout=60_000) as finished:
        win.run_model("energy")
    assert finished.args == [False]
    runs = win.session.runs()
    assert len(runs) >= 2  # the imported BirdNET-Analyzer results and the energy detector

    out = tmp_path / "ctrl-e" / "review.json"
    with qtbot.waitSignal(win.exported, timeout=20_000) as done:
        win.export_to(out)
    result = done.args[0]
    assert len(result.model_run_paths) == len(runs)
    loaded = [io.load(p, type="model_run") for p in result.model_run_paths]
    names = sorted(r.model.info.name for r in loaded)
    assert names == sorted(name for _key, name, _prov, _preds in runs)
    assert len({(r.name, r.model.version) for r in loaded}) == len(runs)  # Whombat wants it
    assert sorted(win.session.run_names()) == names  # the cheap listing agrees
    assert f"{len(runs)} model runs" in win.statusBar().currentMessage()


def test_export_all_writes_what_the_command_line_writes(qtbot, folder: Path, tmp_path: Path):
    """Export › All and `audioclass-gui export --format all` write the same files."""
    from audioclass_gui import export_cli

    win = open_main_window(qtbot, folder, threshold=0.25)
    win.model_panel.set_model("energy")
    with qtbot.waitSignal(win.run_finished, timeout=60_000):
        win.run_model("energy")
    qtbot.waitUntil(lambda: not win.projects.run_saver.pending, timeout=20_000)
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_A)
    shown = tmp_path / "window"
    with qtbot.waitSignal(win.exports.finished, timeout=20_000):
        win.exports.export("all", shown)
    win.close()
    cli = tmp_path / "cli"
    assert export_cli.main([str(folder), "--format", "all", "-o", str(cli), "-q"]) == 0

    def files(root: Path) -> list[str]:
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    assert files(shown) == files(cli), (files(shown), files(cli))
    assert len([f for f in files(cli) if "model_run" in f]) >= 2, files(cli)  # one per run


def test_verdicts_of_a_missing_recording_are_listed_not_dropped(
    qtbot, folder: Path, tmp_path: Path
):
    win = open_main_window(qtbot, folder, threshold=0.25)
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_A)  # a.wav 0 s blackbird
    win.close()
    (folder / "a.wav").unlink()  # deleted after it was reviewed
    again = open_main_window(qtbot, folder, threshold=0.25)
    out = tmp_path / "exported"
    said: list[str] = []
    again.error_reported.connect(said.append)
    with qtbot.waitSignal(again.exports.finished, timeout=20_000):
        again.exports.export("all", out)
    table = out / "left_out.verdicts.csv"
    with open(table, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(Path(r["File"]).name, r["Scientific name"], r["Verdict"]) for r in rows] == [
        ("a.wav", "Turdus merula", "accepted")
    ]
    assert any(str(table) in m and "a.wav" in m for m in said), said
    again.close()
