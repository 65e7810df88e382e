"""Model runs read from the store are exported by streaming, as soundevent reads them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from soundevent import data, io

from audioclass_gui.formats import aoef_stream
from audioclass_gui.formats.aoef import build_model_runs, export_aoef
from audioclass_gui.formats.aoef_stream import StreamedModelRun
from audioclass_gui.project import ReviewProject
from audioclass_gui.review import Status
from tests.test_project_open import write_audio, write_model_run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _by_clip(run: data.ModelRun) -> dict[tuple[str, float, float], list[tuple[str, float]]]:
    out = {}
    for cp in run.clip_predictions:
        key = (Path(cp.clip.recording.path).name, cp.clip.start_time, cp.clip.end_time)
        out[key] = sorted((str(t.tag.value), round(t.score, 9)) for t in cp.tags)
    return out


def test_a_stored_run_streams_the_same_model_run(tmp_path: Path, monkeypatch) -> None:
    root, settings = tmp_path / "deployment", tmp_path / "settings"
    audio = [write_audio(root / "a.wav"), write_audio(root / "sub" / "b.wav")]
    source = write_model_run(root / "runs" / "birdnet.model_run.json", audio)
    original = io.load(source, type="model_run")
    ReviewProject.open(root, settings_dir=settings).close()  # reads it into the store
    monkeypatch.setattr(aoef_stream, "_CHUNK", 3)  # many chunks, windows never cut
    with ReviewProject.open(root, settings_dir=settings) as project:
        s = project.session
        (run,) = build_model_runs(s)
        assert isinstance(run, StreamedModelRun) and len(run) == 16
        ids = s.query().tolist()
        s.set_status(ids[:3], Status.ACCEPTED)
        s.relabel([ids[4]], "Turdus iliacus")
        result = export_aoef(s, tmp_path / "out" / "review.json")
    loaded = io.load(result.model_run_path, type="model_run")
    assert loaded.model.info.name == "BirdNET" and loaded.model.version == "2.4"
    # The run's name says what it is: model, version, source file, its date.
    day = dt.datetime.fromtimestamp(source.stat().st_mtime, dt.UTC).date()
    assert loaded.name.startswith(f"BirdNET 2.4 (from birdnet.model_run.json; {day}) [")
    assert _by_clip(loaded) == _by_clip(original)
    # One time convention: what we write carries its zone.
    assert loaded.created_on.tzinfo is not None
    review_on = io.load(result.project_path, type="annotation_project").created_on
    assert review_on.tzinfo is not None
    clips = [cp.clip.uuid for cp in loaded.clip_predictions]
    assert len(clips) == len(set(clips)) == 8
    # The annotation project refers to the run's clips.
    review = io.load(result.project_path, type="annotation_project")
    annotated = {a.clip.uuid for a in review.clip_annotations}
    assert annotated and annotated <= set(clips)


def test_streaming_keeps_memory_bounded(tmp_path: Path, monkeypatch) -> None:
    """200,000 predictions in chunks of 10,000: the writer holds a chunk, not the run."""
    import tracemalloc

    monkeypatch.setattr(aoef_stream, "_CHUNK", 10_000)
    n_rec, windows = 4, 16_667
    recordings = [
        data.Recording.from_file(write_audio(tmp_path / f"r{i}.wav", 1.0), compute_hash=False)
        for i in range(n_rec)
    ]
    rows = n_rec * windows * 3
    rec = np.repeat(np.arange(n_rec), windows * 3).astype(np.int32)
    start = np.tile(np.repeat(np.arange(windows) * 3.0, 3), n_rec)
    run = StreamedModelRun(
        name="BirdNET",
        description="{}",
        version="2.4",
        recordings=recordings,
        species=["A a", "B b", "C c"],
        columns={
            "recording": rec,
            "species": np.tile(np.arange(3), rows // 3).astype(np.int32),
            "start": start,
            "end": start + 3.0,
            "score": np.tile([0.9, 0.5, 0.1], rows // 3),
        },
    )
    tracemalloc.start()
    run.write(tmp_path / "big.model_run.json")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = (tmp_path / "big.model_run.json").stat().st_size
    assert peak < size / 5, (peak, size)  # the document is never held whole
    loaded = io.load(tmp_path / "big.model_run.json", type="model_run")
    assert len(loaded.clip_predictions) == n_rec * windows
    first = loaded.clip_predictions[0]
    assert [(str(t.tag.value), t.score) for t in first.tags] == [
        ("A a", 0.9),
        ("B b", 0.5),
        ("C c", 0.1),
    ]


def test_fast_uuids_are_uuid5() -> None:
    """The writers' uuids are ``uuid.uuid5``'s and the session's frame clips', made faster."""
    import uuid

    from audioclass_gui.formats.aoef_uuids import dashed, frame_clip_hexes, uuid5_hex
    from audioclass_gui.review.detection import frame_clip_uuid

    rng = np.random.default_rng(5)
    for _ in range(50):
        parent = uuid.UUID(bytes=rng.bytes(16))
        starts = (rng.random(20) * 1e5).round(rng.integers(0, 4)).tolist()
        ends = [s + float(rng.choice([3.0, 1.5, 0.1])) for s in starts]
        hexes = frame_clip_hexes(parent, starts, ends)
        assert hexes == [frame_clip_uuid(parent, s, e).hex for s, e in zip(starts, ends, strict=True)]
        name = f"prediction:{uuid.UUID(bytes=rng.bytes(16))}"
        assert dashed(uuid5_hex(parent.bytes, name)) == str(uuid.uuid5(parent, name))
