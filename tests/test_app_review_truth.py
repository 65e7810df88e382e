"""The review views tell the truth: table rows, boxes, labels and counts agree with the session.

Each test drives the real window (offscreen) the way a reviewer does: keys
on the table, the species panel, the threshold, undo and redo, running the
model again, switching recordings; then it reads what the window shows (the
table's cells and tooltips, the box and label items on the spectrogram, the
counts) and checks it against what the session holds.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit

from audioclass_gui.qt.common.style import STATUS_TEXT, status_color
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.qt.review.detection_table_model import ID_ROLE
from audioclass_gui.qt.review.overlay_items import (
    ELLIPSIS,
    GAP,
    DetectionBox,
    DetectionLabel,
)
from audioclass_gui.qt.review.overlays import DENSITY, TICKS
from audioclass_gui.review import Status
from audioclass_gui.review.shown import shown
from tests.conftest import open_main_window, write_birdnet_csv, write_calls
from tests.test_app_relabel import NAMES, predictions

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SHOTS = Path("/tmp/audioclass-gui-review-truth")
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def shot(win: MainWindow, name: str) -> None:
    """Save what the window shows (look at these PNGs when changing a view)."""
    SHOTS.mkdir(exist_ok=True)
    win.grab().save(str(SHOTS / f"{name}.png"))


def press(qtbot, win: MainWindow, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    win.activateWindow()
    win.table.setFocus()
    qtbot.keyClick(win.table, key, modifier)


def press_for_dialog(qtbot, win: MainWindow, key: Qt.Key):
    win.activateWindow()
    win.table.setFocus()
    with qtbot.waitSignal(win.review_actions.dialog_shown, timeout=2_000) as shown_:
        qtbot.keyClick(win.table, key)
    return shown_.args[0]


def run_energy(qtbot, win: MainWindow) -> None:
    win.model_panel.set_model("energy")
    with qtbot.waitSignal(win.run_finished, timeout=60_000):
        win.run_model("energy")
    qtbot.waitUntil(lambda: not win.projects.run_saver.pending, timeout=20_000)


def settle(qtbot, win: MainWindow) -> None:
    """Let streamed detections and debounced redraws land."""
    win.review._refresh_timer.flush()  # a refresh still due runs now
    qtbot.wait(5)


def row_texts(win: MainWindow, det_id: int) -> dict[str, str]:
    """The cells (and the tooltip) of a detection's row, by column title."""
    src = win.table.source
    row = src.row_of(det_id)
    assert row is not None, f"detection {det_id} is not listed"
    cells = {
        src.headerData(c, Qt.Orientation.Horizontal): src.data(src.index(row, c))
        for c in range(src.columnCount())
    }
    cells["tooltip"] = src.data(src.index(row, 2), Qt.ItemDataRole.ToolTipRole)
    return cells


def overlay_items(win: MainWindow) -> tuple[dict[int, list], dict[int, list]]:
    """Visible boxes and every label item on the spectrogram, by detection id."""
    boxes: dict[int, list] = {}
    labels: dict[int, list] = {}
    for item in win.view.plot.getViewBox().addedItems:
        if isinstance(item, DetectionBox) and item.isVisible():
            boxes.setdefault(item.detection_id, []).append(item)
        elif isinstance(item, DetectionLabel) and (item.isVisible() or item.detection_id >= 0):
            labels.setdefault(item.detection_id, []).append(item)
    return boxes, labels


def label_consistent(label: DetectionLabel) -> bool:
    """What a label shows is its full text, the species elided and the score, or the score."""
    text = label.toPlainText()
    if text in (label.full_text, label.short_text, label.short_text.split(" ")[0]):
        return True
    score = f"{GAP}{label.score_text}"
    species = text[: -len(score)]
    return (
        text.endswith(score)
        and species.endswith(ELLIPSIS)
        and label.species_text.startswith(species[:-1].rstrip())
    )


