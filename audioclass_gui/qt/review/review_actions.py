"""Review actions beyond accept/reject: relabel (S), note (N), bulk verdicts.

Installed into the window's Review menu by :class:`ReviewActions`; every
edit goes through the :class:`~audioclass_gui.qt.review.review_controller.ReviewController`,
so it is undoable and (in a project) durable at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QInputDialog, QMenu

from audioclass_gui.qt.menus import add_action, find_menu
from audioclass_gui.qt.review.species_picker import SpeciesPicker
from audioclass_gui.review import Status
from audioclass_gui.review.species import relabel_candidates

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from audioclass_gui.app import AppModel
    from audioclass_gui.qt.review.boxes import BoxController
    from audioclass_gui.qt.review.detection_table import DetectionTable
    from audioclass_gui.qt.review.review_controller import ReviewController
    from audioclass_gui.qt.spectrogram.spectrogram_view import SpectrogramView

__all__ = ["ReviewActions", "ReviewParts"]


@dataclass(frozen=True)
class ReviewParts:
    """What the review actions act on: the review, the table's selection, boxes, the axis."""

    review: ReviewController
    table: DetectionTable
    boxes: BoxController
    view: SpectrogramView
    #: Opens Review › Precision per species (a reports dialog), or says why not.
    open_precision: Callable[[], QDialog | None]


class ReviewActions(QObject):
    """Relabel, note and bulk actions of the window.

    Signals
    -------
    dialog_shown(object)
        A picker or note dialog was opened (non-modal).
    """

    dialog_shown = Signal(object)

    def __init__(self, app: AppModel, parts: ReviewParts, window: QMainWindow) -> None:
        super().__init__(window)
        self.app = app
        self.window = window  # menus and dialogs' parent
        self.review = parts.review
        self._parts = parts
        self.dialog = None
        menu = find_menu(window, "&Review")
        menu.addSeparator()
        self.relabel_action = self._add(
            menu,
            "Re&label (species)…",
            "S",
            self.ask_relabel,
            "Say the selected detection is another species (1–9 pick the window's other predictions), or retag the selected box",
        )
        self.note_action = self._add(
            menu,
            "&Note…",
            "N",
            self.ask_note,
            "Attach a note to the selected detection or box",
        )
        menu.addSeparator()
        self.accept_selected_action = self._add(
            menu,
            "Accept selected rows",
            "Shift+A",
            lambda: self.set_selected_rows(Status.ACCEPTED),
            "Accept every selected row of the table (one undoable edit)",
        )
        self.reject_selected_action = self._add(
            menu,
            "Reject selected rows",
            "Shift+R",
            lambda: self.set_selected_rows(Status.REJECTED),
            "Reject every selected row of the table (one undoable edit)",
        )
        self.reject_below_action = self._add(
            menu,
            "Reject species &below score…",
            "Shift+B",
            self.ask_reject_below,
            "Reject the open detections of the selected species scoring below a chosen score",
        )

        menu.addSeparator()
        self.precision_action = self._add(
            menu,
            "&Precision per species…",
            "Ctrl+Shift+P",
            self.show_precision,
            "Precision from your verdicts, and the threshold reaching a target precision",
        )

    def show_precision(self) -> QDialog | None:
        """Review › Precision per species (non-modal, follows new verdicts)."""
        dialog = self._parts.open_precision()
        if dialog is not None:
            self._show(dialog)
        return dialog

    def _add(self, menu: QMenu, text: str, key: str, slot, tip: str) -> QAction:
        return add_action(self.window, menu, text, key, slot, tip)

    # ------------------------------------------------------------- relabel
    def species_names(self) -> dict[str, str]:
        """Species offered: every label of the model, and every species of the session."""
        return self.app.document.species_names()

    def ask_relabel(self) -> SpeciesPicker | None:
        """Open the species picker for the selected detection (S), or retag the selected box."""
        boxes = self._parts.boxes
        if boxes.selected is not None:
            return boxes.ask_retag()
        d = self.review.selected
        session = self.app.document.session
        if d is None or session is None:
            self.app.messages.say("Select a detection to relabel.", 5000)
            return None
        first = relabel_candidates(session, d.id)
        picker = SpeciesPicker(
            self.species_names(),
            first,
            f"Relabel {self.review.read(d).species_text} as…",  # the species it is now
            self.window,
        )
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        judged = d.id
        picker.species_chosen.connect(lambda sci: self._relabel(judged, sci))
        self._show(picker)
        picker.search.setFocus()
        return picker

    def _relabel(self, detection_id: int, scientific_name: str) -> None:
        if self.review.selected is None or self.review.selected.id != detection_id:
            self.review.select(detection_id)
        self.review.relabel(scientific_name)
        self.window.activateWindow()

    # ---------------------------------------------------------------- note
    def ask_note(self) -> QInputDialog | None:
        """Ask for a note on the selected detection or box (N); an empty note removes it."""
        boxes = self._parts.boxes
        if boxes.selected is not None:
            return boxes.ask_note()
        d = self.review.selected
        session = self.app.document.session
        if d is None or session is None:
            self.app.messages.say("Select a detection to annotate.", 5000)
            return None
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Note")
        dialog.setLabelText(
            f"Note on {self.review.read(d).name} at {self._parts.view.time_format.label(d.start)}:"
        )
        dialog.setTextValue(session.verdict(d.id).note)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        judged = d.id
        dialog.textValueSelected.connect(lambda text: self._note(judged, text))
        self._show(dialog)
        return dialog

    def _note(self, detection_id: int, text: str) -> None:
        if self.review.selected is None or self.review.selected.id != detection_id:
            self.review.select(detection_id)
        self.review.set_note(text.strip())
        self.window.activateWindow()

    # ---------------------------------------------------------------- bulk
    def set_selected_rows(self, status: Status) -> bool:
        """Give every selected row of the table one verdict."""
        ids = self._parts.table.selected_ids()
        if not ids:
            self.app.messages.say("Select rows of the table first.", 5000)
            return False
        done = self.review.set_status_many(ids, status)
        if done:
            self.app.messages.say(f"{status.value.capitalize()} {len(ids)} detections.", 5000)
        return done

    def ask_reject_below(self) -> QInputDialog | None:
        """Ask for a score; reject the selected species' open detections below it."""
        d = self.review.selected
        if d is None:
            self.app.messages.say("Select a detection of the species first.", 5000)
            return None
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Reject below a score")
        dialog.setLabelText(
            f"Reject every open detection of {d.common_name or d.scientific_name} scoring below:"
        )
        dialog.setInputMode(QInputDialog.InputMode.DoubleInput)
        dialog.setDoubleRange(0.0, 1.0)
        dialog.setDoubleDecimals(3)
        dialog.setDoubleValue(0.5)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        species = d.scientific_name
        dialog.doubleValueSelected.connect(
            lambda score: self._reject_below(species, score)
        )
        self._show(dialog)
        return dialog

    def _reject_below(self, species: str, score: float) -> None:
        self.review.reject_below(species, score)
        self.window.activateWindow()

    def _show(self, dialog) -> None:
        self.dialog = dialog
        dialog.show()
        self.dialog_shown.emit(dialog)
