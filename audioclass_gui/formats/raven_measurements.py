"""Raven Pro's measurement columns in our Raven selection tables.

:func:`measure_rows` measures rows of a verdict table
(:class:`~audioclass_gui.formats.verdict_columns.VerdictRows`) with
:mod:`audioclass_gui.spectrogram.measurements` and puts the values in the
rows as extra cells named as Raven Pro names them
(:data:`MEASUREMENT_COLUMNS`). The Raven writer
(:class:`~audioclass_gui.formats.verdict_text.RavenLines`) asks
:func:`measurement_columns` whether rows carry them, and then writes those
columns after the verdict columns, empty in the rows not measured.

What is measured (:data:`MEASURE_CHOICES`):

- ``"boxes"``: the drawn boxes and time intervals (few; the default of
  ``audioclass-gui export`` and of the window);
- ``"accepted"``: those and every accepted detection (relabels included),
  over the band its row gives (0 Hz to the model's band). Each needs the
  spectrogram of its window: some hundred 3-s windows a second per core
  (``benchmarks/measurements.py``), so not by default: the tables of
  millions of detections are written at a million rows a second;
- ``"none"``: nothing (the tables keep the columns they had before).

A measured row whose recording cannot be read, or whose span lies past its
end, keeps empty measurement cells, and :func:`measure_rows` returns the
problem in words. Rows are measured recording by recording through one open
file each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.formats.selections import Selection, format_number
from audioclass_gui.formats.verdict_columns import VerdictRows
from audioclass_gui.review.detection import STATUS_ORDER, Status

if TYPE_CHECKING:
    from audioclass_gui.spectrogram.measurements import Measurements
    from audioclass_gui.spectrogram.params import SpectrogramParams

__all__ = [
    "MEASUREMENT_COLUMNS",
    "MEASURE_ACCEPTED",
    "MEASURE_BOXES",
    "MEASURE_CHOICES",
    "MEASURE_NONE",
    "MeasuredRows",
    "measure_rows",
    "measure_cells",
    "measurement_cells",
    "measurement_columns",
    "rows_to_measure",
    "with_measured",
]

#: Raven Pro's names of the measurements we write, in their order in the tables.
MEASUREMENT_COLUMNS = (
    "Delta Time (s)",
    "Delta Freq (Hz)",
    "Peak Freq (Hz)",
    "Peak Power Density (dB FS/Hz)",
    "Center Freq (Hz)",
    "Freq 5% (Hz)",
    "Freq 95% (Hz)",
    "BW 90% (Hz)",
    "Dur 90% (s)",
)
MEASURE_NONE = "none"
MEASURE_BOXES = "boxes"
MEASURE_ACCEPTED = "accepted"
#: What an export may measure, least first.
MEASURE_CHOICES = (MEASURE_NONE, MEASURE_BOXES, MEASURE_ACCEPTED)

_ACCEPTED = STATUS_ORDER.index(Status.ACCEPTED)
_SECONDS, _HZ, _DB = 6, 3, 2  # decimals (bins are often a fraction of a Hz apart: 31.25 Hz)


def measurement_cells(m: Measurements | None) -> tuple[tuple[str, str], ...]:
    """The measurement cells of one row, by column name ("" where there is no value).

    Times have up to six decimals, frequencies three and dB two, all with a decimal
    point (``3.0``), as Raven Pro writes them.
    """
    if m is None:
        return tuple((name, "") for name in MEASUREMENT_COLUMNS)
    values = (
        (m.delta_time, _SECONDS),
        (m.delta_freq, _HZ),
        (m.peak_freq, _HZ),
        (m.peak_power_density, _DB),
        (m.center_freq, _HZ),
        (m.freq_5, _HZ),
        (m.freq_95, _HZ),
        (m.bw_90, _HZ),
        (m.dur_90, _SECONDS),
    )
    return tuple(
        (name, format_number(v, d, point=True))
        for name, (v, d) in zip(MEASUREMENT_COLUMNS, values, strict=True)
    )


def measurement_columns(rows: VerdictRows) -> tuple[str, ...]:
    """:data:`MEASUREMENT_COLUMNS` when some row of ``rows`` was measured, else ``()``.

    Measured rows end with the measurement cells, so only the last cell of
    each row written one by one is looked at.
    """
    last = MEASUREMENT_COLUMNS[-1]
    for s in rows.slow:
        if s.extra and s.extra[-1][0] == last:
            return MEASUREMENT_COLUMNS
    return ()


@dataclass(frozen=True)
class MeasuredRows:
    """The rows with their measurements, and what could not be measured.

    Attributes
    ----------
    rows : VerdictRows
    measured : int
        Rows given measurement cells (including those left empty).
    problems : list of str
        Why rows were left empty, a line per recording or row.
    """

    rows: VerdictRows
    measured: int
    problems: list[str]


def rows_to_measure(rows: VerdictRows, what: str = MEASURE_BOXES) -> np.ndarray:
    """Positions (ascending) of the rows ``what`` asks to measure.

    Raises
    ------
    ValueError
        For an unknown ``what`` (see :data:`MEASURE_CHOICES`).
    """
    if what not in MEASURE_CHOICES:
        raise ValueError(f"measure {what!r}? choose from {', '.join(MEASURE_CHOICES)}")
    if what == MEASURE_NONE:
        return np.empty(0, np.int64)
    verdicts = [dict(s.extra).get("Verdict") for s in rows.slow]
    wanted = {"drawn"} if what == MEASURE_BOXES else {"drawn", Status.ACCEPTED.value}
    chosen = rows.slow_at[np.array([v in wanted for v in verdicts], bool)]
    if what == MEASURE_BOXES:
        return chosen.astype(np.int64)
    regular = np.setdiff1d(np.arange(len(rows), dtype=np.int64), rows.slow_at, assume_unique=True)
    if len(regular):
        regular = regular[rows.fields(regular)["status"] == _ACCEPTED]
    return np.union1d(chosen, regular).astype(np.int64)


def measure_cells(
    rows: VerdictRows,
    positions: np.ndarray,
    params: SpectrogramParams | None = None,
    *,
    progress: Callable[[int, int], object] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[dict[int, Selection], list[str]]:
    """Measure the rows at ``positions``: their selections with the measurement cells.

    Returns ``{position: selection}`` (every position, with empty cells where
    it could not be measured) and the problems in words. See
    :func:`measure_rows` for the parameters; :func:`with_measured` puts the
    selections in the rows.
    """
    positions = np.asarray(positions, np.int64)
    selections = rows.selections(positions)
    cells: dict[int, tuple[tuple[str, str], ...]] = {}
    problems: list[str] = []
    by_path: dict[str, list[int]] = {}
    for i, s in enumerate(selections):
        by_path.setdefault(s.path, []).append(i)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None and (done % 200 == 0 or done == len(positions)):
            progress(done, len(positions))

    for path, members in by_path.items():
        _measure_recording(path, members, selections, cells, problems, params, should_stop, tick)
    measured = {
        position: replace(s, extra=(*s.extra, *cells.get(i, measurement_cells(None))))
        for i, (position, s) in enumerate(zip(positions.tolist(), selections, strict=True))
    }
    return measured, problems


def with_measured(rows: VerdictRows, measured: dict[int, Selection]) -> VerdictRows:
    """``rows`` with the rows at the keys of ``measured`` replaced by its selections."""
    if not measured:
        return rows
    slow = dict(zip(rows.slow_at.tolist(), rows.slow, strict=True))
    slow.update(measured)
    order = sorted(slow)
    return replace(rows, slow_at=np.asarray(order, np.int64), slow=[slow[p] for p in order])


def measure_rows(
    rows: VerdictRows,
    what: str = MEASURE_BOXES,
    params: SpectrogramParams | None = None,
    *,
    progress: Callable[[int, int], object] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> MeasuredRows:
    """Measure rows of a verdict table; returns new rows (``rows`` is not changed).

    Parameters
    ----------
    rows
        From :func:`~audioclass_gui.formats.verdict_columns.verdict_rows`.
    what
        One of :data:`MEASURE_CHOICES`.
    params
        The spectrogram settings to measure with
        (:class:`~audioclass_gui.spectrogram.params.SpectrogramParams`;
        default Hann, 1024 samples, 75 % overlap).
    progress
        Called with ``(rows measured, rows to measure)`` every 200 rows and
        at the end.
    should_stop
        Checked between rows: True stops with :class:`InterruptedError`.

    Raises
    ------
    ValueError
        For an unknown ``what``.
    """
    positions = rows_to_measure(rows, what)
    if not len(positions):
        return MeasuredRows(rows, 0, [])
    measured, problems = measure_cells(
        rows, positions, params, progress=progress, should_stop=should_stop
    )
    return MeasuredRows(with_measured(rows, measured), len(positions), problems)


def _measure_recording(
    path: str,
    members: list[int],
    selections: list[Selection],
    cells: dict[int, tuple[tuple[str, str], ...]],
    problems: list[str],
    params: SpectrogramParams | None,
    should_stop: Callable[[], bool] | None,
    tick: Callable[[], None],
) -> None:
    """Measure the ``members`` of ``selections`` on one recording into ``cells``; ``tick`` each."""
    from audioclass_gui.audio.errors import AudioFileError
    from audioclass_gui.audio.info import read_info
    from audioclass_gui.spectrogram.measurements import measure_many

    spans = [
        (selections[i].begin_time, selections[i].end_time, selections[i].low_freq, selections[i].high_freq)
        for i in members
    ]
    seen = 0
    try:
        info = read_info(path)
        results = measure_many(info, spans, params, should_stop=should_stop)
        for i, result in zip(members, results, strict=True):
            seen += 1
            tick()
            if isinstance(result, ValueError):
                problems.append(str(result))
            else:
                cells[i] = measurement_cells(result)
                if result.note and not result.silent:  # cut at the end, non-finite samples
                    problems.append(f"{path}: {selections[i].begin_time:g} s: {result.note}")
    except AudioFileError as exc:
        left = len(members) - seen
        for _ in range(left):
            tick()
        problems.append(f"{exc} ({left} row{'' if left == 1 else 's'} not measured)")
