"""The verdict-table writers written the plain way: the reference.

The row-by-row code of ``formats/verdict_tables.py`` as it was before the
columnar writers (an object per row, formatted one by one), brought up to
the current columns (the reviewer's species in the species columns, the
model's in ``Predicted ...``; eBird codes; the model's band; nocall rows;
Audacity frequency lines), so that tests can check that the columnar
writers write byte for byte what it writes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from audioclass_gui.formats.atomic import atomic_write_text
from audioclass_gui.formats.csv_table import write_csv_table
from audioclass_gui.formats.raven import write_raven_table
from audioclass_gui.formats.selections import (
    Selection,
    detection_band,
    nocall_selection,
    species_code,
)

VERDICT_COLUMNS = (
    "Scientific Name",
    "Verdict",
    "Label",
    "Predicted Common Name",
    "Predicted Scientific Name",
    "Predicted Species Code",
    "Note",
    "Reviewer",
    "Reviewed At",
    "Model",
)


def _who(user) -> str:
    return (user.name or user.username or "") if user is not None else ""


def ref_verdict_selections(session, *, include_unreviewed=False, filter=None):
    rows = []
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
        model = runs.get(det.run, session.model_name) or ""
        low, high = detection_band(model, nyquist.get(path, 0.0))
        label = verdict.label or ""
        name = label or det.scientific_name
        common = (session.common_name(label) or label) if label else (
            det.common_name or det.scientific_name
        )
        predicted_common = det.common_name or det.scientific_name
        selection = Selection(
            begin_time=det.start,
            end_time=det.end,
            scientific_name=name,
            common_name=common,
            confidence=det.score,
            path=path,
            low_freq=low,
            high_freq=high,
            species_code=species_code(name),
            extra=(
                ("Scientific Name", name),
                ("Verdict", verdict.status.value),
                ("Label", label),
                ("Predicted Common Name", predicted_common),
                ("Predicted Scientific Name", det.scientific_name),
                ("Predicted Species Code", species_code(det.scientific_name)),
                ("Note", verdict.note),
                ("Reviewer", _who(stamp.reviewer) if stamp else ""),
                ("Reviewed At", stamp.at.isoformat(timespec="seconds") if stamp else ""),
                ("Model", model),
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
            high_freq=nyquist.get(path, 0.0) if box.high_freq is None else box.high_freq,
            species_code=species_code(name),
            extra=(
                ("Scientific Name", name),
                ("Verdict", "drawn"),
                ("Label", ""),
                ("Predicted Common Name", ""),
                ("Predicted Scientific Name", ""),
                ("Predicted Species Code", ""),
                ("Note", box.note),
                ("Reviewer", _who(stamp.reviewer) if stamp else ""),
                ("Reviewed At", stamp.at.isoformat(timespec="seconds") if stamp else ""),
                ("Model", ""),
                ("Geometry", "interval" if box.is_interval else "box"),
            ),
        )
        rows.append(((order.get(path, 0), box.start, 0.0), selection))
    rows.sort(key=lambda item: item[0])
    return [selection for _, selection in rows]


def _relative_stem(path: Path, root: Path | None) -> Path:
    if root is not None and path.is_relative_to(root):
        return path.relative_to(root).with_suffix("")
    return Path(path.stem)


def _common_root(session) -> Path | None:
    paths = [str(Path(r.path).parent) for r in session.recordings]
    return Path(os.path.commonpath(paths)) if paths else None


def ref_write_verdict_csv(session, path, *, include_unreviewed=False):
    selections = ref_verdict_selections(session, include_unreviewed=include_unreviewed)
    return write_csv_table(path, selections, band=True, extra_columns=VERDICT_COLUMNS)


def ref_write_raven_verdicts(session, folder, *, include_unreviewed=False, root=None):
    out = Path(folder)
    base = Path(root).absolute() if root is not None else _common_root(session)
    selections = ref_verdict_selections(session, include_unreviewed=include_unreviewed)
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
            target = target.with_name(target.name + ".review.selection.table.txt")
            written.append(write_raven_table(target, rows, extra_columns=VERDICT_COLUMNS))
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
    if not combined:  # BirdNET-Analyzer's placeholder row
        first = session.recordings[0] if session.recordings else None
        runs = {key: name for key, name, _p in session.run_infos()}
        model = next(iter(runs.values()), session.model_name) if runs else session.model_name
        combined = [
            nocall_selection(
                str(first.path) if first else "",
                high_freq=detection_band(model or "", first.samplerate / 2.0)[1] if first else 0.0,
                duration=first.duration if first else None,
            )
        ]
    written.append(
        write_raven_table(
            out / "review.combined.selection.table.txt",
            combined,
            extra_columns=VERDICT_COLUMNS,
        )
    )
    return written


def _label_text(s: Selection) -> str:
    extra = dict(s.extra)
    verdict, label = extra.get("Verdict", ""), extra.get("Label", "")
    name = s.scientific_name
    if label:
        text = f"{name} [{verdict}, model said {extra['Predicted Scientific Name']}]"
    elif verdict == "drawn":
        text = f"{name or ('interval' if extra.get('Geometry') == 'interval' else 'box')} [drawn]"
    else:
        text = f"{name} [{verdict}]"
    if s.confidence is not None:
        text += f" {s.confidence:.2f}"
    if extra.get("Note"):
        text += f" — {extra['Note']}"
    return " ".join(text.replace("\t", " ").splitlines())


def ref_audacity_labels_text(selections: Sequence[Selection], *, bands=True) -> str:
    lines = []
    for s in selections:
        lines.append(f"{s.begin_time:.6f}\t{s.end_time:.6f}\t{_label_text(s)}")
        if bands:
            lines.append(f"\\\t{s.low_freq:.6f}\t{s.high_freq:.6f}")
    return "".join(line + "\n" for line in lines)


def ref_write_audacity_labels(
    session, folder, *, include_unreviewed=False, root=None, bands=True
):
    out = Path(folder)
    base = Path(root).absolute() if root is not None else _common_root(session)
    by_path: dict[str, list[Selection]] = {}
    selections = ref_verdict_selections(session, include_unreviewed=include_unreviewed)
    for s in selections:
        by_path.setdefault(s.path, []).append(s)
    written = []
    for recording in session.recordings:
        rows = by_path.get(str(recording.path))
        if not rows:
            continue
        target = out / _relative_stem(Path(recording.path), base)
        target = target.with_name(target.name + ".review.labels.txt")
        atomic_write_text(target, ref_audacity_labels_text(rows, bands=bands))
        written.append(target)
    return written
