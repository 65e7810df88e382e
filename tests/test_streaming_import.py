"""Imports stream into the predictions store: the same columns as the object readers, once.

Model runs and prediction sets are walked with a JSON stream and BirdNET
tables read row by row; the columns must be exactly those the object
readers (``soundevent.io.load`` / clip prediction objects, then
``run_from_predictions``) give, problems included, and a first open must
leave the session as a reopen (from the store) does.
"""

from __future__ import annotations

import functools
import json
import shutil
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from soundevent import data, io, terms

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.formats import aoef_import, aoef_stream_read, birdnet_columns
from audioclass_gui.formats import prediction_store as store_module
from audioclass_gui.formats.aoef_import import read_predictions
from audioclass_gui.formats.aoef_stream import StreamedModelRun
from audioclass_gui.formats.aoef_stream_read import map_recordings, read_aoef_columns
from audioclass_gui.formats.birdnet_columns import read_birdnet_columns
from audioclass_gui.formats.birdnet_results import read_birdnet_results
from audioclass_gui.formats.json_stream import JsonStream
from audioclass_gui.formats.prediction_store import StoredRun, run_from_predictions
from audioclass_gui.project import ReviewProject
from audioclass_gui.project import attach as attach_module
from audioclass_gui.review import Status
from tests.test_project_open import score_predictions, write_audio, write_model_run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RAVEN = (
    "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\t"
    "High Freq (Hz)\tCommon Name\tSpecies Code\tConfidence\tBegin Path\tFile Offset (s)"
)
NAMES = {"great tit": "Parus major", "european robin": "Erithacus rubecula"}


def recording(path: str) -> data.Recording:
    return data.Recording(path=Path(path), duration=100.0, channels=1, samplerate=8000)


def object_reference(path: Path, resolve) -> StoredRun:
    """What the project made of a model run before: objects, mapped, then columns."""
    result = read_predictions(path)
    kept, mapped, dropped = [], {}, {}
    for prediction in result.predictions:
        key = str(prediction.clip.recording.path)
        if key not in mapped:
            mapped[key] = resolve(key)
        if mapped[key] is None:
            dropped[key] = dropped.get(key, 0) + 1
            continue
        prediction.clip.recording = mapped[key]
        kept.append(prediction)
    problems = [f"{path}: {n} clip predictions of {k}: recording not found" for k, n in dropped.items()]
    return run_from_predictions(
        kept, model_name=result.model_name, provenance=result.provenance, problems=problems
    )


