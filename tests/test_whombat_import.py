"""An exported project imports whole into Whombat: every task, tag, note, box, badge and prediction.

Whombat (0.8.8) needs Python >= 3.12, so its importer runs in another
interpreter: set ``AUDIOCLASS_WHOMBAT_PYTHON`` to a Python that has it, e.g.::

    python3.12 -m venv /tmp/whombat && /tmp/whombat/bin/pip install whombat==0.8.8 "setuptools<81"
    AUDIOCLASS_WHOMBAT_PYTHON=/tmp/whombat/bin/python pytest tests/test_whombat_import.py

(``setuptools<81``: Whombat's password library still imports ``pkg_resources``.)
``tests/whombat_import.py`` then imports the files with Whombat's own
functions into a fresh SQLite database, in the order its web pages take
them, and prints what the database holds. Without that interpreter the
Whombat test is skipped; the others check the export against the rules
Whombat's importer follows (read from its code), and always run:

- recordings, clips and clip annotations are found by uuid only;
- an annotation project adds nothing on a recording Whombat does not
  have: the dataset must list every recording, with the same uuids;
- a model run adds predictions only on clips Whombat already has: the
  evaluation set lists a clip for every window of every run;
- model runs are unique by (name, version).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, io, terms

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.formats.aoef import (
    export_aoef,
    model_run_from_predictions,
    save_aoef,
)
from audioclass_gui.project import ReviewProject
from audioclass_gui.review import Status

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WHOMBAT = os.environ.get("AUDIOCLASS_WHOMBAT_PYTHON", "")
SCRIPT = Path(__file__).with_name("whombat_import.py")
SPECIES = ("Turdus merula", "Parus major", "Sylvia atricapilla")


def write_noise(path: Path, seconds: float, seed: int) -> Path:
    """Audio of its own: Whombat keeps one recording per content hash."""
    path.parent.mkdir(parents=True, exist_ok=True)
    noise = np.random.default_rng(seed).standard_normal(int(seconds * 8000))
    sf.write(path, (0.01 * noise).astype(np.float32), 8000)
    return path


def write_run(path: Path, audio: list[Path], first: float, hop: float, provenance: dict) -> None:
    """A model run over the recordings, a 3-s window every ``hop`` seconds from ``first``."""
    rng = np.random.default_rng(int(hop * 10))
    predictions = []
    for rec in (to_recording(read_info(f)) for f in audio):
        for start in np.arange(first, rec.duration - 2.999, hop).tolist():
            clip = data.Clip(recording=rec, start_time=start, end_time=start + 3.0)
            predictions.append(
                data.ClipPrediction(
                    clip=clip,
                    tags=[
                        data.PredictedTag(
                            tag=data.Tag(term=terms.scientific_name, value=name),
                            score=round(float(rng.uniform(0.1, 0.9)), 4),
                        )
                        for name in SPECIES[: 1 + int(start) % 3]
                    ],
                )
            )
    save_aoef(model_run_from_predictions(predictions, name="BirdNET", provenance=provenance), path)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two recordings, two BirdNET 2.4 runs (no overlap, 1.5 s overlap) read into the store.

    The runs share no window (a session keeps one detection per recording,
    window and species).
    """
    root = tmp_path / "deployment"
    audio = [write_noise(root / "site1" / "a.wav", 12.0, 1), write_noise(root / "site2" / "b.wav", 9.0, 2)]
    write_run(root / "runs" / "plain.model_run.json", audio, 0.0, 3.0, {"version": "2.4"})
    write_run(
        root / "runs" / "overlap.model_run.json",
        audio,
        1.0,
        1.5,
        {"version": "2.4", "settings": {"overlap_seconds": 1.5, "threshold": 0.1}},
    )
    return root


def reviewed_export(folder: Path, settings: Path, out: Path):
    """Open the project, give every kind of verdict and a box, export it."""
    with ReviewProject.open(folder, settings_dir=settings) as project:
        project.set_reviewer("Ana Lima", remember=False)
        s = project.session
        ids = s.query().tolist()
        s.set_status(ids[0:3], Status.ACCEPTED)
        s.set_status(ids[3:5], Status.REJECTED)
        s.set_status(ids[5:6], Status.UNCERTAIN)
        s.relabel(ids[6:7], "Turdus philomelos")
        s.set_note(ids[7:8], "two birds?")
        s.add_box(s.recordings[1].path, 1.0, 2.0, 2000.0, 6000.0, "Strix aluco")
        return export_aoef(s, out)


