"""Review by vocal events in the app model (no Qt): grouping, verdicts on every window, undo, journal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.app import AppModel
from audioclass_gui.app.event_review import GAP_SETTING, ReviewUnit
from audioclass_gui.project import ReviewProject
from audioclass_gui.review import ReviewSession, Status
from audioclass_gui.review.event_verdicts import (
    MIXED,
    EventIndex,
    event_status,
    recount,
)
from audioclass_gui.review.events import group_events
from tests.deployment_project import build_deployment

A, B = "Setophaga castanea", "Leiothlypis peregrina"

#: (recording, species, start, end, score): A sings 0-6 s (two windows), again
#: from 7 s (one window, a 1 s gap), B once; a weak A window far off.
ROWS = [
    (0, A, 0.0, 3.0, 0.9),
    (0, A, 3.0, 6.0, 0.6),
    (0, A, 7.0, 10.0, 0.8),
    (0, B, 1.5, 4.5, 0.7),
    (0, A, 20.0, 23.0, 0.1),
]


@pytest.fixture
def project(tmp_path: Path):
    root = tmp_path / "deployment"
    build_deployment(root, [("site1/20240501_050000.wav", 60.0)], ROWS)
    with ReviewProject.open(root) as opened:
        yield opened


def app_on(project: ReviewProject) -> AppModel:
    app = AppModel()
    app.document.project = project
    app.document.session = project.session
    app.review.set_threshold(0.25)
    return app


def spans(app: AppModel) -> list[tuple[str, float, float, int, float]]:
    events = app.event_review.events
    assert events is not None
    names = app.document.session.species_list()
    return [
        (names[int(events.species[i])], float(events.start[i]), float(events.end[i]),
         int(events.windows[i]), round(float(events.max_score[i]), 3))
        for i in app.event_review.order()
    ]


def event_at(app: AppModel, species: str, start: float) -> int:
    events = app.event_review.events
    names = app.document.session.species_list()
    for i in range(len(events)):
        if names[int(events.species[i])] == species and events.start[i] == start:
            return i
    raise AssertionError(f"no event of {species} at {start}")


def statuses(session: ReviewSession, ids: list[int]) -> list[Status]:
    return [session.status(i) for i in ids]


def test_events_at_the_threshold_and_gap_tolerance(project) -> None:
    app = app_on(project)
    er = app.event_review
    assert spans(app) == [
        (A, 0.0, 6.0, 2, 0.9), (B, 1.5, 4.5, 1, 0.7), (A, 7.0, 10.0, 1, 0.8),
    ]  # the 0.1 window is below the threshold
    er.set_gap(1.0)
    assert spans(app) == [(A, 0.0, 10.0, 3, 0.9), (B, 1.5, 4.5, 1, 0.7)]
    er.set_gap(0.99)
    assert len(er) == 3
    app.review.set_threshold(0.05)  # the weak window is listed: its own event
    assert (A, 20.0, 23.0, 1, 0.1) in spans(app)
    with pytest.raises(ValueError, match=">= 0 s"):
        er.set_gap(-1)
    with pytest.raises(ValueError, match=">= 0 s"):
        er.set_gap(float("nan"))


def test_a_verdict_on_an_event_is_one_edit_over_every_window(project) -> None:
    app = app_on(project)
    er, session = app.event_review, app.document.session
    edits: list = []
    er.edited.connect(edits.append)
    er.set_mode(ReviewUnit.EVENTS)
    first = event_at(app, A, 0.0)
    assert er.selected == first  # entering events mode selects the first open event
    ids = er.ids(first)
    assert len(ids) == 2
    session.set_status([ids[1]], Status.UNCERTAIN)  # judged before, as a window
    assert er.status(first) is None and er.status_codes()[first] == MIXED  # partly reviewed

    edit = er.set_status(Status.ACCEPTED)
    assert edits == [edit] and "one event of 2 windows" in edit.description
    assert statuses(session, ids) == [Status.ACCEPTED, Status.ACCEPTED]
    assert er.status(first) is Status.ACCEPTED
    assert er.counts()[Status.ACCEPTED] == 1 and er.open_count() == 2
    assert er.selected == event_at(app, B, 1.5)  # moved on to the next open event, in time order

    session.revert(edit)  # one undo takes back every window, each to what it was
    assert statuses(session, ids) == [Status.UNREVIEWED, Status.UNCERTAIN]
    assert er.status_codes()[first] == MIXED
    session.apply(edit)  # and redo
    assert statuses(session, ids) == [Status.ACCEPTED, Status.ACCEPTED]


def test_relabel_an_event_relabels_every_window(project) -> None:
    app = app_on(project)
    er, session = app.event_review, app.document.session
    er.set_mode("events")
    er.select(event_at(app, A, 0.0))
    ids = er.ids(er.selected)
    edit = er.relabel("Setophaga fusca", advance=False)
    assert [session.verdict(i).label for i in ids] == ["Setophaga fusca"] * 2
    assert statuses(session, ids) == [Status.ACCEPTED] * 2
    assert er.label(er.selected) == "Setophaga fusca"
    assert er.events.relabelled[er.selected] == 2
    session.revert(edit)
    assert [session.verdict(i).label for i in ids] == [None, None]
    assert er.label(er.selected) is None


def test_verdicts_on_events_are_in_the_journal_and_the_gap_in_the_settings(tmp_path: Path) -> None:
    root = tmp_path / "deployment"
    build_deployment(root, [("site1/20240501_050000.wav", 60.0)], ROWS)
    with ReviewProject.open(root) as opened:
        app = app_on(opened)
        er = app.event_review
        er.set_gap(1.0)
        er.set_mode(ReviewUnit.EVENTS)
        er.select(event_at(app, A, 0.0))
        judged = er.ids(er.selected)
        er.set_status(Status.REJECTED)
        assert len(judged) == 3
    with ReviewProject.open(root) as again:
        assert again.settings[GAP_SETTING] == 1.0
        assert statuses(again.session, judged) == [Status.REJECTED] * 3
        app = app_on(again)
        assert app.event_review.gap == 1.0
        assert app.event_review.status(event_at(app, A, 0.0)) is Status.REJECTED


def test_next_events_selection_and_what_space_plays(project) -> None:
    app = app_on(project)
    er = app.event_review
    assert er.play_target() is None  # windows mode: Space plays the detection
    er.set_mode(ReviewUnit.EVENTS)
    order = er.order().tolist()
    assert er.selected == order[0]
    assert er.step(+1) == order[1] and er.step(+5) == order[-1] and er.step(-1) == order[1]
    target = er.play_target()
    assert (target.start, target.end) == (1.5, 4.5) and target.low_freq is None
    assert target.recording == Path(app.document.session.recordings[0].path)
    # A click on a window of another event selects that event.
    late = event_at(app, A, 7.0)
    app.review.select(er.ids(late)[0])
    assert er.selected == late
    # Judging every event leaves no open one: "next" goes down the list.
    er.select(order[0])
    for _ in order:
        er.set_status(Status.ACCEPTED)
    assert er.open_count() == 0 and er.counts()[Status.ACCEPTED] == len(order)
    # A new threshold groups again; the selected event is found again by its window.
    er.select(late)
    app.review.set_threshold(0.05)
    assert er.selected == event_at(app, A, 7.0)
    er.set_mode(ReviewUnit.WINDOWS)
    assert er.play_target() is None


def test_without_a_selection_nothing_is_judged(project) -> None:
    app = app_on(project)
    said: list[str] = []
    app.messages.status.connect(lambda text, _ms: said.append(text))
    assert app.event_review.set_status(Status.ACCEPTED) is None
    assert said == ["Select an event first."]
    assert all(s is Status.UNREVIEWED for s in statuses(app.document.session, list(range(5))))


def test_recount_and_index_match_grouping_again(project) -> None:
    session = project.session
    events = group_events(session, 0.0)
    index = EventIndex(events)
    rng = np.random.default_rng(3)
    ids = (np.arange(len(session)) + events.first_id).tolist()
    for i in ids:
        session.set_status([i], list(Status)[int(rng.integers(0, 4))])
    fresh = group_events(session, 0.0)
    again = recount(session, events)
    assert np.array_equal(again.verdicts, fresh.verdicts)
    assert np.array_equal(event_status(again), event_status(fresh))
    # In place, only some events: those match, the others keep their old counts.
    some = np.asarray([0, len(events) - 1])
    old = events.verdicts.copy()
    recount(session, events, some)
    assert np.array_equal(events.verdicts[some], fresh.verdicts[some])
    assert np.array_equal(event_status(events, some), event_status(fresh)[some])
    rest = np.setdiff1d(np.arange(len(events)), some)
    assert np.array_equal(events.verdicts[rest], old[rest])
    assert index.events_of([*events.ids(1), 10**9]).tolist() == [1] * events.windows[1] + [-1]
    for e in range(len(events)):
        assert all(index.event_of(i) == e for i in events.ids(e))
    assert index.event_of(10**9) is None


def read_csv(path: Path) -> list[dict[str, str]]:
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_windows_export_writes_events_and_counts_that_honour_verdicts(project, tmp_path) -> None:
    app = app_on(project)
    er = app.event_review
    written: list[dict] = []
    app.exports.finished.connect(written.append)
    er.set_mode(ReviewUnit.EVENTS)
    er.select(event_at(app, A, 0.0))
    er.set_status(Status.ACCEPTED, advance=False)
    er.select(event_at(app, B, 1.5))
    er.set_status(Status.REJECTED, advance=False)

    app.exports.export_events(tmp_path / "all")
    assert sorted(p.name for p in written[-1]["events"]) == ["event_counts.csv", "events.csv"]
    events = read_csv(tmp_path / "all" / "events.csv")
    assert sorted((e["scientific_name"], e["start_s"], e["windows"], e["accepted"], e["rejected"])
                  for e in events) == [(B, "1.5", "1", "0", "1"), (A, "0.0", "2", "2", "0"), (A, "7.0", "1", "0", "0")]
    counts = {(c["scientific_name"], c["site"], c["date"]): (c["events"], c["windows"])
              for c in read_csv(tmp_path / "all" / "event_counts.csv")}
    assert counts == {(A, "site1", "2024-05-01"): ("2", "3"), (B, "site1", "2024-05-01"): ("1", "1")}

    app.exports.export_events(tmp_path / "accepted", only_accepted=True)
    events = read_csv(tmp_path / "accepted" / "events.csv")
    assert [(e["scientific_name"], e["start_s"], e["end_s"], e["windows"]) for e in events] == [
        (A, "0.0", "6.0", "2")
    ]
    counts = read_csv(tmp_path / "accepted" / "event_counts.csv")
    assert [(c["scientific_name"], c["events"], c["windows"]) for c in counts] == [(A, "1", "2")]

    er.set_gap(1.0)  # the events panel's gap goes with the export
    app.exports.export_events(tmp_path / "gap")
    assert sorted(e["windows"] for e in read_csv(tmp_path / "gap" / "events.csv")) == ["1", "3"]


class LaterTasks:
    """Tasks that run when told, newest first: a thread pool's answers come late, in any order."""

    def __init__(self) -> None:
        self.jobs: list = []

    def submit(self, fn, on_done=None, on_error=None):
        self.jobs.append((fn, on_done))

    def run(self) -> None:
        jobs, self.jobs = self.jobs, []
        for fn, on_done in reversed(jobs):
            on_done(fn())


def test_grouping_off_the_gui_thread_keeps_only_the_latest_answer(project) -> None:
    tasks = LaterTasks()
    app = AppModel(tasks)
    app.document.project = project
    app.document.session = project.session
    er = app.event_review
    er.set_mode(ReviewUnit.EVENTS)
    assert not er.ready and er.events is None and er.selected is None  # asked, not answered
    app.review.set_threshold(0.05)  # asked again before the first answer
    session = app.document.session
    weak = next(d.id for d in session.detections() if d.score < 0.25)
    session.set_status([weak], Status.REJECTED)  # a verdict while it groups
    groupings = [job for job in tasks.jobs if "EventList" in job[0].__qualname__]
    assert len(groupings) == 2
    tasks.run()
    assert er.ready and len(er) == 4  # the second answer (the first, late, is dropped)
    weak_event = er.event_of(weak)
    assert er.status(weak_event) is Status.REJECTED  # recounted on arrival
    assert er.selected == event_at(app, A, 0.0)  # the first open event, once they came
