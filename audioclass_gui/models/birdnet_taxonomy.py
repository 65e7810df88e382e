"""BirdNET V2.4's classes: eBird species codes and common names in 38 languages.

BirdNET-Analyzer writes the eBird code (``rebshr1``) in its tables' Species
Code column and, with ``-l de`` and the like, the common name in the user's
language. Both come from data in its wheel, which the app cannot install
(it depends on TensorFlow). ``birdnet_taxonomy.tsv.gz`` beside this module
is a table derived from that data, offline and shipped with the app (MIT,
Copyright (c) 2024 birdnet-team; see ``birdnet_taxonomy.LICENSE.txt`` and
``packaging/make_birdnet_taxonomy.py``, which regenerates it).

Languages are BirdNET-Analyzer's ``--locale`` values: ``en`` (US English,
the label file's own names), ``en_uk``, ``de``, ``pt_BR`` ... Lookups are
exact first, then case-insensitive; ``-`` and ``_`` in a language are the
same (``pt-br`` is ``pt_BR``).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "ATTRIBUTION",
    "DATA_FILE",
    "LICENCE_FILE",
    "common_name",
    "ebird_code",
    "languages",
    "licence_text",
    "scientific_name_for_code",
    "scientific_name_for_common",
]

DATA_FILE = Path(__file__).with_name("birdnet_taxonomy.tsv.gz")
LICENCE_FILE = Path(__file__).with_name("birdnet_taxonomy.LICENSE.txt")

#: One line crediting the table, for licence lists and About boxes.
ATTRIBUTION = (
    "eBird species codes and translated common names of BirdNET V2.4's classes: "
    "from BirdNET-Analyzer 2.4.0 (eBird_taxonomy_codes_2024E.json and its translated "
    "label files), MIT License, Copyright (c) 2024 birdnet-team."
)


@dataclass(frozen=True)
class _Table:
    lines: list[str]  # one per class: scientific, code, en, then the languages
    languages: tuple[str, ...]  # "en" first
    scientific: tuple[str, ...]
    codes: tuple[str, ...]
    row_of: dict[str, int]  # scientific name (exact and casefolded) -> row


@cache
def _table() -> _Table:
    """Scientific names and codes (what most callers need), the rest left as text."""
    try:
        text = gzip.decompress(DATA_FILE.read_bytes()).decode("utf-8")
    except (OSError, EOFError) as exc:  # a broken install, never user input
        raise RuntimeError(f"{DATA_FILE}: BirdNET taxonomy table unreadable ({exc})") from exc
    header, *lines = text.rstrip("\n").split("\n")
    scientific, codes = zip(*(line.split("\t", 2)[:2] for line in lines), strict=True)
    row_of = {s.casefold(): i for i, s in enumerate(scientific)}
    row_of.update({s: i for i, s in enumerate(scientific)})
    return _Table(lines, tuple(header.split("\t")[2:]), scientific, codes, row_of)


@cache
def _names() -> dict[str, tuple[str, ...]]:
    """Language -> common name of each class ("" where it is the English one)."""
    table = _table()
    columns = list(zip(*(line.split("\t") for line in table.lines), strict=True))
    return dict(zip(table.languages, columns[2:], strict=True))


def _row(scientific: str) -> int | None:
    rows = _table().row_of
    key = scientific.strip()
    found = rows.get(key)
    return found if found is not None else rows.get(key.casefold())


@cache
def _language(language: str) -> str:
    """The table's spelling of ``language``; ValueError naming the known ones."""
    table = _table()
    wanted = language.strip().replace("-", "_").casefold()
    if wanted in ("en_us", ""):
        wanted = "en"
    for known in table.languages:
        if known.casefold() == wanted:
            return known
    raise ValueError(
        f"no BirdNET common names in language {language!r}; known: "
        + ", ".join(table.languages)
    )


def languages() -> tuple[str, ...]:
    """The languages of the common names, ``"en"`` first, as BirdNET-Analyzer's ``--locale`` spells them."""
    return _table().languages


def ebird_code(scientific: str) -> str | None:
    """The eBird species code of a BirdNET V2.4 class.

    Parameters
    ----------
    scientific
        The class's scientific name (``"Lanius collurio"``); BirdNET's
        non-bird classes are named twice (``"Dog"``).

    Returns
    -------
    str or None
        The code BirdNET-Analyzer writes in Species Code (``"rebshr1"``;
        ``"dogdog"``, ``"nocall"`` for Noise), or None for a name that is
        not one of BirdNET V2.4's classes.
    """
    row = _row(scientific)
    return None if row is None else _table().codes[row]


def common_name(scientific: str, language: str = "en") -> str | None:
    """The common name of a BirdNET V2.4 class in a language.

    Parameters
    ----------
    scientific
        The class's scientific name.
    language
        A BirdNET-Analyzer locale (``"en"``, ``"de"``, ``"pt_BR"``); where the
        translation keeps the English name, that is what comes back.

    Returns
    -------
    str or None
        The name, or None for a name that is not one of BirdNET V2.4's classes.

    Raises
    ------
    ValueError
        If the language is not one of :func:`languages`.
    """
    lang = _language(language)
    row = _row(scientific)
    if row is None:
        return None
    names = _names()
    return names[lang][row] or names["en"][row]


@cache
def _scientific_by_code() -> dict[str, str]:
    table = _table()
    out = {c.casefold(): s for c, s in zip(table.codes, table.scientific, strict=True)}
    out.update(zip(table.codes, table.scientific, strict=True))
    return out


def scientific_name_for_code(code: str) -> str | None:
    """The scientific name of the BirdNET V2.4 class with this eBird code, or None.

    ``nocall`` (BirdNET-Analyzer's "no detection" row) is BirdNET's Noise class.
    """
    table = _scientific_by_code()
    key = code.strip()
    return table.get(key) or table.get(key.casefold())


@cache
def _scientific_by_common(language: str) -> dict[str, str]:
    table = _table()
    english = _names()["en"]
    names = _names()[language]
    out: dict[str, str] = {}
    for i, scientific in enumerate(table.scientific):
        name = names[i] or english[i]
        # The first class keeps a name two classes share in a language.
        out.setdefault(name.casefold(), scientific)
    for i, scientific in enumerate(table.scientific):
        out.setdefault(names[i] or english[i], scientific)
    return out


def scientific_name_for_common(name: str, language: str | None = None) -> str | None:
    """The scientific name of the BirdNET V2.4 class with this common name, or None.

    Parameters
    ----------
    name
        A common name as a BirdNET-Analyzer table in ``language`` writes it.
    language
        A BirdNET-Analyzer locale; None tries English first, then every
        other language in :func:`languages` order.

    Raises
    ------
    ValueError
        If the language is not one of :func:`languages`.
    """
    key = name.strip()
    order = (_language(language),) if language is not None else languages()
    for lang in order:
        table = _scientific_by_common(lang)
        found = table.get(key) or table.get(key.casefold())
        if found is not None:
            return found
    return None


def licence_text() -> str:
    """The licence of the shipped table's source (BirdNET-Analyzer's MIT licence), in full."""
    return LICENCE_FILE.read_text(encoding="utf-8")