def raw(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["data"]


def test_export_follows_whombats_rules(folder: Path, tmp_path: Path) -> None:
    result = reviewed_export(folder, tmp_path / "settings", tmp_path / "out" / "review.json")
    dataset, evaluation = raw(result.dataset_path), raw(result.evaluation_set_path)
    project = raw(result.project_path)
    runs = [raw(p) for p in result.model_run_paths]
    # Every recording the files refer to is in the dataset, by uuid, inside one folder.
    in_dataset = {r["uuid"] for r in dataset["recordings"]}
    assert len(in_dataset) == 2
    for doc in (project, evaluation, *runs):
        assert {r["uuid"] for r in doc["recordings"]} <= in_dataset
    assert all(Path(r["path"]).is_relative_to(folder) for r in dataset["recordings"])
    # Every clip a model run predicts on is a clip of the evaluation set.
    windows = {c["uuid"] for c in evaluation["clips"]}
    for run in runs:
        assert {p["clip"] for p in run["clip_predictions"]} <= windows
    assert len(windows) == sum(len(run["clips"]) for run in runs)  # no window twice
    # The project's annotations and tasks are on its own clips; the evaluation
    # set refers to its clip annotations by uuid, without tags or notes.
    clips = {c["uuid"] for c in project["clips"]}
    assert {a["clip"] for a in project["clip_annotations"]} <= clips
    assert {t["clip"] for t in project["tasks"]} <= clips
    judged = {a["uuid"] for a in project["clip_annotations"] if not a.get("sound_events")}
    assert {a["uuid"] for a in evaluation["clip_annotations"]} == judged
    assert all(set(a) == {"uuid", "clip", "created_on"} for a in evaluation["clip_annotations"])
    # Runs of one model and version have names of their own, which say how they differ.
    names = [(run["name"], run["version"]) for run in runs]
    assert len(set(names)) == 2 and all(v == "2.4" for _n, v in names)
    assert any("overlap 1.5 s, min score 0.1" in n for n, _v in names)
    assert all(n.startswith("BirdNET 2.4 (") for n, _v in names)


def test_run_names_and_uuids_are_the_same_for_the_same_run(folder: Path, tmp_path: Path) -> None:
    first = reviewed_export(folder, tmp_path / "settings", tmp_path / "one" / "review.json")
    again = reviewed_export(folder, tmp_path / "settings", tmp_path / "two" / "review.json")
    ident = [
        [(raw(p)["uuid"], raw(p)["name"]) for p in result.model_run_paths]
        for result in (first, again)
    ]
    assert ident[0] == ident[1]
    assert raw(first.dataset_path)["uuid"] == raw(again.dataset_path)["uuid"]


def _username(user: data.User) -> str:
    """The user name Whombat gives an imported user."""
    return user.username or user.name


def _expected(result, root: Path) -> dict:
    """What Whombat should hold, from soundevent's reading of the files (paths as Whombat keeps them)."""

    def where(clip: data.Clip) -> tuple:
        return (str(Path(clip.recording.path).relative_to(root)), clip.start_time, clip.end_time)

    project = io.load(result.project_path, type="annotation_project")
    key = data.key_from_term(terms.scientific_name)
    return {
        "tasks": sorted(
            [*where(t.clip), sorted(["completed", _username(b.owner)] for b in t.status_badges)]
            for t in project.tasks
        ),
        "clip_annotations": sorted(
            [
                *where(ca.clip),
                sorted(f"{key}={t.value}" for t in ca.tags),
                sorted([n.message, n.is_issue, _username(n.created_by)] for n in ca.notes),
            ]
            for ca in project.clip_annotations
        ),
        "sound_events": sorted(
            [se.sound_event.geometry.type, [f"{key}={t.value}" for t in se.tags]]
            for ca in project.clip_annotations
            for se in ca.sound_events
        ),
        "model_runs": sorted(
            (
                run.name,
                sorted(
                    [*where(cp.clip), f"{key}={t.tag.value}", t.score]
                    for cp in run.clip_predictions
                    for t in cp.tags
                ),
            )
            for run in (io.load(p, type="model_run") for p in result.model_run_paths)
        ),
    }


@pytest.mark.skipif(
    not WHOMBAT or not Path(WHOMBAT).exists(),
    reason="set AUDIOCLASS_WHOMBAT_PYTHON to a Python >= 3.12 with whombat 0.8.8 "
    "(see this module's docstring)",
)
def test_whombat_imports_everything(folder: Path, tmp_path: Path) -> None:
    result = reviewed_export(folder, tmp_path / "settings", tmp_path / "out" / "review.json")
    args = [
        WHOMBAT, str(SCRIPT), "--db", str(tmp_path / "whombat.db"),
        "--audio-dir", str(folder),
        "--dataset", str(result.dataset_path), "--dataset-dir", str(folder),
        "--project", str(result.project_path),
        "--evaluation-set", str(result.evaluation_set_path),
    ]
    for path in result.model_run_paths:
        args += ["--run", str(path)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout)
    assert got["errors"] == {}
    want = _expected(result, folder)
    assert len(got["datasets"]) == 1 and len(got["datasets"][0]["recordings"]) == 2
    tasks = sorted([path, start, end, sorted(badges)] for path, start, end, badges, _ca in got["tasks"])
    assert tasks == want["tasks"]
    assert got["clip_annotations"] == want["clip_annotations"]
    assert [[g, tags] for _p, g, _geo, tags, _u in got["sound_events"]] == want["sound_events"]
    runs = sorted((r["name"], r["predictions"]) for r in got["model_runs"])
    assert [name for name, _p in runs] == [name for name, _p in want["model_runs"]]
    for (_n, predicted), (_m, expected) in zip(runs, want["model_runs"], strict=True):
        assert predicted == [[*p[:4], pytest.approx(p[4])] for p in expected]
    assert got["evaluation_sets"][0]["model_runs"] == 2
    judged = raw(result.evaluation_set_path)["clip_annotations"]
    assert got["evaluation_sets"][0]["clip_annotations"] == len(judged) > 0
