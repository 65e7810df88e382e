"""``predict --cluster``: one task per recording on a dask.distributed cluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import io

from audioclass_gui.batch import JOURNAL_NAME, BatchConfig, run_batch
from audioclass_gui.models.settings import RunSettings
from tests import crash_model
from tests.crash_model import CrashOnce

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (extra 'cluster')"
)
cloudpickle = pytest.importorskip("cloudpickle")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def write_recordings(folder: Path, count: int) -> list[Path]:
    """``count`` 8 s recordings, recording i with a 4 kHz call in window i % 8."""
    rng = np.random.default_rng(3)
    sr = 16000
    t = np.arange(8 * sr) / sr
    paths = []
    for i in range(count):
        x = 0.005 * rng.standard_normal(t.size)
        start = (i % 8) + 0.25
        mask = (t >= start) & (t < start + 0.5)
        x[mask] += (
            0.3
            * np.sin(np.pi * (t[mask] - start) / 0.5)
            * np.sin(2 * np.pi * 4000 * t[mask])
        )
        sub = folder / f"site{i % 2}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"rec{i:02d}.wav"
        sf.write(path, x.astype(np.float32), sr)
        paths.append(path)
    return paths


def hits(path: Path) -> list[int]:
    run = io.load(path, type="model_run")
    return sorted(int(p.clip.start_time) for p in run.clip_predictions if p.tags)


@pytest.fixture(scope="module")
def client():
    # Ship the crashing model to the workers by value: they need not
    # import the tests package.
    cloudpickle.register_pickle_by_value(crash_model)
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_a_local_cluster_of_two_worker_processes_runs_every_recording(
    tmp_path: Path, client
):
    inputs = tmp_path / "in"
    write_recordings(inputs, 8)
    out = tmp_path / "out"
    config = BatchConfig(
        aoef=True,
        output=out,
        model="energy",
        settings=RunSettings(threshold=0.5),
        cluster=client,
        raven=True,
    )
    with distributed.get_task_stream(client) as stream:
        report = run_batch([inputs], config)
    assert report.ok, report.problems
    assert report.executor == "dask x2"
    # One task per recording, spread over both workers.
    tasks = [t for t in stream.data if "run_segment" in str(t["key"])]
    assert len(tasks) == 8
    assert len({t["worker"] for t in tasks}) == 2
    assert len(report.finished) == 8
    for i in range(8):
        assert hits(out / f"site{i % 2}" / f"rec{i:02d}.model_run.json") == [i % 8]
        assert (out / f"site{i % 2}" / f"rec{i:02d}.selection.table.txt").is_file()


def test_a_worker_that_dies_loses_no_finished_recording_and_its_recording_is_retried(
    tmp_path: Path, client
):
    inputs = tmp_path / "in"
    write_recordings(inputs, 10)
    out = tmp_path / "out"
    marker = tmp_path / "crashed"
    pids_before = set(client.run(os.getpid).values())
    config = BatchConfig(
        aoef=True,
        output=out,
        model="energy",
        factory=CrashOnce,
        model_kwargs={"marker": str(marker)},
        settings=RunSettings(threshold=0.5),
        cluster=client,
    )
    report = run_batch([inputs], config)
    # A worker process really died...
    assert marker.exists()
    crashed_pid = int(marker.read_text())
    assert crashed_pid in pids_before
    client.wait_for_workers(2, timeout=60)
    assert crashed_pid not in set(client.run(os.getpid).values())
    # ...and yet every recording was finished exactly once, with right results.
    assert report.ok, report.problems
    assert len(report.finished) == 10
    journal = [
        json.loads(line) for line in (out / JOURNAL_NAME).read_text().splitlines()
    ]
    assert sorted(e["key"] for e in journal) == sorted(
        f"site{i % 2}/rec{i:02d}" for i in range(10)
    )
    for i in range(10):
        assert hits(out / f"site{i % 2}" / f"rec{i:02d}.model_run.json") == [i % 8]
    # A rerun finds everything finished.
    again = run_batch(
        [inputs],
        BatchConfig(
            aoef=True,
            output=out,
            model="energy",
            factory=CrashOnce,
            model_kwargs={"marker": str(marker)},
            settings=RunSettings(threshold=0.5),
            cluster=client,
        ),
    )
    assert not again.finished and len(again.skipped) == 10


def test_cli_cluster_local_starts_a_local_cluster(tmp_path: Path):
    inputs = tmp_path / "in"
    write_recordings(inputs, 4)
    out = tmp_path / "out"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "audioclass_gui",
            "predict",
            str(inputs),
            "--model",
            "energy",
            "--threshold",
            "0.5",
            "--cluster",
            "local",
            "--workers",
            "2",
            "--csv",
            "--aoef",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "4 recording(s) processed" in result.stderr and "dask x2" in result.stderr
    for i in range(4):
        assert hits(out / f"site{i % 2}" / f"rec{i:02d}.model_run.json") == [i % 8]
        assert (out / f"site{i % 2}" / f"rec{i:02d}.results.csv").is_file()
