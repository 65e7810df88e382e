"""Raven's measurements of the open recording's boxes and of the time selection.

:class:`SelectionMeasurements` keeps, for the recording shown, one
:class:`MeasuredSelection` per drawn box or time interval and one for the
time range selected on the spectrogram (Shift+drag), with its measurements
(:mod:`audioclass_gui.spectrogram.measurements`) made with the window's
spectrogram settings. Measuring reads audio and computes FFTs, so it runs in
the app's tasks (the window's thread pool), one task for all the selections
not measured yet; results are kept by span, band and settings, so moving one
box measures that box again and no other. A newer request makes an older
task stop at its next block (a long time selection) and its result is
dropped; a selection longer than :data:`MAX_SECONDS` is not measured here
(Raven exports measure boxes of any length).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from psygnal import Signal

if TYPE_CHECKING:
    from audioclass_gui.app.model import AppModel
    from audioclass_gui.audio.info import RecordingInfo
    from audioclass_gui.review import ReviewSession
    from audioclass_gui.spectrogram.measurements import Measurements
    from audioclass_gui.spectrogram.params import SpectrogramParams

__all__ = ["MAX_SECONDS", "SELECTION_KEY", "MeasuredSelection", "SelectionMeasurements"]

#: Key of the time selection's row (boxes are keyed by their id).
SELECTION_KEY = "selection"
# Results kept, by span and settings; more than this and the oldest half goes.
_CACHE_SIZE = 4096
#: Longest selection measured in the window (seconds): a longer one would hold a
#: worker of the thread pool the spectrogram tiles need for a minute or more.
MAX_SECONDS = 600.0


@dataclass(frozen=True)
class MeasuredSelection:
    """One selection of the open recording and what was measured on it.

    Attributes
    ----------
    key
        The box id, or :data:`SELECTION_KEY` for the time selection.
    kind
        ``"box"``, ``"interval"`` (a box over the whole band) or ``"selection"``.
    species
        The box's species (scientific name), "" for none.
    start, end, low, high
        The span in seconds and the band in Hz (None: the whole band).
    result
        The measurements, None while they are being made or when they
        cannot be.
    problem
        Why there are none ("" when there are, or while measuring), or what
        to know about them (a span cut at the end of the recording).
    """

    key: str
    kind: str
    species: str
    start: float
    end: float
    low: float | None
    high: float | None
    result: Measurements | None = None
    problem: str = ""

    @property
    def pending(self) -> bool:
        """True while the measurements are being made."""
        return self.result is None and not self.problem


class SelectionMeasurements:
    """Measurements of the open recording's boxes and time selection.

    Parameters
    ----------
    app
        The app model: its document (recording, session) and tasks.

    Signals
    -------
    changed(object)
        The rows (list of :class:`MeasuredSelection`): the time selection
        first, then the boxes in drawing order; sent when the list changes
        and when measurements arrive.
    """

    changed = Signal(object)

    def __init__(self, app: AppModel) -> None:
        self._app = app
        self.rows: list[MeasuredSelection] = []
        self._params: SpectrogramParams | None = None
        self._span: tuple[float, float] | None = None
        self._session: ReviewSession | None = None
        self._cache: dict[tuple, Measurements | str] = {}
        self._generation = 0
        app.document.events.info.connect(lambda _info: self.refresh())
        app.document.events.session.connect(self._on_session)

    # ------------------------------------------------------------ intents
    @property
    def params(self) -> SpectrogramParams:
        """The spectrogram settings measured with (the window's)."""
        if self._params is None:
            from audioclass_gui.spectrogram.params import SpectrogramParams

            self._params = SpectrogramParams()
        return self._params

    def set_params(self, params: SpectrogramParams) -> None:
        """Measure with these settings from now on (the view's, when they change)."""
        if params != self._params:
            self._params = params
            self.refresh()

    def set_selection(self, span: tuple[float, float] | None) -> None:
        """The time range selected on the spectrogram (None: none)."""
        span = None if span is None or not span[1] > span[0] else (float(span[0]), float(span[1]))
        if span != self._span:
            self._span = span
            self.refresh()

    def refresh(self) -> None:
        """List the selections of the open recording and measure those not measured yet."""
        info = self._app.document.info
        wanted = self._wanted(info)
        params = self.params
        missing: list[MeasuredSelection] = []
        rows = []
        for row in wanted:
            known = self._cache.get(self._key(info, row, params))
            if row.end - row.start > MAX_SECONDS:
                known = f"longer than {MAX_SECONDS / 60:g} minutes: too long to measure in the window"
            if known is None:
                missing.append(row)
                rows.append(row)
            elif isinstance(known, str):
                rows.append(replace(row, problem=known))
            else:
                rows.append(replace(row, result=known, problem=known.note))
        self._generation += 1
        self.rows = rows
        self.changed.emit(rows)
        if missing and info is not None:
            self._submit(info, params, missing, self._generation)

    # ----------------------------------------------------------- internal
    def _on_session(self, session: ReviewSession | None) -> None:
        if self._session is not None:
            self._session.boxes_changed.disconnect(self._on_boxes)
        self._session = session
        if session is not None:
            session.boxes_changed.connect(self._on_boxes)
        self.refresh()

    def _on_boxes(self, _ids: object) -> None:
        self.refresh()

    def _wanted(self, info: RecordingInfo | None) -> list[MeasuredSelection]:
        if info is None:
            return []
        rows = []
        if self._span is not None:
            rows.append(MeasuredSelection(SELECTION_KEY, "selection", "", *self._span, None, None))
        session = self._app.document.session
        for box in session.boxes(Path(info.path).absolute()) if session is not None else ():
            rows.append(
                MeasuredSelection(
                    box.id,
                    "interval" if box.is_interval else "box",
                    box.scientific_name,
                    box.start,
                    box.end,
                    box.low_freq,
                    box.high_freq,
                )
            )
        return rows

    @staticmethod
    def _key(info: RecordingInfo | None, row: MeasuredSelection, params: SpectrogramParams) -> tuple:
        path = None if info is None else str(info.path)
        return (path, row.start, row.end, row.low, row.high, params)

    def _submit(
        self,
        info: RecordingInfo,
        params: SpectrogramParams,
        rows: list[MeasuredSelection],
        generation: int,
    ) -> None:
        spans = [(r.start, r.end, r.low, r.high) for r in rows]

        def stale() -> bool:
            return generation != self._generation

        def work() -> list[Measurements | str]:
            from audioclass_gui.audio.errors import AudioFileError
            from audioclass_gui.spectrogram.measurements import measure_many

            try:
                return [
                    r if not isinstance(r, ValueError) else str(r)
                    for r in measure_many(info, spans, params, should_stop=stale)
                ]
            except AudioFileError as exc:
                return [str(exc)] * len(spans)

        arrived = self._arrived(info, params, rows)
        self._app.tasks.submit(work, arrived, self._failed(generation, arrived, len(rows)))

    def _arrived(
        self, info: RecordingInfo, params: SpectrogramParams, rows: list[MeasuredSelection]
    ) -> Callable[[list], None]:
        def done(results: list) -> None:
            if len(self._cache) > _CACHE_SIZE:
                for key in list(self._cache)[: _CACHE_SIZE // 2]:
                    del self._cache[key]
            for row, result in zip(rows, results, strict=True):
                self._cache[self._key(info, row, params)] = result
            if info == self._app.document.info and params == self._params:
                self.refresh()  # from the cache now: nothing is measured again

        return done

    def _failed(
        self, generation: int, arrived: Callable[[list], None], n: int
    ) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            if isinstance(exc, InterruptedError) or generation != self._generation:
                return  # a newer request took over (and measures again)
            arrived([f"cannot be measured: {exc}"] * n)

        return failed
