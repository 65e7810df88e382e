"""The real window running a model over a project's recordings (Model › Run on all/selected)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QItemSelectionModel, Qt

from audioclass_gui.models.energy import BandEnergyDetector
from audioclass_gui.project.analysis import FAILED_NAME, runs_folder
from audioclass_gui.qt.project.project_widgets import ANALYSIS_COLUMN
from tests.conftest import open_main_window, write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NAMES = ("a.wav", "b.wav", "c.wav", "d.wav")


class SlowEnergy(BandEnergyDetector):
    """The energy detector, taking a tenth of a second per window (to cancel mid-run).

    ``process_array`` gets a batch of windows (a whole 12-s recording at
    once), so the delay scales with the batch: a recording then takes about
    1.2 s, and a cancel sent when the first recordings are done reaches the run
    before the last ones are.
    """

    def process_array(self, array):
        time.sleep(0.1 * len(array))
        return super().process_array(array)


class FailsOnClipping(BandEnergyDetector):
    """The energy detector, raising on audio that reaches full scale (one recording has some)."""

    def process_array(self, array):
        if float(np.max(np.abs(array))) > 0.95:
            raise RuntimeError("clipped audio")
        return super().process_array(array)


@pytest.fixture
def folder(tmp_path: Path, reviewer_settings) -> Path:
    """Four 12-s recordings with three calls each, none analysed."""
    reviewer_settings("Ada Lovelace")
    root = tmp_path / "site"
    (root / "north").mkdir(parents=True)
    for name in NAMES:
        sub = root / "north" if name in ("c.wav", "d.wav") else root
        write_calls(sub / name)
    return root


def open_window(qtbot, folder: Path):
    win = open_main_window(qtbot, folder, threshold=0.5)
    qtbot.waitUntil(lambda: win.projects.recordings.rowCount() == len(NAMES), timeout=10_000)
    win.model_panel.set_model("energy")
    return win


def states(win) -> dict[str, str]:
    rec = win.projects.recordings
    return {Path(p).name: rec.analysis_text(p) for p in rec.paths()}


def shown_states(win) -> dict[str, str]:
    """The Analysis column as the user sees it."""
    rec = win.projects.recordings
    return {
        rec.item(r, 0).text(): rec.item(r, ANALYSIS_COLUMN).text()
        for r in range(rec.rowCount())
    }


def detections_by_recording(win) -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in win.projects.project.session.detections():
        name = Path(d.recording.path).name
        counts[name] = counts.get(name, 0) + 1
    return counts


def run_and_wait(qtbot, win, start, timeout: int = 60_000) -> bool:
    with qtbot.waitSignal(win.run_all.run_ended, timeout=timeout) as ended:
        start()
    return ended.args[0]


def test_run_on_all_recordings_fills_the_project_and_resumes(qtbot, folder: Path):
    win = open_window(qtbot, folder)
    assert set(states(win).values()) == {"not analysed"}
    assert detections_by_recording(win) == {}

    # A GUI-thread timer keeps ticking during the run: the window stays responsive.
    ticks: list[float] = []
    timer = qtbot_timer(win, ticks)
    assert run_and_wait(qtbot, win, win.run_all.run_all) is False
    timer.stop()
    win.grab().save("/tmp/run_all_after.png")

    counts = detections_by_recording(win)
    assert set(counts) == set(NAMES) and all(n >= 3 for n in counts.values())
    # The open recording's detections are in the table (above the 0.5 threshold).
    qtbot.waitUntil(lambda: win.table.model().rowCount() == 3, timeout=5_000)
    assert len(win.review.visible()) == 3
    out = runs_folder(win.projects.project, "energy")
    for rel in ("a", "b", "north/c", "north/d"):
        assert (out / f"{rel}.predictions.arrow").is_file()
    expected = {name: f"analysed: {n} detections" for name, n in counts.items()}
    qtbot.waitUntil(lambda: shown_states(win) == expected, timeout=5_000)
    p = win.run_all.progress
    assert (p.finished, p.skipped, p.failures) == (4, 0, [])
    assert win.run_all.panel.recordings.text() == "4 of 4 done"
    assert win.run_all.panel.speed.text().endswith("× real time")
    gaps = np.diff(ticks) if len(ticks) > 1 else np.array([0.0])
    assert gaps.max() < 1.0, f"the GUI thread stalled {gaps.max():.2f} s"

    # Running again skips every recording: nothing doubles.
    assert run_and_wait(qtbot, win, win.run_all.run_all) is False
    assert win.run_all.progress.skipped == 4 and win.run_all.progress.finished == 0
    assert detections_by_recording(win) == counts
    win.close()

    # Reopening the project shows the same detections and states.
    again = open_window(qtbot, folder)
    qtbot.waitUntil(lambda: shown_states(again) == expected, timeout=10_000)
    assert detections_by_recording(again) == counts
    again.close()


def qtbot_timer(win, ticks: list[float]):
    from PySide6.QtCore import QTimer

    timer = QTimer(win)
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    return timer


def test_run_on_selected_recordings_runs_only_those(qtbot, folder: Path):
    win = open_window(qtbot, folder)
    rec = win.projects.recordings
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    rec.clearSelection()
    for row in (1, 3):
        rec.selectionModel().select(rec.model().index(row, 0), flags)
    chosen = {Path(p).name for p in rec.selected_paths()}
    assert len(chosen) == 2
    assert run_and_wait(qtbot, win, win.run_all.run_selected) is False
    assert set(detections_by_recording(win)) == chosen
    qtbot.waitUntil(
        lambda: {n for n, s in shown_states(win).items() if s.startswith("analysed")} == chosen,
        timeout=5_000,
    )
    assert {n for n, s in shown_states(win).items() if s == "not analysed"} == set(NAMES) - chosen
    out = runs_folder(win.projects.project, "energy")
    assert len(list(out.rglob("*.predictions.arrow"))) == 2
    # Then all: the two done are skipped, the other two run (same files: same names).
    assert run_and_wait(qtbot, win, win.run_all.run_all) is False
    assert win.run_all.progress.skipped == 2 and win.run_all.progress.finished == 2
    assert len(list(out.rglob("*.predictions.arrow"))) == 4
    assert set(detections_by_recording(win)) == set(NAMES)
    win.close()


def test_cancel_keeps_finished_recordings_and_a_second_run_resumes(qtbot, folder: Path):
    win = open_window(qtbot, folder)
    win.run_all.factory = SlowEnergy
    win.run_all.run_all()
    qtbot.waitUntil(lambda: win.run_all.progress.finished >= 1, timeout=30_000)
    with qtbot.waitSignal(win.run_all.run_ended, timeout=30_000) as ended:
        qtbot.mouseClick(win.run_all.panel.cancel_button, _left())
        win.grab().save("/tmp/run_all_during.png")  # cancelling: the panel says so
    assert ended.args == [True]
    p = win.run_all.progress
    kept = p.finished
    assert 1 <= kept < 4, "cancel came too late to test"
    assert "Cancelled" in win.run_all.panel.status.text()
    done = set(detections_by_recording(win))
    assert len(done) == kept
    qtbot.waitUntil(
        lambda: sum(s.startswith("analysed") for s in shown_states(win).values()) == kept,
        timeout=5_000,
    )
    assert sum(s == "not analysed" for s in shown_states(win).values()) == 4 - kept
    out = runs_folder(win.projects.project, "energy")
    assert len(list(out.rglob("*.predictions.arrow"))) == kept

    assert run_and_wait(qtbot, win, win.run_all.run_all) is False
    p = win.run_all.progress
    assert (p.skipped, p.finished) == (kept, 4 - kept)
    assert set(detections_by_recording(win)) == set(NAMES)
    win.close()


def _left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_failing_recordings_are_listed_and_the_others_finish(qtbot, folder: Path):
    # b.wav has a burst at full scale: the model raises on it.
    write_calls(folder / "b.wav")
    data, rate = sf.read(folder / "b.wav", dtype="float32")
    data[rate * 3 : rate * 3 + 100] = 0.99
    sf.write(folder / "b.wav", data, rate, subtype="PCM_16")
    win = open_window(qtbot, folder)
    # c.wav becomes unreadable after the project opened (a card pulled out...).
    (folder / "north" / "c.wav").write_bytes(b"not audio at all" * 10)
    win.run_all.factory = FailsOnClipping
    assert run_and_wait(qtbot, win, win.run_all.run_all) is False
    listed = [win.run_all.panel.failures.item(i).text() for i in range(win.run_all.panel.failures.count())]
    assert sorted(t.split(":")[0] for t in listed) == ["b.wav", "c.wav"]
    assert any("clipped audio" in t for t in listed)
    assert set(detections_by_recording(win)) == {"a.wav", "d.wav"}
    shown = shown_states(win)
    assert shown["b.wav"].startswith("failed: ") and "clipped audio" in shown["b.wav"]
    assert shown["c.wav"].startswith("failed: ")
    assert shown["a.wav"].startswith("analysed: ") and shown["d.wav"].startswith("analysed: ")
    win.grab().save("/tmp/run_all_failed.png")
    assert (runs_folder(win.projects.project, "energy") / FAILED_NAME).is_file()
    win.close()

    # Reopened, the failure is still said (c.wav, unreadable, is no longer listed).
    again = open_window_rows(qtbot, folder, rows=3)
    qtbot.waitUntil(lambda: shown_states(again).get("b.wav", "").startswith("failed: "), timeout=10_000)
    assert shown_states(again)["a.wav"].startswith("analysed: ")
    again.close()


def open_window_rows(qtbot, folder: Path, rows: int):
    win = open_main_window(qtbot, folder, threshold=0.5)
    qtbot.waitUntil(lambda: win.projects.recordings.rowCount() == rows, timeout=10_000)
    win.model_panel.set_model("energy")
    return win


# ------------------------------------------------ the engine underneath (no Qt)


def test_run_batch_stops_when_cancelled_and_resumes(tmp_path: Path):
    import threading
    from dataclasses import replace

    from audioclass_gui.batch import BatchConfig, BatchEvents, run_batch
    from audioclass_gui.models.settings import RunSettings

    (tmp_path / "in").mkdir()
    for name in NAMES:
        write_calls(tmp_path / "in" / name)
    cancel = threading.Event()

    class CancelAfterFirst(BatchEvents):
        def finished(self, result):
            cancel.set()

    config = BatchConfig(
        output=tmp_path / "out", model="energy", factory=SlowEnergy,
        settings=RunSettings(threshold=0.5), workers=1, cancel=cancel,
    )
    report = run_batch([tmp_path / "in"], config, CancelAfterFirst())
    assert report.cancelled and len(report.finished) == 1 and not report.problems
    assert len(list((tmp_path / "out").glob("*.predictions.arrow"))) == 1
    again = run_batch([tmp_path / "in"], replace(config, cancel=None))
    assert not again.cancelled and len(again.skipped) == 1 and len(again.finished) == 3


def test_outputs_of_a_subset_are_named_as_in_a_run_over_all(tmp_path: Path):
    from audioclass_gui.batch import find_recordings

    (tmp_path / "x" / "north").mkdir(parents=True)
    for rel in ("x/a.wav", "x/north/c.wav"):
        write_calls(tmp_path / rel)
    every, _ = find_recordings([tmp_path], root=tmp_path)
    some, _ = find_recordings([tmp_path / "x" / "north" / "c.wav"], root=tmp_path)
    alone, _ = find_recordings([tmp_path / "x" / "north" / "c.wav"])
    assert [str(s.relative) for s in every] == ["x/a", "x/north/c"]
    assert str(some[0].relative) == "x/north/c"
    assert str(alone[0].relative) == "c"  # without a root, relative to the inputs


def test_recordings_analysed_again_with_other_options_replace_their_results(
    qtbot, folder: Path
):
    from audioclass_gui.formats.prediction_store import read_stored_run
    from audioclass_gui.review import Status

    win = open_window(qtbot, folder)
    assert run_and_wait(qtbot, win, win.run_all.run_all) is False
    first = detections_by_recording(win)
    judged = win.review.visible()[0]
    win.review.select(judged.id)
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_A)
    key = win.session.path_key(judged.id)

    # Other options: every recording is analysed again (windows every 0.5 s).
    win.model_panel.options.overlap_spin.setValue(0.5)
    project = win.projects.project
    with qtbot.waitSignal(win.projects.project_opened, timeout=60_000):
        assert run_and_wait(qtbot, win, win.run_all.run_all) is False
    assert win.projects.project is not project  # read again
    qtbot.waitUntil(lambda: win.info is not None, timeout=10_000)
    now = detections_by_recording(win)
    out = runs_folder(win.projects.project, "energy")
    on_disk = {}
    for rel in ("a", "b", "north/c", "north/d"):
        stored = read_stored_run(out / f"{rel}.predictions.arrow", decode=str, stamp=None)
        on_disk[Path(rel).name + ".wav"] = len(stored)
    assert now == on_disk  # the new results only, none of the earlier ones
    assert sum(now.values()) > sum(first.values())
    session = win.projects.project.session
    assert [session.status(i) for i in session.ids_for(key)] == [Status.ACCEPTED]
    win.close()


def test_keep_embeddings_stores_every_window_in_the_project_and_resumes(qtbot, folder: Path):
    """Model panel › Keep embeddings: a run over recordings fills the project's store."""
    from audioclass_gui.app.learning import embeddings_place
    from audioclass_gui.embeddings import EmbeddingStore

    win = open_window(qtbot, folder)
    assert run_and_wait(qtbot, win, win.run_all.run_all) is False  # without: nothing stored
    place = embeddings_place(win.projects.project)
    assert not EmbeddingStore.exists(place.folder, "energy")
    # Asked for, the recordings analysed without them are analysed again, with them.
    win.model_panel.options.embeddings_check.setChecked(True)
    assert run_and_wait(qtbot, win, win.run_all.run_all) is False
    assert win.run_all.progress.finished == len(NAMES)
    store = EmbeddingStore.open(place.folder, "energy")
    assert sorted(store.recordings()) == ["a.wav", "b.wav", "north/c.wav", "north/d.wav"]
    rec, starts, ends = store.rows()
    per_recording = np.bincount(rec, minlength=len(NAMES))
    # Four 12-s recordings: the same windows in each, back to back from 0 s.
    assert per_recording.min() == per_recording.max() > 0
    first = rec == 0
    assert starts[first][0] == 0.0 and np.all(np.diff(starts[first]) > 0)
    assert store.dim == 4 and len(store) == len(starts) == len(ends)
    # The window's learning part sees them.
    qtbot.waitUntil(lambda: win.app.learning.status is not None, timeout=10_000)
    win.app.learning.use_model("energy")
    qtbot.waitUntil(lambda: win.app.learning.status is not None and win.app.learning.status.ready, timeout=10_000)
    # Once stored, running again skips them all.
    assert run_and_wait(qtbot, win, win.run_all.run_all) is False
    assert win.run_all.progress.skipped == len(NAMES)
    win.close()


