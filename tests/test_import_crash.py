"""A crash at any step of an import leaves the project openable, with nothing lost or half-read.

A project with verdicts gets a second predictions file (found in its folder,
or attached from elsewhere). A child process imports it and dies with
``os._exit`` exactly at one step: while parsing, with the store file written
but not yet synced or renamed, renamed but its folder not synced, written
but not mapped, mapped but not in the session, in the session, attached but
not journaled. Another child is killed with SIGKILL at moments spread over
a larger import. Each time, reopening must give exactly the session of a
copy of the project that imported the file without a crash: the verdicts
made before, and the file's predictions, each once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.formats import prediction_store
from audioclass_gui.formats.aoef_stream import StreamedModelRun
from audioclass_gui.project import ReviewProject
from audioclass_gui.review import Status
from tests.deployment_project import sparse_wav
from tests.test_streaming_import import session_state

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.skipif(os.name != "posix", reason="os._exit and SIGKILL as on POSIX"),
]

REPO = Path(__file__).resolve().parents[1]
CRASHED = 70
#: Seconds of each recording (room for 25,000 windows of 3 s).
LONG = 25_001 * 3

CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from audioclass_gui.formats import aoef_stream_read, atomic
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.project.attach import ProjectSources
    from audioclass_gui.project.project_journal import ProjectJournal

    step, root, settings, elsewhere = sys.argv[1:5]

    def hook(owner, name, *, after=False, when=lambda *a, **k: True):
        real = getattr(owner, name)

        def wrapped(*a, **k):
            hit = when(*a, **k)
            if hit and not after:
                os._exit(70)
            out = real(*a, **k)
            if hit:
                os._exit(70)
            return out

        setattr(owner, name, wrapped)

    in_store = lambda path, *a, **k: Path(path).parent.name in ("store", "project.store")
    new_source = lambda self, info, *a, **k: info.path.name == "other.model_run.json"
    if step == "parsing":
        hook(aoef_stream_read._Reader, "_predictions")
    elif step == "written, not synced":
        hook(atomic, "fsync_file", when=in_store)
    elif step == "renamed, folder not synced":
        hook(atomic, "fsync_dir", when=lambda folder: Path(folder).name == "store")
    elif step == "stored, not mapped":
        hook(ProjectSources, "write_store", after=True)
    elif step == "mapped, not in the session":
        hook(ProjectSources, "_add_stored", when=new_source)
    elif step == "in the session":
        hook(ProjectSources, "_add_stored", after=True, when=new_source)
    elif step == "attached, not journaled":
        hook(ProjectJournal, "append", when=lambda self, record, **k: record.get("t") == "source")
    print("opening", flush=True)
    project = ReviewProject.open(root, settings_dir=settings)
    if elsewhere:
        project.attach(elsewhere)
    print("done", flush=True)
    time.sleep(60)
    """
)


