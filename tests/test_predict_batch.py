"""``audioclass-gui predict`` over folders: layout, tables, resume, workers."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, io

from audioclass_gui.batch import (
    JOURNAL_NAME,
    BatchConfig,
    BatchError,
    BatchEvents,
    run_batch,
    split_span,
)
from audioclass_gui.batch.scan import find_recordings
from audioclass_gui.formats.csv_table import read_csv_table
from audioclass_gui.formats.prediction_store import read_stored_run
from audioclass_gui.formats.raven import RAVEN_COLUMNS, read_raven_table
from audioclass_gui.models.settings import RunSettings
from audioclass_gui.project import ReviewProject
from audioclass_gui.review import DetectionFilter
from tests.crash_model import CrashOnce

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def tone_bursts(
    path: Path,
    *,
    seconds: float = 6.0,
    samplerate: int = 16000,
    calls=(1.0, 4.0),
    **kwargs,
) -> Path:
    """Quiet noise with 0.5 s bursts at 4 kHz inside the 1 s windows starting at ``calls``."""
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * samplerate)) / samplerate
    x = 0.005 * rng.standard_normal(t.size)
    for start in calls:
        mask = (t >= start + 0.25) & (t < start + 0.75)
        ramp = np.sin(np.pi * (t[mask] - start - 0.25) / 0.5)
        x[mask] += 0.3 * ramp * np.sin(2 * np.pi * 4000 * t[mask])
    sf.write(path, x.astype(np.float32), samplerate, **kwargs)
    return path


def run_cli(
    *args: str, timeout: float = 300, aoef: bool = True
) -> subprocess.CompletedProcess:
    """``audioclass-gui predict ARGS`` (with ``--aoef``: most tests read ModelRuns)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "audioclass_gui", "predict", *args, *(["--aoef"] if aoef else [])],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def energy_config(out: Path, **kwargs) -> BatchConfig:
    kwargs.setdefault("aoef", True)  # these tests read the ModelRuns
    return BatchConfig(
        output=out, model="energy", settings=RunSettings(threshold=0.5), **kwargs
    )


def hits(run: data.ModelRun) -> list[int]:
    return sorted(int(p.clip.start_time) for p in run.clip_predictions if p.tags)


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    """site_a/x.wav, site_b/x.wav (same name), site_b/deep/y.flac, z.mp3, w.ogg, and clutter."""
    root = tmp_path / "deployment"
    (root / "site_a").mkdir(parents=True)
    (root / "site_b" / "deep").mkdir(parents=True)
    (root / ".hidden").mkdir()
    tone_bursts(root / "site_a" / "x.wav", calls=(1.0,))
    tone_bursts(root / "site_b" / "x.wav", calls=(4.0,))
    tone_bursts(root / "site_b" / "deep" / "y.flac", calls=(2.0,))
    tone_bursts(root / "site_b" / "z.mp3", format="MP3", calls=(3.0,))
    tone_bursts(root / "w.ogg", format="OGG", subtype="VORBIS", calls=(5.0,))
    tone_bursts(root / ".hidden" / "h.wav")
    (root / "site_a" / "notes.txt").write_text("not audio")
    (root / "site_a" / "._x.wav").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    return root


