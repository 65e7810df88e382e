"""Runs made in the window are written off the GUI thread and never left out of their project."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, terms

import audioclass_gui.project.run_files as run_files
from audioclass_gui.project import ReviewProject
from audioclass_gui.qt.common.tasks import TaskRunner
from audioclass_gui.qt.project.run_saving import RunSaver
from audioclass_gui.review import Status

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def project(tmp_path: Path):
    root = tmp_path / "deployment"
    root.mkdir()
    sf.write(root / "a.wav", np.zeros(8000 * 9, np.float32), 8000)
    opened = ReviewProject.open(root, settings_dir=tmp_path / "settings")
    yield opened
    if not opened.closed:
        opened.close()


def predictions(project: ReviewProject) -> list[data.ClipPrediction]:
    rec = project.session.recordings[0]
    tag = data.Tag(term=terms.scientific_name, value="Strix aluco")
    return [
        data.ClipPrediction(
            clip=data.Clip(recording=rec, start_time=3.0 * i, end_time=3.0 * i + 3),
            tags=[data.PredictedTag(tag=tag, score=0.5 + 0.1 * i)],
        )
        for i in range(3)
    ]


class Outcomes:
    def __init__(self) -> None:
        self.saved: list[int] = []
        self.failed: list[str] = []


@pytest.fixture
def runner(qtbot):
    made = TaskRunner()
    yield made
    made.shutdown()


def test_a_run_is_written_in_the_runner_and_recorded_on_the_gui_thread(
    qtbot, project, runner, monkeypatch
):
    gui = threading.get_ident()
    seen = []
    real = run_files.write_run_file

    def spy(*args, **kwargs):
        seen.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(run_files, "write_run_file", spy)
    out = Outcomes()
    saver = RunSaver(runner, lambda _s, n: out.saved.append(n), lambda _s, m: out.failed.append(m))
    save = saver.save(project, predictions(project), name="Owl finder", provenance={"k": 1})
    qtbot.waitUntil(lambda: bool(out.saved), timeout=10_000)
    assert seen and seen[0] != gui  # the file was written off the GUI thread
    assert out.saved == [3] and not out.failed and not saver.pending
    assert save.target.is_file() and save.target.parent == project.runs_folder()
    assert [(s.path, s.kind, s.model_name) for s in project.sources()] == [
        (save.target, "arrow", "Owl finder")
    ]
    root = project.root
    project.close()
    with ReviewProject.open(root, read_only=True) as again:
        got = sorted((d.start, d.score) for d in again.session.detections())
        assert got == [(0.0, 0.5), (3.0, 0.6), (6.0, 0.7)]
        assert again.sources()[0].model_name == "Owl finder"


def test_closing_the_project_waits_for_a_run_still_being_written(
    qtbot, project, runner, monkeypatch
):
    release = threading.Event()
    real = run_files.write_run_file

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(run_files, "write_run_file", slow)
    out = Outcomes()
    saver = RunSaver(runner, lambda _s, n: out.saved.append(n), lambda _s, m: out.failed.append(m))
    save = saver.save(project, predictions(project), name="Owl finder", provenance={})
    assert saver.pending == [save]
    threading.Timer(0.3, release.set).start()
    saver.wait(project)  # what closing the project does first
    assert out.saved == [3] and not saver.pending
    root = project.root
    project.close()
    qtbot.wait(100)  # the runner's own delivery comes later and changes nothing
    assert out.saved == [3]
    with ReviewProject.open(root, read_only=True) as again:
        assert len(again.session) == 3


def test_a_run_replaced_before_it_is_written_is_not_recorded(qtbot, project, runner):
    out = Outcomes()
    saver = RunSaver(runner, lambda _s, n: out.saved.append(n), lambda _s, m: out.failed.append(m))
    save = saver.save(project, predictions(project), name="Owl finder", provenance={})
    saver.drop(project)  # a new run on the same recording replaces it
    qtbot.waitUntil(lambda: not saver.pending, timeout=10_000)
    assert not out.saved and not out.failed
    assert project.sources() == [] and not save.target.exists()


def test_a_run_that_cannot_be_written_is_said_and_the_project_goes_on(
    qtbot, project, runner
):
    project.runs_folder().parent.mkdir(parents=True, exist_ok=True)
    project.runs_folder().write_text("not a folder")  # the runs folder cannot be made
    out = Outcomes()
    saver = RunSaver(runner, lambda _s, n: out.saved.append(n), lambda _s, m: out.failed.append(m))
    saver.save(project, predictions(project), name="Owl finder", provenance={})
    qtbot.waitUntil(lambda: bool(out.failed), timeout=10_000)
    assert "not saved in the project" in out.failed[0] and not out.saved
    assert project.sources() == []
    detection = project.session.add_predictions(predictions(project))[0]
    project.session.set_status([detection.id], Status.ACCEPTED)  # verdicts still durable
    root = project.root
    project.close()
    with ReviewProject.open(root, read_only=True) as again:
        assert again.session.pending_verdicts()  # kept by key for the next run
