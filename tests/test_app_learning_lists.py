"""A Find similar list is kept with its project: reopening resumes it, in its order."""

from __future__ import annotations

from pathlib import Path

import pytest

from audioclass_gui.app import AppModel
from audioclass_gui.audio.info import read_info
from audioclass_gui.project import ReviewProject
from audioclass_gui.review import Status
from tests.embedding_fakes import BandModel
from tests.learning_project import SPECIES, make_project
from tests.test_app_learning import compute, detection, where

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BLACKBIRD = SPECIES[500.0][0]


def open_in(app: AppModel, root: Path, settings: Path) -> ReviewProject:
    """Open the project in ``app`` as the window does: project, then its first recording shown."""
    project = ReviewProject.open(root, settings_dir=settings, durable=False)
    project.set_reviewer("ana", remember=False)
    app.document.session = project.session
    app.document.project = project
    app.recording_opened.emit(read_info(project.session.recordings[0].path))
    return project


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_project(tmp_path / "site")


def test_reopening_the_project_resumes_the_list_in_its_order(site: Path, tmp_path: Path) -> None:
    app = AppModel()
    app.learning.use_model("bands", factory=BandModel)
    project = open_in(app, site, tmp_path / "settings")
    compute(app)
    app.learning.similar.find_similar(app.learning.similar.query_for_detection(detection(app, "a", 0.0, BLACKBIRD)), k=12)
    before = app.learning.listing
    order = where(app, before.queue.ids)
    app.document.session.set_status([before.queue.ids[0]], Status.ACCEPTED)
    project.close()

    again = AppModel()
    lists = []
    again.learning.list_changed.connect(lists.append)
    reopened = open_in(again, site, tmp_path / "settings")
    listing = again.learning.listing
    assert listing is not None and lists[-1] is listing
    assert again.review.queue is listing.queue
    assert where(again, listing.queue.ids) == order
    assert listing.description == before.description
    assert listing.similarities == pytest.approx(before.similarities, abs=1e-6)
    assert listing.run == before.run
    # The verdict given in the list is on the same window after the reopen.
    assert again.document.session.status(listing.queue.ids[0]) is Status.ACCEPTED
    # Leaving the list is remembered too: the next reopen shows the normal list.
    again.learning.leave_list()
    assert again.review.queue is None
    reopened.close()

    third = AppModel()
    last = open_in(third, site, tmp_path / "settings")
    assert third.learning.listing is None and third.review.queue is None
    last.close()


def test_another_project_does_not_inherit_the_list(site: Path, tmp_path: Path) -> None:
    app = AppModel()
    app.learning.use_model("bands", factory=BandModel)
    first = open_in(app, site, tmp_path / "settings")
    compute(app)
    app.learning.similar.find_similar(app.learning.similar.query_for_detection(detection(app, "a", 0.0, BLACKBIRD)), k=5)
    assert app.learning.listing is not None
    other = open_in(app, make_project(tmp_path / "other"), tmp_path / "settings")
    assert app.learning.listing is None and app.review.queue is None
    first.close()  # as the window does once the other project is shown
    other.close()
    # Switching away did not mark the first project's list as left.
    again = open_in(app, site, tmp_path / "settings")
    assert app.learning.listing is not None and len(app.learning.listing.queue.ids) == 5
    again.close()
