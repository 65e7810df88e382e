"""Builds a recording's waveform envelope and cuts slices of it, off the GUI thread.

The :class:`WaveformLoader` first looks for the envelope in the disk cache
(:mod:`audioclass_gui.spectrogram.envelope_cache`); when it is absent or
stale it builds it in steps of a quarter of a second in the window's
:class:`~audioclass_gui.qt.common.tasks.TaskRunner` pool, each step only
while the loader is active (its view is shown) and, when a ``busy`` test
is given, once the spectrogram's tiles are done, so the picture on screen
never waits for it. Slices (what a view of some span and width draws) and
the cache lookup run in a thread of the loader's own, one at a time, the
newest wish replacing older ones: from a built envelope a slice takes a
millisecond, and it never queues behind the spectrogram's tiles or
overview. After every step a slice that had unknown columns is asked
again, so the view fills in as the file is read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.qt.common.tasks import TaskRunner

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo
    from audioclass_gui.spectrogram.envelope import Envelope
    from audioclass_gui.spectrogram.envelope_cache import (
        CachedBuild,
    )
    from audioclass_gui.spectrogram.waveform import WaveformSlice

__all__ = ["STEP_SECONDS", "SliceWish", "WaveformLoader"]

#: Most seconds one build step takes (tiles asked for meanwhile wait little).
STEP_SECONDS = 0.25
#: Milliseconds to wait before the next step while ``busy()`` says so.
_BUSY_RETRY_MS = 40


@dataclass(frozen=True, slots=True)
class SliceWish:
    """A view's wish: ``[start, end]`` file seconds over ``columns`` columns of ``channel``."""

    start: float
    end: float
    columns: int
    channel: int | None


def _discard(build: CachedBuild | None) -> None:
    """Remove an unfinished build's files in a thread of their own.

    Not in the pool: while the window closes, the pool drops what has not
    started.
    """
    if build is not None and not build.complete:
        threading.Thread(target=build.discard, name="acg-waveform-discard").start()


