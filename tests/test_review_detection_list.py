"""DetectionList (lazy lists of detections) and the gc pause of exports; no Qt."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest
from soundevent import data

from audioclass_gui.formats.exports import export_all, gc_paused
from audioclass_gui.review import DetectionFilter, DetectionList, Order, Status
from tests.test_review_queries import session  # noqa: F401  (a fixture)


def test_lazy_select_is_the_same_list_without_objects(session):  # noqa: F811
    f = DetectionFilter(min_score=0.3)
    for order in Order:
        plain = session.select(f, order)
        lazy = session.select(f, order, lazy=True)
        assert isinstance(lazy, DetectionList)
        assert lazy == plain and plain == list(lazy)
        assert len(lazy) == len(plain)
        assert lazy.ids.tolist() == [d.id for d in plain]
        assert [lazy[i] for i in range(len(lazy))] == plain
        assert lazy[-1] == plain[-1]  # made on demand: equal, not the same object
        assert lazy[1:3] == plain[1:3] and isinstance(lazy[1:3], DetectionList)
        assert plain[0] in lazy
    assert session.select(DetectionFilter(min_score=2.0), lazy=True) == []
    with pytest.raises(ValueError):
        session.select(lazy=True).ids[0] = 5  # read-only


def test_in_recording_and_where_use_the_columns(session):  # noqa: F811
    lazy = session.select(lazy=True)
    a, b = (str(r.path) for r in session.recordings)
    in_a = lazy.in_recording(a)
    assert [Path(d.recording.path).name for d in in_a] == ["a.wav"] * 4
    assert list(in_a) == [d for d in lazy if str(d.recording.path) == a]
    assert lazy.in_recording(Path(a).parent / "missing.wav") == []
    high = lazy.where(session.columns().score[lazy.locals()] >= 0.8)
    assert sorted(d.score for d in high) == [0.8, 0.9, 0.95]


def test_a_cleared_session_drops_the_rows(session):  # noqa: F811
    lazy = session.select(lazy=True)
    session.clear()
    with pytest.raises(KeyError):
        lazy[0]


def test_gc_pause_nests_across_threads_and_restores_the_state():
    assert gc.isenabled()
    entered, release = threading.Event(), threading.Event()

    def worker() -> None:
        with gc_paused():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    with gc_paused():
        thread.start()
        entered.wait(5)
        assert not gc.isenabled()
    assert not gc.isenabled()  # the worker's block is still open
    release.set()
    thread.join(5)
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_export_all_leaves_the_collector_on(session, tmp_path: Path):  # noqa: F811
    session.set_status([0, 3], Status.ACCEPTED)
    written = export_all(session, tmp_path / "out")
    assert gc.isenabled()
    assert set(written) == {"aoef", "raven", "audacity", "csv", "thresholds"}
    assert all(p.exists() for paths in written.values() for p in paths)
    assert isinstance(session.recordings[0], data.Recording)
