"""Every text of the window describes what is shown now (issue 12).

Each test drives the real window (offscreen) the way a reviewer does: it
runs the energy detector on generated recordings, opens another file,
moves the threshold, pages, and checks that the Model panel, the overview,
the Playback panel, the table and the dialogs say what is true at that
moment, not what was true when a text was first set.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from audioclass_gui.qt.main_window import MainWindow
from tests.conftest import open_main_window, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SHOTS = Path("/tmp/audioclass-gui-stale-texts")


def shot(win, name: str) -> None:
    """Save a screenshot to look at (``/tmp/audioclass-gui-stale-texts/NAME.png``)."""
    SHOTS.mkdir(exist_ok=True)
    assert win.grab().save(str(SHOTS / f"{name}.png"))


def run_energy(qtbot, win: MainWindow) -> None:
    win.model_panel.set_model("energy")
    with qtbot.waitSignal(win.run_finished, timeout=60_000):
        win.run_model("energy")
    qtbot.waitUntil(lambda: not win.projects.run_saver.pending, timeout=20_000)


def open_in(qtbot, win: MainWindow, path: Path) -> None:
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.open_path(path)


def listed_here(win: MainWindow) -> int:
    """Detections of the open recording at the thresholds, counted from the session."""
    f = win.review.threshold_filter()
    return int(np.count_nonzero(f.mask(win.session)))


# ------------------------------------------------------------ Model panel


def test_the_finish_text_goes_when_another_recording_opens(qtbot, tmp_path: Path):
    a = write_calls(tmp_path / "a.wav", duration=12.0)
    b = write_calls(tmp_path / "b.wav", duration=8.0, calls=((2.2, 2.8, 5000.0),))
    win = open_main_window(qtbot, a, threshold=0.5)
    panel = win.model_panel
    run_energy(qtbot, win)
    assert panel.progress.format().startswith("Finished in ")
    assert panel.status.text() == "Finished: 3 detections at or above 0.50."
    assert panel.provenance_label.text().startswith("Run: Band energy")

    open_in(qtbot, win, b)
    # Nothing of a.wav's run is said while b.wav is shown.
    assert panel.progress.format() == "" and panel.progress.value() == 0
    assert panel.status.text() == "No detections yet: pick a model and press Run."
    assert panel.provenance_label.text() == ""
    shot(win, "another-recording")

    open_in(qtbot, win, a)  # back: its run is said again, counted now
    assert panel.progress.format().startswith("Finished in ")
    assert panel.status.text() == "Finished: 3 detections at or above 0.50."
    win.close()


def test_the_count_follows_the_threshold_and_per_species_thresholds(qtbot, calls_wav: Path):
    win = open_main_window(qtbot, calls_wav, threshold=0.5)
    panel = win.model_panel
    run_energy(qtbot, win)
    assert panel.status.text() == "Finished: 3 detections at or above 0.50."

    panel.set_threshold(0.05)
    low = listed_here(win)
    assert low == len(win.review.visible()) and low > 3
    assert panel.status.text() == f"Finished: {low} detections at or above 0.05."

    panel.set_threshold(0.5)
    species = win.review.visible()[0].scientific_name
    win.species_thresholds.apply({species: 0.1}, "test")  # its own, below the slider
    own = listed_here(win)
    assert own == len(win.review.visible()) > 3
    assert panel.status.text() == (
        f"Finished: {own} detection{'s' if own != 1 else ''} at or above 0.50 "
        "(1 species with its own threshold)."
    )
    win.species_thresholds.clear()
    assert panel.status.text() == "Finished: 3 detections at or above 0.50."
    shot(win, "threshold-count")
    win.close()


# --------------------------------------------------------------- overview


def test_the_overview_marker_takes_the_new_recordings_length(qtbot, tmp_path: Path):
    short = write_calls(tmp_path / "short.wav", duration=6.0, samplerate=16000)
    long = write_calls(tmp_path / "long.wav", duration=60.0, samplerate=16000)
    win = open_main_window(qtbot, short)
    assert win.timeline.region.getRegion() == pytest.approx((0.0, 6.0))
    open_in(qtbot, win, long)
    shown = win.view.visible_range()
    assert shown == pytest.approx((0.0, 20.0))  # the first view of a long recording
    assert win.timeline.region.getRegion() == pytest.approx(shown)
    open_in(qtbot, win, short)
    assert win.timeline.region.getRegion() == pytest.approx((0.0, 6.0))
    win.close()


# ------------------------------------------------------------------- view


def test_the_view_stays_where_the_reviewer_paged_during_a_run(qtbot, tmp_path: Path):
    calls = tuple((t, t + 0.6, 4000.0) for t in (1.2, 9.1, 31.2, 38.4, 52.0))
    rec = write_calls(tmp_path / "minute.wav", duration=60.0, samplerate=16000, calls=calls)
    win = open_main_window(qtbot, rec, threshold=0.5)
    win.model_panel.set_model("energy")
    with qtbot.waitSignal(win.run_finished, timeout=60_000):
        win.run_model("energy")
        win.view.set_visible_range(30.0, 50.0)  # the reviewer pages on while it runs
    qtbot.wait(200)
    assert win.view.visible_range() == pytest.approx((30.0, 50.0))
    assert win.timeline.region.getRegion() == pytest.approx((30.0, 50.0))
    # The detection selected for the keys is one the reviewer sees.
    d = win.review.selected
    assert d is not None and 30.0 <= d.start < 50.0
    shot(win, "paged-during-run")
    win.close()


# --------------------------------------------------------------- Playback


def visible_dashes(win: MainWindow) -> list[QLabel]:
    """Labels shown with only a dash: text with no role."""
    return [
        lab
        for lab in win.findChildren(QLabel)
        if lab.isVisible() and lab.text().strip() in {"-", "–", "—"}
    ]


def test_no_stray_dash_in_the_playback_panel(qtbot, calls_wav: Path):
    win = open_main_window(qtbot, calls_wav)
    bar = win.playback_bar
    assert visible_dashes(win) == []
    assert bar.time_label.text() == ""  # nothing plays: no position to show
    assert not bar.low_spin.isVisible()  # the custom band only when chosen
    bar.band_combo.setCurrentIndex(bar.band_combo.findData("custom"))
    assert bar.low_spin.isVisible() and bar.high_spin.isVisible()
    bar.band_combo.setCurrentIndex(bar.band_combo.findData("full"))
    assert not bar.high_spin.isVisible()
    win.close()


def test_the_playback_panel_says_nothing_of_a_playback_that_ended(qtbot, tmp_path: Path):
    from PySide6.QtCore import Qt

    from audioclass_gui.audio.playback import PlaybackEngine
    from tests.test_playback_engine import Factory

    a = write_calls(tmp_path / "a.wav", duration=12.0)
    b = write_calls(tmp_path / "b.wav", duration=8.0, samplerate=16000)
    win = MainWindow(playback_engine=PlaybackEngine(Factory(pace=2.0)))
    qtbot.addWidget(win)
    win.show()
    win.model_panel.set_threshold(0.5)
    open_in(qtbot, win, a)
    run_energy(qtbot, win)
    bar = win.playback_bar
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "32 kHz" in bar.info_label.text(), timeout=5_000)
    qtbot.waitUntil(lambda: bar.time_label.text().endswith(" s"), timeout=5_000)
    open_in(qtbot, win, b)  # stops the playback of a.wav
    qtbot.waitUntil(lambda: win.playback.state == "stopped", timeout=5_000)
    assert bar.info_label.text() == "" and bar.time_label.text() == ""
    win.close()


# ------------------------------------------------------------ time format


def test_the_table_tooltips_and_playback_write_times_as_the_axis(qtbot, tmp_path: Path):
    from PySide6.QtCore import Qt

    # The file name gives the start time: the axis reads the time of day.
    rec = write_calls(tmp_path / "SITE_20240601_071500.wav", duration=12.0)
    win = open_main_window(qtbot, rec, threshold=0.5)
    run_energy(qtbot, win)
    table = win.table.source
    first = table.detection(0)
    assert first.start == pytest.approx(1.0)
    cell = table.data(table.index(0, 0))
    assert cell == "07:15:01.0"
    assert win.view.time_format.kind == "clock"
    # The axis writes that moment the same way, by the same function.
    assert win.view.time_axis.tickStrings([first.start], 1.0, 0.1) == [cell]
    assert win.timeline.time_axis.tickStrings([first.start], 1.0, 0.1) == [cell]
    assert table.data(table.index(0, 1)) == "07:15:02.0"
    view = win.table
    metrics = view.fontMetrics()
    assert view.columnWidth(0) > metrics.horizontalAdvance(cell)  # shown whole
    span = "07:15:01.0–07:15:02.0"
    assert span in table.data(table.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    win.review.select(first.id)
    qtbot.waitUntil(lambda: first.id in win.overlay.detection_ids, timeout=5_000)
    assert span in win.overlay.label_item(first.id).toolTip()
    win.playback_bar.set_position(1.5)
    assert win.playback_bar.time_label.text() == "07:15:01.5"
    shot(win, "clock-time")
    # A run over the visible part names that part in the same format.
    win.model_panel.options.range_check.setChecked(True)
    win.view.set_visible_range(2.0, 6.0)
    run_energy(qtbot, win)
    assert win.model_panel.provenance_label.text().endswith(", 07:15:02.0–07:15:06.0")
    win.model_panel.options.range_check.setChecked(False)

    # A recording without a start time: seconds everywhere, as on its axis.
    plain = write_calls(tmp_path / "plain.wav", duration=12.0)
    open_in(qtbot, win, plain)
    run_energy(qtbot, win)
    assert win.view.time_format.kind == "seconds"
    assert table.data(table.index(0, 0)) == "1.00"
    assert "1.00–2.00 s" in table.data(table.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    win.playback_bar.set_position(1.5)
    assert win.playback_bar.time_label.text() == "1.50 s"
    win.close()


# ------------------------------------------------------------------ texts


@pytest.fixture
def scored_project(tmp_path: Path, reviewer_settings) -> Path:
    """A project whose blackbird scores leave the middle score bins empty."""
    from tests.conftest import write_birdnet_csv

    reviewer_settings("Ana")
    root = tmp_path / "site"
    root.mkdir()
    audio = write_calls(root / "a.wav", duration=30.0, samplerate=16000)
    scores = (0.30, 0.32, 0.35, 0.9, 0.95, 0.97, 0.99)
    rows = [
        (3 * i, 3 * i + 3, "Turdus merula", "Eurasian Blackbird", score)
        for i, score in enumerate(scores)
    ]
    write_birdnet_csv(root / "a.BirdNET.results.csv", audio, rows)
    return root


def test_the_sample_preview_shows_one_number_per_score_bin(qtbot, scored_project: Path):
    from tests.conftest import open_main_window as open_window

    win = open_window(qtbot, scored_project, threshold=0.25)
    with qtbot.waitSignal(win.sampling.dialog_shown, timeout=5_000) as shown:
        win.sampling.sample_action.trigger()
    dialog = shown.args[0]
    dialog.per_species.setValue(20)
    dialog.bins.setValue(4)
    dialog.floor.setValue(0.25)
    dialog.update_preview()
    preview = dialog.preview
    headers = [preview.horizontalHeaderItem(c).text() for c in range(preview.columnCount())]
    # Four bins, four columns, each headed by its range (two empty bins included;
    # three decimals where two would not tell the edges as they are).
    assert headers == [
        "Species", "Detections", "Will draw",
        "0.250–0.438", "0.438–0.625", "0.625–0.812", "0.812–1.000",
        "Already reviewed",
    ]  # fmt: skip
    assert [preview.item(0, c).text() for c in range(3, 7)] == ["3", "0", "0", "4"]
    assert preview.item(0, 4).toolTip() == "Scores 0.438–0.625: 0 of 0 detections drawn"
    assert "4 score bins" in dialog.total.text()
    qtbot.wait(50)  # the dialog takes the width the bin columns need
    header = preview.horizontalHeader()
    assert header.length() <= preview.viewport().width()
    assert all(header.sectionSize(c) >= header.sectionSizeHint(c) for c in range(len(headers)))
    SHOTS.mkdir(exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "sample-bins.png"))
    dialog.close()
    win.close()


def test_precision_texts_are_not_clipped(qtbot, calls_wav: Path):
    from soundevent import data, terms

    from audioclass_gui.review import Status

    names = {
        "Sitta carolinensis": "White-breasted Nuthatch",
        "Campylorhynchus albobrunneus": "White-headed Wren of the Darien Lowland Forests",
    }
    rows = [
        ("Sitta carolinensis", 0.97, Status.ACCEPTED),
        ("Sitta carolinensis", 0.9, Status.REJECTED),
        ("Sitta carolinensis", 0.5, Status.REJECTED),
        ("Campylorhynchus albobrunneus", 0.6, Status.ACCEPTED),
        ("Campylorhynchus albobrunneus", 0.4, Status.REJECTED),
    ]
    win = open_main_window(qtbot, calls_wav, threshold=0.25)
    win.session.set_common_names(names)
    recording = win.session.recordings[0]
    win.session.add_predictions(
        [
            data.ClipPrediction(
                clip=data.Clip(recording=recording, start_time=float(i), end_time=i + 3.0),
                tags=[data.PredictedTag(tag=data.Tag(term=terms.scientific_name, value=n), score=s)],
            )
            for i, (n, s, _v) in enumerate(rows)
        ]
    )
    for d in win.session.select(None):
        verdict = next(v for n, s, v in rows if n == d.scientific_name and s == d.score)
        win.session.set_status([d.id], verdict)
    win.model_panel.set_threshold(0.95)  # "in use" near the right edge too
    dialog = win.review_actions.show_precision()
    qtbot.waitExposed(dialog)
    assert dialog.select_species("Sitta carolinensis")
    qtbot.wait(100)
    plot = dialog.plot
    assert plot.threshold_line.value() == pytest.approx(0.97)
    inside = plot.top.getViewBox().sceneBoundingRect()
    for line in (plot.threshold_line, plot.in_use_line):
        label = line.label.sceneBoundingRect()
        assert inside.contains(label), (line.label.toPlainText(), label, inside)
    # Every column of the table is whole; a long name is elided, in full in its tooltip.
    table = dialog.table
    assert table.horizontalHeader().length() <= table.viewport().width()
    row = next(r for r in range(table.rowCount()) if "Darien" in table.item(r, 0).text())
    assert "Darien Lowland Forests (Campylorhynchus albobrunneus)" in table.item(row, 0).toolTip()
    assert table.columnWidth(0) < table.sizeHintForColumn(0)  # elided, deliberately
    assert dialog.select_species("Campylorhynchus albobrunneus")
    qtbot.wait(100)
    # A long title does not push the plot past its right edge.
    assert plot.top.sceneBoundingRect().right() <= plot.width() + 1
    assert plot.toolTip().startswith("White-headed Wren of the Darien")
    assert dialog.grab().save(str(SHOTS / "precision.png"))
    dialog.close()
    # The Species panel elides a long name on one line and names it in full.
    panel = win.species_panel.panel.table
    full = "White-headed Wren of the Darien Lowland Forests (Campylorhynchus albobrunneus)"
    win.model_panel.set_threshold(0.25)  # the wren listed again
    qtbot.waitUntil(
        lambda: full in [panel.item(r, 0).toolTip() for r in range(panel.rowCount())],
        timeout=5_000,
    )
    assert not panel.wordWrap()
    win.close()
