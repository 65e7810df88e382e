"""Verdicts as table rows: Raven selection tables, CSV, and Audacity label tracks.

One row per judged detection (accepted, rejected, uncertain, relabelled or
with a note) and one per drawn box, in the columns of the Raven and CSV
writers of :mod:`audioclass_gui.formats.raven` and
:mod:`audioclass_gui.formats.csv_table` (BirdNET-Analyzer's), with these
extra columns after the standard ones (:data:`VERDICT_COLUMNS`):

=============================  ==============================================
``Scientific Name``            the species the reviewer says it is (Raven
                               tables lack a scientific name otherwise)
``Verdict``                    accepted, rejected, uncertain, unreviewed;
                               ``drawn`` for a box
``Label``                      the species the reviewer put instead
                               (relabel), else empty
``Predicted Common Name``,     the model's species; empty for a box
``Predicted Scientific Name``,
``Predicted Species Code``
``Note``                       the reviewer's note
``Reviewer``                   name (or user name) of who gave the verdict
``Reviewed At``                when, ISO 8601 in UTC
``Model``                      the model that made the detection; empty for
                               a box
=============================  ==============================================

The standard species columns (Raven's ``Common Name`` and ``Species Code``,
the CSV's ``Scientific name`` and ``Common name``) hold the reviewer's
species too, so a tool that counts those columns counts what the reviewer
decided: a relabelled detection is listed as the species it was relabelled
to. Species Code is the eBird code, the band is the one the model listened
to (0-15 kHz for BirdNET, below the Nyquist frequency), and times and
frequencies keep a decimal point, as in ``audioclass-gui predict``'s tables
(see :mod:`audioclass_gui.formats.selections`).

Raven tables: one per recording (``<stem>.review.selection.table.txt``,
mirroring the recordings' folders) and a combined one
(``review.combined.selection.table.txt``) where, as in BirdNET-Analyzer's
combined table, ``Begin Time (s)`` runs on across the files in order and
``File Offset (s)`` is the time within ``Begin Path``. A combined table of
nothing holds BirdNET-Analyzer's ``nocall`` row instead (crowsetta and
pandas-based readers refuse a table without rows).

Audacity label tracks (:func:`audacity_labels_text`) are one file per
recording with a region label per row and, by default, Audacity's
``\\ low high`` frequency line under every row (``bands=False`` leaves
them out: crowsetta's ``aud-bbox`` reads the first kind, ``aud-seq`` the
second).

The writers take the rows as columns (:func:`verdict_rows`) and write them
in blocks of :data:`CHUNK_ROWS` rows (:mod:`audioclass_gui.formats.verdict_text`),
byte for byte as the row-by-row writers of
:class:`~audioclass_gui.formats.selections.Selection` objects do, in well
under a microsecond a row (``benchmarks/table_exports.py``); a table per
recording adds what creating and flushing a file costs. A Raven row's text
after its times is made once for both of its tables. Blocks end where a
recording's rows do, so each table per recording is one slice of a
block's text, handed to the writer threads with the block's other tables;
:data:`FORMATTERS` threads make the next blocks while one is written.
:func:`verdict_selections` still gives the rows as selections. All files of
one call are written atomically, by threads while the next block is made,
and are on disk before any appears; a new export folder appears whole
(:mod:`audioclass_gui.formats.file_batch`).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np

from audioclass_gui.formats.file_batch import FileBatch, file_batch
from audioclass_gui.formats.selections import Selection, nocall_selection
from audioclass_gui.formats.verdict_columns import (
    VERDICT_COLUMNS,
    VerdictRows,
    verdict_rows,
)
from audioclass_gui.formats.verdict_text import (
    AudacityLines,
    CsvLines,
    Lines,
    RavenLines,
    audacity_labels_text,
)
from audioclass_gui.review import DetectionFilter, ReviewSession

__all__ = [
    "AUDACITY_SUFFIX",
    "COMBINED_RAVEN_NAME",
    "REVIEW_RAVEN_SUFFIX",
    "VERDICT_COLUMNS",
    "VerdictRows",
    "audacity_labels_text",
    "verdict_rows",
    "verdict_selections",
    "write_audacity_labels",
    "write_raven_verdicts",
    "write_verdict_csv",
]

REVIEW_RAVEN_SUFFIX = ".review.selection.table.txt"
COMBINED_RAVEN_NAME = "review.combined.selection.table.txt"
AUDACITY_SUFFIX = ".review.labels.txt"
#: Rows formatted at once (bounds the memory an export takes).
CHUNK_ROWS = 65_536
#: Threads formatting blocks of rows ahead of the writing.
FORMATTERS = 2
T = TypeVar("T")

#: Rows for the writers: built by :func:`verdict_rows`, or selections.
Rows = VerdictRows | Sequence[Selection]


def verdict_selections(
    session: ReviewSession,
    *,
    include_unreviewed: bool = False,
    filter: DetectionFilter | None = None,
) -> list[Selection]:
    """One selection per judged detection and per box, by recording and time.

    An object per row: the writers take :func:`verdict_rows` instead.

    Parameters
    ----------
    session
        The review.
    include_unreviewed
        Also list detections without any verdict (their ``Verdict`` is
        ``unreviewed``).
    filter
        Only detections passing it (boxes are always listed).
    """
    return verdict_rows(
        session, include_unreviewed=include_unreviewed, filter=filter
    ).selections()


def _rows(
    session: ReviewSession, include_unreviewed: bool, selections: Rows | None
) -> VerdictRows:
    if selections is None:
        return verdict_rows(session, include_unreviewed=include_unreviewed)
    if isinstance(selections, VerdictRows):
        return selections
    # Rows given as selections, in their order: each written on its own.
    recordings = session.recordings
    paths = [str(r.path) for r in recordings]
    index = {p: i for i, p in enumerate(paths)}
    n = len(selections)
    return VerdictRows(
        rows=np.full(n, -1, np.int64),
        path=np.array([index.get(s.path, -1) for s in selections], np.int32),
        slow_at=np.arange(n, dtype=np.int64),
        slow=list(selections),
        paths=paths,
        nyquist=np.array([float(r.samplerate) / 2.0 for r in recordings]),
        durations=[float(r.duration or 0.0) for r in recordings],
    )


def _relative_stem(path: Path, root: Path | None) -> Path:
    if root is not None and path.is_relative_to(root):
        return path.relative_to(root).with_suffix("")
    return Path(path.stem)


def _common_root(session: ReviewSession) -> Path | None:
    paths = {os.path.dirname(os.fspath(r.path)) for r in session.recordings}
    return Path(os.path.commonpath(list(paths))) if paths else None


class _Targets:
    """Where a recording's table goes: its path below ``base``, mirrored in ``folder``."""

    def __init__(self, folder: Path, base: Path | None, suffix: str) -> None:
        self.folder, self.base, self.suffix = folder, base, suffix
        # Paths a session holds are absolute and normalised: below base, on
        # POSIX, a path starts with base and a separator (no pathlib needed).
        self.prefix = None
        if base is not None and os.name == "posix" and str(base) == os.path.normpath(base):
            self.prefix = str(base).rstrip("/") + "/"
        self.out = str(folder)

    def __call__(self, path: str) -> str:
        if self.prefix is None or not path.startswith(self.prefix) or path != os.path.normpath(path):
            target = self.folder / _relative_stem(Path(path), self.base)
            return str(target.with_name(target.name + self.suffix))
        rest = path[len(self.prefix) :]
        name = rest.rpartition("/")[2]
        dot = name.rfind(".")
        if 0 < dot < len(name) - 1:
            rest = rest[: len(rest) - len(name) + dot]
        return self.out + "/" + rest + self.suffix


