"""``audioclass-gui report --what checklists``: its options and its run.

Kept apart from :mod:`audioclass_gui.report_cli` so that the report
command only adds these options and calls :func:`write_from_args`. What is
written: :mod:`audioclass_gui.formats.checklists`.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from audioclass_gui.project import ReviewProject

__all__ = ["CHECKLISTS", "add_checklist_arguments", "read_sites", "write_from_args"]

#: The report name that asks for the checklists (not part of ``all``).
CHECKLISTS = "checklists"


def _observers(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("the number of observers is at least 1")
    return value


def _context(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError("the context is a number of seconds >= 0")
    return value


def add_checklist_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the checklists' options to ``audioclass-gui report``'s parser."""
    from audioclass_gui.formats.ebird import COUNTS, PROTOCOLS
    from audioclass_gui.review.checklists import SOURCES

    g = parser.add_argument_group(
        "checklists (--what checklists: eBird checklists and iNaturalist observations)"
    )
    g.add_argument(
        "--sites", type=Path, metavar="CSV",
        help="where the sites are: site,latitude,longitude[,location] (a header row may "
        "name location, state and country too); else the recordings' GUANO positions",
    )
    g.add_argument(
        "--checklist-from", choices=SOURCES, default="accepted",
        help="species from accepted verdicts (default) or from detections at --threshold / "
        "--thresholds (rejected ones left out)",
    )
    g.add_argument(
        "--ebird-count", choices=COUNTS, default="one",
        help="eBird's Number: one (1, default), x (present) or events (vocal events)",
    )
    g.add_argument(
        "--ebird-protocol", choices=tuple(PROTOCOLS), default="stationary",
        help="stationary (with start time and minutes of audio; default) or incidental",
    )
    g.add_argument(
        "--ebird-complete", action="store_true",
        help="say Y to 'all observations reported' (only if every species heard is listed)",
    )
    g.add_argument(
        "--ebird-common-names", action="store_true",
        help="fill eBird's Common Name column too (matched in your eBird account's language)",
    )
    g.add_argument("--observers", type=_observers, default=1, help="eBird's Number of Observers")
    g.add_argument(
        "--geoprivacy", choices=("open", "obscured", "private"), default="",
        help="iNaturalist geoprivacy (default: your account's)",
    )
    g.add_argument(
        "--clips", action="store_true",
        help="also write the iNaturalist observations' audio clips into OUT_DIR/clips",
    )
    g.add_argument("--clip-format", choices=("wav", "flac"), default="wav")
    g.add_argument(
        "--context", type=_context, default=0.0, help="clips: seconds before and after",
    )


def read_sites(path: Path | None) -> dict:
    """The sites CSV of ``--sites`` ({} without one); ValueError/OSError as it reads."""
    if path is None:
        return {}
    from audioclass_gui.formats.site_locations import read_sites_csv

    return read_sites_csv(path)


def write_from_args(
    args: argparse.Namespace,
    project: ReviewProject,
    *,
    sites: Mapping,
    zone: dt.tzinfo | None,
    thresholds: Mapping[str, float],
    written_zone: dt.tzinfo | None = None,
) -> tuple[list[Path], list[str]]:
    """Write the checklists ``args`` ask for into ``args.output``."""
    from audioclass_gui.formats.checklists import ChecklistOptions, export_checklists
    from audioclass_gui.formats.ebird import EbirdOptions
    from audioclass_gui.formats.inaturalist import InatOptions

    options = ChecklistOptions(
        source=args.checklist_from,
        gap=args.gap,
        threshold=args.threshold,
        thresholds=dict(thresholds),
        zone=zone,
        written_zone=written_zone,
        ebird=EbirdOptions(
            count=args.ebird_count, protocol=args.ebird_protocol, observers=args.observers,
            complete=args.ebird_complete, common_names=args.ebird_common_names,
        ),
        inat=InatOptions(geoprivacy=args.geoprivacy),
        clips=args.clips,
        clip_format=args.clip_format,
        context=args.context,
    )
    return export_checklists(
        project.session, args.output, options, root=project.root, sites=sites
    )
