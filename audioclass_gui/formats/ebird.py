"""eBird checklists in the "eBird Record Format (Extended)" that eBird's import reads.

eBird's import (Submit › Import data, format "eBird Record Format
(Extended)") reads a CSV file without a header row, one row per species of
a checklist, in the 19 columns of :data:`EBIRD_COLUMNS` in that order.
Rows that share location, date, start time and effort make one checklist.
What this module writes, and why:

* **Date** ``MM/DD/YYYY`` and **Start Time** ``HH:MM`` (24-hour), local
  clock time at the site;
* **Number**: a count, or ``X`` for "present, not counted"
  (:data:`COUNTS`: ``one`` writes 1, ``x`` writes X, ``events`` the number
  of vocal events);
* **Genus** and **Species** from the scientific name. eBird matches a
  Common Name in the language of the importing account, so a US English
  name can be "unknown" to an account set to Australian English; the
  scientific name matches in every language, so the Common Name column is
  left empty unless asked for (``common_names``);
* **Protocol** ``Stationary`` (with Number of Observers and Duration in
  minutes) or ``Incidental`` (no duration);
* **All observations reported?** ``N`` unless told: a classifier reports
  only the species it knows, above a threshold;
* no double quotes inside a field (eBird's import instructions forbid
  them) and, so that no field ever needs CSV quoting, no commas (written
  as semicolons) and no line breaks.

Only birds go to eBird: BirdNET's other classes (frogs, insects, mammals,
whose codes in BirdNET's taxonomy table start with ``t-``, and
one-word classes such as ``Engine`` or ``Dog``) are left out, as is any
name that is not a binomial; :func:`ebird_taxon` decides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from audioclass_gui.formats.site_locations import SiteLocation, format_degrees

__all__ = [
    "COUNTS",
    "EBIRD_COLUMNS",
    "PROTOCOLS",
    "EbirdOptions",
    "columns_of",
    "ebird_row",
    "ebird_taxon",
    "ebird_text",
    "is_species_name",
]

#: The eBird Record Format (Extended), in the order the import reads them (no header).
EBIRD_COLUMNS = (
    "Common Name",
    "Genus",
    "Species",
    "Number",
    "Species Comments",
    "Location Name",
    "Latitude",
    "Longitude",
    "Date",
    "Start Time",
    "State/Province",
    "Country Code",
    "Protocol",
    "Number of Observers",
    "Duration",
    "All observations reported?",
    "Effort Distance Miles",
    "Effort area acres",
    "Submission Comments",
)
#: What the Number column holds.
COUNTS = ("one", "x", "events")
#: eBird protocols offered, as the Protocol column spells them.
PROTOCOLS = {"stationary": "Stationary", "incidental": "Incidental"}
_BINOMIAL = re.compile(r"^[A-Z][a-z-]+ [a-z-]+( [a-z-]+)?$")


@dataclass(frozen=True)
class EbirdOptions:
    """How the eBird file is written.

    Parameters
    ----------
    count
        ``"one"`` (1: one individual at least, the default), ``"x"``
        (present, not counted) or ``"events"`` (the number of vocal
        events: bouts of calling, not individuals).
    protocol
        ``"stationary"`` or ``"incidental"``.
    observers
        Number of Observers (the recorder: 1).
    complete
        Write ``Y`` in "All observations reported?" (stationary checklists
        only: an incidental one is never complete).
    common_names
        Fill the Common Name column as well as Genus and Species.

    Raises
    ------
    ValueError
        For an unknown count or protocol, or fewer than one observer.
    """

    count: str = "one"
    protocol: str = "stationary"
    observers: int = 1
    complete: bool = False
    common_names: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "count", str(self.count).lower())
        object.__setattr__(self, "protocol", str(self.protocol).lower())
        if self.count not in COUNTS:
            raise ValueError(f"unknown eBird count {self.count!r} (choose from {', '.join(COUNTS)})")
        if self.protocol not in PROTOCOLS:
            raise ValueError(
                f"unknown eBird protocol {self.protocol!r} (choose from {', '.join(PROTOCOLS)})"
            )
        if int(self.observers) < 1:
            raise ValueError(f"the number of observers must be at least 1, not {self.observers}")


def ebird_text(text: str) -> str:
    """``text`` as one eBird import field: no quotes, commas or line breaks."""
    text = str(text).replace('"', "").replace(",", ";")
    return re.sub(r"\s+", " ", text).strip()


def is_species_name(name: str) -> bool:
    """Whether ``name`` looks like a species' (or subspecies') scientific name.

    ``Turdus merula`` does; BirdNET's one-word classes (``Engine``,
    ``Noise``, ``Dog``) and labels such as ``Human vocal`` do not.
    """
    return bool(_BINOMIAL.match(" ".join(str(name).split())))


def ebird_taxon(scientific_name: str) -> tuple[str, str] | None:
    """``(genus, species)`` for a bird's scientific name; None for what eBird does not list.

    BirdNET V2.4's non-bird classes are recognised from its taxonomy table
    (:mod:`audioclass_gui.models.birdnet_taxonomy`); other names must look
    like a binomial (or trinomial) to be written.
    """
    from audioclass_gui.models.birdnet_taxonomy import ebird_code

    name = " ".join(str(scientific_name).split())
    code = ebird_code(name)
    if code is not None and code.startswith("t-"):
        return None
    if not is_species_name(name):
        return None
    genus, _, species = name.partition(" ")
    return genus, species



def ebird_row(
    *,
    scientific_name: str,
    common_name: str,
    number: str,
    species_comments: str,
    site: str,
    location: SiteLocation,
    date: str,
    start_time: str,
    duration_minutes: int | None,
    options: EbirdOptions,
    submission_comments: str,
) -> list[str]:
    """One row of :data:`EBIRD_COLUMNS` (the caller formats date and time).

    Raises
    ------
    ValueError
        If the species is not one eBird lists (see :func:`ebird_taxon`).
    """
    taxon = ebird_taxon(scientific_name)
    if taxon is None:
        raise ValueError(f"{scientific_name!r} is not a bird species eBird lists")
    stationary = options.protocol == "stationary"
    fields: Mapping[str, str] = {
        "Common Name": ebird_text(common_name) if options.common_names else "",
        "Genus": taxon[0],
        "Species": taxon[1],
        "Number": number,
        "Species Comments": ebird_text(species_comments),
        "Location Name": ebird_text(location.name or site),
        "Latitude": format_degrees(location.latitude),
        "Longitude": format_degrees(location.longitude),
        "Date": date,
        "Start Time": start_time,
        "State/Province": ebird_text(location.state),
        "Country Code": ebird_text(location.country),
        "Protocol": PROTOCOLS[options.protocol],
        "Number of Observers": str(int(options.observers)),
        "Duration": str(duration_minutes) if stationary and duration_minutes else "",
        "All observations reported?": "Y" if options.complete and stationary else "N",
        "Effort Distance Miles": "",
        "Effort area acres": "",
        "Submission Comments": ebird_text(submission_comments),
    }
    return [fields[c] for c in EBIRD_COLUMNS]


def columns_of(rows: Sequence[Sequence[str]]) -> list[dict[str, str]]:
    """Rows read back from an eBird file, as ``{column: value}`` (for checks and tests)."""
    return [dict(zip(EBIRD_COLUMNS, row, strict=True)) for row in rows]
