"""A searchable species picker: the window's other predictions first, keys 1–9 pick them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.review.species import search_species

__all__ = ["SpeciesPicker"]

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
#: Most search results listed.
LIMIT = 200


class SpeciesPicker(QDialog):
    """Choose a species by typing part of its scientific or common name.

    Parameters
    ----------
    names
        Scientific name -> common name ("" when unknown) of every species offered.
    first
        Species offered first (e.g. the window's other top predictions); with
        the search empty, keys 1–9 pick them.
    title
        The dialog's title.

    Signals
    -------
    species_chosen(str)
        The scientific name chosen (the dialog then closes).
    """

    species_chosen = Signal(str)

    def __init__(
        self,
        names: Mapping[str, str],
        first: Sequence[str] = (),
        title: str = "Relabel as…",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.names = dict(names)
        self.first = [n for n in first][:9]
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type part of a scientific or common name")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        hint = QLabel(
            "1–9 pick an offered species · type to search · ↑↓ and Enter pick · Esc cancels"
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(hint)
        self.resize(420, 420)
        self.search.textChanged.connect(self._update)
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(self._pick_item)
        self._update("")

    def results(self) -> list[str]:
        """Scientific names listed, in order."""
        return [self.list.item(r).data(NAME_ROLE) for r in range(self.list.count())]

    def choose(self, scientific_name: str) -> None:
        """Pick a species (as Enter on its row would)."""
        self.species_chosen.emit(scientific_name)
        self.accept()

    def _update(self, text: str) -> None:
        self.list.clear()
        offered = {name: i for i, name in enumerate(self.first)}
        for sci, common in search_species(
            self.names, text, first=self.first, limit=LIMIT
        ):
            label = f"{common} ({sci})" if common and common != sci else sci
            if sci in offered:
                label = f"{offered[sci] + 1}   {label}"
            item = QListWidgetItem(label)
            item.setData(NAME_ROLE, sci)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _pick_item(self, item: QListWidgetItem) -> None:
        self.choose(item.data(NAME_ROLE))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.search and event.type() == QEvent.Type.ShortcutOverride:
            # The window's single-key shortcuts (Esc stops playback, 1...) must
            # not steal the picker's keys.
            event.accept()
            return True
        if obj is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if not self.search.text() and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
                index = key - Qt.Key.Key_1
                if index < len(self.first):
                    self.choose(self.first[index])
                return True  # digits never start a search
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.list.count():
                row = self.list.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))
                return True
            if key == Qt.Key.Key_Escape:
                self.reject()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if item is not None:
                    self._pick_item(item)
                return True
        return super().eventFilter(obj, event)
