"""The model panel's per-species thresholds row: a file dialog over the app model's thresholds.

The thresholds themselves (load, apply, clear, remember in the project) are
:class:`audioclass_gui.app.species_thresholds.SpeciesThresholds`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QWidget

if TYPE_CHECKING:
    from audioclass_gui.app import AppModel
    from audioclass_gui.qt.run.model_panel import ModelPanel

__all__ = ["SpeciesThresholdsController"]


class SpeciesThresholdsController(QObject):
    """Asks for a thresholds file and shows the thresholds in use on the model panel."""

    def __init__(self, app: AppModel, panel: ModelPanel, parent: QWidget) -> None:
        super().__init__(parent)
        self.app = app
        self._parent = parent
        thresholds = app.species_thresholds
        panel.species_thresholds_load_requested.connect(self.ask_load)
        panel.species_thresholds_clear_requested.connect(thresholds.clear)
        thresholds.changed.connect(panel.show_species_thresholds)

    def ask_load(self) -> None:
        """Ask for a thresholds CSV and load it."""
        info = self.app.document.info
        start = str(info.path.parent) if info is not None else ""
        path, _ = QFileDialog.getOpenFileName(
            self._parent,
            "Load per-species thresholds",
            start,
            "Thresholds (*.csv *.tsv *.txt);;All files (*)",
        )
        if path:
            self.app.species_thresholds.load(Path(path))
