"""Through the real window: a Find similar list comes back when its project is reopened."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.conftest import open_main_window
from tests.embedding_fakes import BandModel
from tests.learning_project import SPECIES, make_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BLACKBIRD = SPECIES[500.0][0]


def where(session, ids) -> list[tuple[str, float]]:
    return [(Path(d.recording.path).stem, d.start) for d in session.get_many(ids)]


def test_the_list_and_its_banner_come_back_in_a_new_window(qtbot, tmp_path: Path, reviewer_settings) -> None:
    reviewer_settings("Ana")
    root = make_project(tmp_path / "site")
    win = open_main_window(qtbot, root, threshold=0.3)
    learning, controller = win.app.learning, win.learning
    with qtbot.waitSignal(learning.status_changed, timeout=10_000):
        learning.use_model("bands", factory=BandModel)
    ticks = list(learning.embedding_job()(threading.Event()))
    learning.embeddings_done(ticks[-1], False)
    qtbot.waitUntil(lambda: learning.status is not None and learning.status.ready, timeout=10_000)
    query = next(
        d for d in win.session.detections()
        if Path(d.recording.path).stem == "a" and d.start == 0.0 and d.scientific_name == BLACKBIRD
    )
    win.review.select(query.id)
    controller.banner.k.setValue(10)
    with qtbot.waitSignal(learning.list_changed, timeout=20_000):
        controller.similar_action.trigger()
    text = controller.banner.label.text()
    order = where(win.session, [int(i) for i in win.table.source.ids()])
    assert len(order) == 10
    win.close()

    again = open_main_window(qtbot, root, threshold=0.3)
    qtbot.waitUntil(lambda: again.learning.banner.isVisible(), timeout=10_000)
    assert again.learning.banner.label.text() == text
    assert where(again.session, [int(i) for i in again.table.source.ids()]) == order
    assert again.review.selected is not None and where(again.session, [again.review.selected.id]) == order[:1]

    # Back to the detection list: the next window opens on the normal list.
    again.learning.banner.back_requested.emit()
    assert not again.learning.banner.isVisible()
    count = len(again.table.source.ids())
    assert count > 10
    again.close()
    third = open_main_window(qtbot, root, threshold=0.3)
    assert not third.learning.banner.isVisible()
    assert len(third.table.source.ids()) == count
    third.close()
