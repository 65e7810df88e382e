"""Run a model over whole deployments: many recordings, all cores, or a cluster.

No Qt here. :func:`run_batch` finds the recordings under the given files
and folders, skips those an earlier run finished (the resume journal),
runs the model on threads of this process (default), worker processes, or
a dask.distributed cluster, and writes per recording a soundevent
``ModelRun`` and optional Raven and CSV tables, each file atomically.
``audioclass-gui predict`` is a thin layer over it.
"""

from audioclass_gui.batch.events import BatchEvents, BatchReport, Finished
from audioclass_gui.batch.executors import EXECUTORS, cpu_count, make_executor
from audioclass_gui.batch.journal import JOURNAL_NAME, Journal, JournalLockedError
from audioclass_gui.batch.plan import (
    MODEL_RUN_SUFFIX,
    Job,
    OutputPaths,
    Segment,
    split_span,
)
from audioclass_gui.batch.runner import BatchConfig, BatchError, run_batch
from audioclass_gui.batch.scan import Source, find_recordings
from audioclass_gui.batch.work import ModelSpec

__all__ = [
    "EXECUTORS",
    "JOURNAL_NAME",
    "MODEL_RUN_SUFFIX",
    "BatchConfig",
    "BatchError",
    "BatchEvents",
    "BatchReport",
    "Finished",
    "Job",
    "Journal",
    "JournalLockedError",
    "ModelSpec",
    "OutputPaths",
    "Segment",
    "Source",
    "cpu_count",
    "find_recordings",
    "make_executor",
    "run_batch",
    "split_span",
]
