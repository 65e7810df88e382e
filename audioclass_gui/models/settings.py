"""Every option of a model run in one frozen object, and its provenance.

:class:`RunSettings` is what the GUI's model panel, the CLI and batch runs
hand to :func:`audioclass_gui.models.inference.iter_predictions`. It is
immutable and made of plain values, so it can cross threads and processes
and be written to JSON: :meth:`RunSettings.to_provenance` records it (with
the model's name and version and the filters as applied) in the
``ModelRun``'s description, and :meth:`RunSettings.from_provenance` reads it
back.

Species lists are read by :func:`read_species_list`, which accepts plain
scientific names or BirdNET-style ``Genus species_Common Name`` lines.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audioclass_gui.models.textfile import read_user_text

if TYPE_CHECKING:
    from soundevent import data

    from audioclass_gui.models.base import ClipClassificationModel

__all__ = [
    "PROVENANCE_SCHEMA",
    "RunSettings",
    "read_species_list",
]

#: Identifies the layout of the provenance dictionaries written here.
PROVENANCE_SCHEMA = "audioclass-gui/run-provenance/1"

#: A genus and species (up to subspecies), or one capitalised word for the
#: non-species classes of BirdNET ("Dog", "Engine", "Noise"...).
_SCIENTIFIC = re.compile(r"^[A-Z][a-z-]*( [a-z.-]+){0,3}$")
_TUPLE_FIELDS = ("species_list",)


@dataclass(frozen=True)
class RunSettings:
    """The options of one model run.

    Every field has a default that reproduces a plain run (whole recording,
    non-overlapping windows, channels mixed, no filters).

    Parameters
    ----------
    threshold
        Minimum confidence: classes scoring above this become
        ``PredictedTag`` objects (a score equal to it is dropped, as in
        audioclass; BirdNET-Analyzer keeps one equal to its ``min_conf``,
        which with four-decimal scores changes nothing in practice). None
        uses the model's own ``confidence_threshold``.
    top_k
        Keep at most this many classes per window (the highest scoring
        ones, after the threshold and the filters); None keeps all.
    sensitivity
        BirdNET's detection sensitivity, 0.5 to 1.5 (1 = the plain
        sigmoid; higher gives higher scores). As in BirdNET-Analyzer 2.x,
        it shifts the sigmoid: ``1 / (1 + exp(-clip(x + 10 * (s - 1))))``.
        Models without a ``sensitivity`` attribute ignore it.
    overlap_seconds
        Overlap of consecutive windows in seconds; windows start every
        ``frame_seconds - overlap_seconds``. Must be below the model's
        window length.
    channel
        Zero-based channel to analyse, or None to mix all channels down.
    start, end
        The part of the recording to analyse, in real seconds; ``end=None``
        means to the end.
    species_list
        Keep only these classes (scientific names, as the model's tags
        spell them); None keeps all. Read a file with
        :func:`read_species_list`.
    species_list_name
        Where the list came from (a file name), recorded in the provenance.
    latitude, longitude
        Recording site in decimal degrees, for the location filter. Both
        or neither. Coordinates in the recording's metadata take
        precedence when ``use_recording_location`` is True.
    week
        Week of the year in BirdNET's 48-week calendar (1-48), or -1 for
        all year. None takes the week from the recording's date where it
        has one, else all year.
    location_threshold
        A species passes the location filter when the meta-model's
        occurrence score for the site and week is at least this
        (BirdNET-Analyzer's ``sf_thresh``, 0.03).
    use_recording_location
        Take latitude and longitude from the recording's metadata where
        present.
    language
        Language code of the common names (e.g. ``"de"``); None for the
        model's own (English for BirdNET). Needs a label file for that
        language (see :mod:`audioclass_gui.models.labels`).
    labels_file
        A label file with the common names to use (``Genus species_Name``
        lines); takes precedence over ``language``.
    batch_size
        Windows per model call; None uses the model's.
    num_threads
        Threads of the model's runtime; None lets the model choose.
    with_features
        Attach the per-window features (embeddings) to the predictions.
    resampler
        How recordings not at the model's rate are resampled: one of
        :data:`~audioclass_gui.audio.resample.RESAMPLERS` (``"kaiser_fast"``,
        BirdNET-Analyzer's; ``"soxr_vhq"``, closer to ideal); None for
        :data:`~audioclass_gui.audio.resample.DEFAULT_RESAMPLER`.
    """

    threshold: float | None = None
    top_k: int | None = None
    sensitivity: float = 1.0
    overlap_seconds: float = 0.0
    channel: int | None = None
    start: float = 0.0
    end: float | None = None
    species_list: tuple[str, ...] | None = None
    species_list_name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    week: int | None = None
    location_threshold: float = 0.03
    use_recording_location: bool = True
    language: str | None = None
    labels_file: str | None = None
    batch_size: int | None = None
    num_threads: int | None = None
    with_features: bool = False
    resampler: str | None = None

    def __post_init__(self) -> None:
        if self.species_list is not None and not isinstance(self.species_list, tuple):
            object.__setattr__(self, "species_list", tuple(self.species_list))
        if self.labels_file is not None and not isinstance(self.labels_file, str):
            object.__setattr__(self, "labels_file", os.fspath(self.labels_file))
        if self.resampler is not None:
            from audioclass_gui.audio.resample import check_resampler

            try:
                object.__setattr__(self, "resampler", check_resampler(self.resampler))
            except ValueError as exc:
                raise ValueError(f"invalid run settings: {exc}") from None
        problems = list(self._problems())
        if problems:
            raise ValueError("invalid run settings: " + "; ".join(problems))

    def _problems(self):
        def finite(x: float | None) -> bool:
            return x is None or math.isfinite(float(x))

        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            yield f"threshold must lie in [0, 1], not {self.threshold}"
        if self.top_k is not None and (int(self.top_k) != self.top_k or self.top_k < 1):
            yield f"top_k must be a whole number >= 1 or None, not {self.top_k}"
        if not 0.5 <= self.sensitivity <= 1.5:
            yield f"sensitivity must lie in [0.5, 1.5], not {self.sensitivity}"
        if not finite(self.overlap_seconds) or self.overlap_seconds < 0:
            yield f"overlap_seconds must be >= 0, not {self.overlap_seconds}"
        if self.channel is not None and (
            int(self.channel) != self.channel or self.channel < 0
        ):
            yield f"channel must be a zero-based index or None, not {self.channel}"
        if not finite(self.start) or self.start < 0:
            yield f"start must be >= 0 seconds, not {self.start}"
        if self.end is not None and (not finite(self.end) or self.end <= self.start):
            yield f"end ({self.end}) must be after start ({self.start})"
        if (self.latitude is None) != (self.longitude is None):
            yield "give both latitude and longitude, or neither"
        if self.latitude is not None and not -90.0 <= self.latitude <= 90.0:
            yield f"latitude must lie in [-90, 90], not {self.latitude}"
        if self.longitude is not None and not -180.0 <= self.longitude <= 180.0:
            yield f"longitude must lie in [-180, 180], not {self.longitude}"
        if self.week is not None and not (self.week == -1 or 1 <= self.week <= 48):
            yield f"week must be 1-48 or -1 (all year), not {self.week}"
        if not 0.0 <= self.location_threshold <= 1.0:
            yield f"location_threshold must lie in [0, 1], not {self.location_threshold}"
        if self.batch_size is not None and self.batch_size < 1:
            yield f"batch_size must be >= 1, not {self.batch_size}"
        if self.num_threads is not None and self.num_threads < 1:
            yield f"num_threads must be >= 1, not {self.num_threads}"
        if self.species_list is not None and not all(
            isinstance(s, str) and s.strip() for s in self.species_list
        ):
            yield "species_list must hold non-empty scientific names"

    # -- convenience -----------------------------------------------------

    def replace(self, **changes: Any) -> RunSettings:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def with_species_file(self, path: str | os.PathLike[str]) -> RunSettings:
        """A copy restricted to the species listed in a file.

        Raises
        ------
        ValueError
            As :func:`read_species_list`.
        """
        return self.replace(
            species_list=read_species_list(path), species_list_name=Path(path).name
        )

    def as_dict(self) -> dict[str, Any]:
        """The fields as JSON-able plain values."""
        out = dataclasses.asdict(self)
        if out["species_list"] is not None:
            out["species_list"] = list(out["species_list"])
        return out

    # -- provenance ------------------------------------------------------

    def to_provenance(
        self,
        model: ClipClassificationModel,
        recording: data.Recording | None = None,
    ) -> dict[str, Any]:
        """How a run with these settings is made, as a JSON-able dict.

        Parameters
        ----------
        model
            The constructed model.
        recording
            The recording, if the provenance is for one run: its location
            and date may feed the location filter.

        Returns
        -------
        dict
            ``schema``, ``app``, ``name``, ``model_version``, ``model_info``
            (name, version, rate, window length, classes), ``settings``
            (every field of this object, see :meth:`from_provenance`),
            ``effective`` (threshold and hop actually used) and
            ``filters`` (species list and location filter as applied,
            with how many classes each keeps).
        """
        from audioclass_gui import __version__
        from audioclass_gui.audio.resample import check_resampler, describe_resampler
        from audioclass_gui.models.filters import build_class_filter

        frame_seconds = model.input_samples / model.samplerate
        class_filter = build_class_filter(model, self, recording)
        threshold = (
            self.threshold if self.threshold is not None else model.confidence_threshold
        )
        return {
            "schema": PROVENANCE_SCHEMA,
            "app": f"audioclass-gui {__version__}",
            "name": model.name,
            "model_version": str(getattr(model, "version", "") or ""),
            "model_info": {
                "name": model.name,
                "version": str(getattr(model, "version", "") or ""),
                "class": f"{type(model).__module__}.{type(model).__qualname__}",
                "samplerate": int(model.samplerate),
                "input_samples": int(model.input_samples),
                "frame_seconds": frame_seconds,
                "num_classes": int(model.num_classes),
                "sensitivity_applies": hasattr(model, "sensitivity"),
            },
            "settings": self.as_dict(),
            "effective": {
                "threshold": float(threshold),
                "hop_seconds": frame_seconds - self.overlap_seconds,
                "channel": "mix" if self.channel is None else int(self.channel),
                "sensitivity": self.sensitivity
                if hasattr(model, "sensitivity")
                else None,
                "resampler": check_resampler(self.resampler),
                "resampler_detail": describe_resampler(self.resampler),
            },
            "filters": class_filter.describe(),
            **_model_provenance(model),
        }

    @classmethod
    def from_provenance(cls, provenance: dict[str, Any]) -> RunSettings:
        """The settings recorded by :meth:`to_provenance`.

        Fields missing from the record (written by an older version) take
        their defaults; unknown ones are ignored.

        Raises
        ------
        ValueError
            If the record holds no settings.
        """
        settings = provenance.get("settings")
        if not isinstance(settings, dict):
            raise ValueError("the provenance holds no run settings")
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in settings.items() if k in names}
        for key in _TUPLE_FIELDS:
            if kwargs.get(key) is not None:
                kwargs[key] = tuple(kwargs[key])
        return cls(**kwargs)


def read_species_list(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """Read a species list file.

    Each non-empty line holds one species: a scientific name
    (``Setophaga fusca``), or a BirdNET label (``Setophaga fusca_Blackburnian
    Warbler``), whose part before the first ``_`` is used. Lines starting
    with ``#`` are comments. Duplicates are dropped, order kept.

    Parameters
    ----------
    path
        The text file (UTF-8).

    Returns
    -------
    tuple of str
        The scientific names.

    Raises
    ------
    ValueError
        If the file cannot be read, holds no species, or a line is not a
        scientific name; the message names the file and the line.
    """
    p = Path(path)
    text = read_user_text(p, "species list")
    names: dict[str, None] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        scientific = " ".join(line.partition("_")[0].split())
        if not _SCIENTIFIC.match(scientific):
            shown = line if len(line) <= 60 else line[:57] + "..."
            raise ValueError(
                f"{p}, line {number}: {shown!r} is not a scientific name "
                "(expected 'Genus species' or 'Genus species_Common Name')"
            )
        names.setdefault(scientific, None)
    if not names:
        raise ValueError(f"{p}: the species list is empty")
    return tuple(names)


def _model_provenance(model: ClipClassificationModel) -> dict[str, Any]:
    """``{"model_provenance": ...}`` for a model that says where it came from.

    A classifier trained from verdicts
    (:class:`~audioclass_gui.learn.trained_model.TrainedClassifier`) has a
    ``provenance`` dict (species, training verdicts and reviewers, date,
    cross-validated figures): every run it makes keeps it.
    """
    own = getattr(model, "provenance", None)
    if isinstance(own, dict) and own:
        return {"model_provenance": own}
    return {}
