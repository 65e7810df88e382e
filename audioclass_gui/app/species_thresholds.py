"""Per-species thresholds of the detection list: load, apply, clear, remember.

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

from psygnal import Signal

from audioclass_gui.app.messages import file_problem
from audioclass_gui.formats.thresholds import (
    read_thresholds_csv,
    thresholds_from_setting,
    thresholds_setting,
)

if TYPE_CHECKING:
    from audioclass_gui.app.model import AppModel
    from audioclass_gui.project.project import ReviewProject

__all__ = ["SETTING_KEY", "SpeciesThresholds"]

#: Key of the applied thresholds in a review project's settings.
SETTING_KEY = "species_thresholds"


class SpeciesThresholds:
    """The window's per-species thresholds (the model panel's row).

    Signals
    -------
    changed(dict, str)
        The active thresholds (``{}`` when cleared) and where they came from.
    """

    changed = Signal(dict, str)

    def __init__(self, app: AppModel) -> None:
        self._app = app
        self.thresholds: dict[str, float] = {}
        self.source = ""
        #: The project the active thresholds belong to (None: loaded outside one).
        self._owner: ReviewProject | None = None
        app.document.events.project.connect(self._on_project_opened)

    # ------------------------------------------------------------ actions
    def load(self, path: str | Path) -> None:
        """Read a thresholds CSV off the GUI thread and apply it; report a bad file."""
        path = Path(path)
        self._app.messages.say(f"Reading thresholds from {path.name}…")
        self._app.tasks.submit(
            lambda: read_thresholds_csv(path),
            lambda thresholds: self._loaded(path, thresholds),
            lambda exc: self._failed(path, exc),
        )

    def _loaded(self, path: Path, thresholds: dict[str, float]) -> None:
        self.apply(thresholds, path.name)
        self._app.messages.say(
            f"{len(thresholds)} per-species thresholds from {path.name}", 8000
        )

    def _failed(self, path: Path, exc: BaseException) -> None:
        self._app.messages.clear()
        self._app.messages.report(
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
        self.changed.emit(dict(thresholds), source)

    def _project(self) -> ReviewProject | None:
        project = self._app.document.project
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
            self._app.messages.report(
                "Not saved",
                f"The per-species thresholds were not saved in the project: {exc}",
            )

    def _on_project_opened(self, project: ReviewProject | None) -> None:
        """Restore the project's thresholds; thresholds loaded before it (e.g. --thresholds) win."""
        if project is None:
            return
        if self.thresholds and self._owner is None:
            self._owner = project
            self._remember()
            return
        saved = thresholds_from_setting(project.settings.get(SETTING_KEY))
        if saved is None and self.thresholds and self._app.document.implicit:
            # A recording opened on its own keeps the thresholds in use, as
            # before its review was kept.
            self._owner = project
            self._remember()
        elif saved is None:
            self._set({}, "")
        else:
            self._set(*saved)