def test_keep_embeddings_on_a_run_of_the_open_recording(qtbot, folder: Path):
    """Run (Ctrl+R) with Keep embeddings: the open recording's windows go to the store."""
    from audioclass_gui.app.learning import embeddings_place
    from audioclass_gui.embeddings import EmbeddingStore

    win = open_window(qtbot, folder)
    win.model_panel.options.embeddings_check.setChecked(True)
    reached: list = []  # what the GUI thread receives
    win.inference.predictions.connect(reached.extend)
    with qtbot.waitSignal(win.run_finished, timeout=60_000) as finished:
        win.run_model("energy")
    assert finished.args == [False]
    # The features stay in the worker: the window's predictions carry none.
    assert reached and not any(p.features for p in reached)
    place = embeddings_place(win.projects.project)
    store = EmbeddingStore.open(place.folder, "energy")
    opened = place.name(win.info.path)
    assert store.recordings() == [opened]
    _rec, starts, ends = store.rows()
    assert starts[0] == 0.0 and np.all(np.diff(starts) > 0) and np.all(ends > starts)
    assert win.review.visible()  # the detections are listed as usual
    # Running again keeps the store as it is (one entry per recording).
    with qtbot.waitSignal(win.run_finished, timeout=60_000):
        win.run_model("energy")
    assert len(EmbeddingStore.open(place.folder, "energy")) == len(store)
    win.close()
