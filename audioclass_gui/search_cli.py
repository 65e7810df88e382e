"""``audioclass-gui search`` and ``audioclass-gui embed``: search by example without the window.

::

    audioclass-gui embed PROJECT [--model birdnet]
    audioclass-gui search QUERY --in PROJECT [-k 100] [-o OUT.csv] [--compute]

``embed`` stores the model's features of every recording of PROJECT that
has none yet (resumable: run it again after an interruption). PROJECT is
a folder under review (embeddings in ``PROJECT/.audioclass-gui/
embeddings/``), a ``.jsonl`` project file, or, for ``search``, a
``predict --embeddings`` output folder.

QUERY is one of:

- ``REC@START`` -- a window of the project (a detection): the stored
  window of recording REC (its path relative to PROJECT, or any path to
  it) starting at START seconds (the one containing START if none starts
  there); it is left out of the results;
- ``FILE@START-END`` -- that span of any audio file, run through the
  model; the features of its windows are averaged into one query;
- ``FILE`` -- a whole audio file, the same way.

OUT.csv (stdout without ``-o``) has a header and one row per match, best
first: ``rank,recording,start,end,similarity`` (cosine similarity, with a
decimal point whatever the locale).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["embed_main", "main", "parse_query"]

_SPAN = re.compile(r"^(?P<path>.+)@(?P<start>\d+(?:\.\d*)?)(?:-(?P<end>\d+(?:\.\d*)?))?$")


@dataclass(frozen=True)
class Query:
    """A parsed QUERY: a path, and a start (window of the project) or a span."""

    path: Path
    start: float | None = None
    end: float | None = None

    @property
    def is_window(self) -> bool:
        """``REC@START``: a stored window of the project."""
        return self.start is not None and self.end is None


def parse_query(text: str) -> Query:
    """Parse ``FILE``, ``FILE@START-END`` or ``REC@START`` (see the module docstring)."""
    match = _SPAN.match(text)
    if match is None:
        return Query(Path(text))
    start = float(match["start"])
    end = None if match["end"] is None else float(match["end"])
    if end is not None and end <= start:
        raise ValueError(f"{text}: the span's end must come after its start")
    return Query(Path(match["path"]), start, end)


def _fail(command: str, message: str) -> int:
    print(f"audioclass-gui {command}: {message}", file=sys.stderr)
    return 2


def _project_recordings(place) -> list[Path]:
    """The project's recordings (a folder's audio files; a project file's list)."""
    if place.kind == "folder":
        from audioclass_gui.project.project import STATE_DIR
        from audioclass_gui.project.sources import find_audio

        return find_audio(place.root, place.root / STATE_DIR)
    from audioclass_gui.project.project import ReviewProject

    with ReviewProject.open(place.project, read_only=True, scan=False) as project:
        return [Path(s.path) for s in project.recordings()]


def _compute(place, model_key: str, quiet: bool, workers: int | None) -> list[tuple[str, str]]:
    """Store the embeddings of the project's recordings that have none; returns failures."""
    from tqdm import tqdm

    from audioclass_gui.embeddings.compute import compute_embeddings

    paths = _project_recordings(place)
    bar = None
    last = None
    for last in compute_embeddings(paths, place.folder, model_key, names=place.name, workers=workers):
        if quiet:
            continue
        if bar is None and last.recordings_total:
            if last.skipped:
                print(f"{last.skipped} recording(s) already have embeddings: skipped", file=sys.stderr)
            bar = tqdm(total=round(last.seconds_total, 1), unit="s", file=sys.stderr,
                       desc=f"embeddings ({model_key})", dynamic_ncols=True, mininterval=0.5)
        if bar is not None:
            bar.update(max(0.0, round(last.seconds_done, 1) - bar.n))
    if bar is not None:
        bar.close()
    if last is not None and not quiet and not last.recordings_total:
        print(f"every recording ({last.skipped}) already has embeddings", file=sys.stderr)
    return list(last.failures) if last is not None else []


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="birdnet", help="model whose features to use (default birdnet)")
    p.add_argument("--workers", type=int, metavar="N", help="worker threads (default: one per core)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def embed_main(argv: Sequence[str]) -> int:
    """Run ``audioclass-gui embed``; returns the exit code."""
    p = argparse.ArgumentParser(
        prog="audioclass-gui embed",
        description="Store the model's features (embeddings) of every recording of a project "
        "that has none yet, for 'audioclass-gui search' and the window's Find similar. "
        "Uses every core; run it again to resume after an interruption.",
    )
    p.add_argument("project", type=Path, metavar="PROJECT", help="project folder or .jsonl project file")
    _common(p)
    args = p.parse_args(argv)
    from audioclass_gui.embeddings.locate import locate
    from audioclass_gui.embeddings.store import EmbeddingStoreError

    try:
        place = locate(args.project)
        if place.kind == "predict":
            return _fail("embed", f"{args.project}: a predict output; run predict with --embeddings instead")
        model_key = _model_key(args.model)
        failures = _compute(place, model_key, args.quiet, args.workers)
    except KeyboardInterrupt:
        print("audioclass-gui embed: interrupted; run it again to go on", file=sys.stderr)
        return 130
    except (FileNotFoundError, EmbeddingStoreError, ValueError, OSError) as exc:
        return _fail("embed", str(exc))
    for _, message in failures:
        print(f"audioclass-gui embed: {message}", file=sys.stderr)
    return 1 if failures else 0


def _model_key(name: str) -> str:
    from audioclass_gui.models import get_entry

    try:
        return get_entry(name).key
    except KeyError as exc:
        raise ValueError(exc.args[0] if exc.args else str(exc)) from None


def _query_vector(query: Query, place, store, model_key: str) -> tuple[np.ndarray, list[int]]:
    """The query's vector and the rows to leave out of the results."""
    if query.is_window:
        name = query.path.as_posix()  # as stored (relative to the project)...
        if not store.has_recording(name):
            name = place.name(query.path)  # ...or any path to the file
        if not store.has_recording(name):
            raise LookupError(
                f"{query.path}: not among the recordings with embeddings in {place.root} "
                f"(give a recording of the project, as stored: e.g. "
                f"{store.recordings()[0] if store.recordings() else 'site/rec.wav'})"
            )
        row = int(store.lookup(name, [query.start])[0])
        if row < 0:  # no window starts there: the one containing it
            rec, start, end = store.rows()
            rid = store.recordings().index(name)
            inside = np.flatnonzero((rec == rid) & (start <= query.start) & (end > query.start))
            if not inside.size:
                raise LookupError(f"{query.path}: no window at {query.start:g} s")
            row = int(inside[np.argmax(start[inside])])
        return store.vectors([row]), [row]
    from audioclass_gui.embeddings.compute import embed_file
    from audioclass_gui.models import create_model

    model = create_model(model_key)
    _, vectors = embed_file(query.path, model, query.start or 0.0, query.end)
    return vectors, []


def _write(out: Path | None, store, result) -> None:
    rec, start, end = store.rows()
    names = store.recordings()
    handle = sys.stdout if out is None else open(out, "w", newline="", encoding="utf-8")
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["rank", "recording", "start", "end", "similarity"])
        for rank, (row, sim) in enumerate(zip(result.rows, result.similarities, strict=True), 1):
            writer.writerow(
                [rank, names[rec[row]], f"{start[row]:.3f}", f"{end[row]:.3f}", f"{float(sim):.6f}"]
            )
    finally:
        if out is not None:
            handle.close()


