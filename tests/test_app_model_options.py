"""The model panel's options reach the run, and the run's provenance shows.

birds_10s.wav: opensoundscape 0.13.2 sample data (MIT License, Copyright (c)
2020 University of Pittsburgh); see ../shared/data/README.md.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import io

from audioclass_gui.app.run_state import THRESHOLD_FLOOR
from audioclass_gui.models import RunSettings
from audioclass_gui.qt.main_window import MainWindow

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BIRDS = SHARED_DATA / "birds_10s.wav"
WARBLERS = {"Setophaga castanea", "Leiothlypis peregrina", "Setophaga fusca"}




def _open(qtbot, win: MainWindow, path: Path) -> None:
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(path)


def _run(qtbot, win: MainWindow, model: str) -> None:
    with qtbot.waitSignal(win.run_finished, timeout=60_000) as blocker:
        win.run_model(model)
    assert blocker.args == [False]


def _windows(win: MainWindow) -> list[tuple[float, float]]:
    return [(p.clip.start_time, p.clip.end_time) for p in win.session.clip_predictions]


def test_overlap_doubles_the_windows_and_shows_in_the_provenance(
    qtbot, window: MainWindow, calls_wav: Path, tmp_path: Path
) -> None:
    win = window
    _open(qtbot, win, calls_wav)
    win.model_panel.set_threshold(0.5)
    _run(qtbot, win, "energy")
    plain = _windows(win)
    assert len(plain) == 12 and plain[1] == (1.0, 2.0)
    plain_hits = len(win.review.visible())

    win.model_panel.options.overlap_spin.setValue(0.5)
    _run(qtbot, win, "energy")
    windows = _windows(win)
    assert len(windows) == 23
    assert windows[:3] == [(0.0, 1.0), (0.5, 1.5), (1.0, 2.0)]
    assert len(win.review.visible()) >= 2 * plain_hits - 1
    # the panel says how the run was made; the tooltip holds the full record
    label = win.model_panel.provenance_label
    assert "window every 0.5 s" in label.text()
    record = json.loads(label.toolTip())
    assert record["settings"]["overlap_seconds"] == 0.5
    assert win.session.provenance["settings"]["overlap_seconds"] == 0.5
    # and it travels with the exported model run
    with qtbot.waitSignal(win.exported, timeout=10_000) as blocker:
        win.export_to(tmp_path / "review.json")
    run = io.load(blocker.args[0].model_run_path, type="model_run")
    # Named with the day it was made (UTC), as Whombat lists runs by name.
    assert dt.datetime.now(dt.UTC).date().isoformat() in run.name
    settings = RunSettings.from_provenance(json.loads(run.description))
    assert settings == RunSettings(
        threshold=THRESHOLD_FLOOR,
        overlap_seconds=0.5,
        use_recording_location=False,
        resampler="kaiser_fast",
    )


def test_resampler_choice_reaches_the_run(
    qtbot, window: MainWindow, calls_wav: Path
) -> None:
    win = window
    _open(qtbot, win, calls_wav)
    combo = win.model_panel.options.resampler_combo
    assert combo.currentData() == "kaiser_fast"  # BirdNET-Analyzer's, the default
    assert [combo.itemData(i) for i in range(combo.count())] == ["kaiser_fast", "soxr_vhq"]
    combo.setCurrentIndex(combo.findData("soxr_vhq"))
    win.model_panel.set_threshold(0.5)
    _run(qtbot, win, "energy")
    record = win.session.provenance
    assert record["settings"]["resampler"] == "soxr_vhq"
    assert record["effective"]["resampler"] == "soxr_vhq"
    assert record["effective"]["resampler_detail"].startswith("soxr ")


def test_channel_choice_reaches_the_run(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    rate = 32000
    t = np.arange(rate * 6) / rate
    quiet = 0.001 * np.random.default_rng(0).standard_normal(t.size)
    loud = quiet.copy()
    burst = (t >= 2.2) & (t < 2.8)
    loud[burst] += 0.3 * np.sin(2 * np.pi * 5000 * t[burst])
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([quiet, loud], axis=1).astype(np.float32), rate)
    win = window
    _open(qtbot, win, path)
    combo = win.model_panel.options.channel_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Mix all",
        "Channel 1",
        "Channel 2",
    ]
    win.model_panel.set_threshold(0.5)
    combo.setCurrentIndex(1)  # channel 1: silence
    _run(qtbot, win, "energy")
    assert win.review.visible() == []
    assert "channel 1" in win.model_panel.provenance_label.text()
    combo.setCurrentIndex(2)  # channel 2: the call
    _run(qtbot, win, "energy")
    assert [int(d.start) for d in win.review.visible()] == [2]


def test_visible_part_only(qtbot, window: MainWindow, calls_wav: Path) -> None:
    win = window
    _open(qtbot, win, calls_wav)
    win.view.set_visible_range(4.0, 8.0)
    start, end = win.view.visible_range()
    win.model_panel.options.range_check.setChecked(True)
    _run(qtbot, win, "energy")
    windows = _windows(win)
    assert windows[0][0] == pytest.approx(start)
    assert windows[-1][1] >= end - 1e-6 and windows[-1][0] < end
    assert len(windows) == int(np.ceil(end - start - 1e-9))


def test_a_bad_species_list_is_reported(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "list.txt"
    path.write_text("Setophaga fusca\nthis is no species\n", encoding="utf-8")
    with qtbot.waitSignal(window.error_reported, timeout=5_000) as blocker:
        assert not window.model_panel.options.set_species_list(path)
    assert "list.txt, line 2" in blocker.args[0]
    assert window.model_panel.options.species is None


@pytest.fixture
def birds() -> Path:
    if not BIRDS.is_file():
        pytest.skip(
            f"test recording {BIRDS} not present (it lives beside the checkout)"
        )
    return BIRDS


def _species(win: MainWindow) -> set[str]:
    return {d.scientific_name for d in win.review.visible()}


def test_species_list_and_location_restrict_birdnet(
    qtbot, window: MainWindow, birds: Path, tmp_path: Path
) -> None:
    win = window
    _open(qtbot, win, birds)
    win.model_panel.set_threshold(0.1)
    options = win.model_panel.options
    listed = tmp_path / "site.txt"
    listed.write_text(
        "Setophaga fusca_Blackburnian Warbler\nLeiothlypis peregrina_Tennessee Warbler\n",
        encoding="utf-8",
    )
    assert options.set_species_list(listed)
    assert options.species_label.text() == "2 from site.txt"
    _run(qtbot, win, "birdnet")
    assert _species(win) == {"Setophaga fusca", "Leiothlypis peregrina"}
    assert "2 listed species" in win.model_panel.provenance_label.text()

    options.clear_species_list()
    options.set_location(-33.87, 151.21)  # Sydney, all year
    _run(qtbot, win, "birdnet")
    assert not (_species(win) & WARBLERS)
    assert (
        "location -33.87, 151.21, all year" in win.model_panel.provenance_label.text()
    )

    options.set_location(40.44, -79.99, week=18)  # Pittsburgh, early May
    _run(qtbot, win, "birdnet")
    assert WARBLERS <= _species(win)
    filters = win.session.provenance["filters"]
    assert filters["location"]["week"] == 18 and filters["location"]["applied"]