def model_run(target: Path, audio: list[Path], windows: int, name: str, seed: int) -> Path:
    """A model run of 3 predictions per 3-s window over ``audio``, written from columns."""
    recs = [to_recording(read_info(p)) for p in audio]
    total = len(recs) * windows * 3
    window = np.arange(total) // 3
    start = (window % windows) * 3.0
    rng = np.random.default_rng(seed)
    StreamedModelRun(
        name=name,
        description=json.dumps({"version": "1"}),
        version="1",
        recordings=recs,
        species=["Turdus merula", "Parus major", "Strix aluco", "Sitta europaea"],
        columns={
            "recording": (window // windows).astype(np.int32),
            "species": ((window + np.arange(total) % 3) % 4).astype(np.int32),
            "start": start,
            "end": start + 3.0,
            "score": np.round(rng.random(total), 5),
        },
    ).write(target)
    return target


def reviewed_project(root: Path, settings: Path) -> list[Path]:
    """Two long recordings, a BirdNET run over their start, and verdicts on it."""
    audio = [sparse_wav(root / "a.wav", LONG, 100), sparse_wav(root / "b.wav", LONG, 100)]
    model_run(root / "runs" / "birdnet.model_run.json", audio, 40, "BirdNET", seed=1)
    with ReviewProject.open(root, settings_dir=settings) as project:
        project.set_reviewer("Before Crash", remember=False)
        s = project.session
        ids = s.query().tolist()
        s.set_status(ids[:5], Status.ACCEPTED)
        s.set_status(ids[5:8], Status.REJECTED)
        s.relabel([ids[9]], "Turdus philomelos")
        s.set_note([ids[11]], "heard twice")
    return audio


def run_child(step: str, root: Path, settings: Path, elsewhere: Path | None) -> int:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, step, str(root), str(settings), str(elsewhere or "")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode


def large_state(project: ReviewProject) -> dict:
    """:func:`session_state` for many detections: their columns in digest, verdicts in full."""
    s = project.session
    digest = hashlib.sha1()
    for key in s.run_keys():
        columns = s.stored_run(key)
        assert columns is not None, "a run not mapped from the store"
        for name in ("recording", "species", "start", "end", "score"):
            digest.update(np.ascontiguousarray(columns[name]).tobytes())
    state = {
        "columns": digest.hexdigest(),
        "runs": s.run_infos(),
        "recordings": [str(r.path) for r in s.recordings],
        "species": s.species_list(),
        "judged": sorted(
            (str(Path(d.recording.path).relative_to(project.root)), d.start, d.scientific_name, d.run, repr(s.verdict(d.id)))
            for d in s.judged()
        ),
        "sources": [(i.path.name, i.model_name, i.detections, i.problems) for i in project.sources()],
    }
    return json.loads(json.dumps(state, default=repr).replace(str(project.root), "<root>"))


def reopened_state(
    root: Path, settings: Path, elsewhere: Path | None, state_of=session_state
) -> dict:
    with ReviewProject.open(root, settings_dir=settings) as project:
        if elsewhere is not None and elsewhere not in {s.path for s in project.sources()}:
            project.attach(elsewhere)  # the attach never finished: the user does it again
        state = state_of(project)
        store = project._store_dir()
        assert not list(store.glob(".*.tmp*")), "a temporary file was left in the store"
        for path in store.glob("*.arrow"):  # every store file there is whole
            assert prediction_store.read_stored_run(path, decode=str, stamp=None) is not None
    return state


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("template")
    reviewed_project(base / "site", base / "settings")
    return base


def _copy(template: Path, to: Path) -> tuple[Path, Path]:
    shutil.copytree(template, to)
    return to / "site", to / "settings"


STEPS = [
    "parsing",
    "written, not synced",
    "renamed, folder not synced",
    "stored, not mapped",
    "mapped, not in the session",
    "in the session",
]


@pytest.mark.parametrize("attached", [False, True], ids=["found in the folder", "attached"])
@pytest.mark.parametrize("step", [*STEPS, "attached, not journaled"])
def test_a_crash_at_each_step_of_an_import(tmp_path, template, step, attached) -> None:
    if step == "attached, not journaled" and not attached:
        pytest.skip("a file found in the folder is journaled before it is read")
    root, settings = _copy(template, tmp_path / "crashed")
    ref_root, ref_settings = _copy(template, tmp_path / "reference")
    audio = [root / "a.wav", root / "b.wav"]
    elsewhere = None
    if attached:
        elsewhere = model_run(tmp_path / "elsewhere" / "other.model_run.json", audio, 40, "Other", seed=2)
    else:
        for folder in (root, ref_root):
            model_run(folder / "runs" / "other.model_run.json", audio, 40, "Other", seed=2)
    with ReviewProject.open(ref_root, settings_dir=ref_settings) as project:
        if elsewhere is not None:
            project.attach(elsewhere)
        expected = session_state(project)
    assert len(expected["detections"]) == 2 * 240
    judged = [v for *_k, v in expected["detections"] if "ACCEPTED" in v or "REJECTED" in v]
    assert len(judged) >= 9  # the verdicts made before are part of what must come back

    assert run_child(step, root, settings, elsewhere) == CRASHED, "the step was not reached"
    assert reopened_state(root, settings, elsewhere) == expected
    assert reopened_state(root, settings, elsewhere) == expected  # and again, from the store


def test_sigkill_at_any_moment_of_a_large_import(tmp_path, template) -> None:
    """Killed with SIGKILL at moments spread over the import of 120,000 predictions."""
    big = tmp_path / "big"
    shutil.copytree(template, big)
    audio = [big / "site" / "a.wav", big / "site" / "b.wav"]
    model_run(big / "site" / "runs" / "other.model_run.json", audio, 20_000, "Other", seed=3)
    ref_root, ref_settings = _copy(big, tmp_path / "reference")
    t0 = time.monotonic()
    with ReviewProject.open(ref_root, settings_dir=ref_settings) as project:
        took = time.monotonic() - t0
        expected = large_state(project)
        assert len(project.session) == 240 + 120_000
    assert len(expected["judged"]) >= 9
    killed_during = []
    for i, fraction in enumerate((0.2, 0.5, 0.8)):
        root, settings = _copy(big, tmp_path / f"killed{i}")
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, "none", str(root), str(settings), ""],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "opening"
            time.sleep(fraction * took + 0.1)
            os.kill(child.pid, signal.SIGKILL)
            out, err = child.communicate(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.communicate()
        assert child.returncode == -signal.SIGKILL and "Traceback" not in err
        killed_during.append("done" not in out)
        assert reopened_state(root, settings, None, large_state) == expected
    assert any(killed_during), "every kill came after the import"
