"""The learning actions in the window's menus, and the list of matches or least-sure windows.

- Model › Compute embeddings for the project: the missing embeddings, in
  the background (:class:`~audioclass_gui.qt.learn.embeddings_worker.EmbeddingsWorker`),
  with a progress dialog; when a learning action needs embeddings that
  are not there, a message says what is missing, with a "Compute now" button.
- Review › Find similar (F): from the selected detection or drawn box;
  Review › Find similar to an audio file…; the matches are listed (a
  banner above the table says what), best first; the usual keys judge them.
- Review › Train a classifier…: :class:`~audioclass_gui.qt.learn.train_dialog.TrainDialog`.
- Model › Run a classifier over the project…; Review › Review what the
  classifier is least sure of: from the stored embeddings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QMessageBox,
)

from audioclass_gui.qt.learn.embeddings_worker import EmbeddingsDialog, EmbeddingsWorker
from audioclass_gui.qt.learn.similar_banner import SimilarBanner
from audioclass_gui.qt.menus import add_action, find_menu
from audioclass_gui.review import Status

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from audioclass_gui.app import AppModel
    from audioclass_gui.app.learning import LearningList
    from audioclass_gui.qt.learn.train_dialog import TrainDialog
    from audioclass_gui.qt.review.detection_table import DetectionTable
    from audioclass_gui.qt.review.review_controller import ReviewController

__all__ = ["LearningController"]


class LearningController(QObject):
    """Menus, dialogs and the list mode of ``app.learning``.

    Signals
    -------
    dialog_shown(object)
        A dialog was opened (non-modal): progress, train, missing embeddings.
    """

    dialog_shown = Signal(object)

    def __init__(
        self, app: AppModel, review: ReviewController, table: DetectionTable, window: QMainWindow
    ) -> None:
        super().__init__(window)
        self.app = app
        self.learning = app.learning
        self.review = review
        self.window = window
        self._table = table
        self.worker = EmbeddingsWorker(self.learning, self)
        self.progress_dialog: EmbeddingsDialog | None = None
        self.train_dialog: TrainDialog | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None

        self.banner = SimilarBanner()
        dock = window.findChild(QDockWidget, "dock-detections")
        box = dock.widget() if dock is not None else None
        if box is not None and box is not table and box.layout() is not None:
            box.layout().insertWidget(0, self.banner)  # above the table (and the sample's banner)
        self.banner.back_requested.connect(self.learning.leave_list)

        act = add_action
        model_menu = find_menu(window, "&Model")
        model_menu.addSeparator()
        self.compute_action = act(
            window, model_menu, "Compute &embeddings for the project", None, self.compute,
            "Store the model's features of every window, for Find similar and training",
        )
        self.run_classifier_action = act(
            window, model_menu, "Run a &classifier over the project…", None, self.ask_run_classifier,
            "Score every window from the stored embeddings; the detections come in as a new run",
        )
        menu = find_menu(window, "&Review")
        menu.addSeparator()
        self.similar_action = act(
            window, menu, "&Find similar", "F", self.find_similar,
            "List the windows most like the selected detection or box",
        )
        self.similar_file_action = act(
            window, menu, "Find similar to an audio &file…", None, self.ask_similar_file,
            "List the windows most like a recording of a call",
        )
        self.train_action = act(
            window, menu, "&Train a classifier…", None, self.show_train,
            "Learn species from your verdicts; see its cross-validated precision and recall",
        )
        self.least_sure_action = act(
            window, menu, "Review what the classifier is &least sure of", None, self.least_sure,
            "List the windows scored nearest the classifier's threshold that no one has judged",
        )
        self.back_action = act(
            window, menu, "Back to the detection list", None, self.learning.leave_list,
            "Leave the list of matches",
        )
        self.back_action.setEnabled(False)

        self.learning.list_changed.connect(self._on_list)
        # Another list put in place of ours (a verification sample): ours steps aside.
        app.review.listing_changed.connect(self._on_listing)
        self.learning.busy.connect(lambda text: app.messages.say(text, 0 if text else 1))
        app.recording_opened.connect(lambda _info: self._update_banner())

    # ------------------------------------------------------------ embeddings
    def compute(self) -> EmbeddingsDialog | None:
        """Model › Compute embeddings for the project (non-modal progress)."""
        if self.app.document.project is None:
            self.app.messages.say("Open a project or a recording first.", 5000)
            return None
        if not self.worker.running:
            try:
                self.worker.start()
            except ValueError as exc:
                self.app.messages.report("Compute embeddings", str(exc))
                return None
            self.progress_dialog = EmbeddingsDialog(self.worker, self.window)
        dialog = self.progress_dialog
        if dialog is not None:
            dialog.show()
            dialog.raise_()
            self.dialog_shown.emit(dialog)
        return dialog

    def _needs_embeddings(self) -> bool:
        """True (and the user is told, with a way to compute them) when embeddings are missing."""
        why = self.learning.missing_embeddings()
        if why is None:
            return False
        if self.app.document.project is None:
            self.app.messages.say(why, 5000)
            return True
        box = QMessageBox(QMessageBox.Icon.Information, "Embeddings needed", why, parent=self.window)
        compute = box.addButton("Compute now", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.NonModal)
        compute.clicked.connect(self.compute)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        self.dialog_shown.emit(box)
        return True

    # ------------------------------------------------------------ find similar
    @property
    def k(self) -> int:
        """How many matches Find similar lists."""
        return self.banner.k.value()

    def find_similar(self) -> None:
        """Review › Find similar: from the selected box, else the selected detection."""
        if self._needs_embeddings():
            return
        state = self.app.review
        try:
            if state.selected_box is not None:
                query = self.learning.similar.query_for_box(state.selected_box)
            elif state.selected is not None:
                query = self.learning.similar.query_for_detection(state.selected)
            else:
                self.app.messages.say("Select a detection or a drawn box first (or use an audio file).", 6000)
                return
        except (KeyError, ValueError) as exc:
            self.app.messages.report("Find similar", str(exc))
            return
        self.learning.similar.find_similar(query, self.k)

    def ask_similar_file(self) -> None:
        """Review › Find similar to an audio file…: the file, then the species its call is."""
        if self._needs_embeddings():
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Find windows similar to…")
        if not path:
            return
        species = self.ask_species("Which species is calling in this file? Accepted matches are verdicts for it.")
        if species:
            self.learning.similar.find_similar(self.learning.similar.query_for_file(path, species), self.k)

    def ask_species(self, question: str) -> str | None:
        """A species of the review, chosen by its common name (None if cancelled)."""
        names = self.app.document.species_names()
        labels = sorted(f"{common or sci} ({sci})" for sci, common in names.items())
        if not labels:
            return None
        label, ok = QInputDialog.getItem(self.window, "Species", question, labels, 0, False)
        return label.rsplit("(", 1)[1].rstrip(")") if ok and label else None

    # ------------------------------------------------------------ list mode
    def _on_list(self, listing: LearningList | None) -> None:
        if listing is None:
            self.banner.hide()
            self.back_action.setEnabled(False)
            if self._sort is not None:
                self._table.sortByColumn(*self._sort)
                self._sort = None
            self._watch(False)
            return
        if self._sort is None:
            header = self._table.horizontalHeader()
            self._sort = (header.sortIndicatorSection(), header.sortIndicatorOrder())
            self._watch(True)
        self._table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the list's order
        self.back_action.setEnabled(True)
        self._update_banner()
        session = self.app.document.session
        target = listing.queue.next_unreviewed(session) if session is not None else None
        if target is not None:
            self.review.select(target)
        self.window.activateWindow()

    def _on_listing(self) -> None:
        listing = self.learning.listing
        if listing is not None and self.app.review.queue is not listing.queue:
            self.learning.leave_list()

    def _watch(self, on: bool) -> None:
        session = self.app.document.session
        if session is None:
            return
        if on:
            session.status_changed.connect(self._on_status)
        else:
            try:
                session.status_changed.disconnect(self._on_status)
            except (TypeError, ValueError, RuntimeError):
                pass

    def _on_status(self, _ids) -> None:
        self._update_banner()

    def _update_banner(self) -> None:
        listing, session = self.learning.listing, self.app.document.session
        if listing is None or session is None:
            return
        if self.app.review.queue is not listing.queue:  # the list was replaced (a sample, a new session)
            self.learning.leave_list()
            return
        ids = listing.queue.ids
        done = sum(session.status(i) is not Status.UNREVIEWED for i in ids)
        self.banner.show_list(listing.description, done, len(ids))

    # ------------------------------------------------------------ training
    def show_train(self) -> TrainDialog | None:
        """Review › Train a classifier… (non-modal)."""
        from audioclass_gui.qt.learn.train_dialog import TrainDialog

        if self._needs_embeddings():
            return None
        dialog = TrainDialog(self.learning, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_: setattr(self, "train_dialog", None))
        self.train_dialog = dialog
        dialog.show()
        self.dialog_shown.emit(dialog)
        return dialog

    def _choose_classifier(self, title: str) -> str | None:
        paths = self.learning.classifiers
        if len(paths) == 1:
            return str(paths[0])
        if not paths:
            folder = self.app.document.folder
            path, _ = QFileDialog.getOpenFileName(
                self.window, title, str(folder or ""), "Classifier (*.npz)"
            )
            return path or None
        names = [p.name for p in reversed(paths)]
        name, ok = QInputDialog.getItem(self.window, title, "Classifier", names, 0, False)
        return str(next(p for p in paths if p.name == name)) if ok else None

    def ask_run_classifier(self) -> None:
        """Model › Run a classifier over the project…"""
        if self._needs_embeddings():
            return
        path = self._choose_classifier("Run a classifier over the project")
        if path:
            self.learning.training.run_classifier(path)

    def least_sure(self) -> None:
        """Review › Review what the classifier is least sure of."""
        if self._needs_embeddings():
            return
        path = self._choose_classifier("Review what a classifier is least sure of")
        if path:
            self.learning.training.least_sure(path)

    def close(self) -> None:
        """Stop the computation (the window closes)."""
        self.worker.cancel()
        self.worker.wait(10.0)
