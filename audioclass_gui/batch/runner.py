"""Run a model over many recordings: plan, skip finished ones, run, write, journal.

:func:`run_batch` is what ``audioclass-gui predict`` calls; it has no
terminal or Qt code (progress goes to a :class:`BatchEvents` object).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audioclass_gui import __version__
from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.batch.dispatch import Dispatch, dispatch
from audioclass_gui.batch.events import BatchEvents, BatchReport, Finished
from audioclass_gui.batch.executors import cpu_count, make_executor
from audioclass_gui.batch.journal import Journal, fingerprint
from audioclass_gui.batch.outputs import FeatureSink, OutputWriter
from audioclass_gui.batch.plan import Job, outputs_for
from audioclass_gui.batch.scan import find_recordings
from audioclass_gui.batch.work import ModelSpec, discard_spares, seed_model
from audioclass_gui.models import ClipClassificationModel, get_entry
from audioclass_gui.models.labels import common_names
from audioclass_gui.models.settings import RunSettings

__all__ = [
    "SINGLE_THREAD_BATCH",
    "BatchConfig",
    "BatchError",
    "BatchEvents",
    "BatchReport",
    "Finished",
    "run_batch",
]

#: Windows per model call when each worker's model runs on one thread.
SINGLE_THREAD_BATCH = 1


class BatchError(ValueError):
    """The run cannot start (bad output path, model that does not load...)."""


@dataclass(frozen=True)
class BatchConfig:
    """Everything a batch run needs besides its inputs.

    Attributes
    ----------
    output
        A folder (several recordings; created) or a ``.json`` file (one
        recording).
    model
        Registry key of the model.
    model_kwargs
        Keyword arguments for the model's factory.
    factory
        A callable to build the model instead of the registry (tests,
        wrapped third-party models); must be picklable for processes and
        dask.
    settings
        The run's options (threshold, overlap, filters...).
    raven, csv
        Also write a Raven selection table / a CSV table per recording.
    aoef
        Also write a soundevent ``ModelRun`` (AOEF JSON) per recording; the
        predictions store file (``.predictions.arrow``) is always written.
    birdnet_names
        Name the tables as BirdNET-Analyzer does
        (``<stem>.BirdNET.selection.table.txt``, ``<stem>.BirdNET.results.csv``),
        so that its ``segments`` command finds them.
    executor
        ``"threads"`` (default, see :mod:`audioclass_gui.batch.executors`),
        ``"processes"`` or ``"dask"``.
    workers
        Threads or processes (default: one per core).
    cluster
        Dask scheduler address, ``"local"``, or a ``distributed.Client``;
        implies ``executor="dask"``.
    resume
        Skip recordings the journal lists as finished with the same
        settings (default). False redoes everything.
    segment_seconds
        Recordings at least twice this long are split into segments of
        about this length, so one long file keeps every worker busy (not
        for models with state carried between windows, nor on dask).
        0 disables splitting.
    time_expansion
        Time-expansion factor of the recordings (1: real time).
    root
        A folder the outputs' relative paths start from (see
        :func:`~audioclass_gui.batch.scan.find_recordings`): a project's
        folder, so that runs over some of its recordings and over all of
        them write (and resume) the same files. None: the common folder of
        the inputs.
    cancel
        Set it (from any thread) to stop the run: no recording starts
        after it, the running ones stop after their current batch and are
        left unfinished (a later run redoes them), the finished ones stay.
        :func:`run_batch` then returns with ``report.cancelled`` True.
    features
        Where each recording's per-window features go (``predict
        --embeddings``: an embeddings store beside the outputs); the run
        then keeps the model's features, and a recording finished earlier
        without them in the sink is done again.
    """

    output: Path
    model: str = "birdnet"
    model_kwargs: Mapping[str, Any] = field(default_factory=dict)
    factory: Callable[..., ClipClassificationModel] | None = None
    settings: RunSettings = field(default_factory=RunSettings)
    raven: bool = False
    csv: bool = False
    aoef: bool = False
    birdnet_names: bool = False
    executor: str = "threads"
    workers: int | None = None
    cluster: Any = None
    resume: bool = True
    segment_seconds: float = 300.0
    time_expansion: float = 1.0
    root: Path | None = None
    cancel: threading.Event | None = field(default=None, compare=False)
    features: FeatureSink | None = field(default=None, compare=False)

    @property
    def cancelled(self) -> bool:
        """Whether :attr:`cancel` is set."""
        return self.cancel is not None and self.cancel.is_set()


def _read_infos(
    paths: Sequence[Path], problems: list[str], config: BatchConfig
) -> list[RecordingInfo]:
    infos = []
    for path in paths:
        if config.cancelled:
            break
        try:
            info = read_info(path)
        except AudioFileError as exc:
            problems.append(str(exc))
            continue
        for warning in info.warnings:
            problems.append(f"{info.path}: {warning} (the readable part was processed)")
        infos.append(info)
    return infos


def _single_file(output: Path, count: int) -> bool:
    if output.is_dir() or output.suffix.lower() != ".json":
        return False
    if count > 1:
        raise BatchError(
            f"{output}: -o names a file, but {count} recordings were found; "
            "give a folder to write one model run per recording"
        )
    return True


def _build_model(
    config: BatchConfig, per_worker_threads: int | None
) -> tuple[ModelSpec, ClipClassificationModel]:
    spec = ModelSpec.create(config.model, config.model_kwargs, factory=config.factory)
    if per_worker_threads is not None and "num_threads" not in dict(spec.kwargs):
        threaded = spec.with_kwargs(num_threads=per_worker_threads)
        try:
            return threaded, threaded.build()
        except TypeError as exc:
            if "num_threads" not in str(exc):
                raise
    return spec, spec.build()


def _provenance_base(config: BatchConfig, spec: ModelSpec) -> dict[str, Any]:
    base: dict[str, Any] = {
        "model_key": config.model,
        "app": f"audioclass-gui {__version__}",
        # When this run (or its resumption) started: in the exported run's name.
        "created_on": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if config.factory is None:
        entry = get_entry(config.model)
        base.update(
            model_key=entry.key, model_title=entry.title, model_source=entry.source
        )
    kwargs = {k: v for k, v in spec.kwargs if k != "num_threads"}
    if kwargs:
        base["model_kwargs"] = kwargs
    if config.time_expansion != 1.0:
        base["time_expansion"] = config.time_expansion
    return base


def run_batch(
    inputs: Sequence[str | os.PathLike[str]],
    config: BatchConfig,
    events: BatchEvents | None = None,
) -> BatchReport:
    """Run a model over recordings and write one set of outputs per recording.

    Parameters
    ----------
    inputs
        Audio files and folders (searched recursively).
    config
        Output, model, settings and how to run.
    events
        Progress callbacks.

    Returns
    -------
    BatchReport
        What was done, skipped, and every problem (unreadable files are
        reported, never fatal).

    Raises
    ------
    BatchError
        If the output path does not fit the inputs.
    JournalLockedError
        If another run writes to the same outputs.
    KeyboardInterrupt
        Passed on after stopping the workers; finished recordings stay
        finished, and running the same command again resumes.

    Notes
    -----
    Setting ``config.cancel`` stops the run the same way without an
    exception: the report says ``cancelled``.
    """
    events = events or BatchEvents()
    t0 = time.perf_counter()
    report = BatchReport()
    sources, missing = find_recordings(inputs, root=config.root)
    report.problems.extend(str(m) for m in missing)
    for message in report.problems:
        events.problem(message)
    first_problems = len(report.problems)
    infos = _read_infos([s.path for s in sources], report.problems, config)
    for message in report.problems[first_problems:]:
        events.problem(message)
    by_path = {s.path: s for s in sources}
    output = Path(config.output).expanduser().absolute()
    single = _single_file(output, len(infos))
    jobs = []
    for info in infos:
        source = by_path[info.path]
        outs = outputs_for(
            source,
            output,
            single_file=single,
            raven=config.raven,
            csv=config.csv,
            aoef=config.aoef,
            birdnet_names=config.birdnet_names,
        )
        key = output.name if single else source.relative.as_posix()
        jobs.append(Job(info=info, outputs=outs, key=key))
    if not jobs or config.cancelled:
        report.cancelled = config.cancelled
        report.wall_seconds = time.perf_counter() - t0
        return report

    kind = "dask" if config.cluster is not None else config.executor
    workers = config.workers or cpu_count()
    if kind in ("threads", "processes"):
        per_worker: int | None = max(1, cpu_count() // workers)
    else:
        per_worker = 1 if config.cluster == "local" else None
    spec, model = _build_model(config, per_worker)
    settings = config.settings
    if (
        settings.batch_size is None
        and per_worker == 1
        and hasattr(model, "num_threads")
    ):
        # A one-thread LiteRT interpreter gains ~6 % from batches of 8 but
        # holds ~170 MB more per worker (BirdNET, measured): one window per call.
        settings = settings.replace(batch_size=SINGLE_THREAD_BATCH)
    if config.features is not None:
        settings = settings.replace(with_features=True)
    description = get_entry(config.model).description if config.factory is None else ""
    writer = OutputWriter(
        model=model,
        common_names=common_names(model, settings),
        description=description,
        extra_provenance=_provenance_base(config, spec),
        time_expansion=config.time_expansion,
        features=config.features,
    )
    print_ = _fingerprint(config, settings, model, writer)
    journal = Journal.for_output(output, single_file=single)
    with journal.open():
        todo = [
            j
            for j in jobs
            if not (
                config.resume
                and journal.is_finished(j, print_)
                and (config.features is None or config.features.has(j))
            )
        ]
        report.skipped = [j for j in jobs if j not in todo]
        if not todo:
            events.started(todo, report.skipped, 0.0, "")
            report.wall_seconds = time.perf_counter() - t0
            return report
        total = sum(
            _span_seconds(j.info, settings, config.time_expansion) for j in todo
        )
        executor = make_executor(kind, workers=workers, cluster=config.cluster)
        report.executor = f"{executor.kind} x{executor.workers}"
        events.started(todo, report.skipped, total, report.executor)
        if kind == "threads":
            # Build every worker's model here, one after the other, before
            # any runs: building one (BirdNET: ~150 MB of transient
            # flatbuffer work) while another worker thread builds or starts
            # would stack those transients and raise the peak memory.
            seed_model(spec, model)
            for _ in range(min(executor.workers, _task_count_hint(todo, config)) - 1):
                seed_model(spec, spec.build())
        plan = Dispatch(
            spec=spec,
            model=model,
            settings=settings,
            executor=executor,
            writer=writer,
            journal=journal,
            fingerprint=print_,
            segment_seconds=config.segment_seconds,
            time_expansion=config.time_expansion,
            cancel=config.cancel,
        )
        try:
            dispatch(todo, plan, report, events)
        except BaseException:
            executor.close(cancel=True)
            raise
        finally:
            discard_spares(spec)
        executor.close(cancel=report.cancelled)
    report.wall_seconds = time.perf_counter() - t0
    return report


def _fingerprint(
    config: BatchConfig,
    settings: RunSettings,
    model: ClipClassificationModel,
    writer: OutputWriter,
) -> str:
    """What makes results differ: model, its arguments, and result-changing settings."""
    general = settings.to_provenance(model)
    general.pop("app", None)
    stable = {
        k: v
        for k, v in general.get("settings", {}).items()
        if k not in ("batch_size", "num_threads")
    }
    return fingerprint(
        {
            "provenance": {**general, "settings": stable},
            "model": config.model,
            "kwargs": writer.extra_provenance.get("model_kwargs", {}),
            "time_expansion": config.time_expansion,
        }
    )


def _task_count_hint(todo: list[Job], config: BatchConfig) -> int:
    """At least how many tasks there will be (recordings, or more when split)."""
    if config.segment_seconds <= 0:
        return len(todo)
    return sum(max(1, int(j.info.duration // config.segment_seconds)) for j in todo)


def _span_seconds(
    info: RecordingInfo, settings: RunSettings, time_expansion: float
) -> float:
    duration = info.duration / float(time_expansion or 1.0)
    end = duration if settings.end is None else min(settings.end, duration)
    return max(0.0, end - min(settings.start, duration))
