"""What the Precision per species dialog does with its thresholds: apply them, save them.

:class:`ThresholdActions` is the dialog's ``actions``: "Apply to detection
list" hands the per-species thresholds reaching the target to the window,
and "Save thresholds CSV…" writes them (atomically, off the GUI thread when
there is a runner). It says what happened in :attr:`ThresholdActions.status`
lines the dialog shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from audioclass_gui.formats.thresholds import write_thresholds_csv
from audioclass_gui.review.precision import SpeciesThreshold

__all__ = ["ThresholdActions"]


class ThresholdActions(QObject):
    """Apply per-species thresholds to the list, or save them as a CSV.

    Parameters
    ----------
    runner
        A :class:`~audioclass_gui.qt.common.tasks.TaskRunner` to write the CSV off
        the GUI thread (written at once without one).
    folder
        Where "Save thresholds CSV…" starts.

    Signals
    -------
    apply_requested(dict, str)
        The per-species thresholds to apply, and a description of their source.
    saved(object)
        The path of a thresholds CSV written.
    failed(str)
        A message for the user (the CSV could not be written).
    status(str)
        What was done, in a line for the dialog.
    """

    apply_requested = Signal(dict, str)
    saved = Signal(object)
    failed = Signal(str)
    status = Signal(str)

    def __init__(
        self,
        runner=None,
        folder: str | Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.folder = Path(folder) if folder else None

    def apply(self, thresholds: dict[str, float], target: float) -> dict[str, float]:
        """Ask for ``thresholds`` (those reaching ``target``) in the list; {} if there are none."""
        if not thresholds:
            self.status.emit(f"No species reaches {target:.2f}: nothing to apply.")
            return {}
        self.apply_requested.emit(thresholds, f"precision ≥ {target:.2f}")
        self.status.emit(f"Applied {len(thresholds)} per-species thresholds to the list.")
        return thresholds

    def ask_path(self, target: float, parent: QWidget | None) -> Path | None:
        """Ask where to save the thresholds for ``target`` (None: cancelled)."""
        name = f"thresholds_precision_{round(target * 100):02d}.csv"
        start = str(self.folder / name) if self.folder else name
        path, _ = QFileDialog.getSaveFileName(
            parent, "Save thresholds CSV", start, "CSV (*.csv)"
        )
        return Path(path) if path else None

    def save(self, path: str | Path, rows: Sequence[SpeciesThreshold]) -> None:
        """Write the thresholds of ``rows`` to ``path`` (atomically, in the runner when there is one)."""
        path = Path(path)
        rows = list(rows)
        self.status.emit(f"Saving {path.name}…")
        if self.runner is None:
            try:
                write_thresholds_csv(path, rows)
            except OSError as exc:
                self._save_failed(path, exc)
            else:
                self._saved(path, len(rows))
            return
        self.runner.submit(
            lambda: write_thresholds_csv(path, rows),
            lambda _p: self._saved(path, len(rows)),
            lambda exc: self._save_failed(path, exc),
        )

    def _saved(self, path: Path, n: int) -> None:
        self.status.emit(f"Saved {n} species to {path.name}.")
        self.saved.emit(path)

    def _save_failed(self, path: Path, exc: BaseException) -> None:
        self.status.emit(f"Not saved: {path.name}")
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.failed.emit(f"{path}: the thresholds CSV was not written ({reason})")
