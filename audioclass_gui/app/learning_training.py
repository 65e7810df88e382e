"""Training classifiers from the verdicts, running them over the stored embeddings, least sure.

Examples from the verdicts are joined to the embeddings, cross-validated,
fitted and saved into the project's ``classifiers`` folder; a classifier
runs over every stored window as a new run (the classifier's header as
provenance); the windows it is least sure of, not judged yet, are listed
for review like Find similar's matches. Part of
:class:`~audioclass_gui.app.learning.Learning` (``app.learning.training``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from audioclass_gui.app.learning import Learning
    from audioclass_gui.app.learning_jobs import WindowsRun
    from audioclass_gui.embeddings.locate import EmbeddingsPlace
    from audioclass_gui.learn import ClassifierFile, TrainingSet
    from audioclass_gui.project import ReviewProject

__all__ = ["RUN_FLOOR", "Training", "classifiers_folder"]

#: Scores below this are not kept when a classifier runs over the project.
RUN_FLOOR = 0.05


def classifiers_folder(project: ReviewProject) -> Path:
    """Where the classifiers trained in a project are saved by default."""
    journal = project.journal_path
    return journal.parent / "classifiers" if project.is_folder else journal.with_suffix(".classifiers")


class Training:
    """Training, saving and running classifiers, through the app's tasks.

    Parameters
    ----------
    learning
        The learning part of the app model (see :class:`SimilarSearch`).
    """

    def __init__(self, learning: Learning) -> None:
        self._learning = learning

    def species_choices(self) -> list[tuple[str, str, int]]:
        """Species with accepted verdicts: ``(scientific, common, accepted windows)``, most first."""
        from audioclass_gui.learn import collect_examples

        session = self._learning.session
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
            _project, place, _ = self._learning.run_context()
        except ValueError as exc:
            self._learning.app.messages.report("Train a classifier", str(exc))
            return
        examples, chosen = collect_examples(self._learning.session), list(species)

        def work() -> TrainingSet:
            return join_embeddings(examples, self._learning.store(place), chosen, roots=[place.root])

        self._learning.app.tasks.submit(work, self._learning.training_ready.emit, self._learning.fail("Train a classifier"))

    def train(self, training: TrainingSet, *, folds: int = 5) -> None:
        """Cross-validate and fit (tasks); emits ``trained`` with the figures."""
        from audioclass_gui.learn import train_classifier

        session, project = self._learning.session, self._learning.project
        names = {s: session.common_name(s) for s in training.species} if session is not None else {}
        base = None if self._learning.model_key == "birdnet" else {"key": self._learning.model_key, "name": self._learning.model_key, "version": ""}
        extra = {"project": str(project.journal_path)} if project is not None else {}

        def work() -> ClassifierFile:
            return train_classifier(training, base_model=base, common_names=names, folds=folds, extra=extra)

        self._learning.busy.emit("Training…")
        self._learning.app.tasks.submit(work, self._trained, self._learning.fail("Training failed"))

    def _trained(self, model: ClassifierFile) -> None:
        self._learning.busy.emit("")
        self._learning.trained.emit(model)

    def default_classifier_path(self, name: str) -> Path | None:
        """``<project state>/classifiers/<name>.npz``, or None without a project."""
        project = self._learning.project
        if project is None:
            return None
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.strip()) or "classifier"
        return classifiers_folder(project) / f"{safe}.npz"

    def save_classifier(self, model: ClassifierFile, path: str | Path) -> None:
        """Write the classifier file (tasks); it joins the project's classifiers."""
        from audioclass_gui.learn import write_classifier

        def done(written: Path) -> None:
            self._learning.add_classifiers([written])
            self._learning.classifier_saved.emit(Path(written).absolute())
            self._learning.app.messages.say(f"Saved the classifier to {written}", 8000)

        def write() -> Path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            return write_classifier(path, model)

        self._learning.app.tasks.submit(write, done, self._learning.fail("Classifier not saved"))


    def _scores(self, path: Path, place: EmbeddingsPlace) -> tuple[Any, Any, np.ndarray]:
        from audioclass_gui.app.learning_jobs import score_store
        from audioclass_gui.learn import read_classifier

        model = read_classifier(path)
        store = self._learning.store(place)
        if store.dim != model.head.dim:
            raise ValueError(
                f"{path}: trained on {model.head.dim}-d embeddings; the project's "
                f"{self._learning.model_key} embeddings are {store.dim}-d"
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
            project, place, recordings = self._learning.run_context()
        except ValueError as exc:
            self._learning.app.messages.report("Run the classifier", str(exc))
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
            self._learning.busy.emit("")
            if project is self._learning.project:
                self._learning.add_run(run, project)
                self._learning.app.messages.say(f"{run.name}: {run.detections} detections added as a new run", 10000)

        self._learning.busy.emit(f"Running {path.name} over the project's embeddings…")
        self._learning.app.tasks.submit(work, done, self._learning.fail("Run the classifier"))

    def least_sure(self, path: str | Path, n: int = 50) -> None:
        """List the ``n`` windows the classifier is least sure of, not judged yet, spread over recordings."""
        from audioclass_gui.learn import collect_examples, uncertain_queue

        path = Path(path).absolute()
        try:
            project, place, recordings = self._learning.run_context()
        except ValueError as exc:
            self._learning.app.messages.report("Least sure", str(exc))
            return
        judged = [(place.name(e.recording), e.start) for e in collect_examples(self._learning.session).examples]

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
        self._learning.busy.emit(f"{what}…")
        self._learning.app.tasks.submit(
            work, lambda run: self._learning.show(run, project, "uncertain", what), self._learning.fail("Least sure")
        )