def crowded_out(win: MainWindow, label: DetectionLabel, labels: dict[int, list]) -> bool:
    """A hidden label is right to hide: a label shown at its height starts too close after it."""
    seconds_per_px = win.view.plot.getViewBox().viewPixelSize()[0]
    needed = label.width_of(label.short_text.split(" ")[0]) * seconds_per_px
    x, y = label.pos().x(), label.pos().y()
    return any(
        other.isVisible()
        and other.pos().y() == y
        and tuple(other.anchor) == tuple(label.anchor)
        and x <= other.pos().x() < x + needed
        for items in labels.values()
        for other in items
        if other is not label
    )


def assert_views_agree(win: MainWindow) -> int:
    """Every listed detection of the open recording in view has one box and one label, and back.

    Both say the same species (the effective one), status and score as the
    table's row and the session (a view where boxes are drawn, not ticks).
    Returns how many were checked.
    """
    session = win.session
    x0, x1 = win.view.visible_range()
    open_path = str(Path(win.info.path).absolute())
    src = win.table.source
    listed = {}
    for row in range(src.rowCount()):
        det_id = src.data(src.index(row, 0), ID_ROLE)
        d = session.get(det_id)
        if str(Path(d.recording.path).absolute()) == open_path and d.end > x0 and d.start < x1:
            listed[det_id] = d
    boxes, labels = overlay_items(win)
    in_view = {
        i for i, items in boxes.items()
        if any(b.rect().right() > x0 and b.rect().left() < x1 for b in items)
    }
    assert in_view == set(listed), (
        f"listed without a box: {sorted(set(listed) - in_view)}, "
        f"boxes not listed: {sorted(in_view - set(listed))}"
    )
    shown_labels = {i for i, items in labels.items() if any(lab.isVisible() for lab in items)}
    assert shown_labels <= set(boxes), f"labels without a box: {sorted(shown_labels - set(boxes))}"
    for det_id, d in listed.items():
        truth = shown(session, d)
        cells = row_texts(win, det_id)
        assert len(boxes[det_id]) == 1, f"{d}: {len(boxes[det_id])} boxes"
        (box,) = boxes[det_id]
        assert len(labels.get(det_id, [])) == 1, f"{d}: {len(labels.get(det_id, []))} labels"
        (label,) = labels[det_id]
        assert label.isVisible() or crowded_out(win, label, labels), (
            f"{d} ({truth.status}): label {label.toPlainText()!r} at {label.pos().x():.2f} hidden"
            f" in {x0:.2f}–{x1:.2f}"
        )
        # Same place as the detection.
        rect = box.rect()
        assert rect.left() == pytest.approx(d.start) and rect.right() == pytest.approx(d.end)
        # The label at the box's left edge, or at the view's when the box starts before it.
        assert label.pos().x() == pytest.approx(x0 if d.start < x0 < d.end else d.start)
        # Same species: the table's cells, the label and the tooltips.
        assert cells["Species"] == truth.name
        assert cells["Scientific name"] == truth.scientific_name
        assert label.species_text.startswith(truth.name)
        assert label.toolTip() == cells["tooltip"]
        lines, wanted = cells["tooltip"].split("\n"), truth.tooltip().split("\n")
        assert lines[0] == wanted[0] and lines[2:] == wanted[2:]  # species, status, note
        assert lines[1].startswith(f"score {d.score:.3f} · ")  # then the time, as the axis writes it
        assert label_consistent(label), (label.toPlainText(), label.full_text)
        # Same score.
        assert cells["Score"] == f"{d.score:.3f}"
        assert label.score_text.split()[0] == f"{d.score:.2f}"
        # Same status: the row's text and colour, the box's and the label's colour.
        status = truth.status
        assert cells["Status"].startswith(
            "To review" if status is Status.UNREVIEWED and cells["Status"] != "—" else STATUS_TEXT[status]
        )
        wanted = status_color(status).rgb()
        row_colour = src.data(src.index(src.row_of(det_id), 5), Qt.ItemDataRole.BackgroundRole)
        assert (row_colour is None) if status is Status.UNREVIEWED else row_colour.color().rgb() == wanted
        assert box.pen().color().rgb() == wanted
        assert label.fill.color().rgb() == wanted
        assert (box.pen().widthF() > 1) == (det_id == (win.review.selected.id if win.review.selected else None))
    return len(listed)


