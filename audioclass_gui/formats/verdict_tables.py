"""Verdicts as table rows: Raven selection tables, CSV, and Audacity label tracks.

One row per judged detection (accepted, rejected, uncertain, relabelled or
with a note) and one per drawn box, built by :func:`verdict_selections` as
:class:`~audioclass_gui.formats.selections.Selection` objects, so the
Raven and CSV writers of :mod:`audioclass_gui.formats.raven` and
:mod:`audioclass_gui.formats.csv_table` (BirdNET-Analyzer's columns) write
them, with these extra columns after the standard ones:

``Scientific Name``  the predicted species (Raven tables lack it otherwise)
``Verdict``          accepted, rejected, uncertain, unreviewed; ``drawn`` for a box
``Label``            the species the reviewer put instead (relabel), else empty
``Label Common Name``
``Note``             the reviewer's note
``Reviewer``         name (or user name) of who gave the verdict
``Reviewed At``      when, ISO 8601 in UTC
``Model``            the model that made the detection; empty for a box

Raven tables: one per recording (``<stem>.review.selection.table.txt``,
mirroring the recordings' folders) and a combined one
(``review.combined.selection.table.txt``) where, as in BirdNET-Analyzer's
combined table, ``Begin Time (s)`` runs on across the files in order and
``File Offset (s)`` is the time within ``Begin Path``.

Audacity label tracks (:func:`audacity_labels_text`) are one file per
recording with a region label per row and, for a box with a frequency band,
Audacity's ``\\ low high`` line under it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from audioclass_gui.formats.atomic import atomic_write_text
from audioclass_gui.formats.csv_table import write_csv_table
from audioclass_gui.formats.raven import write_raven_table
from audioclass_gui.formats.selections import Selection
from audioclass_gui.review import DetectionFilter, ReviewSession

__all__ = [
    "AUDACITY_SUFFIX",
    "COMBINED_RAVEN_NAME",
    "REVIEW_RAVEN_SUFFIX",
    "VERDICT_COLUMNS",
    "audacity_labels_text",
    "verdict_selections",
    "write_audacity_labels",
    "write_raven_verdicts",
    "write_verdict_csv",
]

#: Extra columns of verdict tables, in order.
VERDICT_COLUMNS = (
    "Scientific Name",
    "Verdict",
    "Label",
    "Label Common Name",
    "Note",
    "Reviewer",
    "Reviewed At",
    "Model",
)
REVIEW_RAVEN_SUFFIX = ".review.selection.table.txt"
COMBINED_RAVEN_NAME = "review.combined.selection.table.txt"
AUDACITY_SUFFIX = ".review.labels.txt"


def _who(user) -> str:
    return (user.name or user.username or "") if user is not None else ""


def verdict_selections(
    session: ReviewSession,
    *,
    include_unreviewed: bool = False,
    filter: DetectionFilter | None = None,
) -> list[Selection]:
    """One selection per judged detection and per box, by recording and time.

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
    rows: list[tuple[tuple[int, float, float], Selection]] = []
    order = {str(r.path): i for i, r in enumerate(session.recordings)}
    nyquist = {str(r.path): float(r.samplerate) / 2.0 for r in session.recordings}
    runs = {key: name for key, name, _p in session.run_infos()}
    if include_unreviewed:
        dets = session.select(filter)
    else:
        judged = session.judged()
        keep = None if filter is None else set(session.query(filter).tolist())
        dets = [d for d in judged if keep is None or d.id in keep]
    for det in dets:
        verdict = session.verdict(det.id)
        stamp = session.stamp(det.id)
        path = str(det.recording.path)
        low = 0.0 if det.low_freq is None else det.low_freq
        high = nyquist.get(path, 0.0) if det.high_freq is None else det.high_freq
        label = verdict.label or ""
        selection = Selection(
            begin_time=det.start,
            end_time=det.end,
            scientific_name=det.scientific_name,
            common_name=det.common_name or det.scientific_name,
            confidence=det.score,
            path=path,
            low_freq=low,
            high_freq=high,
            extra=(
                ("Scientific Name", det.scientific_name),
                ("Verdict", verdict.status.value),
                ("Label", label),
                ("Label Common Name", session.common_name(label) if label else ""),
                ("Note", verdict.note),
                ("Reviewer", _who(stamp.reviewer) if stamp else ""),
                (
                    "Reviewed At",
                    stamp.at.isoformat(timespec="seconds") if stamp else "",
                ),
                ("Model", runs.get(det.run, session.model_name) or ""),
            ),
        )
        rows.append(((order.get(path, 0), det.start, -det.score), selection))
    for box in session.boxes():
        path = str(box.recording)
        stamp = session.box_stamp(box.id)
        name = box.scientific_name
        selection = Selection(
            begin_time=box.start,
            end_time=box.end,
            scientific_name=name,
            common_name=session.common_name(name) or name,
            confidence=None,
            path=path,
            low_freq=0.0 if box.low_freq is None else box.low_freq,
            high_freq=nyquist.get(path, 0.0)
            if box.high_freq is None
            else box.high_freq,
            extra=(
                ("Scientific Name", name),
                ("Verdict", "drawn"),
                ("Label", ""),
                ("Label Common Name", ""),
                ("Note", box.note),
                ("Reviewer", _who(stamp.reviewer) if stamp else ""),
                (
                    "Reviewed At",
                    stamp.at.isoformat(timespec="seconds") if stamp else "",
                ),
                ("Model", ""),
                (
                    "Geometry",
                    "interval" if box.is_interval else "box",
                ),  # not a table column
            ),
        )
        rows.append(((order.get(path, 0), box.start, 0.0), selection))
    rows.sort(key=lambda item: item[0])
    return [selection for _, selection in rows]


