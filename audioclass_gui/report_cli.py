"""``audioclass-gui report``: a deployment's tables without opening the window.

::

    audioclass-gui report PROJECT -o OUT_DIR [--what events,activity,presence,summary,all]
                          [--gap S] [--threshold T] [--thresholds CSV] [--accepted-only]
                          [--zone ZONE] [--recorder-zone ZONE]
    audioclass-gui report PROJECT -o OUT_DIR --what checklists [--sites CSV] [--clips] ...

PROJECT is a reviewed folder or a ``.jsonl`` project file, opened
read-only (this works while the app has it open). The tables
(:mod:`audioclass_gui.formats.activity_tables`) go into OUT_DIR:

* ``events``: ``events.csv`` and ``event_counts.csv``;
* ``activity``: ``activity_day.csv`` and ``activity_hour.csv``;
* ``presence``: ``presence/<species>.csv`` (R ``unmarked`` detection histories);
* ``summary``: ``summary_site_day.csv`` and ``summary_species.csv``;
* ``checklists`` (not part of ``all``): eBird checklists and iNaturalist
  observations (:mod:`audioclass_gui.checklists_cli`).

Detections count when their score reaches ``--threshold`` (or their
species' threshold in ``--thresholds``, a thresholds CSV as ``export
--format thresholds`` writes); ``--accepted-only`` makes events and
presence from accepted verdicts only. Sites are the recordings' folders
below the project folder; clock times are the recordings' own (local where
their zone is known), or in ``--zone`` (an IANA name such as
``Europe/Berlin``) where their zone is known; ``--recorder-zone`` gives
the zone of start times written without one (file names: an AudioMoth
names its files in UTC unless set otherwise), which are then converted too.

Exit status: 0 when written, 1 for a project that cannot be opened or a
table that cannot be written, 2 for bad arguments, :data:`EXIT_NOTHING`
when the project holds nothing to report (no detections).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from audioclass_gui.checklists_cli import (
    CHECKLISTS,
    add_checklist_arguments,
    read_sites,
    write_from_args,
)

__all__ = ["EXIT_NOTHING", "REPORTS", "main"]

#: Exit status when the project holds no detection.
EXIT_NOTHING = 4
#: What ``--what`` chooses from.
REPORTS = ("events", "activity", "presence", "summary")


def _reports(text: str) -> list[str]:
    out = []
    for part in text.split(","):
        part = part.strip().lower()
        if part == "all":
            out.extend(REPORTS)
        elif part in (*REPORTS, CHECKLISTS):
            out.append(part)
        else:
            raise argparse.ArgumentTypeError(
                f"unknown report {part!r} (choose from {', '.join(REPORTS)}, all, {CHECKLISTS})"
            )
    return out


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError("the gap is a number of seconds >= 0")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="audioclass-gui report",
        description="Write a deployment's tables (vocal events, activity per day and hour, "
        "presence per site and day, summary) as CSV, without opening the window.",
    )
    p.add_argument("project", type=Path, help="the reviewed folder or a .jsonl project file")
    p.add_argument("-o", "--output", type=Path, required=True, help="folder for the tables")
    p.add_argument(
        "--what", dest="what", type=_reports, action="append", metavar="REPORTS",
        help="events, activity, presence, summary, or all (default; repeat or comma-separate)",
    )
    p.add_argument(
        "--gap", type=_seconds, default=0.0,
        help="events: seconds allowed between detections of one event (default 0: they "
        "must touch or overlap)",
    )
    p.add_argument(
        "--threshold", type=float, default=0.0,
        help="lowest score of a detection that counts (default 0: all)",
    )
    p.add_argument(
        "--thresholds", type=Path, metavar="CSV",
        help="per-species thresholds (a thresholds CSV); others use --threshold",
    )
    p.add_argument(
        "--accepted-only", action="store_true",
        help="events and presence from accepted verdicts only",
    )
    p.add_argument(
        "--zone", help="clock times in this time zone (IANA name) where a recording's is known",
    )
    p.add_argument(
        "--recorder-zone", metavar="ZONE",
        help="the zone of start times written without one, e.g. UTC for AudioMoth file names "
        "(default: taken as written)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on stderr")
    add_checklist_arguments(p)
    return p


def _fail(message: str, code: int) -> int:
    print(f"audioclass-gui report: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``audioclass-gui report``; returns the exit code."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    what = list(dict.fromkeys(r for group in args.what or [list(REPORTS)] for r in group))
    from audioclass_gui.review.recording_clock import zone_from_name

    try:
        zone, written_zone = zone_from_name(args.zone), zone_from_name(args.recorder_zone)
    except ValueError as exc:
        return _fail(str(exc), 2)
    thresholds: dict[str, float] = {}
    if args.thresholds is not None:
        from audioclass_gui.formats.thresholds import read_thresholds_csv

        try:
            thresholds = dict(read_thresholds_csv(args.thresholds))
        except (OSError, ValueError) as exc:
            return _fail(f"{args.thresholds}: {exc}", 2)
    try:
        sites = read_sites(args.sites) if CHECKLISTS in what else {}
    except (OSError, ValueError) as exc:
        return _fail(str(exc) if isinstance(exc, ValueError) else f"{args.sites}: {exc}", 2)
    if not (args.project.is_dir() or args.project.is_file()):
        return _fail(f"{args.project}: no such project (give a reviewed folder or a .jsonl "
                     "project file)", 1)
    from audioclass_gui.project import ReviewProject

    try:
        project = ReviewProject.open(args.project, read_only=True)
    except (FileNotFoundError, OSError, ValueError) as exc:
        return _fail(f"{args.project}: {exc}", 1)
    if not args.quiet:
        for problem in project.problems:
            print(f"audioclass-gui: {problem}", file=sys.stderr)
    if not len(project.session):
        return _fail(f"{args.project}: nothing to report: the project holds no detections "
                     "(run a model over its recordings first)", EXIT_NOTHING)
    from audioclass_gui.formats.deployment_reports import write_reports

    try:
        written, notes = write_reports(
            project.session, args.output, [w for w in what if w != CHECKLISTS],
            root=project.root, gap=args.gap, threshold=args.threshold,
            thresholds=thresholds, accepted_only=args.accepted_only, zone=zone,
            written_zone=written_zone,
        ) if what != [CHECKLISTS] else ([], [])
        if CHECKLISTS in what:
            more, said = write_from_args(
                args, project, sites=sites, zone=zone, thresholds=thresholds,
                written_zone=written_zone,
            )
            written, notes = written + more, notes + said
    except (OSError, ValueError) as exc:
        return _fail(f"writing the tables failed: {exc}", 1)
    for path in written:
        print(path)
    if not args.quiet:
        for note in notes:
            print(f"audioclass-gui report: {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