def test_folders_are_searched_recursively_and_outputs_mirror_them(
    tmp_path: Path, deployment: Path
):
    out = tmp_path / "out"
    result = run_cli(
        str(deployment),
        "--model",
        "energy",
        "--threshold",
        "0.5",
        "-o",
        str(out),
        "--raven",
        "--csv",
    )
    assert result.returncode == 0, result.stderr
    assert "5 recording(s) processed" in result.stderr
    stores = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.predictions.arrow"))
    assert stores == [
        "site_a/x.predictions.arrow",
        "site_b/deep/y.predictions.arrow",
        "site_b/x.predictions.arrow",
        "site_b/z.predictions.arrow",
        "w.predictions.arrow",
    ]
    runs = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.model_run.json"))
    assert runs == [
        "site_a/x.model_run.json",
        "site_b/deep/y.model_run.json",
        "site_b/x.model_run.json",
        "site_b/z.model_run.json",
        "w.model_run.json",
    ]
    expected = {
        "site_a/x": [1],
        "site_b/x": [4],
        "site_b/deep/y": [2],
        "site_b/z": [3],
        "w": [5],
    }
    for stem, seconds in expected.items():
        run = io.load(out / f"{stem}.model_run.json", type="model_run")
        assert len(run.clip_predictions) == 6  # 1 s windows over 6 s
        if stem in ("site_b/z", "w"):
            # Lossy codecs strip the quiet noise the detector measures its floor
            # on, so it finds more; the call itself is still found.
            assert seconds[0] in hits(run), stem
        else:
            assert hits(run) == seconds, stem
        assert {p.clip.recording.path for p in run.clip_predictions} == {
            next(deployment.glob(f"{stem}.*"))
        }
        # The predictions store file holds the same detections, recording paths
        # relative to its own folder.
        store = out / f"{stem}.predictions.arrow"
        stored = read_stored_run(
            store, decode=lambda p, f=store.parent: os.path.normpath(f / p), stamp=None
        )
        assert stored is not None and stored.model_name == run.name
        assert stored.recordings == [str(next(deployment.glob(f"{stem}.*")))]
        assert sorted(int(t) for t in stored.start) == hits(run)
        assert len(stored) == sum(len(p.tags) for p in run.clip_predictions)
        raven = read_raven_table(out / f"{stem}.selection.table.txt")
        assert [float(r["Begin Time (s)"]) for r in raven] == [
            float(s) for s in hits(run)
        ]
        assert list(raven[0])[: len(RAVEN_COLUMNS)] == list(RAVEN_COLUMNS)
        assert (
            raven[0]["Low Freq (Hz)"] == "1500.0" and raven[0]["High Freq (Hz)"] == "8000.0"
        )  # Nyquist of 16 kHz
        table = read_csv_table(out / f"{stem}.results.csv")
        assert [float(r["Start (s)"]) for r in table] == [float(s) for s in hits(run)]
    provenance = json.loads(
        io.load(out / "w.model_run.json", type="model_run").description
    )
    assert provenance["model_key"] == "energy"
    assert provenance["settings"]["threshold"] == 0.5
    assert provenance["recording"] == str(deployment / "w.ogg")
    # When the run was made, for its name in exports.
    made = dt.datetime.fromisoformat(provenance["created_on"])
    assert abs((dt.datetime.now(dt.UTC) - made).total_seconds()) < 600


def test_without_aoef_predict_writes_store_files_that_a_project_opens(
    tmp_path: Path, deployment: Path
):
    out = deployment / "predictions"
    result = run_cli(
        str(deployment), "--model", "energy", "--threshold", "0.5", "-o", str(out), aoef=False
    )
    assert result.returncode == 0, result.stderr
    assert not list(out.rglob("*.model_run.json"))
    assert len(list(out.rglob("*.predictions.arrow"))) == 5
    with ReviewProject.open(deployment, settings_dir=tmp_path / "settings") as project:
        assert project.problems == []
        assert sorted(s.kind for s in project.sources()) == ["arrow"] * 5
        starts = {
            Path(r.path).relative_to(deployment).as_posix(): sorted(
                int(d.start) for d in project.session.select(
                    DetectionFilter(min_score=0.5, recordings={r.path})
                )
            )
            for r in project.session.recordings
        }
        assert starts["site_a/x.wav"] == [1] and starts["site_b/x.wav"] == [4]
        assert starts["site_b/deep/y.flac"] == [2]


