"""Never lose work: a review killed with SIGKILL mid-stream keeps every verdict it reported.

A child process opens a project and makes verdicts as fast as it can (plus
boxes), printing each one after the call returned. The parent kills it with
SIGKILL after a few hundred, reopens the project and checks that every
verdict and box the child reported is there, and that reopening resumes
where the child was.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.formats.aoef import model_run_from_predictions, save_aoef
from audioclass_gui.project import ReviewProject
from audioclass_gui.review import Status, Verdict

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX"),
]

KILL_AFTER = 300

CHILD = textwrap.dedent(
    """
    import sys, time, json
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.review import Status

    project = ReviewProject.open(sys.argv[1], settings_dir=sys.argv[2])
    project.set_reviewer("Killed Reviewer", remember=False)
    s = project.session
    order = s.query().tolist()
    print(json.dumps({"ready": len(order)}), flush=True)
    cycle = ["accepted", "rejected", "uncertain", "relabel", "note"]
    for i, det in enumerate(order):
        kind = cycle[i % len(cycle)]
        if kind == "relabel":
            s.relabel([det], "Turdus philomelos")
        elif kind == "note":
            s.set_note([det], f"note {i}")
        else:
            s.set_status([det], Status(kind))
        nxt = order[i + 1] if i + 1 < len(order) else None
        project.select(nxt)
        v = s.verdict(det)
        line = {"i": i, "key": list(s.path_key(det)), "verdict": [v.status.value, v.label, v.note],
                "next": list(s.path_key(nxt)) if nxt is not None else None}
        if i % 25 == 0:
            box = s.add_box(s.recordings[0].path, 1 + i / 1000, 2 + i / 1000, 500, 900, "Strix aluco")
            line["box"] = box.box_id
        print(json.dumps(line), flush=True)
        time.sleep(0.0005)
    print(json.dumps({"finished": True}), flush=True)
    time.sleep(60)
    """
)


def build_folder(root: Path) -> None:
    """Two 10-minute recordings, 400 frames each, 4 species per frame: 3,200 detections."""
    names = ["Turdus merula", "Parus major", "Erithacus rubecula", "Fringilla coelebs"]
    rng = np.random.default_rng(7)
    predictions = []
    for name in ("north.wav", "south.wav"):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, np.zeros(600 * 1000, dtype=np.int16), 1000, subtype="PCM_16")
        rec = to_recording(read_info(path))
        for f in range(400):
            clip = data.Clip(recording=rec, start_time=1.5 * f, end_time=1.5 * f + 3)
            predictions.append(
                data.ClipPrediction(
                    clip=clip,
                    tags=[
                        data.PredictedTag(
                            tag=data.Tag(term=terms.scientific_name, value=n),
                            score=float(rng.random()),
                        )
                        for n in names
                    ],
                )
            )
    run = model_run_from_predictions(
        predictions, name="BirdNET", provenance={"version": "2.4"}
    )
    save_aoef(run, root / "birdnet.model_run.json")


def test_sigkill_mid_review_loses_nothing_reported(tmp_path: Path) -> None:
    root = tmp_path / "deployment"
    build_folder(root)
    settings = tmp_path / "settings"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(settings)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    lines: list[dict] = []
    deadline = time.monotonic() + 120
    try:
        assert child.stdout is not None
        ready = json.loads(child.stdout.readline() or "{}")
        assert ready.get("ready") == 3200, child.stderr.read() if child.stderr else ""
        while len(lines) < KILL_AFTER and time.monotonic() < deadline:
            text = child.stdout.readline()
            if not text:
                break
            lines.append(json.loads(text))
        os.kill(child.pid, signal.SIGKILL)  # in the middle of the stream
        # Through the same buffered reader: communicate() would read the raw
        # pipe and miss lines readline() has already buffered.
        rest = child.stdout.read()
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL
    for text in rest.splitlines():  # lines the child printed before it died
        try:
            lines.append(json.loads(text))
        except json.JSONDecodeError:
            pass  # cut off mid-print
    reported = [line for line in lines if "i" in line]
    assert len(reported) >= KILL_AFTER
    assert not any(line.get("finished") for line in lines), (
        "the child finished before the kill"
    )

    project = ReviewProject.open(root, settings_dir=settings)
    s = project.session
    assert len(s) == 3200
    for line in reported:
        (det,) = s.ids_for(tuple(line["key"]))
        status, label, note = line["verdict"]
        assert s.verdict(det) == Verdict(Status(status), label, note), line
        assert s.stamp(det).reviewer.name == "Killed Reviewer"
    box_ids = {b.id for b in s.boxes()}
    assert {line["box"] for line in reported if "box" in line} <= box_ids
    # Nothing beyond what the child could have done: at most one unreported verdict.
    reported_keys = {tuple(line["key"]) for line in reported}
    extra = [
        s.path_key(d.id) for d in s.judged() if s.path_key(d.id) not in reported_keys
    ]
    assert len(extra) <= 1, (len(reported), extra)
    # Reopening resumes at (or just after) the detection the child had selected.
    order = [s.path_key(i) for i in s.query().tolist()]
    last_next = tuple(reported[-1]["next"])
    assert order.index(s.path_key(project.resume())) in (
        order.index(last_next),
        order.index(last_next) + 1,
    )
    # Reviewing goes on normally after the crash.
    s.set_status([project.resume()], Status.ACCEPTED)
    project.close()
