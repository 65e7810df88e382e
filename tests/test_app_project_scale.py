"""The project window with thousands of recordings: the list fills at once; a long open says so."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QHeaderView

from audioclass_gui.project import recording_files
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.qt.project.project_widgets import ANALYSIS_COLUMN, RecordingList
from audioclass_gui.review import RecordingSummary
from tests.conftest import write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _summaries(n: int) -> list[RecordingSummary]:
    return [
        RecordingSummary(
            Path(f"/data/site{i // 50:02d}/2024_{i:04d}.wav"), 10_000.0, None,
            3000, 0, 0, 0, 0, 3000, 0,
        )
        for i in range(n)
    ]


def test_thousands_of_recordings_fill_the_list_at_once(qtbot) -> None:
    """Each cell set used to measure every row again: 2,000 states took minutes."""
    rows = RecordingList()
    qtbot.addWidget(rows)
    rows.resize(420, 600)
    rows.show()
    summaries = _summaries(2000)
    t0 = time.perf_counter()
    rows.set_summaries(summaries)
    rows.mark_current(str(summaries[0].path))
    rows.clear_analysis()
    long_text = "analysed: 1,234 detections (BirdNET v2.4)"
    rows.set_analysis({str(s.path): (long_text, "tip") for s in summaries})
    rows.set_summaries(summaries)
    assert time.perf_counter() - t0 < 10.0  # about 0.3 s; minutes before
    assert rows.rowCount() == 2000
    assert rows.analysis_text(str(summaries[-1].path)) == long_text
    assert rows.item(1999, ANALYSIS_COLUMN).text() == long_text
    header = rows.horizontalHeader()
    # The columns are sized to their contents once a change is done (not by the
    # header's mode, which measured every row again at each cell changed), the
    # last one stretched, the first with room for the open recording in bold.
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive
    assert header.stretchLastSection()
    for col in range(ANALYSIS_COLUMN):
        assert header.sectionSize(col) >= rows.sizeHintForColumn(col)
    assert rows.item(0, 0).font().bold() and not rows.item(1, 0).font().bold()
    # Opening another recording moves the bold name: only those two rows change.
    widths = [header.sectionSize(c) for c in range(ANALYSIS_COLUMN)]
    rows.mark_current(str(summaries[1234].path))
    bold = [r for r in range(rows.rowCount()) if rows.item(r, 0).font().bold()]
    assert bold == [1234]
    assert [header.sectionSize(c) for c in range(ANALYSIS_COLUMN)] == widths
    rows.set_summaries(list(reversed(summaries)))  # rows refilled: still that one
    bold = [r for r in range(rows.rowCount()) if rows.item(r, 0).font().bold()]
    assert [rows.item(r, 0).text() for r in bold] == [summaries[1234].path.name]


def test_a_long_project_open_says_what_it_does(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIOCLASS_GUI_CONFIG_DIR", str(tmp_path / "settings"))
    monkeypatch.setattr(recording_files, "QUIET_S", 0.0)
    root = tmp_path / "site"
    root.mkdir()
    for name in ("a.wav", "b.wav", "c.wav"):
        write_calls(root / name, duration=2.0)
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    said: list[str] = []
    win.projects.opening.connect(said.append)
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.open_path(root)
    assert said[:2] == ["Opening project site…", "Opening project site: Checking recordings: 0 of 3…"]
    assert any(text.startswith("Opening project site: Reading recordings") for text in said)
    assert not win.file_label.text().startswith("Opening")  # the recording is shown now