def test_same_stem_different_format_and_file_inputs_do_not_collide(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    tone_bursts(a / "rec.wav")
    tone_bursts(a / "rec.flac")
    tone_bursts(b / "rec.wav")
    sources, problems = find_recordings(
        [a / "rec.wav", a / "rec.flac", b / "rec.wav", a / "rec.wav"]
    )
    assert problems == []
    assert [s.relative.as_posix() for s in sources] == [
        "a/rec.wav",
        "a/rec.flac",
        "b/rec",
    ]
    report = run_batch([a, b], energy_config(tmp_path / "out"))
    assert report.ok and len(report.finished) == 3
    assert sorted(p.name for p in (tmp_path / "out").rglob("*.json")) == [
        "rec.flac.model_run.json",
        "rec.model_run.json",
        "rec.wav.model_run.json",
    ]


def test_single_recording_may_write_one_file_and_tables_beside_it(tmp_path: Path):
    rec = tone_bursts(tmp_path / "rec.wav")
    out = tmp_path / "results" / "night1.json"
    report = run_batch([rec], energy_config(out, raven=True, csv=True))
    assert report.ok
    assert sorted(p.name for p in out.parent.iterdir()) == [
        ".night1.json.predict.jsonl",
        "night1.json",
        "night1.predictions.arrow",
        "night1.results.csv",
        "night1.selection.table.txt",
    ]
    assert hits(io.load(out, type="model_run")) == [1, 4]


def test_a_json_output_with_several_recordings_is_refused(tmp_path: Path):
    for name in ("a.wav", "b.wav"):
        tone_bursts(tmp_path / name)
    with pytest.raises(BatchError, match="names a file, but 2 recordings"):
        run_batch([tmp_path], energy_config(tmp_path / "run.json"))
    result = run_cli(
        str(tmp_path / "a.wav"),
        str(tmp_path / "b.wav"),
        "--model",
        "energy",
        "-o",
        str(tmp_path / "r.json"),
    )
    assert result.returncode == 2 and "give a folder" in result.stderr


def test_unreadable_files_are_reported_at_the_end_and_the_rest_is_done(tmp_path: Path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    tone_bursts(inputs / "good1.wav")
    (inputs / "empty.wav").write_bytes(b"")
    (inputs / "junk.flac").write_bytes(b"this is not audio" * 50)
    tone_bursts(inputs / "good2.wav")
    missing = tmp_path / "missing.wav"
    result = run_cli(
        str(inputs),
        str(missing),
        "--model",
        "energy",
        "-q",
        "-o",
        str(tmp_path / "out"),
    )
    assert result.returncode == 1
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("audioclass-gui: ")
    ]
    assert sorted(lines) == sorted(
        [
            f"audioclass-gui: {missing}: file not found",
            f"audioclass-gui: {inputs / 'empty.wav'}: the file is empty (0 bytes)",
            f"audioclass-gui: {inputs / 'junk.flac'}: not a readable audio file (the contents are not FLAC "
            "or any other format libsndfile knows)",
        ]
    )
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == [
        "good1.model_run.json",
        "good2.model_run.json",
    ]


def test_resume_skips_finished_recordings_and_redoes_changed_settings(tmp_path: Path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(3):
        tone_bursts(inputs / f"r{i}.wav")
    out = tmp_path / "out"
    first = run_batch([inputs], energy_config(out, raven=True))
    assert len(first.finished) == 3 and not first.skipped
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("r*")}
    again = run_batch([inputs], energy_config(out, raven=True))
    assert not again.finished and len(again.skipped) == 3
    assert {p: p.stat().st_mtime_ns for p in out.rglob("r*")} == stamps
    # Asking for a table that was not written before redoes the recordings.
    more = run_batch([inputs], energy_config(out, raven=True, csv=True))
    assert len(more.finished) == 3
    # So does touching a recording, or changing a setting that changes results.
    os.utime(inputs / "r1.wav", ns=(time.time_ns(), time.time_ns() + 10**9))
    touched = run_batch([inputs], energy_config(out, raven=True, csv=True))
    assert [f.job.path.name for f in touched.finished] == ["r1.wav"]
    changed = run_batch(
        [inputs],
        BatchConfig(
            aoef=True,
            output=out,
            model="energy",
            settings=RunSettings(threshold=0.9),
            raven=True,
            csv=True,
        ),
    )
    assert len(changed.finished) == 3
    # A deleted output is written again; nothing else is.
    (out / "r2.results.csv").unlink()
    fixed = run_batch(
        [inputs],
        BatchConfig(
            aoef=True,
            output=out,
            model="energy",
            settings=RunSettings(threshold=0.9),
            raven=True,
            csv=True,
        ),
    )
    assert [f.job.path.name for f in fixed.finished] == ["r2.wav"]
    assert (out / "r2.results.csv").is_file()


def test_a_recording_failing_mid_run_is_reported_and_the_others_finish(tmp_path: Path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    tone_bursts(inputs / "mono.wav")
    stereo = np.stack(
        [
            sf.read(tone_bursts(tmp_path / "l.wav", calls=(2.0,)))[0],
            sf.read(tone_bursts(tmp_path / "r.wav", calls=(3.0,)))[0],
        ],
        axis=1,
    )
    sf.write(inputs / "stereo.wav", stereo, 16000)
    out = tmp_path / "out"
    config = BatchConfig(
        aoef=True,
        output=out,
        model="energy",
        settings=RunSettings(threshold=0.5, channel=1),
        workers=2,
    )
    report = run_batch([inputs], config)
    assert report.problems == [
        f"{inputs / 'mono.wav'}: has 1 channel(s); channel 2 does not exist"
    ]
    assert [f.job.path.name for f in report.finished] == ["stereo.wav"]
    assert hits(io.load(out / "stereo.model_run.json", type="model_run")) == [
        3
    ]  # the right channel
    assert not (out / "mono.model_run.json").exists()
    # The failed recording is not journaled: a rerun tries it again.
    assert len(run_batch([inputs], config).problems) == 1


def _journaled(out: Path) -> dict[str, dict]:
    path = out / JOURNAL_NAME
    if not path.exists():
        return {}
    entries = {}
    for line in path.read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        entries[entry["key"]] = entry
    return entries


@pytest.mark.slow
def test_a_killed_run_resumes_without_redoing_finished_recordings(tmp_path: Path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    # 16 recordings of 5 minutes: enough work that the kill lands mid-run.
    template = tone_bursts(
        tmp_path / "template.flac", seconds=300.0, calls=tuple(range(10, 300, 20))
    )
    names = [f"rec{i:02d}.flac" for i in range(16)]
    for name in names:
        shutil.copy(template, inputs / name)
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "audioclass_gui",
        "predict",
        str(inputs),
        "--aoef",
        "--model",
        "energy",
        "-o",
        str(out),
        "--raven",
        "-q",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while (
        len(_journaled(out)) < 3 and proc.poll() is None and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    finished = _journaled(out)
    assert 3 <= len(finished) < len(names), "the run should have been killed midway"
    before = {
        Path(p): (Path(p).stat().st_ino, Path(p).stat().st_mtime_ns)
        for entry in finished.values()
        for p in entry["outputs"]
    }

    result = run_cli(str(inputs), "--model", "energy", "-o", str(out), "--raven")
    assert result.returncode == 0, result.stderr
    assert (
        f"{len(finished)} recording(s) already finished by an earlier run: skipped"
        in result.stderr
    )
    assert f"{len(names) - len(finished)} recording(s) processed" in result.stderr
    # The finished recordings' files were not touched...
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in before} == before
    # ...and every recording now has complete outputs, and nothing half-written is left.
    assert set(_journaled(out)) == {n.removesuffix(".flac") for n in names}
    # All recordings are copies of one: all results must be the same.
    results = set()
    for name in names:
        stem = name.removesuffix(".flac")
        run = io.load(out / f"{stem}.model_run.json", type="model_run")
        assert len(run.clip_predictions) == 300
        assert set(range(10, 300, 20)) <= set(hits(run))
        rows = read_raven_table(out / f"{stem}.selection.table.txt")
        assert len(rows) == len(hits(run))
        results.add(
            tuple(
                (p.clip.start_time, tuple(round(t.score, 6) for t in p.tags))
                for p in run.clip_predictions
            )
        )
    assert len(results) == 1
    assert not [p for p in out.iterdir() if ".tmp" in p.name]


class _Events(BatchEvents):
    def __init__(self) -> None:
        self.total = 0.0
        self.advanced_seconds = 0.0
        self.done: list[str] = []

    def started(self, jobs, skipped, total_seconds, executor):
        self.total = total_seconds

    def advanced(self, seconds, job):
        self.advanced_seconds += seconds

    def finished(self, result):
        self.done.append(result.job.key)


def test_progress_adds_up_to_the_audio_processed(tmp_path: Path):
    for i, seconds in enumerate((6.0, 9.0, 3.5)):
        tone_bursts(tmp_path / f"r{i}.wav", seconds=seconds)
    events = _Events()
    report = run_batch([tmp_path], energy_config(tmp_path / "out", workers=2), events)
    assert events.total == pytest.approx(18.5)
    assert events.advanced_seconds == pytest.approx(18.5, abs=0.01)
    assert sorted(events.done) == ["r0", "r1", "r2"]
    assert report.seconds == pytest.approx(18.5, abs=0.01)


def test_split_span_gives_the_windows_of_one_run():
    # 100 s, 3 s windows every 1.5 s: windows start at 0, 1.5, ... 97.5 (66 of them).
    segments = split_span(
        100.0, start=0.0, end=None, frame_seconds=3.0, overlap=1.5, segment_seconds=30.0
    )
    assert [s.start for s in segments] == [0.0, 30.0, 60.0, 90.0]
    assert [s.keep_before for s in segments] == [30.0, 60.0, 90.0, None]
    assert segments[0].end == 31.5 and segments[-1].end is None
    assert (
        split_span(
            50.0,
            start=0.0,
            end=None,
            frame_seconds=3.0,
            overlap=0.0,
            segment_seconds=30.0,
        )[0].end
        is None
    )
    # A sub-range is split within itself.
    sub = split_span(
        3600.0,
        start=600.0,
        end=1500.0,
        frame_seconds=3.0,
        overlap=0.0,
        segment_seconds=300.0,
    )
    assert [(s.start, s.end) for s in sub] == [
        (600.0, 900.0),
        (900.0, 1200.0),
        (1200.0, 1500.0),
    ]


@pytest.mark.parametrize("overlap", [0.0, 1.5])
def test_splitting_a_recording_across_workers_changes_no_result(
    tmp_path: Path, overlap: float
):
    birds = SHARED_DATA / "birds_10s.wav"
    if not birds.exists():
        pytest.skip(
            f"{birds} is absent (the shared data folder sits beside the checkout)"
        )
    settings = RunSettings(threshold=0.05, overlap_seconds=overlap)
    runs = {}
    for segment_seconds in (0.0, 3.0):
        out = tmp_path / f"split{segment_seconds}.json"
        report = run_batch(
            [birds],
            BatchConfig(
                aoef=True,
                output=out,
                settings=settings,
                workers=2,
                segment_seconds=segment_seconds,
            ),
        )
        assert report.ok
        run = io.load(out, type="model_run")
        runs[segment_seconds] = [
            (
                round(p.clip.start_time, 6),
                round(p.clip.end_time, 6),
                [(t.tag.value, round(t.score, 5)) for t in p.tags],
            )
            for p in run.clip_predictions
        ]
    assert len(runs[0.0]) == (4 if overlap == 0 else 6)
    assert runs[3.0] == runs[0.0]
    assert any(tags for *_, tags in runs[0.0])


@pytest.mark.slow
def test_process_workers_give_the_same_results_and_survive_a_crash(tmp_path: Path):
    for i in range(4):
        tone_bursts(tmp_path / f"r{i}.wav", calls=(float(i + 1),))
    marker = tmp_path / "crashed"
    config = BatchConfig(
        aoef=True,
        output=tmp_path / "out",
        model="energy",
        factory=CrashOnce,
        model_kwargs={"marker": str(marker)},
        settings=RunSettings(threshold=0.5),
        executor="processes",
        workers=2,
    )
    report = run_batch([tmp_path], config)
    assert marker.exists(), "a worker process should have died"
    assert report.ok, report.problems
    assert report.executor == "processes x2"
    for i in range(4):
        assert hits(
            io.load(tmp_path / "out" / f"r{i}.model_run.json", type="model_run")
        ) == [i + 1]
