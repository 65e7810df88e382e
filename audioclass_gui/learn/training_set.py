"""Examples joined to their embeddings: the matrix a classifier is fitted on.

:func:`join_embeddings` finds each example's window in an embedding store
(:class:`EmbeddingSource`, the part of
:class:`audioclass_gui.embeddings.EmbeddingStore` this needs): a judged
window by its recording and start; a drawn box as every stored window it
overlaps by at least half of the shorter of the two. Facts landing on the
same stored window are merged, then resolved per species
(:func:`~audioclass_gui.learn.examples.resolve`). Examples whose window has
no embedding are counted (:attr:`TrainingSummary.missing`), never dropped
silently.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from audioclass_gui.learn.examples import (
    CONFLICT,
    NEGATIVE,
    POSITIVE,
    UNCERTAIN,
    UNKNOWN,
    Example,
    ExampleSet,
    resolve,
)

__all__ = [
    "EmbeddingSource",
    "SpeciesCounts",
    "TrainingSet",
    "TrainingSummary",
    "join_embeddings",
]


class EmbeddingSource(Protocol):
    """What training reads from an embedding store (see ``audioclass_gui.embeddings``)."""

    dim: int

    def recordings(self) -> list[str]:
        """Recording paths, as appended."""

    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(recording index, start, end)`` of every stored window."""

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """float32 vectors of these rows."""

    def lookup(self, recording: str, starts: np.ndarray, tolerance: float = 0.05) -> np.ndarray:
        """Row of each start in a recording, -1 where absent."""


@dataclass(frozen=True)
class SpeciesCounts:
    """Examples of one species, as shown before training.

    Attributes
    ----------
    positive, negative : int
        Stored windows labelled positive and negative.
    uncertain, conflict : int
        Judged windows left out: uncertain verdicts, and windows both
        accepted and rejected for the species.
    """

    positive: int
    negative: int
    uncertain: int = 0
    conflict: int = 0

    @property
    def balance(self) -> float:
        """Share of positives among the labelled windows (nan when none)."""
        n = self.positive + self.negative
        return self.positive / n if n else float("nan")


@dataclass(frozen=True)
class TrainingSummary:
    """What training will learn from, for the user to check first.

    Attributes
    ----------
    species : dict of str to SpeciesCounts
        Per chosen species, in the order chosen.
    windows : int
        Stored windows with a label for at least one species.
    verdicts, boxes : int
        Verdicts and tagged boxes read from the review.
    missing : int
        Examples (judged windows or boxes) with no embedding in the store.
    missing_recordings : list of str
        Recordings of those examples that have no embeddings at all.
    reviewers : dict of str to int
        Examples per reviewer.
    """

    species: dict[str, SpeciesCounts]
    windows: int
    verdicts: int
    boxes: int
    missing: int
    missing_recordings: list[str]
    reviewers: dict[str, int]

    def lines(self) -> list[str]:
        """The summary in words, one line per item (for the CLI and the dialog)."""
        out = [
            f"{self.verdicts} verdicts and {self.boxes} boxes give {self.windows} "
            f"labelled windows with embeddings"
        ]
        if self.missing:
            where = ""
            if self.missing_recordings:
                shown = ", ".join(os.path.basename(p) for p in self.missing_recordings[:3])
                more = len(self.missing_recordings) - 3
                where = f" (no embeddings at all for {shown}{f' and {more} more' if more > 0 else ''})"
            out.append(f"{self.missing} examples have no embedding and are left out{where}")
        for name, c in self.species.items():
            left = []
            if c.uncertain:
                left.append(f"{c.uncertain} uncertain")
            if c.conflict:
                left.append(f"{c.conflict} conflicting")
            extra = f"; left out: {', '.join(left)}" if left else ""
            balance = "n/a" if c.positive + c.negative == 0 else f"{100 * c.balance:.0f} % positive"
            out.append(
                f"{name}: {c.positive} positive, {c.negative} negative ({balance}){extra}"
            )
        if self.reviewers:
            out.append(
                "reviewers: " + ", ".join(f"{k} ({v})" for k, v in self.reviewers.items())
            )
        return out

    def to_json(self) -> dict[str, Any]:
        """JSON-able form (kept in a saved classifier's header)."""
        return {
            "species": {
                name: {
                    "positive": c.positive,
                    "negative": c.negative,
                    "uncertain": c.uncertain,
                    "conflict": c.conflict,
                }
                for name, c in self.species.items()
            },
            "windows": self.windows,
            "verdicts": self.verdicts,
            "boxes": self.boxes,
            "missing_embeddings": self.missing,
            "reviewers": dict(self.reviewers),
        }


@dataclass(frozen=True)
class TrainingSet:
    """Embeddings and labels, one row per stored window.

    Attributes
    ----------
    species : list of str
        The species, in column order of :attr:`labels`.
    vectors : numpy.ndarray
        float32 ``(n, dim)``.
    labels : numpy.ndarray
        int8 ``(n, len(species))``: 1 positive, 0 negative, -1 unknown.
    rows : numpy.ndarray
        The store's row of each window (int64).
    groups : numpy.ndarray
        Recording index of each window (for folds by recording).
    summary : TrainingSummary
    """

    species: list[str]
    vectors: np.ndarray
    labels: np.ndarray
    rows: np.ndarray
    groups: np.ndarray
    summary: TrainingSummary