# --------------------------------------------------------------------- relabel


@pytest.fixture
def relabel_window(qtbot, calls_wav: Path):
    win = open_main_window(qtbot, calls_wav, threshold=0.5, timeout=10_000)
    win.session.set_common_names(NAMES)
    win.session.add_predictions(predictions(win.session.recordings[0]))
    win.review.refresh()
    win.review.step(+1)
    yield win
    win.close()


def test_a_relabel_and_a_note_show_in_the_row_the_label_and_the_tooltip(qtbot, relabel_window):
    win = relabel_window
    first = win.review.selected
    assert first.scientific_name == "Turdus merula"
    assert row_texts(win, first.id)["Species"] == "Eurasian Blackbird"
    assert win.overlay.label_item(first.id).toPlainText().startswith("Eurasian Blackbird")

    # S, then 2: "it is a great tit".
    picker = press_for_dialog(qtbot, win, Qt.Key.Key_S)
    qtbot.keyClick(picker.search, Qt.Key.Key_2)
    assert win.session.verdict(first.id).label == "Parus major"
    cells = row_texts(win, first.id)
    assert cells["Species"] == "Great Tit"
    assert cells["Scientific name"] == "Parus major"
    assert cells["Status"] == "Accepted · was Eurasian Blackbird"
    assert "Great Tit (Parus major) (was Eurasian Blackbird (Turdus merula))" in cells["tooltip"]
    src = win.table.source
    assert src.data(src.index(src.row_of(first.id), 2), Qt.ItemDataRole.FontRole).italic()
    label = win.overlay.label_item(first.id)
    assert label.full_text == "Great Tit (was Eurasian Blackbird) 0.90"
    assert label.isVisible() and label.toPlainText().startswith("Great Tit")
    assert label.toolTip() == cells["tooltip"]
    assert assert_views_agree(win) == 3

    # N on the relabelled one: the note shows in the row, on the label, in the tooltip.
    win.table.select_detection(first.id)
    dialog = press_for_dialog(qtbot, win, Qt.Key.Key_N)
    edit = dialog.findChild(QLineEdit)
    edit.setText("faint, behind the wren")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    cells = row_texts(win, first.id)
    assert cells["Status"] == "Accepted · was Eurasian Blackbird · ✎ faint, behind the wren"
    assert cells["tooltip"].endswith("Note: faint, behind the wren")
    label = win.overlay.label_item(first.id)
    assert label.score_text == "0.90 ✎"
    assert label.toolTip() == cells["tooltip"]
    assert assert_views_agree(win) == 3
    shot(win, "relabel-and-note")

    # Undo the note, then the relabel: every view goes back; redo brings them again.
    press(qtbot, win, Qt.Key.Key_Z, CTRL)
    assert "✎" not in row_texts(win, first.id)["Status"]
    assert "Note" not in win.overlay.label_item(first.id).toolTip()
    press(qtbot, win, Qt.Key.Key_Z, CTRL)
    cells = row_texts(win, first.id)
    assert (cells["Species"], cells["Status"]) == ("Eurasian Blackbird", "—")
    assert win.overlay.label_item(first.id).full_text == "Eurasian Blackbird 0.90"
    assert "was" not in cells["tooltip"]
    assert assert_views_agree(win) == 3
    press(qtbot, win, Qt.Key.Key_Z, CTRL_SHIFT)
    assert row_texts(win, first.id)["Species"] == "Great Tit"
    assert win.overlay.label_item(first.id).species_text == "Great Tit (was Eurasian Blackbird)"
    press(qtbot, win, Qt.Key.Key_Z, CTRL_SHIFT)
    assert "✎ faint" in row_texts(win, first.id)["Status"]
    assert assert_views_agree(win) == 3


# ------------------------------------------------------- species review order

# (recording, start, scientific name, common name, confidence): by score the
# great tits go b0, a3, b6, a0, b3, a6; by start a0, b0, a3, b3, a6, b6.
TITS = {
    "a": [(0, 0.55), (3, 0.90), (6, 0.30)],
    "b": [(0, 0.95), (3, 0.40), (6, 0.70)],
}


