"""eBird checklists and iNaturalist observations of a deployment, as files to import by hand.

:func:`plan_checklists` runs where the review session lives: it makes the
checklists (:func:`~audioclass_gui.review.checklists.make_checklists`),
finds each site's location (:mod:`~audioclass_gui.formats.site_locations`)
and plans the clips of the best examples with the clips export's own
planner and namer (:mod:`~audioclass_gui.formats.clip_plan`,
:class:`~audioclass_gui.formats.clip_names.ClipNamer`), so the file names
in the iNaturalist table are those the clips get. :func:`write_checklists`
then writes, in any thread, into one folder:

* :data:`EBIRD_NAME`: one eBird checklist per site and date
  (:mod:`~audioclass_gui.formats.ebird`), no header row, as eBird's
  import wants;
* :data:`INAT_NAME`: one iNaturalist observation per species, site and
  date, the accepted detection with the highest score
  (:mod:`~audioclass_gui.formats.inaturalist`), naming its clip;
* with ``clips``, those clips below :data:`CLIPS_FOLDER`, with the clips
  export's ``manifest.csv`` (:func:`~audioclass_gui.formats.clips.write_clips`).

Nothing is uploaded. The notes returned say in words what the reader
should know: sites without a location (their rows are written with empty
coordinates: eBird's import then asks for the location, iNaturalist
leaves the observation unplaced), species eBird does not list, recordings
without a start time or a time zone, clips that could not be made.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from audioclass_gui.formats.atomic import atomic_write_text
from audioclass_gui.formats.clip_names import ClipNamer
from audioclass_gui.formats.clip_plan import ClipOptions, ClipPlan, ClipSpec, plan_clips
from audioclass_gui.formats.ebird import (
    EbirdOptions,
    ebird_row,
    ebird_taxon,
    is_species_name,
)
from audioclass_gui.formats.inaturalist import (
    INAT_COLUMNS,
    SOUND_COLUMN,
    InatOptions,
    inat_row,
)
from audioclass_gui.formats.site_locations import SiteLocation, site_locations
from audioclass_gui.review.checklists import (
    BestExample,
    Checklists,
    SiteDay,
    SpeciesDay,
    make_checklists,
)
from audioclass_gui.review.query import DetectionFilter

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = [
    "CLIPS_FOLDER",
    "EBIRD_NAME",
    "INAT_NAME",
    "ChecklistOptions",
    "ChecklistPlan",
    "export_checklists",
    "plan_checklists",
    "write_checklists",
]

EBIRD_NAME = "ebird_checklists.csv"
INAT_NAME = "inaturalist_observations.csv"
CLIPS_FOLDER = "clips"

_COUNT_WORDS = {
    "one": "1 = at least one individual heard",
    "x": "X = present; not counted",
    "events": "the number of vocal events (bouts of calling; not individuals)",
}
_SOURCE_WORDS = {
    "accepted": "detections a reviewer listened to and accepted",
    "detections": "classifier detections at score thresholds (those a reviewer rejected "
    "left out)",
}


@dataclass(frozen=True)
class ChecklistOptions:
    """What the checklists count and how the files are written.

    Parameters
    ----------
    source
        ``"accepted"`` (accepted verdicts) or ``"detections"`` (detections
        at the thresholds).
    gap
        Seconds allowed between detections of one vocal event.
    threshold, thresholds
        With ``"detections"``: the lowest score that counts, overall and
        per species.
    zone
        Clock times in this time zone where a recording's zone is known.
    written_zone
        The zone of start times written without one (the recorders' clocks).
    ebird, inat
        The two files' options.
    clips
        Also write the best examples' clips into :data:`CLIPS_FOLDER`.
    clip_format, context
        The clips' format (``wav`` or ``flac``) and seconds of context.
    """

    source: str = "accepted"
    gap: float = 0.0
    threshold: float = 0.0
    thresholds: Mapping[str, float] = field(default_factory=dict)
    zone: dt.tzinfo | None = None
    written_zone: dt.tzinfo | None = None
    ebird: EbirdOptions = field(default_factory=EbirdOptions)
    inat: InatOptions = field(default_factory=InatOptions)
    clips: bool = False
    clip_format: str = "wav"
    context: float = 0.0

    def clip_options(self, ids: frozenset[int]) -> ClipOptions:
        """The clips export's options for the best examples ``ids``."""
        return ClipOptions(
            fmt=self.clip_format, context=self.context, statuses=frozenset({"accepted"}),
            kinds=frozenset({"detections"}), ids=ids,
        )


@dataclass(eq=False)
class ChecklistPlan:
    """A snapshot of what :func:`write_checklists` writes (see :func:`plan_checklists`)."""

    options: ChecklistOptions
    checklists: Checklists
    locations: dict[str, SiteLocation]
    clips: ClipPlan
    clip_names: dict[int, str]
    specs: dict[int, ClipSpec]
    notes: list[str]


def _clip_names(plan: ClipPlan) -> tuple[dict[int, str], dict[int, ClipSpec]]:
    """Each planned detection clip's name, as :func:`write_clips` names it, and its spec."""
    namer = ClipNamer(plan.options.fmt)
    names, specs = {}, {}
    for spec in plan.specs():
        if spec.detection is None:
            continue
        names[spec.detection] = namer.name(
            spec.path, spec.species, spec.start, spec.end, spec.verdict, spec.kind
        )
        specs[spec.detection] = spec
    return names, specs


def plan_checklists(
    session: ReviewSession,
    options: ChecklistOptions | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    sites: Mapping[str, SiteLocation] | None = None,
) -> ChecklistPlan:
    """Make the checklists, the sites' locations and the clip plan, from the session as it is.

    Parameters
    ----------
    session
        The review.
    options
        What counts and how the files are written.
    root
        The project folder (sites are the recordings' folders below it).
    sites
        Site locations from a sites CSV
        (:func:`~audioclass_gui.formats.site_locations.read_sites_csv`).
    """
    options = options or ChecklistOptions()
    counted = DetectionFilter(
        min_score=float(options.threshold), thresholds=dict(options.thresholds)
    )
    checklists = make_checklists(
        session, options.source, filter=counted, gap=options.gap, root=root, zone=options.zone,
        written_zone=options.written_zone,
    )
    locations, notes = site_locations(
        session.recordings, checklists.sites, checklists.site_of, sites
    )
    ids = frozenset(b.detection for b in checklists.best)
    clips = plan_clips(session, options.clip_options(ids))
    names, specs = _clip_names(clips)
    return ChecklistPlan(options, checklists, locations, clips, names, specs, notes)


def _time_note(checklists: Checklists) -> list[str]:
    notes = []
    if checklists.undated_recordings:
        notes.append(
            f"{checklists.undated_recordings} recording(s) have no start time (from GUANO, "
            "an AudioMoth comment or the file name): they are in no checklist"
            + (
                f" ({checklists.undated_detections} counted detection(s) left out)"
                if checklists.undated_detections else ""
            )
        )
    if checklists.naive_recordings:
        notes.append(
            f"{checklists.naive_recordings} recording(s) give no time zone: their times are "
            "the recorder's clock as written; eBird and iNaturalist want local time at the site"
        )
    return notes


def _minutes(day: SiteDay | None) -> int | None:
    if day is None or day.audio_seconds <= 0:
        return None
    return max(1, round(day.audio_seconds / 60.0))


def _ebird_rows(plan: ChecklistPlan) -> tuple[list[list[str]], list[str]]:
    opts, checklists = plan.options, plan.checklists
    days = {(d.site, d.date): d for d in checklists.site_days}
    rows, skipped = [], set()
    for entry in checklists.species:
        if ebird_taxon(entry.scientific_name) is None:
            skipped.add(entry.scientific_name)
            continue
        day = days.get((entry.site, entry.date))
        start = day.start if day is not None else entry.first
        minutes = _minutes(day)
        rows.append(
            ebird_row(
                scientific_name=entry.scientific_name,
                common_name=_common_name(entry),
                number={"one": "1", "x": "X"}.get(opts.ebird.count, str(entry.events)),
                species_comments=_species_comment(entry, checklists.source),
                site=entry.site,
                location=plan.locations.get(entry.site, SiteLocation()),
                date=entry.date.strftime("%m/%d/%Y"),
                start_time=start.strftime("%H:%M"),
                duration_minutes=minutes,
                options=opts.ebird,
                submission_comments=_submission_comment(entry.site, day, minutes, plan),
            )
        )
    notes = []
    if skipped:
        notes.append(
            "left out of the eBird file (not bird species eBird lists): " + ", ".join(sorted(skipped))
        )
    return rows, notes


def _common_name(entry: SpeciesDay) -> str:
    from audioclass_gui.models.birdnet_taxonomy import common_name

    return common_name(entry.scientific_name) or entry.common_name


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _species_comment(entry: SpeciesDay, source: str) -> str:
    text = (
        f"{_plural(entry.events, 'vocal event')} ({_plural(entry.detections, 'detection')}) "
        f"from {entry.first:%H:%M} to {entry.last:%H:%M}; highest score {entry.max_score:.2f}"
    )
    if source == "detections":
        text += f"; {entry.accepted} accepted by the reviewer"
    return text


def _submission_comment(
    site: str, day: SiteDay | None, minutes: int | None, plan: ChecklistPlan
) -> str:
    opts = plan.options
    parts = [f"Unattended sound recorder at site {site}"]
    if minutes:
        parts.append(f"{minutes} min of audio that day")
    if day is not None and not day.zoned:
        parts.append("times on the recorder's clock")
    joined = (
        f"detections less than {opts.gap:g} s apart" if opts.gap > 0
        else "detections that touch or overlap"
    )
    parts.append(
        f"species from {_SOURCE_WORDS[opts.source]} in audioclass-gui ({joined} make one "
        "vocal event)"
    )
    parts.append(f"Number: {_COUNT_WORDS[opts.ebird.count]}")
    return "; ".join(parts) + "."


def _inat_rows(
    plan: ChecklistPlan, names: Mapping[int, str]
) -> tuple[list[list[str]], list[str]]:
    rows, skipped = [], set()
    for best in plan.checklists.best:
        if not is_species_name(best.scientific_name):
            skipped.add(best.scientific_name)
            continue
        spec = plan.specs.get(best.detection)
        clip = names.get(best.detection, "")
        rows.append(
            inat_row(
                scientific_name=best.scientific_name,
                observed=best.clock.strftime("%Y-%m-%d %H:%M:%S"),
                description=_description(best, spec, clip),
                site=best.site,
                location=plan.locations.get(best.site, SiteLocation()),
                sound_file=clip,
                options=plan.options.inat,
            )
        )
    notes = []
    if skipped:
        notes.append(
            "left out of the iNaturalist file (not a species' scientific name): "
            + ", ".join(sorted(skipped))
        )
    return rows, notes


def _description(best: BestExample, spec: ClipSpec | None, clip: str) -> str:
    common = spec.common if spec is not None and spec.common != best.scientific_name else ""
    who = spec.reviewer if spec is not None and spec.reviewer else "a reviewer"
    name = f"{common} ({best.scientific_name})" if common else best.scientific_name
    recording = PurePath(best.recording).name
    zone = f" (UTC{best.offset})" if best.offset else " (recorder's clock)"
    text = (
        f"{name} heard by an unattended sound recorder at site {best.site}, "
        f"{best.clock:%Y-%m-%d %H:%M:%S}{zone}. Found by a classifier (score "
        f"{best.score:.2f}) and accepted by {who} in audioclass-gui. "
        f"Recording {recording}, {best.start:.1f}-{best.end:.1f} s."
    )
    return text + (f" Sound: {clip}" if clip else "")


def _csv_text(rows: list[list[str]], header: tuple[str, ...] | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _written_clip_names(manifest: Path) -> dict[int, str]:
    """Detection id -> clip path, from a clips export's manifest."""
    with open(manifest, encoding="utf-8", newline="") as handle:
        return {int(r["Detection"]): r["Clip"] for r in csv.DictReader(handle) if r["Detection"]}


def write_checklists(
    plan: ChecklistPlan, folder: str | os.PathLike[str]
) -> tuple[list[Path], list[str]]:
    """Write the files of ``plan`` into ``folder`` (made if missing).

    Returns
    -------
    (files, notes)
        The files written (with the clips' manifest, not each clip), and
        what the reader should know, in words.

    Raises
    ------
    OSError
        If a file cannot be written.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    notes = list(plan.notes) + _time_note(plan.checklists)
    missing = sorted(s for s, loc in plan.locations.items() if not loc.known and _used(plan, s))
    if missing:
        notes.append(
            f"no location for site(s) {', '.join(missing)}: their checklists and observations "
            "have empty latitude and longitude (eBird's import then asks you to choose the "
            "location; iNaturalist leaves the observation without a place); give the sites' "
            "positions in a sites CSV (site,latitude,longitude[,location])"
        )
    written: list[Path] = []
    names = plan.clip_names
    if plan.options.clips and len(plan.clips):
        from audioclass_gui.formats.clips import write_clips

        result = write_clips(plan.clips, out / CLIPS_FOLDER)
        written += result.paths
        names = _written_clip_names(result.paths[0])
        if result.problems:
            notes.append(
                f"{result.problems} clip(s) could not be made (recording missing or "
                f"unreadable); see {result.paths[-1]}; their observations name no sound file"
            )
    rows, more = _ebird_rows(plan)
    notes += more
    if not plan.checklists.species:
        notes.append(
            "no checklist: nothing counted"
            + (" (no accepted verdicts yet)" if plan.options.source == "accepted" else "")
        )
    ebird = out / EBIRD_NAME
    atomic_write_text(ebird, _csv_text(rows, None))
    inat_rows, more = _inat_rows(plan, names)
    notes += more
    if not plan.checklists.best:
        notes.append(
            "no iNaturalist observation: they are made of accepted detections in recordings "
            "with a start time, and there are none"
        )
    inat = out / INAT_NAME
    atomic_write_text(inat, _csv_text(inat_rows, (*INAT_COLUMNS, SOUND_COLUMN)))
    return [ebird, inat, *written], notes


def _used(plan: ChecklistPlan, site: str) -> bool:
    checklists = plan.checklists
    return any(s.site == site for s in checklists.species) or any(
        b.site == site for b in checklists.best
    )


def export_checklists(
    session: ReviewSession,
    folder: str | os.PathLike[str],
    options: ChecklistOptions | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    sites: Mapping[str, SiteLocation] | None = None,
) -> tuple[list[Path], list[str]]:
    """Plan and write in one go (see :func:`plan_checklists` and :func:`write_checklists`)."""
    plan = plan_checklists(session, options, root=root, sites=sites)
    return write_checklists(plan, folder)