class WaveformLoader(QObject):
    """The envelope of the open recording and the slices a view asks for.

    Parameters
    ----------
    runner
        The pool to run in.
    busy
        Says whether more urgent work waits (the spectrogram's tiles); build
        steps wait while it does.
    parent
        Qt parent.

    Signals
    -------
    slice_ready(object)
        A :class:`~audioclass_gui.spectrogram.waveform.WaveformSlice` for the
        latest wish of the current recording (or an earlier one, shown until
        the latest arrives).
    progress(float)
        Fraction of the file summarised (1.0 once complete, also from the cache).
    failed(str)
        Reading failed (once per recording): the message names the file.
    """

    slice_ready = Signal(object)
    progress = Signal(float)
    failed = Signal(str)

    def __init__(
        self,
        runner: TaskRunner,
        *,
        busy: Callable[[], bool] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._slicer = TaskRunner(max_workers=1, parent=self)
        self._busy = busy
        self.info: RecordingInfo | None = None
        self.envelope: Envelope | None = None
        self.generation = 0
        self.active = False
        self._build: CachedBuild | None = None
        self._looked_up = False  # the cache was asked (or is being asked)
        self._working = False  # a lookup, a start or a step is in the pool
        self._wish: SliceWish | None = None
        self._slicing = False
        # The last wish sliced, whether all of it was known, and from what envelope.
        self._sliced: tuple[SliceWish, bool, tuple[int, int]] | None = None
        self._failed = False
        self.steps = 0  # build steps run (for tests and benchmarks)

    # ------------------------------------------------------------------ API
    def reset(self, info: RecordingInfo | None) -> None:
        """Forget the previous recording (its build stops) and start on ``info``."""
        self.generation += 1
        build, self._build = self._build, None
        _discard(build)
        self.info, self.envelope = info, None
        self._looked_up = self._working = self._slicing = self._failed = False
        self._wish = self._sliced = None
        self._advance()

    def set_active(self, active: bool) -> None:
        """Work only while active (the view is shown)."""
        self.active = active
        self._advance()
        self._pump_slice()

    def request(self, wish: SliceWish) -> None:
        """Want this slice (replaces an earlier wish)."""
        self._wish = wish
        self._pump_slice()

    def close(self) -> None:
        """Stop: no more steps or slices (the window is closing)."""
        self.reset(None)
        self._slicer.shutdown()

    @property
    def complete(self) -> bool:
        """Whether the envelope covers the whole recording."""
        return self.envelope is not None and self.envelope.complete

    # ------------------------------------------------------------- building
    def _advance(self) -> None:
        info, gen = self.info, self.generation
        if info is None or not self.active or self._working or self._failed or self.complete:
            return
        from audioclass_gui.spectrogram.envelope_cache import load_envelope, start_build

        if not self._looked_up:
            self._looked_up = True
            self._submit(lambda: load_envelope(info), self._on_cached, self._slicer)
        elif self._build is None:

            def start() -> CachedBuild | None:
                build = start_build(info)
                if gen != self.generation:  # another recording, or the window closed, meanwhile
                    build.discard()
                    return None
                return build

            self._submit(start, self._on_started)
        elif self._busy is not None and self._busy():
            QTimer.singleShot(_BUSY_RETRY_MS, self, lambda: gen == self.generation and self._advance())
        else:
            build = self._build
            self._submit(lambda: build.step(max_seconds=STEP_SECONDS), self._on_step)

    def _submit(
        self,
        work: Callable[[], object],
        done: Callable[[object], None],
        runner: TaskRunner | None = None,
    ) -> None:
        gen = self.generation
        future = (runner or self._runner).submit(
            work,
            lambda result: self._deliver(gen, done, result),
            lambda exc: self._on_error(gen, exc),
        )
        self._working = future is not None

    def _deliver(self, generation: int, done: Callable[[object], None], result: object) -> None:
        from audioclass_gui.spectrogram.envelope_cache import CachedBuild

        if generation != self.generation:
            if isinstance(result, CachedBuild):
                _discard(result)
            return
        self._working = False
        done(result)
        self._advance()

    def _on_cached(self, envelope: Envelope | None) -> None:
        if envelope is not None:
            self._set_envelope(envelope)

    def _on_started(self, build: CachedBuild) -> None:
        self._build = build
        self._set_envelope(build.envelope)

    def _on_step(self, _complete: bool) -> None:
        self.steps += 1
        self._set_envelope(self._build.envelope)

    def _set_envelope(self, envelope: Envelope) -> None:
        self.envelope = envelope
        frames = max(1, envelope.info.frames)
        self.progress.emit(min(1.0, envelope.done_frames / frames))
        self._pump_slice()  # a slice with unknown columns is asked again: more is known now

    def _envelope_state(self) -> tuple[int, int]:
        """Which envelope, and how much of it, a slice is cut from."""
        envelope = self.envelope
        return (0, 0) if envelope is None else (id(envelope), envelope.done_frames)

    # --------------------------------------------------------------- slices
    def _pump_slice(self) -> None:
        info, wish = self.info, self._wish
        if info is None or wish is None or self._slicing or not self.active:
            return
        from audioclass_gui.spectrogram.waveform import waveform_slice

        state = self._envelope_state()
        done = self._sliced
        if done is not None and done[0] == wish and (done[1] or done[2] == state):
            return
        envelope, gen = self.envelope, self.generation
        self._slicing = True

        def work() -> WaveformSlice:
            return waveform_slice(
                info, wish.start, wish.end, wish.columns, channel=wish.channel, envelope=envelope
            )

        future = self._slicer.submit(
            work,
            lambda result: self._on_slice(gen, wish, state, result),
            lambda exc: self._on_slice_error(gen, exc),
        )
        if future is None:
            self._slicing = False

    def _on_slice(
        self, generation: int, wish: SliceWish, state: tuple[int, int], result: WaveformSlice
    ) -> None:
        if generation != self.generation:
            return
        self._slicing = False
        self._sliced = (wish, result.known, state)
        self.slice_ready.emit(result)
        self._pump_slice()

    def _on_slice_error(self, generation: int, exc: BaseException) -> None:
        if generation != self.generation:
            return
        self._slicing = False
        self._report(exc)

    def _on_error(self, generation: int, exc: BaseException) -> None:
        if generation != self.generation:
            return
        self._working = False
        self._report(exc)

    def _report(self, exc: BaseException) -> None:
        if self._failed:
            return
        self._failed = True
        if isinstance(exc, AudioFileError):
            self.failed.emit(str(exc))
        else:
            path = self.info.path if self.info is not None else "recording"
            self.failed.emit(f"{path}: the waveform could not be computed ({exc})")
