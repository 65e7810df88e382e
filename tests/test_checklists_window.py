"""Reports › eBird checklists and iNaturalist observations…, in the window (offscreen)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from audioclass_gui.formats.checklists import CLIPS_FOLDER, EBIRD_NAME, INAT_NAME
from audioclass_gui.formats.ebird import EBIRD_COLUMNS
from audioclass_gui.formats.inaturalist import SOUND_COLUMN
from audioclass_gui.qt.reports.activity_actions import reports_menu
from audioclass_gui.review import Status
from tests.conftest import open_main_window
from tests.deployment_project import build_deployment

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

T, E = "Turdus merula", "Erithacus rubecula"
RECORDINGS = [("north/20240501_050000.wav", 120), ("south/20240502_060000.wav", 120)]
ROWS = [(0, T, 0, 3, 0.9), (0, T, 30, 33, 0.4), (1, E, 10, 13, 0.8), (1, T, 50, 53, 0.2)]


def test_menu_entry_writes_the_files_off_the_gui_thread(qtbot, tmp_path: Path) -> None:
    root = tmp_path / "deployment"
    build_deployment(root, RECORDINGS, ROWS)
    (root / "sites.csv").write_text("site,latitude,longitude,location\nnorth,52.5,13.4,Oak\n")
    win = open_main_window(qtbot, root)
    session = win.app.document.session
    accepted = [d.id for d in session.detections() if d.score >= 0.4]
    session.set_status(accepted, Status.ACCEPTED)

    entry = next(a for a in reports_menu(win).actions() if a.text().startswith("&eBird"))
    entry.trigger()
    dialog = win.checklist_reports.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.sites_edit.text() == str(root / "sites.csv")  # offered from the project
    out = tmp_path / "out"
    dialog.folder_edit.setText(str(out))
    dialog.clips_check.setChecked(True)
    dialog.count_combo.setCurrentIndex(dialog.count_combo.findData("events"))
    with qtbot.waitSignal(win.checklist_reports.exports.finished, timeout=20_000) as done:
        dialog.accept()
    files, notes = done.args[0]
    assert out / EBIRD_NAME in files and out / CLIPS_FOLDER / "manifest.csv" in files

    with open(out / EBIRD_NAME, encoding="utf-8", newline="") as handle:
        ebird = [dict(zip(EBIRD_COLUMNS, r, strict=True)) for r in csv.reader(handle)]
    assert [(r["Location Name"], r["Date"], r["Genus"], r["Number"], r["Latitude"])
            for r in ebird] == [
        ("Oak", "05/01/2024", "Turdus", "2", "52.5"),  # two accepted events at north
        ("south", "05/02/2024", "Erithacus", "1", ""),
    ]
    assert any("no location for site(s) south" in n for n in notes)
    with open(out / INAT_NAME, encoding="utf-8", newline="") as handle:
        inat = list(csv.DictReader(handle))
    assert [o["Taxon name"] for o in inat] == [T, E]
    for o in inat:
        assert (out / CLIPS_FOLDER / o[SOUND_COLUMN]).is_file()
    qtbot.waitUntil(lambda: win.checklist_reports.dialog is None, timeout=5000)
    win.close()
