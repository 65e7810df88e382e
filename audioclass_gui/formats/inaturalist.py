"""iNaturalist observations in the CSV layout of iNaturalist's "Import observations" page.

iNaturalist's CSV import reads a header row and then, by position, eight
columns (:data:`INAT_COLUMNS`, named as in iNaturalist's own template):
the taxon name it looks up (a scientific name is unambiguous where common
names are not), the date observed (``YYYY-MM-DD HH:MM:SS``, taken in the
time zone of the importing account), a description, a place name,
latitude and longitude (WGS84 decimal degrees), tags (comma-separated) and
geoprivacy (``open``, ``obscured`` or ``private``; empty: the account's
default). Rows whose first cell starts with ``#`` are skipped. Columns
after the eighth are ignored (or, when importing into a project, read as
that project's observation fields of the same name).

The CSV import attaches no media: photos and sounds are added to each
observation afterwards. So the clip's file name is written twice: in the
description, where it stays with the observation, and in the column
:data:`SOUND_COLUMN` after the eight, for the person adding the sounds.
"""

from __future__ import annotations

from dataclasses import dataclass

from audioclass_gui.formats.site_locations import SiteLocation, format_degrees

__all__ = ["GEOPRIVACY", "INAT_COLUMNS", "SOUND_COLUMN", "InatOptions", "inat_row"]

#: iNaturalist's import columns, by position, as its template names them.
INAT_COLUMNS = (
    "Taxon name",
    "Date observed",
    "Description",
    "Place name",
    "Latitude / y coord / northing",
    "Longitude / x coord / easting",
    "Tags",
    "Geoprivacy",
)
#: The clip's path below the clips folder (ignored by the import).
SOUND_COLUMN = "Sound file"
#: Geoprivacy values iNaturalist knows ("" : the account's default).
GEOPRIVACY = ("", "open", "obscured", "private")


@dataclass(frozen=True)
class InatOptions:
    """How the iNaturalist file is written.

    Parameters
    ----------
    geoprivacy
        One of :data:`GEOPRIVACY`.
    tags
        Tags on every observation.

    Raises
    ------
    ValueError
        For an unknown geoprivacy.
    """

    geoprivacy: str = ""
    tags: tuple[str, ...] = ("audioclass-gui", "sound recording")

    def __post_init__(self) -> None:
        object.__setattr__(self, "geoprivacy", str(self.geoprivacy or "").lower())
        if self.geoprivacy not in GEOPRIVACY:
            raise ValueError(
                f"unknown geoprivacy {self.geoprivacy!r} (choose from open, obscured, private)"
            )



def inat_row(
    *,
    scientific_name: str,
    observed: str,
    description: str,
    site: str,
    location: SiteLocation,
    sound_file: str,
    options: InatOptions,
) -> list[str]:
    """One row: :data:`INAT_COLUMNS` then :data:`SOUND_COLUMN`."""
    tags = [t.replace(",", " ") for t in options.tags if t]
    return [
        scientific_name,
        observed,
        " ".join(description.split()),
        location.name or site,
        format_degrees(location.latitude),
        format_degrees(location.longitude),
        ",".join(tags),
        options.geoprivacy,
        sound_file,
    ]