def _relative_stem(path: Path, root: Path | None) -> Path:
    if root is not None and path.is_relative_to(root):
        return path.relative_to(root).with_suffix("")
    return Path(path.stem)


def _common_root(session: ReviewSession) -> Path | None:
    paths = [str(Path(r.path).parent) for r in session.recordings]
    return Path(os.path.commonpath(paths)) if paths else None


def write_verdict_csv(
    session: ReviewSession,
    path: str | os.PathLike[str],
    *,
    include_unreviewed: bool = False,
    selections: Sequence[Selection] | None = None,
) -> Path:
    """Write a CSV with one row per verdict (and per box), atomically.

    Columns: BirdNET-Analyzer's (``Start (s), End (s), Scientific name,
    Common name, Confidence, File``), then ``Channel, Low Freq (Hz), High
    Freq (Hz)`` and :data:`VERDICT_COLUMNS`. ``selections`` (from
    :func:`verdict_selections`) saves building the rows again.
    """
    if selections is None:
        selections = verdict_selections(session, include_unreviewed=include_unreviewed)
    return write_csv_table(path, selections, band=True, extra_columns=VERDICT_COLUMNS)


def write_raven_verdicts(
    session: ReviewSession,
    folder: str | os.PathLike[str],
    *,
    include_unreviewed: bool = False,
    root: str | os.PathLike[str] | None = None,
    selections: Sequence[Selection] | None = None,
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
        Rows from :func:`verdict_selections`, if already built.

    Returns
    -------
    list of pathlib.Path
        The per-recording tables (for recordings with rows), then the
        combined table.
    """
    out = Path(folder)
    base = Path(root).absolute() if root is not None else _common_root(session)
    if selections is None:
        selections = verdict_selections(session, include_unreviewed=include_unreviewed)
    by_path: dict[str, list[Selection]] = {}
    for s in selections:
        by_path.setdefault(s.path, []).append(s)
    written = []
    combined: list[Selection] = []
    offset = 0.0
    for recording in session.recordings:
        path = str(recording.path)
        rows = by_path.get(path, [])
        if rows:
            target = out / _relative_stem(Path(path), base)
            target = target.with_name(target.name + REVIEW_RAVEN_SUFFIX)
            written.append(
                write_raven_table(target, rows, extra_columns=VERDICT_COLUMNS)
            )
            combined += [
                replace(
                    s,
                    begin_time=s.begin_time + offset,
                    end_time=s.end_time + offset,
                    file_offset=s.begin_time,
                )
                for s in rows
            ]
        offset += float(recording.duration or 0.0)
    written.append(
        write_raven_table(
            out / COMBINED_RAVEN_NAME, combined, extra_columns=VERDICT_COLUMNS
        )
    )
    return written


def _label_text(s: Selection) -> str:
    extra = dict(s.extra)
    verdict, label = extra.get("Verdict", ""), extra.get("Label", "")
    name = s.scientific_name
    if label:
        text = f"{label} [{verdict}, model said {name}]"
    elif verdict == "drawn":
        text = f"{name or ('interval' if extra.get('Geometry') == 'interval' else 'box')} [drawn]"
    else:
        text = f"{name} [{verdict}]"
    if s.confidence is not None:
        text += f" {s.confidence:.2f}"
    if extra.get("Note"):
        text += f" — {extra['Note']}"
    return " ".join(text.replace("\t", " ").splitlines())


def audacity_labels_text(
    selections: Sequence[Selection], *, frequencies: bool = True
) -> str:
    """An Audacity label track: ``start<TAB>end<TAB>text`` per row.

    With ``frequencies``, a row whose band is not the whole spectrum (a
    drawn box) is followed by Audacity's frequency line
    ``\\<TAB>low<TAB>high``.
    """
    lines = []
    for s in selections:
        lines.append(f"{s.begin_time:.6f}\t{s.end_time:.6f}\t{_label_text(s)}")
        if frequencies and dict(s.extra).get("Geometry") == "box":
            lines.append(f"\\\t{s.low_freq:.6f}\t{s.high_freq:.6f}")
    return "".join(line + "\n" for line in lines)


def write_audacity_labels(
    session: ReviewSession,
    folder: str | os.PathLike[str],
    *,
    include_unreviewed: bool = False,
    root: str | os.PathLike[str] | None = None,
    selections: Sequence[Selection] | None = None,
) -> list[Path]:
    """Write one Audacity label track per recording with rows (atomically).

    Files are ``<stem>.review.labels.txt``, mirroring the recordings'
    folders below ``root`` (default: their common folder). Import them in
    Audacity with File > Import > Labels.
    """
    out = Path(folder)
    base = Path(root).absolute() if root is not None else _common_root(session)
    by_path: dict[str, list[Selection]] = {}
    if selections is None:
        selections = verdict_selections(session, include_unreviewed=include_unreviewed)
    for s in selections:
        by_path.setdefault(s.path, []).append(s)
    written = []
    for recording in session.recordings:
        rows = by_path.get(str(recording.path))
        if not rows:
            continue
        target = out / _relative_stem(Path(recording.path), base)
        target = target.with_name(target.name + AUDACITY_SUFFIX)
        atomic_write_text(target, audacity_labels_text(rows))
        written.append(target)
    return written
