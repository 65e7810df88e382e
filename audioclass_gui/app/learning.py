"""Learning from the reviewer in the window: embeddings, find similar, train, run, least sure.

:class:`Learning` is the app model's part for issue 14's user side, without
Qt. It knows where the open project's embeddings are and whether they are
there (:attr:`Learning.status`), gives the embeddings' computation as a
generator for a worker to run (:meth:`Learning.embedding_job`), and runs
its other actions through the app's tasks (the window's thread pool), so
the GUI thread never waits on the store, a search or training:

Find similar lives in :mod:`audioclass_gui.app.learning_similar`
(``learning.similar``), training and classifiers in
:mod:`audioclass_gui.app.learning_training` (``learning.training``); this
module keeps what they share: the project, its embeddings, the runs they
add and the list shown.

- **Find similar** (:meth:`SimilarSearch.find_similar`): the windows most like a
  detection's window, a drawn box's windows or an audio file become a new
  run of the project (species = the query's, score = cosine similarity,
  provenance ``{"kind": "search", ...}``), listed in similarity order as a
  review queue (``app.review.set_queue``): a match accepted is an ordinary
  verdict for the query's species on that window.
- **Train** (:meth:`Training.prepare_training`, :meth:`Training.train`,
  :meth:`Training.save_classifier`): examples from the verdicts, joined to
  the embeddings, cross-validated, fitted and saved into the project's
  ``classifiers`` folder.
- **Run a classifier over the project** (:meth:`Training.run_classifier`):
  from the stored embeddings, as a new run with the classifier's header as
  provenance.
- **Least sure** (:meth:`Training.least_sure`): the windows a classifier
  scores nearest its threshold, not judged yet, spread over recordings,
  listed as a queue like the matches.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psygnal import Signal

from audioclass_gui.app.learning_similar import (
    SimilarQuery,
    SimilarSearch,
)
from audioclass_gui.app.learning_training import Training, classifiers_folder

if TYPE_CHECKING:
    from audioclass_gui.app.learning_jobs import EmbeddingsStatus, WindowsRun
    from audioclass_gui.app.model import AppModel
    from audioclass_gui.embeddings.compute import EmbedProgress
    from audioclass_gui.embeddings.locate import EmbeddingsPlace
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.review import ReviewSession
    from audioclass_gui.review.sampling import ReviewQueue

__all__ = ["Learning", "LearningList", "SimilarQuery", "classifiers_folder", "embeddings_place"]



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
        self.app = app
        #: Registry key of the model whose embeddings are used ("birdnet").
        self.model_key = "birdnet"
        #: Replaces the registry's factory for that model (tests, plugins).
        self.model_factory: Callable[..., Any] | None = None
        self.status: EmbeddingsStatus | None = None
        self.listing: LearningList | None = None
        self.classifiers: list[Path] = []
        self.computing = False
        #: Find similar (:class:`~audioclass_gui.app.learning_similar.SimilarSearch`).
        self.similar = SimilarSearch(self)
        #: Training and classifiers (:class:`~audioclass_gui.app.learning_training.Training`).
        self.training = Training(self)
        self._list_project: ReviewProject | None = None  # the project the list shown belongs to
        self._resume: ReviewProject | None = None  # a project whose kept list is resumed when it shows
        app.document.events.project.connect(self._on_project)
        app.recording_opened.connect(self._on_recording_opened)

    # ------------------------------------------------------------ context
    def use_model(self, key: str, factory: Callable[..., Any] | None = None) -> None:
        """Use another model's embeddings (its registry key; a factory for tests)."""
        self.model_key, self.model_factory = key, factory
        self.refresh()

    @property
    def project(self) -> ReviewProject | None:
        """The open project (a single recording's implicit one too)."""
        return self.app.document.project

    @property
    def session(self) -> ReviewSession | None:
        """The session the project's verdicts are in."""
        return self.app.document.session

    def place(self) -> EmbeddingsPlace | None:
        """Where the open project's embeddings are, or None without a project."""
        project = self.project
        return embeddings_place(project) if project is not None else None

    def _recordings(self) -> list[str]:
        session = self.session
        return [str(r.path) for r in session.recordings] if session is not None else []

    def fail(self, title: str) -> Callable[[BaseException], None]:
        """An error callback for the tasks: the action ends and the problem is reported."""
        def report(exc: BaseException) -> None:
            self.busy.emit("")
            self.app.messages.report(title, str(exc) or type(exc).__name__)

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
            self.add_classifiers(result[1])

        self.app.tasks.submit(read, done, self.fail("Embeddings"))

    def add_classifiers(self, paths: Sequence[Path]) -> None:
        """Add classifier files to the project's list (said to the Model panel)."""
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

    def run_context(self) -> tuple[ReviewProject, EmbeddingsPlace, dict[str, Any]]:
        """The open project, its embeddings' place and its recordings by store name.

        Raises
        ------
        ValueError
            Without an open project.
        """
        project, place, session = self.project, self.place(), self.session
        if project is None or place is None or session is None:
            raise ValueError("Open a project or a recording first.")
        recordings = {place.name(r.path): r for r in session.recordings}
        return project, place, recordings

    def store(self, place: EmbeddingsPlace):
        """The project's store of the model's embeddings (LookupError: none yet)."""
        from audioclass_gui.embeddings import EmbeddingStore

        if not EmbeddingStore.exists(place.folder, self.model_key):
            raise LookupError(
                f"{place.folder}: no {self.model_key} embeddings for this project yet; "
                "compute them (Model › Compute embeddings for the project)."
            )
        return EmbeddingStore.open(place.folder, self.model_key)


    # ------------------------------------------------------------ lists
    def add_run(self, run: WindowsRun, project: ReviewProject) -> list[int]:
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

    def show(self, run: WindowsRun, project: ReviewProject, kind: str, what: str) -> None:
        """Add a written run of windows and list it as a queue (``kind``: similar, uncertain).

        The list is kept with the project, so reopening it resumes the list
        (:mod:`audioclass_gui.app.learning_lists`).
        """
        from audioclass_gui.app.learning_lists import keep_list

        self.busy.emit("")
        if project is not self.project:
            return
        ids = self.add_run(run, project)
        scores = tuple(w.score for w in run.windows)
        self._list(kind, what, ids, scores, run.target)
        if project.read_only:
            return
        try:
            keep_list(project, kind, what, project.codec.encode(run.target), run.windows)
        except OSError as exc:
            self.app.messages.report("List not kept", f"The list will not come back when the project is reopened: {exc}")

    def _list(
        self, kind: str, what: str, ids: Sequence[int], scores: Sequence[float], run: Path
    ) -> None:
        """List ``ids`` (in this order) as a queue of the open session."""
        from audioclass_gui.review.sampling import ReviewQueue, Stratum

        session = self.session
        species = [session.get(i).scientific_name for i in ids] if session is not None else []
        low, high = (min(scores), max(scores)) if scores else (0.0, 0.0)
        strata = tuple(
            Stratum(s, low, high, len(ids), tuple(i for i, n in zip(ids, species, strict=True) if n == s))
            for s in sorted(set(species))
        )
        queue = ReviewQueue(tuple(ids), strata, len(ids), (low, high), 0, tuple(sorted(set(species))))
        noun = ("match", "matches") if kind == "similar" else ("window", "windows")
        listing = LearningList(
            kind, f"{what} — {len(ids)} {noun[len(ids) != 1]}", queue, run, tuple(scores)
        )
        self.listing, self._list_project = listing, self.project
        self.app.review.set_queue(queue)
        self.list_changed.emit(listing)

    def leave_list(self) -> None:
        """Back to the normal list (the run stays in the project, the list is kept inactive)."""
        from audioclass_gui.app.learning_lists import set_list_active

        listing, project = self.listing, self._list_project
        if listing is None:
            return
        self._drop_list()
        if project is not None and project is self.project and not project.read_only:
            try:
                set_list_active(project, False)
            except OSError as exc:
                self.app.messages.report("List not kept", str(exc))

    def _drop_list(self) -> None:
        listing, self.listing, self._list_project = self.listing, None, None
        if listing is None:
            return
        if self.app.review.queue is listing.queue:  # not another list put in its place
            self.app.review.set_queue(None)
        self.list_changed.emit(None)

    def _on_project(self, project: ReviewProject | None) -> None:
        # Another project (or none): its list, if it kept one, comes back when it shows.
        self._drop_list()
        self._resume = project
        self.refresh()

    def _on_recording_opened(self, _info: object) -> None:
        from audioclass_gui.app.learning_lists import kept_list

        project, self._resume = self._resume, None
        if project is None or project is not self.project or project.session is not self.session:
            return
        kept = kept_list(project)
        if kept is not None and kept.active:
            run = Path(project.codec.decode(kept.run))
            self._list(kept.kind, kept.description, kept.ids, kept.scores, run)
