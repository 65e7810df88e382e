"""--show: what the README's tour screenshots are made with."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from audioclass_gui.qt.app import _show_busiest_species
from tests.conftest import write_birdnet_csv, write_calls
from tests.test_cli import run_cli

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")



def test_show_precision_saves_the_precision_report(tmp_path: Path):
    recording = write_calls(tmp_path / "rec.wav", duration=12.0)
    shot = tmp_path / "precision.png"
    result = run_cli(
        str(recording), "--model", "energy", "--threshold", "0.5", "--run",
        "--screenshot", str(shot), "--show", "precision",
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    # The dialog, not the window, is what was saved.
    assert (image.width(), image.height()) == (1280, 660)


def test_show_rejects_an_unknown_panel(tmp_path: Path):
    result = run_cli("--screenshot", str(tmp_path / "x.png"), "--show", "nope")
    assert result.returncode == 2
    assert "invalid choice: 'nope'" in result.stderr


def test_show_species_lists_the_busiest_species_of_the_project(qtbot, window, tmp_path: Path):
    root = tmp_path / "site"
    root.mkdir()
    for stem, rows in (("a", ("Parus major", "Turdus merula")), ("b", ("Parus major",))):
        audio = write_calls(root / f"{stem}.wav", duration=6.0)
        write_birdnet_csv(
            root / f"{stem}.BirdNET.results.csv",
            audio,
            [(3 * i, 3 * i + 3, name, "", 0.9) for i, name in enumerate(rows)],
        )
    with qtbot.waitSignal(window.recording_opened, timeout=20_000):
        window.open_path(root)
    assert {d.scientific_name for d in window.review.visible()} == {"Parus major", "Turdus merula"}

    _show_busiest_species(window)

    assert not window.species_dock.visibleRegion().isEmpty()  # raised over its tabbed neighbours
    listed = window.review.visible()
    assert [d.scientific_name for d in listed] == ["Parus major", "Parus major"]
    assert {Path(d.recording.path).name for d in listed} == {"a.wav", "b.wav"}


def test_thresholds_option_loads_the_csv_and_names_a_bad_one(tmp_path: Path):
    recording = write_calls(tmp_path / "rec.wav", duration=6.0)
    good = tmp_path / "thresholds.csv"
    good.write_text("scientific_name,threshold\nParus major,0.7\n", encoding="utf-8")
    result = run_cli(str(recording), "--thresholds", str(good), "--screenshot", str(tmp_path / "ok.png"))
    assert result.returncode == 0, result.stderr
    assert "Cannot load" not in result.stderr and str(good) not in result.stderr

    bad = tmp_path / "bad.csv"
    bad.write_text("species;score\nParus major;high\n", encoding="utf-8")
    result = run_cli(str(recording), "--thresholds", str(bad), "--screenshot", str(tmp_path / "bad.png"))
    assert result.returncode == 1
    assert str(bad) in result.stderr
