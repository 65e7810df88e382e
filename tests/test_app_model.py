"""The app model without Qt: its parts announce what changes, and only that."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from audioclass_gui.app import AppModel, ImmediateTasks
from audioclass_gui.project import ReviewProject


def test_no_qt_needed() -> None:
    # The app model is importable and usable in a process that never loads Qt.
    import subprocess

    code = (
        "import sys; from audioclass_gui.app import AppModel; m = AppModel();"
        "m.messages.say('x'); m.run.start('k'); m.run.finish(False);"
        "print(any(n.startswith(('PySide6', 'pyqtgraph')) for n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_document_fields_announce_changes_once() -> None:
    model = AppModel()
    seen: list[object] = []
    model.document.events.model_info.connect(seen.append)
    model.document.model_info = None  # unchanged: nothing said
    assert seen == []
    marker = object()
    model.document.model_info = marker  # type: ignore[assignment]
    model.document.model_info = marker  # type: ignore[assignment]
    assert seen == [marker]


def test_messages_reach_subscribers_and_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    model = AppModel()
    said: list[tuple] = []
    model.messages.status.connect(lambda text, ms: said.append(("status", text, ms)))
    model.messages.error.connect(lambda title, text: said.append(("error", title, text)))
    model.messages.say("Exported 3 files", 10_000)
    model.messages.report("Export failed", "/x/y.csv: No space left on device")
    assert said == [
        ("status", "Exported 3 files", 10_000),
        ("error", "Export failed", "/x/y.csv: No space left on device"),
    ]
    assert "/x/y.csv: No space left on device" in capsys.readouterr().err


def test_run_state_tracks_the_running_model() -> None:
    model = AppModel()
    ended: list[bool] = []
    model.run.finished.connect(ended.append)
    assert not model.run.running
    model.run.start("birdnet")
    assert model.run.running and model.run.key == "birdnet"
    model.run.finish(True)
    assert not model.run.running and ended == [True]


def test_immediate_tasks_call_back_with_result_or_error() -> None:
    tasks = ImmediateTasks()
    got: list[object] = []
    tasks.submit(lambda: 41 + 1, got.append, got.append)
    tasks.submit(lambda: 1 / 0, got.append, got.append)
    assert got[0] == 42 and isinstance(got[1], ZeroDivisionError)


def test_folder_and_opened_path_follow_the_project(tmp_path: Path) -> None:
    model = AppModel()
    assert model.document.folder is None and model.document.opened_path is None
    project = ReviewProject.create(tmp_path / "review.jsonl", [], settings_dir=tmp_path / "settings")
    try:
        model.document.project = project
        assert model.document.folder == project.root
        assert model.document.opened_path == (
            project.root if project.is_folder else project.journal_path
        )
    finally:
        project.close()


def test_export_writes_through_tasks_and_says_so(tmp_path: Path) -> None:
    from audioclass_gui.review import Status
    from tests.sessions import make_session

    model = AppModel()
    said: list[str] = []
    model.messages.status.connect(lambda text, _ms: said.append(text))
    written: list[dict] = []
    model.exports.finished.connect(written.append)

    session = make_session(tmp_path, [("Turdus migratorius", 0.9), ("Sitta carolinensis", 0.4)])
    model.document.session = session
    session.set_status([0], Status.ACCEPTED)
    model.exports.export("csv", tmp_path / "out.csv")

    assert written and written[0]["csv"] == [tmp_path / "out.csv"]
    text = (tmp_path / "out.csv").read_text()
    assert "Turdus migratorius" in text and "accepted" in text
    assert said[-1] == "Exported 1 file (csv)"


def test_export_with_nothing_open_is_refused_with_a_reason() -> None:
    model = AppModel()
    problems: list[tuple[str, str]] = []
    model.messages.error.connect(lambda title, text: problems.append((title, text)))
    assert not model.exports.can_export()
    assert problems and problems[0][0] == "Nothing to export"
    assert model.exports.default_folder() == Path.home()


def test_species_thresholds_load_apply_and_bad_file(tmp_path: Path) -> None:
    model = AppModel()
    seen: list[tuple[dict, str]] = []
    model.species_thresholds.changed.connect(lambda t, source: seen.append((t, source)))
    good = tmp_path / "thr.csv"
    good.write_text("species,threshold\nTurdus merula,0.8\n")
    model.species_thresholds.load(good)
    assert model.species_thresholds.thresholds == {"Turdus merula": 0.8}
    assert seen[-1] == ({"Turdus merula": 0.8}, "thr.csv")

    problems: list[str] = []
    model.messages.error.connect(lambda _title, text: problems.append(text))
    model.species_thresholds.load(tmp_path / "missing.csv")
    assert problems and str(tmp_path / "missing.csv") in problems[0]
    assert model.species_thresholds.thresholds == {"Turdus merula": 0.8}  # unchanged
    model.species_thresholds.clear()
    assert seen[-1] == ({}, "")


def test_species_thresholds_are_remembered_in_the_project(tmp_path: Path) -> None:
    model = AppModel()
    project = ReviewProject.create(tmp_path / "review.jsonl", [], settings_dir=tmp_path / "s")
    model.document.project = project
    model.species_thresholds.apply({"Parus major": 0.55}, "mine")
    project.close()
    model.document.project = None
    model.species_thresholds.clear()  # outside the project: not written there

    again = AppModel()
    reopened = ReviewProject.open(tmp_path / "review.jsonl", settings_dir=tmp_path / "s")
    try:
        again.document.project = reopened
        assert again.species_thresholds.thresholds == {"Parus major": 0.55}
        assert again.species_thresholds.source == "mine"
    finally:
        reopened.close()


def test_review_state_lists_what_its_thresholds_and_filter_say(tmp_path: Path) -> None:
    from audioclass_gui.review import DetectionFilter, Order
    from tests.sessions import make_session

    model = AppModel()
    state = model.review
    session = make_session(
        tmp_path,
        [("Turdus merula", 0.9), ("Parus major", 0.3), ("Turdus merula", 0.2), ("Parus major", 0.6)],
    )
    events: list[str] = []
    state.listing_changed.connect(lambda: events.append("listing"))
    state.thresholds_changed.connect(lambda: events.append("thresholds"))

    def listed() -> list[int]:
        return [d.id for d in state.listed(session)]

    assert listed() == [0, 1, 3]  # at or above 0.25, in time order
    state.set_threshold(0.5)
    assert listed() == [0, 3] and events == ["listing", "thresholds"]
    # Parus major from its own threshold; the others keep the slider's.
    model.species_thresholds.apply({"Parus major": 0.1}, "test")
    assert listed() == [0, 1, 3]
    assert dict(state.threshold_filter().thresholds) == {"Parus major": 0.1}
    state.set_filter(DetectionFilter(species=frozenset({"Turdus merula"})), order=Order.SCORE)
    assert listed() == [0]
    assert state.listed(None) == []


def test_review_state_selection_is_said_even_when_repeated() -> None:
    state = AppModel().review
    said: list[object] = []
    state.selection_changed.connect(said.append)
    state.select(3)
    state.select(3)
    state.select(None)
    assert said == [3, 3, None] and state.selected is None


def test_a_detection_and_a_box_are_never_both_selected_and_space_plays_the_one_that_is(
    tmp_path: Path,
) -> None:
    from tests.sessions import make_session

    model = AppModel()
    state = model.review
    session = make_session(tmp_path, [("Turdus merula", 0.9), ("Parus major", 0.6)])
    box = session.add_box(tmp_path / "r.wav", 0.2, 0.4, 1000.0, 3000.0, "Parus major").after
    said: list[tuple[str, object]] = []
    state.selection_changed.connect(lambda d: said.append(("detection", d)))
    state.box_selection_changed.connect(lambda b: said.append(("box", b)))
    assert state.play_target(session) is None and state.play_target(None) is None
    state.select(1)
    assert state.play_target(session).id == 1
    state.select_box(box.id)  # the box takes the selection from the detection
    assert (state.selected, state.selected_box) == (None, box.id)
    assert state.play_target(session) == box
    state.select(0)  # and gives it back
    assert (state.selected, state.selected_box) == (0, None)
    assert state.play_target(session).id == 0
    assert said == [
        ("detection", 1),
        ("detection", None),
        ("box", box.id),
        ("box", None),
        ("detection", 0),
    ]
    # A box deleted since: Space plays nothing rather than a stale box.
    state.select_box(box.id)
    session.delete_box(box.id)
    assert state.play_target(session) is None


def test_playback_cursor_is_said_when_moved() -> None:
    playback = AppModel().playback
    said: list[object] = []
    playback.cursor_changed.connect(said.append)
    playback.set_cursor(12)
    playback.set_cursor(None)
    assert said == [12.0, None] and playback.cursor is None
