"""Every deployment report by name: what ``audioclass-gui report`` (and a Reports view) writes.

==============  ===============================================  ==========================
report          what is written (in the output folder)           made by
==============  ===============================================  ==========================
``events``      ``events.csv``, ``event_counts.csv``             :func:`group_events`
``activity``    ``activity_day.csv``, ``activity_hour.csv``      :func:`activity`
``presence``    ``presence/<species>.csv`` (unmarked layout)     :meth:`Activity.presence`
``summary``     ``summary_site_day.csv``, ``summary_species.csv``  :func:`species_review`
==============  ===============================================  ==========================

Detections count when they pass the threshold (per-species thresholds
where given). With ``accepted_only`` events are made of the windows
accepted as their predicted species and presence comes from accepted
verdicts, whatever their scores (a verdict is the reviewer's word);
activity always has both columns. The returned notes say in words what the reader should know
(recordings without a start time, clock times without a zone).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.formats.activity_tables import (
    write_activity_day,
    write_activity_hour,
    write_event_counts,
    write_events,
    write_presence,
    write_summary_site_day,
    write_summary_species,
)
from audioclass_gui.review.activity import activity
from audioclass_gui.review.deployment import species_review
from audioclass_gui.review.detection import Status
from audioclass_gui.review.events import group_events
from audioclass_gui.review.query import DetectionFilter

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = ["REPORT_NAMES", "write_reports"]

#: The reports :func:`write_reports` knows, in the order it writes them.
REPORT_NAMES = ("events", "activity", "presence", "summary")


def _notes(act, n_recordings: int) -> list[str]:
    notes = []
    if act.undated_recordings:
        notes.append(
            f"{act.undated_recordings} of {n_recordings} recordings have no start time "
            f"(from GUANO, an AudioMoth comment or the file name): their "
            f"{act.undated_detections} detections are in the events and the species "
            "summary but not in the tables per day, hour or site-day"
        )
    dated = act.clock.dated
    naive = int((dated & ~act.clock.zoned).sum())
    if naive:
        notes.append(
            f"{naive} recordings give no time zone: their clock times are the recorder's "
            "clock as written"
        )
    return notes


def write_reports(
    session: ReviewSession,
    folder: str | os.PathLike[str],
    what: Sequence[str] = REPORT_NAMES,
    *,
    root: str | os.PathLike[str] | None = None,
    gap: float = 0.0,
    threshold: float = 0.0,
    thresholds: Mapping[str, float] | None = None,
    accepted_only: bool = False,
    zone: dt.tzinfo | None = None,
    sites: Mapping[str, str] | None = None,
    written_zone: dt.tzinfo | None = None,
) -> tuple[list[Path], list[str]]:
    """Write the chosen reports into ``folder``.

    Parameters
    ----------
    session
        The project's detections, verdicts and recordings.
    folder
        Where the tables go (made if missing).
    what
        Names from :data:`REPORT_NAMES`.
    root
        The project folder: sites are recordings' folders below it, and
        recording paths in ``events.csv`` are relative to it.
    gap
        Events: seconds allowed between detections of one event.
    threshold, thresholds
        Lowest score that counts, overall and per species.
    accepted_only
        Events and presence from accepted verdicts only.
    zone, sites, written_zone
        Clock-time zone, sites and the zone of start times written without one
        (see :func:`~audioclass_gui.review.activity.activity`).

    Returns
    -------
    (files, notes)
        The files written, and what the reader should know, in words.

    Raises
    ------
    ValueError
        For an unknown report name or a negative gap.
    """
    unknown = [w for w in what if w not in REPORT_NAMES]
    if unknown:
        raise ValueError(f"unknown report {unknown[0]!r} (choose from {', '.join(REPORT_NAMES)})")
    out = Path(folder)
    counted = DetectionFilter(min_score=float(threshold), thresholds=dict(thresholds or {}))
    act = activity(
        session, counted, root=root, sites=sites, zone=zone, written_zone=written_zone
    )
    species = session.species_list()
    common = [session.common_name(name) for name in species]
    written: list[Path] = []
    if "events" in what:
        wanted = (
            DetectionFilter(min_score=-np.inf, statuses={Status.ACCEPTED}, relabelled=False)
            if accepted_only
            else counted
        )
        events = group_events(session, gap, wanted)
        paths = [str(r.path) for r in session.recordings]
        written.append(write_events(
            out / "events.csv", events, act, recordings=paths, common_names=common, root=root
        ))
        written.append(write_event_counts(out / "event_counts.csv", events, act, common))
    if "activity" in what:
        written.append(write_activity_day(out / "activity_day.csv", act, common))
        written.append(write_activity_hour(out / "activity_hour.csv", act, common))
    if "presence" in what:
        written += write_presence(out / "presence", act, accepted_only=accepted_only)
    if "summary" in what:
        written.append(write_summary_site_day(out / "summary_site_day.csv", act))
        review = species_review(session, counted, act.species_detections)
        written.append(write_summary_species(out / "summary_species.csv", review))
    return written, _notes(act, len(session.recordings))
