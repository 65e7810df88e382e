"""Precision per species in the real window: the plot, Apply, save, load, clear, persist."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from soundevent import data, terms

from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.review import Status
from tests.conftest import open_main_window, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NAMES = {"Turdus merula": "Eurasian Blackbird", "Parus major": "Great Tit"}
#: (species, score, verdict) — one 3 s window each, a second apart.
ROWS = [
    ("Turdus merula", 0.9, Status.ACCEPTED),
    ("Turdus merula", 0.8, Status.ACCEPTED),
    ("Turdus merula", 0.7, Status.REJECTED),
    ("Turdus merula", 0.6, Status.ACCEPTED),
    ("Turdus merula", 0.4, Status.REJECTED),
    ("Turdus merula", 0.3, None),
    ("Parus major", 0.6, Status.REJECTED),
    ("Parus major", 0.35, None),
    ("Parus major", 0.3, None),
]
# Blackbird: precision above 0.9, 0.8, 0.7, 0.6, 0.4 = 1, 1, 2/3, 3/4, 3/5,
# so 0.9 is reached from 0.8 up. Great tit: its one verdict is wrong; no threshold.


def predictions(recording: data.Recording) -> list[data.ClipPrediction]:
    return [
        data.ClipPrediction(
            clip=data.Clip(recording=recording, start_time=float(i), end_time=i + 3.0),
            tags=[
                data.PredictedTag(
                    tag=data.Tag(term=terms.scientific_name, value=name), score=score
                )
            ],
        )
        for i, (name, score, _v) in enumerate(ROWS)
    ]


@pytest.fixture
def win(qtbot, calls_wav: Path):
    win = open_main_window(qtbot, calls_wav, timeout=10_000)
    win.model_panel.set_threshold(0.25)
    win.session.set_common_names(NAMES)
    win.session.add_predictions(predictions(win.session.recordings[0]))
    win.review.refresh()
    for d in win.session.select(None):
        verdict = next(v for n, s, v in ROWS if n == d.scientific_name and s == d.score)
        if verdict is not None:
            win.session.set_status([d.id], verdict)
    yield win
    win.close()


def listed(win: MainWindow) -> set[tuple[str, float]]:
    """(species, score) of the table's rows; the overlays must draw the same."""
    table = {(d.scientific_name, d.score) for d in win.review.visible()}
    rows = {
        (
            win.table.source.detection(r).scientific_name,
            win.table.source.detection(r).score,
        )
        for r in range(win.table.source.rowCount())
    }
    drawn = {
        (win.session.get(i).scientific_name, win.session.get(i).score)
        for i in win.overlay.detection_ids
    }
    assert rows == table == drawn
    return rows


def open_dialog(qtbot, win: MainWindow):
    with qtbot.waitSignal(win.review_actions.dialog_shown, timeout=2_000) as shown:
        win.review_actions.precision_action.trigger()
    return shown.args[0]


def click_species(qtbot, dialog, common_name: str) -> None:
    table = dialog.table
    row = next(
        r for r in range(table.rowCount()) if table.item(r, 0).text() == common_name
    )
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_plot_shows_the_chosen_species_curve_and_follows_verdicts(
    qtbot, win: MainWindow
):
    dialog = open_dialog(qtbot, win)
    plot = dialog.plot
    click_species(qtbot, dialog, "Eurasian Blackbird")
    assert dialog.selected_species == "Turdus merula"
    x, y = plot.curve_data()
    # Steps over ascending thresholds: below 0.4 all five verdicts count (3/5).
    assert x.tolist() == pytest.approx([0.0, 0.4, 0.6, 0.7, 0.8, 0.9])
    assert y.tolist() == pytest.approx([3 / 5, 3 / 4, 2 / 3, 1.0, 1.0])
    assert plot.target_line.value() == pytest.approx(0.9)
    assert (
        plot.threshold_line.isVisible()
        and plot.threshold_line.value() == pytest.approx(0.8)
    )
    # The list uses the slider for it now: drawn dotted at 0.25.
    assert plot.in_use_line.isVisible() and plot.in_use_line.value() == pytest.approx(
        0.25
    )
    # All six blackbird detections (not only the reviewed) are counted below.
    kx, ky = plot.kept_item.xData, plot.kept_item.yData
    assert ky.max() == 6 and kx[0] == pytest.approx(0.0)
    assert "0.800" in dialog.explanation.text()
    assert "keeps 2 of its 6 detections" in dialog.explanation.text()

    # Asking for 3 verdicts above a threshold: the blackbird's 0.8 rests on 2, so none.
    dialog.min_reviewed.setValue(3)
    assert dialog.rows()[0][5] == "—" and not plot.threshold_line.isVisible()
    assert "with at least 3 verdicts above it" in dialog.explanation.text()
    dialog.min_reviewed.setValue(1)

    # A species whose verdicts never reach the target: a curve, no marker, words.
    click_species(qtbot, dialog, "Great Tit")
    assert dialog.selected_species == "Parus major"
    assert dialog.rows()[1][5] == "—"
    assert plot.curve_data()[1].tolist() == [0.0]
    assert not plot.threshold_line.isVisible()
    assert "No threshold reaches a precision of 0.90" in dialog.explanation.text()

    # Live: a new verdict on the blackbird at 0.3 redraws its curve.
    click_species(qtbot, dialog, "Eurasian Blackbird")
    low = next(
        d
        for d in win.session.select(None)
        if d.score == 0.3 and d.scientific_name == "Turdus merula"
    )
    win.review.select(low.id)
    win.accept_action.trigger()
    qtbot.waitUntil(lambda: len(plot.curve_data()[1]) == 6, timeout=3_000)
    assert plot.curve_data()[1][0] == pytest.approx(4 / 6)
    assert dialog.selected_species == "Turdus merula"  # the choice survives the refresh
    dialog.close()


