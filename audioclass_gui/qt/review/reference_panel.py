"""The Reference examples panel: verified calls of the selection's species, as thumbnails.

One card per example: its spectrogram thumbnail (or why there is none),
the recording's name, the time as the time axis writes it, the score, and
who accepted it. A click plays the example, a double-click opens its
recording there. The panel renders a
:class:`~audioclass_gui.app.reference_examples.ReferenceList` and says what
it has not got ("No accepted Tennessee Warbler yet in this project").
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from audioclass_gui.app.reference_examples import ReferenceList
from audioclass_gui.qt.common.time_format import TimeFormat
from audioclass_gui.review.reference_examples import ReferenceExample

__all__ = ["THUMB_HEIGHT", "THUMB_WIDTH", "ExampleCard", "ReferencePanel", "caption", "empty_text"]

#: Size of a thumbnail on screen (pixels): as wide as the panel, at least this.
THUMB_WIDTH, THUMB_HEIGHT = 240, 80
#: Draws a thumbnail at a width and height (pixels).
Render = Callable[[int, int], QPixmap]
_PICTURE_STYLE = "background: #303030; color: #e0e0e0; padding: 4px;"


def caption(example: ReferenceExample) -> str:
    """What a card says under its picture: where, when, how sure, who."""
    fmt = TimeFormat.for_recording(example.recording_duration, start=example.recording_start)
    where = f"{example.name} · {fmt.label(example.start, 1)}"
    if example.kind == "box":
        what = "box" if example.low_freq is not None else "time interval"
        how = f"{what} drawn"
    elif example.predicted is not None:
        how = f"relabelled from {example.predicted}"
    else:
        how = f"score {example.score:.2f}" if example.score is not None else "accepted"
    who = f" · {example.reviewer}" if example.reviewer else ""
    return f"{where}\n{how}{who}"


def empty_text(listed: ReferenceList) -> str:
    """What the panel says when it has no example to show."""
    if listed.selection is None:
        return "Select a detection to see accepted calls of its species from this project."
    if not listed.scientific_name:
        return "Tag the box with a species to see accepted calls of it."
    return f"No accepted {listed.species_label} yet in this project."


class ExampleCard(QFrame):
    """One example: picture and caption; click plays, double-click opens.

    Signals
    -------
    clicked(object)
        The :class:`ReferenceExample` was clicked.
    double_clicked(object)
        It was double-clicked.
    """

    clicked = Signal(object)
    double_clicked = Signal(object)

    def __init__(self, example: ReferenceExample, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.example = example
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(
            f"{example.recording}\n{example.start:.2f}–{example.end:.2f} s\n"
            "Click to play; double-click to open the recording here"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(2)
        self.picture = QLabel("Computing…")
        self.picture.setMinimumSize(THUMB_WIDTH, THUMB_HEIGHT)
        self.picture.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setWordWrap(True)
        self.picture.setStyleSheet(_PICTURE_STYLE)
        self.caption = QLabel(caption(example))
        self.caption.setWordWrap(True)
        layout.addWidget(self.picture)
        layout.addWidget(self.caption)
        #: Why there is no picture ("" while there is one, or while it is computed).
        self.problem = ""
        self._render: Render | None = None

    @property
    def has_picture(self) -> bool:
        """Whether the thumbnail is shown."""
        pixmap = self.picture.pixmap()
        return pixmap is not None and not pixmap.isNull()

    def set_picture(self, render: Render) -> None:
        """Show the thumbnail ``render`` draws, as wide as the card (drawn again when it resizes)."""
        self.problem = ""
        self._render = render
        self._draw()

    def set_problem(self, text: str) -> None:
        """Show why there is no thumbnail (a placeholder naming the file)."""
        self.problem = text
        self._render = None
        self.picture.setPixmap(QPixmap())
        self.picture.setText(text)

    def _draw(self) -> None:
        if self._render is not None:
            width = max(THUMB_WIDTH, self.picture.width())
            self.picture.setPixmap(self._render(width, THUMB_HEIGHT))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        pixmap = self.picture.pixmap()
        if self._render is not None and pixmap is not None and pixmap.width() != self.picture.width():
            self._draw()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.example)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.double_clicked.emit(self.example)
        super().mouseDoubleClickEvent(event)


class ReferencePanel(QWidget):
    """A title, the example cards best first, and a hint; or what is missing.

    Signals
    -------
    play_requested(object)
        Play this :class:`ReferenceExample`.
    open_requested(object)
        Open its recording at it.
    """

    play_requested = Signal(object)
    open_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(mid);")
        self._cards = QVBoxLayout()
        self._cards.setSpacing(6)
        self.hint = QLabel("Click a call to play it; double-click to open its recording there.")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(mid);")
        layout.addWidget(self.title)
        layout.addWidget(self.empty)
        layout.addLayout(self._cards)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        #: The cards shown, best first.
        self.cards: list[ExampleCard] = []
        self.show_list(ReferenceList())

    def sizeHint(self):  # the width of a card
        hint = super().sizeHint()
        hint.setWidth(THUMB_WIDTH + 24)
        return hint

    def show_list(self, listed: ReferenceList) -> None:
        """Show these examples (pictures follow with :meth:`ExampleCard.set_picture`)."""
        for card in self.cards:
            self._cards.removeWidget(card)
            card.deleteLater()
        self.cards = []
        for example in listed.examples:
            card = ExampleCard(example, self)
            card.clicked.connect(self.play_requested)
            card.double_clicked.connect(self.open_requested)
            self._cards.addWidget(card)
            self.cards.append(card)
        label = listed.species_label
        self.title.setText(f"<b>{label}</b>: accepted calls in this project" if label else "")
        self.title.setVisible(bool(label) and bool(listed.examples))
        self.empty.setText(empty_text(listed))
        self.empty.setVisible(not listed.examples)
        self.hint.setVisible(bool(listed.examples))