def main(argv: Sequence[str]) -> int:
    """Run ``audioclass-gui search``; returns the exit code."""
    p = argparse.ArgumentParser(
        prog="audioclass-gui search",
        description="List the windows of a project most similar to a query (cosine similarity "
        "of the model's features), best first. QUERY: REC@START (a window of the project, "
        "e.g. site1/rec.wav@12.0), FILE@START-END (a span of any audio file) or FILE.",
    )
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--in", dest="project", type=Path, required=True, metavar="PROJECT",
                   help="project folder, .jsonl project file, or predict --embeddings output")
    p.add_argument("-k", type=int, default=100, help="how many matches (default 100)")
    p.add_argument("-o", "--output", type=Path, metavar="OUT.csv", help="write the matches here (default: stdout)")
    p.add_argument("--compute", action="store_true",
                   help="first store the embeddings of recordings that have none (as 'embed')")
    p.add_argument("--approximate", action="store_true",
                   help="skip the float32 rerank: similarities within ~3e-4, so near ties may swap "
                   "(saves ~1 ms; every search scans all windows)")
    _common(p)
    args = p.parse_args(argv)
    from audioclass_gui.audio.errors import AudioFileError
    from audioclass_gui.embeddings import EmbeddingStore, EmbeddingStoreError, search
    from audioclass_gui.embeddings.compute import NoFeaturesError
    from audioclass_gui.embeddings.locate import locate

    if args.k <= 0:
        return _fail("search", "-k must be at least 1")
    try:
        query = parse_query(args.query)
        place = locate(args.project)
        model_key = _model_key(args.model)
        if args.compute and place.kind != "predict":
            for _, message in _compute(place, model_key, args.quiet, args.workers):
                print(f"audioclass-gui search: {message}", file=sys.stderr)
        if not EmbeddingStore.exists(place.folder, model_key):
            how = (
                "run predict with --embeddings"
                if place.kind == "predict"
                else f"compute them with 'audioclass-gui embed {args.project}' or add --compute"
            )
            return _fail("search", f"{args.project}: no {model_key} embeddings stored "
                         f"(looked in {place.folder}); {how}")
        store = EmbeddingStore.open(place.folder, model_key)
        if not query.is_window and not query.path.is_file():
            return _fail("search", f"{query.path}: no such audio file")
        vector, exclude = _query_vector(query, place, store, model_key)
        result = search(store, vector, args.k, exclude, exact=not args.approximate)
        _write(args.output, store, result)
    except KeyboardInterrupt:
        return 130
    except (AudioFileError, LookupError, EmbeddingStoreError, NoFeaturesError, FileNotFoundError) as exc:
        return _fail("search", str(exc))
    except (ValueError, OSError) as exc:
        return _fail("search", str(exc))
    if not args.quiet and args.output is not None:
        print(f"{len(result)} match(es) of {len(store):,} windows written to {args.output}", file=sys.stderr)
    return 0
