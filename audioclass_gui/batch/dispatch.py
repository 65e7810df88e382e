"""Hand segment tasks to an executor, gather them, and finish each recording.

A recording is finished when all its segments have returned: their
predictions are joined in order, its files are written (each atomically)
and the journal records it. A worker process that dies breaks a process
pool: the pool is replaced and the lost tasks are submitted again (a
recording whose task kills its worker :data:`MAX_ATTEMPTS` times is
reported as a problem). Dask reschedules lost tasks itself.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from soundevent import data

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import to_recording
from audioclass_gui.batch.events import BatchEvents, BatchReport, Finished
from audioclass_gui.batch.executors import TaskExecutor
from audioclass_gui.batch.journal import Journal
from audioclass_gui.batch.outputs import OutputWriter
from audioclass_gui.batch.plan import Job, Segment, split_span
from audioclass_gui.batch.work import ModelSpec, SegmentResult, SegmentTask
from audioclass_gui.models import ClipClassificationModel
from audioclass_gui.models.settings import RunSettings

__all__ = ["MAX_ATTEMPTS", "Dispatch", "dispatch"]

#: How often a segment is tried when its worker process dies.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Dispatch:
    """What :func:`dispatch` needs besides the jobs.

    Attributes
    ----------
    spec, model
        How workers build the model, and the coordinator's instance (for
        the window length and whether it carries state between windows).
    settings
        The run's settings (as the workers get them).
    executor
        Where tasks run.
    writer, journal, fingerprint
        How a finished recording is written and recorded.
    segment_seconds, time_expansion, cancel
        See :class:`~audioclass_gui.batch.runner.BatchConfig`.
    """

    spec: ModelSpec
    model: ClipClassificationModel
    settings: RunSettings
    executor: TaskExecutor
    writer: OutputWriter
    journal: Journal
    fingerprint: str
    segment_seconds: float = 300.0
    time_expansion: float = 1.0
    cancel: threading.Event | None = None


@dataclass
class _JobState:
    job: Job
    recording: data.Recording
    segments: list[Segment]
    results: dict[int, SegmentResult] = field(default_factory=dict)
    advanced: float = 0.0
    failed: bool = False


def _stateless(model: ClipClassificationModel) -> bool:
    # A model that overrides reset() carries state from window to window
    # (a running noise floor...): splitting a recording would change results.
    return type(model).reset is ClipClassificationModel.reset


def _segments(job: Job, d: Dispatch, split: bool) -> list[Segment]:
    settings = d.settings
    if not split:
        return [Segment(0, 1, settings.start, settings.end, None)]
    return split_span(
        job.info.duration / float(d.time_expansion or 1.0),
        start=settings.start,
        end=settings.end,
        frame_seconds=d.model.frame_seconds,
        overlap=settings.overlap_seconds,
        segment_seconds=d.segment_seconds,
    )


def dispatch(
    todo: list[Job], d: Dispatch, report: BatchReport, events: BatchEvents
) -> None:
    """Run every job of ``todo``; finished ones and problems go to ``report``.

    Segments are submitted in order, at most two per worker at a time, so
    that recordings finish one after the other and little is held in
    memory. A recording whose task fails (unreadable audio, a model
    error) is reported and the others go on. When ``d.cancel`` is set,
    it returns at its next look (at most a quarter of a second) with
    ``report.cancelled`` set, leaving the running tasks to the caller
    (``executor.close(cancel=True)``); their results, partial, are never
    written.
    """
    executor = d.executor
    split = executor.splits_recordings and _stateless(d.model) and d.segment_seconds > 0
    pending: list[tuple[_JobState, Segment]] = []
    states: dict[str, _JobState] = {}
    for job in todo:
        recording = to_recording(job.info, time_expansion=d.time_expansion)
        state = _JobState(
            job=job, recording=recording, segments=_segments(job, d, split)
        )
        states[job.key] = state
        pending.extend((state, seg) for seg in state.segments)
    pending.reverse()  # pop() from the end takes them in order

    window = max(2, 2 * executor.workers)
    running: dict[cf.Future[SegmentResult], tuple[_JobState, Segment, int]] = {}

    def submit(state: _JobState, seg: Segment, attempt: int) -> None:
        task = SegmentTask(
            key=state.job.key,
            recording=state.recording,
            settings=d.settings,
            segment=seg,
        )
        running[executor.submit(d.spec, task)] = (state, seg, attempt)

    def fail(state: _JobState, message: str) -> None:
        if not state.failed:
            state.failed = True
            report.problems.append(message)
            events.problem(message)

    while pending or running:
        if d.cancel is not None and d.cancel.is_set():
            report.cancelled = True
            return
        while pending and len(running) < window:
            state, seg = pending.pop()
            if not state.failed:
                submit(state, seg, 1)
        if not running:
            continue
        done, _ = cf.wait(list(running), timeout=0.25, return_when=cf.FIRST_COMPLETED)
        for key, seconds in executor.progress():
            state = states.get(key)
            if state is not None and not state.failed:
                state.advanced += seconds
                events.advanced(seconds, state.job)
        broken: list[tuple[_JobState, Segment, int]] = []
        for future in done:
            state, seg, attempt = running.pop(future)
            if state.failed:
                continue
            try:
                result = future.result()
            except BrokenProcessPool:
                broken.append((state, seg, attempt))
                continue
            except AudioFileError as exc:
                fail(state, str(exc))
                continue
            except Exception as exc:  # the batch goes on with the other recordings
                fail(
                    state,
                    f"{state.job.path}: {d.model.name} failed: {type(exc).__name__}: {exc}",
                )
                continue
            state.results[seg.index] = result
            if len(state.results) == len(state.segments):
                _finish(state, d, report, events)
                states.pop(state.job.key, None)
        if broken:
            # A worker process died: every task of the pool is lost. Start
            # a new pool and resubmit them (the culprit gets MAX_ATTEMPTS).
            broken += [running.pop(f) for f in list(running)]
            executor.restart()
            for state, seg, attempt in broken:
                if state.failed:
                    continue
                if attempt >= MAX_ATTEMPTS:
                    fail(
                        state,
                        f"{state.job.path}: a worker process crashed {attempt} times on it",
                    )
                else:
                    submit(state, seg, attempt + 1)


def _finish(
    state: _JobState, d: Dispatch, report: BatchReport, events: BatchEvents
) -> None:
    job = state.job
    predictions: list[data.ClipPrediction] = []
    seconds = 0.0
    for index in range(len(state.segments)):
        result = state.results[index]
        predictions.extend(result.predictions)
        seconds += result.seconds
    # One Recording object for all clips (results from processes are copies).
    for prediction in predictions:
        prediction.clip.recording = state.recording
    provenance = d.settings.to_provenance(d.model, state.recording)
    provenance["recording"] = str(job.path)
    try:
        detections = d.writer.write(job, predictions, provenance)
    except OSError as exc:
        message = f"{job.outputs.predictions}: cannot write the results of {job.path} ({exc.strerror or exc})"
        report.problems.append(message)
        events.problem(message)
        return
    d.journal.record(
        job,
        d.fingerprint,
        clips=len(predictions),
        detections=detections,
        seconds=round(seconds, 3),
    )
    if state.advanced < seconds:
        events.advanced(seconds - state.advanced, job)
    result = Finished(
        job=job, clips=len(predictions), detections=detections, seconds=seconds
    )
    report.finished.append(result)
    report.seconds += seconds
    events.finished(result)
