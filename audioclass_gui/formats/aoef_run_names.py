"""Names and uuids of exported model runs: unique, readable, and the same for the same run.

A project often holds several runs of one model (other settings, other
imports): exported with the model's name alone they were all "BirdNET" 2.4,
and Whombat, which keeps one model run per (name, version), imported only
the first. :func:`run_title` names a run by what makes it differ: the model
and version, the settings that change its results (overlap, sensitivity,
minimum score, top k, species list, location filter, part of the file), the
file it was imported from, the date it was made when its provenance says
it, and a short id, the start of :func:`run_uuid`: a uuid derived from the
run's key, model, provenance and recordings, so exporting the same run again
gives the same uuid and the same name, and two different runs never share
one.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["model_version", "run_title", "run_uuid"]

_NAMESPACE = uuid.UUID("0b3c6f7e-5d6a-4f43-9a55-6c1f3e2a9d41")
#: Provenance keys that may hold when a run was made.
_DATE_KEYS = ("created_on", "created", "date", "run_date", "started", "finished", "timestamp")


def model_version(provenance: Mapping[str, Any]) -> str:
    """The model's version as the provenance gives it (``model_version`` or ``version``), or ""."""
    for key in ("model_version", "version"):
        value = provenance.get(key)
        if value is not None and value != "":
            return str(value)
    return ""


def run_uuid(
    key: str, name: str, provenance: Mapping[str, Any], recordings: Iterable[str]
) -> uuid.UUID:
    """A uuid that depends only on the run: its key, model name, provenance and recordings.

    Parameters
    ----------
    key
        The run's key in the session (a project's run file).
    name
        The model's name.
    provenance
        How the run was made.
    recordings
        Paths of the recordings it has predictions for.
    """
    identity = json.dumps(
        {
            "key": key,
            "model": name,
            "provenance": provenance,
            "recordings": sorted(str(p) for p in recordings),
        },
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return uuid.uuid5(_NAMESPACE, identity)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _settings_words(provenance: Mapping[str, Any]) -> list[str]:
    settings = provenance.get("settings")
    settings = settings if isinstance(settings, Mapping) else {}
    effective = provenance.get("effective")
    effective = effective if isinstance(effective, Mapping) else {}
    words = []
    overlap = _number(_first(settings.get("overlap_seconds"), provenance.get("overlap")))
    if overlap:
        words.append(f"overlap {overlap:g} s")
    sensitivity = _number(
        _first(
            effective.get("sensitivity"),
            settings.get("sensitivity") if "sensitivity" not in effective else None,
            provenance.get("sensitivity"),
        )
    )
    if sensitivity is not None and sensitivity != 1.0:
        words.append(f"sensitivity {sensitivity:g}")
    threshold = _number(
        _first(
            effective.get("threshold"),
            settings.get("threshold"),
            provenance.get("threshold"),
            provenance.get("min_conf"),
            provenance.get("threshold_floor"),
        )
    )
    if threshold is not None:
        words.append(f"min score {threshold:g}")
    top_k = _number(settings.get("top_k"))
    if top_k:
        words.append(f"top {int(top_k)}")
    species = settings.get("species_list")
    if settings.get("species_list_name"):
        words.append(f"species list {Path(str(settings['species_list_name'])).name}")
    elif isinstance(species, list | tuple):
        words.append(f"species list of {len(species)}")
    lat, lon = _number(settings.get("latitude")), _number(settings.get("longitude"))
    if lat is not None and lon is not None:
        words.append(f"at {lat:.2f}, {lon:.2f}")
    week = _number(settings.get("week"))
    if week is not None and week > 0:
        words.append(f"week {int(week)}")
    start, end = _number(settings.get("start")) or 0.0, _number(settings.get("end"))
    if start or end is not None:
        words.append(f"{start:g}-{'end' if end is None else format(end, 'g')} s")
    source = provenance.get("source_file")
    if source:
        words.append(f"from {Path(str(source)).name}")
    return words


def _date(provenance: Mapping[str, Any]) -> str:
    """The day the run was made, as its provenance says (or its source file's date), or ""."""
    for key in _DATE_KEYS:
        value = provenance.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return dt.datetime.fromtimestamp(value, dt.UTC).date().isoformat()
            except (OverflowError, OSError, ValueError):
                continue
        if isinstance(value, str) and len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10]).isoformat()
            except ValueError:
                continue
    source = provenance.get("source_file")
    if source:
        try:
            mtime = Path(str(source)).stat().st_mtime
        except OSError:
            return ""
        return dt.datetime.fromtimestamp(mtime, dt.UTC).date().isoformat()
    return ""


def run_title(name: str, provenance: Mapping[str, Any], run_id: uuid.UUID) -> str:
    """A run's name for export: model, version, settings, date and a short id.

    Parameters
    ----------
    name
        The model's name.
    provenance
        How the run was made (see
        :meth:`~audioclass_gui.models.settings.RunSettings.to_provenance`).
    run_id
        The run's uuid (:func:`run_uuid`); its first six hex digits end the name.

    Returns
    -------
    str
        E.g. ``"BirdNET 2.4 (overlap 1.5 s, sensitivity 1.25, min score 0.05;
        2024-06-01) [3fa2c1]"``; parts the provenance does not give are left out.
    """
    title = name or "unknown model"
    version = model_version(provenance)
    if version and version not in title:
        title += f" {version}"
    words = ", ".join(_settings_words(provenance))
    date = _date(provenance)
    details = "; ".join(part for part in (words, date) if part)
    if details:
        title += f" ({details})"
    return f"{title} [{run_id.hex[:6]}]"
