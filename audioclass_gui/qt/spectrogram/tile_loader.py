"""Computes spectrogram tiles and the overview in the background, newest first.

The :class:`TileLoader` keeps a queue of wanted tiles (visible first, then
neighbours to prefetch), runs at most ``max_in_flight`` of them at a time in
the window's :class:`~audioclass_gui.qt.common.tasks.TaskRunner` pool, and keeps
results in a byte-bounded LRU cache. Each new recording or new settings
starts a generation: queued tiles of the old one are forgotten, results of
the old one that arrive later are neither cached nor shown. The whole-file
overview is computed in steps of a few hundred columns, each run only when
no tile is waiting, so it fills in while the user looks around without
delaying what is on screen.
"""

from __future__ import annotations

import ctypes
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.qt.common.tasks import TaskRunner
from audioclass_gui.spectrogram import SpectrogramParams, TileCache, TileSpec, grid_key

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo
    from audioclass_gui.spectrogram import (
        OverviewBuilder,
        SpectrogramTile,
    )

__all__ = ["CACHE_BYTES", "OVERVIEW_STEP", "TileLoader"]

#: Tiles kept in memory, in bytes (64 tiles of 1024-point FFTs: about seven
#: pages at the default zoom, enough to page back and forth without waiting).
CACHE_BYTES = 64 * 1024**2
#: Most overview columns computed per background step...
OVERVIEW_STEP = 4096
#: ...and most seconds a step takes (so tiles asked for meanwhile wait little).
OVERVIEW_STEP_SECONDS = 0.25


