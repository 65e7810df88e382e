"""``audioclass-gui train``: train a classifier from a project's verdicts, headless.

::

    audioclass-gui train PROJECT --species NAME [NAME ...] -o MODEL [--folds K]

PROJECT is a reviewed folder or ``.jsonl`` project file (opened read-only,
so this works while the app has it open). For each species (scientific or
common name), accepted windows are positives; rejected ones and windows
accepted as other species are negatives; drawn boxes count for the windows
they overlap (see :mod:`audioclass_gui.learn.examples`). The examples are
joined to the project's stored BirdNET embeddings, summarised (examples per
species, balance, what was left out and why), cross-validated (precision
and recall per species with 95 % intervals), fitted, and written to MODEL
(a ``.npz``: see :mod:`audioclass_gui.learn.model_file`), which
``predict --model MODEL`` and the app then run like any model.

Exit status: 0 done; 1 nothing to learn from (unknown species, no verdicts,
no embeddings: the message says what to do); 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["EMBEDDING_MODEL", "main"]

#: The model whose embeddings classifiers are trained on.
EMBEDDING_MODEL = "birdnet"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="audioclass-gui train",
        description="Train a classifier per species from a project's verdicts on its "
        "stored BirdNET embeddings; print the examples and cross-validated precision "
        "and recall; write the classifier file.",
    )
    p.add_argument("project", help="a reviewed folder or .jsonl project file")
    p.add_argument(
        "--species",
        nargs="+",
        required=True,
        metavar="NAME",
        help="species to learn (scientific or common names, as in the review)",
    )
    p.add_argument("-o", "--output", required=True, help="the classifier file to write (.npz)")
    p.add_argument(
        "--folds",
        type=int,
        default=5,
        help="cross-validation folds (default 5; fewer when a species has fewer examples)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        help="decision threshold the figures are measured at and the model reports "
        "above (default 0.5)",
    )
    p.add_argument(
        "--embeddings",
        help="embeddings folder to read (default: the project's own, "
        "<state folder>/embeddings)",
    )
    p.add_argument(
        "--c", type=float, default=1.0, help="inverse regularisation strength (default 1)"
    )
    return p


def _fail(message: str) -> int:
    print(f"audioclass-gui train: {message}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``audioclass-gui train``; returns the exit code."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.folds < 2:
        print("audioclass-gui train: --folds must be at least 2", file=sys.stderr)
        return 2
    if not 0.0 < args.threshold < 1.0:
        print("audioclass-gui train: --threshold must be between 0 and 1", file=sys.stderr)
        return 2

    from audioclass_gui.learn import (
        TooFewExamplesError,
        collect_examples,
        join_embeddings,
        species_choices,
        train_classifier,
        write_classifier,
    )
    from audioclass_gui.project.project import ReviewProject

    try:
        project = ReviewProject.open(args.project, read_only=True)
    except (FileNotFoundError, OSError) as exc:
        return _fail(str(exc))
    with project:
        session = project.session
        species, unknown = species_choices(session, args.species)
        if unknown:
            known = session.species_list()
            hint = ", ".join(known[:8]) + (" ..." if len(known) > 8 else "")
            return _fail(
                f"{project.journal_path}: no species {', '.join(map(repr, unknown))} in "
                f"this project" + (f" (its species: {hint})" if known else "")
            )
        examples = collect_examples(session)
        counts = examples.counts(species)
        for name in species:
            if counts[name]["positive"] == 0:
                return _fail(
                    f"{project.journal_path}: no accepted window or box of {name}: "
                    "accept some of its detections (or draw boxes) first"
                )
        store = _open_store(project, args.embeddings)
        if isinstance(store, str):
            return _fail(store)
        roots = [project.root]
        if args.embeddings:
            roots.append(Path(args.embeddings).absolute().parent)
        training = join_embeddings(examples, store, species, roots=roots)
        summary = training.summary
        print("Examples:")
        for line in summary.lines():
            print(f"  {line}")
        try:
            model = train_classifier(
                training,
                common_names={s: session.common_name(s) for s in species},
                folds=args.folds,
                c=args.c,
                threshold=args.threshold,
                extra={"project": str(project.journal_path)},
            )
        except TooFewExamplesError as exc:
            return _fail(str(exc))
    print("Cross-validated (held-out) figures:")
    for figures in model.cross_validation:
        print(f"  {figures.describe()}")
    written = write_classifier(args.output, model)
    print(f"wrote {written}")
    return 0


def _open_store(project: object, folder: str | None) -> object:
    """The project's BirdNET embedding store, or a message saying how to make one."""
    try:
        from audioclass_gui.embeddings import EmbeddingStore, embeddings_folder
    except ImportError:  # pragma: no cover - the embeddings package ships with the app
        return "this installation cannot read embedding stores"
    where = Path(folder) if folder else embeddings_folder(project.journal_path.parent)  # type: ignore[attr-defined]
    how = (
        f"compute them first (audioclass-gui embed {project.root}, "  # type: ignore[attr-defined]
        "or predict --embeddings into the project's folder), or pass --embeddings DIR"
    )
    if not EmbeddingStore.exists(where, EMBEDDING_MODEL):
        return f"{where}: no BirdNET embeddings for this project; {how}"
    try:
        store = EmbeddingStore.open(where, EMBEDDING_MODEL)
    except ValueError as exc:
        return f"{exc}"
    if len(store) == 0:
        return f"{where}: the BirdNET embedding store is empty; {how}"
    return store
