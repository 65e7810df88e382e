"""Issue 14 through the real window: embeddings, Find similar, train, run, least sure.

The project is two recordings of tones a small feature model tells apart
(``tests/learning_project.py``); the window uses that model's embeddings
instead of BirdNET's (``app.learning.use_model``), so the test needs no
weights. ``AUDIOCLASS_GUI_SHOTS=DIR`` saves the screenshots of the train
dialog and of a Find-similar list there (the README's pictures).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from audioclass_gui.review import Status
from tests.conftest import open_main_window
from tests.embedding_fakes import BandModel
from tests.learning_project import SPECIES, make_project, windows_of
from tests.test_sampling_app import build_sample

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BLACKBIRD, TIT, ROBIN = (SPECIES[f][0] for f in (500.0, 2000.0, 3000.0))


def shots_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("AUDIOCLASS_GUI_SHOTS", tmp_path / "shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def where(session, ids) -> list[tuple[str, float]]:
    return [(Path(d.recording.path).stem, d.start) for d in session.get_many(ids)]


def test_find_similar_train_run_and_least_sure_in_the_window(qtbot, tmp_path: Path, reviewer_settings) -> None:
    reviewer_settings("Ana")
    root = make_project(tmp_path / "site")
    win = open_main_window(qtbot, root, threshold=0.3)
    shots = shots_folder(tmp_path)
    learning, controller = win.app.learning, win.learning
    with qtbot.waitSignal(learning.status_changed, timeout=10_000):
        learning.use_model("bands", factory=BandModel)
    assert not learning.status.ready

    # A learning action without embeddings says what is missing and offers to compute them.
    with qtbot.waitSignal(controller.dialog_shown, timeout=5_000) as shown:
        controller.similar_action.trigger()
    box = shown.args[0]
    assert "No bands embeddings yet for the 2 recording(s)" in box.text()
    compute = next(b for b in box.buttons() if b.text() == "Compute now")
    with qtbot.waitSignal(controller.worker.ended, timeout=60_000):
        compute.click()
    qtbot.waitUntil(lambda: learning.status is not None and learning.status.ready, timeout=10_000)
    assert learning.status.windows == 48
    assert "2 recording(s) computed" in controller.progress_dialog.label.text()

    # Find similar from a blackbird detection: the matches, best first, are the list.
    session = win.session
    query = next(
        d for d in session.detections()
        if Path(d.recording.path).stem == "a" and d.start == 0.0 and d.scientific_name == BLACKBIRD
    )
    win.review.select(query.id)
    controller.banner.k.setValue(20)
    with qtbot.waitSignal(learning.list_changed, timeout=20_000) as listed:
        controller.similar_action.trigger()
    listing = listed.args[0]
    table_ids = [int(i) for i in win.table.source.ids()]
    assert table_ids == list(listing.queue.ids) and len(table_ids) == 20
    others = windows_of(BLACKBIRD) - {("a", 0.0)}
    assert set(where(session, table_ids[: len(others)])) == others
    assert controller.banner.isVisible()
    assert controller.banner.label.text() == "Similar to Eurasian Blackbird at a.wav 0:00 — 20 matches"
    assert win.review.selected.id == table_ids[0]
    win.grab().save(str(shots / "find-similar-tones.png"))

    # Accept the first match with the usual key: a verdict for the query's species.
    first = session.get(table_ids[0])
    win.accept_action.trigger()
    assert session.status(first.id) is Status.ACCEPTED
    assert win.review.selected.id == table_ids[1]  # on to the next match
    assert "1 of 20 reviewed" in controller.banner.text()
    journal = (root / ".audioclass-gui" / "project.jsonl").read_text(encoding="utf-8")
    assert BLACKBIRD in journal and Path(first.recording.path).name in journal
    out = tmp_path / "verdicts.csv"
    with qtbot.waitSignal(win.app.exports.finished, timeout=20_000):
        win.app.exports.export("csv", out)
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    mine = [
        r for r in rows
        if Path(r["File"]) == Path(first.recording.path) and float(r["Start (s)"]) == first.start
        and r["Model"].startswith("Similar:")
    ]
    assert len(mine) == 1 and mine[0]["Scientific name"] == BLACKBIRD and mine[0]["Verdict"] == "accepted"
    assert float(mine[0]["Confidence"]) == pytest.approx(first.score, abs=1e-3)

    with qtbot.waitSignal(learning.list_changed, timeout=5_000):
        controller.banner.back_button.click()
    assert not controller.banner.isVisible() and win.app.review.queue is None

    # Judge every window (true species accepted, wrong one rejected), then train.
    truth = {w: sp for sp in (BLACKBIRD, TIT, ROBIN) for w in windows_of(sp)}
    accept, reject = [], []
    for d in session.detections():  # the matches too: a verdict is about a window and a species
        (accept if truth[(Path(d.recording.path).stem, d.start)] == d.scientific_name else reject).append(d.id)
    session.set_status(accept, Status.ACCEPTED)
    session.set_status(reject, Status.REJECTED)

    with qtbot.waitSignal(controller.dialog_shown, timeout=5_000) as shown:
        controller.train_action.trigger()
    dialog = shown.args[0]
    assert dialog.species.count() == 3
    with qtbot.waitSignal(learning.training_ready, timeout=20_000):
        dialog.choose([BLACKBIRD, ROBIN])
    assert "Turdus merula: 18 positive, 30 negative" in dialog.summary.text()
    assert dialog.train_button.isEnabled()
    with qtbot.waitSignal(learning.trained, timeout=60_000):
        dialog.train_button.click()
    assert dialog.figures.rowCount() == 2
    assert dialog.figures.item(0, 0).text() == f"Eurasian Blackbird ({BLACKBIRD})"
    assert dialog.figures.item(0, 1).text().startswith("1.00 (")
    dialog.grab().save(str(shots / "train-classifier.png"))

    with qtbot.waitSignal(learning.classifier_saved, timeout=20_000) as saved:
        dialog.save_button.click()
    path = saved.args[0]
    assert path.parent == root / ".audioclass-gui" / "classifiers"
    assert win.model_panel.model_combo.findData(str(path)) >= 0

    with qtbot.waitSignal(learning.run_added, timeout=30_000) as added:
        dialog.run_button.click()
    run = added.args[0]
    assert run.provenance["kind"] == "classifier"
    key = win.projects.project.codec.encode(run.target)
    qtbot.waitUntil(lambda: any(d.run == key for d in session.get_many(win.table.source.ids())), timeout=10_000)

    # Least sure: undo two verdicts; those windows are the unjudged ones listed.
    reopened = [d.id for d in session.detections() if Path(d.recording.path).stem == "b" and d.start == 2.0]
    session.set_status(reopened, Status.UNREVIEWED)
    with qtbot.waitSignal(learning.list_changed, timeout=30_000) as listed:
        dialog.least_button.click()
    listing = listed.args[0]
    assert listing.kind == "uncertain" and len(listing.queue)
    assert set(where(session, listing.queue.ids)) == {("b", 2.0)}
    assert [int(i) for i in win.table.source.ids()] == list(listing.queue.ids)
    dialog.close()

    # One list at a time: a verification sample puts the least-sure list aside...
    build_sample(qtbot, win, per_species=2, bins=1, floor=0.0)
    assert learning.listing is None and not controller.banner.isVisible()
    assert win.app.review.queue is win.sampling.queue and win.sampling.banner.isVisible()
    assert [int(i) for i in win.table.source.ids()] == list(win.sampling.queue.ids)
    # ...and Find similar puts the sample aside.
    win.review.select(query.id)
    with qtbot.waitSignal(learning.list_changed, timeout=20_000) as listed:
        controller.similar_action.trigger()
    assert not win.sampling.banner.isVisible() and controller.banner.isVisible()
    assert [int(i) for i in win.table.source.ids()] == list(listed.args[0].queue.ids)
    win.close()