def _return_freed_memory_to_the_system() -> None:
    """Keep freed tiles from piling up in the C heap (glibc only).

    Tiles are arrays of about a megabyte, allocated in worker threads and
    freed in the GUI thread when evicted. After the first such free glibc
    raises its mmap threshold, and from then on serves them from per-thread
    heaps that seldom shrink, so the process grows well past the cache's
    bound while scrolling. A fixed threshold keeps them mmapped: each freed
    tile goes back to the system at once.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 256 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def _overview_params(params: SpectrogramParams) -> SpectrogramParams:
    """The settings the overview depends on (window type, band, channel)."""
    from audioclass_gui.spectrogram import OVERVIEW_WINDOW

    return replace(
        params,
        window_length=min(params.window_length, OVERVIEW_WINDOW),
        overlap=0.5,
        pcen=False,
        db_range=SpectrogramParams().db_range,
    )


class TileLoader(QObject):
    """Background tiles and overview for one view.

    Parameters
    ----------
    runner
        The pool to run in.
    cache_bytes
        Bound of the tile cache.
    max_in_flight
        Tiles computed at once.
    parent
        Qt parent.

    Signals
    -------
    tile_ready(object, object)
        ``(TileSpec, SpectrogramTile)`` of the current generation.
    overview_updated(object, bool)
        The overview so far (a tile in file seconds) and whether it is complete.
    failed(str)
        A read failed (once per generation): the message names the file.
    problem(str)
        Something worth telling that still leaves a picture (once per recording).
    """

    tile_ready = Signal(object, object)
    overview_updated = Signal(object, bool)
    failed = Signal(str)
    problem = Signal(str)

    def __init__(
        self,
        runner: TaskRunner,
        *,
        cache_bytes: int = CACHE_BYTES,
        max_in_flight: int = 2,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        _return_freed_memory_to_the_system()
        self._runner = runner
        self.cache: TileCache[SpectrogramTile] = TileCache(cache_bytes)
        self.max_in_flight = max_in_flight
        self.info: RecordingInfo | None = None
        self.params = SpectrogramParams()
        self.generation = 0
        self.overview: OverviewBuilder | None = None
        self._queue: list[TileSpec] = []  # visible tiles first, then prefetch
        self._visible: set[TileSpec] = set()
        # (generation, spec): a tile of an older generation may still be computing
        # while the same spec is wanted again for the new settings.
        self._in_flight: set[tuple[int, TileSpec]] = set()
        self._failed: set[TileSpec] = set()
        self._overview_running = False
        self._overview_allowed = False
        self._reported_failure = False
        self._reported_nonfinite = False
        self.computed = (
            0  # tiles computed since construction (for tests and benchmarks)
        )

    # ------------------------------------------------------------------ API
    def reset(self, info: RecordingInfo | None, params: SpectrogramParams) -> int:
        """Start a new generation for this recording and these settings.

        Tiles cached for the same recording and settings are kept; all others
        are dropped. The overview is restarted unless the settings it
        depends on are unchanged.

        Returns
        -------
        int
            The new generation.
        """
        from audioclass_gui.spectrogram import OVERVIEW_COLUMNS, OverviewBuilder

        new_recording = info is not self.info
        keep_overview = (
            not new_recording
            and self.overview is not None
            and _overview_params(params) == _overview_params(self.params)
        )
        if new_recording:
            self._reported_nonfinite = False
        self.info, self.params = info, params
        self.generation = self.cache.new_generation()
        path = None if info is None else grid_key(info.path, params, TileSpec(1, 0))[0]
        self.cache.retain(lambda key: key[0] == path and key[1] == params)
        self._queue.clear()
        self._failed.clear()
        self._reported_failure = False
        self._overview_allowed = False  # first what the view asks for
        if not keep_overview:
            self.overview = None
            if info is not None:
                self.overview = OverviewBuilder(
                    info.path,
                    _overview_params(params),
                    columns=OVERVIEW_COLUMNS,
                    info=info,
                )
        self._pump()
        return self.generation

    def cached(self, spec: TileSpec) -> SpectrogramTile | None:
        """The tile if it is in the cache for the current generation."""
        if self.info is None:
            return None
        return self.cache.get(grid_key(self.info.path, self.params, spec))

    def request(self, visible: list[TileSpec], prefetch: list[TileSpec] = ()) -> None:
        """Want these tiles, in this order (replaces the previous wishes)."""
        self._queue = [s for s in (*visible, *prefetch) if s not in self._failed]
        self._visible = set(visible)
        self._overview_allowed = True
        self._pump()

    @property
    def busy(self) -> bool:
        """Whether tiles or an overview step are being computed."""
        return bool(self._in_flight) or self._overview_running

    @property
    def pending(self) -> int:
        """Tiles waiting or being computed."""
        return len(self._queue) + len(self._in_flight)

    # ------------------------------------------------------------- internal
    def _pump(self) -> None:
        info = self.info
        if info is None:
            return
        while self._queue and len(self._in_flight) < self.max_in_flight:
            current = {s for g, s in self._in_flight if g == self.generation}
            spec = self._queue[0]
            if spec not in self._visible and self._visible & current:
                break  # prefetch only once what is on screen is done
            self._queue.pop(0)
            if spec in current or self.cached(spec) is not None:
                continue
            self._submit(spec)
        if not self._queue and not self._in_flight:
            self._step_overview()

    def _submit(self, spec: TileSpec) -> None:
        from audioclass_gui.spectrogram import compute_grid_tile

        info, params, gen, cache = self.info, self.params, self.generation, self.cache
        assert info is not None
        key = grid_key(info.path, params, spec)

        def work() -> SpectrogramTile:
            tile = compute_grid_tile(info.path, spec, params, info=info)
            cache.put(key, tile, generation=gen)
            return tile

        future = self._runner.submit(
            work,
            lambda tile: self._on_tile(gen, spec, tile),
            lambda exc: self._on_tile_error(gen, spec, exc),
        )
        if future is not None:
            self._in_flight.add((gen, spec))

    def _on_tile(self, generation: int, spec: TileSpec, tile: SpectrogramTile) -> None:
        self._in_flight.discard((generation, spec))
        if generation == self.generation:
            self.computed += 1
            self._check_nonfinite(tile)
            self.tile_ready.emit(spec, tile)
        self._pump()

    def _on_tile_error(
        self, generation: int, spec: TileSpec, exc: BaseException
    ) -> None:
        self._in_flight.discard((generation, spec))
        if generation == self.generation:
            self._failed.add(spec)
            self._report(exc)
        self._pump()

    def _step_overview(self) -> None:
        builder = self.overview
        if (
            builder is None
            or builder.complete
            or self._overview_running
            or self._reported_failure
            or not self._overview_allowed
        ):
            return
        gen = self.generation
        future = self._runner.submit(
            lambda: builder.step(OVERVIEW_STEP, max_seconds=OVERVIEW_STEP_SECONDS),
            lambda complete: self._on_overview(gen, builder, complete),
            lambda exc: self._on_overview_error(gen, exc),
        )
        self._overview_running = future is not None

    def _on_overview(
        self, generation: int, builder: OverviewBuilder, complete: bool
    ) -> None:
        self._overview_running = False
        if builder is not self.overview:
            self._pump()
            return
        tile = builder.tile()
        self._check_nonfinite(tile)
        self.overview_updated.emit(tile, complete)
        self._pump()

    def _on_overview_error(self, generation: int, exc: BaseException) -> None:
        self._overview_running = False
        if generation == self.generation:
            self._report(exc)

    def _report(self, exc: BaseException) -> None:
        if self._reported_failure:
            return
        self._reported_failure = True
        if isinstance(exc, AudioFileError):
            self.failed.emit(str(exc))
        else:
            path = self.info.path if self.info is not None else "recording"
            self.failed.emit(f"{path}: the spectrogram could not be computed ({exc})")

    def _check_nonfinite(self, tile: SpectrogramTile) -> None:
        if tile.nonfinite and not self._reported_nonfinite and self.info is not None:
            self._reported_nonfinite = True
            self.problem.emit(
                f"{self.info.path}: contains non-finite samples (NaN or infinity), "
                f"the first near {tile.start:.1f} s; they are shown and analysed as silence"
            )
