"""Reference examples without Qt: which verified calls are listed, their thumbnails, the app part."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from soundevent import data, terms

from audioclass_gui.app import AppModel
from audioclass_gui.app.playback_state import PlayClip
from audioclass_gui.project.identity import make_reviewer
from audioclass_gui.review import Status, Verdict
from audioclass_gui.review.detection import Box
from audioclass_gui.review.reference_examples import ReferenceFinder
from audioclass_gui.spectrogram import SpectrogramParams
from audioclass_gui.spectrogram.thumbnails import (
    MAX_ROWS,
    ThumbnailRequest,
    compute_thumbnail,
)
from tests.reference_project import BAY, TENNESSEE, build_session

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def listed(examples) -> list[tuple]:
    return [(e.recording.stem, e.start, e.score) for e in examples]


@pytest.fixture
def project(tmp_path: Path):
    return build_session(tmp_path / "site")


def test_best_accepted_first_spread_over_recordings(project):
    session, _ids = project
    finder = ReferenceFinder(session)
    # Six of them: the best of a, b and c before a's fourth (a9, 0.40);
    # the window found by two runs once, with its best score; the relabel
    # (no score for this species) after the scored ones; rejected and
    # unreviewed detections never.
    assert listed(finder.examples(TENNESSEE, 6)) == [
        ("a", 0.0, 0.97),
        ("a", 3.0, 0.95),
        ("a", 6.0, 0.93),
        ("b", 0.0, 0.61),
        ("c", 6.0, 0.58),
        ("c", 0.0, None),
    ]
    # Three: one per recording.
    assert listed(finder.examples(TENNESSEE, 3)) == [
        ("a", 0.0, 0.97),
        ("b", 0.0, 0.61),
        ("c", 6.0, 0.58),
    ]
    relabel = finder.examples(TENNESSEE, 6)[-1]
    assert relabel.predicted == "Bay-breasted Warbler" and relabel.reviewer == "Ben"
    first = finder.examples(TENNESSEE, 1)[0]
    assert first.reviewer == "Ana" and first.kind == "detection" and first.at is not None
    # The relabelled detection is no example of what the model predicted.
    assert listed(finder.examples(BAY, 6)) == [("b", 3.0, 0.88)]
    assert finder.examples("Turdus merula", 6) == []
    assert session.species_registry.get("Turdus merula") is None  # nothing registered


def test_the_selected_window_is_left_out_with_its_twins(project):
    session, ids = project
    finder = ReferenceFinder(session)
    assert listed(finder.examples(TENNESSEE, 6, exclude_detection=ids[("a", 3, "")])) == [
        ("a", 0.0, 0.97),
        ("a", 6.0, 0.93),
        ("b", 0.0, 0.61),
        ("c", 6.0, 0.58),
        ("a", 9.0, 0.40),
        ("c", 0.0, None),
    ]
    # The other run's detection of the c 6-9 s window: the window goes, whichever run.
    out = listed(finder.examples(TENNESSEE, 6, exclude_detection=ids[("c", 6, "other")]))
    assert ("c", 6.0, 0.58) not in out and len(out) == 6


def test_new_verdicts_come_in_by_update_as_a_fresh_reading_has_them(project):
    session, ids = project
    finder = ReferenceFinder(session)
    before = listed(finder.examples(TENNESSEE, 8))
    changed = session.set_status([ids[("c", 3, "")]], Status.ACCEPTED).ids
    assert listed(finder.examples(TENNESSEE, 8)) == before  # read until told
    finder.update(changed)
    after = listed(finder.examples(TENNESSEE, 8))
    assert ("c", 3.0, 0.90) in after and after.index(("c", 3.0, 0.90)) == 3
    # Taken back, relabelled away, a twin's verdict: as a fresh reading lists them.
    seen: list[int] = []
    session.status_changed.connect(seen.extend)
    session.set_status([ids[("a", 0, "")]], Status.UNCERTAIN)
    session.relabel([ids[("a", 3, "")]], BAY)
    session.set_status([ids[("c", 6, "other")]], Status.REJECTED)  # its twin goes too
    finder.update(seen)
    for name in (TENNESSEE, BAY):
        assert listed(finder.examples(name, 8)) == listed(ReferenceFinder(session).examples(name, 8))
    assert ("a", 3.0, None) in listed(finder.examples(BAY, 8))
    assert [s for s, t, _ in listed(finder.examples(TENNESSEE, 8))].count("c") == 2


def test_boxes_come_in_at_once(project):
    session, _ids = project
    finder = ReferenceFinder(session)
    # Boxes have no score: with the relabel, newest first, after the scored calls.
    b = Path(session.recordings[1].path)
    later = time.time() + 60
    session.restore_box(Box("box1", b, 7.1, 7.9, 5000.0, 7000.0, TENNESSEE), make_reviewer("Cy"), later)
    session.restore_box(Box("box2", b, 9.0, 9.5, None, None, BAY), None, later)
    examples = finder.examples(TENNESSEE, 9)
    assert [e.kind for e in examples][-2:] == ["box", "detection"]
    box = examples[-2]
    assert (box.key, box.low_freq, box.high_freq, box.reviewer, box.score) == (
        "box1", 5000.0, 7000.0, "Cy", None
    )
    assert "box1" not in [e.key for e in finder.examples(TENNESSEE, 9, exclude_box="box1")]
    assert finder.species_with_examples() == sorted([BAY, TENNESSEE])


def test_thumbnail_of_a_call_and_of_a_box(project):
    session, _ids = project
    path = str(session.recordings[0].path)
    params = SpectrogramParams(window_length=512)
    thumb = compute_thumbnail(ThumbnailRequest.of(path, 3.0, 6.0), params)
    tile = thumb.tile
    assert thumb.problem == "" and tile is not None
    assert tile.data.shape[0] <= MAX_ROWS and tile.data.shape[1] <= 256
    assert tile.start == pytest.approx(2.5) and tile.end == pytest.approx(6.5, abs=0.05)
    assert tile.fmax == pytest.approx(12000, rel=0.05)  # the whole band of a 24 kHz file
    # The 6 kHz call at 4.0-4.6 s is the loudest thing in the picture.
    peak_row, peak_col = np.unravel_index(np.argmax(tile.data), tile.data.shape)
    assert tile.fmin + (peak_row + 0.5) * tile.hz_per_row == pytest.approx(6000, abs=2 * tile.hz_per_row)
    assert 4.0 <= tile.start + (peak_col + 0.5) * tile.seconds_per_column <= 4.6
    # A box: its band with a margin; a channel the file has not got gives the mix.
    boxed = compute_thumbnail(
        ThumbnailRequest.of(path, 4.0, 4.6, 5000.0, 7000.0),
        SpectrogramParams(window_length=512, channel=3),
    )
    assert boxed.tile is not None
    assert 4400 <= boxed.tile.fmin <= 4600 and 7400 <= boxed.tile.fmax <= 7800


def test_missing_or_unreadable_recording_gives_a_placeholder(tmp_path: Path):
    params = SpectrogramParams()
    gone = compute_thumbnail(ThumbnailRequest.of(tmp_path / "renamed.wav", 0, 3), params)
    assert gone.tile is None and gone.problem == "renamed.wav not found"
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all" * 10)
    bad = compute_thumbnail(ThumbnailRequest.of(junk, 0, 3), params)
    assert bad.tile is None and bad.problem.startswith("junk.wav: ")


class CountingTasks:
    """Runs tasks at once and counts them."""

    def __init__(self) -> None:
        self.count = 0

    def submit(self, fn, on_done=None, on_error=None):
        self.count += 1
        result = fn()
        if on_done is not None:
            on_done(result)


def test_app_part_follows_the_selection_and_caches_thumbnails(project):
    session, ids = project
    tasks = CountingTasks()
    app = AppModel(tasks)
    app.document.session = session
    seen = []
    app.references.changed.connect(seen.append)
    app.review.select(ids[("a", 3, "")])
    assert seen == []  # nothing is computed while no panel shows the examples
    app.references.set_active(True)
    current = app.references.current
    assert (current.scientific_name, current.common_name, current.selection) == (
        TENNESSEE, "Tennessee Warbler", "detection"
    )
    assert [(e.recording.stem, e.start) for e in current.examples][:2] == [("a", 0.0), ("a", 6.0)]
    params = SpectrogramParams(window_length=512)
    ready = []
    app.references.thumbnail_ready.connect(ready.append)
    assert app.references.thumbnail(current.examples[0], params) is None  # computed now
    assert len(ready) == 1 and ready[0].tile is not None and tasks.count == 1
    # Stepping to another detection of the species: cached, not computed again.
    app.review.select(ids[("a", 6, "")])
    again = app.references.current.examples[0]
    assert again == current.examples[0]
    assert app.references.thumbnail(again, params) is ready[0] and tasks.count == 1
    # A verdict updates the list; a species without accepted calls lists none.
    session.set_status([ids[("c", 3, "")]], Status.ACCEPTED)
    assert ("c", 3.0) in [(e.recording.stem, e.start) for e in app.references.current.examples]
    session.set_status([ids[("b", 3, "")]], Status.REJECTED)
    app.review.select(ids[("b", 3, "")])
    assert app.references.current.examples == [] and app.references.current.scientific_name == BAY
    app.review.select(None)
    assert app.references.current.selection is None
    # Playing an example asks the playback for its span of its own recording.
    clips = []
    app.playback.clip_requested.connect(clips.append)
    app.references.play(again)
    assert clips == [PlayClip(again.recording, again.start, again.end)]


def test_a_tagged_box_selects_its_species(project):
    session, _ids = project
    app = AppModel()
    app.document.session = session
    app.references.set_active(True)
    b = Path(session.recordings[1].path)
    session.add_box(b, 1.0, 1.6, 5500.0, 6500.0, BAY)
    box_id = session.boxes()[0].id
    app.review.select_box(box_id)
    current = app.references.current
    assert current.selection == "box" and current.scientific_name == BAY
    assert [(e.recording.stem, e.start) for e in current.examples] == [("b", 3.0)]


def test_detections_arriving_with_a_remembered_verdict_are_listed(project):
    session, ids = project
    app = AppModel()
    app.document.session = session
    app.references.set_active(True)
    app.review.select(ids[("a", 3, "")])
    before = [(e.recording.stem, e.start) for e in app.references.current.examples]
    recording = session.recordings[1]  # b.wav: a verdict from an earlier run waits for 9-12 s
    session.restore([((str(recording.path), 9.0, 12.0, TENNESSEE), Verdict(Status.ACCEPTED), None, None)])
    assert [(e.recording.stem, e.start) for e in app.references.current.examples] == before
    clip = data.Clip(recording=recording, start_time=9.0, end_time=12.0)
    tag = data.Tag(term=terms.scientific_name, value=TENNESSEE)
    session.add_predictions([data.ClipPrediction(clip=clip, tags=[data.PredictedTag(tag=tag, score=0.96)])])
    assert [(e.recording.stem, e.start) for e in app.references.current.examples][:2] == [
        ("a", 0.0), ("b", 9.0)
    ]
