"""Species panel: list any subset of a project's recordings; imported common names shown.

A folder of four recordings with BirdNET-Analyzer result tables (CSV, with
a Common name column) beside them is opened in the real window.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from audioclass_gui.project import ReviewProject
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.qt.review.species_panel import SOME_RECORDINGS
from audioclass_gui.review import Status
from tests.conftest import open_main_window, write_birdnet_csv, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BIRDS = {
    "Turdus merula": "Eurasian Blackbird",
    "Parus major": "Great Tit",
    "Erithacus rubecula": "European Robin",
}
# recording stem -> (start, scientific name, confidence)
ROWS = {
    "a": [(0, "Turdus merula", 0.62), (3, "Parus major", 0.55)],
    "b": [(0, "Turdus merula", 0.77), (3, "Parus major", 0.81)],
    "c": [(3, "Erithacus rubecula", 0.66)],
    "d": [(0, "Parus major", 0.71), (6, "Erithacus rubecula", 0.40)],
}
RAVEN_HEADER = (
    "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\t"
    "High Freq (Hz)\tCommon Name\tSpecies Code\tConfidence\tBegin Path\t"
    "File Offset (s)\n"
)


def write_folder(root: Path) -> Path:
    root.mkdir()
    for stem, rows in ROWS.items():
        audio = write_calls(root / f"{stem}.wav", duration=9.0)
        write_birdnet_csv(
            root / f"{stem}.BirdNET.results.csv",
            audio,
            [(s, s + 3, sci, BIRDS[sci], conf) for s, sci, conf in rows],
        )
    return root


@pytest.fixture
def folder(tmp_path: Path, reviewer_settings) -> Path:
    reviewer_settings("Dee")
    return write_folder(tmp_path / "site")


@pytest.fixture
def win(qtbot, folder: Path):
    window = open_main_window(qtbot, folder, threshold=0.25)
    assert window.projects.dialog is None, window.projects.project.problems
    yield window
    window.close()


def listed(win: MainWindow) -> list[tuple[str, str, float]]:
    return [
        (Path(d.recording.path).stem, d.scientific_name, d.score)
        for d in win.review.visible()
    ]


def table_column(win: MainWindow, col: int) -> list[str]:
    model = win.table.model()
    return [model.index(r, col).data() for r in range(model.rowCount())]


def tick(qtbot, panel, stem: str) -> None:
    """Tick a recording in the subset list with the keyboard (Space)."""
    lst = panel.recording_list
    row = next(r for r in range(lst.count()) if Path(lst.item(r).text()).stem == stem)
    lst.setFocus()
    lst.setCurrentRow(row)
    qtbot.keyClick(lst, Qt.Key.Key_Space)


def test_list_any_subset_of_the_project_recordings(qtbot, win: MainWindow):
    panel = win.species_panel.panel
    assert win.info.path.name == "a.wav"
    assert {s for s, _n, _c in listed(win)} == {"a"}
    assert not panel.recording_list.isVisible()
    assert win.table.isColumnHidden(6)  # one recording listed: no Recording column

    # "Some recordings…" shows a ticked list, starting from the open recording.
    panel.recordings.setCurrentIndex(panel.recordings.findData(SOME_RECORDINGS))
    assert panel.recording_list.isVisible()
    assert panel.recording_list.count() == 4
    assert panel.recordings.currentText() == "1 of 4 recordings"
    assert {s for s, _n, _c in listed(win)} == {"a"}

    # Ticking b and d lists exactly the detections of a, b and d.
    tick(qtbot, panel, "b")
    tick(qtbot, panel, "d")
    assert panel.recordings.currentText() == "3 of 4 recordings"
    assert sorted(listed(win)) == sorted(
        (stem, sci, conf)
        for stem in ("a", "b", "d")
        for _s, sci, conf in ROWS[stem]
        if conf >= 0.25
    )
    # The table names each row's recording; the spectrogram shows only the open one's.
    assert set(table_column(win, 6)) == {"a.wav", "b.wav", "d.wav"}
    assert not win.table.isColumnHidden(6)
    assert {
        Path(win.session.get(i).recording.path).name for i in win.overlay.detection_ids
    } == {"a.wav"}

    # Unticking the open recording leaves b and d.
    tick(qtbot, panel, "a")
    assert panel.recordings.currentText() == "2 of 4 recordings"
    assert {s for s, _n, _c in listed(win)} == {"b", "d"}

    # A species within the subset: its detections by score, other recordings left out.
    panel.choose_species("Parus major")
    assert panel.recordings.currentText() == "2 of 4 recordings"  # the subset stays
    assert listed(win) == [("b", "Parus major", 0.81), ("d", "Parus major", 0.71)]

    # A verdict on a detection of another recording opens that recording.
    first = win.review.visible()[0]
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.review.select(first.id)
    assert win.info.path.name == "b.wav"
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_A)
    assert win.session.status(first.id) is Status.ACCEPTED

    # Show all: back to the open recording alone; the ticks are remembered.
    qtbot.mouseClick(panel.reset, Qt.MouseButton.LeftButton)
    assert not panel.recording_list.isVisible()
    assert {s for s, _n, _c in listed(win)} == {"b"}
    assert win.table.isColumnHidden(6)
    panel.recordings.setCurrentIndex(panel.recordings.findData(SOME_RECORDINGS))
    assert panel.recordings.currentText() == "2 of 4 recordings"


def test_imported_birdnet_common_names_reach_the_table(qtbot, win: MainWindow):
    # The CSV tables' Common name column reaches the session...
    shown = dict(zip(table_column(win, 3), table_column(win, 2), strict=True))
    assert shown == {"Turdus merula": "Eurasian Blackbird", "Parus major": "Great Tit"}
    # ...the species panel...
    panel = win.species_panel.panel
    qtbot.waitUntil(lambda: panel.table.rowCount() == 3, timeout=5_000)
    assert {panel.table.item(r, 0).text() for r in range(3)} == set(BIRDS.values())
    # ...and the overlay labels.
    texts = {
        win.overlay.label_item(i).species_text
        for i in win.overlay.detection_ids
    }
    assert texts == {"Eurasian Blackbird", "Great Tit"}


def test_common_names_of_a_birdnet_raven_table_and_ones_given_win(tmp_path: Path):
    root = tmp_path / "site"
    root.mkdir()
    audio = write_calls(root / "e.wav", duration=9.0)
    (root / "e.BirdNET.selection.table.txt").write_text(
        RAVEN_HEADER
        + f"1\tSpectrogram 1\t1\t0\t3\t0\t15000\tEurasian Blackbird\teurbla\t0.9\t{audio}\t0\n"
        + f"2\tSpectrogram 1\t1\t3\t6\t0\t15000\tGreat Tit\tgretit1\t0.8\t{audio}\t3\n",
        encoding="utf-8",
    )
    settings = tmp_path / "settings"
    with ReviewProject.open(root, settings_dir=settings, durable=False) as project:
        names = {d.scientific_name: d.common_name for d in project.session.detections()}
    assert names == {"Turdus merula": "Eurasian Blackbird", "Parus major": "Great Tit"}
    # Names given to the project (the model's, the user's) are not replaced.
    with ReviewProject.open(
        root,
        settings_dir=settings,
        durable=False,
        common_names={"Parus major": "Kohlmeise"},
    ) as project:
        names = {d.scientific_name: d.common_name for d in project.session.detections()}
    assert names == {"Turdus merula": "Eurasian Blackbird", "Parus major": "Kohlmeise"}
