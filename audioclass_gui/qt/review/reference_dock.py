"""The Reference examples dock: joins the panel to the app model and the window.

The dock sits in a tab beside a neighbour (it takes no room until chosen)
and *View › Reference examples* shows or hides it. While it is shown, the
app model's :class:`~audioclass_gui.app.reference_examples.ReferenceExamples`
follows the selection; thumbnails are asked for with the Spectrogram
panel's settings and drawn as they arrive. A click plays the example
(through the app model's playback intent, from its own recording); a
double-click opens its recording and shows the example there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from audioclass_gui.app.reference_examples import ReferenceList, request_of
from audioclass_gui.qt.common.docks import add_dock
from audioclass_gui.qt.menus import find_menu
from audioclass_gui.qt.review.reference_panel import ReferencePanel

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget, QMainWindow

    from audioclass_gui.app import AppModel
    from audioclass_gui.qt.review.review_controller import ReviewController
    from audioclass_gui.qt.spectrogram.spectrogram_settings import (
        SpectrogramSettingsPanel,
    )
    from audioclass_gui.review.reference_examples import ReferenceExample
    from audioclass_gui.spectrogram.thumbnails import Thumbnail

__all__ = ["ReferenceController"]

TITLE = "Reference examples"


class ReferenceController(QObject):
    """Makes the dock and keeps it showing the selection's reference examples.

    Parameters
    ----------
    app
        The app model (its ``references`` part, the selection, playback).
    review
        The review controller: selects an example opened by a double-click
        and brings it into view.
    window
        The main window the dock goes in.
    settings
        The Spectrogram panel: thumbnails use its analysis settings
        (``params()``) and display settings (``display()``) and follow
        their changes.
    neighbour
        A right-hand dock to share a tab with.
    """

    def __init__(
        self,
        app: AppModel,
        review: ReviewController,
        window: QMainWindow,
        settings: SpectrogramSettingsPanel,
        neighbour: QDockWidget | None = None,
    ) -> None:
        super().__init__(window)
        self.app = app
        self.references = app.references
        self.review = review
        self.settings = settings
        self.panel = ReferencePanel()
        self.dock = add_dock(window, self.panel, TITLE, Qt.DockWidgetArea.RightDockWidgetArea)
        if neighbour is not None:
            window.tabifyDockWidget(neighbour, self.dock)
        find_menu(window, "&View").addAction(self.dock.toggleViewAction())
        self._pending_open: ReferenceExample | None = None
        self.references.changed.connect(self._show)
        self.references.thumbnail_ready.connect(self._on_thumbnail)
        self.panel.play_requested.connect(self.references.play)
        self.panel.open_requested.connect(self.open_example)
        settings.params_changed.connect(lambda _p: self._show(self.references.current))
        settings.display_changed.connect(lambda _d: self._show(self.references.current))
        app.recording_opened.connect(self._on_recording_opened)
        self.dock.visibilityChanged.connect(self._on_visible)

    # ------------------------------------------------------------ showing
    def _on_visible(self, visible: bool) -> None:
        self.references.set_active(visible)
        if visible:
            self._show(self.references.current)

    def _show(self, listed: ReferenceList) -> None:
        """List the examples and draw each thumbnail already computed (the rest follow)."""
        self.panel.show_list(listed)
        params = self.settings.params()
        for card in self.panel.cards:
            thumb = self.references.thumbnail(card.example, params)
            if thumb is not None:
                self._draw(thumb)

    def _on_thumbnail(self, thumb: Thumbnail) -> None:
        self._draw(thumb)

    def _draw(self, thumb: Thumbnail) -> None:
        from audioclass_gui.qt.review.reference_thumbnail import thumbnail_pixmap

        display = self.settings.display()
        for card in self.panel.cards:
            if request_of(card.example) != thumb.request:
                continue
            if thumb.tile is None:
                card.set_problem(thumb.problem)
            else:
                card.set_picture(lambda w, h, t=thumb: thumbnail_pixmap(t, display, w, h))

    # ------------------------------------------------------------- opening
    def open_example(self, example: ReferenceExample) -> None:
        """Show the example in its recording (opened first if another one is shown)."""
        info = self.app.document.info
        if info is not None and Path(info.path).absolute() == example.recording:
            self._go_to(example)
            return
        self._pending_open = example
        self.app.request_open(example.recording)

    def _on_recording_opened(self, info) -> None:
        example, self._pending_open = self._pending_open, None
        if example is not None and Path(info.path).absolute() == example.recording:
            self._go_to(example)

    def _go_to(self, example: ReferenceExample) -> None:
        """Select the example where the list has it, and bring it into view."""
        review = self.review
        if example.kind == "box":
            self.app.review.select_box(str(example.key))
        elif review.table.source.row_of(int(example.key)) is not None:
            review.select(int(example.key))
        review.view.ensure_visible(example.start, example.end)