def test_no_verdicts_shows_no_curve_and_says_why(qtbot, win: MainWindow):
    win.session.set_status([d.id for d in win.session.select(None)], Status.UNREVIEWED)
    dialog = open_dialog(qtbot, win)
    assert dialog.rows() == []
    assert len(dialog.plot.curve_data()[0]) == 0
    assert dialog.plot.message.isVisible()
    assert "No verdicts yet" in dialog.explanation.text()
    assert (
        "2 species with detections but no counted verdict"
        in dialog.unreviewed_label.text()
    )
    assert not dialog.apply_button.isEnabled() and not dialog.save_button.isEnabled()
    dialog.close()


def test_apply_save_load_and_clear(qtbot, win: MainWindow, tmp_path: Path, monkeypatch):
    everything = listed(win)
    assert len(everything) == 9
    dialog = open_dialog(qtbot, win)
    # Apply: the blackbird keeps only scores >= its own 0.8; the tit follows the slider.
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert win.review.species_thresholds == {"Turdus merula": 0.8}
    applied = listed(win)
    assert {s for n, s in applied if n == "Turdus merula"} == {0.9, 0.8}
    assert {s for n, s in applied if n == "Parus major"} == {0.6, 0.35, 0.3}
    label = win.model_panel.species_label.text()
    assert label == "1 species from precision ≥ 0.90; others use the slider."
    # The slider no longer moves the blackbird, only the others.
    win.model_panel.set_threshold(0.85)
    assert {s for n, s in listed(win) if n == "Turdus merula"} == {0.9, 0.8}
    assert not [1 for n, _s in listed(win) if n == "Parus major"]
    win.model_panel.set_threshold(0.25)
    # The dialog now draws the blackbird's threshold in use at 0.8.
    dialog.refresh()
    assert dialog.plot.in_use_line.value() == pytest.approx(0.8)

    # Save the CSV (in the window's runner), clear, load it back: the same list.
    path = tmp_path / "thresholds.csv"
    with qtbot.waitSignal(dialog.saved, timeout=5_000):
        dialog.save(path)
    with open(path, newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert [(r["scientific_name"], r["threshold"]) for r in table] == [
        ("Turdus merula", "0.8"),
        ("Parus major", ""),
    ]
    qtbot.mouseClick(win.model_panel.species_clear_button, Qt.MouseButton.LeftButton)
    assert win.review.species_thresholds == {}
    assert listed(win) == everything
    assert (
        win.model_panel.species_label.text() == "None: every species uses the slider."
    )
    assert not win.model_panel.species_clear_button.isEnabled()

    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), "Thresholds")
    )
    with qtbot.waitSignal(win.species_thresholds.changed, timeout=5_000):
        qtbot.mouseClick(win.model_panel.species_load_button, Qt.MouseButton.LeftButton)
    assert listed(win) == applied
    assert (
        win.model_panel.species_label.text()
        == "1 species from thresholds.csv; others use the slider."
    )
    assert "Turdus merula: 0.800" in win.model_panel.species_label.toolTip()
    dialog.close()


