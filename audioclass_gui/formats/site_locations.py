"""Where each site is: a sites CSV the user gives, else the recordings' own metadata.

Checklists and observations need a place. Recorders that write GUANO
(``Loc Position``) give each recording's latitude and longitude
(:mod:`audioclass_gui.audio.metadata`); the app keeps them on the
recording. Where they do not (AudioMoth comments and file names carry no
position), a **sites CSV** says where each site is::

    site,latitude,longitude,location,state,country
    north,52.51234,13.40123,Tegel forest north,DE-BE,DE
    pond,52.50000,13.38000

``site`` is the site's name as the reports write it (the recordings'
folder below the project folder); ``latitude`` and ``longitude`` are WGS84
decimal degrees; ``location`` (a place name), ``state`` and ``country``
(codes, as eBird's import wants them) are optional. Without a header row
(no cell of the first row reads ``site``) the columns are taken in the
order ``site, latitude, longitude[, location]``.

The sites CSV wins over the metadata (it is what the user says); a site
with neither has no coordinates, and the caller says so.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SiteLocation", "format_degrees", "read_sites_csv", "site_locations"]

#: Header names (lower case) -> field, for a sites CSV with a header row.
_HEADER = {
    "site": "site",
    "latitude": "latitude",
    "lat": "latitude",
    "longitude": "longitude",
    "lon": "longitude",
    "lng": "longitude",
    "long": "longitude",
    "location": "name",
    "location name": "name",
    "place": "name",
    "place name": "name",
    "state": "state",
    "state/province": "state",
    "province": "state",
    "country": "country",
    "country code": "country",
}
_POSITIONAL = ("site", "latitude", "longitude", "name")
#: Recordings of one site further apart than this (km) are worth a note.
_SPREAD_KM = 1.0


@dataclass(frozen=True, slots=True)
class SiteLocation:
    """Where a site is.

    Attributes
    ----------
    latitude, longitude : float or None
        WGS84 degrees; None when unknown.
    name : str
        A place name ("" : none given).
    state, country : str
        Region codes for eBird ("" : none given).
    source : str
        ``"sites CSV"``, ``"recording metadata"`` or ``""`` (unknown).
    """

    latitude: float | None = None
    longitude: float | None = None
    name: str = ""
    state: str = ""
    country: str = ""
    source: str = ""

    @property
    def known(self) -> bool:
        """Whether the coordinates are known."""
        return self.latitude is not None and self.longitude is not None


def format_degrees(value: float | None) -> str:
    """A latitude or longitude as text: six decimals at most (about 0.1 m), "" when unknown."""
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _number(text: str, what: str, low: float, high: float, where: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: {what} {text!r} is not a number") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{where}: {what} {value:g} is outside {low:g} to {high:g} degrees")
    return value


def read_sites_csv(path: str | os.PathLike[str]) -> dict[str, SiteLocation]:
    """Read a sites CSV (see the module docstring) into ``{site: SiteLocation}``.

    Raises
    ------
    OSError
        If the file cannot be read.
    ValueError
        Naming the file and line, for a row without a site, coordinates
        that are not numbers or out of range, one coordinate without the
        other, an unknown header or a site given twice.
    """
    path = Path(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.reader(handle) if any(cell.strip() for cell in r)]
    if not rows:
        raise ValueError(f"{path}: no sites (expected site,latitude,longitude rows)")
    fields: Sequence[str] = _POSITIONAL
    first = 1
    head = [cell.strip().lower() for cell in rows[0]]
    if "site" in head:  # a header row names the columns
        unknown = [cell for cell in head if cell and cell not in _HEADER]
        if unknown:
            raise ValueError(
                f"{path}: line 1: unknown column {unknown[0]!r} (known: site, latitude, "
                "longitude, location, state, country)"
            )
        fields, first = [_HEADER.get(cell, "") for cell in head], 2
    out: dict[str, SiteLocation] = {}
    for line, row in enumerate(rows[first - 1 :], first):
        where = f"{path}: line {line}"
        values = {f: row[i].strip() for i, f in enumerate(fields) if f and i < len(row)}
        site = values.get("site", "")
        if not site:
            raise ValueError(f"{where}: no site name")
        if site in out:
            raise ValueError(f"{where}: site {site!r} is given twice")
        lat = _number(values.get("latitude", ""), "latitude", -90, 90, where)
        lon = _number(values.get("longitude", ""), "longitude", -180, 180, where)
        if (lat is None) != (lon is None):
            raise ValueError(f"{where}: give both the latitude and the longitude of {site!r}")
        out[site] = SiteLocation(
            lat, lon, values.get("name", ""), values.get("state", ""),
            values.get("country", ""), "sites CSV" if lat is not None else "",
        )
    return out


def _spread_km(lat: np.ndarray, lon: np.ndarray) -> float:
    """Largest distance of a position from the median one (equirectangular, km)."""
    mid_lat, mid_lon = float(np.median(lat)), float(np.median(lon))
    dx = np.radians(lon - mid_lon) * math.cos(math.radians(mid_lat))
    dy = np.radians(lat - mid_lat)
    return float(np.max(np.hypot(dx, dy)) * 6371.0)


def site_locations(
    recordings: Sequence[Any],
    sites: Sequence[str],
    site_of: np.ndarray,
    given: Mapping[str, SiteLocation] | None = None,
) -> tuple[dict[str, SiteLocation], list[str]]:
    """Each site's location, from ``given`` (a sites CSV), else its recordings' metadata.

    Parameters
    ----------
    recordings
        Objects with ``latitude`` and ``longitude`` (None when unknown).
    sites, site_of
        Site names, and per recording the index of its site.
    given
        From :func:`read_sites_csv`.

    Returns
    -------
    (locations, notes)
        ``{site: SiteLocation}`` for every site (unknown ones with no
        coordinates), and what the reader should know in words (sites of
        the CSV that no recording has; recordings of one site far apart).
        From metadata, a site's position is the median of its recordings'.
    """
    given = dict(given or {})
    notes = []
    stray = sorted(set(given) - set(sites))
    if stray:
        notes.append(
            f"the sites CSV names {len(stray)} site(s) no recording belongs to: "
            f"{', '.join(stray)} (sites are the recordings' folders: {', '.join(sites)})"
        )
    out: dict[str, SiteLocation] = {}
    for index, site in enumerate(sites):
        mine = given.get(site, SiteLocation())
        if mine.known:
            out[site] = mine
            continue
        positions = [
            (r.latitude, r.longitude)
            for r, s in zip(recordings, site_of, strict=True)
            if s == index and getattr(r, "latitude", None) is not None
            and getattr(r, "longitude", None) is not None
        ]
        if not positions:
            out[site] = mine
            continue
        lat, lon = np.asarray(positions, np.float64).T
        spread = _spread_km(lat, lon)
        if spread > _SPREAD_KM:
            notes.append(
                f"the recordings of site {site!r} give positions up to {spread:.1f} km from "
                "their median; the median is used (give the site's position in a sites CSV)"
            )
        out[site] = SiteLocation(
            float(np.median(lat)), float(np.median(lon)), mine.name, mine.state,
            mine.country, "recording metadata",
        )
    return out, notes
