"""Raven's measurement columns in our Raven tables: boxes by default, accepted detections on request.

The tables must still open where they did: our reader and importer sniffing,
pandas (floats), crowsetta's ``raven`` format, and opensoundscape's
``from_raven_files`` (in its own environment, when there is one).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.export_cli import main as export_main
from audioclass_gui.formats.exports import export_all, table_rows
from audioclass_gui.formats.raven import RAVEN_COLUMNS, read_raven_table
from audioclass_gui.formats.raven_measurements import (
    MEASUREMENT_COLUMNS,
    measure_rows,
    rows_to_measure,
)
from audioclass_gui.formats.verdict_tables import (
    COMBINED_RAVEN_NAME,
    VERDICT_COLUMNS,
    write_raven_verdicts,
)
from audioclass_gui.review import ReviewSession, Status

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ANA = data.User(username="ana", name="Ana Lima")
SR = 32_000


def _calls(path: Path, calls: list[tuple[float, float, float]], seconds: float = 9.0) -> Path:
    """Tones ``(start, end, Hz)`` of amplitude 0.3 over faint noise."""
    rng = np.random.default_rng(3)
    t = np.arange(int(seconds * SR)) / SR
    x = 0.001 * rng.standard_normal(t.size)
    for a, b, f in calls:
        inside = (t >= a) & (t < b)
        x[inside] += 0.3 * np.sin(2 * np.pi * f * t[inside])
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, x.astype(np.float32), SR)
    return path


@pytest.fixture
def session(tmp_path: Path) -> ReviewSession:
    """Two recordings: a box over a 3 kHz call, an interval, accepted and rejected detections."""
    a = _calls(tmp_path / "audio" / "a.wav", [(1.0, 2.0, 3000.0), (4.0, 5.0, 5000.0)])
    b = _calls(tmp_path / "audio" / "b.wav", [(0.5, 1.5, 2000.0)])
    s = ReviewSession(reviewer=ANA)
    s.set_run("birdnet", name="BirdNET")
    recs = {p: data.Recording.from_file(p, compute_hash=False) for p in (a, b)}

    def clip(rec, start, name, score):
        c = data.Clip(recording=recs[rec], start_time=start, end_time=start + 3)
        tag = data.PredictedTag(tag=data.Tag(term=terms.scientific_name, value=name), score=score)
        return s.add_predictions([data.ClipPrediction(clip=c, tags=[tag])], run="birdnet")

    clip(a, 0.0, "Turdus merula", 0.9)  # 0: accepted
    clip(a, 3.0, "Parus major", 0.8)  # 1: accepted (the 5 kHz call)
    clip(a, 6.0, "Parus major", 0.4)  # 2: rejected
    clip(b, 0.0, "Strix aluco", 0.7)  # 3: relabelled, so accepted
    s.set_status([0, 1], Status.ACCEPTED)
    s.set_status([2], Status.REJECTED)
    s.relabel([3], "Sylvia atricapilla")
    s.add_box(a, 0.9, 2.1, 2000.0, 4000.0, "Turdus merula")
    s.add_box(b, 0.4, 1.6, scientific_name="Sylvia atricapilla")  # an interval
    return s


def _by_verdict(table: Path) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in read_raven_table(table):
        out.setdefault(row["Verdict"], []).append(row)
    return out


def _peak(row: dict[str, str]) -> float:
    return float(row["Peak Freq (Hz)"])


def test_box_rows_get_ravens_measurements(session, tmp_path: Path) -> None:
    measured = measure_rows(table_rows(session))
    assert measured.measured == 2 and measured.problems == []
    written = write_raven_verdicts(session, tmp_path / "raven", selections=measured.rows)
    a_table = tmp_path / "raven" / "a.review.selection.table.txt"
    header = a_table.read_text().splitlines()[0].split("\t")
    assert header == [*RAVEN_COLUMNS, *VERDICT_COLUMNS, *MEASUREMENT_COLUMNS]
    for path in written:  # every line has every column
        lines = path.read_text().splitlines()
        assert {len(line.split("\t")) for line in lines} == {len(header)}, path.name
    rows = _by_verdict(a_table)
    [box] = rows["drawn"]
    bin_hz = SR / 1024
    assert abs(_peak(box) - 3000.0) <= bin_hz
    assert float(box["Delta Time (s)"]) == pytest.approx(1.2)
    assert box["Delta Freq (Hz)"] == "2000.0"
    assert float(box["Dur 90% (s)"]) == pytest.approx(0.9, abs=0.05)
    assert 2000.0 <= float(box["Freq 5% (Hz)"]) <= 3000.0 <= float(box["Freq 95% (Hz)"]) <= 4000.0
    assert float(box["BW 90% (Hz)"]) == pytest.approx(
        float(box["Freq 95% (Hz)"]) - float(box["Freq 5% (Hz)"])
    )
    # A tone of amplitude 0.3: -10.5 dB FS in its bin, less the Hann window's ENBW (46.9 Hz).
    density = float(box["Peak Power Density (dB FS/Hz)"])
    assert density == pytest.approx(20 * np.log10(0.3) - 10 * np.log10(1.5 * bin_hz), abs=1.5)
    # Detection rows are not measured by default: their cells stay empty.
    for row in rows["accepted"] + rows["rejected"]:
        assert all(row[c] == "" for c in MEASUREMENT_COLUMNS)
    # The interval on b is measured over the whole band.
    [interval] = _by_verdict(tmp_path / "raven" / "b.review.selection.table.txt")["drawn"]
    assert interval["Delta Freq (Hz)"] == "16000.0"
    assert abs(_peak(interval) - 2000.0) <= bin_hz
    combined = _by_verdict(tmp_path / "raven" / COMBINED_RAVEN_NAME)["drawn"]
    assert sorted(_peak(r) for r in combined) == sorted([_peak(box), _peak(interval)])


def test_accepted_detections_are_measured_on_request(session, tmp_path: Path) -> None:
    rows = table_rows(session)
    assert len(rows_to_measure(rows, "accepted")) == 5  # 2 boxes, 2 accepted, 1 relabel
    ticks: list[tuple[int, int]] = []
    measured = measure_rows(rows, "accepted", progress=lambda d, t: ticks.append((d, t)))
    assert ticks[-1] == (5, 5)
    write_raven_verdicts(session, tmp_path / "raven", selections=measured.rows)
    a = _by_verdict(tmp_path / "raven" / "a.review.selection.table.txt")
    peaks = sorted(_peak(r) for r in a["accepted"])
    assert [round(p / 100) for p in peaks] == [30, 50]  # 0-3 s: 3 kHz; 3-6 s: 5 kHz
    assert a["accepted"][0]["Delta Freq (Hz)"] == "15000.0"  # BirdNET's band
    assert all(r["Peak Freq (Hz)"] == "" for r in a["rejected"])
    [relabelled] = _by_verdict(tmp_path / "raven" / "b.review.selection.table.txt")["accepted"]
    assert relabelled["Label"] == "Sylvia atricapilla" and abs(_peak(relabelled) - 2000) < 40


def test_unreadable_recordings_leave_empty_cells_and_say_why(session, tmp_path: Path) -> None:
    (tmp_path / "audio" / "b.wav").unlink()
    measured = measure_rows(table_rows(session))
    [problem] = measured.problems
    assert "b.wav" in problem and "file not found" in problem and "1 row not measured" in problem
    write_raven_verdicts(session, tmp_path / "raven", selections=measured.rows)
    [interval] = _by_verdict(tmp_path / "raven" / COMBINED_RAVEN_NAME)["drawn"][1:]
    assert all(interval[c] == "" for c in MEASUREMENT_COLUMNS)


def test_without_boxes_or_measuring_the_tables_are_as_before(session, tmp_path: Path) -> None:
    plain = export_all(session, tmp_path / "plain", ("raven",))["raven"]
    header = plain[0].read_text().splitlines()[0].split("\t")
    assert header == [*RAVEN_COLUMNS, *VERDICT_COLUMNS]
    rows = table_rows(session)
    same = measure_rows(rows, "none")
    assert same.measured == 0 and same.rows is rows
    with pytest.raises(ValueError, match="choose from none, boxes, accepted"):
        measure_rows(rows, "everything")


def test_measured_tables_open_in_pandas_crowsetta_and_our_importer(session, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    crowsetta = pytest.importorskip("crowsetta")
    from audioclass_gui.formats.birdnet_results import sniff_table

    measured = measure_rows(table_rows(session), "accepted").rows
    written = export_all(session, tmp_path / "out", ("raven", "csv"), selections=measured)
    for path in written["raven"]:
        df = pd.read_csv(path, sep="\t")
        for column in ("Begin Time (s)", "High Freq (Hz)", *MEASUREMENT_COLUMNS):
            assert df[column].dtype == np.float64, (path.name, column)
        ours = read_raven_table(path)
        boxes = crowsetta.Transcriber(format="raven").from_file(path, annot_col="Common Name")
        got = [(b.onset, b.offset, b.low_freq, b.high_freq) for b in boxes.to_annot().bboxes]
        assert got == [
            tuple(float(r[c]) for c in ("Begin Time (s)", "End Time (s)", "Low Freq (Hz)", "High Freq (Hz)"))
            for r in ours
        ]
    assert {sniff_table(p) for p in [*written["raven"], *written["csv"]]} == {"verdict_table"}
    # The CSV keeps its columns: measurements are Raven's.
    assert "Peak Freq" not in written["csv"][0].read_text().splitlines()[0]


def test_export_cli_measures_boxes_by_default(session, tmp_path: Path) -> None:
    folder = _cli_project(session, tmp_path)
    assert export_main([str(folder), "-f", "raven", "-o", str(tmp_path / "out"), "-q"]) == 0
    drawn = _by_verdict(tmp_path / "out" / COMBINED_RAVEN_NAME)["drawn"]
    assert sorted(round(_peak(r) / 100) for r in drawn) == [20, 30]
    args = [str(folder), "-f", "raven", "-o", str(tmp_path / "none"), "-q", "--no-measure"]
    assert export_main(args) == 0
    assert "Peak Freq (Hz)" not in (tmp_path / "none" / COMBINED_RAVEN_NAME).read_text()


def _cli_project(session, tmp_path: Path) -> Path:
    """The session's boxes in a project on disk, for ``audioclass-gui export``."""
    from audioclass_gui.project import ReviewProject

    folder = tmp_path / "audio"
    project = ReviewProject.open(folder, settings_dir=tmp_path / "cfg")
    project.set_reviewer("Ana Lima", remember=False)
    for box in session.boxes():
        project.session.add_box(
            box.recording, box.start, box.end, box.low_freq, box.high_freq, box.scientific_name
        )
    project.close()
    return folder