def test_hand_made_csv_with_other_header_applies(
    qtbot, win: MainWindow, tmp_path: Path
):
    path = tmp_path / "mine.csv"
    path.write_text(
        "Threshold;Scientific name\n0,65;Parus major\n0,95;Turdus merula\n",
        encoding="utf-8",
    )
    with qtbot.waitSignal(win.species_thresholds.changed, timeout=5_000):
        win.species_thresholds.load(path)
    assert win.review.species_thresholds == {"Parus major": 0.65, "Turdus merula": 0.95}
    assert listed(win) == set()  # nothing scores that high
    assert win.model_panel.species_label.text().startswith("2 species from mine.csv")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "name,score\nTurdus merula,0.5\n",
            "needs a 'scientific_name' and a 'threshold' column",
        ),
        (
            "scientific_name,threshold\nTurdus merula,high\n",
            "line 2: threshold 'high' is not a number",
        ),
    ],
)
def test_malformed_csv_is_reported_and_nothing_is_lost(
    qtbot, win: MainWindow, tmp_path: Path, text, problem
):
    win.species_thresholds.apply({"Turdus merula": 0.8}, "good.csv")
    before = listed(win)
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with qtbot.waitSignal(win.error_reported, timeout=5_000) as reported:
        win.species_thresholds.load(bad)
    message = reported.args[0]
    assert str(bad) in message and problem in message
    assert win.isVisible()
    assert win.review.species_thresholds == {"Turdus merula": 0.8}
    assert listed(win) == before
    assert win.model_panel.species_label.text().startswith("1 species from good.csv")


def test_missing_file_is_reported(qtbot, win: MainWindow, tmp_path: Path):
    missing = tmp_path / "nowhere.csv"
    with qtbot.waitSignal(win.error_reported, timeout=5_000) as reported:
        win.species_thresholds.load(missing)
    assert str(missing) in reported.args[0]
    assert win.review.species_thresholds == {}


def test_save_failure_is_reported(qtbot, win: MainWindow, tmp_path: Path):
    dialog = open_dialog(qtbot, win)
    (tmp_path / "a file").write_text("not a folder")
    target = tmp_path / "a file" / "t.csv"
    with qtbot.waitSignal(win.error_reported, timeout=5_000) as reported:
        dialog.save(target)
    assert str(target) in reported.args[0]
    assert not target.exists()
    dialog.close()


def test_project_remembers_applied_thresholds(qtbot, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("AUDIOCLASS_GUI_CONFIG_DIR", str(tmp_path / "settings"))
    root = tmp_path / "site"
    root.mkdir()
    write_calls(root / "a.wav")

    def open_window() -> MainWindow:
        win = MainWindow()
        qtbot.addWidget(win)
        win.show()
        with qtbot.waitSignal(win.projects.project_opened, timeout=20_000):
            win.open_path(root)
        return win

    first = open_window()
    assert first.review.species_thresholds == {}
    first.species_thresholds.apply(
        {"Turdus merula": 0.8, "Parus major": 0.4}, "thresholds.csv"
    )
    first.close()

    second = open_window()
    assert second.review.species_thresholds == {
        "Turdus merula": 0.8,
        "Parus major": 0.4,
    }
    assert (
        second.model_panel.species_label.text()
        == "2 species from thresholds.csv; others use the slider."
    )
    qtbot.mouseClick(second.model_panel.species_clear_button, Qt.MouseButton.LeftButton)
    second.close()

    third = open_window()
    assert third.review.species_thresholds == {}
    # Thresholds loaded before a project opens (as --thresholds does) win and are kept.
    third.close()
    fourth = MainWindow()
    qtbot.addWidget(fourth)
    fourth.show()
    fourth.species_thresholds.apply({"Parus major": 0.5}, "cli.csv")
    with qtbot.waitSignal(fourth.projects.project_opened, timeout=20_000):
        fourth.open_path(root)
    assert fourth.review.species_thresholds == {"Parus major": 0.5}
    fourth.close()
    fifth = open_window()
    assert fifth.review.species_thresholds == {"Parus major": 0.5}
    fifth.close()


def test_plot_data_is_exact_with_many_detections(qtbot, win: MainWindow):
    """The kept curve counts every detection at or above each threshold."""
    dialog = open_dialog(qtbot, win)
    click_species(qtbot, dialog, "Eurasian Blackbird")
    kx, ky = dialog.plot.kept_item.xData, dialog.plot.kept_item.yData
    # Over [x_i, x_i+1) the count is that of scores >= x_i+1.
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.4, 0.3])
    for left, right, count in zip(kx[:-1], kx[1:], ky, strict=True):
        assert count == (scores >= right - 1e-12).sum(), (left, right)
    dialog.close()
