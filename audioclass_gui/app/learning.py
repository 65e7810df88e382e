"""Learning from the reviewer in the window: embeddings, find similar, train, run, least sure.

:class:`Learning` is the app model's part for issue 14's user side, without
Qt. It knows where the open project's embeddings are and whether they are
there (:attr:`Learning.status`), gives the embeddings' computation as a
generator for a worker to run (:meth:`Learning.embedding_job`), and runs
its other actions through the app's tasks (the window's thread pool), so
the GUI thread never waits on the store, a search or training:

- **Find similar** (:meth:`Learning.find_similar`): the windows most like a
  detection's window, a drawn box's windows or an audio file become a new
  run of the project (species = the query's, score = cosine similarity,
  provenance ``{"kind": "search", ...}``), listed in similarity order as a
  review queue (``app.review.set_queue``): a match accepted is an ordinary
  verdict for the query's species on that window.
- **Train** (:meth:`Learning.prepare_training`, :meth:`Learning.train`,
  :meth:`Learning.save_classifier`): examples from the verdicts, joined to
  the embeddings, cross-validated, fitted and saved into the project's
  ``classifiers`` folder.
- **Run a classifier over the project** (:meth:`Learning.run_classifier`):
  from the stored embeddings, as a new run with the classifier's header as
  provenance.
- **Least sure** (:meth:`Learning.least_sure`): the windows a classifier
  scores nearest its threshold, not judged yet, spread over recordings,
  listed as a queue like the matches.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from psygnal import Signal

if TYPE_CHECKING:
    from audioclass_gui.app.learning_jobs import EmbeddingsStatus, WindowsRun
    from audioclass_gui.app.model import AppModel
    from audioclass_gui.embeddings.compute import EmbedProgress
    from audioclass_gui.embeddings.locate import EmbeddingsPlace
    from audioclass_gui.learn import ClassifierFile, TrainingSet
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.review import ReviewSession
    from audioclass_gui.review.sampling import ReviewQueue

__all__ = ["Learning", "LearningList", "SimilarQuery", "classifiers_folder", "embeddings_place"]

#: How many matches Find similar lists by default.
DEFAULT_K = 100
#: Scores below this are not kept when a classifier runs over the project.
RUN_FLOOR = 0.05


def embeddings_place(project: ReviewProject) -> EmbeddingsPlace:
    """Where a project's embeddings are (as :func:`~audioclass_gui.embeddings.locate.locate` says; no disk)."""
    from audioclass_gui.embeddings.locate import EmbeddingsPlace
    from audioclass_gui.embeddings.store import embeddings_folder

    if project.is_folder:
        return EmbeddingsPlace(
            embeddings_folder(project.journal_path.parent), project.root, "folder", project.root
        )
    journal = project.journal_path
    return EmbeddingsPlace(journal.with_suffix(".embeddings"), journal.parent, "file", journal)


def classifiers_folder(project: ReviewProject) -> Path:
    """Where the classifiers trained in a project are saved by default."""
    journal = project.journal_path
    return journal.parent / "classifiers" if project.is_folder else journal.with_suffix(".classifiers")


