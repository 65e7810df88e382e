"""Audio clips from the window's export dialog and from ``audioclass-gui export``."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from audioclass_gui import export_cli
from audioclass_gui.formats.clips import MANIFEST_NAME
from audioclass_gui.qt.export_dialog import ExportDialog
from tests.conftest import open_main_window
from tests.test_app_project_export import two_recordings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def manifest(folder: Path) -> list[dict]:
    with open(folder / MANIFEST_NAME, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def folder(tmp_path: Path, reviewer_settings) -> Path:
    """The export dialog tests' project."""
    reviewer_settings("Di", "di@example.org")
    return two_recordings(tmp_path)


def reviewed(qtbot, folder: Path):
    """The window on ``folder`` with a.wav's blackbird accepted and great tit rejected."""
    win = open_main_window(qtbot, folder, threshold=0.25)
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_A)  # a.wav 0 s blackbird
    qtbot.keyClick(win.table, Qt.Key.Key_R)  # a.wav 3 s great tit
    return win


def clips_from_dialog(qtbot, win, out: Path, what: str, fmt: str = "WAV") -> dict:
    dialog = win.exports.ask()  # File › Export in any format…
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    dialog.choose("clips")
    assert dialog.clips.isVisibleTo(dialog) and not dialog.rows.isVisibleTo(dialog)
    dialog.choose_clips(what)
    dialog.clip_format.setCurrentText(fmt)
    dialog.context.setValue(0.5)
    dialog.path.setText(str(out))
    with qtbot.waitSignal(win.exports.finished, timeout=20_000) as done:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return done.args[0]


def test_clips_from_the_export_dialog(qtbot, folder: Path, tmp_path: Path):
    win = reviewed(qtbot, folder)
    out = tmp_path / "clips"
    written = clips_from_dialog(qtbot, win, out, "accepted")
    assert written == {"clips": [out / MANIFEST_NAME]}
    (row,) = manifest(out)
    assert row["Clip"] == "Turdus_merula/a_000000.000-000003.000_accepted.wav"
    assert (row["Reviewer"], row["Clip Start (s)"], row["Clip End (s)"]) == ("Di", "0", "3.5")
    clip, rate = sf.read(out / row["Clip"], dtype="float32")
    source, _ = sf.read(folder / "a.wav", dtype="float32")
    np.testing.assert_array_equal(clip, source[: int(3.5 * rate)])
    assert "Wrote 1 audio clips" in win.statusBar().currentMessage()

    both = clips_from_dialog(qtbot, win, tmp_path / "both", "verdicts", "FLAC")
    names = sorted(r["Clip"] for r in manifest(tmp_path / "both"))
    assert names == [
        "Turdus_merula/a_000000.000-000003.000_accepted.flac",
        "rejected/Parus_major/a_000003.000-000006.000_rejected.flac",
    ]
    assert both["clips"] == [tmp_path / "both" / MANIFEST_NAME]

    # Only the selected detection: the rejected great tit.
    tit = next(
        r["Detection"] for r in manifest(tmp_path / "both") if r["Verdict"] == "rejected"
    )
    win.app.review.select(int(tit))
    clips_from_dialog(qtbot, win, tmp_path / "one", "selected")
    assert [r["Detection"] for r in manifest(tmp_path / "one")] == [tit]
    win.close()


def test_clips_from_the_command_line(qtbot, folder: Path, tmp_path: Path):
    win = reviewed(qtbot, folder)
    win.close()
    out = tmp_path / "cli"
    argv = [
        str(folder), "-f", "clips", "-o", str(out), "-q",
        "--clip-format", "flac", "--context", "1", "--clip-rate", "16000",
        "--clip-status", "accepted,rejected", "--clip-what", "detections,events",
    ]
    assert export_cli.main(argv) == 0
    rows = manifest(out)
    assert sorted((r["Kind"], r["Verdict"], r["Scientific name"]) for r in rows) == [
        ("detection", "accepted", "Turdus merula"),
        ("detection", "rejected", "Parus major"),
        ("event", "accepted", "Turdus merula"),
        ("event", "rejected", "Parus major"),
    ]
    for row in rows:
        info = sf.info(out / row["Clip"])
        assert (info.format, info.samplerate) == ("FLAC", 16000)
        a, b = float(row["Clip Start (s)"]), float(row["Clip End (s)"])
        assert (a, b) == (max(0.0, float(row["Start (s)"]) - 1), min(6.0, float(row["End (s)"]) + 1))
        assert abs(info.frames - (b - a) * 16000) <= 1
    # "all" leaves the clips out; a bad option is said, not a crash.
    assert export_cli.main([str(folder), "-f", "all", "-o", str(tmp_path / "all"), "-q"]) == 0
    assert not (tmp_path / "all" / "clips").exists()
    with pytest.raises(SystemExit):
        export_cli.main([str(folder), "-f", "clips", "-o", str(tmp_path / "x"), "--clip-rate", "0"])
    assert export_cli.main(
        [str(folder), "-f", "clips", "-o", str(tmp_path / "x"), "--clip-what", "songs"]
    ) == 1

    # A reviewed recording deleted: its verdicts are listed, never dropped.
    (folder / "a.wav").unlink()
    assert export_cli.main([str(folder), "-f", "clips", "-o", str(tmp_path / "gone"), "-q"]) == 3
    assert not (tmp_path / "gone").exists()
    argv = [str(folder), "-f", "clips", "-o", str(tmp_path / "gone"), "-q", "--allow-missing"]
    assert export_cli.main(argv) == 0
    with open(tmp_path / "gone" / "left_out.verdicts.csv", newline="", encoding="utf-8") as f:
        left = list(csv.DictReader(f))
    assert sorted((Path(r["File"]).name, r["Verdict"]) for r in left) == [
        ("a.wav", "accepted"), ("a.wav", "rejected"),
    ]
    assert manifest(tmp_path / "gone") == []