def _key(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def _box_rows(
    starts: np.ndarray, ends: np.ndarray, rows: np.ndarray, example: Example
) -> np.ndarray:
    """Stored windows a box overlaps by at least half of the shorter of the two."""
    overlap = np.minimum(ends, example.end) - np.maximum(starts, example.start)
    shorter = np.minimum(ends - starts, example.end - example.start)
    return rows[overlap >= 0.5 * shorter - 1e-9]


def _store_index(paths: Sequence[str], roots: Sequence[str | os.PathLike[str]]) -> dict[str, int]:
    """Normalised absolute path -> store recording; relative names tried under each root."""
    index: dict[str, int] = {}
    for i, p in enumerate(paths):
        if os.path.isabs(p) or not roots:
            index.setdefault(_key(p), i)
        else:
            for root in roots:
                index.setdefault(_key(os.path.join(root, p)), i)
    return index


def join_embeddings(
    examples: ExampleSet,
    store: EmbeddingSource,
    species: Sequence[str],
    *,
    roots: Sequence[str | os.PathLike[str]] = (),
) -> TrainingSet:
    """Find the examples' windows in an embedding store and label them.

    Parameters
    ----------
    examples
        From :func:`~audioclass_gui.learn.examples.collect_examples`.
    store
        The embeddings of the project's windows.
    species
        Scientific names to learn, in the order of the label columns.
    roots
        Folders that recording names stored relative (a project stores
        them relative to its folder) are relative to, tried in order;
        none: the working directory.

    Returns
    -------
    TrainingSet
        Only windows labelled for at least one species; the summary counts
        what was left out and why.
    """
    species = list(species)
    store_paths = store.recordings()
    index = _store_index(store_paths, roots)
    rec_of_row, starts, ends = store.rows()
    by_recording: dict[int, np.ndarray] = {}

    def rows_of(rec: int) -> np.ndarray:
        if rec not in by_recording:
            by_recording[rec] = np.flatnonzero(rec_of_row == rec)
        return by_recording[rec]

    facts: dict[int, tuple[set[str], set[str], set[str]]] = {}
    missing = 0
    missing_recordings: dict[str, None] = {}
    verdict_examples: dict[int, list[Example]] = {}
    for example in examples.examples:
        rec = index.get(_key(example.recording))
        if rec is None:
            missing += 1
            missing_recordings[example.recording] = None
            continue
        if example.source == "box":
            mine = rows_of(rec)
            found = _box_rows(starts[mine], ends[mine], mine, example)
            if len(found) == 0:
                missing += 1
            for row in found.tolist():
                _merge(facts, row, example)
        else:
            verdict_examples.setdefault(rec, []).append(example)
    for rec, group in verdict_examples.items():
        wanted = np.array([e.start for e in group], np.float64)
        found = np.asarray(store.lookup(store_paths[rec], wanted), np.int64)
        for example, row in zip(group, found.tolist(), strict=True):
            if row < 0:
                missing += 1
            else:
                _merge(facts, row, example)

    rows = np.array(sorted(facts), np.int64)
    labels = np.full((len(rows), len(species)), UNKNOWN, np.int8)
    left = {name: {UNCERTAIN: 0, CONFLICT: 0} for name in species}
    for i, row in enumerate(rows.tolist()):
        accepted, rejected, uncertain = facts[row]
        for j, name in enumerate(species):
            label, reason = resolve(name, accepted, rejected, uncertain)
            labels[i, j] = label
            if reason:
                left[name][reason] += 1
    keep = (labels != UNKNOWN).any(axis=1) if len(species) else np.zeros(len(rows), bool)
    rows, labels = rows[keep], labels[keep]
    counts = {
        name: SpeciesCounts(
            positive=int((labels[:, j] == POSITIVE).sum()),
            negative=int((labels[:, j] == NEGATIVE).sum()),
            uncertain=left[name][UNCERTAIN],
            conflict=left[name][CONFLICT],
        )
        for j, name in enumerate(species)
    }
    vectors = (
        np.asarray(store.vectors(rows), np.float32)
        if len(rows)
        else np.zeros((0, int(store.dim)), np.float32)
    )
    summary = TrainingSummary(
        species=counts,
        windows=len(rows),
        verdicts=examples.verdicts,
        boxes=examples.boxes,
        missing=missing,
        missing_recordings=list(missing_recordings),
        reviewers=examples.reviewers(),
    )
    return TrainingSet(
        species=species,
        vectors=vectors,
        labels=labels,
        rows=rows,
        groups=np.asarray(rec_of_row[rows], np.int64),
        summary=summary,
    )


def _merge(
    facts: dict[int, tuple[set[str], set[str], set[str]]], row: int, example: Example
) -> None:
    accepted, rejected, uncertain = facts.setdefault(row, (set(), set(), set()))
    accepted |= example.accepted
    rejected |= example.rejected
    uncertain |= example.uncertain
