"""Which classes a run may report: species list and location/season filters.

Both filters reduce to one boolean mask over the model's classes, built
once per run by :func:`build_class_filter` and applied to every window
before the threshold and top-k. A class is reported only if it is on the
species list (when one is given) *and* passes the location filter (when a
site is known and the model has a location model, as BirdNET has).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from soundevent import data

    from audioclass_gui.models.base import ClipClassificationModel
    from audioclass_gui.models.settings import RunSettings

__all__ = [
    "ClassFilter",
    "Location",
    "build_class_filter",
    "resolve_location",
    "species_mask",
    "week_48",
]


@dataclass(frozen=True)
class Location:
    """Where and when a recording was made, for the location filter.

    Attributes
    ----------
    latitude, longitude
        Decimal degrees.
    week
        BirdNET's 48-week calendar (1-48), or -1 for all year.
    source
        ``"recording"`` (its metadata) or ``"settings"`` (the user).
    """

    latitude: float
    longitude: float
    week: int
    source: str


def week_48(date: dt.date) -> int:
    """The week of a date in BirdNET's 48-week year (1-48).

    Computed as birdnetlib does: ``ceil(day_of_year / days_in_year * 48)``.
    """
    days = 366 if calendar.isleap(date.year) else 365
    return max(1, min(48, math.ceil(date.timetuple().tm_yday / days * 48)))


def resolve_location(
    settings: RunSettings, recording: data.Recording | None = None
) -> Location | None:
    """The site and week the location filter uses, or None for no filter.

    Coordinates come from the recording's metadata where it has both and
    ``settings.use_recording_location`` is True, else from the settings.
    The week is ``settings.week`` when set, else the week of the
    recording's date, else -1 (all year).
    """
    lat = lon = None
    source = ""
    if (
        recording is not None
        and settings.use_recording_location
        and recording.latitude is not None
        and recording.longitude is not None
    ):
        lat, lon, source = recording.latitude, recording.longitude, "recording"
    elif settings.latitude is not None and settings.longitude is not None:
        lat, lon, source = settings.latitude, settings.longitude, "settings"
    if lat is None or lon is None:
        return None
    week = settings.week
    if week is None:
        date = getattr(recording, "date", None) if recording is not None else None
        week = week_48(date) if date is not None else -1
    return Location(float(lat), float(lon), int(week), source)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def species_mask(
    model: ClipClassificationModel, names: tuple[str, ...] | list[str]
) -> tuple[np.ndarray, list[str]]:
    """Mask of the model's classes whose tag value is one of ``names``.

    Matching ignores case and repeated spaces.

    Returns
    -------
    mask : numpy.ndarray
        bool, one per class.
    unknown : list of str
        Names that are not a class of the model.
    """
    wanted = {_key(n): n for n in names}
    index = {_key(str(tag.value)): i for i, tag in enumerate(model.tags)}
    mask = np.zeros(model.num_classes, dtype=bool)
    unknown = []
    for key, name in wanted.items():
        if key in index:
            mask[index[key]] = True
        else:
            unknown.append(name)
    return mask, unknown


@dataclass(frozen=True)
class ClassFilter:
    """The classes a run may report, and how that was decided.

    Attributes
    ----------
    mask
        bool per class (True = may be reported), or None to allow all.
    species_list
        Description of the species-list filter, or None when not used.
    location
        Description of the location filter, or None when not used.
    """

    mask: np.ndarray | None = None
    species_list: dict[str, Any] | None = None
    location: dict[str, Any] | None = field(default=None)

    @property
    def allowed(self) -> int | None:
        """Number of classes that may be reported (None: all)."""
        return None if self.mask is None else int(self.mask.sum())

    def describe(self) -> dict[str, Any]:
        """JSON-able description for the run's provenance."""
        return {
            "species_list": self.species_list,
            "location": self.location,
            "classes_allowed": self.allowed,
        }


def build_class_filter(
    model: ClipClassificationModel,
    settings: RunSettings,
    recording: data.Recording | None = None,
) -> ClassFilter:
    """Build the class mask of a run.

    Parameters
    ----------
    model
        The model; the location filter needs a ``location_scores(lat, lon,
        week)`` method returning one occurrence score per class (BirdNET
        has one). For a model without it the filter is skipped and the
        description says so.
    settings
        The run's settings.
    recording
        The recording, for coordinates and date in its metadata.

    Raises
    ------
    ValueError
        If a species list is given and none of its names is a class of the
        model.
    """
    mask: np.ndarray | None = None
    species_info = None
    if settings.species_list is not None:
        mask, unknown = species_mask(model, settings.species_list)
        source = settings.species_list_name or "the species list"
        if not mask.any():
            raise ValueError(
                f"none of the {len(settings.species_list)} species in {source} "
                f"is a class of {model.name} (e.g. {settings.species_list[0]!r})"
            )
        species_info = {
            "source": settings.species_list_name,
            "species": len(settings.species_list),
            "matched": int(mask.sum()),
            "unknown": unknown,
        }
    location_info = None
    where = resolve_location(settings, recording)
    if where is not None:
        location_info = {
            "latitude": where.latitude,
            "longitude": where.longitude,
            "week": where.week,
            "threshold": settings.location_threshold,
            "source": where.source,
        }
        scores_fn = getattr(model, "location_scores", None)
        if scores_fn is None:
            location_info.update(
                applied=False, reason=f"{model.name} has no location model"
            )
        else:
            scores = np.asarray(scores_fn(where.latitude, where.longitude, where.week))
            if scores.shape != (model.num_classes,):
                raise ValueError(
                    f"{model.name}: location_scores returned shape {scores.shape}, "
                    f"expected ({model.num_classes},)"
                )
            keep = scores >= settings.location_threshold
            location_info.update(applied=True, species_kept=int(keep.sum()))
            mask = keep if mask is None else (mask & keep)
    return ClassFilter(mask=mask, species_list=species_info, location=location_info)