def test_export_cli_measures_with_the_settings_given(session, tmp_path: Path, capsys) -> None:
    folder = _cli_project(session, tmp_path)

    def box_row(name: str, *options: str) -> dict[str, str]:
        out = tmp_path / name
        assert export_main([str(folder), "-f", "raven", "-o", str(out), "-q", *options]) == 0
        drawn = _by_verdict(out / COMBINED_RAVEN_NAME)["drawn"]
        [row] = [r for r in drawn if r["Begin Path"].endswith("a.wav")]
        return row

    default = box_row("default")
    fine = box_row("fine", "--measure-size", "4096", "--measure-overlap", "50")
    # Four times the window: the 3 kHz tone's peak within a quarter of the bin, and its
    # power density 6 dB higher (the tone's power over a quarter of the bandwidth).
    assert abs(_peak(fine) - 3000.0) <= SR / 4096
    density = "Peak Power Density (dB FS/Hz)"
    assert float(fine[density]) - float(default[density]) == pytest.approx(6.02, abs=0.5)
    # Hamming's equivalent noise bandwidth is 1.36 bins, Hann's 1.5: about 0.4 dB more.
    hamming = box_row("hamming", "--measure-window", "hamming")
    assert float(hamming[density]) - float(default[density]) == pytest.approx(0.42, abs=0.2)

    for bad, said in (
        (["--measure-window", "no-such-window"], "no-such-window"),
        (["--measure-overlap", "100"], "--measure-overlap 100"),
        (["--measure-size", "4"], "window_length"),
    ):
        with pytest.raises(SystemExit) as exited:
            export_main([str(folder), "-f", "raven", "-o", str(tmp_path / "bad"), *bad])
        assert exited.value.code == 2
        assert said in capsys.readouterr().err
        assert not (tmp_path / "bad").exists()


def test_opensoundscape_reads_measured_tables(session, tmp_path: Path) -> None:
    from tests import test_opensoundscape_raven as oss

    if not oss.OSS or not Path(oss.OSS).exists():
        pytest.skip("no opensoundscape environment (AUDIOCLASS_OSS_PYTHON)")
    measured = measure_rows(table_rows(session), "accepted").rows
    write_raven_verdicts(session, tmp_path / "raven", selections=measured)
    tables = {
        tmp_path / "raven" / "a.review.selection.table.txt": tmp_path / "audio" / "a.wav",
        tmp_path / "raven" / "b.review.selection.table.txt": tmp_path / "audio" / "b.wav",
    }
    got = oss.read_with_opensoundscape(list(tables.items()))
    for table, audio in tables.items():
        assert oss.core(got["tables"][str(table)]) == oss.ours(table, audio)
