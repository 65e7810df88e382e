"""``audioclass-gui embed`` and ``search`` end to end on small projects."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.embeddings import EmbeddingStore
from audioclass_gui.embeddings.locate import locate
from audioclass_gui.search_cli import embed_main, main, parse_query
from tests.test_predict_batch import tone_bursts

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BIRDS = SHARED_DATA / "birds_10s.wav"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "deployment"
    (root / "site_a").mkdir(parents=True)
    tone_bursts(root / "site_a" / "x.wav", calls=(1.0, 4.0))
    tone_bursts(root / "y.wav", calls=(2.0,))
    return root


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_query_spellings() -> None:
    assert parse_query("a/b.wav").path == Path("a/b.wav")
    q = parse_query("site 1/rec@2.wav@12.5")
    assert (q.path, q.start, q.end, q.is_window) == (Path("site 1/rec@2.wav"), 12.5, None, True)
    q = parse_query("c.flac@3-6.5")
    assert (q.start, q.end, q.is_window) == (3.0, 6.5, False)
    with pytest.raises(ValueError, match="after its start"):
        parse_query("c.flac@6-3")


def test_search_without_embeddings_says_how_to_compute_them(project: Path, capsys) -> None:
    code = main(["site_a/x.wav@1", "--in", str(project), "--model", "energy"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no energy embeddings stored" in err and f"audioclass-gui embed {project}" in err
    assert "--compute" in err


def test_embed_then_search_by_window_and_by_file(project: Path, tmp_path: Path, capsys) -> None:
    assert embed_main([str(project), "--model", "energy", "-q"]) == 0
    place = locate(project)
    assert place.folder == project / ".audioclass-gui" / "embeddings"
    store = EmbeddingStore.open(place.folder, "energy")
    assert sorted(store.recordings()) == ["site_a/x.wav", "y.wav"]
    assert len(store) == 12  # two 6-s recordings, 1-s windows
    # A second run finds nothing to do.
    assert embed_main([str(project), "--model", "energy"]) == 0
    assert "already has embeddings" in capsys.readouterr().err

    out = tmp_path / "similar.csv"
    code = main(["site_a/x.wav@1.0", "--in", str(project), "--model", "energy", "-k", "3", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    rows = read_csv(out)
    assert list(rows[0]) == ["rank", "recording", "start", "end", "similarity"]
    assert [r["rank"] for r in rows] == ["1", "2", "3"]
    assert ("site_a/x.wav", "1.000") not in {(r["recording"], r["start"]) for r in rows}  # the query itself
    # The other bursts (x.wav at 4 s, y.wav at 2 s) are the closest windows.
    assert {(r["recording"], r["start"]) for r in rows[:2]} == {("site_a/x.wav", "4.000"), ("y.wav", "2.000")}
    sims = [float(r["similarity"]) for r in rows]
    assert sims == sorted(sims, reverse=True) and "." in rows[0]["similarity"]

    # The same window as an outside file span: it matches itself best.
    outside = tmp_path / "clip.wav"
    shutil.copy(project / "y.wav", outside)
    assert main([f"{outside}@2-3", "--in", str(project), "--model", "energy", "-k", "2"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "rank,recording,start,end,similarity"
    first = printed[1].split(",")
    assert first[1:3] == ["y.wav", "2.000"] and float(first[4]) > 0.999


def test_bad_queries_name_the_file(project: Path, tmp_path: Path, capsys) -> None:
    assert embed_main([str(project), "--model", "energy", "-q"]) == 0
    missing = tmp_path / "nope.wav"
    assert main([str(missing), "--in", str(project), "--model", "energy"]) == 2
    assert f"{missing}: no such audio file" in capsys.readouterr().err
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF....WAVEjunk")
    assert main([str(junk), "--in", str(project), "--model", "energy"]) == 2
    assert "junk.wav" in capsys.readouterr().err
    assert main(["other.wav@1", "--in", str(project), "--model", "energy"]) == 2
    assert "other.wav: not among the recordings" in capsys.readouterr().err
    assert main(["y.wav@99", "--in", str(project), "--model", "energy"]) == 2
    assert "no window at 99" in capsys.readouterr().err
    assert main(["y.wav@1", "--in", str(tmp_path / "none"), "--model", "energy"]) == 2
    assert "no such project" in capsys.readouterr().err


def test_search_compute_and_the_command_line(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    run = subprocess.run(
        [sys.executable, "-m", "audioclass_gui", "search", "y.wav@2", "--in", str(project),
         "--model", "energy", "--compute", "-k", "5", "-o", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert len(read_csv(out)) == 5 and "5 match(es) of 12 windows" in run.stderr


def test_birdnet_finds_the_window_a_span_came_from(tmp_path: Path) -> None:
    if not BIRDS.is_file():
        pytest.skip(f"test recording {BIRDS} not present")
    root = tmp_path / "p"
    root.mkdir()
    shutil.copy(BIRDS, root / "birds.wav")
    assert embed_main([str(root), "-q"]) == 0
    store = EmbeddingStore.open(locate(root).folder, "birdnet")
    assert store.dim == 1024 and len(store) == 4
    out = tmp_path / "b.csv"
    assert main([f"{BIRDS}@3-6", "--in", str(root), "-k", "4", "-o", str(out), "-q"]) == 0
    rows = read_csv(out)
    assert (rows[0]["recording"], rows[0]["start"]) == ("birds.wav", "3.000")
    assert float(rows[0]["similarity"]) > 0.999
    assert np.all(np.diff([float(r["similarity"]) for r in rows]) <= 0)


def test_predict_embeddings_are_stored_beside_the_outputs_and_resume(project: Path, tmp_path: Path, capsys) -> None:
    from audioclass_gui.batch import BatchConfig, run_batch
    from audioclass_gui.embeddings.batch_sink import StoreSink
    from audioclass_gui.models.settings import RunSettings

    out = tmp_path / "out"
    plain = BatchConfig(output=out, model="energy", settings=RunSettings(threshold=0.5))
    assert len(run_batch([project], plain).finished) == 2
    assert not (out / "embeddings").exists()
    # Finished before, but without features: done again to store them.
    with_sink = BatchConfig(output=out, model="energy", settings=RunSettings(threshold=0.5),
                            features=StoreSink(out, "energy"))
    report = run_batch([project], with_sink)
    assert (len(report.finished), len(report.skipped), report.problems) == (2, 0, [])
    store = EmbeddingStore.open(out / "embeddings", "energy")
    assert sorted(store.recordings()) == ["../deployment/site_a/x.wav", "../deployment/y.wav"]
    rec, start, end = store.rows()
    assert len(store) == 12 and sorted(start[rec == 0].tolist()) == [float(i) for i in range(6)]
    again = run_batch([project], BatchConfig(output=out, model="energy", settings=RunSettings(threshold=0.5),
                                             features=StoreSink(out, "energy")))
    assert (len(again.finished), len(again.skipped)) == (0, 2)
    assert len(EmbeddingStore.open(out / "embeddings", "energy")) == 12
    # The output folder is searchable as it is.
    assert main(["../deployment/y.wav@2", "--in", str(out), "--model", "energy", "-k", "1"]) == 0
    best = capsys.readouterr().out.splitlines()[1].split(",")
    assert best[1] == "../deployment/site_a/x.wav" and best[2] in ("1.000", "4.000")  # a burst


def test_predict_command_line_has_embeddings(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    run = subprocess.run(
        [sys.executable, "-m", "audioclass_gui", "predict", str(project), "-o", str(out),
         "--model", "energy", "--embeddings", "-q"],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert len(EmbeddingStore.open(out / "embeddings", "energy")) == 12