def write_verdict_csv(
    session: ReviewSession,
    path: str | os.PathLike[str],
    *,
    include_unreviewed: bool = False,
    selections: Rows | None = None,
) -> Path:
    """Write a CSV with one row per verdict (and per box), atomically.

    Columns: BirdNET-Analyzer's (``Start (s), End (s), Scientific name,
    Common name, Confidence, File``), then ``Channel, Low Freq (Hz), High
    Freq (Hz)`` and :data:`VERDICT_COLUMNS`. ``selections`` (from
    :func:`verdict_rows`, or selections from :func:`verdict_selections`)
    saves building the rows again.
    """
    rows = _rows(session, include_unreviewed, selections)
    text = CsvLines(rows)
    with file_batch() as batch:
        with batch.open(path) as handle:
            batch.write(handle, text.header.encode("utf-8"))
            n = len(rows)
            blocks = ((a, min(a + CHUNK_ROWS, n)) for a in range(0, n, CHUNK_ROWS))
            for a, b, lines in _made(blocks, lambda a, b: text.lines(np.arange(a, b))):
                lines.write(lambda data: batch.write(handle, data), 0, b - a)
                if b < len(rows):  # more to come: start flushing this
                    batch.flush_soon()
    return Path(path)


def _blocks(bounds: np.ndarray, n: int) -> Iterator[tuple[int, int]]:
    """Blocks ``(a, b)`` of the ``n`` grouped rows, of at most :data:`CHUNK_ROWS` rows.

    A block ends where a recording's rows end, so that each table per
    recording is made in one block and written in one go; only a
    recording with more rows than a block spans blocks.
    """
    a = 0
    while a < n:
        b = min(a + CHUNK_ROWS, n)
        if b < n:
            cut = int(bounds[np.searchsorted(bounds, b, side="right") - 1])
            b = cut if cut > a else b
        yield a, b
        a = b