@pytest.fixture
def site(tmp_path: Path, reviewer_settings) -> Path:
    """Two 9 s recordings, each with three great tits and a blackbird (BirdNET tables)."""
    reviewer_settings("Ida")
    root = tmp_path / "site"
    root.mkdir()
    for stem, tits in TITS.items():
        audio = write_calls(root / f"{stem}.wav", duration=9.0, samplerate=16000)
        rows = [(s, s + 3, "Parus major", "Great Tit", score) for s, score in tits]
        rows.append((3, 6, "Turdus merula", "Eurasian Blackbird", 0.6))
        write_birdnet_csv(root / f"{stem}.BirdNET.results.csv", audio, rows)
    return root


@pytest.fixture
def site_window(qtbot, site: Path):
    win = open_main_window(qtbot, site, threshold=0.25)
    assert win.projects.dialog is None, win.projects.project.problems
    yield win
    win.close()


def choose_species(qtbot, win: MainWindow, scientific_name: str) -> None:
    panel = win.species_panel.panel
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5_000)
    row = next(
        r for r in range(panel.table.rowCount())
        if panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole + 1) == scientific_name
    )
    qtbot.mouseClick(
        panel.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=panel.table.visualRect(panel.table.model().index(row, 0)).center(),
    )


def judge(qtbot, win: MainWindow, key: Qt.Key) -> int:
    """Press a verdict key; wait for the next detection's recording to show; the new row."""
    press(qtbot, win, key)
    nxt = win.review.selected
    qtbot.waitUntil(
        lambda: Path(win.info.path).absolute() == Path(nxt.recording.path).absolute(),
        timeout=20_000,
    )
    settle(qtbot, win)
    return win.table.source.row_of(nxt.id)


def test_species_review_follows_the_order_the_table_shows(qtbot, site_window):
    win = site_window
    choose_species(qtbot, win, "Parus major")
    src = win.table.source

    def where(row: int) -> tuple[str, float]:
        d = src.detection(row)
        return Path(d.recording.path).stem, d.start

    # Chosen: best score first, and the table says so (sorted by Score, descending).
    assert [where(r) for r in range(6)] == [
        ("b", 0.0), ("a", 3.0), ("b", 6.0), ("a", 0.0), ("b", 3.0), ("a", 6.0)
    ]
    header = win.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        4, Qt.SortOrder.DescendingOrder
    )

    # The reviewer sorts by Start: accepting goes down the table one row at a time.
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(0) + 5, header.height() // 2),
    )
    if header.sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:  # Qt kept the direction
        win.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert header.sortIndicatorSection() == 0
    assert [where(r) for r in range(6)] == [
        ("b", 0.0), ("a", 0.0), ("a", 3.0), ("b", 3.0), ("b", 6.0), ("a", 6.0)
    ]
    first = src.detection(0)
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.review.select(first.id)
    settle(qtbot, win)
    rows = [src.row_of(win.review.selected.id)]
    for _ in range(3):
        rows.append(judge(qtbot, win, Qt.Key.Key_A))
    assert rows == [0, 1, 2, 3]

    # Sorting again (best score last) while reviewing: "next" follows the new order.
    win.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    current = src.row_of(win.review.selected.id)
    expected = [
        r for r in [*range(current + 1, 6), *range(current)]
        if win.session.status(src.detection(r).id) is Status.UNREVIEWED
    ]
    row = judge(qtbot, win, Qt.Key.Key_R)
    assert row == expected[0]
    assert [win.session.status(src.detection(r).id) for r in range(6)].count(Status.UNREVIEWED) == 2


# -------------------------------------------------------------------- counts


def shown_counts(win: MainWindow) -> dict[str, int]:
    """The model panel's counts line, e.g. {"Accepted": 3, ..., "To review": 3}."""
    text = win.model_panel.counts.text()
    return {k: int(v) for k, v in (part.split(": ") for part in text.split(" · "))}


