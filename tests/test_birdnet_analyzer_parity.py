"""BirdNET-Analyzer 2.4.0 parity: its resampling and scores, its windows, its file names,
and its result files read back.

The golden files in ``tests/fixtures/birdnet_analyzer/`` were written by
BirdNET-Analyzer 2.4.0's own CLI (see the README there). birds_10s.wav:
opensoundscape 0.13.2 sample data (MIT License, Copyright (c) 2020
University of Pittsburgh); see ../shared/data/README.md.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.audio.kaiser_fast import BETA, ROLLOFF, half_window, kaiser_fast
from audioclass_gui.formats.birdnet_results import read_birdnet_results, sniff_table
from audioclass_gui.models.base import (
    ClipClassificationModel,
    ModelOutput,
    iter_outputs,
)
from audioclass_gui.models.inference import iter_predictions
from audioclass_gui.models.settings import RunSettings

FIXTURES = Path(__file__).parent / "fixtures" / "birdnet_analyzer"
BIRDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "birds_10s.wav"
RATES = (16000, 22050, 24000, 32000, 44100, 96000)
needs_birds = pytest.mark.skipif(
    not BIRDS.is_file(), reason=f"test recording {BIRDS} not present (it lives beside the checkout)"
)


def _make_inputs():
    spec = importlib.util.spec_from_file_location("make_inputs", FIXTURES / "make" / "make_inputs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    if not text.strip():
        return []
    delimiter = "\t" if path.name.endswith(".txt") else ","
    return list(csv.DictReader(text.splitlines(), delimiter=delimiter))


# ------------------------------------------------------------------ the resampler


def test_kaiser_fast_filter_is_resampys_published_one() -> None:
    table = half_window()
    assert table.shape == (24 * 512 + 1,)
    assert table[0] == pytest.approx(ROLLOFF)  # the centre: the roll-off's sinc peak
    assert abs(table[-1]) < 1e-5  # the Kaiser window has tapered it off
    # zero crossings of the sinc every 1 / rolloff table zeros
    crossings = np.flatnonzero(np.diff(np.sign(table[:-1])) != 0)
    assert crossings[0] == pytest.approx(512 / ROLLOFF, abs=1)
    assert 9.9 < BETA < 9.91
    resampy = pytest.importorskip("resampy")
    shipped = np.load(Path(resampy.__file__).parent / "data" / "kaiser_fast.npz")
    assert int(shipped["precision"]) == 512
    np.testing.assert_allclose(table, shipped["half_window"], atol=1e-12)


def test_kaiser_fast_gives_resampys_output() -> None:
    """Against resampy 0.4.3's output, stored (``make/make_kaiser_fast_reference.py``)."""
    reference = np.load(FIXTURES / "kaiser_fast_reference.npz")
    rates = sorted(int(k[2:]) for k in reference.files if k.startswith("x_"))
    assert rates == [8000, 16000, 22050, 24000, 32000, 44100, 88200, 96000, 192000]
    for rate in rates:
        want = reference[f"y_{rate}"]
        got = kaiser_fast(reference[f"x_{rate}"], rate, 48000)
        # resampy gives floor(n * 48000 / rate) samples, we (and librosa) the ceiling
        assert got.size - want.size in (0, 1)
        np.testing.assert_allclose(got[: want.size], want, atol=2e-6, err_msg=str(rate))


