"""Where segment tasks run: threads, worker processes, or a dask cluster.

All three look the same to the runner: ``submit(spec, task)`` returns a
``concurrent.futures.Future`` of a
:class:`~audioclass_gui.batch.work.SegmentResult`, and ``progress()`` drains
the seconds of audio done since the last call.

Threads versus processes, measured on the 2-core build machine (BirdNET
v2.4 FP32 on LiteRT with XNNPACK, 48 kHz audio; ``benchmarks/inference.py``
and ``benchmarks/batch_executors.py``, best of 4, waiting for idle CPUs):

Bare interpreters (no decoding, no I/O), seconds of audio per second::

    1 interpreter, 1 thread                         ~142
    1 interpreter, 2 threads                        ~140-170
    2 interpreters of 1 thread, in 2 threads        ~260
    2 interpreters of 1 thread, in 2 processes      ~265-280

End to end (``run_batch``: decoding, model, writing the results)::

                                                one 10-min file   8 x 75 s
    threads x2, 1-thread models (default)             215            214
    processes x2, 1-thread models                     182            181
    threads x2, long files not split                  125             -
    1 worker, one 2-thread model                      147            149

LiteRT releases the GIL while it runs the network (a spinning Python
thread keeps its full speed beside an invoking one), so two one-thread
interpreters in two threads scale like two processes, while XNNPACK's own
threading gains little on this network. What is left in Python (decoding,
building soundevent objects, writing) is small; threads start at once and
share one copy of everything, where each spawned process pays ~2 s to
import the stack and load its model, and sends its results back pickled.
Hence the default: one thread per core, each with a one-thread model, and
long recordings split into segments so that one file keeps every core
busy. Processes remain available (``executor="processes"``) for models
that hold the GIL.

Memory: each BirdNET interpreter holds ~150 MB once it has run one window
per call, ~320 MB at eight windows per call (XNNPACK's packed weights and
the activations), for ~6 % more speed per core. Batch runs whose workers
have one-thread models therefore call them one window at a time (see
``runner.SINGLE_THREAD_BATCH``), and the workers' models are built one
after the other before any runs (building one takes ~150 MB for a moment).
Peak RSS of ``predict`` with two workers: ~350 MB on a 1-hour file and
~360 MB on a 4-hour one (~730 MB with batches of 8 and parallel builds).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import queue
import threading
from typing import Any, Protocol

from audioclass_gui.batch.work import ModelSpec, SegmentResult, SegmentTask, run_segment

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "ProcessExecutor",
    "TaskExecutor",
    "ThreadExecutor",
    "cpu_count",
    "make_executor",
]

#: Names accepted by :func:`make_executor`.
EXECUTORS = ("threads", "processes", "dask")


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class TaskExecutor(Protocol):
    """What the runner needs from an executor."""

    kind: str
    workers: int
    #: Whether the executor may split a recording into segments (False for dask: one task per recording).
    splits_recordings: bool
    #: Whether progress() reports seconds within tasks (else only whole tasks count).
    reports_progress: bool

    def submit(
        self, spec: ModelSpec, task: SegmentTask
    ) -> cf.Future[SegmentResult]: ...

    def progress(self) -> list[tuple[str, float]]: ...

    def restart(self) -> None: ...

    def close(self, *, cancel: bool = False) -> None: ...


def _drain(q: Any) -> list[tuple[str, float]]:
    out = []
    while True:
        try:
            out.append(q.get_nowait())
        except (queue.Empty, OSError, ValueError, EOFError):
            return out


class ThreadExecutor:
    """Segment tasks on threads of this process (the default).

    Parameters
    ----------
    workers
        Number of threads, each with its own model.
    """

    kind = "threads"
    splits_recordings = True
    reports_progress = True

    def __init__(self, workers: int) -> None:
        self.workers = max(1, int(workers))
        self._queue: queue.SimpleQueue[tuple[str, float]] = queue.SimpleQueue()
        self._cancel = threading.Event()
        self._pool = cf.ThreadPoolExecutor(
            self.workers, thread_name_prefix="acg-predict"
        )

    def _report(self, key: str, seconds: float) -> None:
        self._queue.put((key, seconds))

    def submit(self, spec: ModelSpec, task: SegmentTask) -> cf.Future[SegmentResult]:
        return self._pool.submit(run_segment, spec, task, self._report, self._cancel)

    def progress(self) -> list[tuple[str, float]]:
        return _drain(self._queue)

    def restart(self) -> None:
        """Threads do not break; nothing to do."""

    def close(self, *, cancel: bool = False) -> None:
        if cancel:
            self._cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=cancel)


_process_queue: Any = None


def _init_process(progress_queue: Any) -> None:
    global _process_queue
    _process_queue = progress_queue


def _report_from_process(key: str, seconds: float) -> None:
    if _process_queue is not None:
        _process_queue.put((key, seconds))


def _run_in_process(spec: ModelSpec, task: SegmentTask) -> SegmentResult:
    return run_segment(spec, task, _report_from_process)


class ProcessExecutor:
    """Segment tasks in worker processes (started with ``spawn``).

    A worker that dies breaks the pool; :meth:`restart` makes a new one and
    the runner submits the unfinished tasks again.
    """

    kind = "processes"
    splits_recordings = True
    reports_progress = True

    def __init__(self, workers: int) -> None:
        self.workers = max(1, int(workers))
        self._context = multiprocessing.get_context("spawn")
        self._queue = self._context.Queue()
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            self.workers,
            mp_context=self._context,
            initializer=_init_process,
            initargs=(self._queue,),
        )

    def submit(self, spec: ModelSpec, task: SegmentTask) -> cf.Future[SegmentResult]:
        return self._pool.submit(_run_in_process, spec, task)

    def progress(self) -> list[tuple[str, float]]:
        return _drain(self._queue)

    def restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def close(self, *, cancel: bool = False) -> None:
        if cancel:
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=cancel)
        self._queue.close()


class DaskExecutor:
    """One task per recording on a dask.distributed cluster.

    Parameters
    ----------
    address
        A scheduler address (``tcp://host:8786``), ``"local"`` to start a
        ``LocalCluster`` of ``workers`` single-threaded worker processes,
        or an existing ``distributed.Client``.
    workers
        Worker processes of a local cluster (default: one per core).
    retries
        How often a task that raised is tried again. A task whose worker
        dies is rescheduled by the scheduler anyway (up to its
        ``distributed.scheduler.allowed-failures``, 3 by default).

    Notes
    -----
    Workers must see the recordings at the same paths as this machine
    (a shared file system), and have audioclass-gui and the model
    installed. Outputs are written here, by the client.
    """

    kind = "dask"
    splits_recordings = False
    reports_progress = False

    def __init__(
        self, address: Any, *, workers: int | None = None, retries: int = 2
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "--cluster needs dask.distributed: pip install 'audioclass-gui[cluster]'"
            ) from None
        self._cluster = None
        self._own_client = True
        if isinstance(address, Client):
            self._client = address
            self._own_client = False
        elif address == "local":
            n = workers or cpu_count()
            self._cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
        else:
            self._client = Client(address)
        info = self._client.scheduler_info()
        self.workers = max(
            1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())
        )
        self._executor = self._client.get_executor(pure=False, retries=int(retries))

    @property
    def client(self) -> Any:
        """The ``distributed.Client``."""
        return self._client

    def submit(self, spec: ModelSpec, task: SegmentTask) -> cf.Future[SegmentResult]:
        return self._executor.submit(run_segment, spec, task)

    def progress(self) -> list[tuple[str, float]]:
        return []

    def restart(self) -> None:
        """The scheduler reschedules lost tasks itself."""

    def close(self, *, cancel: bool = False) -> None:
        if self._own_client:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(
    kind: str = "threads", *, workers: int | None = None, cluster: Any = None
) -> TaskExecutor:
    """Create an executor.

    Parameters
    ----------
    kind
        ``"threads"``, ``"processes"`` or ``"dask"`` (see :data:`EXECUTORS`);
        ``cluster`` given implies ``"dask"``.
    workers
        Threads or processes (default: one per core), or the size of a
        local dask cluster.
    cluster
        For dask: a scheduler address, ``"local"``, or a ``Client``.
    """
    if cluster is not None:
        kind = "dask"
    if kind == "threads":
        return ThreadExecutor(workers or cpu_count())
    if kind == "processes":
        return ProcessExecutor(workers or cpu_count())
    if kind == "dask":
        return DaskExecutor(
            cluster if cluster is not None else "local", workers=workers
        )
    raise ValueError(f"unknown executor {kind!r}; use one of {', '.join(EXECUTORS)}")