def _made(
    blocks: Iterable[tuple[int, int]], make: Callable[[int, int], T]
) -> Iterator[tuple[int, int, T]]:
    """``(a, b, make(a, b))`` for each block, in order, made by :data:`FORMATTERS` threads.

    The threads make the next blocks' text while the caller writes this
    one's (numpy and pyarrow let go of the interpreter while they work);
    at most one block more than there are threads waits to be written. The
    first blocks are started at once, before the caller prepares its files.
    """
    blocks = list(blocks)
    if FORMATTERS < 2 or len(blocks) < 2:
        return ((a, b, make(a, b)) for a, b in blocks)
    pool = ThreadPoolExecutor(FORMATTERS, thread_name_prefix="table-text")
    ahead = FORMATTERS + 1
    made = deque((a, b, pool.submit(make, a, b)) for a, b in blocks[:ahead])
    return _in_order(pool, made, blocks[ahead:], make)


def _in_order(
    pool: ThreadPoolExecutor,
    made: deque,
    blocks: list[tuple[int, int]],
    make: Callable[[int, int], T],
) -> Iterator[tuple[int, int, T]]:
    """The blocks ``made`` (started), then ``blocks``, each started as an earlier one is taken."""
    try:
        for a, b in blocks:
            done = made.popleft()
            made.append((a, b, pool.submit(make, a, b)))
            yield done[0], done[1], done[2].result()
        while made:
            a, b, future = made.popleft()
            yield a, b, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _PerRecording:
    """The files of one table per recording, written as their rows come.

    A recording whose rows are all in one block is written in one go; one
    whose rows span blocks is written block by block. Their folders are
    made at the start.
    """

    def __init__(
        self,
        batch: FileBatch,
        rows: VerdictRows,
        bounds: np.ndarray,
        folder: Path,
        base: Path | None,
        suffix: str,
        header: bytes,
    ) -> None:
        self.batch, self.bounds, self.header = batch, bounds, header
        targets = _Targets(folder, base, suffix)
        counts = np.diff(bounds).tolist()
        self.targets = [targets(p) if n else "" for p, n in zip(rows.paths, counts, strict=True)]
        batch.make_folders(t for t in self.targets if t)
        self.written: list[str] = []
        self.handle = None

    def write(self, lines: Lines, a: int, b: int) -> None:
        """Write rows ``a`` to ``b`` of the grouped order (``lines`` starts at ``a``)."""
        bounds = self.bounds
        first = int(np.searchsorted(bounds, a, side="right")) - 1
        last = int(np.searchsorted(bounds, b - 1, side="right")) - 1
        groups = np.arange(first, last + 1)
        lo, hi = bounds[groups], bounds[groups + 1]
        whole = (lo >= a) & (hi <= b) & (hi > lo)
        # The recordings whose rows are all in this block: their files at once.
        targets = [self.targets[g] for g in groups[whole].tolist()]
        header = [self.header] if self.header else []
        texts = lines.texts(lo[whole] - a, hi[whole] - a)
        self.batch.write_files(
            [(t, [*header, *text]) for t, text in zip(targets, texts, strict=True)]
        )
        self.written.extend(targets)
        # A recording with more rows than a block: its file block by block.
        for group in groups[~whole & (hi > lo)].tolist():
            lo, hi = int(bounds[group]), int(bounds[group + 1])
            if lo >= a:
                target = self.targets[group]
                self.written.append(target)
                self.handle = self.batch.open(target)
                self.batch.write(self.handle, self.header)
            lines.write(self._append, max(lo, a) - a, min(hi, b) - a)
            if hi <= b:
                self.handle.close()

    def _append(self, data: bytes | memoryview) -> None:
        self.batch.write(self.handle, data)


