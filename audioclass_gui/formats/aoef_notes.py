"""The text of the notes that record verdicts in an exported annotation project.

Written by :mod:`audioclass_gui.formats.aoef_project_stream` and parsed back
by :mod:`audioclass_gui.formats.aoef_import`.
"""

from __future__ import annotations

from audioclass_gui.review import Status

__all__ = ["NOTE_PREFIX", "note_message", "own_note_message"]

#: Start of the message of a reviewer's own note on a detection.
NOTE_PREFIX = "Note on "


def _what(name: str, common: str) -> str:
    return f"{name} ({common})" if common else name


def note_message(
    status: Status,
    scientific_name: str,
    common_name: str,
    score: float,
    label: str | None = None,
    label_common: str = "",
) -> str:
    """Text of the note recording a rejected, uncertain or relabelled detection.

    Returns
    -------
    str
        E.g. ``"Rejected: Leiothlypis peregrina (Tennessee Warbler), score 0.82"``
        or ``"Accepted: Turdus merula (Eurasian Blackbird), score 0.51 ->
        Turdus philomelos (Song Thrush)"``.
    """
    text = f"{status.value.capitalize()}: {_what(scientific_name, common_name)}, score {score:.2f}"
    if label is not None:
        text += f" -> {_what(label, label_common)}"
    return text


def own_note_message(scientific_name: str, score: float, note: str) -> str:
    """Text of a reviewer's own note on a detection: ``"Note on <species>, score <s>: <note>"``."""
    return f"{NOTE_PREFIX}{scientific_name}, score {score:.2f}: {note}"
