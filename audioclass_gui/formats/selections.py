"""Rows of a selection table: one labelled time box, from a model or a person.

:class:`Selection` is what the Raven (:mod:`audioclass_gui.formats.raven`)
and CSV (:mod:`audioclass_gui.formats.csv_table`) writers write. It carries
no model specifics, so the same writers serve model predictions
(:func:`selections_from_predictions`) and reviewed verdicts: a verdict is a
selection with extra columns such as ``("Verdict", "accepted")``.

Conventions shared by every table we write, taken from BirdNET-Analyzer
2.4.0 (``analyze/utils.py``) where it has one:

* Species Code is the eBird code of the species (``rebshr1``), from the
  table shipped in :mod:`audioclass_gui.models.birdnet_taxonomy`; a name
  that is not one of BirdNET's classes is its own code, as BirdNET-Analyzer
  writes the label of a custom classifier (:func:`species_code`).
* The band of a detection is the band the model listened to, never above
  the recording's Nyquist frequency: BirdNET-Analyzer writes
  ``min(sample rate / 2, 15000)`` for BirdNET (its spectrogram's top and
  default bandpass), so do we (:func:`detection_band`).
* A table with no rows gets one ``nocall`` row (:func:`nocall_selection`),
  as BirdNET-Analyzer's Raven tables do: readers built on pandas
  (crowsetta, opensoundscape) refuse a table without rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from soundevent import data

from audioclass_gui.models.birdnet_taxonomy import ebird_code

__all__ = [
    "BIRDNET_MAX_FREQ",
    "NOCALL",
    "Selection",
    "detection_band",
    "extra_column_names",
    "format_number",
    "nocall_selection",
    "selections_from_predictions",
    "species_code",
]

#: BirdNET's spectrogram stops at 15 kHz; BirdNET-Analyzer's tables say so.
BIRDNET_MAX_FREQ = 15_000.0
#: The label of BirdNET-Analyzer's placeholder row in a table without detections.
NOCALL = "nocall"


@dataclass(frozen=True, slots=True)
class Selection:
    """One row of a selection table.

    Attributes
    ----------
    begin_time, end_time
        The box in seconds from the start of the recording.
    scientific_name
        The label's scientific name (the model's tag value).
    common_name
        A readable name; the scientific name where none is known.
    confidence
        The model's score, or None for a row without one (a person's box).
    path
        The audio file the box lies in.
    low_freq, high_freq
        The box's frequency band in Hz.
    channel
        One-based channel, as Raven counts.
    species_code
        A short code (e.g. an eBird code) where one is known, else "".
    file_offset
        Start of the box within ``path`` in seconds; None means
        ``begin_time`` (a table over one file).
    extra
        Further columns as ``(name, value)`` pairs, written after the
        standard ones (e.g. ``(("Verdict", "accepted"), ("Reviewer", "ab"))``).
    """

    begin_time: float
    end_time: float
    scientific_name: str
    common_name: str
    confidence: float | None
    path: str
    low_freq: float = 0.0
    high_freq: float = 0.0
    channel: int = 1
    species_code: str = ""
    file_offset: float | None = None
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def offset(self) -> float:
        """Start of the box within its file in seconds."""
        return self.begin_time if self.file_offset is None else self.file_offset


def format_number(value: float | None, decimals: int = 6, *, point: bool = False) -> str:
    """A compact decimal: ``3.0 -> "3"``, ``1.25 -> "1.25"``, None -> ``""``.

    With ``point``, a whole number keeps one decimal (``3.0 -> "3.0"``), as
    Raven Pro writes its times and frequencies: readers that infer column
    types (pandas, and so crowsetta and opensoundscape) then read floats.
    """
    if value is None or not math.isfinite(value):
        return ""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    if text in ("", "-0"):
        text = "0"
    return text + ".0" if point and "." not in text else text


def species_code(scientific_name: str) -> str:
    """The Species Code of a species: its eBird code, else the name itself.

    BirdNET-Analyzer writes the eBird code of BirdNET's classes and the label
    of anything else; "" stays "" (a box without a species).
    """
    return (ebird_code(scientific_name) or scientific_name) if scientific_name else ""


_code = species_code  # the name selections_from_predictions' parameter hides


def detection_band(model_name: str, nyquist: float) -> tuple[float, float]:
    """The band (Hz) of a detection by a model with no band of its own.

    ``(0, min(nyquist, 15000))`` for BirdNET, whose input stops at 15 kHz
    (BirdNET-Analyzer's ``min(sample rate / 2, SIG_FMAX, BANDPASS_FMAX)``
    with their defaults), else ``(0, nyquist)``.
    """
    if model_name.casefold().startswith("birdnet"):
        return 0.0, min(float(nyquist), BIRDNET_MAX_FREQ)
    return 0.0, float(nyquist)


def nocall_selection(
    path: str,
    *,
    low_freq: float = 0.0,
    high_freq: float = BIRDNET_MAX_FREQ,
    duration: float | None = None,
    extra: tuple[tuple[str, str], ...] = (),
) -> Selection:
    """BirdNET-Analyzer's placeholder row for a table with nothing found.

    ``nocall`` as common name and code, confidence 1, 0-3 s (or the whole
    recording when it is shorter); readers of BirdNET-Analyzer's tables,
    ours included, skip it.
    """
    end = 3.0 if not duration or duration <= 0 else min(3.0, float(duration))
    return Selection(
        begin_time=0.0,
        end_time=end,
        scientific_name=NOCALL,
        common_name=NOCALL,
        confidence=1.0,
        path=path,
        low_freq=low_freq,
        high_freq=high_freq,
        species_code=NOCALL,
        extra=extra,
    )


def extra_column_names(
    selections: Iterable[Selection], given: Sequence[str] | None = None
) -> list[str]:
    """Names of the extra columns: ``given``, else all found, in first-seen order."""
    if given is not None:
        return list(given)
    names: dict[str, None] = {}
    for selection in selections:
        for name, _ in selection.extra:
            names.setdefault(name, None)
    return list(names)


def selections_from_predictions(
    predictions: Iterable[data.ClipPrediction],
    *,
    common_name: Callable[[data.Tag], str | None] | None = None,
    species_code: Callable[[data.Tag], str | None] | None = None,
    low_freq: float = 0.0,
    high_freq: float = 0.0,
    channel: int = 1,
) -> list[Selection]:
    """One selection per predicted tag, in time order, best score first.

    Parameters
    ----------
    predictions
        Clip predictions (of one recording or several).
    common_name
        Readable name of a tag (e.g. ``model.common_name``); the tag's
        value where it gives None.
    species_code
        Short code of a tag; by default its eBird code (the name itself
        where it has none, see :func:`species_code`).
    low_freq, high_freq
        The frequency band the model listens to, in Hz.
    channel
        One-based channel analysed.

    Returns
    -------
    list of Selection
        Sorted by recording, begin time, then decreasing confidence (as
        BirdNET-Analyzer orders its tables).
    """
    rows: list[tuple[tuple[str, float, float], Selection]] = []
    for prediction in predictions:
        clip = prediction.clip
        path = str(clip.recording.path)
        for predicted in prediction.tags:
            tag = predicted.tag
            name = (common_name(tag) if common_name else None) or tag.value
            code = (species_code(tag) if species_code else None) or _code(tag.value)
            selection = Selection(
                begin_time=float(clip.start_time),
                end_time=float(clip.end_time),
                scientific_name=tag.value,
                common_name=name,
                confidence=float(predicted.score),
                path=path,
                low_freq=float(low_freq),
                high_freq=float(high_freq),
                channel=int(channel),
                species_code=code,
            )
            rows.append(
                ((path, selection.begin_time, -float(predicted.score)), selection)
            )
    rows.sort(key=lambda item: item[0])
    return [selection for _, selection in rows]
