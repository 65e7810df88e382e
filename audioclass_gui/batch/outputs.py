"""Write one recording's results: the predictions store file, a ModelRun, tables."""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from soundevent import data

from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.batch.plan import Job
from audioclass_gui.formats.aoef import model_run_from_predictions, save_aoef
from audioclass_gui.formats.csv_table import write_csv_table
from audioclass_gui.formats.prediction_store import (
    run_from_predictions,
    write_stored_run,
)
from audioclass_gui.formats.raven import write_raven_table
from audioclass_gui.formats.selections import (
    detection_band,
    nocall_selection,
    selections_from_predictions,
)
from audioclass_gui.models import ClipClassificationModel

__all__ = ["FeatureSink", "OutputWriter", "model_band", "remove_stale_temporaries"]


class FeatureSink(Protocol):
    """Where a run's per-window features go (an embeddings store, see
    :class:`audioclass_gui.embeddings.batch_sink.StoreSink`)."""

    def has(self, job: Job) -> bool:
        """Whether the job's features are stored (so a finished job may be skipped)."""
        ...

    def write(self, job: Job, predictions: Sequence[data.ClipPrediction]) -> None:
        """Store the features of the job's windows (one prediction per window)."""
        ...


def model_band(
    model: ClipClassificationModel, info: RecordingInfo, time_expansion: float = 1.0
) -> tuple[float, float]:
    """The frequency band (Hz) a model listens to in a recording, for table rows.

    A model's own ``low_freq``/``high_freq`` attributes where it has them
    (the energy detector), 0-15 kHz for BirdNET (as BirdNET-Analyzer
    writes), else 0 to half the model's rate; never above the recording's
    Nyquist frequency.
    """
    nyquist = info.samplerate * float(time_expansion or 1.0) / 2.0
    low = float(getattr(model, "low_freq", 0.0) or 0.0)
    high = getattr(model, "high_freq", None)
    if high is None:
        # BirdNET: 15 kHz, as BirdNET-Analyzer writes; others: half their rate.
        high = detection_band(model.name, model.samplerate / 2.0)[1]
    return max(0.0, low), min(float(high), nyquist)


def remove_stale_temporaries(path: Path) -> None:
    """Delete temporary files a killed run left beside ``path``.

    :func:`~audioclass_gui.formats.atomic.atomic_write_path` writes
    ``.<stem>.<12 hex digits>.tmp<suffix>`` and renames it; a run killed
    in between leaves it behind. Call only while holding the journal lock.
    """
    pattern = (
        f".{glob.escape(path.stem)}.{'[0-9a-f]' * 12}.tmp{glob.escape(path.suffix)}"
    )
    for stale in path.parent.glob(pattern):
        with contextlib.suppress(OSError):
            stale.unlink()


@dataclass(frozen=True)
class OutputWriter:
    """Writes the outputs of one job, each file atomically.

    Attributes
    ----------
    model
        The model (for its name and the common names of its tags).
    common_names
        ``{tag value: readable name}`` (see
        :func:`audioclass_gui.models.labels.common_names`).
    description
        A readable description of the model, stored in the ``ModelRun``.
    extra_provenance
        Keys added to every run's provenance (model key, app...).
    time_expansion
        Of the recordings (for the frequency band of table rows).
    features
        Where the windows' features go, after the predictions store file
        (None: not kept).
    """

    model: ClipClassificationModel
    common_names: Mapping[str, str]
    description: str
    extra_provenance: Mapping[str, Any]
    time_expansion: float = 1.0
    features: FeatureSink | None = None

    def write(
        self,
        job: Job,
        predictions: Sequence[data.ClipPrediction],
        provenance: Mapping[str, Any],
    ) -> int:
        """Write the job's files; returns the number of detections (predicted tags).

        Tables and the model run go first and the predictions store file
        last, so that a store file on disk always has the others beside it
        (the journal, written after this, is what marks the job finished).
        """
        detections = sum(len(p.tags) for p in predictions)
        for path in job.outputs.all():
            remove_stale_temporaries(path)
        if job.outputs.raven is not None or job.outputs.csv is not None:
            low, high = model_band(self.model, job.info, self.time_expansion)
            # Species Code: the eBird code, as BirdNET-Analyzer writes it.
            selections = selections_from_predictions(
                predictions,
                common_name=lambda tag: self.common_names.get(str(tag.value)),
                low_freq=low,
                high_freq=high,
            )
            if job.outputs.raven is not None:
                # Nothing found: BirdNET-Analyzer's nocall row, not a header alone.
                nocall = nocall_selection(
                    str(job.info.path), low_freq=low, high_freq=high,
                    duration=job.info.duration,
                )
                write_raven_table(job.outputs.raven, selections or [nocall])
            if job.outputs.csv is not None:
                write_csv_table(job.outputs.csv, selections)
        full = {**provenance, **self.extra_provenance}
        if job.outputs.model_run is not None:
            run = model_run_from_predictions(
                predictions,
                name=self.model.name,
                provenance=full,
                description=self.description,
            )
            save_aoef(run, job.outputs.model_run)
        stored = run_from_predictions(predictions, model_name=self.model.name, provenance=full)
        stored.common_names = {
            name: self.common_names[name]
            for name in stored.species
            if self.common_names.get(name)
        }
        folder = job.outputs.predictions.parent.absolute()
        write_stored_run(
            job.outputs.predictions,
            stored,
            # Relative to the file's folder, so that outputs and recordings move together.
            encode=lambda path: Path(os.path.relpath(path, folder)).as_posix(),
            stamp=None,
        )
        if self.features is not None:
            self.features.write(job, predictions)
        return detections
