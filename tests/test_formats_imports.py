"""Imports: BirdNET-Analyzer tables, soundevent files, and a previously exported review.

Fixture files are written here in each external format, with the exact
columns BirdNET-Analyzer writes (``birdnet_analyzer/analyze/utils.py``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, io, terms

from audioclass_gui.formats import (
    export_aoef,
    read_birdnet_results,
    read_predictions,
    sniff_table,
)
from audioclass_gui.formats.verdict_tables import write_verdict_csv
from audioclass_gui.project import STATE_DIR, ReviewProject
from audioclass_gui.review import Status, Verdict

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RAVEN_HEADER = (
    "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\t"
    "High Freq (Hz)\tCommon Name\tSpecies Code\tConfidence\tBegin Path\tFile Offset (s)"
)
CSV_HEADER = "Start (s),End (s),Scientific name,Common name,Confidence,File"
NAMES = {
    "eurasian blackbird": "Turdus merula",
    "great tit": "Parus major",
    "european robin": "Erithacus rubecula",
}


def write_audio(path: Path, seconds: float = 15.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(int(seconds * 8000), dtype=np.float32), 8000)
    return path


def raven_rows(path: Path, rows: list[tuple], offset: float = 0.0) -> list[str]:
    out = []
    for n, (start, common, code, conf) in enumerate(rows, start=1):
        out.append(
            f"{n}\tSpectrogram 1\t1\t{start + offset}\t{start + offset + 3.0}\t0\t15000\t"
            f"{common}\t{code}\t{conf:.4f}\t{path}\t{start}"
        )
    return out


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write_audio(root / "A01" / "rec1.wav")
    write_audio(root / "A01" / "rec2.wav", 9)
    return root


def test_birdnet_raven_table_per_recording(site: Path, tmp_path: Path) -> None:
    # BirdNET-Analyzer ran on another computer: Begin Path does not exist here.
    elsewhere = Path("D:\\field\\A01\\rec1.wav")
    table = site / "A01" / "rec1.BirdNET.selection.table.txt"
    lines = [
        RAVEN_HEADER,
        *raven_rows(
            elsewhere,
            [
                (0.0, "Eurasian Blackbird", "eurbla", 0.8123),
                (0.0, "Great Tit", "gretit1", 0.31),
                (6.0, "European Robin", "eurrob1", 0.55),
            ],
        ),
    ]
    lines.append(
        "4\tSpectrogram 1\t1\t0\t3\t0\t15000\tnocall\tnocall\t1.0\t"
        + str(elsewhere)
        + "\t0"
    )
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert sniff_table(table) == "birdnet_raven"
    with ReviewProject.open(site, settings_dir=tmp_path / "cfg") as project:
        (source,) = project.sources()
        assert (source.kind, source.detections, source.problems) == (
            "birdnet_raven",
            3,
            [],
        )
        dets = {(d.start, d.scientific_name): d for d in project.session.detections()}
        assert set(dets) == {
            (0.0, "Turdus merula"),
            (0.0, "Parus major"),
            (6.0, "Erithacus rubecula"),
        }
        assert dets[(0.0, "Turdus merula")].score == pytest.approx(0.8123)
        assert (
            Path(dets[(6.0, "Erithacus rubecula")].recording.path)
            == site / "A01" / "rec1.wav"
        )
        # One ClipPrediction per window, one tag per species.
        assert len(project.session.clip_predictions) == 2


def test_combined_raven_table_uses_file_offsets(site: Path) -> None:
    rec1, rec2 = site / "A01" / "rec1.wav", site / "A01" / "rec2.wav"
    lines = [
        RAVEN_HEADER,
        *raven_rows(rec1, [(3.0, "Great Tit", "gretit1", 0.9)]),
        *raven_rows(rec2, [(6.0, "European Robin", "eurrob1", 0.7)], offset=15.0),
    ]
    table = site / "BirdNET_SelectionTable.txt"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    known = {
        str(rec1): data.Recording.from_file(rec1),
        str(rec2): data.Recording.from_file(rec2),
    }
    result = read_birdnet_results(
        table, recording_for=known.get, scientific_names=NAMES
    )
    got = sorted(
        (
            Path(p.clip.recording.path).name,
            p.clip.start_time,
            p.clip.end_time,
            p.tags[0].tag.value,
        )
        for p in result.predictions
    )
    assert got == [
        ("rec1.wav", 3.0, 6.0, "Parus major"),
        ("rec2.wav", 6.0, 9.0, "Erithacus rubecula"),
    ]
    assert (
        result.model_name == "BirdNET"
        and result.provenance["source_format"] == "birdnet_raven"
    )


def test_unknown_names_and_recordings_are_reported(site: Path) -> None:
    table = site / "rec1.BirdNET.selection.table.txt"
    table.write_text(
        "\n".join(
            [
                RAVEN_HEADER,
                *raven_rows(Path("/x/rec1.wav"), [(0.0, "Mystery Bird", "x", 0.5)]),
                *raven_rows(Path("/x/gone.wav"), [(0.0, "Great Tit", "x", 0.5)]),
            ]
        )
        + "\n"
    )
    rec = data.Recording.from_file(site / "A01" / "rec1.wav")
    result = read_birdnet_results(
        table,
        recording_for=lambda p: rec if p.endswith("rec1.wav") else None,
        scientific_names=NAMES,
    )
    assert [p.tags[0].tag.value for p in result.predictions] == ["Mystery Bird"]
    assert any("gone.wav: recording not found" in p for p in result.problems)
    assert any("'Mystery Bird': no scientific name known" in p for p in result.problems)


def test_birdnet_csv_flavours(site: Path) -> None:
    rec1 = data.Recording.from_file(site / "A01" / "rec1.wav")
    by_name = {"rec1.wav": rec1, "rec1": rec1}

    def find(text: str):
        return by_name.get(Path(text.replace("\\", "/")).name)

    new = site / "BirdNET_CombinedTable.csv"
    new.write_text(
        f"{CSV_HEADER}\n0.0,3.0,Turdus merula,Eurasian Blackbird,0.9001,{site}/A01/rec1.wav\n"
        f"3.0,6.0,Parus major,Great Tit,0.4000,{site}/A01/rec1.wav\n"
    )
    legacy = site / "rec1.BirdNET.results.csv"  # BirdNET-Analyzer 1.x: no File column
    legacy.write_text(
        "Start (s),End (s),Scientific name,Common name,Confidence\n"
        "9.0,12.0,Erithacus rubecula,European Robin,0.6000\n"
    )
    kaleido = site / "rec1.BirdNET.results.kaleidoscope.csv"
    kaleido.write_text(
        "INDIR,FOLDER,IN FILE,OFFSET,DURATION,scientific_name,common_name,confidence,"
        "lat,lon,week,overlap,sensitivity\n"
        f"{site},A01,rec1.wav,6.0,3.0,Parus major,Great Tit,0.7000,-1,-1,-1,0,1\n"
    )
    r_table = site / "rec1.BirdNET.results.r.csv"
    r_table.write_text(
        "filepath,start,end,scientific_name,common_name,confidence,lat,lon\n"
        "C:\\data\\rec1.wav,12.0,15.0,Turdus merula,Eurasian Blackbird,0.3500,-1,-1\n"
    )
    for path, want in [
        (new, [(0.0, "Turdus merula", 0.9001), (3.0, "Parus major", 0.4)]),
        (legacy, [(9.0, "Erithacus rubecula", 0.6)]),
        (kaleido, [(6.0, "Parus major", 0.7)]),
        (r_table, [(12.0, "Turdus merula", 0.35)]),
    ]:
        assert sniff_table(path) == "birdnet_csv"
        result = read_birdnet_results(path, recording_for=find)
        got = [
            (p.clip.start_time, t.tag.value, t.score)
            for p in result.predictions
            for t in p.tags
        ]
        assert got == [(s, n, pytest.approx(c)) for s, n, c in want], path.name
        assert all(
            p.clip.end_time - p.clip.start_time == pytest.approx(3.0)
            for p in result.predictions
        )
    with pytest.raises(ValueError, match="not a BirdNET"):
        read_birdnet_results(site / "A01" / "rec1.wav", recording_for=find)


def test_folder_discovery_reads_one_kind_of_table(site: Path, tmp_path: Path) -> None:
    rec1 = site / "A01" / "rec1.wav"
    (site / "A01" / "rec1.BirdNET.selection.table.txt").write_text(
        "\n".join(
            [RAVEN_HEADER, *raven_rows(rec1, [(0.0, "Great Tit", "gretit1", 0.9)])]
        )
        + "\n"
    )
    (site / "A01" / "rec1.BirdNET.results.csv").write_text(
        f"{CSV_HEADER}\n0.0,3.0,Parus major,Great Tit,0.9000,{rec1}\n"
    )
    (site / "BirdNET_CombinedTable.csv").write_text(
        f"{CSV_HEADER}\n0.0,3.0,Parus major,Great Tit,0.9000,{rec1}\n"
    )
    with ReviewProject.open(site, settings_dir=tmp_path / "cfg") as project:
        assert [s.path.name for s in project.sources()] == [
            "rec1.BirdNET.selection.table.txt"
        ]
        assert len(project.session) == 1
        project.session.set_status([0], Status.ACCEPTED)
        # An exported verdict table in the folder is not mistaken for predictions.
        write_verdict_csv(project.session, site / "exports" / "verdicts.csv")
    assert sniff_table(site / "exports" / "verdicts.csv") == "verdict_table"
    with ReviewProject.open(site, settings_dir=tmp_path / "cfg") as project:
        assert len(project.sources()) == 1 and len(project.session) == 1


def test_prediction_set_and_model_run_files(site: Path, tmp_path: Path) -> None:
    rec = data.Recording.from_file(site / "A01" / "rec2.wav")
    tag = data.Tag(term=terms.scientific_name, value="Strix aluco")
    pset = data.PredictionSet(
        name="owl finder",
        description="handmade",
        clip_predictions=[
            data.ClipPrediction(
                clip=data.Clip(recording=rec, start_time=0, end_time=2),
                tags=[data.PredictedTag(tag=tag, score=0.66)],
            )
        ],
    )
    io.save(pset, tmp_path / "owls.json")
    loaded = read_predictions(tmp_path / "owls.json")
    assert (loaded.kind, loaded.model_name, len(loaded.predictions)) == (
        "prediction_set",
        "owl finder",
        1,
    )
    assert loaded.provenance["description"] == "handmade"
    with ReviewProject.open(site, settings_dir=tmp_path / "cfg") as project:
        info = project.attach(tmp_path / "owls.json")
        assert (info.kind, info.detections) == ("prediction_set", 1)
        with pytest.raises(ValueError, match="not a predictions file"):
            project.attach(site / "A01" / "rec1.wav")
    with ReviewProject.open(
        site, settings_dir=tmp_path / "cfg"
    ) as project:  # remembered
        assert [d.scientific_name for d in project.session.detections()] == [
            "Strix aluco"
        ]
    with pytest.raises(ValueError, match="not a soundevent model run"):
        read_predictions(site / "A01" / "rec1.wav")


def test_continue_reviewing_an_exported_project(site: Path, tmp_path: Path) -> None:
    rec1 = site / "A01" / "rec1.wav"
    (site / "A01" / "rec1.BirdNET.selection.table.txt").write_text(
        "\n".join(
            [
                RAVEN_HEADER,
                *raven_rows(
                    rec1,
                    [
                        (0.0, "Great Tit", "g", 0.9),
                        (3.0, "Eurasian Blackbird", "e", 0.8),
                        (6.0, "European Robin", "r", 0.4),
                        (9.0, "Great Tit", "g", 0.2),
                    ],
                ),
            ]
        )
        + "\n"
    )
    first = ReviewProject.open(site, settings_dir=tmp_path / "cfg")
    first.set_reviewer("Ana Lima", remember=False)
    s = first.session
    ids = s.query().tolist()
    s.set_status([ids[0]], Status.ACCEPTED)
    s.set_status([ids[1]], Status.REJECTED)
    s.relabel([ids[2]], "Luscinia megarhynchos", status=Status.UNCERTAIN)
    s.set_note([ids[3]], "far away")
    s.add_box(rec1, 12.0, 13.0, 2000, 4000, "Strix aluco")
    exported = export_aoef(s, tmp_path / "handover" / "review.json")
    want = {s.path_key(i): s.verdict(i) for i in ids}
    first.close()

    # A colleague gets the recordings and the export, with no project state.
    other = tmp_path / "colleague"
    shutil.copytree(site, other, ignore=shutil.ignore_patterns(STATE_DIR, "*.txt"))
    project = ReviewProject.open(other, settings_dir=tmp_path / "cfg2")
    assert len(project.session) == 0  # no predictions in the copied folder
    count = project.import_review(exported.project_path)
    assert count == 5
    assert [src.path.name for src in project.sources()] == ["review.model_run.json"]
    t = project.session
    moved = {(str(Path(k[0]).relative_to(site)), *k[1:]): v for k, v in want.items()}
    got = {
        (str(Path(t.path_key(i)[0]).relative_to(other)), *t.path_key(i)[1:]): t.verdict(
            i
        )
        for i in t.query().tolist()
    }
    assert got == moved
    assert t.stamp(t.query()[0]).reviewer.name == "Ana Lima"
    (box,) = t.boxes()
    assert (box.scientific_name, box.low_freq, Path(box.recording).parent.parent) == (
        "Strix aluco",
        2000.0,
        other,
    )
    t.set_status([t.query()[3]], Status.REJECTED)  # and goes on reviewing
    project.close()
    with ReviewProject.open(
        other, settings_dir=tmp_path / "cfg2"
    ) as again:  # all of it durable
        u = again.session
        assert [u.verdict(i) for i in u.query().tolist()] == [
            Verdict(Status.ACCEPTED),
            Verdict(Status.REJECTED),
            Verdict(Status.UNCERTAIN, "Luscinia megarhynchos"),
            Verdict(Status.REJECTED, None, "far away"),
        ]
        assert len(u.boxes()) == 1
