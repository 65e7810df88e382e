"""Run a model over whole deployments: many recordings, all cores, or a cluster.

No Qt here. :func:`run_batch` finds the recordings under the given files
and folders, skips those an earlier run finished (the resume journal),
runs the model on threads of this process (default), worker processes, or
a dask.distributed cluster, and writes per recording a soundevent
``ModelRun`` and optional Raven and CSV tables, each file atomically.
``audioclass-gui predict`` is a thin layer over it.
Its names load their module on first use (:mod:`audioclass_gui.lazy_names`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audioclass_gui.lazy_names import lazy_names

if TYPE_CHECKING:
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

_WHERE = {
    "BatchConfig": "audioclass_gui.batch.runner",
    "BatchError": "audioclass_gui.batch.runner",
    "BatchEvents": "audioclass_gui.batch.events",
    "BatchReport": "audioclass_gui.batch.events",
    "EXECUTORS": "audioclass_gui.batch.executors",
    "Finished": "audioclass_gui.batch.events",
    "JOURNAL_NAME": "audioclass_gui.batch.journal",
    "Job": "audioclass_gui.batch.plan",
    "Journal": "audioclass_gui.batch.journal",
    "JournalLockedError": "audioclass_gui.batch.journal",
    "MODEL_RUN_SUFFIX": "audioclass_gui.batch.plan",
    "ModelSpec": "audioclass_gui.batch.work",
    "OutputPaths": "audioclass_gui.batch.plan",
    "Segment": "audioclass_gui.batch.plan",
    "Source": "audioclass_gui.batch.scan",
    "cpu_count": "audioclass_gui.batch.executors",
    "find_recordings": "audioclass_gui.batch.scan",
    "make_executor": "audioclass_gui.batch.executors",
    "run_batch": "audioclass_gui.batch.runner",
    "split_span": "audioclass_gui.batch.plan",
}

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

__getattr__, __dir__ = lazy_names(globals(), _WHERE)
