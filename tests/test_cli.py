"""The audioclass-gui command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from soundevent import data, io

from tests.conftest import write_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "audioclass_gui", *args],
        capture_output=True, text=True, timeout=timeout, env=full_env,
    )


def test_predict_writes_a_model_run(tmp_path: Path, calls_wav: Path):
    out = tmp_path / "run.json"
    result = run_cli("predict", str(calls_wav), "--model", "Energy", "--threshold", "0.5", "-o", str(out), "--aoef")
    assert result.returncode == 0, result.stderr
    run = io.load(out, type="model_run")
    assert isinstance(run, data.ModelRun)
    assert len(run.clip_predictions) == 12  # 1-second frames over 12 s
    hits = sorted(int(p.clip.start_time) for p in run.clip_predictions if p.tags)
    assert hits == [1, 5, 9]
    provenance = json.loads(run.description)
    assert provenance["model_key"] == "energy" and provenance["settings"]["threshold"] == 0.5
    assert provenance["effective"]["resampler"] == "kaiser_fast"  # BirdNET-Analyzer's, the default


def test_predict_reports_bad_files_by_name_and_keeps_going(tmp_path: Path, calls_wav: Path):
    missing = tmp_path / "missing.wav"
    junk = tmp_path / "junk.flac"
    junk.write_bytes(b"not audio" * 100)
    out = tmp_path / "run.json"
    result = run_cli("predict", str(missing), str(junk), str(calls_wav), "--model", "energy", "-q", "-o", str(out), "--aoef")
    assert result.returncode == 1
    assert f"{missing}: file not found" in result.stderr
    assert f"{junk}: not a readable audio file" in result.stderr
    # The readable file was still processed.
    run = io.load(out, type="model_run")
    assert {p.clip.recording.path.name for p in run.clip_predictions} == {calls_wav.name}


def test_predict_unknown_model_lists_the_available_ones(tmp_path: Path, calls_wav: Path):
    result = run_cli("predict", str(calls_wav), "--model", "nope", "-o", str(tmp_path / "x.json"))
    assert result.returncode != 0
    assert "nope" in result.stderr and "birdnet" in result.stderr and "energy" in result.stderr


def _assert_screenshot(path: Path) -> QImage:
    image = QImage(str(path))
    assert not image.isNull()
    assert image.width() >= 800 and image.height() >= 600
    return image


def test_app_runs_a_model_and_saves_a_screenshot(tmp_path: Path):
    recording = write_calls(tmp_path / "rec.wav", duration=20.0)
    shot = tmp_path / "shot.png"
    result = run_cli(str(recording), "--model", "energy", "--threshold", "0.5", "--run", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    _assert_screenshot(shot)
    assert "Traceback" not in result.stderr


def test_app_with_birdnet_on_the_field_recording(tmp_path: Path, birds_10s: Path):
    shot = tmp_path / "birdnet.png"
    result = run_cli(str(birds_10s), "--model", "birdnet", "--run", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    _assert_screenshot(shot)


def test_app_opens_the_demo_recording_without_arguments(tmp_path: Path):
    from audioclass_gui.audio.demo import DEMO_SHA256

    shot = tmp_path / "demo.png"
    data = tmp_path / "data"
    result = run_cli("--screenshot", str(shot), env={"AUDIOCLASS_GUI_DATA_DIR": str(data)})
    assert result.returncode == 0, result.stderr
    _assert_screenshot(shot)
    # The shipped field recording, copied with its licence into the data folder.
    copy = data / "demo" / "birds_10s.wav"
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == DEMO_SHA256
    assert "MIT License" in (data / "demo" / "birds_10s.LICENSE.txt").read_text()


def test_app_reports_a_bad_file_and_exits_nonzero_in_screenshot_mode(tmp_path: Path):
    bad = tmp_path / "empty.wav"
    bad.write_bytes(b"")
    result = run_cli(str(bad), "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 1
    assert f"{bad}: the file is empty" in result.stderr


def test_app_starts_without_portaudio_and_says_why(tmp_path: Path, calls_wav: Path):
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")
    shot = tmp_path / "noaudio.png"
    env = {"PYTHONPATH": os.pathsep.join([str(fake), *filter(None, [os.environ.get("PYTHONPATH")])])}
    result = run_cli(str(calls_wav), "--screenshot", str(shot), env=env)
    assert result.returncode == 0, result.stderr
    assert "Playback unavailable" in result.stderr and "PortAudio" in result.stderr
    _assert_screenshot(shot)


def test_app_without_a_display_says_how_to_start_it(calls_wav: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, "-m", "audioclass_gui", str(calls_wav)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 2
    assert "no display found" in result.stderr and "--screenshot" in result.stderr


def test_app_runs_and_exports_without_a_screen(tmp_path: Path):
    recording = write_calls(tmp_path / "rec.wav", duration=12.0)
    out = tmp_path / "review.json"
    shot = tmp_path / "shot.png"
    result = run_cli(str(recording), "--model", "energy", "--threshold", "0.5", "--run",
                     "--export", str(out), "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    project = io.load(out, type="annotation_project")
    run = io.load(tmp_path / "review.model_run.json", type="model_run")
    assert isinstance(project, data.AnnotationProject)
    # The run keeps every score down to the app's floor; the calls are the high ones.
    high = sorted(int(p.clip.start_time) for p in run.clip_predictions if any(t.score >= 0.5 for t in p.tags))
    assert high == [1, 5, 9]
    _assert_screenshot(shot)