def assert_same_run(got: StoredRun, want: StoredRun) -> None:
    for name in ("recordings", "species", "model_name", "provenance", "common_names", "problems"):
        assert getattr(got, name) == getattr(want, name), name
    for name in ("recording", "species_index", "start", "end", "score"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name


def no_objects(monkeypatch) -> None:
    """Make the object reader fail loudly: the streamed read must not need it."""

    def refuse(*_a, **_k):
        raise AssertionError("the object reader was used")

    monkeypatch.setattr(aoef_stream_read, "read_predictions", refuse)
    monkeypatch.setattr(aoef_import, "_load", refuse)


def tricky_model_run(folder: Path) -> Path:
    """A model run with two tag keys, an unknown tag id, an empty window and a relative path."""
    a = recording(str(folder / "a.wav"))
    b = data.Recording(path=Path("sub/b.wav"), duration=60.0, channels=1, samplerate=8000)
    gone = recording("/elsewhere/gone.wav")
    sci = functools.partial(data.Tag, term=terms.scientific_name)
    call = data.Tag(key="call_type", value="song")
    same_name = data.Tag(key="other:name", value="Parus major")
    predictions = [
        data.ClipPrediction(
            clip=data.Clip(recording=rec, start_time=s, end_time=s + 3),
            tags=[data.PredictedTag(tag=t, score=v) for t, v in tags],
        )
        for rec, s, tags in [
            (b, 0.0, [(sci(value="Turdus merula"), 0.9), (call, 0.4)]),
            (a, 3.0, [(sci(value="Parus major"), 0.2), (same_name, 0.7)]),
            (gone, 0.0, [(sci(value="Turdus merula"), 0.5)]),
            (a, 0.0, []),
            (gone, 3.0, [(sci(value="Strix aluco"), 1.0)]),
            (b, 1.5, [(sci(value="Strix aluco"), 0.0), (sci(value="Turdus merula"), 0.3)]),
        ]
    ]
    target = folder / "tricky.model_run.json"
    io.save(
        data.ModelRun(
            name="Tricky",
            description="not JSON",
            clip_predictions=predictions,
            model=data.Model(info=data.ModelInfo(name="Tricky net"), version="7"),
        ),
        target,
    )
    doc = json.loads(target.read_text())
    # A tag id the file does not list: left out, as soundevent leaves it out.
    doc["data"]["clip_predictions"][0]["tags"].append([99, 0.5])
    target.write_text(json.dumps(doc, indent=1))
    return target


def resolver(folder: Path):
    """A project's lookup: recordings under ``folder`` are known, others are not."""
    known: dict[str, data.Recording] = {}

    def resolve(text: str) -> data.Recording | None:
        if not text.startswith(str(folder)):
            return None
        return known.setdefault(text, recording(text))

    return resolve


def test_streamed_model_runs_and_prediction_sets_equal_the_object_reader(tmp_path, monkeypatch) -> None:
    recs = [recording(str(tmp_path / n)) for n in ("x.wav", "y.wav")]
    plain = tmp_path / "plain.model_run.json"
    from audioclass_gui.formats.aoef import model_run_from_predictions, save_aoef

    save_aoef(model_run_from_predictions(score_predictions(recs), name="BirdNET", provenance={"version": "2.4"}), plain)
    pset = tmp_path / "owls.json"
    io.save(data.PredictionSet(name="owls", description="handmade", clip_predictions=score_predictions(recs[::-1])), pset)
    files = [plain, pset, tricky_model_run(tmp_path)]
    want = [object_reference(p, resolver(tmp_path)) for p in files]
    assert "Tricky net" == want[2].model_name and want[2].problems  # the case is covered
    assert set(want[2].species) == {"Turdus merula", "song", "Parus major", "Strix aluco"}
    no_objects(monkeypatch)
    for path, expected in zip(files, want, strict=True):
        assert_same_run(map_recordings(read_aoef_columns(path), resolver(tmp_path)), expected)
        # In pieces of a few characters, every value is cut somewhere.
        monkeypatch.setattr(aoef_stream_read, "JsonStream", functools.partial(JsonStream, read_size=7))
        assert_same_run(map_recordings(read_aoef_columns(path), resolver(tmp_path)), expected)
        monkeypatch.undo()
        no_objects(monkeypatch)


def _edit(path: Path, change) -> Path:
    doc = json.loads(path.read_text())
    change(doc["data"])
    out = path.with_name(f"edited{len(list(path.parent.glob('edited*')))}.model_run.json")
    out.write_text(json.dumps(doc))
    return out


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["clip_predictions"][0].update(clip="6d1f1a1e-0000-4000-8000-000000000000"),
        lambda d: d["clip_predictions"][1]["tags"][0].__setitem__(1, 1.5),
        lambda d: d["clips"][2].update(start_time=9.0, end_time=1.0),
        lambda d: d["clips"][0].update(recording="6d1f1a1e-0000-4000-8000-00000000ffff"),
        lambda d: d["clip_predictions"][0].update(uuid="not a uuid"),
        lambda d: d["recordings"][0].update(samplerate="fast"),
        lambda d: d["clips"][1].update(start_time="soon"),
        lambda d: d.update(uuid="nope"),
        lambda d: d["tags"][0].update(value=5),
    ],
)
def test_bad_files_are_named_in_the_object_readers_words(tmp_path, change) -> None:
    recs = [recording(str(tmp_path / "x.wav"))]
    from audioclass_gui.formats.aoef import model_run_from_predictions, save_aoef

    good = tmp_path / "run.model_run.json"
    save_aoef(model_run_from_predictions(score_predictions(recs), name="M", provenance={}), good)
    bad = _edit(good, change)
    with pytest.raises(ValueError) as expected:
        read_predictions(bad)
    with pytest.raises(ValueError) as got:
        read_aoef_columns(bad)
    assert str(got.value) == str(expected.value)
    assert str(bad) in str(got.value)


