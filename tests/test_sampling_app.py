"""Review › Verification sample… through the real window: build, review, report, resume."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from audioclass_gui.formats.sample_report import read_sample_report
from audioclass_gui.qt.main_window import MainWindow
from audioclass_gui.qt.reports.sampling_report import format_interval
from audioclass_gui.review import Status
from audioclass_gui.review.sample_plan import SampleSettings
from audioclass_gui.review.sampling import OVERALL, wilson_interval
from tests.conftest import open_main_window, write_birdnet_csv, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SPECIES = (
    ("Turdus merula", "Eurasian Blackbird"),
    ("Parus major", "Great Tit"),
    ("Erithacus rubecula", "European Robin"),
)


@pytest.fixture
def folder(tmp_path: Path, reviewer_settings) -> Path:
    """Two 30 s recordings; per recording and species ten detections scoring 0.3–1."""
    reviewer_settings("Ana")
    root = tmp_path / "site"
    root.mkdir()
    rng = np.random.default_rng(4)
    for stem in ("a", "b"):
        audio = write_calls(root / f"{stem}.wav", duration=30.0, samplerate=16000)
        rows = [
            (s, s + 3, sci, common, f"{rng.uniform(0.3, 1.0):.4f}")
            for s in range(0, 30, 3)
            for sci, common in SPECIES
        ]
        write_birdnet_csv(root / f"{stem}.BirdNET.results.csv", audio, rows)
    return root


def open_window(qtbot, folder: Path) -> MainWindow:
    win = open_main_window(qtbot, folder, threshold=0.25)
    assert win.projects.dialog is None, win.projects.project.problems
    return win


@pytest.fixture
def window(qtbot, folder: Path):
    win = open_window(qtbot, folder)
    yield win
    win.close()


def build_sample(qtbot, win: MainWindow, per_species=4, bins=2, seed=7, floor=0.3):
    """Open the dialog with its menu action, fill it in, press Build sample."""
    with qtbot.waitSignal(win.sampling.dialog_shown, timeout=5_000) as shown:
        win.sampling.sample_action.trigger()
    dialog = shown.args[0]
    dialog.per_species.setValue(per_species)
    dialog.bins.setValue(bins)
    dialog.floor.setValue(floor)
    dialog.seed.setValue(seed)
    dialog.update_preview()
    with qtbot.waitSignal(win.sampling.mode_changed, timeout=20_000):
        qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    return dialog


def give(qtbot, win: MainWindow, key) -> None:
    """Press a review key as the reviewer does; wait if the next item opens another file."""
    before = win.info.path
    judged = win.review.selected
    nxt = win.sampling.queue.next_unreviewed(win.session, judged.id)
    other = nxt is not None and Path(win.session.get(nxt).recording.path) != Path(
        before
    )
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5_000)
    win.table.setFocus()
    if other:
        with qtbot.waitSignal(win.recording_opened, timeout=20_000):
            qtbot.keyClick(win.table, key)
    else:
        qtbot.keyClick(win.table, key)


def test_sample_dialog_builds_n_per_species_and_lists_exactly_the_queue(qtbot, window):
    win = window
    before = win.table.ordered_ids()
    with qtbot.waitSignal(win.sampling.dialog_shown, timeout=5_000) as shown:
        win.sampling.sample_action.trigger()
    dialog = shown.args[0]
    # Defaults: the threshold as floor, all species, a seed shown.
    assert dialog.floor.value() == pytest.approx(0.25)
    assert dialog.all_species.isChecked() and dialog.seed.value() >= 0
    dialog.per_species.setValue(4)
    dialog.bins.setValue(2)
    dialog.floor.setValue(0.3)
    dialog.seed.setValue(7)
    dialog.update_preview()
    # The preview says how many each species gives before building.
    assert dialog.preview_counts() == {sci: 4 for sci, _ in sorted(SPECIES)}
    assert dialog.preview.rowCount() == 3
    assert {dialog.preview.item(r, 2).text() for r in range(3)} == {"4"}
    assert {(dialog.preview.item(r, 3).text(), dialog.preview.item(r, 4).text()) for r in range(3)} == {("2", "2")}
    assert dialog.total.text().startswith("12 detections of 3 species")
    # Typed edges replace the bin count; a bad one is explained and blocks building.
    dialog.edges.setText("0.3, 0.9, 0.5")
    dialog.update_preview()
    assert "increase" in dialog.problem.text() and not dialog.build_button.isEnabled()
    dialog.edges.setText("")
    dialog.update_preview()
    assert dialog.build_button.isEnabled()
    with qtbot.waitSignal(win.sampling.mode_changed, timeout=20_000):
        qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)

    queue = win.sampling.queue
    assert win.sampling.active and win.review.queue is queue
    # N per species, spread over the bins, and the same seed draws the same sample.
    assert queue.per_species_counts() == {sci: 4 for sci, _ in sorted(SPECIES)}
    assert [len(s.ids) for s in queue.strata] == [2] * 6
    for stratum in queue.strata:
        for det_id in stratum.ids:
            assert stratum.low <= win.session.get(det_id).score <= stratum.high
    assert queue.edges == pytest.approx((0.3, 0.65, 1.0))
    again = SampleSettings(per_species=4, bins=2, floor=0.3, seed=7).draw(win.session)
    assert again == queue
    assert (
        SampleSettings(per_species=4, bins=2, floor=0.3, seed=8).draw(win.session).ids
        != queue.ids
    )
    # The table lists exactly the queue, in queue order; the overlays the open file's part.
    assert win.table.ordered_ids() == list(queue.ids)
    open_path = str(win.info.path)
    assert sorted(win.overlay.detection_ids) == sorted(
        i for i in queue.ids if str(win.session.get(i).recording.path) == open_path
    )
    assert win.sampling.banner.isVisible()
    assert win.sampling.banner.text().startswith(
        "Verification sample: 0 of 12 reviewed"
    )
    assert win.sampling.banner.text().endswith("Leave sample")
    # The first unreviewed item of the queue is selected.
    assert win.review.selected.id == queue.ids[0]

    # Leaving restores the list as it was.
    with qtbot.waitSignal(win.sampling.mode_changed, timeout=5_000):
        qtbot.mouseClick(win.sampling.banner.leave_button, Qt.MouseButton.LeftButton)
    assert not win.sampling.active and not win.sampling.banner.isVisible()
    assert win.table.ordered_ids() == before
    assert win.table.horizontalHeader().sortIndicatorSection() == 0


def test_verdicts_walk_the_queue_across_recordings_and_the_report_follows(
    qtbot, window, tmp_path: Path
):
    win = window
    build_sample(qtbot, win)
    queue = win.sampling.queue
    recordings = {Path(win.session.get(i).recording.path).name for i in queue.ids}
    assert recordings == {"a.wav", "b.wav"}  # the walk has to change file
    report = win.sampling.show_report()
    # Accept every detection scoring above 0.6, reject the rest: A / R as a reviewer.
    expected = list(queue.ids)
    changed_file = False
    for position, det_id in enumerate(expected):
        assert win.review.selected.id == det_id, position
        # The selected item's recording is shown (the first may still be opening).
        qtbot.waitUntil(
            lambda i=det_id: (
                Path(win.info.path) == Path(win.session.get(i).recording.path)
            ),
            timeout=20_000,
        )
        key = Qt.Key.Key_A if win.session.get(det_id).score > 0.6 else Qt.Key.Key_R
        name = win.info.path.name
        give(qtbot, win, key)
        changed_file |= win.info.path.name != name
        assert win.session.status(det_id) is not Status.UNREVIEWED
        done = position + 1
        assert win.sampling.banner.text().startswith(
            f"Verification sample: {done} of 12 reviewed"
        )
    assert changed_file
    # The report's numbers are those of the verdicts given.
    report.refresh()
    rows = {r[0]: r for r in report.rows()}
    # The BirdNET-Analyzer tables' common names are shown.
    assert set(rows) == {common for _, common in SPECIES} | {"All species"}
    rows |= {sci: rows[common] for sci, common in SPECIES}
    results = {r.scientific_name: r for r in win.sampling.report().rows}
    for sci, _common in SPECIES:
        ids = [i for i in queue.ids if win.session.get(i).scientific_name == sci]
        k = sum(win.session.status(i) is Status.ACCEPTED for i in ids)
        low, high = wilson_interval(k, len(ids))
        r = results[sci]
        assert (r.sampled, r.reviewed, r.remaining, r.judged, r.true_positives) == (
            4,
            4,
            0,
            4,
            k,
        )
        assert (r.raw_low, r.raw_high) == pytest.approx((low, high))
        assert rows[sci][3:7] == ("4", "0", str(k), "4")
        assert rows[sci][9] == (f"{k / 4:.3f}")
    total = results[OVERALL]
    k = sum(win.session.status(i) is Status.ACCEPTED for i in queue.ids)
    assert (total.sampled, total.judged, total.true_positives) == (12, 12, k)
    assert (total.raw_low, total.raw_high) == pytest.approx(wilson_interval(k, 12))
    assert rows["All species"][8] == format_interval(total.low, total.high)

    # Undo one verdict: the report and the banner follow.
    win.undo_stack.undo()
    qtbot.waitUntil(lambda: report.rows()[-1][3] == "11", timeout=5_000)
    assert win.sampling.banner.text().startswith(
        "Verification sample: 11 of 12 reviewed"
    )
    win.undo_stack.redo()

    # The CSV export round-trips.
    target = tmp_path / "out" / "sample.csv"
    with qtbot.waitSignal(win.sampling.report_exported, timeout=10_000):
        win.sampling.export_report(target)
    back = read_sample_report(target)
    written = win.sampling.report()
    assert (back.seed, back.per_species) == (7, 4)
    assert back.edges == pytest.approx(queue.edges)
    assert back.common_names == {k: v for k, v in written.common_names.items() if v}
    assert len(back.rows) == len(written.rows) == 4
    for a, b in zip(back.rows, written.rows, strict=True):
        for name in a.__slots__:
            x, y = getattr(a, name), getattr(b, name)
            if isinstance(x, float):
                assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y), name
            else:
                assert x == y, name
    assert not list(target.parent.glob(".*.tmp*"))  # atomic: no temporary left
    report.close()


def test_interval_is_wilson_when_the_sample_is_the_whole_population(qtbot, window):
    """One bin holding every detection: the stratified interval is the plain Wilson one."""
    win = window
    build_sample(qtbot, win, per_species=20, bins=1, seed=1)
    queue = win.sampling.queue
    merula = [
        i for i in queue.ids if win.session.get(i).scientific_name == "Turdus merula"
    ]
    assert len(merula) == 20
    win.review.set_status_many(merula[:13], Status.ACCEPTED)
    win.review.set_status_many(merula[13:], Status.REJECTED)
    dialog = win.sampling.show_report()
    rows = {r[0]: r for r in dialog.rows()}  # by common name (from the tables)
    assert rows["Eurasian Blackbird"][8] == format_interval(*wilson_interval(13, 20))
    assert rows["Eurasian Blackbird"][7] == "0.650"
    assert rows["Great Tit"][7] == "—" and rows["Great Tit"][8] == "—"
    dialog.close()


def test_reopening_the_project_resumes_the_sample(qtbot, folder: Path):
    win = open_window(qtbot, folder)
    build_sample(qtbot, win)
    queue = win.sampling.queue
    keys = [win.session.path_key(i) for i in queue.ids]
    for _ in range(3):
        give(qtbot, win, Qt.Key.Key_R)
    nxt_key = win.session.path_key(win.review.selected.id)
    win.close()

    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    again.model_panel.set_threshold(0.25)
    with qtbot.waitSignal(again.sampling.mode_changed, timeout=20_000):
        again.open_path(folder)
    qtbot.waitUntil(lambda: again.review.selected is not None, timeout=20_000)
    restored = again.sampling.queue
    assert [again.session.path_key(i) for i in restored.ids] == keys
    assert again.table.ordered_ids() == list(restored.ids)
    assert again.sampling.progress() == (3, 12)
    assert again.sampling.banner.text().startswith(
        "Verification sample: 3 of 12 reviewed"
    )
    assert again.sampling.settings == SampleSettings(
        per_species=4, bins=2, floor=0.3, seed=7
    )
    qtbot.waitUntil(
        lambda: again.session.path_key(again.review.selected.id) == nxt_key,
        timeout=20_000,
    )
    # Leaving is remembered too: the next reopening shows the plain list.
    again.sampling.leave()
    again.close()
    third = open_window(qtbot, folder)
    assert not third.sampling.active and third.sampling.queue is not None
    assert third.table.ordered_ids() != list(third.sampling.queue.ids)
    # ... and the dialog offers to resume it.
    dialog = third.sampling.ask()
    assert dialog.resume_button.isVisible() and "3 of 12" in dialog.resume_button.text()
    with qtbot.waitSignal(third.sampling.mode_changed, timeout=20_000):
        qtbot.mouseClick(dialog.resume_button, Qt.MouseButton.LeftButton)
    assert third.table.ordered_ids() == list(third.sampling.queue.ids)
    third.close()


def test_species_filter_leaves_the_sample_and_the_dialog_offers_that_species(
    qtbot, window
):
    win = window
    build_sample(qtbot, win, per_species=3, bins=3)
    panel = win.species_panel.panel
    with qtbot.waitSignal(win.sampling.mode_changed, timeout=5_000):
        panel.choose_species("Parus major")
    assert not win.sampling.active
    assert {d.scientific_name for d in win.review.visible()} == {"Parus major"}
    # The species chosen in the panel is offered in the dialog.
    dialog = win.sampling.ask()
    assert dialog.panel_choice.isEnabled()
    dialog.panel_choice.setChecked(True)
    dialog.update_preview()
    assert dialog.per_species.value() == 3  # the last sample's N is offered again
    assert dialog.preview_counts() == {"Parus major": 3}
    dialog.reject()


def test_single_recording_sample_and_a_new_run_closes_it(qtbot, calls_wav: Path):
    """Outside a project the sample lives in memory; a new run replaces the detections."""
    win = open_main_window(qtbot, calls_wav, timeout=10_000)
    win.model_panel.set_threshold(0.0)
    with qtbot.waitSignal(win.run_finished, timeout=60_000):
        win.run_model("energy")
    population = len(win.review.visible())
    assert population >= 6
    build_sample(qtbot, win, per_species=4, bins=2, seed=3, floor=0.0)
    queue = win.sampling.queue
    assert len(queue) == 4 and win.table.ordered_ids() == list(queue.ids)
    give(qtbot, win, Qt.Key.Key_A)
    assert win.review.selected.id == queue.ids[1]
    assert win.sampling.progress() == (1, 4)
    left: list[bool] = []
    win.sampling.mode_changed.connect(left.append)
    with qtbot.waitSignal(win.run_finished, timeout=60_000):  # every prediction delivered
        win.run_model("energy")
    assert left == [False] and win.sampling.queue is None
    assert len(win.review.visible()) == population
    win.close()
