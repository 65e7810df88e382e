"""Model runs made in the app, kept in the project as predictions store files.

A run on the open recording streams its clip predictions into the session;
when it ends, they are written to one Arrow store file (the format
``predict`` writes) in the project's runs folder. Writing is pure disk work,
separate from recording the file in the journal, so that the window can do
it in its task runner and record it on the GUI thread when it is done.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from soundevent import data

from audioclass_gui.formats.prediction_store import (
    run_from_predictions,
    write_stored_run,
)

__all__ = ["run_file", "runs_dir", "write_run_file"]

#: Suffix of the store files written for app runs (also what `predict` writes).
RUN_SUFFIX = ".predictions.arrow"


def runs_dir(journal: Path, *, is_folder: bool) -> Path:
    """Where a project keeps the runs made in the app.

    ``.audioclass-gui/runs/`` for a folder project, ``<project file stem>.runs/``
    beside a project file.
    """
    return journal.parent / "runs" if is_folder else journal.with_suffix(".runs")


def run_file(folder: Path, name: str, now: dt.datetime | None = None) -> Path:
    """A new run file's path in ``folder``, named after the model and the time (UTC)."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "model"
    return folder / f"{slug}-{stamp}{RUN_SUFFIX}"


def write_run_file(
    target: Path,
    predictions: Sequence[data.ClipPrediction],
    *,
    name: str,
    provenance: Mapping[str, Any] | None = None,
) -> int:
    """Write a run's predictions to ``target`` (atomically); safe off the GUI thread.

    Parameters
    ----------
    target
        The store file (its folder is made). Recording paths are written
        relative to its folder, as ``predict`` writes them, so the file
        stays readable when the project folder moves.
    predictions
        The run's clip predictions (never changed here).
    name
        The model's name.
    provenance
        How the run was made.

    Returns
    -------
    int
        The number of detections written (one per predicted tag).
    """
    run = run_from_predictions(
        predictions, model_name=name, provenance=dict(provenance or {})
    )
    folder = target.parent
    write_stored_run(
        target,
        run,
        encode=lambda p: os.path.relpath(p, folder),
        stamp=None,
    )
    return len(run)
