"""Per-species thresholds on the detection list: load, apply, clear, remember.

Species given their own threshold (from a thresholds CSV, or applied from
Review › Precision per species) ignore the model panel's slider; all other
species keep following it. The table and the overlays both follow, since
both come from :meth:`ReviewController.visible`.

In a review project the applied thresholds are remembered in the project's
settings (its journal), with where they came from, and restored when the
project is opened again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from audioclass_gui.formats.thresholds import (
    read_thresholds_csv,
    thresholds_from_setting,
    thresholds_setting,
)
from audioclass_gui.qt.tasks import file_problem

if TYPE_CHECKING:
    from audioclass_gui.project.project import ReviewProject
    from audioclass_gui.qt.main_window import MainWindow

__all__ = ["SETTING_KEY", "SpeciesThresholdsController"]

#: Key of the applied thresholds in a review project's settings.
SETTING_KEY = "species_thresholds"


class SpeciesThresholdsController(QObject):
    """The window's per-species thresholds (the model panel's row).

    Signals
    -------
    changed(dict, str)
        The active thresholds (``{}`` when cleared) and where they came from.
    """

    changed = Signal(dict, str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.thresholds: dict[str, float] = {}
        self.source = ""
        #: The project the active thresholds belong to (None: loaded outside one).
        self._owner: ReviewProject | None = None
        panel = window.model_panel
        panel.species_thresholds_load_requested.connect(self.ask_load)
        panel.species_thresholds_clear_requested.connect(self.clear)
        window.projects.project_opened.connect(self._on_project_opened)

    # ------------------------------------------------------------ actions
    def ask_load(self) -> None:
        """Ask for a thresholds CSV and load it."""
        start = (
            str(self.window.info.path.parent) if self.window.info is not None else ""
        )
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Load per-species thresholds",
            start,
            "Thresholds (*.csv *.tsv *.txt);;All files (*)",
        )
        if path:
            self.load(path)

    def load(self, path: str | Path) -> None:
        """Read a thresholds CSV off the GUI thread and apply it; report a bad file."""
        path = Path(path)
        self.window.statusBar().showMessage(f"Reading thresholds from {path.name}…")
        self.window.runner.submit(
            lambda: read_thresholds_csv(path),
            lambda thresholds: self._loaded(path, thresholds),
            lambda exc: self._failed(path, exc),
        )

    def _loaded(self, path: Path, thresholds: dict[str, float]) -> None:
        self.apply(thresholds, path.name)
        self.window.statusBar().showMessage(
            f"{len(thresholds)} per-species thresholds from {path.name}", 8000
        )

    def _failed(self, path: Path, exc: BaseException) -> None:
        self.window.statusBar().clearMessage()
        self.window.report_error(
            "Cannot load thresholds",
            f"{file_problem(path, exc)}\n\nThe thresholds in use are unchanged.",
        )

    def apply(self, thresholds: dict[str, float], source: str) -> None:
        """Give these species their own threshold (the others follow the slider)."""
        self._set(dict(thresholds), source)
        self._remember()

    def clear(self) -> None:
        """Every species follows the slider again."""
        self._set({}, "")
        self._remember()

    # ------------------------------------------------------------ internal
    def _set(self, thresholds: dict[str, float], source: str) -> None:
        self.thresholds, self.source = thresholds, source
        project = self._project()
        self._owner = project if thresholds else None
        self.window.review.set_species_thresholds(thresholds)
        self.window.model_panel.show_species_thresholds(thresholds, source)
        self.changed.emit(dict(thresholds), source)

    def _project(self) -> ReviewProject | None:
        project = self.window.projects.project
        return None if project is None or project.closed else project

    def _remember(self) -> None:
        """Keep the active thresholds in the open project's settings (durable)."""
        project = self._project()
        if project is None or project.read_only:
            return
        value = (
            thresholds_setting(self.thresholds, self.source)
            if self.thresholds
            else None
        )
        try:
            project.set_settings(**{SETTING_KEY: value})
        except (OSError, ValueError) as exc:
            self.window.report_error(
                "Not saved",
                f"The per-species thresholds were not saved in the project: {exc}",
            )

    def _on_project_opened(self, project: ReviewProject) -> None:
        """Restore the project's thresholds; thresholds loaded before it (e.g. --thresholds) win."""
        if self.thresholds and self._owner is None:
            self._owner = project
            self._remember()
            return
        saved = thresholds_from_setting(project.settings.get(SETTING_KEY))
        if saved is None and self.thresholds and self.window.projects.implicit:
            # A recording opened on its own keeps the thresholds in use, as
            # before its review was kept.
            self._owner = project
            self._remember()
        elif saved is None:
            self._set({}, "")
        else:
            self._set(*saved)
