"""The app model's learning part without Qt: embeddings, find similar, train, run, least sure."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.app import AppModel
from audioclass_gui.learn import collect_examples, read_classifier
from audioclass_gui.project import ReviewProject
from audioclass_gui.review import Status
from tests.embedding_fakes import BandModel
from tests.learning_project import SPECIES, make_project, windows_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BLACKBIRD, TIT, ROBIN = (SPECIES[f][0] for f in (500.0, 2000.0, 3000.0))


@pytest.fixture
def app(tmp_path: Path):
    root = make_project(tmp_path / "site")
    project = ReviewProject.open(root, settings_dir=tmp_path / "settings", durable=False)
    project.set_reviewer("ana", remember=False)
    model = AppModel()
    model.document.session = project.session
    model.document.project = project
    model.learning.use_model("bands", factory=BandModel)
    yield model
    project.close()


def compute(app: AppModel):
    ticks = list(app.learning.embedding_job()(threading.Event()))
    app.learning.embeddings_done(ticks[-1], False)
    return ticks[-1]


def detection(app: AppModel, stem: str, start: float, species: str) -> int:
    session = app.document.session
    for d in session.detections():
        if Path(d.recording.path).stem == stem and abs(d.start - start) < 1e-6 and d.scientific_name == species:
            return d.id
    raise KeyError((stem, start, species))


def where(app: AppModel, ids) -> list[tuple[str, float]]:
    session = app.document.session
    return [(Path(d.recording.path).stem, d.start) for d in session.get_many(ids)]


def test_status_says_what_is_missing_then_what_is_there(app: AppModel) -> None:
    learning = app.learning
    assert learning.status is not None and not learning.status.ready
    assert len(learning.status.missing) == 2
    assert "compute them" in learning.missing_embeddings()
    last = compute(app)
    assert (last.recordings_done, last.recordings_total, last.failures) == (2, 2, ())
    assert learning.status.ready and learning.status.windows == 48 and not learning.status.missing
    assert learning.missing_embeddings() is None
    again = list(learning.embedding_job()(threading.Event()))  # resumable: nothing left to do
    assert again[-1].skipped == 2 and again[-1].recordings_total == 0


def test_find_similar_lists_the_matches_in_order_and_a_verdict_is_for_the_query_species(
    app: AppModel,
) -> None:
    compute(app)
    learning, session = app.learning, app.document.session
    lists = []
    learning.list_changed.connect(lists.append)
    query = learning.similar.query_for_detection(detection(app, "a", 0.0, BLACKBIRD))
    assert query.species == BLACKBIRD and "Eurasian Blackbird at a.wav 0:00" == query.description
    runs_before = len(app.document.project.sources())
    learning.similar.find_similar(query, k=20)

    listing = lists[-1]
    assert listing is learning.listing and app.review.queue is listing.queue
    assert listing.description == "Similar to Eurasian Blackbird at a.wav 0:00 — 20 matches"
    shown = app.review.listed(session)
    assert [d.id for d in shown] == list(listing.queue.ids)
    assert all(d.scientific_name == BLACKBIRD for d in shown)
    # The other blackbird windows come first (the query's own is left out), best first.
    others = windows_of(BLACKBIRD) - {("a", 0.0)}
    assert set(where(app, listing.queue.ids[: len(others)])) == others
    assert ("a", 0.0) not in where(app, listing.queue.ids)
    assert list(listing.similarities) == sorted(listing.similarities, reverse=True)
    assert [d.score for d in shown] == pytest.approx(list(listing.similarities), abs=1e-6)
    # The matches are a run of the project, with the search as provenance.
    project = app.document.project
    assert len(project.sources()) == runs_before + 1
    run = project.source(listing.run)
    assert run is not None and run.detections == 20
    runs = {key: provenance for key, _name, provenance in session.run_infos()}
    search = runs[project.codec.encode(listing.run)]
    assert search["kind"] == "search" and search["k"] == 20 and search["query"]["species"] == BLACKBIRD

    # A match on a window predicted as another species: accepted, it is the query's species.
    tit_window = next(d for d in shown if (Path(d.recording.path).stem, d.start) not in windows_of(BLACKBIRD))
    session.set_status([shown[0].id, tit_window.id], Status.ACCEPTED)
    facts = {(Path(e.recording).stem, e.start): e.accepted for e in collect_examples(session).examples}
    assert BLACKBIRD in facts[(Path(shown[0].recording.path).stem, shown[0].start)]
    assert facts[(Path(tit_window.recording.path).stem, tit_window.start)] == {BLACKBIRD}

    learning.leave_list()
    assert app.review.queue is None and lists[-1] is None


def test_find_similar_from_a_box_and_from_a_file(app: AppModel, tmp_path: Path) -> None:
    from tests.embedding_fakes import tones

    compute(app)
    learning, session = app.learning, app.document.session
    recording = next(r for r in session.recordings if Path(r.path).stem == "b")
    box = session.add_box(recording.path, 3.1, 3.6, scientific_name=BLACKBIRD)
    learning.similar.find_similar(learning.similar.query_for_box(box.box_id), k=10)
    assert learning.listing.description.startswith("Similar to Eurasian Blackbird box at b.wav 0:03")
    assert set(where(app, learning.listing.queue.ids)) <= windows_of(BLACKBIRD) - {("b", 3.0)}
    robin = tones(tmp_path / "robin.wav", [3000.0, 3000.0])
    learning.similar.find_similar(learning.similar.query_for_file(robin, ROBIN), k=10)
    assert set(where(app, learning.listing.queue.ids)) <= windows_of(ROBIN)
    assert learning.listing.description.startswith("Similar to European Robin in robin.wav")


def accept_truth(app: AppModel, per_species: int = 10) -> None:
    """Accept the true species and reject the wrong one of most windows."""
    session = app.document.session
    truth = {w: sp for sp in (BLACKBIRD, TIT, ROBIN) for w in windows_of(sp)}
    accept, reject = [], []
    for d in session.detections():
        key = (Path(d.recording.path).stem, d.start)
        (accept if truth[key] == d.scientific_name else reject).append(d.id)
    session.set_status(accept, Status.ACCEPTED)
    session.set_status(reject, Status.REJECTED)


def test_train_save_run_and_least_sure(app: AppModel, tmp_path: Path) -> None:
    compute(app)
    learning = app.learning
    accept_truth(app)
    choices = learning.training.species_choices()
    assert {c[0] for c in choices} == {BLACKBIRD, TIT, ROBIN}
    assert dict((c[0], c[2]) for c in choices)[BLACKBIRD] == len(windows_of(BLACKBIRD))
    ready, trained, saved = [], [], []
    learning.training_ready.connect(ready.append)
    learning.trained.connect(trained.append)
    learning.classifier_saved.connect(saved.append)
    learning.training.prepare_training([BLACKBIRD, TIT])
    summary = ready[-1].summary
    blackbird = summary.species[BLACKBIRD]
    assert (blackbird.positive, blackbird.negative) == (18, 30)
    learning.training.train(ready[-1], folds=2)
    model = trained[-1]
    figures = {cv.species: cv for cv in model.cross_validation}
    assert figures[BLACKBIRD].precision == 1.0 and figures[BLACKBIRD].recall == 1.0
    path = learning.training.default_classifier_path("blackbird and tit")
    assert path.parent.name == "classifiers" and path.parent.parent.name == ".audioclass-gui"
    classifiers = []
    learning.classifiers_changed.connect(classifiers.append)
    learning.training.save_classifier(model, path)
    assert saved == [path.absolute()] and path.absolute() in classifiers[-1]
    assert read_classifier(path).species == (BLACKBIRD, TIT)

    runs = []
    learning.run_added.connect(runs.append)
    learning.training.run_classifier(path)
    run = runs[-1]
    assert run.provenance["kind"] == "classifier" and run.provenance["species"] == [BLACKBIRD, TIT]
    assert "cross_validation" in run.provenance and run.provenance["training"]["species"]
    session = app.document.session
    key = app.document.project.codec.encode(run.target)
    assert key in session.run_keys()
    high = {(Path(w.recording.path).stem, w.start) for w in run.windows if w.species == BLACKBIRD and w.score >= 0.5}
    assert high == windows_of(BLACKBIRD)

    # Least sure: every window is judged, so only the unjudged (none) qualify...
    learning.training.least_sure(path, n=4)
    assert len(learning.listing.queue) == 0
    # ...undo some verdicts: those windows are what is listed.
    open_ids = [detection(app, "b", 2.0, ROBIN), detection(app, "b", 2.0, BLACKBIRD)]
    session.set_status(open_ids, Status.UNREVIEWED)
    learning.training.least_sure(path, n=4)
    listed = where(app, learning.listing.queue.ids)
    assert listed and set(listed) == {("b", 2.0)}
    assert learning.listing.kind == "uncertain"
    assert np.all(np.isfinite(learning.listing.similarities))