def listed_counts(win: MainWindow) -> dict[str, int]:
    """What the table lists, counted from the session's verdicts."""
    words = {**{s: STATUS_TEXT[s] for s in Status}, Status.UNREVIEWED: "To review"}
    counts = dict.fromkeys(words.values(), 0)
    for det_id in win.table.ordered_ids():
        counts[words[win.session.status(det_id)]] += 1
    return counts


def test_to_review_counts_the_list_in_a_species_review_and_in_a_sample(qtbot, site_window):
    from audioclass_gui.review.sample_plan import SampleSettings

    win = site_window
    # The open recording's great tits are all accepted, by key.
    here = Path(win.info.path).absolute()
    tits = [
        d for d in win.review.visible()
        if d.scientific_name == "Parus major" and Path(d.recording.path).absolute() == here
    ]
    for d in tits:
        win.table.select_detection(d.id)
        press(qtbot, win, Qt.Key.Key_A)
    assert shown_counts(win) == listed_counts(win) == {
        "Accepted": 3, "Rejected": 0, "Uncertain": 0, "To review": 1
    }
    # One species across both recordings: the other recording's three are open.
    choose_species(qtbot, win, "Parus major")
    assert len(win.table.ordered_ids()) == 6
    assert shown_counts(win) == listed_counts(win) == {
        "Accepted": 3, "Rejected": 0, "Uncertain": 0, "To review": 3
    }
    # A verdict counts at once.
    win.table.select_detection(win.table.ordered_ids()[0])
    qtbot.waitUntil(lambda: Path(win.info.path).absolute() == Path(
        win.review.selected.recording.path).absolute(), timeout=20_000)
    judge(qtbot, win, Qt.Key.Key_R)
    assert shown_counts(win) == listed_counts(win)
    assert shown_counts(win)["To review"] == 2

    # A verification sample of one per species: the counts are the sample's.
    with qtbot.waitSignal(win.sampling.mode_changed, timeout=20_000):
        win.sampling.build(SampleSettings(per_species=1, bins=1, floor=0.25, seed=3))
    settle(qtbot, win)
    assert len(win.table.ordered_ids()) == 2
    assert shown_counts(win) == listed_counts(win)
    assert sum(shown_counts(win).values()) == 2


# ------------------------------------------------ table and overlays agree


@pytest.fixture
def pair(tmp_path: Path, reviewer_settings) -> Path:
    """Two 12 s recordings with calls, each with a BirdNET table (two species share windows)."""
    reviewer_settings("Uma")
    root = tmp_path / "pair"
    root.mkdir()
    for stem, calls in (
        ("a", ((1.2, 1.8, 4000.0), (5.3, 5.9, 6000.0), (9.1, 9.6, 3000.0))),
        ("b", ((2.2, 2.9, 5000.0), (7.4, 8.0, 2500.0))),
    ):
        audio = write_calls(root / f"{stem}.wav", duration=12.0, samplerate=16000, calls=calls)
        rng = np.random.default_rng(len(stem) + ord(stem))
        rows = [
            (s, s + 3, sci, common, f"{rng.uniform(0.1, 1.0):.3f}")
            for s in (0, 3, 6, 9)
            for sci, common in (("Turdus merula", "Eurasian Blackbird"), ("Parus major", "Great Tit"))
            if rng.uniform() < 0.8
        ]
        write_birdnet_csv(root / f"{stem}.BirdNET.results.csv", audio, rows)
    return root


def relabel_by_keys(qtbot, win: MainWindow, search: str) -> None:
    picker = press_for_dialog(qtbot, win, Qt.Key.Key_S)
    qtbot.keyClicks(picker.search, search)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)


