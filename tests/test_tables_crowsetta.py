"""Our Raven and Audacity tables open in crowsetta, the reader people script against.

Every table is written through the app's own export paths (``export_all``,
``audioclass-gui predict``'s batch engine) and read back with crowsetta
(``Transcriber(format="raven")``, ``"aud-bbox"``, ``"aud-seq"``), down to
its ``Annotation`` objects (whose boxes check onset < offset and low < high).
Times, labels and frequencies are compared with what we meant to write.

opensoundscape's ``BoxedAnnotations.from_raven_files`` reads the same
tables in ``test_opensoundscape_raven.py`` (in an environment of its own: it
needs torch); the pandas checks below look at the column types that
opensoundscape and other pandas-based readers infer.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.formats.exports import export_all
from audioclass_gui.formats.raven import read_raven_table
from audioclass_gui.formats.verdict_tables import COMBINED_RAVEN_NAME
from audioclass_gui.models.birdnet_taxonomy import ebird_code
from audioclass_gui.review import ReviewSession, Status
from tests.predict_tables import predict_demo_tables

crowsetta = pytest.importorskip("crowsetta")
pd = pytest.importorskip("pandas")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ANA = data.User(username="ana", name="Ana Lima")


def _recording(path: Path, seconds: float, rate: int) -> data.Recording:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(int(seconds * rate), dtype=np.float32), rate)
    return data.Recording.from_file(path, compute_hash=False)


@pytest.fixture
def session(tmp_path: Path) -> ReviewSession:
    """Whole-second and fractional times, a relabel, a note, a box and an interval."""
    a = _recording(tmp_path / "audio" / "north" / "a.wav", 12, 48000)
    b = _recording(tmp_path / "audio" / "south" / "b.wav", 9, 16000)
    s = ReviewSession(reviewer=ANA)
    s.set_common_names(
        {
            "Turdus merula": "Eurasian Blackbird",
            "Parus major": "Great Tit",
            "Turdus philomelos": "Song Thrush",
            "Setophaga castanea": "Bay-breasted Warbler",
        }
    )
    s.set_run("birdnet", name="BirdNET", provenance={"version": "2.4"})

    def clip(rec, start, scores):
        c = data.Clip(recording=rec, start_time=start, end_time=start + 3)
        tags = [
            data.PredictedTag(tag=data.Tag(term=terms.scientific_name, value=n), score=v)
            for n, v in scores.items()
        ]
        return s.add_predictions([data.ClipPrediction(clip=c, tags=tags)], run="birdnet")

    clip(a, 0, {"Turdus merula": 0.91, "Parus major": 0.33})  # ids 0, 1
    clip(a, 1.5, {"Setophaga castanea": 0.42})  # 2
    clip(b, 0, {"Parus major": 0.77})  # 3
    clip(b, 3, {"Turdus merula": 0.58})  # 4
    s.set_status([0, 2, 3], Status.ACCEPTED)
    s.set_status([1], Status.REJECTED)
    s.relabel([4], "Turdus philomelos")
    s.set_note([2], "faint, far")
    s.add_box(b.path, 1.0, 2.5, 3000, 7000, "Setophaga castanea")
    s.add_box(a.path, 8.0, 9.0, scientific_name="Setophaga castanea")  # an interval
    return s


def _crowsetta_raven(path: Path, column: str = "Common Name"):
    scribe = crowsetta.Transcriber(format="raven")
    return scribe.from_file(path, annot_col=column).to_annot()


def test_every_raven_review_table_opens_in_crowsetta(session, tmp_path: Path) -> None:
    written = export_all(session, tmp_path / "out", ("raven",))["raven"]
    assert len(written) == 3  # a, b and the combined table
    for path in written:
        ours = read_raven_table(path)
        boxes = _crowsetta_raven(path).bboxes
        assert [b.label for b in boxes] == [r["Common Name"] for r in ours]
        assert [(b.onset, b.offset, b.low_freq, b.high_freq) for b in boxes] == [
            tuple(float(r[c]) for c in ("Begin Time (s)", "End Time (s)", "Low Freq (Hz)", "High Freq (Hz)"))
            for r in ours
        ]
        # Any column serves as the annotation: here the eBird codes.
        codes = [b.label for b in _crowsetta_raven(path, "Species Code").bboxes]
        assert codes == [ebird_code(r["Scientific Name"]) for r in ours]
    b_table = tmp_path / "out" / "raven" / "south" / "b.review.selection.table.txt"
    boxes = _crowsetta_raven(b_table).bboxes
    # The relabelled detection counts as the reviewer's species.
    assert [b.label for b in boxes] == ["Great Tit", "Bay-breasted Warbler", "Song Thrush"]
    assert [(b.onset, b.offset) for b in boxes] == [(0.0, 3.0), (1.0, 2.5), (3.0, 6.0)]
    # BirdNET's band stops at the 8 kHz Nyquist frequency here; the box has its own.
    assert [(b.low_freq, b.high_freq) for b in boxes] == [
        (0.0, 8000.0), (3000.0, 7000.0), (0.0, 8000.0)
    ]
    a_boxes = _crowsetta_raven(tmp_path / "out" / "raven" / "north" / "a.review.selection.table.txt").bboxes
    assert [(b.onset, b.high_freq, b.label) for b in a_boxes] == [
        (0.0, 15000.0, "Eurasian Blackbird"),  # 48 kHz: BirdNET's 15 kHz
        (0.0, 15000.0, "Great Tit"),
        (1.5, 15000.0, "Bay-breasted Warbler"),
        (8.0, 24000.0, "Bay-breasted Warbler"),  # an interval: the whole band
    ]
    # The combined table: times run on across the files, as BirdNET-Analyzer's.
    combined = _crowsetta_raven(tmp_path / "out" / "raven" / COMBINED_RAVEN_NAME).bboxes
    assert [b.onset for b in combined] == [0.0, 0.0, 1.5, 8.0, 12.0, 13.0, 15.0]


def test_a_review_without_verdicts_still_opens(tmp_path: Path) -> None:
    rec = _recording(tmp_path / "r.wav", 2.0, 32000)
    s = ReviewSession(rec, reviewer=ANA)
    s.set_run("birdnet", name="BirdNET")
    tag = data.Tag(term=terms.scientific_name, value="Parus major")
    clip = data.Clip(recording=rec, start_time=0, end_time=2)
    s.add_predictions(
        [data.ClipPrediction(clip=clip, tags=[data.PredictedTag(tag=tag, score=0.5)])],
        run="birdnet",
    )  # a detection, never judged
    written = export_all(s, tmp_path / "out", ("raven",))["raven"]
    assert [p.name for p in written] == [COMBINED_RAVEN_NAME]
    [box] = _crowsetta_raven(written[0]).bboxes
    # BirdNET-Analyzer's placeholder: nocall over the first seconds of the file.
    assert (box.label, box.onset, box.offset, box.high_freq) == ("nocall", 0.0, 2.0, 15000.0)
    assert read_raven_table(written[0])[0]["Species Code"] == "nocall"


@pytest.mark.parametrize("bands", [True, False])
def test_audacity_label_tracks_open_in_crowsetta(session, tmp_path: Path, bands: bool) -> None:
    written = export_all(
        session, tmp_path / "out", ("audacity",), audacity_bands=bands
    )["audacity"]
    assert sorted(p.name for p in written) == ["a.review.labels.txt", "b.review.labels.txt"]
    raven = export_all(session, tmp_path / "raven", ("raven",))["raven"]
    for path, table in zip(sorted(written), sorted(raven[:-1]), strict=True):
        ours = read_raven_table(table)
        if bands:
            df = crowsetta.Transcriber(format="aud-bbox").from_file(path).df
            boxes = crowsetta.formats.bbox.AudBBox.from_file(path).to_annot().bboxes
            assert [(b.low_freq, b.high_freq) for b in boxes] == [
                (float(r["Low Freq (Hz)"]), float(r["High Freq (Hz)"])) for r in ours
            ]
            starts, labels = df["begin_time_s"].tolist(), df["label"].tolist()
        else:
            seq = crowsetta.Transcriber(format="aud-seq").from_file(path)
            seq.to_annot()  # a crowsetta Sequence: float onsets and offsets
            starts, labels = seq.start_times.tolist(), list(seq.labels)
        assert starts == [float(r["Begin Time (s)"]) for r in ours]
        # The label text starts with the species the reviewer says it is.
        assert [label.split(" [")[0] for label in labels] == [r["Scientific Name"] for r in ours]
    b_labels = (tmp_path / "out" / "audacity" / "south" / "b.review.labels.txt").read_text()
    assert "Turdus philomelos [accepted, model said Turdus merula] 0.58" in b_labels


def test_review_tables_read_as_floats_with_pandas(session, tmp_path: Path) -> None:
    """What opensoundscape's from_raven_files and BirdNET scripts do: pandas, types inferred."""
    written = export_all(session, tmp_path / "out", ("raven", "csv"))
    for path in written["raven"]:
        df = pd.read_csv(path, sep="\t")
        for column in ("Begin Time (s)", "End Time (s)", "Low Freq (Hz)", "High Freq (Hz)"):
            assert df[column].dtype == np.float64, (path.name, column)
    df = pd.read_csv(written["csv"][0])
    for column in ("Start (s)", "End (s)", "Low Freq (Hz)", "High Freq (Hz)"):
        assert df[column].dtype == np.float64, column
    with open(written["csv"][0], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    relabelled = next(r for r in rows if r["Label"])
    assert (relabelled["Scientific name"], relabelled["Predicted Scientific Name"]) == (
        "Turdus philomelos",
        "Turdus merula",
    )
    # Our importers still tell exported reviews from prediction tables.
    from audioclass_gui.formats.birdnet_results import sniff_table

    assert {sniff_table(p) for p in [*written["raven"], *written["csv"]]} == {"verdict_table"}


def test_predict_tables_open_in_crowsetta(tmp_path: Path) -> None:
    """``predict``'s BirdNET tables: eBird codes, BirdNET-Analyzer's band, nocall when empty."""
    audio, out = predict_demo_tables(tmp_path, raven=True, csv=True)
    table = out / "birds.selection.table.txt"
    ours = read_raven_table(table)
    assert ours, "BirdNET found nothing in the demo recording"
    boxes = _crowsetta_raven(table).bboxes
    assert [b.label for b in boxes] == [r["Common Name"] for r in ours]
    assert {(b.low_freq, b.high_freq) for b in boxes} == {(0.0, 15000.0)}
    assert [b.onset for b in boxes] == [float(r["Begin Time (s)"]) for r in ours]
    names = {r["Scientific name"]: r["Common name"] for r in csv.DictReader(open(out / "birds.results.csv", encoding="utf-8"))}
    by_common = {common: scientific for scientific, common in names.items()}
    for row in ours:
        code = ebird_code(by_common[row["Common Name"]])
        assert code and row["Species Code"] == code and code.isalnum() and code.islower()
    quiet = out / "quiet.selection.table.txt"
    [nocall] = _crowsetta_raven(quiet).bboxes
    assert (nocall.label, nocall.onset, nocall.offset, nocall.high_freq) == (
        "nocall", 0.0, 3.0, 11025.0,
    )
    df = pd.read_csv(out / "birds.results.csv")
    assert df["Start (s)"].dtype == np.float64 and df["End (s)"].dtype == np.float64
    # Our own reader takes both back: the species by their codes, nocall as nothing.
    from audioclass_gui.formats.birdnet_results import read_birdnet_results

    recordings = {
        name: data.Recording.from_file(audio / name, compute_hash=False)
        for name in ("birds.wav", "quiet.wav")
    }

    def recording_for(path: str):
        return recordings.get(Path(path).name)

    back = read_birdnet_results(table, recording_for=recording_for)
    assert not back.problems
    assert sorted(t.tag.value for p in back.predictions for t in p.tags) == sorted(
        r["Scientific name"] for r in csv.DictReader(open(out / "birds.results.csv", encoding="utf-8"))
    )
    nothing = read_birdnet_results(quiet, recording_for=recording_for)
    assert not nothing.problems and not [t for p in nothing.predictions for t in p.tags]
