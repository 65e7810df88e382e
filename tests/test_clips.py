"""Audio clips of verified detections, boxes and events: audio, names, manifest, memory."""

from __future__ import annotations

import csv
import gc
import re
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.audio.reader import read_resampled
from audioclass_gui.formats.clip_audio import band_pass
from audioclass_gui.formats.clip_names import ClipNamer, safe_component
from audioclass_gui.formats.clips import (
    MANIFEST_NAME,
    PROBLEMS_NAME,
    ClipOptions,
    export_clips,
    plan_clips,
    write_clips,
)
from audioclass_gui.formats.exports import EXPORT_FORMATS, export, export_all
from audioclass_gui.review import ReviewSession, Status

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SR = 16000
ANA = data.User(username="ana", name="Ana Lima")


def noise(path: Path, seconds: float, channels: int = 1, subtype: str = "PCM_16", seed: int = 0):
    """A recording of noise; returns its samples as read back (float32, frames x channels)."""
    rng = np.random.default_rng(seed)
    x = (rng.uniform(-0.5, 0.5, (int(seconds * SR), channels))).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, x, SR, subtype=subtype)
    back, _ = sf.read(path, dtype="float32", always_2d=True)
    return back


def predict(
    session: ReviewSession,
    path: Path,
    rows: list[tuple[float, float, str, float]],
    run: str | None = None,
):
    rec = data.Recording.from_file(path, compute_hash=False)
    session.add_predictions(
        [
            data.ClipPrediction(
                clip=data.Clip(recording=rec, start_time=a, end_time=b),
                tags=[
                    data.PredictedTag(
                        tag=data.Tag(term=terms.scientific_name, value=name), score=score
                    )
                ],
            )
            for a, b, name, score in rows
        ],
        **({} if run is None else {"run": run}),
    )