def write_raven_verdicts(
    session: ReviewSession,
    folder: str | os.PathLike[str],
    *,
    include_unreviewed: bool = False,
    root: str | os.PathLike[str] | None = None,
    selections: Rows | None = None,
    per_recording: bool = True,
) -> list[Path]:
    """Write a Raven verdict table per recording and a combined one.

    Parameters
    ----------
    session
        The review.
    folder
        Output folder (created). Per-recording tables mirror the
        recordings' folders below ``root``.
    include_unreviewed
        Also list detections without a verdict.
    root
        Folder the recordings' relative paths start from; defaults to their
        common folder.
    selections
        Rows from :func:`verdict_rows` (or :func:`verdict_selections`), if
        already built.
    per_recording
        Also write one table per recording (the default). Without, only the
        combined table is written: one file whatever the number of
        recordings, which Raven opens with its sound files through the
        ``Begin Path`` and ``File Offset (s)`` columns.

    Returns
    -------
    list of pathlib.Path
        The per-recording tables (for recordings with rows), then the
        combined table.
    """
    out = Path(folder)
    base = Path(root).absolute() if root is not None else _common_root(session)
    rows = _rows(session, include_unreviewed, selections)
    order, bounds = rows.grouped()
    offsets, offset = [], 0.0
    for duration in rows.durations:
        offsets.append(offset)
        offset += duration
    shift = np.asarray(offsets + [0.0])
    text = RavenLines(rows)
    header = text.header.encode("utf-8")

    def lines(a: int, b: int) -> tuple[Lines | None, Lines]:
        number = np.arange(a, b)
        group = np.searchsorted(bounds, number, side="right") - 1
        return text.lines(
            order[a:b],
            number - bounds[group] + 1,
            number + 1,
            shift[group],
            own_lines=per_recording,
        )

    made = _made(_blocks(bounds, len(order)), lines)  # started now
    with file_batch(out) as batch:
        tables = (
            _PerRecording(batch, rows, bounds, out, base, REVIEW_RAVEN_SUFFIX, header)
            if per_recording
            else None
        )
        with batch.open(out / COMBINED_RAVEN_NAME) as combined:
            batch.write(combined, header)
            if not len(order):
                batch.write(combined, _nocall_line(rows, text).encode("utf-8"))
            for a, b, (own, joint) in made:
                joint.write(lambda data: batch.write(combined, data), 0, b - a)
                if tables is not None:
                    tables.write(own, a, b)
                if b < len(order):  # more to come
                    batch.flush_soon()
    written = tables.written if tables is not None else []
    return [*map(Path, written), out / COMBINED_RAVEN_NAME]


def _nocall_line(rows: VerdictRows, text: RavenLines) -> str:
    """BirdNET-Analyzer's placeholder row, for a combined table with no rows."""
    path = rows.paths[0] if rows.paths else ""
    high = float(rows.high[0, 0]) if rows.high.size else 0.0
    nocall = nocall_selection(
        path, high_freq=high, duration=rows.durations[0] if rows.durations else None
    )
    return text.line(nocall, 1)


def write_audacity_labels(
    session: ReviewSession,
    folder: str | os.PathLike[str],
    *,
    include_unreviewed: bool = False,
    root: str | os.PathLike[str] | None = None,
    selections: Rows | None = None,
    bands: bool = True,
) -> list[Path]:
    """Write one Audacity label track per recording with rows (atomically).

    Files are ``<stem>.review.labels.txt``, mirroring the recordings'
    folders below ``root`` (default: their common folder). Import them in
    Audacity with File > Import > Labels. With ``bands`` every label has a
    frequency line (Audacity's extended format, crowsetta's ``aud-bbox``);
    without, none has (crowsetta's ``aud-seq``).
    """
    out = Path(folder)
    base = Path(root).absolute() if root is not None else _common_root(session)
    rows = _rows(session, include_unreviewed, selections)
    order, bounds = rows.grouped()
    text = AudacityLines(rows, bands=bands)
    made = _made(_blocks(bounds, len(order)), lambda a, b: text.lines(order[a:b]))
    with file_batch(out) as batch:
        tables = _PerRecording(batch, rows, bounds, out, base, AUDACITY_SUFFIX, b"")
        for a, b, lines in made:
            tables.write(lines, a, b)
            if b < len(order):  # more to come
                batch.flush_soon()
    return [*map(Path, tables.written)]
