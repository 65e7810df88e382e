"""Exports of a whole review: AOEF round trip verdict by verdict, Raven, Audacity, CSV, CLI."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, io, terms

from audioclass_gui.formats import export_aoef, read_review
from audioclass_gui.formats.exports import FOLDER_NAMES, export_all
from audioclass_gui.formats.raven import read_raven_table
from audioclass_gui.formats.verdict_tables import (
    COMBINED_RAVEN_NAME,
    audacity_labels_text,
    verdict_selections,
)
from audioclass_gui.review import ReviewSession, Status, Verdict

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ANA = data.User(username="ana", name="Ana Lima")
BO = data.User(username="bo", name="Bo Chen")


def species(name: str) -> data.Tag:
    return data.Tag(term=terms.scientific_name, value=name)


def make_recording(path: Path, seconds: float) -> data.Recording:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(int(seconds * 16000), dtype=np.float32), 16000)
    return data.Recording.from_file(path, compute_hash=False)


@pytest.fixture
def session(tmp_path: Path) -> ReviewSession:
    """Two recordings, two runs, every kind of verdict, two reviewers, two boxes."""
    a = make_recording(tmp_path / "audio" / "north" / "a.wav", 12)
    b = make_recording(tmp_path / "audio" / "south" / "b.wav", 9)
    s = ReviewSession(reviewer=ANA)
    s.set_common_names(
        {
            "Turdus merula": "Eurasian Blackbird",
            "Parus major": "Great Tit",
            "Turdus philomelos": "Song Thrush",
        }
    )
    s.set_run(
        "birdnet", name="BirdNET", provenance={"version": "2.4", "threshold": 0.1}
    )
    s.set_run("energy", name="Energy detector", provenance={"band": [2000, 8000]})

    def clip(rec, start, scores, run):
        c = data.Clip(recording=rec, start_time=start, end_time=start + 3)
        s.add_predictions(
            [
                data.ClipPrediction(
                    clip=c,
                    tags=[
                        data.PredictedTag(tag=species(n), score=v)
                        for n, v in scores.items()
                    ],
                )
            ],
            run=run,
        )

    clip(a, 0, {"Turdus merula": 0.91, "Parus major": 0.33}, "birdnet")  # ids 0, 1
    clip(a, 3, {"Turdus merula": 0.42}, "birdnet")  # 2
    clip(b, 0, {"Parus major": 0.77}, "birdnet")  # 3
    clip(b, 3, {"Turdus merula": 0.58}, "birdnet")  # 4
    clip(b, 6, {"Tone": 0.66}, "energy")  # 5
    s.set_status([0], Status.ACCEPTED)
    s.set_status([1], Status.REJECTED)
    s.relabel([4], "Turdus philomelos")
    s.set_note([4], "sings from the hedge")
    s.reviewer = BO
    s.set_status([3], Status.UNCERTAIN)
    s.set_note([2], "check again")  # a note on an unreviewed detection
    s.add_box(b.path, 1.0, 2.5, 3000, 7000, "Sylvia atricapilla")
    s.add_box(a.path, 8.0, 9.0, scientific_name="Strix aluco")  # a time interval
    return s


def test_aoef_round_trip_verdict_by_verdict(
    session: ReviewSession, tmp_path: Path
) -> None:
    result = export_aoef(session, tmp_path / "out" / "review.json")
    assert [p.name for p in result.model_run_paths] == [
        "review.model_run.json",
        "review.model_run.2.json",
    ]
    runs = [io.load(p, type="model_run") for p in result.model_run_paths]
    assert [r.model.info.name for r in runs] == ["BirdNET", "Energy detector"]
    assert [r.name[:-9] for r in runs] == ["BirdNET 2.4 (min score 0.1)", "Energy detector"]
    assert json.loads(runs[0].description) == {"version": "2.4", "threshold": 0.1}
    assert runs[0].model.version == "2.4"
    assert sum(len(cp.tags) for r in runs for cp in r.clip_predictions) == len(session)

    project = io.load(result.project_path, type="annotation_project")
    assert "2 recordings" in project.name
    assert "Ana Lima" in project.description and "Bo Chen" in project.description
    by_clip = {
        (Path(ca.clip.recording.path).name, ca.clip.start_time): ca
        for ca in project.clip_annotations
        if not ca.sound_events
    }
    a0, a3, b0, b3 = (
        by_clip[("a.wav", 0.0)],
        by_clip[("a.wav", 3.0)],
        by_clip[("b.wav", 0.0)],
        by_clip[("b.wav", 3.0)],
    )
    assert [t.value for t in a0.tags] == ["Turdus merula"]
    assert [n.message for n in a0.notes] == [
        "Rejected: Parus major (Great Tit), score 0.33"
    ]
    assert a3.tags == [] and [n.message for n in a3.notes] == [
        "Note on Turdus merula, score 0.42: check again"
    ]
    assert (
        b0.notes[0].message == "Uncertain: Parus major (Great Tit), score 0.77"
        and b0.notes[0].is_issue
    )
    assert [t.value for t in b3.tags] == ["Turdus philomelos"]
    assert [n.message for n in b3.notes] == [
        "Accepted: Turdus merula (Eurasian Blackbird), score 0.58 -> Turdus philomelos (Song Thrush)",
        "Note on Turdus merula, score 0.58: sings from the hedge",
    ]
    assert (
        b3.notes[0].created_by.name == "Ana Lima"
        and b0.notes[0].created_by.name == "Bo Chen"
    )
    # Tasks: one per reviewed clip, completed badges owned by whoever judged there.
    owners = {
        (Path(t.clip.recording.path).name, t.clip.start_time): {
            b.owner.name for b in t.status_badges
        }
        for t in project.tasks
        if t.status_badges
    }
    assert owners == {
        ("a.wav", 0.0): {"Ana Lima"},
        ("b.wav", 0.0): {"Bo Chen"},
        ("b.wav", 3.0): {"Ana Lima"},
    }
    # soundevent wants a task per annotated clip: the note-only clip and the two
    # whole-recording clips holding boxes get one without badges.
    assert len(project.tasks) == len(project.clip_annotations) == 6
    assert all(
        b.state == data.AnnotationState.completed
        for t in project.tasks
        for b in t.status_badges
    )
    # The clips are the model run's clips.
    run_clips = {cp.clip.uuid for r in runs for cp in r.clip_predictions}
    assert {ca.clip.uuid for ca in by_clip.values()} <= run_clips
    # Boxes: a BoundingBox and a TimeInterval, tagged, by Bo.
    events = [se for ca in project.clip_annotations for se in ca.sound_events]
    geometries = {se.tags[0].value: se.sound_event.geometry for se in events}
    assert isinstance(geometries["Sylvia atricapilla"], data.BoundingBox)
    assert geometries["Sylvia atricapilla"].coordinates == [1.0, 3000.0, 2.5, 7000.0]
    assert isinstance(geometries["Strix aluco"], data.TimeInterval)
    assert all(se.created_by.name == "Bo Chen" for se in events)
    assert {se.uuid.hex for se in events} == {b.id for b in session.boxes()}

    # Reading our export back gives the same verdicts, key by key.
    review = read_review(result.project_path)
    got = {key: verdict for key, verdict, _u, _t in review.verdicts}
    want = {session.path_key(d.id): session.verdict(d.id) for d in session.judged()}
    assert got == want
    assert {b.id: b for b, _u, _t in review.boxes} == {b.id: b for b in session.boxes()}
    stamps = {key: (u.name, t) for key, _v, u, t in review.verdicts}
    # An accepted species is a clip tag, which has no time of its own: it reads
    # back with the time of the reviewer's badge on the clip, their latest
    # verdict there. So a verdict's time reads back between its own and the
    # latest one of the same reviewer on the same clip.
    latest: dict[tuple, float] = {}
    for det in session.judged():
        stamp = session.stamp(det.id)
        clip = (*session.path_key(det.id)[:3], stamp.reviewer.name)
        latest[clip] = max(latest.get(clip, 0.0), stamp.at.timestamp())
    for det in session.judged():
        stamp = session.stamp(det.id)
        name, at = stamps[session.path_key(det.id)]
        clip = (*session.path_key(det.id)[:3], stamp.reviewer.name)
        assert name == stamp.reviewer.name
        assert stamp.at.timestamp() - 1e-3 <= at <= latest[clip] + 1e-3


def test_raven_tables_per_recording_and_combined(
    session: ReviewSession, tmp_path: Path
) -> None:
    written = export_all(session, tmp_path / "out", ("raven",))["raven"]
    names = sorted(
        p.relative_to(tmp_path / "out" / "raven").as_posix() for p in written
    )
    assert names == [
        "north/a.review.selection.table.txt",
        COMBINED_RAVEN_NAME,
        "south/b.review.selection.table.txt",
    ]
    assert written[-1].name == COMBINED_RAVEN_NAME
    rows = read_raven_table(
        tmp_path / "out" / "raven" / "south" / "b.review.selection.table.txt"
    )
    assert [r["Verdict"] for r in rows] == ["uncertain", "drawn", "accepted"]
    box, relabelled = rows[1], rows[2]
    assert (box["Low Freq (Hz)"], box["High Freq (Hz)"], box["Confidence"]) == (
        "3000.0",
        "7000.0",
        "",
    )
    assert box["Species Code"] == "blackc1" and box["Predicted Scientific Name"] == ""
    # A relabel: the species columns say what the reviewer says it is, the
    # model's species is in the Predicted columns.
    assert (
        relabelled["Common Name"] == "Song Thrush"
        and relabelled["Species Code"] == "sonthr1"
        and relabelled["Scientific Name"] == "Turdus philomelos"
        and relabelled["Label"] == "Turdus philomelos"
    )
    assert (
        relabelled["Predicted Common Name"] == "Eurasian Blackbird"
        and relabelled["Predicted Scientific Name"] == "Turdus merula"
        and relabelled["Predicted Species Code"] == "eurbla"
    )
    assert relabelled["Reviewer"] == "Ana Lima" and relabelled["Model"] == "BirdNET"
    # BirdNET's band (0-15 kHz), capped by the recording's Nyquist frequency.
    assert relabelled["High Freq (Hz)"] == "8000.0"
    uncertain = rows[0]
    assert uncertain["Species Code"] == uncertain["Predicted Species Code"] == "gretit1"
    combined = read_raven_table(tmp_path / "out" / "raven" / COMBINED_RAVEN_NAME)
    assert [r["Selection"] for r in combined] == [
        str(i) for i in range(1, 8)
    ]  # 4 + 3 rows
    b_rows = [r for r in combined if r["Begin Path"].endswith("b.wav")]
    # As in BirdNET-Analyzer's combined table: times run on after a.wav's 12 s.
    assert [float(r["Begin Time (s)"]) for r in b_rows] == [12.0, 13.0, 15.0]
    assert [float(r["File Offset (s)"]) for r in b_rows] == [0.0, 1.0, 3.0]


def test_raven_combined_table_alone_is_the_same_table(
    session: ReviewSession, tmp_path: Path
) -> None:
    both = export_all(session, tmp_path / "both", ("raven",))["raven"]
    alone = export_all(session, tmp_path / "alone", ("raven",), raven_per_recording=False)
    assert [p.name for p in alone["raven"]] == [COMBINED_RAVEN_NAME]
    assert sorted(p.name for p in (tmp_path / "alone").rglob("*.txt")) == [COMBINED_RAVEN_NAME]
    assert alone["raven"][0].read_bytes() == both[-1].read_bytes()


def test_only_accepted_tables_list_what_the_reviewer_says_is_there(
    session: ReviewSession, tmp_path: Path
) -> None:
    written = export_all(
        session, tmp_path / "out", ("raven", "csv", "audacity"), only_accepted=True
    )
    with open(tmp_path / "out" / FOLDER_NAMES["csv"], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    verdicts = [r["Verdict"] for r in rows]
    assert set(verdicts) == {"accepted", "drawn"}
    accepted = [i for i in session.query() if session.status(i) is Status.ACCEPTED]
    assert verdicts.count("accepted") == len(accepted) and verdicts.count("drawn") == len(
        session.boxes()
    )
    # The relabelled detection is listed under the reviewer's species.
    assert "Turdus philomelos" in {r["Scientific name"] for r in rows}
    combined = read_raven_table(written["raven"][-1])
    assert sorted(r["Verdict"] for r in combined) == sorted(verdicts)


def test_csv_has_one_row_per_verdict(session: ReviewSession, tmp_path: Path) -> None:
    export_all(session, tmp_path / "out", ("csv",))
    with open(
        tmp_path / "out" / FOLDER_NAMES["csv"], newline="", encoding="utf-8"
    ) as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(session.judged()) + len(session.boxes()) == 7
    assert list(rows[0])[:6] == [
        "Start (s)",
        "End (s)",
        "Scientific name",
        "Common name",
        "Confidence",
        "File",
    ]
    verdicts = {
        (Path(r["File"]).name, r["Start (s)"], r["Scientific name"]): r for r in rows
    }
    assert verdicts[("a.wav", "0.0", "Parus major")]["Verdict"] == "rejected"
    assert verdicts[("a.wav", "3.0", "Turdus merula")]["Note"] == "check again"
    assert verdicts[("a.wav", "3.0", "Turdus merula")]["Verdict"] == "unreviewed"
    assert verdicts[("b.wav", "0.0", "Parus major")]["Reviewer"] == "Bo Chen"
    assert verdicts[("b.wav", "0.0", "Parus major")]["Reviewed At"].endswith("+00:00")
    relabelled = verdicts[("b.wav", "3.0", "Turdus philomelos")]
    assert relabelled["Common name"] == "Song Thrush" and relabelled["Verdict"] == "accepted"
    assert (
        relabelled["Predicted Scientific Name"],
        relabelled["Predicted Common Name"],
        relabelled["Predicted Species Code"],
    ) == ("Turdus merula", "Eurasian Blackbird", "eurbla")
    assert not any(r["Scientific name"] == "Turdus merula" and r["File"].endswith("b.wav")
                   for r in rows)
    with_all = verdict_selections(session, include_unreviewed=True)
    assert len(with_all) == len(session) + 2


def test_audacity_labels_with_frequency_lines(
    session: ReviewSession, tmp_path: Path
) -> None:
    written = export_all(session, tmp_path / "out", ("audacity",))["audacity"]
    assert sorted(p.name for p in written) == [
        "a.review.labels.txt",
        "b.review.labels.txt",
    ]
    text = (tmp_path / "out" / "audacity" / "south" / "b.review.labels.txt").read_text()
    lines = text.splitlines()
    # Every label has Audacity's frequency line: the model's band (BirdNET:
    # up to 15 kHz, here the 8 kHz Nyquist frequency), a box's own band.
    assert lines[0] == "0.000000\t3.000000\tParus major [uncertain] 0.77"
    assert lines[1] == "\\\t0.000000\t8000.000000"
    assert lines[2] == "1.000000\t2.500000\tSylvia atricapilla [drawn]"
    assert lines[3] == "\\\t3000.000000\t7000.000000"
    assert lines[4].startswith(
        "3.000000\t6.000000\tTurdus philomelos [accepted, model said Turdus merula] 0.58"
    )
    a_text = (
        tmp_path / "out" / "audacity" / "north" / "a.review.labels.txt"
    ).read_text()
    assert "8.000000\t9.000000\tStrix aluco [drawn]\n\\\t0.000000\t8000.000000\n" in a_text
    assert audacity_labels_text([]) == ""
    plain = export_all(session, tmp_path / "plain", ("audacity",), audacity_bands=False)
    plain_text = plain["audacity"][1].read_text()
    assert "\\" not in plain_text and plain_text.splitlines()[0] == lines[0]


def test_export_all_writes_every_format_atomically(
    session: ReviewSession, tmp_path: Path
) -> None:
    out = tmp_path / "all"
    result = export_all(session, out)
    assert set(result) == {"aoef", "raven", "audacity", "csv", "thresholds"}
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert not any(".tmp" in f for f in files)
    assert "review.json" in files and "species_thresholds.csv" in files
    thresholds = (out / "species_thresholds.csv").read_text().splitlines()
    assert thresholds[0].startswith("scientific_name,common_name,threshold,precision")


def test_export_command_on_a_reviewed_folder(tmp_path: Path) -> None:
    from audioclass_gui.project import ReviewProject

    folder = tmp_path / "site"
    rec = make_recording(folder / "r.wav", 9)
    run = data.ModelRun(
        name="BirdNET",
        model=data.Model(info=data.ModelInfo(name="BirdNET"), version="2.4"),
        clip_predictions=[
            data.ClipPrediction(
                clip=data.Clip(recording=rec, start_time=3 * i, end_time=3 * i + 3),
                tags=[
                    data.PredictedTag(tag=species("Turdus merula"), score=0.3 * (i + 1))
                ],
            )
            for i in range(3)
        ],
    )
    io.save(run, folder / "r.model_run.json")
    project = ReviewProject.open(folder, settings_dir=tmp_path / "cfg")
    project.set_reviewer("Ana Lima", remember=False)
    ids = project.session.query().tolist()
    project.session.set_status(ids[:2], Status.ACCEPTED)
    project.session.set_status(ids[2:], Status.REJECTED)
    # The app still has the project open: export reads it without the lock.
    cmd = [
        sys.executable,
        "-m",
        "audioclass_gui",
        "export",
        str(folder),
        "--format",
        "all",
        "-o",
        str(tmp_path / "exports"),
        "--summary",
    ]
    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    project.close()
    assert done.returncode == 0, done.stderr
    assert (
        "exported 3 detections of 1 recordings (0 unreviewed, 2 accepted, 1 rejected"
        in done.stderr
    )
    paths = [Path(line) for line in done.stdout.splitlines() if line.startswith("/")]
    assert all(p.is_file() for p in paths) and len(paths) >= 6
    loaded = io.load(tmp_path / "exports" / "review.json", type="annotation_project")
    assert sum(len(ca.tags) for ca in loaded.clip_annotations) == 2
    one = subprocess.run(
        [
            sys.executable,
            "-m",
            "audioclass_gui",
            "export",
            str(folder),
            "-f",
            "csv",
            "-o",
            str(tmp_path / "v.csv"),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert one.returncode == 0 and one.stderr == ""
    assert len((tmp_path / "v.csv").read_text().splitlines()) == 4
    # One Raven table for the whole project, none per recording.
    from audioclass_gui import export_cli

    assert export_cli.main(
        [str(folder), "-f", "raven", "--raven-combined-only", "-o", str(tmp_path / "rv"), "-q"]
    ) == 0
    assert [p.name for p in (tmp_path / "rv").rglob("*.txt")] == [COMBINED_RAVEN_NAME]
    assert len(read_raven_table(tmp_path / "rv" / COMBINED_RAVEN_NAME)) == 3
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "audioclass_gui",
            "export",
            str(tmp_path / "nowhere"),
            "-f",
            "csv",
            "-o",
            str(tmp_path / "x.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and "nowhere" in bad.stderr
    wrong = subprocess.run(
        [
            sys.executable,
            "-m",
            "audioclass_gui",
            "export",
            str(folder),
            "-f",
            "pdf",
            "-o",
            "x",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode == 2 and "unknown format 'pdf'" in wrong.stderr


def test_verdicts_are_exported_per_effective_species(session: ReviewSession) -> None:
    assert session.verdict(4) == Verdict(
        Status.ACCEPTED, "Turdus philomelos", "sings from the hedge"
    )
    rows = {
        dict(s.extra)["Scientific Name"] + str(s.begin_time): s
        for s in verdict_selections(session)
    }
    relabelled = rows["Turdus philomelos3.0"]
    assert relabelled.common_name == "Song Thrush"
    assert dict(relabelled.extra)["Predicted Common Name"] == "Eurasian Blackbird"