def test_other_layouts_are_read_by_the_object_reader(tmp_path, monkeypatch) -> None:
    recs = [recording(str(tmp_path / "x.wav"))]
    from audioclass_gui.formats.aoef import model_run_from_predictions, save_aoef

    good = tmp_path / "run.model_run.json"
    save_aoef(model_run_from_predictions(score_predictions(recs), name="M", provenance={}), good)

    def reorder(d):  # the predictions before the clips they refer to
        d["clip_predictions"] = d.pop("clip_predictions")
        d["clips"] = d.pop("clips")

    def upper(d):  # uuids in capitals (soundevent reads them)
        for c in d["clips"]:
            c["uuid"] = c["uuid"].upper()

    files = [_edit(good, reorder), _edit(good, upper)]
    calls = []
    real = aoef_stream_read.read_predictions
    monkeypatch.setattr(aoef_stream_read, "read_predictions", lambda *a, **k: calls.append(a) or real(*a, **k))
    for path in files:
        assert_same_run(map_recordings(read_aoef_columns(path), resolver(tmp_path)), object_reference(path, resolver(tmp_path)))
    assert len(calls) == 2  # each fell back
    read_aoef_columns(good)
    assert len(calls) == 2  # the usual layout did not


TABLES = {
    "a.BirdNET.selection.table.txt": RAVEN + "\n" + "\n".join([
        "1\tS\t1\t0\t3\t0\t1\tGreat Tit\tx\t0.5\t/x/rec1.wav\t0",
        "", "   ",
        "2\tS\t1\t0.0001\t3.0002\t0\t1\tEuropean Robin\tx\t0.7\t/x/rec1.wav\t0.0001",
        "3\tS\t1\t0\t3\t0\t1\tGreat Tit\tx\t0.9\t/x/rec1.wav\t0",
        "4\tS\t1\t5\t2\t0\t1\tGreat Tit\tx\t0.9\t/x/rec1.wav\t5",
        "5\tS\t1\tabc\t2\t0\t1\tGreat Tit\tx\t0.9\t/x/rec1.wav\t5",
        "6\tS\t1\t9\t12\t0\t1\tMystery Bird\tx\t1.5\t/x/rec2.wav\t9",
        "7\tS\t1\t3\t6\t0\t1\tGreat Tit\tx\t0.2\t/x/gone.wav\t3",
        "8\tS\t1\t3\t6\t0\t1\tnocall\tx\t0.2\t/x/rec2.wav\t3",
        "9\tS\t1\t3\t6\t0\t1\tGreat Tit",
        "10\tS\t1\t13\t16\t0\t1\tGreat Tit\tx\t0.3\t/x/rec2.wav\t1\textra",
        "11\tS\t1\t100\t103\t0\t1\tGreat Tit\tx\t-0.3\t/x/rec1.wav\t1.5",
    ]) + "\r\n",
    "b.BirdNET.results.csv": "Start (s),End (s),Scientific name,Common name,Confidence,File\r\n" + "\r\n".join([
        "0,3,Turdus merula,Eurasian Blackbird,0.9,/y/rec2.wav",
        "0,3,Turdus merula,Eurasian Blackbird,0.8,/y/rec1.wav",
        "",
        '6,9,"Parus, major","Great\nTit",0.4,/y/rec1.wav',
        "3,6,Parus major,Great Tit",
        "3,6,,Great Tit,0.3,/y/rec1.wav",
        "3,6,,Unknown thing,0.3,/y/rec1.wav",
        "12,15,Turdus merula,,0.3,",
        "1,2,x,y,z,/y/rec1.wav",
    ]) + "\r\n",
    "rec1.BirdNET.results.kaleidoscope.csv": "INDIR,FOLDER,IN FILE,OFFSET,DURATION,scientific_name,"
    "common_name,confidence\n/k,A01,rec1.wav,6.0,3.0,Parus major,Great Tit,0.7\n"
    "/k,A01,rec2.wav,1.0,3.0,Parus major,Great Tit,0.6\n",
    "rec1.BirdNET.results.r.csv": "filepath,start,end,scientific_name,common_name,confidence\n"
    "C:\\data\\rec1.wav,12.0,15.0,Turdus merula,Eurasian Blackbird,0.35\n",
}


