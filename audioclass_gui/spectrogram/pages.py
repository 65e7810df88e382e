"""Pages of rows through a recording: Raven's "lines per page", as arithmetic.

A paged view shows ``rows`` rows of ``row_seconds`` each, stacked; each row
repeats the last ``overlap`` seconds of the row above it, so a call cut by
a row's end is seen whole at the start of the next. The rows of the whole
recording form one sequence, row ``r`` spanning
``[r * step, r * step + row_seconds)`` with ``step = row_seconds - overlap``,
and page ``p`` holds rows ``p * rows`` to ``p * rows + rows - 1``. Paging on
therefore overlaps the last row of a page with the first of the next by
``overlap`` too, and a time belongs to exactly one page: the one whose rows
bring it in first (:meth:`PageLayout.page_of`).

The last page may be partial: the row that reaches the end of the
recording may run past it, and the page may have rows after that one; what
lies past the end is blank, and the rows keep their length, so every page
has the same time scale. Everything here is arithmetic: no I/O, no
state, no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["MAX_ROWS", "MIN_ROW_SECONDS", "PageLayout", "RowSpan"]

#: Most rows a page may have.
MAX_ROWS = 12
#: Shortest row, in seconds.
MIN_ROW_SECONDS = 0.1
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class RowSpan:
    """One row of a page.

    Attributes
    ----------
    index : int
        Position in the recording's sequence of rows (0 for the first row of
        the first page).
    start, end : float
        Seconds shown (``end - start`` is the row length, also past the end
        of the recording).
    """

    index: int
    start: float
    end: float

    def holds(self, seconds: float) -> bool:
        """True if ``seconds`` is drawn in this row."""
        return self.start <= seconds <= self.end


@dataclass(frozen=True, slots=True)
class PageLayout:
    """How a paged view cuts a recording into rows and pages.

    Parameters
    ----------
    rows
        Rows per page, 1 to :data:`MAX_ROWS`.
    row_seconds
        Length of a row in seconds (at least :data:`MIN_ROW_SECONDS`).
    overlap
        Seconds each row repeats of the row before it; at least 0 and less
        than ``row_seconds``.

    Raises
    ------
    ValueError
        For a value out of range, naming it.
    """

    rows: int = 4
    row_seconds: float = 15.0
    overlap: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.rows, int) and 1 <= self.rows <= MAX_ROWS):
            raise ValueError(f"rows per page must be 1 to {MAX_ROWS}, not {self.rows!r}")
        if not (math.isfinite(self.row_seconds) and self.row_seconds >= MIN_ROW_SECONDS):
            raise ValueError(
                f"a row must last at least {MIN_ROW_SECONDS} s, not {self.row_seconds!r}"
            )
        if not (math.isfinite(self.overlap) and 0.0 <= self.overlap < self.row_seconds):
            raise ValueError(
                f"the overlap must be at least 0 s and shorter than a row "
                f"({self.row_seconds:g} s), not {self.overlap!r}"
            )

    # ------------------------------------------------------------ lengths
    @property
    def step(self) -> float:
        """Seconds from one row's start to the next one's."""
        return self.row_seconds - self.overlap

    @property
    def page_step(self) -> float:
        """Seconds from one page's start to the next one's."""
        return self.rows * self.step

    @property
    def page_seconds(self) -> float:
        """Seconds a full page shows, from its first row's start to its last row's end."""
        return self.page_step + self.overlap

    def row_count(self, duration: float) -> int:
        """Rows needed to show a recording of ``duration`` seconds (at least 1)."""
        if duration <= self.row_seconds:
            return 1
        return math.ceil((duration - self.row_seconds) / self.step - _EPS) + 1

    def page_count(self, duration: float) -> int:
        """Pages needed to show a recording of ``duration`` seconds (at least 1)."""
        return -(-self.row_count(duration) // self.rows)

    # ------------------------------------------------------------- places
    def row(self, index: int) -> RowSpan:
        """Row ``index`` of the recording's sequence."""
        start = index * self.step
        return RowSpan(index, start, start + self.row_seconds)

    def page_rows(self, page: int) -> list[RowSpan]:
        """The rows of page ``page``, top to bottom (all of them, past the end too)."""
        first = page * self.rows
        return [self.row(first + i) for i in range(self.rows)]

    def page_span(self, page: int) -> tuple[float, float]:
        """Seconds from the start of page ``page``'s first row to the end of its last."""
        start = page * self.page_step
        return start, start + self.page_seconds

    def row_of(self, seconds: float) -> int:
        """The row that brings ``seconds`` in first (the earlier of two overlapping rows' next)."""
        return max(0, math.floor(seconds / self.step + _EPS))

    def page_of(self, seconds: float, duration: float | None = None) -> int:
        """The page holding ``seconds``: the one whose rows bring it in first.

        With ``duration``, the page is kept within the recording's pages.
        """
        page = self.row_of(seconds) // self.rows
        if duration is not None:
            page = min(page, self.page_count(duration) - 1)
        return page

    def page_for_span(
        self, start: float, end: float, duration: float, current: int | None = None
    ) -> int:
        """The page to show ``[start, end]`` on: ``current`` if it shows it whole, else the start's page."""
        if current is not None:
            p0, p1 = self.page_span(current)
            if p0 - _EPS <= start and end <= p1 + _EPS:
                return current
        return self.page_of(start, duration)

    def clamp_page(self, page: int, duration: float) -> int:
        """``page`` kept within the recording's pages."""
        return max(0, min(int(page), self.page_count(duration) - 1))