def note_by_keys(qtbot, win: MainWindow, text: str) -> None:
    dialog = press_for_dialog(qtbot, win, Qt.Key.Key_N)
    edit = dialog.findChild(QLineEdit)
    edit.setText(text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_table_and_overlays_agree_through_random_review_sessions(qtbot, pair: Path):
    """About 100 random steps (seeded; TRUTH_SEED=N tries another sequence), checked after each."""
    rng = random.Random(int(os.environ.get("TRUTH_SEED", "12")))
    win = open_main_window(qtbot, pair, threshold=0.25)
    assert win.projects.dialog is None, win.projects.project.problems
    win.session.set_common_names(NAMES)
    recordings = sorted(pair.glob("*.wav"))
    runs = 0
    log: list[str] = []
    checked = 0
    for step in range(100):
        ids = win.table.ordered_ids()
        action = rng.choice(
            ["threshold"] * 3 + ["verdict"] * 4 + ["relabel"] * 2 + ["note", "undo", "undo", "redo"]
            + ["switch"] * 2 + ["zoom", "run"]
        )
        if action in ("verdict", "relabel", "note") and not ids:
            action = "threshold"
        if action == "run" and runs >= 3:
            action = "undo"
        log.append(action)
        if action == "threshold":
            win.model_panel.set_threshold(rng.choice([0.05, 0.07, 0.1, 0.2, 0.3, 0.5, 0.8]))
        elif action == "verdict":
            win.table.select_detection(rng.choice(ids))
            press(qtbot, win, rng.choice([Qt.Key.Key_A, Qt.Key.Key_R, Qt.Key.Key_U]))
        elif action == "relabel":
            win.table.select_detection(rng.choice(ids))
            relabel_by_keys(qtbot, win, rng.choice(["tit", "robin", "chaff", "blackbird"]))
        elif action == "note":
            win.table.select_detection(rng.choice(ids))
            note_by_keys(qtbot, win, rng.choice(["faint", "two birds", ""]))
        elif action == "undo":
            press(qtbot, win, Qt.Key.Key_Z, CTRL)
        elif action == "redo":
            press(qtbot, win, Qt.Key.Key_Z, CTRL_SHIFT)
        elif action == "switch":
            other = next(p for p in recordings if p.name != win.info.path.name)
            with qtbot.waitSignal(win.recording_opened, timeout=20_000):
                win.open_path(other)
        elif action == "zoom":
            a = rng.uniform(0.0, 8.0)
            win.view.set_visible_range(a, a + rng.choice([2.0, 4.0, 12.0]))
        elif action == "run":
            runs += 1
            run_energy(qtbot, win)
        settle(qtbot, win)
        try:
            checked += assert_views_agree(win)
        except AssertionError as exc:
            shot(win, "disagreement")
            raise AssertionError(f"after step {step} ({' '.join(log[-6:])}): {exc}") from exc
    assert runs >= 1 and checked > 300
    shot(win, "random-review")
    win.close()


def test_another_recording_never_shows_the_last_ones_boxes(qtbot, tmp_path: Path):
    """Each recording has its own review (ids from 0): boxes and labels follow the new one's."""
    first = write_calls(tmp_path / "first.wav")
    second = write_calls(
        tmp_path / "second.wav", calls=((3.1, 3.6, 5000.0), (6.2, 6.9, 2500.0), (10.1, 10.5, 7000.0))
    )
    win = open_main_window(qtbot, first, threshold=0.05)
    run_energy(qtbot, win)
    settle(qtbot, win)
    before = {i: (win.session.get(i).start, win.session.get(i).score) for i in win.table.ordered_ids()}
    assert assert_views_agree(win) == len(before)
    with qtbot.waitSignal(win.recording_opened, timeout=20_000):
        win.open_path(second)
    run_energy(qtbot, win)
    settle(qtbot, win)
    after = {i: (win.session.get(i).start, win.session.get(i).score) for i in win.table.ordered_ids()}
    # The same ids name other windows and scores in the second recording ...
    assert {i for i in after if i in before and after[i] != before[i]}
    # ... and every box, label and tooltip is the second recording's.
    assert assert_views_agree(win) == len(after)
    shot(win, "second-recording")
    win.close()


# ------------------------------------------------------ zoomed out, zoomed in

LONG = 1800.0
WARBLERS = (("Leiothlypis peregrina", "Tennessee Warbler"), ("Parus major", "Great Tit"))


@pytest.fixture
def long_site(tmp_path: Path, reviewer_settings) -> Path:
    """A 30-minute recording with one detection every 3 s (600), from a BirdNET table."""
    reviewer_settings("Oz")
    root = tmp_path / "long"
    root.mkdir()
    audio = root / "dawn.wav"
    rng = np.random.default_rng(5)
    sf.write(audio, (rng.standard_normal(int(LONG * 4000)) * 200).astype(np.int16), 4000)
    rows = [
        (s, s + 3, *WARBLERS[k % 2], f"{0.5 + 0.49 * ((k * 37) % 100) / 100:.3f}")
        for k, s in enumerate(range(0, int(LONG), 3))
    ]
    write_birdnet_csv(root / "dawn.BirdNET.results.csv", audio, rows)
    return root


def visible_boxes(win: MainWindow) -> list[DetectionBox]:
    boxes, _labels = overlay_items(win)
    x0, x1 = win.view.visible_range()
    return [b for items in boxes.values() for b in items if b.rect().right() > x0 and b.rect().left() < x1]


def test_zoomed_out_ticks_replace_the_wall_of_boxes_and_labels_name_the_species(
    qtbot, long_site: Path
):
    win = open_main_window(qtbot, long_site, threshold=0.25)
    assert win.projects.dialog is None, win.projects.project.problems
    settle(qtbot, win)
    assert len(win.table.ordered_ids()) == 600

    # The first view: boxes, each label naming its species and score.
    x0, x1 = win.view.visible_range()
    assert x1 - x0 <= 30
    assert not win.overlay.dense
    shot(win, "default-view")
    assert assert_views_agree(win) >= 6
    seconds_per_px = win.view.plot.getViewBox().viewPixelSize()[0]
    _boxes, labels = overlay_items(win)
    seen = 0
    for det_id in win.overlay.detection_ids:
        d = win.session.get(det_id)
        if not (d.start >= x0 and d.end <= x1):
            continue
        label = labels[det_id][0]
        text = label.toPlainText()
        assert label.isVisible() and text.endswith(f"{GAP}{d.score:.2f}"), text
        name = text[: -len(f"{GAP}{d.score:.2f}")]
        if name.endswith(ELLIPSIS):  # elided only when the whole does not fit its window
            room = (d.end - d.start) / seconds_per_px
            assert label.width_of(label.full_text) > room - 2
            assert d.common_name.startswith(name[:-1]) and len(name) >= 4
        else:
            assert name == d.common_name
        seen += 1
    assert seen >= 5
    assert any(labels[i][0].toPlainText().startswith(f"Great Tit{GAP}0.") for i in win.overlay.detection_ids)

    # Zoomed out on five minutes: no wall of outlines, a tick per detection.
    win.view.set_visible_range(300.0, 600.0)
    settle(qtbot, win)
    assert win.overlay.dense and win.overlay.mode == TICKS
    selected = win.review.selected
    assert {b.detection_id for b in visible_boxes(win)} <= ({selected.id} if selected else set())
    in_view = {d.id for d in win.review.visible() if d.end > 300.0 and d.start < 600.0}
    assert in_view <= set(win.overlay.tick_ids) <= set(win.table.ordered_ids())
    # Ticks are coloured by status: a verdict recolours its tick.
    target = win.table.ordered_ids()[150]
    win.table.select_detection(target)
    win.view.set_visible_range(300.0, 600.0)
    settle(qtbot, win)
    press(qtbot, win, Qt.Key.Key_R)
    assert win.overlay.tick_statuses()[target] is Status.REJECTED
    assert len(visible_boxes(win)) == 1  # the selected one (the next) keeps its box
    shot(win, "zoomed-out")

    # The whole half hour: ticks would merge, the density is drawn instead.
    win.zoom_to_fit()
    settle(qtbot, win)
    assert win.overlay.mode == DENSITY and not win.overlay.tick_ids
    assert [b.detection_id for b in visible_boxes(win)] == [win.review.selected.id]

    # Zooming back in brings the boxes and labels back.
    win.view.set_visible_range(600.0, 620.0)
    settle(qtbot, win)
    assert not win.overlay.dense and not win.overlay.tick_ids
    assert assert_views_agree(win) >= 6
    win.close()