def clock(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` past an hour) for the list's description."""
    s = int(round(seconds))
    h, m = divmod(s // 60, 60)
    return f"{h}:{m:02d}:{s % 60:02d}" if h else f"{m}:{s % 60:02d}"


@dataclass(frozen=True)
class SimilarQuery:
    """What Find similar searches with.

    Attributes
    ----------
    species : str
        The query's species (scientific name): accepted matches are verdicts for it.
    description : str
        In words ("Song Thrush at rec.wav 0:12").
    recording : str or None
        A project recording's path (a detection or box), else None.
    start, end : float
        The span (seconds).
    own_window : bool
        The detection's own window (else every window the span overlaps).
    file : pathlib.Path or None
        An audio file from outside the store, run through the model.
    """

    species: str
    description: str
    recording: str | None = None
    start: float = 0.0
    end: float | None = None
    own_window: bool = False
    file: Path | None = None

    def to_json(self) -> dict[str, Any]:
        """For the search run's provenance."""
        where = {"file": str(self.file)} if self.file is not None else {"recording": self.recording}
        return {**where, "start": self.start, "end": self.end, "species": self.species}


@dataclass(frozen=True)
class LearningList:
    """A list the learning actions made (matches, least-sure picks), shown as a queue.

    Attributes
    ----------
    kind : str
        ``"similar"`` or ``"uncertain"``.
    description : str
        What is listed, in words (the banner above the table).
    queue : ReviewQueue
        The detections, in list order.
    run : pathlib.Path
        The run file holding them.
    similarities : tuple of float
        The score of each listed detection (similarity, classifier score).
    """

    kind: str
    description: str
    queue: ReviewQueue
    run: Path
    similarities: tuple[float, ...] = field(default=())


class Learning:
    """Embeddings, search, training and classifiers of the open project.

    Signals
    -------
    status_changed(object)
        The :class:`EmbeddingsStatus` of the open project (None without one).
    embeddings_progress(object)
        An ``EmbedProgress`` tick of the computation (relayed by the worker).
    embeddings_finished(object, bool)
        The last ``EmbedProgress`` (or None) and whether it was cancelled.
    list_changed(object)
        The :class:`LearningList` listed now, or None (back to the normal list).
    training_ready(object)
        A ``TrainingSet`` (its ``summary`` is shown before training).
    trained(object)
        A ``ClassifierFile`` with its cross-validated figures.
    classifiers_changed(object)
        The project's classifier files (list of paths).
    classifier_saved(object)
        Path of a classifier file written.
    run_added(object)
        A :class:`~audioclass_gui.app.learning_jobs.WindowsRun` now in the project.
    busy(str)
        A background action started ("" when it ended).
    """

    status_changed = Signal(object)
    embeddings_progress = Signal(object)
    embeddings_finished = Signal(object, bool)
    list_changed = Signal(object)
    training_ready = Signal(object)
    trained = Signal(object)
    classifiers_changed = Signal(object)
    classifier_saved = Signal(object)
    run_added = Signal(object)
    busy = Signal(str)

    def __init__(self, app: AppModel) -> None:
        self._app = app
        #: Registry key of the model whose embeddings are used ("birdnet").
        self.model_key = "birdnet"
        #: Replaces the registry's factory for that model (tests, plugins).
        self.model_factory: Callable[..., Any] | None = None
        self.status: EmbeddingsStatus | None = None
        self.listing: LearningList | None = None
        self.classifiers: list[Path] = []
        self.computing = False
        app.document.events.project.connect(lambda _p: self.refresh())

    # ------------------------------------------------------------ context
    def use_model(self, key: str, factory: Callable[..., Any] | None = None) -> None:
        """Use another model's embeddings (its registry key; a factory for tests)."""
        self.model_key, self.model_factory = key, factory
        self.refresh()

    @property
    def project(self) -> ReviewProject | None:
        """The open project (a single recording's implicit one too)."""
        return self._app.document.project

    @property
    def session(self) -> ReviewSession | None:
        """The session the project's verdicts are in."""
        return self._app.document.session

    def place(self) -> EmbeddingsPlace | None:
        """Where the open project's embeddings are, or None without a project."""
        project = self.project
        return embeddings_place(project) if project is not None else None

    def _recordings(self) -> list[str]:
        session = self.session
        return [str(r.path) for r in session.recordings] if session is not None else []

    def _fail(self, title: str) -> Callable[[BaseException], None]:
        def report(exc: BaseException) -> None:
            self.busy.emit("")
            self._app.messages.report(title, str(exc) or type(exc).__name__)

        return report

    def refresh(self) -> None:
        """Read again (in the tasks) what embeddings and classifiers the project has."""
        place, project = self.place(), self.project
        if place is None or project is None:
            self.status, self.classifiers = None, []
            self.status_changed.emit(None)
            self.classifiers_changed.emit([])
            return
        key, recordings, folder = self.model_key, self._recordings(), classifiers_folder(project)

        def read() -> tuple[EmbeddingsStatus, list[Path]]:
            from audioclass_gui.app.learning_jobs import embeddings_status

            found = sorted(folder.glob("*.npz")) if folder.is_dir() else []
            return embeddings_status(place, key, recordings), found

        def done(result: tuple[EmbeddingsStatus, list[Path]]) -> None:
            if self.project is not project:
                return
            self.status = result[0]
            self.status_changed.emit(self.status)
            self._set_classifiers(result[1])

        self._app.tasks.submit(read, done, self._fail("Embeddings"))

    def _set_classifiers(self, paths: Sequence[Path]) -> None:
        self.classifiers = sorted({Path(p).absolute() for p in [*self.classifiers, *paths]})
        self.classifiers_changed.emit(list(self.classifiers))

    def missing_embeddings(self) -> str | None:
        """Why a learning action cannot run yet (no project, no embeddings), or None."""
        if self.project is None or self.session is None:
            return "Open a project or a recording first."
        if self.status is not None and not self.status.ready:
            return self.status.describe()
        return None

    # ------------------------------------------------------------ embeddings
    def embedding_job(self) -> Callable[[threading.Event], Iterator[EmbedProgress]]:
        """The computation of the missing embeddings, for a worker thread.

        Returns a function of a cancel event giving the
        :func:`~audioclass_gui.embeddings.compute.compute_embeddings`
        generator (every input fixed now, on the GUI thread). Running it
        again resumes: recordings already stored are skipped.

        Raises
        ------
        ValueError
            Without a project.
        """
        place = self.place()
        if place is None:
            raise ValueError("Open a project or a recording first.")
        recordings, key, factory = self._recordings(), self.model_key, self.model_factory

        def job(cancel: threading.Event) -> Iterator[EmbedProgress]:
            from audioclass_gui.embeddings.compute import compute_embeddings

            return compute_embeddings(
                recordings, place.folder, key, names=place.name, factory=factory, cancel=cancel
            )

        return job

    def embeddings_started(self) -> None:
        """The worker started the computation."""
        self.computing = True

    def embeddings_done(self, last: EmbedProgress | None, cancelled: bool) -> None:
        """The worker's computation ended: say so and read the status again."""
        self.computing = False
        self.embeddings_finished.emit(last, cancelled)
        self.refresh()

    # ------------------------------------------------------------ find similar
    def _name(self, species: str) -> str:
        session = self.session
        common = session.common_name(species) if session is not None else ""
        return common or species

    def query_for_detection(self, detection_id: int) -> SimilarQuery:
        """The query of a detection: its own window's stored vector, its species."""
        from audioclass_gui.review.shown import shown

        d = self.session.get(detection_id)  # type: ignore[union-attr]
        species = shown(self.session, d).verdict.label or d.scientific_name  # a relabel wins
        return SimilarQuery(
            species,
            f"{self._name(species)} at {Path(d.recording.path).name} {clock(d.start)}",
            str(d.recording.path),
            float(d.start),
            float(d.end),
            own_window=True,
        )

    def query_for_box(self, box_id: str) -> SimilarQuery:
        """The query of a drawn box: the windows it overlaps, its species.

        Raises
        ------
        ValueError
            If the box has no species.
        """
        box = self.session.box(box_id)  # type: ignore[union-attr]
        if box is None:
            raise KeyError(box_id)
        if not box.scientific_name:
            raise ValueError("Give the box a species first: matches are verdicts for it.")
        return SimilarQuery(
            box.scientific_name,
            f"{self._name(box.scientific_name)} box at {Path(box.recording).name} {clock(box.start)}",
            str(box.recording),
            float(box.start),
            float(box.end),
        )

    def query_for_file(
        self, path: str | Path, species: str, start: float = 0.0, end: float | None = None
    ) -> SimilarQuery:
        """The query of an audio file (its windows' features averaged), for ``species``."""
        path = Path(path)
        return SimilarQuery(
            species, f"{self._name(species)} in {path.name}", None, float(start), end, file=path
        )

    def _model(self) -> Any:
        from audioclass_gui.models import create_model

        return self.model_factory() if self.model_factory is not None else create_model(self.model_key)

    def _run_context(self) -> tuple[ReviewProject, EmbeddingsPlace, dict[str, Any]]:
        project, place, session = self.project, self.place(), self.session
        if project is None or place is None or session is None:
            raise ValueError("Open a project or a recording first.")
        recordings = {place.name(r.path): r for r in session.recordings}
        return project, place, recordings

    def _store(self, place: EmbeddingsPlace):
        from audioclass_gui.embeddings import EmbeddingStore

        if not EmbeddingStore.exists(place.folder, self.model_key):
            raise LookupError(
                f"{place.folder}: no {self.model_key} embeddings for this project yet; "
                "compute them (Model › Compute embeddings for the project)."
            )
        return EmbeddingStore.open(place.folder, self.model_key)

    def find_similar(self, query: SimilarQuery, k: int = DEFAULT_K) -> None:
        """List the ``k`` windows most similar to ``query`` (see the module docstring)."""
        try:
            project, place, recordings = self._run_context()
        except ValueError as exc:
            self._app.messages.report("Find similar", str(exc))
            return
        key, model = self.model_key, (self._model if query.file is not None else None)

        def work() -> WindowsRun:
            from audioclass_gui.app.learning_jobs import (
                Window,
                query_rows,
                write_windows_run,
            )
            from audioclass_gui.embeddings import search

            store = self._store(place)
            exclude: list[int] = []
            if query.file is not None:
                from audioclass_gui.embeddings.compute import embed_file

                _, vector = embed_file(query.file, model(), query.start, query.end)
            else:
                rows = query_rows(
                    store, place.name(query.recording), query.start,
                    query.end if query.end is not None else query.start, own_window=query.own_window,
                )
                if not len(rows):
                    raise LookupError(
                        f"{query.recording}: no stored window at {query.start:g} s; "
                        "compute the embeddings of this recording first."
                    )
                vector, exclude = store.vectors(rows), rows.tolist()
            result = search(store, vector, k, exclude_rows=exclude)
            names = store.recordings()
            rec, starts, ends = store.rows()
            windows = [
                Window(recordings[names[rec[r]]], float(starts[r]), float(ends[r]), query.species, float(s))
                for r, s in zip(result.rows.tolist(), result.similarities.tolist(), strict=True)
                if names[rec[r]] in recordings
            ]
            provenance = {"kind": "search", "query": query.to_json(), "k": k, "model": key}
            return write_windows_run(
                project.runs_folder(), windows, name=f"Similar: {query.description}",
                provenance=provenance, extra={"windows_searched": len(store)},
            )

        self.busy.emit(f"Finding windows similar to {query.description}…")
        self._app.tasks.submit(
            work,
            lambda run: self._show(run, project, "similar", f"Similar to {query.description}"),
            self._fail("Find similar"),
        )

    def _add_run(self, run: WindowsRun, project: ReviewProject) -> list[int]:
        """Put a written run into the session and the project; its detections' ids in list order."""
        session = project.session
        key = project.codec.encode(run.target)
        session.set_run(key, name=run.name, provenance=run.provenance)
        session.add_predictions(run.predictions, run=key)
        project.record_run(run.target, name=run.name, provenance=run.provenance, detections=run.detections)
        ids: list[int] = []
        for w in run.windows:
            found = session.ids_for((str(w.recording.path), round(w.start, 3), round(w.end, 3), w.species))
            if found:
                ids.append(max(found))  # the newest: this run's
        self.run_added.emit(run)
        return ids

    def _show(self, run: WindowsRun, project: ReviewProject, kind: str, what: str) -> None:
        from audioclass_gui.review.sampling import ReviewQueue, Stratum

        self.busy.emit("")
        if project is not self.project:
            return
        ids = self._add_run(run, project)
        scores = tuple(w.score for w in run.windows)
        species = tuple(sorted({w.species for w in run.windows}))
        low, high = (min(scores), max(scores)) if scores else (0.0, 0.0)
        strata = tuple(
            Stratum(s, low, high, len(ids), tuple(i for i, w in zip(ids, run.windows, strict=False) if w.species == s))
            for s in species
        )
        queue = ReviewQueue(tuple(ids), strata, len(ids), (low, high), 0, species)
        noun = ("match", "matches") if kind == "similar" else ("window", "windows")
        listing = LearningList(
            kind, f"{what} — {len(ids)} {noun[len(ids) != 1]}", queue, run.target, scores
        )
        self.listing = listing
        self._app.review.set_queue(queue)
        self.list_changed.emit(listing)

    def leave_list(self) -> None:
        """Back to the normal list (the run stays in the project)."""
        if self.listing is None:
            return
        self.listing = None
        if self._app.review.queue is not None:
            self._app.review.set_queue(None)
        self.list_changed.emit(None)

    # ------------------------------------------------------------ training
    def species_choices(self) -> list[tuple[str, str, int]]:
        """Species with accepted verdicts: ``(scientific, common, accepted windows)``, most first."""
        from audioclass_gui.learn import collect_examples

        session = self.session
        if session is None:
            return []
        examples = collect_examples(session)
        counts: dict[str, int] = {}
        for e in examples.examples:
            for name in e.accepted:
                counts[name] = counts.get(name, 0) + 1
        return sorted(
            ((s, session.common_name(s), n) for s, n in counts.items()), key=lambda t: (-t[2], t[0])
        )

    def prepare_training(self, species: Sequence[str]) -> None:
        """Join the verdicts' examples to the embeddings (tasks); emits ``training_ready``."""
        from audioclass_gui.learn import collect_examples, join_embeddings

        try:
            _project, place, _ = self._run_context()
        except ValueError as exc:
            self._app.messages.report("Train a classifier", str(exc))
            return
        examples, chosen = collect_examples(self.session), list(species)

        def work() -> TrainingSet:
            return join_embeddings(examples, self._store(place), chosen, roots=[place.root])

        self._app.tasks.submit(work, self.training_ready.emit, self._fail("Train a classifier"))

    def train(self, training: TrainingSet, *, folds: int = 5) -> None:
        """Cross-validate and fit (tasks); emits ``trained`` with the figures."""
        from audioclass_gui.learn import train_classifier

        session, project = self.session, self.project
        names = {s: session.common_name(s) for s in training.species} if session is not None else {}
        base = None if self.model_key == "birdnet" else {"key": self.model_key, "name": self.model_key, "version": ""}
        extra = {"project": str(project.journal_path)} if project is not None else {}

        def work() -> ClassifierFile:
            return train_classifier(training, base_model=base, common_names=names, folds=folds, extra=extra)

        self.busy.emit("Training…")
        self._app.tasks.submit(work, self._trained, self._fail("Training failed"))

    def _trained(self, model: ClassifierFile) -> None:
        self.busy.emit("")
        self.trained.emit(model)

    def default_classifier_path(self, name: str) -> Path | None:
        """``<project state>/classifiers/<name>.npz``, or None without a project."""
        project = self.project
        if project is None:
            return None
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.strip()) or "classifier"
        return classifiers_folder(project) / f"{safe}.npz"

    def save_classifier(self, model: ClassifierFile, path: str | Path) -> None:
        """Write the classifier file (tasks); it joins the project's classifiers."""
        from audioclass_gui.learn import write_classifier

        def done(written: Path) -> None:
            self._set_classifiers([written])
            self.classifier_saved.emit(Path(written).absolute())
            self._app.messages.say(f"Saved the classifier to {written}", 8000)

        def write() -> Path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            return write_classifier(path, model)

        self._app.tasks.submit(write, done, self._fail("Classifier not saved"))

    # ------------------------------------------------------------ classifiers
    def _scores(self, path: Path, place: EmbeddingsPlace) -> tuple[Any, Any, np.ndarray]:
        from audioclass_gui.app.learning_jobs import score_store
        from audioclass_gui.learn import read_classifier

        model = read_classifier(path)
        store = self._store(place)
        if store.dim != model.head.dim:
            raise ValueError(
                f"{path}: trained on {model.head.dim}-d embeddings; the project's "
                f"{self.model_key} embeddings are {store.dim}-d"
            )
        return model, store, score_store(store, model.head.predict)

    @staticmethod
    def _provenance(path: Path, model: ClassifierFile, kind: str) -> dict[str, Any]:
        header = model.make_header()
        keep = ("species", "base_model", "threshold", "training", "cross_validation", "created")
        return {"kind": kind, "classifier_file": str(path), **{k: header[k] for k in keep}}

    def run_classifier(self, path: str | Path, *, floor: float = RUN_FLOOR) -> None:
        """Score every stored window with a classifier file; the scores come in as a new run."""
        path = Path(path).absolute()
        try:
            project, place, recordings = self._run_context()
        except ValueError as exc:
            self._app.messages.report("Run the classifier", str(exc))
            return

        def work() -> WindowsRun:
            from audioclass_gui.app.learning_jobs import Window, write_windows_run

            model, store, scores = self._scores(path, place)
            names = store.recordings()
            rec, starts, ends = store.rows()
            rows, cols = np.nonzero(scores >= floor)
            windows = [
                Window(recordings[names[rec[r]]], float(starts[r]), float(ends[r]), model.species[c], float(scores[r, c]))
                for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
                if names[rec[r]] in recordings
            ]
            return write_windows_run(
                project.runs_folder(), windows, name=f"Custom: {path.name.removesuffix('.npz')}",
                provenance=self._provenance(path, model, "classifier"),
            )

        def done(run: WindowsRun) -> None:
            self.busy.emit("")
            if project is self.project:
                self._add_run(run, project)
                self._app.messages.say(f"{run.name}: {run.detections} detections added as a new run", 10000)

        self.busy.emit(f"Running {path.name} over the project's embeddings…")
        self._app.tasks.submit(work, done, self._fail("Run the classifier"))

    def least_sure(self, path: str | Path, n: int = 50) -> None:
        """List the ``n`` windows the classifier is least sure of, not judged yet, spread over recordings."""
        from audioclass_gui.learn import collect_examples, uncertain_queue

        path = Path(path).absolute()
        try:
            project, place, recordings = self._run_context()
        except ValueError as exc:
            self._app.messages.report("Least sure", str(exc))
            return
        judged = [(place.name(e.recording), e.start) for e in collect_examples(self.session).examples]

        def work() -> WindowsRun:
            from audioclass_gui.app.learning_jobs import Window, write_windows_run

            model, store, scores = self._scores(path, place)
            names = store.recordings()
            rec, starts, ends = store.rows()
            exclude = np.zeros(len(store), bool)
            for name, start in judged:
                row = store.lookup(name, [start])[0]
                if row >= 0:
                    exclude[row] = True
            exclude |= ~np.isin(np.asarray(names, object)[rec] if len(rec) else np.zeros(0, object), list(recordings))
            picks: list[Window] = []
            per = max(1, n // max(1, len(model.species)))
            for c, species in enumerate(model.species):
                q = uncertain_queue(scores[:, c], rec, model.head.threshold, per, exclude=exclude)
                picks += [
                    Window(recordings[names[rec[r]]], float(starts[r]), float(ends[r]), species, float(scores[r, c]))
                    for r in q.rows.tolist()
                ]
            return write_windows_run(
                project.runs_folder(), picks, name=f"Least sure: {path.name.removesuffix('.npz')}",
                provenance=self._provenance(path, model, "least sure"),
            )

        what = f"What {path.name.removesuffix('.npz')} is least sure of"
        self.busy.emit(f"{what}…")
        self._app.tasks.submit(
            work, lambda run: self._show(run, project, "uncertain", what), self._fail("Least sure")
        )