@pytest.mark.parametrize("rate", [11025, 22050, 32000, 44100, 96000, 384000])
def test_kaiser_fast_gives_resampys_output_live(rate: int) -> None:
    resampy = pytest.importorskip("resampy")
    x = (0.3 * np.random.default_rng(rate).standard_normal(rate // 3)).astype(np.float32)
    want = resampy.resample(x, rate, 48000, filter="kaiser_fast")
    got = kaiser_fast(x, rate, 48000)
    np.testing.assert_allclose(got[: want.size], want, atol=2e-6)


@pytest.mark.parametrize("rate", [8000, 22050, 32000, 96000])
def test_kaiser_fast_passes_the_band_and_stops_aliases(rate: int) -> None:
    t = np.arange(rate) / rate
    tone = 100.0 * round(0.15 * rate / 100)  # well inside the pass band, on an FFT bin
    x = 0.5 * np.sin(2 * np.pi * tone * t)
    if rate > 48000:
        x += 0.5 * np.sin(2 * np.pi * 30000 * t)  # would fold to 18 kHz
    y = kaiser_fast(x.astype(np.float32), rate, 48000)[12000:36000]
    spec = np.abs(np.fft.rfft(y * np.hanning(y.size))) / (np.hanning(y.size).sum() / 2)
    freqs = np.fft.rfftfreq(y.size, 1 / 48000)
    peak = spec[np.abs(freqs - tone) < 10].max()
    assert 20 * np.log10(peak / 0.5) == pytest.approx(0, abs=0.05)
    away = np.abs(freqs - tone) > 100
    assert 20 * np.log10(spec[away].max() / peak) < -70


def test_resampler_is_a_run_setting_recorded_in_the_provenance() -> None:
    assert RunSettings().resampler is None
    assert RunSettings(resampler="soxr-vhq").resampler == "soxr_vhq"
    with pytest.raises(ValueError, match="unknown resampler 'best'"):
        RunSettings(resampler="best")
    model = _Silent()
    record = RunSettings(resampler="soxr_vhq").to_provenance(model)
    assert record["settings"]["resampler"] == "soxr_vhq"
    assert record["effective"]["resampler"] == "soxr_vhq"
    assert record["effective"]["resampler_detail"].startswith("soxr ")
    default = RunSettings().to_provenance(model)["effective"]
    assert default["resampler"] == "kaiser_fast"
    assert "BirdNET-Analyzer" in default["resampler_detail"]
    assert RunSettings.from_provenance(record) == RunSettings(resampler="soxr_vhq")


# ------------------------------------------------------------------ scores


@pytest.fixture(scope="module")
def birdnet():
    from audioclass_gui.models.birdnet import BirdNET

    return BirdNET(num_threads=2, batch_size=4)


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> Path:
    if not BIRDS.is_file():
        pytest.skip(f"test recording {BIRDS} not present (it lives beside the checkout)")
    folder = tmp_path_factory.mktemp("rates")
    _make_inputs().main(BIRDS, folder)
    return folder


def _scores(model, path: Path, resampler: str) -> np.ndarray:
    plan = model.plan_frames(to_recording(read_info(path)), resampler=resampler)
    return np.concatenate([out.class_probs for _, out in iter_outputs(model, plan)])


@needs_birds
@pytest.mark.parametrize("rate", RATES)
def test_kaiser_fast_gives_birdnet_analyzers_scores(birdnet, copies: Path, rate: int) -> None:
    rows = _table(FIXTURES / "scores" / f"birds_{rate}.BirdNET.results.csv")
    assert len(rows) == 40  # its ten best species in each of the four windows
    column = {tag.value: i for i, tag in enumerate(birdnet.tags)}
    scores = _scores(birdnet, copies / f"birds_{rate}.wav", "kaiser_fast")
    diffs = [
        abs(scores[round(float(r["Start (s)"]) / 3), column[r["Scientific name"]]] - float(r["Confidence"]))
        for r in rows
    ]
    assert max(diffs) <= 0.01
    tops = [rows[i]["Scientific name"] for i in range(0, 40, 10)]
    assert [birdnet.tags[int(i)].value for i in scores.argmax(axis=1)] == tops


@needs_birds
def test_soxr_scores_differ_from_birdnet_analyzers_below_44_khz(birdnet) -> None:
    """The difference the README explains: birds_10s.wav (32 kHz), 0-3 s."""
    names = [tag.value for tag in birdnet.tags]
    fast = _scores(birdnet, BIRDS, "kaiser_fast")
    vhq = _scores(birdnet, BIRDS, "soxr_vhq")
    assert names[int(fast[0].argmax())] == "Pipilo erythrophthalmus"  # Eastern Towhee
    assert fast[0].max() == pytest.approx(0.3948, abs=0.002)  # BirdNET-Analyzer's 0.3948
    assert names[int(vhq[0].argmax())] == "Setophaga castanea"  # Bay-breasted Warbler
    assert vhq[0].max() == pytest.approx(0.46, abs=0.01)
    # Tennessee Warbler at 3-6 s: both agree on the species
    assert names[int(fast[1].argmax())] == names[int(vhq[1].argmax())] == "Leiothlypis peregrina"


# ------------------------------------------------------------------ windows


class _Silent(ClipClassificationModel):
    """A model of one class that scores every window 0.9, at 16 kHz, 1 s frames."""

    name = "Silent"
    samplerate = 16000
    input_samples = 16000
    num_classes = 1
    confidence_threshold = 0.5

    def __init__(self) -> None:
        self.tags = [data.Tag(key="species", value="Tone")]

    def process_array(self, array: np.ndarray) -> ModelOutput:
        n = array.shape[0]
        return ModelOutput(np.full((n, 1), 0.9, np.float32), np.zeros((n, 1), np.float32))


@pytest.mark.parametrize(("overlap", "spans"), [
    (0.0, [(0, 1), (1, 2), (2, 2.5)]),
    (0.5, [(0, 1), (0.5, 1.5), (1, 2), (1.5, 2.5)]),
])  # fmt: skip
def test_the_last_window_ends_at_the_end_of_the_file(tmp_path: Path, overlap, spans) -> None:
    path = tmp_path / "short.wav"
    sf.write(path, np.zeros(2 * 22050 + 11025, np.float32), 22050)  # 2.5 s
    recording = to_recording(read_info(path))
    steps = iter_predictions(_Silent(), recording, RunSettings(overlap_seconds=overlap))
    got = [(p.clip.start_time, p.clip.end_time) for s in steps for p in s.predictions]
    assert np.allclose(got, spans)
    assert all(end <= recording.duration for _, end in got)
    # a sub-range: the last window ends where the range does
    steps = iter_predictions(_Silent(), recording, RunSettings(start=0.5, end=2.2))
    got = [(p.clip.start_time, p.clip.end_time) for s in steps for p in s.predictions]
    assert np.allclose(got, [(0.5, 1.5), (1.5, 2.2)])


@needs_birds
def test_birdnet_windows_are_birdnet_analyzers(birdnet) -> None:
    rows = _table(FIXTURES / "en" / "birds_10s.BirdNET.selection.table.txt")
    theirs = sorted({(float(r["Begin Time (s)"]), float(r["End Time (s)"])) for r in rows})
    recording = to_recording(read_info(BIRDS))
    steps = iter_predictions(birdnet, recording, RunSettings(threshold=0.1))
    ours = [(p.clip.start_time, p.clip.end_time) for s in steps for p in s.predictions]
    assert [(a, round(b, 2)) for a, b in ours] == theirs == [(0, 3), (3, 6), (6, 9), (9, 10.13)]
    assert ours[-1][1] == recording.duration == 324263 / 32000


# ------------------------------------------------------------------ predict's tables


def _predict(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "audioclass_gui", "predict", *args],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip


@needs_birds
def test_predict_writes_birdnet_analyzers_tables(tmp_path: Path) -> None:
    audio = tmp_path / "audio"
    audio.mkdir()
    (audio / "birds_10s.wav").write_bytes(BIRDS.read_bytes())
    sf.write(audio / "silence.wav", np.zeros(5 * 32000, np.int16), 32000, subtype="PCM_16")
    out = tmp_path / "results"
    done = _predict(str(audio), "-o", str(out), "--raven", "--csv", "--birdnet-names",
                    "--threshold", "0.1", "--resampler", "kaiser_fast", "-q")  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == [
        "birds_10s.BirdNET.results.csv",
        "birds_10s.BirdNET.selection.table.txt",
        "birds_10s.predictions.arrow",
        "silence.BirdNET.results.csv",
        "silence.BirdNET.selection.table.txt",
        "silence.predictions.arrow",
    ]
    for name, keys in [
        ("birds_10s.BirdNET.selection.table.txt",
         ("Common Name", "Species Code", "Low Freq (Hz)", "High Freq (Hz)")),
        ("silence.BirdNET.selection.table.txt",
         ("Common Name", "Species Code", "Low Freq (Hz)", "High Freq (Hz)")),
        ("birds_10s.BirdNET.results.csv", ("Scientific name", "Common name")),
        ("silence.BirdNET.results.csv", ("Scientific name", "Common name")),
    ]:  # fmt: skip
        ours, theirs = _table(out / name), _table(FIXTURES / "en" / name)
        assert len(ours) == len(theirs), name
        for a, b in zip(ours, theirs, strict=True):
            begin, end = ("Begin Time (s)", "End Time (s)") if "Selection" in a else ("Start (s)", "End (s)")
            assert (float(a[begin]), round(float(a[end]), 2)) == (float(b[begin]), float(b[end]))
            assert [a[k] if "Freq" not in k else float(a[k]) for k in keys] == [
                b[k] if "Freq" not in k else float(b[k]) for k in keys
            ]
            assert float(a["Confidence"]) == pytest.approx(float(b["Confidence"]), abs=0.002)
    run = (out / "birds_10s.predictions.arrow").read_bytes()
    assert b"kaiser_fast" in run  # the resampler is in the run's provenance


# ------------------------------------------------------------------ reading its files


def _birds_recording() -> data.Recording:
    path = BIRDS if BIRDS.is_file() else None
    if path is None:
        pytest.skip(f"test recording {BIRDS} not present (it lives beside the checkout)")
    return data.Recording.from_file(path, compute_hash=False)


def _read(path: Path, recording: data.Recording):
    return read_birdnet_results(
        path, recording_for=lambda text: recording if Path(text).stem == "birds_10s" else None
    )


@needs_birds
@pytest.mark.parametrize("name", [
    "en/birds_10s.BirdNET.selection.table.txt",
    "en/birds_10s.BirdNET.results.txt",
    "de/birds_10s.BirdNET.selection.table.txt",
    "de/birds_10s.BirdNET.results.csv",
    "de/birds_10s.BirdNET.results.txt",
    "combined/BirdNET_SelectionTable.txt",
    "combined/BirdNET_CombinedTable.csv",
])  # fmt: skip
def test_its_files_read_as_the_same_detections(name: str) -> None:
    recording = _birds_recording()
    want = _read(FIXTURES / "en" / "birds_10s.BirdNET.results.csv", recording)
    got = _read(FIXTURES / name, recording)
    assert got.kind == sniff_table(FIXTURES / name)
    assert got.problems == []

    def rows(result):
        return [
            (p.clip.start_time, round(p.clip.end_time, 6), t.tag.value, t.score)
            for p in result.predictions
            for t in p.tags
        ]

    assert rows(got) == rows(want)
    assert rows(got)[0] == (0.0, 3.0, "Pipilo erythrophthalmus", 0.3948)
    assert rows(got)[-1][:3] == (9.0, 10.13, "Setophaga citrina")
    if name.startswith("de/"):  # the species by code (or scientific name); names kept
        assert got.common_names["Pipilo erythrophthalmus"] == "Rötelgrundammer"
        assert got.common_names["Mniotilta varia"] == "Kletterwaldsänger"


@pytest.mark.parametrize("name", [
    "silence.BirdNET.selection.table.txt",
    "silence.BirdNET.results.csv",
    "silence.BirdNET.results.txt",
])  # fmt: skip
def test_its_files_without_detections_read_as_none(name: str) -> None:
    path = FIXTURES / "en" / name
    kind = {"txt": "birdnet_raven", "csv": "birdnet_csv"}[path.suffix[1:]]
    if name.endswith(".results.txt"):
        kind = "birdnet_audacity"  # empty: nothing was found
    assert sniff_table(path) == kind
    result = read_birdnet_results(path, recording_for=lambda text: None)
    assert result.predictions == [] and result.problems == []


def test_a_german_table_without_codes_matches_by_translated_names(tmp_path: Path) -> None:
    recording = data.Recording(path=tmp_path / "birds_10s.wav", duration=10.13, channels=1, samplerate=32000)
    rows = _table(FIXTURES / "de" / "birds_10s.BirdNET.selection.table.txt")
    table = tmp_path / "birds_10s.BirdNET.selection.table.txt"
    header = [c for c in rows[0] if c != "Species Code"]
    table.write_text(
        "\n".join(["\t".join(header), *("\t".join(r[c] for c in header) for r in rows)]) + "\n",
        encoding="utf-8",
    )
    result = read_birdnet_results(table, recording_for=lambda text: recording)
    species = [t.tag.value for p in result.predictions for t in p.tags]
    assert species[:2] == ["Pipilo erythrophthalmus", "Mniotilta varia"]
    assert "Crypturellus soui" in species and result.problems == []


# ------------------------------------------------------------------ bad imports


def test_a_raven_table_missing_columns_names_them(tmp_path: Path) -> None:
    table = tmp_path / "rec.BirdNET.selection.table.txt"
    table.write_text(
        "Selection\tView\tChannel\tBegin Time (s)\tConfidence\tBegin Path\n"
        "1\tSpectrogram 1\t1\t0.0\t0.5\trec.wav\n"
    )
    with pytest.raises(ValueError) as caught:
        read_birdnet_results(table, recording_for=lambda text: None)
    message = str(caught.value)
    assert message.startswith(f"{table}: this Raven selection table lacks the columns ")
    assert "End Time (s), Common Name (or Species Code) (its columns: Selection" in message
    assert "\n" not in message


def test_a_raven_table_of_annotations_is_not_taken_for_predictions(tmp_path: Path) -> None:
    from audioclass_gui.project.sources import discover_sources

    (tmp_path / "rec.Table.1.selections.txt").write_text(
        "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\t"
        "High Freq (Hz)\tSpecies\n1\tSpectrogram 1\t1\t0.5\t1.5\t2000\t6000\tGreat Tit\n"
    )
    assert discover_sources(tmp_path) == {}
    with pytest.raises(ValueError, match="lacks the columns Confidence, Common Name"):
        read_birdnet_results(tmp_path / "rec.Table.1.selections.txt", recording_for=lambda t: None)


def test_a_latin1_csv_is_read_and_says_so(tmp_path: Path) -> None:
    recording = data.Recording(path=tmp_path / "rec.wav", duration=9.0, channels=1, samplerate=32000)
    table = tmp_path / "rec.BirdNET.results.csv"
    table.write_bytes(
        "Start (s),End (s),Scientific name,Common name,Confidence,File\n"
        "0.0,3.0,Pipilo erythrophthalmus,Rötelgrundammer,0.3948,rec.wav\n"
        "3.0,6.0,,Kletterwaldsänger,0.2842,rec.wav\n".encode("latin-1")
    )
    result = read_birdnet_results(table, recording_for=lambda text: recording)
    assert [t.tag.value for p in result.predictions for t in p.tags] == [
        "Pipilo erythrophthalmus",
        "Mniotilta varia",  # by its German name
    ]
    assert result.common_names["Pipilo erythrophthalmus"] == "Rötelgrundammer"
    assert result.problems == [f"{table}: not UTF-8 text; read as Windows-1252 (save it as UTF-8 if names look wrong)"]


def test_a_truncated_model_run_says_so_in_one_sentence(tmp_path: Path) -> None:
    from audioclass_gui.formats.aoef import model_run_from_predictions, save_aoef
    from audioclass_gui.formats.aoef_stream_read import read_aoef_columns

    audio = tmp_path / "rec.wav"
    sf.write(audio, np.zeros(8000 * 6, np.float32), 8000)
    recording = data.Recording.from_file(audio, compute_hash=False)
    tag = data.Tag(key="species", value="Tone")
    predictions = [
        data.ClipPrediction(
            clip=data.Clip(recording=recording, start_time=3.0 * i, end_time=3.0 * i + 3),
            tags=[data.PredictedTag(tag=tag, score=0.5)],
        )
        for i in range(2)
    ]
    path = tmp_path / "rec.model_run.json"
    save_aoef(model_run_from_predictions(predictions, name="m", provenance={}), path)
    text = path.read_text()
    path.write_text(text[: len(text) * 2 // 3])
    for read in (read_aoef_columns, lambda p: read_aoef_columns(p, streaming=False)):
        with pytest.raises(ValueError) as caught:
            read(path)
        message = str(caught.value)
        assert message.startswith(f"{path}: not a readable soundevent model run: ")
        assert "ends in the middle of its JSON" in message and "truncated" in message
        assert "\n" not in message and "pydantic" not in message


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_folder_of_its_audacity_files_opens_as_a_project(tmp_path: Path, language: str) -> None:
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.project.sources import discover_sources

    site = tmp_path / "site"
    site.mkdir()
    sf.write(site / "birds_10s.wav", np.zeros(324263, np.int16), 32000, subtype="PCM_16")
    name = "birds_10s.BirdNET.results.txt"
    (site / name).write_bytes((FIXTURES / language / name).read_bytes())
    assert discover_sources(site) == {site / name: "birdnet_audacity"}
    with ReviewProject.open(site, settings_dir=tmp_path / "cfg") as project:
        assert project.problems == []
        (source,) = project.sources()
        assert (source.kind, source.detections) == ("birdnet_audacity", 10)
        assert len(project.session) == 10
