"""Raven's measurements for an export from the window, measured in steps with progress.

The rows of the tables are measured
(:mod:`audioclass_gui.formats.raven_measurements`) in the app's tasks, a
chunk at a time: after each chunk the status line says how far it got, and
the next chunk is submitted; the export's files are written once all are
measured. The window's spectrogram settings are the measurements'.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from audioclass_gui.app.model import AppModel
    from audioclass_gui.formats.verdict_columns import VerdictRows

__all__ = ["measure_for_export"]

#: Rows measured per task (at least), and the most tasks one export makes.
_CHUNK_ROWS, _MAX_CHUNKS = 200, 50


def measure_for_export(
    app: AppModel,
    rows: VerdictRows,
    what: str,
    then: Callable[[VerdictRows], object],
    on_error: Callable[[BaseException], object],
) -> None:
    """Measure ``what`` (``"boxes"``, ``"accepted"``) of ``rows``, then call ``then(measured rows)``.

    ``then`` is called on the GUI thread; rows that could not be measured
    keep empty cells and are reported once, with the reason.
    """
    from audioclass_gui.formats.raven_measurements import (
        measure_cells,
        rows_to_measure,
        with_measured,
    )

    positions = rows_to_measure(rows, what)
    total = len(positions)
    if not total:
        then(rows)
        return
    params = app.measurements.params
    chunks = np.array_split(positions, min(_MAX_CHUNKS, math.ceil(total / _CHUNK_ROWS)))
    measured: dict = {}
    problems: list[str] = []

    def step(i: int) -> None:
        if i == len(chunks):
            if problems:
                shown = "\n".join(f"• {p}" for p in problems[:10])
                more = f"\n…and {len(problems) - 10} more" if len(problems) > 10 else ""
                app.messages.report(
                    "Some rows could not be measured",
                    f"Their measurement cells are empty in the Raven tables:\n{shown}{more}",
                )
            then(with_measured(rows, measured))
            return
        app.messages.say(f"Measuring for the Raven tables: {len(measured)} of {total} rows…")
        app.tasks.submit(
            lambda chunk=chunks[i]: measure_cells(rows, chunk, params),
            lambda result: (measured.update(result[0]), problems.extend(result[1]), step(i + 1)),
            on_error,
        )

    step(0)