@pytest.mark.parametrize("name", sorted(TABLES))
@pytest.mark.parametrize("read_size", [3, 1 << 22])
def test_birdnet_columns_equal_the_object_reader(tmp_path, monkeypatch, name, read_size) -> None:
    table = tmp_path / name
    table.write_text(TABLES[name], encoding="utf-8")
    recs = {n: recording(f"/project/{n}") for n in ("rec1.wav", "rec2.wav")}

    def find(text: str) -> data.Recording | None:
        return recs.get(Path(text.replace("\\", "/")).name)

    result = read_birdnet_results(table, recording_for=find, scientific_names=NAMES)
    want = run_from_predictions(
        result.predictions,
        model_name=result.model_name,
        provenance=result.provenance,
        common_names=result.common_names,
        problems=result.problems,
    )
    monkeypatch.setattr(birdnet_columns, "_READ", read_size)
    got = read_birdnet_columns(table, recording_for=find, scientific_names=NAMES)
    assert_same_run(got, want)
    assert len(got) > 0
    if name.startswith("a."):
        assert [p.split(": ", 1)[1] if ", line" not in p else p.rsplit(", ", 1)[1] for p in got.problems] == [
            "line 5: no valid time window or confidence",
            "line 6: times or confidence are not numbers",
            "line 10: no valid time window or confidence",
            "1 rows of /x/gone.wav: recording not found in the project",
            "1 rows of 'Mystery Bird': no scientific name known, kept the common name",
        ]


def session_state(project: ReviewProject) -> dict:
    """Everything a review shows of the predictions, in the session's order."""
    s = project.session
    root = project.root
    dets = [
        (
            s.path_key(d.id),
            d.common_name,
            d.score,
            d.run,
            s.verdict(d.id),
        )
        for d in s.get_many(s.query().tolist())
    ]
    state = {
        "detections": [(str(Path(k[0]).relative_to(root)), *k[1:], *rest) for k, *rest in dets],
        "recordings": [str(Path(r.path).relative_to(root)) for r in s.recordings],
        "species": s.species_list(),
        "runs": [(k, name, prov) for k, name, prov in s.run_infos()],
        "sources": [(str(i.path), i.kind, i.model_name, i.detections, i.problems) for i in project.sources()],
    }
    # (Provenance and problems name the project's folder: compare copies too.)
    return json.loads(json.dumps(state, default=repr).replace(str(root), "<root>"))


def _table_folder(root: Path) -> None:
    for name in ("rec1.wav", "rec2.wav"):
        write_audio(root / name)
    rows = [f"{n}\tS\t1\t{t}\t{t + 3}\t0\t1\t{c}\tx\t{v}\t/far/{r}\t{t}" for n, (t, c, v, r) in enumerate(
        [(0, "Great Tit", 0.5, "rec1.wav"), (0, "European Robin", 0.8, "rec1.wav"), (3, "Great Tit", 0.6, "rec2.wav"),
         (6, "Mystery Bird", 0.4, "rec2.wav"), (3, "Great Tit", 0.7, "gone.wav")], start=1)]
    (root / "BirdNET_SelectionTable.txt").write_text("\n".join([RAVEN, *rows]) + "\n")


def _aoef_folder(root: Path) -> None:
    audio = [write_audio(root / "a.wav"), write_audio(root / "sub" / "b.wav")]
    write_model_run(root / "runs" / "birdnet.model_run.json", audio)


