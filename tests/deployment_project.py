"""A small deployment on disk: two sites, recordings named by start time, one store file."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

RATE = 8000


def sparse_wav(path: Path, seconds: float, rate: int = RATE) -> Path:
    """A 16-bit mono WAV of ``seconds`` of silence that takes no disk space."""
    size = int(seconds * rate) * 2
    header = b"RIFF" + struct.pack("<I", 36 + size) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    header += b"data" + struct.pack("<I", size)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(header)
        handle.truncate(len(header) + size)
    return path


def build_deployment(
    root: Path,
    recordings: list[tuple[str, float]],
    rows: list[tuple[int, str, float, float, float]],
) -> list[Path]:
    """Write recordings (``(relative path, seconds)``) and a store of ``rows``.

    ``rows``: ``(recording index, species, start, end, score)``. Returns the
    recordings' paths.
    """
    from audioclass_gui.formats.prediction_store import StoredRun, write_stored_run

    paths = []
    for name, seconds in recordings:
        path = root / name
        sparse_wav(path, seconds)
        paths.append(path)
    species = sorted({r[1] for r in rows})
    run = StoredRun(
        [str(p) for p in paths],
        species,
        np.asarray([r[0] for r in rows], np.int32),
        np.asarray([species.index(r[1]) for r in rows], np.int32),
        np.asarray([r[2] for r in rows], np.float64),
        np.asarray([r[3] for r in rows], np.float64),
        np.asarray([r[4] for r in rows], np.float64),
        model_name="BirdNET",
    )
    runs = root / "runs"
    write_stored_run(
        runs / "birdnet.arrow", run, encode=lambda p: os.path.relpath(p, runs), stamp=None
    )
    return paths