def manifest(folder: Path, name: str = MANIFEST_NAME) -> list[dict]:
    with open(folder / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def review(tmp_path: Path):
    """A 10 s mono recording (PCM_16), verdicts of every kind, a box."""
    path = tmp_path / "audio" / "rec01.wav"
    samples = noise(path, 10)[:, 0]
    s = ReviewSession(reviewer=ANA)
    s.set_common_names({"Turdus merula": "Eurasian Blackbird"})
    predict(
        s,
        path,
        [
            (0, 3, "Turdus merula", 0.9),  # 0 accepted, at the start
            (3, 6, "Turdus merula", 0.8),  # 1 accepted: one event with 0
            (7, 10, "Turdus merula", 0.7),  # 2 accepted, at the end
            (4, 7, "Parus major", 0.4),  # 3 rejected
            (5, 8, "Parus major", 0.3),  # 4 unreviewed
        ],
    )
    s.set_status([0, 1, 2], Status.ACCEPTED)
    s.set_status([3], Status.REJECTED)
    box = s.add_box(path, 2.0, 2.5, 1000.0, 3000.0, scientific_name="Sitta europaea").box_id
    return s, path, samples, box


def test_clips_hold_the_source_samples_with_context_clamped(review, tmp_path: Path):
    s, path, samples, _box = review
    out = tmp_path / "clips"
    written = export_clips(s, out, ClipOptions(context=1.0))
    assert written.clips == 4 and written.problems == 0  # 3 accepted + the box
    rows = manifest(out)
    assert [r["Kind"] for r in rows] == ["detection", "detection", "detection", "box"]
    for row in rows:
        clip, rate = sf.read(out / row["Clip"], dtype="float32")
        assert rate == SR and int(row["Sample Rate"]) == SR
        start, end = float(row["Start (s)"]), float(row["End (s)"])
        a, b = max(0.0, start - 1.0), min(10.0, end + 1.0)  # clamped to the file
        assert (float(row["Clip Start (s)"]), float(row["Clip End (s)"])) == (a, b)
        np.testing.assert_array_equal(clip, samples[round(a * SR) : round(b * SR)])
    by_start = {float(r["Start (s)"]): r for r in rows if r["Kind"] == "detection"}
    assert by_start[0.0]["Clip Start (s)"] == "0" and by_start[7.0]["Clip End (s)"] == "10"
    assert by_start[3.0]["Clip Start (s)"] == "2" and by_start[3.0]["Clip End (s)"] == "7"


def test_manifest_rows_match_the_review(review, tmp_path: Path):
    s, path, _samples, box = review
    s.relabel([2], "Turdus philomelos")
    out = tmp_path / "clips"
    export_clips(
        s, out, ClipOptions(statuses={"accepted", "rejected"}, kinds={"detections", "boxes"})
    )
    rows = manifest(out)
    got = {(r["Kind"], r["Detection"], r["Box"]): r for r in rows}
    assert set(got) == {
        ("detection", "0", ""), ("detection", "1", ""), ("detection", "2", ""),
        ("detection", "3", ""), ("box", "", box),
    }
    blackbird = got[("detection", "0", "")]
    assert blackbird["Scientific name"] == "Turdus merula"
    assert blackbird["Common name"] == "Eurasian Blackbird"
    assert blackbird["Verdict"] == "accepted" and blackbird["Reviewer"] == "Ana Lima"
    assert float(blackbird["Score"]) == pytest.approx(0.9)
    assert blackbird["File"] == str(path) and blackbird["Channel"] == "mix"
    relabelled = got[("detection", "2", "")]
    assert relabelled["Label"] == relabelled["Scientific name"] == "Turdus philomelos"
    assert relabelled["Predicted Scientific name"] == "Turdus merula"
    assert relabelled["Clip"].startswith("Turdus_philomelos/")
    negative = got[("detection", "3", "")]
    assert negative["Clip"] == "rejected/Parus_major/rec01_000004.000-000007.000_rejected.wav"
    drawn = got[("box", "", box)]
    assert drawn["Verdict"] == "drawn" and drawn["Scientific name"] == "Sitta europaea"
    assert (drawn["Low Freq (Hz)"], drawn["High Freq (Hz)"]) == ("1000", "3000")
    assert drawn["Clip"] == "Sitta_europaea/rec01_000002.000-000002.500_box.wav"
    assert all((out / r["Clip"]).is_file() for r in rows)
    # Every clip file is listed, and nothing else is there.
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert files == {r["Clip"] for r in rows} | {MANIFEST_NAME}


def test_events_are_clipped_by_verdict(review, tmp_path: Path):
    s, _path, samples, _box = review
    out = tmp_path / "events"
    export_clips(s, out, ClipOptions(kinds={"events"}, statuses={"accepted", "rejected"}))
    rows = manifest(out)
    spans = [(r["Verdict"], r["Start (s)"], r["End (s)"], r["Windows"]) for r in rows]
    assert spans == [
        ("accepted", "0", "6", "2"),  # detections 0 and 1 touch
        ("accepted", "7", "10", "1"),
        ("rejected", "4", "7", "1"),
    ]
    assert [r["Event"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["Clip"] == "Turdus_merula/rec01_000000.000-000006.000_accepted_event.wav"
    clip, _ = sf.read(out / rows[0]["Clip"], dtype="float32")
    np.testing.assert_array_equal(clip, samples[: 6 * SR])
    # With a gap of 1 s the accepted blackbird windows are one event.
    export_clips(s, tmp_path / "gap", ClipOptions(kinds={"events"}, event_gap=1.0))
    assert [(r["Start (s)"], r["End (s)"]) for r in manifest(tmp_path / "gap")] == [("0", "10")]


def test_selected_detection_and_its_event_only(review, tmp_path: Path):
    s, *_ = review
    out = tmp_path / "one"
    export_clips(s, out, ClipOptions(kinds={"detections", "events", "boxes"}, ids={1}))
    rows = manifest(out)
    assert [(r["Kind"], r["Detection"], r["Start (s)"]) for r in rows] == [
        ("detection", "1", "3"),
        ("event", "", "0"),
    ]


def test_flac_float_and_channels(tmp_path: Path):
    path = tmp_path / "stereo.wav"
    samples = noise(path, 4, channels=2, subtype="FLOAT")
    s = ReviewSession()
    predict(s, path, [(1, 2, "Turdus merula", 0.9)])
    s.set_status([0], Status.ACCEPTED)
    export_clips(s, tmp_path / "mix", ClipOptions())
    (row,) = manifest(tmp_path / "mix")
    clip, _ = sf.read(tmp_path / "mix" / row["Clip"], dtype="float32")
    assert sf.info(tmp_path / "mix" / row["Clip"]).subtype == "FLOAT"
    np.testing.assert_array_equal(clip, samples[SR : 2 * SR].mean(axis=1, dtype=np.float32))
    export_clips(s, tmp_path / "right", ClipOptions(fmt="flac", channel=1))
    (row,) = manifest(tmp_path / "right")
    assert row["Clip"].endswith(".flac") and row["Channel"] == "2"
    info = sf.info(tmp_path / "right" / row["Clip"])
    assert (info.format, info.subtype, info.channels) == ("FLAC", "PCM_24", 1)
    clip, _ = sf.read(tmp_path / "right" / row["Clip"], dtype="float32")
    np.testing.assert_allclose(clip, samples[SR : 2 * SR, 1], atol=2.0**-23)
    # A channel the recording lacks is a problem, not a crash.
    written = export_clips(s, tmp_path / "third", ClipOptions(channel=2))
    assert written.clips == 0 and written.problems == 1
    (problem,) = manifest(tmp_path / "third", PROBLEMS_NAME)
    assert "channel 3 does not exist" in problem["Problem"]


def test_pcm16_flac_is_lossless(review, tmp_path: Path):
    s, _path, samples, _box = review
    export_clips(s, tmp_path / "f", ClipOptions(fmt="flac", kinds={"detections"}))
    for row in manifest(tmp_path / "f"):
        assert sf.info(tmp_path / "f" / row["Clip"]).subtype == "PCM_16"
        clip, _ = sf.read(tmp_path / "f" / row["Clip"], dtype="float32")
        a, b = float(row["Clip Start (s)"]), float(row["Clip End (s)"])
        np.testing.assert_array_equal(clip, samples[round(a * SR) : round(b * SR)])


def test_resampled_clips_have_the_rate_asked(review, tmp_path: Path):
    s, path, _samples, _box = review
    out = tmp_path / "r"
    export_clips(s, out, ClipOptions(samplerate=22050, context=0.5, kinds={"detections"}))
    for row in manifest(out):
        info = sf.info(out / row["Clip"])
        a, b = float(row["Clip Start (s)"]), float(row["Clip End (s)"])
        assert info.samplerate == 22050 and row["Sample Rate"] == "22050"
        assert abs(info.frames - (b - a) * 22050) <= 1
        clip, _ = sf.read(out / row["Clip"], dtype="float32")
        first, count = round(a * SR), round((b - a) * SR)
        expected = read_resampled(path, first, count, 22050, resampler="soxr_vhq")
        np.testing.assert_allclose(clip, expected, atol=2.0**-14)


def tone_power(x: np.ndarray, rate: int, hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(spectrum[round(hz * len(x) / rate)] ** 2)


def test_band_pass_keeps_the_box_band(tmp_path: Path):
    t = np.arange(4 * SR) / SR
    x = 0.3 * np.sin(2 * np.pi * 500 * t) + 0.3 * np.sin(2 * np.pi * 4000 * t)
    path = tmp_path / "tones.wav"
    sf.write(path, x.astype(np.float32), SR, subtype="FLOAT")
    s = ReviewSession()
    s.add_recording(data.Recording.from_file(path, compute_hash=False))
    s.add_box(path, 1.0, 3.0, 3000.0, 5000.0, scientific_name="Tone")
    export_clips(s, tmp_path / "plain", ClipOptions())
    export_clips(s, tmp_path / "band", ClipOptions(band=True))
    (plain,), (band,) = manifest(tmp_path / "plain"), manifest(tmp_path / "band")
    assert (plain["Band-passed"], band["Band-passed"]) == ("", "yes")
    a, _ = sf.read(tmp_path / "plain" / plain["Clip"])
    b, _ = sf.read(tmp_path / "band" / band["Clip"])
    assert tone_power(a, SR, 500) / tone_power(a, SR, 4000) > 0.5
    # Out of band: at least 60 dB down; in band: kept within 1 dB.
    assert tone_power(b, SR, 500) / tone_power(b, SR, 4000) < 1e-6
    assert tone_power(b, SR, 4000) / tone_power(a, SR, 4000) > 10 ** (-1 / 10)
    # Edges at 0 Hz or Nyquist are no edges: a low-pass only, or nothing.
    same = band_pass(x.astype(np.float32), SR, 0.0, SR / 2)
    np.testing.assert_array_equal(same, x.astype(np.float32))
    low = band_pass(x.astype(np.float32), SR, None, 1000.0)
    assert tone_power(low, SR, 4000) / tone_power(low, SR, 500) < 1e-6


def test_names_are_safe_and_unique(tmp_path: Path):
    safe = re.compile(r'^[^<>:"/\\|?*\x00-\x1f]+$')
    assert safe_component("Foo/bar: baz?") == "Foo_bar_baz_"
    assert safe_component("CON") == "_CON" and safe_component("nul.txt") == "_nul.txt"
    assert safe_component(" trailing. ") == "trailing"
    assert safe_component("..") == "unnamed" and len(safe_component("x" * 500)) <= 80
    s = ReviewSession()
    weird = ["Foo/bar: baz?", "CON", "tone", "Tone", "Rejected"]
    for folder in ("north", "south", "North"):  # one stem in three folders
        path = tmp_path / folder / "a.wav"
        noise(path, 4)
        for run in ("one", "two"):  # the same span twice (two runs), every species
            predict(s, path, [(0, 3, name, 0.9) for name in weird], run=run)
    s.set_status(s.query().tolist(), Status.ACCEPTED)
    out = tmp_path / "clips"
    written = export_clips(s, out, ClipOptions())
    rows = manifest(out)
    assert written.clips == len(rows) == 30
    names = [r["Clip"] for r in rows]
    assert len({n.casefold() for n in names}) == 30  # unique even ignoring case
    for name in names:
        for part in name.split("/"):
            assert safe.match(part) and not part.endswith((".", " "))
            assert part.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    folders = {n.split("/")[0] for n in names}
    assert len({f.casefold() for f in folders}) == len(folders) == 5
    assert "rejected" not in {f.casefold() for f in folders}  # kept for negatives
    assert sum(1 for p in out.rglob("*.wav")) == 30


def test_namer_tags_by_recording():
    namer = ClipNamer("wav")
    one = namer.name("/x/north/a.wav", "Turdus merula", 12.5, 15.5, "accepted", "detection")
    assert one == "Turdus_merula/a_000012.500-000015.500_accepted.wav"
    two = namer.name("/x/south/a.wav", "Turdus merula", 12.5, 15.5, "accepted", "detection")
    assert two == "Turdus_merula/south-a_000012.500-000015.500_accepted.wav"
    assert namer.recording_tag("/x/north/a.wav") == "a"  # the same tag again


def test_missing_recording_is_listed_not_dropped(review, tmp_path: Path):
    s, path, _samples, _box = review
    plan = plan_clips(s, ClipOptions())
    path.unlink()  # gone between the plan and the writing
    out = tmp_path / "clips"
    written = write_clips(plan, out)
    assert written.clips == 0 and written.problems == 4
    assert written.paths == [out / MANIFEST_NAME, out / PROBLEMS_NAME]
    assert manifest(out) == []
    problems = manifest(out, PROBLEMS_NAME)
    assert [(r["Kind"], r["Start (s)"]) for r in problems] == [
        ("detection", "0"), ("detection", "3"), ("detection", "7"), ("box", "2"),
    ]
    assert all(r["Problem"] == "file not found" and r["Clip"] == "" for r in problems)


def test_clips_are_a_format_of_their_own(review, tmp_path: Path):
    s, *_ = review
    assert "clips" not in EXPORT_FORMATS  # "all" leaves the (large) clips out
    written = export_all(s, tmp_path / "all")
    assert "clips" not in written and not (tmp_path / "all" / "clips").exists()
    paths = export(s, "clips", tmp_path / "c", clip_options=ClipOptions(fmt="flac"))
    assert paths == [tmp_path / "c" / MANIFEST_NAME]
    assert len(list((tmp_path / "c").rglob("*.flac"))) == 4
    with pytest.raises(ValueError, match="wav or flac"):
        ClipOptions(fmt="mp3")
    with pytest.raises(ValueError, match="unreviewed"):
        ClipOptions(statuses={"unreviewed"})


def _peak_writing(session: ReviewSession, out: Path) -> tuple[int, int]:
    plan = plan_clips(session, ClipOptions(context=0.25))
    gc.collect()  # what earlier tests left is not this export's
    tracemalloc.start()
    try:
        written = write_clips(plan, out)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return written.clips, peak


def test_memory_stays_bounded_over_many_clips_of_a_long_recording(tmp_path: Path):
    """Clips of a 20-minute recording: memory does not grow with the clips or the file."""
    path = tmp_path / "long.wav"
    seconds = 1200
    sf.write(path, np.zeros(seconds * SR, np.int16), SR, subtype="PCM_16")
    whole = seconds * SR * 4  # the recording as float32
    peaks = {}
    for n in (1000, 4000):
        s = ReviewSession()
        step = seconds / n
        predict(s, path, [(i * step, i * step + 0.5, "Turdus merula", 0.9) for i in range(n)])
        s.set_status(s.query().tolist(), Status.ACCEPTED)
        clips, peaks[n] = _peak_writing(s, tmp_path / f"clips{n}")
        assert clips == n
    # Four times the clips: under 100 bytes more per clip (measured: about
    # 2.4 MB for either, a few blocks in flight), and far below the file's size.
    assert peaks[4000] - peaks[1000] < 3000 * 100, peaks
    assert peaks[4000] < whole / 16, (peaks, whole)
