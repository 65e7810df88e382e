"""Rows of a selection table: one labelled time box, from a model or a person.

:class:`Selection` is what the Raven (:mod:`audioclass_gui.formats.raven`)
and CSV (:mod:`audioclass_gui.formats.csv_table`) writers write. It carries
no model specifics, so the same writers serve model predictions
(:func:`selections_from_predictions`) and, later, reviewed verdicts: a
verdict is a selection with extra columns such as ``("Verdict",
"accepted")``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from soundevent import data

__all__ = [
    "Selection",
    "extra_column_names",
    "format_number",
    "selections_from_predictions",
]


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


def format_number(value: float | None, decimals: int = 6) -> str:
    """A compact decimal: ``3.0 -> "3"``, ``1.25 -> "1.25"``, None -> ``""``."""
    if value is None or not math.isfinite(value):
        return ""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


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
        Short code of a tag where known; "" otherwise.
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
            code = (species_code(tag) if species_code else None) or ""
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