@pytest.mark.parametrize("build", [_aoef_folder, _table_folder])
def test_first_open_gives_the_session_a_reopen_gives(tmp_path, monkeypatch, build) -> None:
    root, settings = tmp_path / "site", tmp_path / "settings"
    build(root)
    with ReviewProject.open(root, settings_dir=settings) as project:
        first = session_state(project)
        problems = list(project.problems)
        (source,) = project.sources()
        assert source.detections > 0
        assert project.session.stored_run(source.run) is not None  # mapped from the store
        ids = project.session.query().tolist()
        project.session.set_status(ids[:2], Status.ACCEPTED)
        project.session.relabel([ids[2]], "Turdus iliacus")
        judged = session_state(project)
    assert first["detections"] and judged != first

    def no_parsing(*_a, **_k):
        raise AssertionError("the source was parsed again")

    monkeypatch.setattr(attach_module, "read_source", no_parsing)
    with ReviewProject.open(root, settings_dir=settings) as project:
        assert session_state(project) == judged
        assert project.problems == problems
    monkeypatch.undo()
    # A project that cannot write its store gives the same session, and says so.
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".audioclass-gui"))

    def disk_full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(attach_module, "write_stored_run", disk_full)
    with ReviewProject.open(fresh, settings_dir=settings) as project:
        assert session_state(project) == first
        assert any("the predictions store was not written" in p for p in project.problems)
    monkeypatch.undo()
    # Read-only (nothing written): the same session again.
    other = tmp_path / "readonly"
    shutil.copytree(root, other, ignore=shutil.ignore_patterns(".audioclass-gui"))
    with ReviewProject.open(other, settings_dir=settings, read_only=True) as project:
        assert session_state(project) == first
        assert [p.replace(str(other), "") for p in project.problems] == [
            p.replace(str(root), "") for p in problems
        ]
    assert not (other / ".audioclass-gui").exists()


def big_model_run(root: Path, n: int, recordings: int = 4) -> Path:
    """A model run of ``n`` predictions (3 per window) over silent recordings, written from columns."""
    windows = -(-n // (recordings * 3))
    recs = [to_recording(read_info(write_audio(root / f"r{i}.wav", seconds=windows * 3.0 + 1))) for i in range(recordings)]
    rng = np.random.default_rng(3)
    total = recordings * windows * 3
    window = np.arange(total) // 3
    start = (window % windows) * 3.0
    target = root / "runs" / "big.model_run.json"
    StreamedModelRun(
        name="BirdNET",
        description=json.dumps({"version": "2.4"}),
        version="2.4",
        recordings=recs,
        species=[f"Genus species{i:03d}" for i in range(300)],
        columns={
            "recording": (window // windows).astype(np.int32),
            "species": ((window * 7 + np.arange(total) % 3 * 101) % 300).astype(np.int32),
            "start": start,
            "end": start + 3.0,
            "score": np.round(rng.random(total), 6),
        },
    ).write(target)
    return target


def test_a_large_model_run_is_imported_without_objects_in_bounded_memory(tmp_path, monkeypatch) -> None:
    root, settings = tmp_path / "site", tmp_path / "settings"
    source = big_model_run(root, 100_000)
    no_objects(monkeypatch)
    monkeypatch.setattr(io, "load", lambda *_a, **_k: pytest.fail("soundevent.io.load was used"))
    tracemalloc.start()
    try:
        raw = read_aoef_columns(source)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(raw.score) == 100_008
    # Columns and the clip lookup only: objects would take hundreds of MB.
    assert peak < 40e6, peak
    with ReviewProject.open(root, settings_dir=settings) as project:
        assert project.problems == []
        assert len(project.session) == 100_008
        assert len(list(project._store_dir().glob("*.arrow"))) == 1
    written = []
    monkeypatch.setattr(store_module, "write_columns", lambda *a, **k: written.append(a))
    with ReviewProject.open(root, settings_dir=settings) as project:  # mapped, not converted
        assert len(project.session) == 100_008 and written == []
